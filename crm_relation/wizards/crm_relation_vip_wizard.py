# Copyright 2026 crm_relation developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models

from ..models import guards


class CrmRelationVipWizard(models.TransientModel):
    """Register a VIP's reply, or suspend, resume or refuse with a reason."""

    _name = "crm.relation.vip.wizard"
    _description = "VIP Action"

    vip_ids = fields.Many2many("crm.relation.vip", string="VIPs", required=True)
    action = fields.Selection(
        [
            ("register", "Register Reply"),
            ("suspend", "Suspend"),
            ("resume", "Resume"),
            ("refuse", "Refuse"),
        ],
        required=True,
    )
    date_reply = fields.Date(
        "Reply Received On", default=lambda s: fields.Date.context_today(s)
    )
    details = fields.Text("VIP Details")
    reason = fields.Text()

    @api.model
    def default_get(self, fields_list):
        res = super().default_get(fields_list)
        if self.env.context.get("active_model") == "crm.relation.vip":
            res["vip_ids"] = [
                fields.Command.set(self.env.context.get("active_ids", []))
            ]
        return res

    @guards.callers(guards.MANAGER_GROUP)
    def action_apply(self):
        guards.ensure_one(self)
        vips = self.vip_ids
        if self.action == "register":
            vips._vip_register(self.date_reply, self.details)
        else:
            getattr(vips, f"action_{self.action}")(self.reason)
        return {"type": "ir.actions.act_window_close"}
