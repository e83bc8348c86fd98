# Copyright 2026 crm_relation developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""19.0.1.9.0: the evaluation stores the day of the last purchase, not the
days since it (which drifted every day, so that every re-evaluation
rewrote every customer); the days are derived when read or searched.

Each company's last purchase day is the day of that company's evaluation
less the days it stored, for every customer evaluated before; then the
column of the days, no longer stored, is dropped.
"""

from odoo.tools import SQL
from odoo.tools.sql import column_exists


def migrate(cr, version):
    if not version or not column_exists(cr, "res_partner", "rfm_recency_days"):
        return
    cr.execute(
        SQL(
            """
            UPDATE res_partner p
               SET rfm_last_purchase_date = d.days
              FROM (SELECT p2.id,
                           jsonb_object_agg(
                               r.key,
                               to_jsonb(
                                   (p2.rfm_evaluated_at ->> r.key)::timestamp::date
                                   - r.value::int
                               )
                           ) AS days
                      FROM res_partner p2,
                           jsonb_each_text(p2.rfm_recency_days) AS r(key, value)
                     WHERE r.value IS NOT NULL
                       AND p2.rfm_evaluated_at ->> r.key IS NOT NULL
                     GROUP BY p2.id) d
             WHERE p.id = d.id
            """
        )
    )
    cr.execute(SQL("ALTER TABLE res_partner DROP COLUMN rfm_recency_days"))
