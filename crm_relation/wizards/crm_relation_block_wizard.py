# Copyright 2026 crm_relation developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import UserError

from ..models import guards


class CrmRelationBlockWizard(models.TransientModel):
    """Block or unblock customers in the current company, with a reason."""

    _name = "crm.relation.block.wizard"
    _description = "Block or Unblock Customers"

    partner_ids = fields.Many2many("res.partner", string="Customers", required=True)
    action = fields.Selection(
        [("block", "Block"), ("unblock", "Unblock")], required=True, default="block"
    )
    reason = fields.Text(required=True)

    @api.model
    def default_get(self, fields_list):
        res = super().default_get(fields_list)
        if self.env.context.get("active_model") == "res.partner":
            res["partner_ids"] = [
                fields.Command.set(self.env.context.get("active_ids", []))
            ]
        return res

    @guards.callers(guards.MANAGER_GROUP)
    def action_apply(self):
        guards.ensure_one(self)
        reason = guards.arg_text(self.env, self.reason, "reason", required=False)
        if not reason:
            raise UserError(
                self.env._("Give a reason (field Reason) to block or unblock.")
            )
        self.partner_ids.check_access("read")
        customers = self.partner_ids.commercial_partner_id
        blocked = self.action == "block"
        guards.trusted(customers.sudo(), fields=guards.ALL).write(
            {
                "relation_blocked": blocked,
                "relation_block_reason": self.reason if blocked else False,
            }
        )
        for customer in customers.sudo():
            customer.message_post(
                author_id=self.env.user.partner_id.id,
                body=self.env._(
                    "Customer %(action)s in %(company)s: %(reason)s",
                    action=self.env._("blocked")
                    if blocked
                    else self.env._("unblocked"),
                    company=self.env.company.name,
                    reason=self.reason,
                ),
            )
        self.env["crm.relation.rfm.engine"].sudo()._evaluate_company(
            self.env.company, partners=customers, trigger="manual"
        )
        return {"type": "ir.actions.act_window_close"}
