# Copyright 2026 crm_relation developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import models


class SaleOrder(models.Model):
    """Only members earn in a members' points programme.

    Odoo's ``sale_loyalty`` computes, for each programme, whether an order
    earns and how many points; this keeps that computation and only turns a
    members' programme (a company's ``relation_loyalty_program_id``) into an
    error for an order whose customer is not a member: the order's customer
    itself is an active VIP of the order's company and holds a card in the
    programme (given at activation). Odoo then gives no points and opens no
    card, on quotations and at confirmation alike.
    """

    _inherit = "sale.order"

    def _program_check_compute_points(self, programs):
        result = super()._program_check_compute_points(programs)
        members_only = (
            self.env["res.company"]
            .sudo()
            .search([("relation_loyalty_program_id", "in", programs.ids)])
            .relation_loyalty_program_id
        )
        for program in members_only:
            if "error" not in result.get(program, {}) and not (
                self._crm_relation_loyalty_member(program)
            ):
                result[program] = {
                    "error": self.env._(
                        "Only the company's active VIP members earn points in "
                        "%(program)s.",
                        program=program.name,
                    )
                }
        return result

    def _crm_relation_loyalty_member(self, program):
        """Whether this order's customer earns in the members' ``program``."""
        self.ensure_one()
        company = self.company_id
        customer = self.partner_id
        if not customer or company.sudo().relation_loyalty_program_id != program:
            return False
        if customer.id not in customer._vip_cards(company):
            return False  # not an active VIP, or a contact of one
        return bool(
            self.env["loyalty.card"]
            .sudo()
            .search_count(
                [("program_id", "=", program.id), ("partner_id", "=", customer.id)],
                limit=1,
            )
        )
