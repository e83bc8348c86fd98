# Copyright 2026 crm_relation developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class HelpdeskTicketCategory(models.Model):
    _inherit = "helpdesk.ticket.category"

    relation_complaint = fields.Boolean(
        "Complaint",
        help="Tickets of this category are customer complaints: routed by the "
        "customer's grade, followed up by a call after closing, and counted in "
        "the monthly complaint summary.",
    )
