# Copyright 2026 crm_relation developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models
from odoo.tools import SQL

from .sql_view import ratio_select, replace_view

# Rates over the rows a group holds: {field: (numerator, denominator, factor,
# digits)}. Each is the ratio of two sums, never the average of the rows'
# own rates (see ``_read_group_select``).
RATIOS = {
    "on_time_rate": ("visits_on_time", "visits_done", 100.0, 1),
    "completion_rate": ("visits_done", "visits_due", 100.0, 1),
    "average_satisfaction": ("satisfaction_sum", "satisfaction_count", 1.0, 2),
}


class CrmRelationManagerEvaluationReport(models.Model):
    """Account managers' work (seed 004, L39: evaluation of account managers;
    seed 000, L72-80: appraised on quantity and quality): one row per account
    manager, company and day, grouped by week, month, quarter or year in the
    views.

    Visits count on their planned date; VIPs kept on the day a renewal
    starts (the previous year's expiry), VIPs lapsed on the day their card
    expired; tier movements of the account manager's customers on the day
    they happened.
    """

    _name = "crm.relation.manager.evaluation.report"
    _description = "Account Manager Evaluation"
    _auto = False
    _rec_name = "date"
    _order = "date desc, user_id"
    _depends = {
        "crm.relation.visit": [
            "user_id",
            "company_id",
            "planned_date",
            "done_date",
            "state",
            "satisfaction",
        ],
        "crm.relation.vip": ["user_id", "company_id", "state", "date_end"],
        "crm.relation.vip.period": ["vip_id", "kind", "date_start"],
        "crm.relation.tier.history": ["partner_id", "company_id", "date", "movement"],
        "res.partner": ["user_id"],
        "crm.relation.winback": ["user_id", "company_id", "state", "date_closed"],
    }

    date = fields.Date(readonly=True)
    user_id = fields.Many2one("res.users", "Account Manager", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    visits_planned = fields.Integer(
        "Planned",
        readonly=True,
        help="Visits planned on these days, cancelled ones aside.",
    )
    visits_done = fields.Integer("Done", readonly=True)
    visits_missed = fields.Integer("Missed", readonly=True)
    visits_due = fields.Integer(
        "Due", readonly=True, help="Visits done or missed: those that were due."
    )
    visits_on_time = fields.Integer(
        "Done on Time",
        readonly=True,
        help="Visits done on or before their planned date.",
    )
    on_time_rate = fields.Float(
        "On Time (%)",
        digits=(5, 1),
        readonly=True,
        aggregator="avg",
        help="Visits done on time over the visits done.",
    )
    completion_rate = fields.Float(
        "Completion (%)",
        digits=(5, 1),
        readonly=True,
        aggregator="avg",
        help="Done visits over the visits due (done and missed).",
    )
    satisfaction_sum = fields.Integer(
        "Satisfaction Points",
        readonly=True,
        help="The satisfaction (1 to 5) given at the visits done, added up.",
    )
    satisfaction_count = fields.Integer(
        "Visits Rated", readonly=True, help="Visits done with a satisfaction."
    )
    average_satisfaction = fields.Float(
        digits=(3, 2),
        readonly=True,
        aggregator="avg",
        help="Satisfaction points over the visits rated.",
    )
    vips_kept = fields.Integer(
        "VIPs Kept",
        readonly=True,
        help="VIP cards renewed at their expiry on these days.",
    )
    vips_lapsed = fields.Integer(
        "VIPs Lapsed",
        readonly=True,
        help="VIP cards that expired on these days without renewal.",
    )
    customers_upgraded = fields.Integer(readonly=True)
    customers_downgraded = fields.Integer(readonly=True)
    winback_won = fields.Integer(
        "Won Back",
        readonly=True,
        help="Win-back episodes closed as won back on these days.",
    )
    winback_lost = fields.Integer(
        "Lost",
        readonly=True,
        help="Win-back episodes closed as lost on these days.",
    )

    def init(self):
        replace_view(self)

    def _query(self):
        """The events of each source, one row each, summed per account
        manager, company and day, with the day's rates. A row's id is the
        smallest of its events' keys (the source's id times five plus the
        source's number): the same from one query to the next while the data
        stays."""
        ratios = SQL(", ").join(
            SQL(
                "CASE WHEN %(den)s > 0 THEN round(%(factor)s * %(num)s / %(den)s, "
                "%(digits)s)::float8 ELSE 0 END AS %(name)s",
                num=SQL.identifier("g", num),
                den=SQL.identifier("g", den),
                factor=factor,
                digits=digits,
                name=SQL.identifier(name),
            )
            for name, (num, den, factor, digits) in RATIOS.items()
        )
        return SQL(
            """
            WITH events AS (
                SELECT v.id::bigint * 5 AS key, v.user_id, v.company_id,
                       v.planned_date AS date,
                       1 AS visits_planned,
                       (v.state = 'done')::int AS visits_done,
                       (v.state = 'missed')::int AS visits_missed,
                       (v.state IN ('done', 'missed'))::int AS visits_due,
                       (v.state = 'done'
                        AND v.done_date <= v.planned_date)::int AS visits_on_time,
                       CASE WHEN v.state = 'done'
                            THEN v.satisfaction::int END AS satisfaction,
                       NULL::int AS kept_vip_id,
                       NULL::int AS lapsed_vip_id,
                       0 AS up, 0 AS down, 0 AS won, 0 AS lost
                  FROM crm_relation_visit v
                 WHERE v.state != 'cancelled'
                UNION ALL
                -- A renewal starts on the day the previous year ends.
                SELECT p.id::bigint * 5 + 1, v.user_id, v.company_id, p.date_start,
                       0, 0, 0, 0, 0, NULL, v.id, NULL, 0, 0, 0, 0
                  FROM crm_relation_vip_period p
                  JOIN crm_relation_vip v ON v.id = p.vip_id
                 WHERE p.kind = 'renewal'
                UNION ALL
                SELECT v.id::bigint * 5 + 2, v.user_id, v.company_id, v.date_end,
                       0, 0, 0, 0, 0, NULL, NULL, v.id, 0, 0, 0, 0
                  FROM crm_relation_vip v
                 WHERE v.state = 'lapsed'
                UNION ALL
                SELECT h.id::bigint * 5 + 3, p.user_id, h.company_id, h.date::date,
                       0, 0, 0, 0, 0, NULL, NULL, NULL,
                       (h.movement = 'up')::int, (h.movement = 'down')::int, 0, 0
                  FROM crm_relation_tier_history h
                  JOIN res_partner p ON p.id = h.partner_id
                 WHERE h.movement IN ('up', 'down')
                UNION ALL
                -- Win-back outcomes count on the day the episode closed.
                SELECT w.id::bigint * 5 + 4, w.user_id, w.company_id,
                       w.date_closed::date,
                       0, 0, 0, 0, 0, NULL, NULL, NULL, 0, 0,
                       (w.state = 'won')::int, (w.state = 'lost')::int
                  FROM crm_relation_winback w
                 WHERE w.state IN ('won', 'lost')
            )
            SELECT g.*, %s
              FROM (
                SELECT min(key) AS id,
                       user_id,
                       company_id,
                       date,
                       sum(visits_planned) AS visits_planned,
                       sum(visits_done) AS visits_done,
                       sum(visits_missed) AS visits_missed,
                       sum(visits_due) AS visits_due,
                       sum(visits_on_time) AS visits_on_time,
                       COALESCE(sum(satisfaction), 0) AS satisfaction_sum,
                       count(satisfaction) AS satisfaction_count,
                       count(DISTINCT kept_vip_id) AS vips_kept,
                       count(DISTINCT lapsed_vip_id) AS vips_lapsed,
                       sum(up) AS customers_upgraded,
                       sum(down) AS customers_downgraded,
                       sum(won) AS winback_won,
                       sum(lost) AS winback_lost
                  FROM events
                 WHERE user_id IS NOT NULL AND date IS NOT NULL
                 GROUP BY user_id, company_id, date
              ) g
            """,
            ratios,
        )

    def _read_group_select(self, aggregate_spec, query):
        # A group's rate is the ratio of its sums (a weighted average), not
        # the average of its rows' rates.
        sql = ratio_select(self, aggregate_spec, query, RATIOS)
        if sql is not None:
            return sql
        return super()._read_group_select(aggregate_spec, query)
