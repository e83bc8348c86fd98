# Copyright 2026 crm_relation developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import models

from ..models.helpdesk_ticket import CLOSE_UNCHECKED, CLOSE_UNCHECKED_KEY


class HelpdeskTicketDuplicateWizard(models.TransientModel):
    _inherit = "helpdesk.ticket.duplicate.wizard"

    def action_confirm(self):
        # A duplicate is closed without a resolution of its own.
        return super(
            HelpdeskTicketDuplicateWizard,
            self.with_context(**{CLOSE_UNCHECKED_KEY: CLOSE_UNCHECKED}),
        ).action_confirm()
