# Copyright 2026 crm_relation developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models
from odoo.tools import SQL

from .sql_view import replace_view


class CrmRelationVisitWeekReport(models.Model):
    """Each account manager's week (seed 000, L21-36: deals closed, new
    customers, visits done), one row per account manager, company and
    Saturday-to-Friday week: what the Monday report sends to the sales
    manager.

    Deals are confirmed orders, dated in the account manager's own time zone
    (their order date is kept in UTC); a new customer is one whose company
    had no confirmed order before the week, in the same local days. Visits
    count on the day they were done.
    """

    _name = "crm.relation.visit.week.report"
    _description = "Weekly Visit Report"
    _auto = False
    _rec_name = "date"
    _order = "date desc, user_id"
    _depends = {
        "sale.order": [
            "user_id",
            "company_id",
            "partner_id",
            "state",
            "date_order",
            "amount_untaxed",
            "currency_rate",
        ],
        "res.partner": ["commercial_partner_id", "tz"],
        "res.users": ["partner_id"],
        "res.company": ["currency_id"],
        "crm.relation.visit": ["user_id", "company_id", "state", "done_date"],
    }

    date = fields.Date(
        "Week From", readonly=True, help="The Saturday the week starts on."
    )
    user_id = fields.Many2one("res.users", "Account Manager", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    order_count = fields.Integer("Deals Closed", readonly=True)
    amount = fields.Monetary(
        "Deal Amount",
        readonly=True,
        help="The deals' untaxed amount, in the company's currency.",
    )
    new_customer_count = fields.Integer(
        "New Customers",
        readonly=True,
        help="Customers whose first confirmed order in the company is one of "
        "the week's deals.",
    )
    visit_done_count = fields.Integer("Visits Done", readonly=True)

    def init(self):
        replace_view(self)

    @staticmethod
    def _week_start(day):
        """The Saturday opening the week of ``day`` (an SQL date)."""
        return SQL("(%s - (EXTRACT(ISODOW FROM %s)::int + 1) %% 7)", day, day)

    def _query(self):
        """Deals and visits done, one row each, summed per account manager,
        company and week. A row's id is the smallest of its events' keys
        (twice the order's id, twice the visit's plus one): the same from one
        query to the next while the data stays."""
        local_day = SQL(
            "(so.date_order AT TIME ZONE 'UTC' "
            "AT TIME ZONE COALESCE(up.tz, 'UTC'))::date"
        )
        return SQL(
            """
            WITH deals AS (
                SELECT so.id, so.user_id, so.company_id,
                       so.amount_untaxed / NULLIF(so.currency_rate, 0) AS amount,
                       p.commercial_partner_id,
                       COALESCE(up.tz, 'UTC') AS tz,
                       %(deal_week)s AS week
                  FROM sale_order so
                  JOIN res_partner p ON p.id = so.partner_id
                  JOIN res_users u ON u.id = so.user_id
                  JOIN res_partner up ON up.id = u.partner_id
                 WHERE so.state = 'sale'
            ), events AS (
                SELECT d.id::bigint * 2 AS key, d.user_id, d.company_id, d.week,
                       1 AS deal, d.amount,
                       CASE WHEN NOT EXISTS (
                           SELECT 1
                             FROM sale_order old
                             JOIN res_partner op ON op.id = old.partner_id
                            WHERE old.state = 'sale'
                              AND old.company_id = d.company_id
                              AND op.commercial_partner_id = d.commercial_partner_id
                              -- before the week in the account manager's own
                              -- days, as the deals are counted
                              AND (old.date_order AT TIME ZONE 'UTC'
                                   AT TIME ZONE d.tz)::date < d.week
                       ) THEN d.commercial_partner_id END AS new_customer_id,
                       0 AS visit_done
                  FROM deals d
                UNION ALL
                SELECT v.id::bigint * 2 + 1, v.user_id, v.company_id,
                       %(visit_week)s, 0, NULL, NULL, 1
                  FROM crm_relation_visit v
                 WHERE v.state = 'done' AND v.done_date IS NOT NULL
            )
            SELECT min(e.key) AS id,
                   e.user_id,
                   e.company_id,
                   e.week AS date,
                   c.currency_id,
                   sum(e.deal) AS order_count,
                   COALESCE(sum(e.amount), 0) AS amount,
                   count(DISTINCT e.new_customer_id) AS new_customer_count,
                   sum(e.visit_done) AS visit_done_count
              FROM events e
              JOIN res_company c ON c.id = e.company_id
             GROUP BY e.user_id, e.company_id, e.week, c.currency_id
            """,
            deal_week=self._week_start(local_day),
            visit_week=self._week_start(SQL("v.done_date")),
        )
