# Copyright 2026 crm_relation developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import UserError

from ..models import guards


class CrmRelationWinbackLost(models.TransientModel):
    """Close win-back episodes as lost, with the reason."""

    _name = "crm.relation.winback.lost"
    _description = "Win-back Lost"

    winback_ids = fields.Many2many(
        "crm.relation.winback", string="Win-back Episodes", required=True
    )
    reason = fields.Text(required=True)

    @api.model
    def default_get(self, fields_list):
        res = super().default_get(fields_list)
        if self.env.context.get("active_model") == "crm.relation.winback":
            res["winback_ids"] = [
                fields.Command.set(self.env.context.get("active_ids", []))
            ]
        return res

    @guards.callers(guards.USER_GROUP)
    def action_apply(self):
        guards.ensure_one(self)
        reason = guards.arg_text(self.env, self.reason, "reason", required=False)
        if not reason:
            raise UserError(
                self.env._("Give a reason (field Reason) to mark a customer lost.")
            )
        self.winback_ids._mark_lost(reason)
        return {"type": "ir.actions.act_window_close"}
