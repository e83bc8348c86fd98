# Copyright 2026 crm_relation developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Customer profitability and the Pareto of margins: the report models
against the books (invoices) and the stock valuation, computed here through
the ORM, not through the reports' SQL."""

from collections import defaultdict
from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import AccessError
from odoo.tests import tagged

from odoo.addons.account.tests.common import AccountTestInvoicingCommon

from .common import make_role_users

PROFIT = "crm.relation.profitability.report"
PARETO = "crm.relation.pareto.report"


def cogs_sign(move):
    """+1 for a valued delivery to a customer, -1 for a valued return from
    one, 0 for any other move."""
    if move.state != "done":
        return 0
    if move.is_out and move.location_dest_id.usage == "customer":
        return 1
    if move.is_in and move.location_id.usage == "customer":
        return -1
    return 0


def move_customer(move):
    partner = (
        move.sale_line_id.order_id.partner_id
        or move.picking_id.partner_id
        or move.partner_id
    )
    return partner.commercial_partner_id


@tagged("post_install", "-at_install", "crm_relation")
class TestProfitability(AccountTestInvoicingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        # The test user also manages sales, stock and customer relations.
        cls.env.user.group_ids += (
            cls.env.ref("crm_relation.group_crm_relation_manager")
            + cls.env.ref("sales_team.group_sale_manager")
            + cls.env.ref("stock.group_stock_manager")
        )
        cls.today = fields.Date.context_today(cls.env.user)
        cls.roles = make_role_users(cls.env, portal=True)
        for user in cls.roles.values():
            user.company_ids += cls.company
        cls.goods = cls.env["product.product"].create(
            {
                "name": "Profit Oolong",
                "type": "consu",
                "is_storable": True,
                "list_price": 100.0,
                "invoice_policy": "order",
            }
        )
        cls.goods.with_company(cls.company).standard_price = 40.0

    # -- helpers ------------------------------------------------------------

    def _customer(self, name):
        return self.env["res.partner"].create({"name": name, "customer_rank": 1})

    def _post(self, partner, days_ago, amount, move_type="out_invoice", company=None):
        company = company or self.company
        move = (
            self.env["account.move"]
            .with_company(company)
            .create(
                {
                    "move_type": move_type,
                    "partner_id": partner.id,
                    "invoice_date": self.today - timedelta(days=days_ago),
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "name": "Profit line",
                                "quantity": 1,
                                "price_unit": amount,
                                "tax_ids": [Command.clear()],
                            }
                        )
                    ],
                }
            )
        )
        move.action_post()
        return move

    def _deliver(self, partner, qty):
        """Sell and deliver ``qty`` of the goods to ``partner``."""
        order = self.env["sale.order"].create(
            {
                "partner_id": partner.id,
                "order_line": [
                    Command.create(
                        {"product_id": self.goods.id, "product_uom_qty": qty}
                    )
                ],
            }
        )
        order.action_confirm()
        picking = order.picking_ids
        picking.move_ids.quantity = qty
        picking.move_ids.picked = True
        picking.with_context(skip_backorder=True, skip_sms=True).button_validate()
        self.assertEqual(picking.state, "done")
        return order

    def _return(self, picking, qty):
        wizard = (
            self.env["stock.return.picking"]
            .with_context(active_id=picking.id, active_model="stock.picking")
            .create({"picking_id": picking.id})
        )
        wizard.product_return_moves.quantity = qty
        returned = wizard._create_return()
        returned.move_ids.quantity = qty
        returned.move_ids.picked = True
        returned.with_context(skip_backorder=True, skip_sms=True).button_validate()
        self.assertEqual(returned.state, "done")
        return returned

    def _totals(self, partner, company=None):
        company = company or self.company
        groups = (
            self.env[PROFIT]
            .sudo()
            ._read_group(
                [("partner_id", "=", partner.id), ("company_id", "=", company.id)],
                [],
                ["revenue:sum", "cogs:sum", "margin:sum", "invoice_count:sum"],
            )
        )
        return dict(
            zip(("revenue", "cogs", "margin", "invoices"), groups[0], strict=True)
        )

    # -- the demo against the books -------------------------------------------

    def test_demo_matches_the_books_and_the_stock_valuation(self):
        if not self.env.ref("crm_relation.demo_customer_01", raise_if_not_found=False):
            self.skipTest("demo data not loaded")
        # The demo's Chinese company (the English one has no returns).
        demo = self.env.ref("base.demo_company_cn")
        # Read as the superuser: the test user belongs to its own company.
        env = self.env(su=True)
        expected = defaultdict(lambda: [0.0, 0.0])
        invoice_lines = env["account.move.line"].search(
            [
                ("company_id", "=", demo.id),
                ("parent_state", "=", "posted"),
                ("move_id.move_type", "in", ("out_invoice", "out_refund")),
                ("display_type", "=", "product"),
            ]
        )
        for line in invoice_lines:
            month = line.move_id.invoice_date.replace(day=1)
            key = (line.move_id.commercial_partner_id.id, month)
            expected[key][0] -= line.balance
        moves = env["stock.move"].search(
            [("company_id", "=", demo.id), ("state", "=", "done")]
        )
        returns = 0
        for move in moves:
            sign = cogs_sign(move)
            if not sign:
                continue
            returns += sign < 0
            key = (move_customer(move).id, move.date.date().replace(day=1))
            expected[key][1] += sign * move.value
        self.assertGreaterEqual(returns, 1, "the demo has a return")
        rows = env[PROFIT].search([("company_id", "=", demo.id)])
        got = {
            (row.partner_id.id, row.date): [row.revenue, row.cogs, row.margin]
            for row in rows
        }
        self.assertEqual(set(got), set(expected))
        currency = demo.currency_id
        per_customer = defaultdict(lambda: [0.0, 0.0])
        for key, (revenue, cogs) in expected.items():
            with self.subTest(customer_month=key):
                self.assertTrue(currency.is_zero(got[key][0] - revenue))
                self.assertTrue(currency.is_zero(got[key][1] - cogs))
                self.assertTrue(currency.is_zero(got[key][2] - (revenue - cogs)))
            per_customer[key[0]][0] += revenue
            per_customer[key[0]][1] += cogs
        customers = env["res.partner"].browse(list(per_customer))
        for customer in customers:
            revenue, cogs = per_customer[customer.id]
            totals = self._totals(customer, demo)
            self.assertAlmostEqual(totals["revenue"], revenue, places=2)
            self.assertAlmostEqual(totals["cogs"], cogs, places=2)
            self.assertAlmostEqual(totals["margin"], revenue - cogs, places=2)
        # The demo has costs: most customers have goods delivered at a cost,
        # and the demo company makes money overall.
        with_cost = [c for c in customers if per_customer[c.id][1] > 0]
        self.assertGreater(len(with_cost), len(customers) // 2)
        total_revenue = sum(v[0] for v in per_customer.values())
        total_cogs = sum(v[1] for v in per_customer.values())
        self.assertGreater(total_cogs, 0)
        self.assertGreater(total_revenue, total_cogs)
        # The margin rate of a group is the ratio of its sums.
        [[rate]] = env[PROFIT]._read_group(
            [("company_id", "=", demo.id)], [], ["margin_percent:avg"]
        )
        self.assertAlmostEqual(
            rate, round(100 * (total_revenue - total_cogs) / total_revenue, 1)
        )

    # -- credit notes, returns ----------------------------------------------

    def test_credit_note_reduces_revenue(self):
        customer = self._customer("Refunded Customer")
        self._post(customer, 5, 1000.0)
        self.assertEqual(self._totals(customer)["revenue"], 1000.0)
        self._post(customer, 4, 200.0, move_type="out_refund")
        totals = self._totals(customer)
        self.assertEqual(totals["revenue"], 800.0)
        self.assertEqual(totals["margin"], 800.0)
        self.assertEqual(totals["invoices"], 1, "a credit note is not an invoice")

    def test_return_reduces_cogs(self):
        customer = self._customer("Returning Customer")
        order = self._deliver(customer, 5)
        delivered = order.picking_ids
        self.assertAlmostEqual(delivered.move_ids.value, 200.0)
        self.assertEqual(self._totals(customer)["cogs"], 200.0)
        returned = self._return(delivered, 2)
        self.assertAlmostEqual(returned.move_ids.value, 80.0)
        totals = self._totals(customer)
        self.assertEqual(totals["cogs"], 120.0)
        self.assertEqual(totals["revenue"], 0.0)
        self.assertEqual(totals["margin"], -120.0)
        order._create_invoices().action_post()
        totals = self._totals(customer)
        self.assertEqual(totals["revenue"], 500.0)
        self.assertEqual(totals["margin"], 380.0)
        [row] = self.env[PROFIT].search([("partner_id", "=", customer.id)])
        self.assertEqual(row.margin_percent, 76.0)
        self.assertEqual(row.currency_id, self.company.currency_id)
        self.assertEqual(row.date, self.today.replace(day=1))

    # -- the Pareto -----------------------------------------------------------

    def test_pareto_cumulative_share_and_repeat_rate(self):
        """Five customers of margins 600, 300, 150, 50 and -100 (a credit
        note only): shares 60, 90, 105, 110, 100 of 1,000; the first 20% is
        the first customer; one of the four invoiced customers came back in
        another month: 25% repeat customers."""
        names = ("P-A", "P-B", "P-C", "P-D", "P-E")
        a, b, c, d, e = (self._customer(name) for name in names)
        self._post(a, 100, 400.0)
        self._post(a, 10, 200.0)
        self._post(b, 20, 300.0)
        self._post(c, 30, 150.0)
        self._post(d, 40, 50.0)
        self._post(e, 50, 100.0, move_type="out_refund")
        # Outside the company's window: not counted.
        self._post(d, self.company.rfm_window_days + 5, 5000.0)
        rows = self.env[PARETO].search([("company_id", "=", self.company.id)])
        got = {
            row.partner_id: (
                row.rank,
                row.margin,
                row.cumulative_share,
                row.customer_share,
                row.is_top20,
                row.segment,
            )
            for row in rows
        }
        self.assertEqual(
            got,
            {
                a: (1, 600.0, 60.0, 20.0, True, "top20"),
                b: (2, 300.0, 90.0, 40.0, False, "rest"),
                c: (3, 150.0, 105.0, 60.0, False, "rest"),
                d: (4, 50.0, 110.0, 80.0, False, "rest"),
                e: (5, -100.0, 100.0, 100.0, False, "rest"),
            },
        )
        self.assertEqual(rows.filtered(lambda r: r.partner_id == a).margin_share, 60.0)
        self.assertEqual(
            {r.partner_id: r.invoice_months for r in rows},
            {a: 2, b: 1, c: 1, d: 1, e: 0},
        )
        [[buyers, repeats, rate]] = self.env[PARETO]._read_group(
            [("company_id", "=", self.company.id)],
            [],
            ["buyer_count:sum", "repeat_count:sum", "repeat_rate:avg"],
        )
        self.assertEqual((buyers, repeats, rate), (4, 1, 25.0))
        # Ten customers: the first two are the top 20%.
        for index in range(5):
            self._post(self._customer(f"P-F{index}"), 60, 10.0 + index)
        rows = self.env[PARETO].search(
            [("company_id", "=", self.company.id), ("is_top20", "=", True)]
        )
        self.assertEqual(rows.partner_id, a | b)

    # -- M on the gross margin ------------------------------------------------

    def test_monetary_scored_on_margin(self):
        """With the option, the amount RFM scores is the margin: the invoiced
        amount less the stock valuation of the goods delivered in the window,
        returns deducted; without it, the amount."""
        customer = self._customer("Margin-scored Customer")
        order = self._deliver(customer, 10)  # 10 x 40 = 400 of cost
        self._return(order.picking_ids, 1)  # 40 back
        self._post(customer, 2, 1000.0)
        self.company.rfm_monetary_basis = "total"
        engine = self.env["crm.relation.rfm.engine"]

        def monetary():
            engine.evaluate(self.company.id, partner_ids=customer.ids)
            return customer.with_company(self.company).rfm_monetary

        self.assertEqual(monetary(), 1000.0)
        self.company.rfm_monetary_margin = True
        self.assertEqual(monetary(), 640.0)
        totals = self._totals(customer)
        self.assertEqual(totals["margin"], 640.0)
        # The VIP rules read the facts' amount: what the customer bought,
        # not the margin.
        day = fields.Date.context_today(engine)
        [[row]] = list(
            engine.with_company(self.company)._facts_batches(
                self.company, day - timedelta(days=365), day, customer
            )
        )
        self.assertEqual(float(row[3]), 1000.0)
        self.assertEqual(float(row[12]), 360.0)

    # -- companies and access -------------------------------------------------

    def test_companies_are_kept_apart(self):
        other = self.setup_other_company(name="Profit Two")["company"]
        customer = self._customer("Customer of Two Companies")
        self._post(customer, 3, 700.0)
        self._post(customer, 3, 300.0, company=other)
        self.assertEqual(self._totals(customer)["revenue"], 700.0)
        self.assertEqual(self._totals(customer, other)["revenue"], 300.0)
        pareto = self.env[PARETO].sudo().search([("partner_id", "=", customer.id)])
        self.assertEqual(len(pareto), 2)
        self.assertEqual(
            {(r.company_id, r.rank, r.cumulative_share) for r in pareto},
            {(self.company, 1, 100.0), (other, 1, 100.0)},
        )
        manager = self.roles["manager"]
        manager.write(
            {
                "company_ids": [Command.set(self.company.ids)],
                "company_id": self.company.id,
            }
        )
        for model in (PROFIT, PARETO):
            with self.subTest(model=model):
                seen = (
                    self.env[model]
                    .with_user(manager)
                    .search([("partner_id", "=", customer.id)])
                )
                self.assertEqual(seen.company_id, self.company)
                # Even when asked for, the other company's rows stay hidden.
                self.assertFalse(
                    self.env[model]
                    .with_user(manager)
                    .search([("company_id", "=", other.id)])
                )

    def test_access_per_group(self):
        customer = self._customer("Access Customer")
        self._post(customer, 2, 100.0)
        for model in (PROFIT, PARETO):
            for role in ("manager", "auditor"):
                with self.subTest(model=model, role=role):
                    records = self.env[model].with_user(self.roles[role])
                    row = records.search([("partner_id", "=", customer.id)])
                    self.assertEqual(len(row), 1)
                    row.read(["margin"])
                    with self.assertRaises(AccessError):
                        row.write({"margin": 1.0})
                    with self.assertRaises(AccessError):
                        row.unlink()
                    with self.assertRaises(AccessError):
                        records.create({"margin": 1.0})
            for role in ("user", "integration", "outsider", "portal"):
                with self.subTest(model=model, role=role):
                    with self.assertRaises(AccessError):
                        self.env[model].with_user(self.roles[role]).search_count([])
