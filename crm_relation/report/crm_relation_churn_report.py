# Copyright 2026 crm_relation developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models
from odoo.tools import SQL

from .sql_view import ratio_select, replace_view

# The churn rate of a group (several months, companies) is the ratio of its
# sums, never the average of its months' rates.
RATIOS = {"churn_rate": ("churned", "customers", 100.0, 2)}


class CrmRelationChurnReport(models.Model):
    """The churn rate per company and month (seed 001, L1009: measure the
    churn rate).

    A customer (commercial partner) is *active* on a day when they bought
    in the company's evaluation window (``rfm_window_days``) before it, from
    the company's RFM source (posted customer invoices, or confirmed sale
    orders). A customer *churns* in a month when they were active on its
    first day and are no longer active on the first day of the next month:
    no purchase in the evaluation window before it. The month in progress
    counts those churned so far (up to today). Churn rate = churned /
    active at the start, in %.
    """

    _name = "crm.relation.churn.report"
    _description = "Churn Rate"
    _auto = False
    _rec_name = "date"
    _order = "date desc, company_id"
    _depends = {
        "account.move": [
            "commercial_partner_id", "company_id", "state", "move_type",
            "invoice_date",
        ],
        "sale.order": ["partner_id", "company_id", "state", "date_order"],
        "res.partner": ["commercial_partner_id"],
        "res.company": ["rfm_source", "rfm_window_days"],
    }  # fmt: skip

    company_id = fields.Many2one("res.company", readonly=True)
    date = fields.Date("Month", readonly=True, help="The first day of the month.")
    customers = fields.Integer(
        "Active Customers",
        readonly=True,
        aggregator="sum",
        help="Customers active on the first day of the month: they bought in "
        "the company's evaluation window before it.",
    )
    churned = fields.Integer(
        readonly=True,
        aggregator="sum",
        help="Customers active on the first day of the month who are no "
        "longer active on the first day of the next (no purchase in the "
        "evaluation window before it); for the month in progress, up to today.",
    )
    churn_rate = fields.Float(
        "Churn Rate (%)",
        readonly=True,
        aggregator="avg",
        digits=(16, 2),
        help="Churned customers over the customers active at the start of the "
        "month, in %; over several months or companies, the churned over the "
        "active customers of all of them.",
    )

    def _read_group_select(self, aggregate_spec, query):
        sql = ratio_select(self, aggregate_spec, query, RATIOS)
        if sql is not None:
            return sql
        return super()._read_group_select(aggregate_spec, query)

    def init(self):
        replace_view(self)

    def _query(self):
        """A row per company and month, from the company's first purchase
        to the current month. A row's id is the company's id times 100,000
        plus the month's number since year 0: the same from one query to the
        next."""
        return SQL(
            """
            WITH purchases AS (
                SELECT m.company_id, m.commercial_partner_id AS partner_id,
                       m.invoice_date AS day
                  FROM account_move m
                  JOIN res_company c ON c.id = m.company_id
                 WHERE c.rfm_source = 'invoice' AND m.state = 'posted'
                   AND m.move_type = 'out_invoice' AND m.invoice_date IS NOT NULL
                UNION
                SELECT so.company_id, sp.commercial_partner_id, so.date_order::date
                  FROM sale_order so
                  JOIN res_company c ON c.id = so.company_id
                  JOIN res_partner sp ON sp.id = so.partner_id
                 WHERE c.rfm_source = 'sale_order' AND so.state = 'sale'
            ),
            months AS (
                SELECT c.id AS company_id, c.rfm_window_days AS days,
                       month::date AS month,
                       LEAST((month + interval '1 month')::date,
                             CURRENT_DATE + 1) AS next
                  FROM res_company c
                  JOIN (SELECT company_id, MIN(day) AS first
                          FROM purchases GROUP BY company_id) f
                    ON f.company_id = c.id
                 CROSS JOIN LATERAL generate_series(
                       date_trunc('month', f.first),
                       date_trunc('month', CURRENT_DATE),
                       interval '1 month') AS month
            ),
            status AS (
                SELECT mo.company_id, mo.month, p.partner_id,
                       bool_or(p.day < mo.month) AS active_start,
                       bool_or(p.day >= mo.next - mo.days) AS active_end
                  FROM months mo
                  JOIN purchases p ON p.company_id = mo.company_id
                   AND p.day >= mo.month - mo.days AND p.day < mo.next
                 GROUP BY mo.company_id, mo.month, p.partner_id
            ),
            counts AS (
                SELECT mo.company_id, mo.month,
                       COUNT(s.partner_id) FILTER (WHERE s.active_start)
                           AS customers,
                       COUNT(s.partner_id) FILTER (WHERE s.active_start
                                                     AND NOT s.active_end)
                           AS churned
                  FROM months mo
                  LEFT JOIN status s ON s.company_id = mo.company_id
                   AND s.month = mo.month
                 GROUP BY mo.company_id, mo.month
            )
            SELECT company_id * 100000
                       + EXTRACT(YEAR FROM month)::int * 12
                       + EXTRACT(MONTH FROM month)::int AS id,
                   company_id,
                   month AS date,
                   customers::int AS customers,
                   churned::int AS churned,
                   CASE WHEN customers > 0
                        THEN round(100.0 * churned / customers, 2)
                        ELSE 0 END::float8 AS churn_rate
              FROM counts
            """
        )
