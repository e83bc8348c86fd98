# Copyright 2026 crm_relation developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class CalendarPublicHolidayLine(models.Model):
    """OCA's public holiday (calendar_public_holiday), named in each
    language: the holiday care rules name the festival they greet for in the
    account manager's language (春节 for Spring Festival)."""

    _inherit = "calendar.public.holiday.line"

    name = fields.Char(translate=True)
