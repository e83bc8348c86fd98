# Copyright 2026 crm_relation developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from markupsafe import Markup

from odoo import api, fields, models

from ..models import guards


class CrmRelationComplaintAckWizard(models.TransientModel):
    """Confirm sale orders whose customers have open complaints, once the
    salesperson has acknowledged them (seed 002: don't pitch to a customer
    with unresolved service issues, at least not unknowingly)."""

    _name = "crm.relation.complaint.ack.wizard"
    _description = "Acknowledge Open Complaints and Confirm"

    order_ids = fields.Many2many("sale.order", string="Orders", required=True)
    complaint_count = fields.Integer("Open Complaints", compute="_compute_complaints")
    complaint_summary = fields.Html(
        "Complaints", compute="_compute_complaints", sanitize=False
    )
    remarks = fields.Text(help="Logged with the acknowledgement, e.g. what was agreed.")

    @api.model
    def _action_open(self, orders):
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Open Complaints"),
            "res_model": self._name,
            "view_mode": "form",
            "target": "new",
            "context": {
                **guards.clean_context(self.env.context),
                "default_order_ids": [fields.Command.set(orders.ids)],
            },
        }

    @api.depends("order_ids")
    def _compute_complaints(self):
        for wizard in self:
            pending = wizard.order_ids._crm_relation_unacknowledged_complaints()
            wizard.complaint_count = sum(len(t) for t in pending.values())
            Order = self.env["sale.order"]
            wizard.complaint_summary = Markup("").join(
                Order._crm_relation_complaint_body(
                    self.env._(
                        "%(order)s, %(customer)s:",
                        order=order.name,
                        customer=order.partner_id.commercial_partner_id.display_name,
                    ),
                    tickets,
                )
                for order, tickets in pending.items()
            )

    @guards.callers("sales_team.group_sale_salesman")
    def action_confirm(self):
        """Log who acknowledged which complaints on each order, then confirm
        the orders (all or none)."""
        guards.ensure_one(self)
        orders = self.order_ids
        pending = orders._crm_relation_unacknowledged_complaints()
        if pending:
            orders._crm_relation_acknowledge(pending, self.remarks)
        orders.action_confirm()
        return {"type": "ir.actions.act_window_close"}
