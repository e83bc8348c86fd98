# Copyright 2026 crm_relation developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models


class HelpdeskTicketCategory(models.Model):
    _inherit = "helpdesk.ticket.category"

    crm_relation_complaint = fields.Boolean(
        "Complaint",
        help="Tickets of this category are customer complaints: routed by the "
        "customer's grade, followed up by a call after closing, and counted in "
        "the monthly complaint summary.",
    )


class HelpdeskTicket(models.Model):
    _name = "helpdesk.ticket"
    _inherit = [
        "helpdesk.ticket",
        "crm.relation.review.mixin",
        "crm.relation.vip.badge",
    ]

    is_complaint = fields.Boolean(
        "Complaint",
        compute="_compute_is_complaint",
        store=True,
        readonly=False,
        index=True,
        help="A customer complaint. Set from the category; an agent may also "
        "mark any ticket a complaint.",
    )

    @api.depends("category_id.crm_relation_complaint")
    def _compute_is_complaint(self):
        for ticket in self:
            if ticket.category_id.crm_relation_complaint:
                ticket.is_complaint = True
            elif not ticket.is_complaint:
                ticket.is_complaint = False
