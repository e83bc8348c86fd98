# Copyright 2026 crm_relation developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import models
from odoo.exceptions import UserError


class SaleOrder(models.Model):
    _inherit = "sale.order"

    def action_confirm(self):
        for order in self:
            customer = order.partner_id.commercial_partner_id.with_company(
                order.company_id
            )
            if customer.relation_blocked:
                raise UserError(
                    self.env._(
                        "Customer %(customer)s is blocked in %(company)s: "
                        "%(reason)s\nOrder %(order)s cannot be confirmed until a "
                        "customer manager unblocks the customer.",
                        customer=customer.display_name,
                        company=order.company_id.name,
                        reason=customer.relation_block_reason or "-",
                        order=order.name,
                    )
                )
        return super().action_confirm()
