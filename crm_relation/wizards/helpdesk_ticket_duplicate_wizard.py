# Copyright 2026 crm_relation developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import models

from ..models import guards
from ..models.helpdesk_ticket import CLOSE_UNCHECKED


class HelpdeskTicketDuplicateWizard(models.TransientModel):
    _inherit = "helpdesk.ticket.duplicate.wizard"

    @guards.callers("helpdesk_mgmt.group_helpdesk_user_own")
    def action_confirm(self):
        # A duplicate is closed without a resolution of its own.
        return super(
            HelpdeskTicketDuplicateWizard,
            guards.trusted(self, flags=[CLOSE_UNCHECKED]),
        ).action_confirm()
