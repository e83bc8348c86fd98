# Copyright 2026 crm_relation developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models
from odoo.tools import SQL

from .crm_relation_profitability_report import CrmRelationProfitabilityReport
from .sql_view import ratio_select, replace_view

# The share of the first customers counted as "the top 20%".
TOP_SHARE = 20
RATIOS = {"repeat_rate": ("repeat_count", "buyer_count", 100.0, 1)}


class CrmRelationParetoReport(models.Model):
    """Who brings the profit (seed 001, L41, L215: 80% of the effort on the
    20% of customers who bring it; seed 002, L149: how many come back): one
    row per customer and company over the company's evaluation window (its
    RFM window, up to today), the customers ranked by gross margin.

    - ``rank``: 1 for the highest margin; ties go to the smaller partner id.
    - ``cumulative_share``: the margin of the customers ranked up to this one
      over the company's margin, in %. Customers with a loss come last, so the
      curve can go above 100 before it comes back to 100. Empty (0) when the
      company's margin is not positive.
    - ``customer_share``: rank over the number of customers, in %.
    - ``is_top20``: ``customer_share`` at most 20 (and at least the first
      customer, so a company with fewer than five customers still has one).
    - Repeat customers: customers invoiced in at least two distinct calendar
      months of the window, over the customers invoiced in the window at all
      (a customer with only a credit note or a delivery in the window is not
      counted in either).

    The figures are those of ``crm.relation.profitability.report``: revenue
    net of credit notes, cost from the stock valuation of the deliveries.
    """

    _name = "crm.relation.pareto.report"
    _description = "Customer Pareto"
    _auto = False
    _rec_name = "partner_id"
    _order = "company_id, rank"
    _depends = {
        **CrmRelationProfitabilityReport._depends,
        "res.company": ["currency_id", "rfm_window_days"],
    }

    partner_id = fields.Many2one("res.partner", "Customer", readonly=True)
    user_id = fields.Many2one("res.users", "Account Manager", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    date_from = fields.Date("From", readonly=True, aggregator="min")
    date = fields.Date(
        "To", readonly=True, aggregator="max", help="The last day of the window: today."
    )
    revenue = fields.Monetary(readonly=True)
    cogs = fields.Monetary("Cost of Goods Sold", readonly=True)
    margin = fields.Monetary("Gross Margin", readonly=True)
    margin_share = fields.Float(
        "Share of Margin (%)",
        digits=(16, 1),
        readonly=True,
        help="The customer's margin over the company's margin.",
    )
    rank = fields.Integer(
        readonly=True, aggregator="min", help="1 for the highest gross margin."
    )
    cumulative_share = fields.Float(
        "Cumulative Share (%)",
        digits=(16, 1),
        readonly=True,
        aggregator="max",
        help="The margin of the customers ranked up to this one over the "
        "company's margin.",
    )
    customer_share = fields.Float(
        "Customer Share (%)",
        digits=(16, 1),
        readonly=True,
        aggregator="max",
        help="The customer's rank over the number of customers.",
    )
    is_top20 = fields.Boolean(
        "Top 20%",
        readonly=True,
        help="Among the first 20% of the customers ranked by gross margin.",
    )
    segment = fields.Selection(
        [("top20", "Top 20% of customers"), ("rest", "Other customers")],
        readonly=True,
    )
    invoice_months = fields.Integer(
        "Months with Invoices",
        readonly=True,
        aggregator="max",
        help="Distinct calendar months of the window with a posted invoice to "
        "the customer.",
    )
    buyer_count = fields.Integer(
        "Customers Invoiced", readonly=True, help="Invoiced in the window: 1 or 0."
    )
    repeat_count = fields.Integer(
        "Repeat Customers",
        readonly=True,
        help="Invoiced in at least two distinct months of the window: 1 or 0.",
    )
    repeat_rate = fields.Float(
        "Repeat Customer Rate (%)",
        digits=(16, 1),
        readonly=True,
        aggregator="avg",
        help="Customers invoiced in at least two distinct months of the window "
        "over the customers invoiced in it.",
    )

    def init(self):
        replace_view(self)

    def _query(self):
        events = self.env["crm.relation.profitability.report"]._events_query()
        return SQL(
            """
            WITH events AS (%(events)s),
            customers AS (
                SELECT min(e.key) AS id,
                       e.company_id,
                       e.partner_id,
                       CURRENT_DATE - c.rfm_window_days + 1 AS date_from,
                       CURRENT_DATE AS date,
                       c.currency_id,
                       sum(e.revenue) AS revenue,
                       sum(e.cogs) AS cogs,
                       sum(e.revenue) - sum(e.cogs) AS margin,
                       count(DISTINCT date_trunc('month', e.day))
                           FILTER (WHERE e.invoice_id IS NOT NULL) AS invoice_months
                  FROM events e
                  JOIN res_company c ON c.id = e.company_id
                 WHERE e.day > CURRENT_DATE - c.rfm_window_days
                   AND e.day <= CURRENT_DATE
                 GROUP BY e.company_id, e.partner_id, c.rfm_window_days,
                          c.currency_id
            ),
            ranked AS (
                SELECT cu.*,
                       row_number() OVER w AS rank,
                       count(*) OVER (PARTITION BY cu.company_id) AS customers,
                       sum(cu.margin) OVER (w ROWS UNBOUNDED PRECEDING)
                           AS cumulative_margin,
                       sum(cu.margin) OVER (PARTITION BY cu.company_id)
                           AS total_margin
                  FROM customers cu
                WINDOW w AS (PARTITION BY cu.company_id
                             ORDER BY cu.margin DESC, cu.partner_id)
            )
            SELECT r.id,
                   r.company_id,
                   r.partner_id,
                   p.user_id,
                   r.currency_id,
                   r.date_from,
                   r.date,
                   r.revenue,
                   r.cogs,
                   r.margin,
                   CASE WHEN r.total_margin > 0
                        THEN round(100 * r.margin / r.total_margin, 1)
                        ELSE 0 END::float8 AS margin_share,
                   r.rank,
                   CASE WHEN r.total_margin > 0
                        THEN round(100 * r.cumulative_margin / r.total_margin, 1)
                        ELSE 0 END::float8 AS cumulative_share,
                   round(100.0 * r.rank / r.customers, 1)::float8 AS customer_share,
                   %(top)s AS is_top20,
                   CASE WHEN %(top)s THEN 'top20' ELSE 'rest' END AS segment,
                   r.invoice_months,
                   (r.invoice_months > 0)::int AS buyer_count,
                   (r.invoice_months > 1)::int AS repeat_count,
                   CASE WHEN r.invoice_months > 1 THEN 100.0
                        WHEN r.invoice_months > 0 THEN 0.0
                        END::float8 AS repeat_rate
              FROM ranked r
              JOIN res_partner p ON p.id = r.partner_id
            """,
            events=events,
            top=SQL(
                "(r.rank <= GREATEST(1, floor(r.customers * %s / 100.0)))",
                TOP_SHARE,
            ),
        )

    def _read_group_select(self, aggregate_spec, query):
        sql = ratio_select(self, aggregate_spec, query, RATIOS)
        if sql is not None:
            return sql
        return super()._read_group_select(aggregate_spec, query)
