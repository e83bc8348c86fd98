# Copyright 2026 crm_relation developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""19.0.1.9.0: the evaluation stores the day of the last purchase, not the
days since it (which drifted every day, so that every re-evaluation
rewrote every customer); the days are derived when read or searched.

Each company's last purchase day is the day of that company's evaluation
less the days it stored, for every customer evaluated before; then the
column of the days, no longer stored, is dropped.

The days were counted from the evaluation's local day ("today" of the
user who ran it: the scheduled action's), not from its UTC day: the
evaluation's stamp is read in that time zone, else the company's, its
working hours', the administrator's, UTC.
"""

import json

from odoo import SUPERUSER_ID, api
from odoo.tools import SQL
from odoo.tools.sql import column_exists


def _time_zones(env):
    """``{company id (text): time zone}`` the evaluation counted days in."""
    cron = env.ref("crm_relation.ir_cron_evaluate_rfm", raise_if_not_found=False)
    admin = env.ref("base.user_admin", raise_if_not_found=False)
    zones = {}
    for company in env["res.company"].with_context(active_test=False).search([]):
        zones[str(company.id)] = (
            (cron and cron.user_id.tz)
            or company.partner_id.tz
            or (
                "resource_calendar_id" in company._fields
                and company.resource_calendar_id.tz
            )
            or (admin and admin.tz)
            or "UTC"
        )
    return zones


def migrate(cr, version):
    if not version or not column_exists(cr, "res_partner", "rfm_recency_days"):
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    cr.execute(
        SQL(
            """
            UPDATE res_partner p
               SET rfm_last_purchase_date = d.days
              FROM (SELECT p2.id,
                           jsonb_object_agg(
                               r.key,
                               to_jsonb(
                                   ((p2.rfm_evaluated_at ->> r.key)::timestamp
                                     AT TIME ZONE 'UTC'
                                     AT TIME ZONE COALESCE(
                                         %(zones)s::jsonb ->> r.key, 'UTC'))::date
                                   - r.value::int
                               )
                           ) AS days
                      FROM res_partner p2,
                           jsonb_each_text(p2.rfm_recency_days) AS r(key, value)
                     WHERE r.value IS NOT NULL
                       AND p2.rfm_evaluated_at ->> r.key IS NOT NULL
                     GROUP BY p2.id) d
             WHERE p.id = d.id
            """,
            zones=json.dumps(_time_zones(env)),
        )
    )
    cr.execute(SQL("ALTER TABLE res_partner DROP COLUMN rfm_recency_days"))
