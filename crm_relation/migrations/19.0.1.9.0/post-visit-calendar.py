# Copyright 2026 crm_relation developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Visits are meetings in Odoo's Calendar since 19.0.1.9.0: give the visits
still to come (planned, from today on) their meetings, all at once, mailing
no one. Past, done, missed and cancelled visits keep none."""

from odoo import SUPERUSER_ID, api, fields


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    visits = env["crm.relation.visit"].search(
        [
            ("state", "=", "planned"),
            ("planned_date", ">=", fields.Date.today()),
            ("calendar_event_id", "=", False),
        ]
    )
    visits._create_calendar_events()
