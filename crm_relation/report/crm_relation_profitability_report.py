# Copyright 2026 crm_relation developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models
from odoo.tools import SQL

from .sql_view import ratio_select, replace_view

# The margin rate of a group is the ratio of its sums, never the average of
# its rows' rates (see ``_read_group_select``): {field: (numerator,
# denominator, factor, digits)}.
RATIOS = {"margin_percent": ("margin", "revenue", 100.0, 1)}


class CrmRelationProfitabilityReport(models.Model):
    """Customer profitability from Odoo's own books (seed 002, L149: the
    most profitable customers): one row per customer (the commercial
    partner), company and month, in the company's currency.

    - Revenue: the product lines of the posted customer invoices, less those
      of the posted credit notes, untaxed, in the company's currency (their
      balance), in the month of the invoice date.
    - Cost of goods sold: ``stock.move.value`` (stock_account's valuation of
      a move, in the company's currency) of the done deliveries to the
      customer, less the value of the done returns from the customer, in the
      month of the move's date (the day the goods left or came back, UTC).
      Goods that are not delivered from a valued stock (services) carry no
      cost.
    - Margin: revenue less cost; margin %: margin over revenue.
    """

    _name = "crm.relation.profitability.report"
    _description = "Customer Profitability"
    _auto = False
    _rec_name = "partner_id"
    _order = "date desc, margin desc"
    _depends = {
        "account.move": [
            "state",
            "move_type",
            "company_id",
            "commercial_partner_id",
            "invoice_date",
        ],
        "account.move.line": ["move_id", "display_type", "balance", "parent_state"],
        "stock.move": [
            "state",
            "company_id",
            "date",
            "value",
            "is_in",
            "is_out",
            "location_id",
            "location_dest_id",
            "partner_id",
            "picking_id",
            "sale_line_id",
        ],
        "stock.location": ["usage"],
        "stock.picking": ["partner_id"],
        "sale.order.line": ["order_id"],
        "sale.order": ["partner_id"],
        "res.partner": ["commercial_partner_id", "user_id"],
        "res.company": ["currency_id"],
    }

    date = fields.Date(
        "Month",
        readonly=True,
        help="The month of the invoices and credit notes (invoice date) and of "
        "the deliveries and returns (date done).",
    )
    partner_id = fields.Many2one("res.partner", "Customer", readonly=True)
    user_id = fields.Many2one(
        "res.users",
        "Account Manager",
        readonly=True,
        help="The customer's salesperson.",
    )
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    revenue = fields.Monetary(
        readonly=True,
        help="Posted customer invoices less posted credit notes, untaxed, in "
        "the company's currency.",
    )
    cogs = fields.Monetary(
        "Cost of Goods Sold",
        readonly=True,
        help="The stock valuation of the goods delivered to the customer, less "
        "that of the goods the customer returned, in the company's currency.",
    )
    margin = fields.Monetary(
        "Gross Margin", readonly=True, help="Revenue less cost of goods sold."
    )
    margin_percent = fields.Float(
        "Margin (%)",
        digits=(16, 1),
        readonly=True,
        aggregator="avg",
        help="Gross margin over revenue (of the whole group, not an average of rates).",
    )
    invoice_count = fields.Integer(
        "Invoices", readonly=True, help="Posted customer invoices, credit notes aside."
    )

    def init(self):
        replace_view(self)

    def _events_query(self):
        """One row per invoice line and per valued delivery or return:
        ``key`` (twice the line's id, twice the move's plus one: unique and
        stable), ``company_id``, ``partner_id`` (commercial), ``day``,
        ``revenue``, ``cogs``, ``invoice_id`` (customer invoices only)."""
        return SQL(
            "%s UNION ALL %s",
            self._revenue_events_query(),
            self._cogs_events_query(),
        )

    def _revenue_events_query(self):
        """The product lines of posted customer invoices and credit notes."""
        return SQL(
            """
            SELECT aml.id::bigint * 2 AS key,
                   am.company_id,
                   am.commercial_partner_id AS partner_id,
                   am.invoice_date AS day,
                   -aml.balance AS revenue,
                   0::numeric AS cogs,
                   CASE WHEN am.move_type = 'out_invoice' THEN am.id END AS invoice_id
              FROM account_move_line aml
              JOIN account_move am ON am.id = aml.move_id
             WHERE am.state = 'posted'
               AND am.move_type IN ('out_invoice', 'out_refund')
               AND aml.display_type = 'product'
               AND am.commercial_partner_id IS NOT NULL
               AND am.invoice_date IS NOT NULL
            """
        )

    def _cogs_events_query(self):
        """The done deliveries to customers (their value) and returns from
        them (less their value), as stock_account valued them."""
        return SQL(
            """
            SELECT sm.id::bigint * 2 + 1 AS key,
                   sm.company_id,
                   cp.commercial_partner_id AS partner_id,
                   sm.date::date AS day,
                   0::numeric AS revenue,
                   CASE WHEN sm.is_out THEN sm.value ELSE -sm.value END AS cogs,
                   NULL::int AS invoice_id
              FROM stock_move sm
              JOIN stock_location src ON src.id = sm.location_id
              JOIN stock_location dst ON dst.id = sm.location_dest_id
              LEFT JOIN sale_order_line sol ON sol.id = sm.sale_line_id
              LEFT JOIN sale_order so ON so.id = sol.order_id
              LEFT JOIN stock_picking sp ON sp.id = sm.picking_id
              JOIN res_partner cp
                ON cp.id = COALESCE(so.partner_id, sp.partner_id, sm.partner_id)
             WHERE sm.state = 'done'
               AND sm.value IS NOT NULL
               AND ((sm.is_out AND dst.usage = 'customer')
                    OR (sm.is_in AND src.usage = 'customer'))
            """
        )

    def _query(self):
        return SQL(
            """
            WITH events AS (%(events)s)
            SELECT min(e.key) AS id,
                   e.company_id,
                   e.partner_id,
                   p.user_id,
                   date_trunc('month', e.day)::date AS date,
                   c.currency_id,
                   sum(e.revenue) AS revenue,
                   sum(e.cogs) AS cogs,
                   sum(e.revenue) - sum(e.cogs) AS margin,
                   COALESCE(round((100 * (sum(e.revenue) - sum(e.cogs))
                                   / NULLIF(sum(e.revenue), 0))::numeric, 1),
                            0)::float8 AS margin_percent,
                   count(DISTINCT e.invoice_id) AS invoice_count
              FROM events e
              JOIN res_partner p ON p.id = e.partner_id
              JOIN res_company c ON c.id = e.company_id
             GROUP BY e.company_id, e.partner_id, p.user_id,
                      date_trunc('month', e.day), c.currency_id
            """,
            events=self._events_query(),
        )

    def _read_group_select(self, aggregate_spec, query):
        sql = ratio_select(self, aggregate_spec, query, RATIOS)
        if sql is not None:
            return sql
        return super()._read_group_select(aggregate_spec, query)
