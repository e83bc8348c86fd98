# Copyright 2026 crm_relation developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import models
from odoo.exceptions import UserError

# Statuses of a customer who has not bought yet (or not been evaluated).
NEW_STATUSES = (False, "prospect", "new")


class SaleOrder(models.Model):
    _name = "sale.order"
    _inherit = ["sale.order", "crm.relation.review.mixin", "crm.relation.vip.badge"]

    def action_confirm(self):
        for order in self:
            customer = order.partner_id.commercial_partner_id.with_company(
                order.company_id
            )
            if (
                order.company_id.crm_relation_review_new_customers
                and customer.relation_status in NEW_STATUSES
                and not customer._review_by_manager()
            ):
                raise UserError(
                    self.env._(
                        "Customer %(customer)s is new and no customer manager has "
                        "reviewed it yet. Ask a customer manager to review the "
                        "customer before confirming %(order)s.",
                        customer=customer.display_name,
                        order=order.name,
                    )
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
