# Copyright 2026 crm_relation developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import re
from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import fields
from odoo.tests import TransactionCase, tagged

from ..logic import rfm

HAN = re.compile(r"[\u4e00-\u9fff]")


@tagged("post_install", "-at_install", "crm_relation")
class TestDemoData(TransactionCase):
    """The demo is worth opening: enough customers, 18 months of books, and
    every tier and status of the default scoring has members."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if not cls.env.ref("crm_relation.demo_customer_01", raise_if_not_found=False):
            cls.skipTest(cls, "demo data not loaded")
        cls.customers = cls.env["res.partner"].browse(
            cls.env["ir.model.data"]
            .search(
                [
                    ("module", "=", "crm_relation"),
                    ("model", "=", "res.partner"),
                    ("name", "=like", "demo_customer___"),
                ]
            )
            .mapped("res_id")
        )
        cls.today = fields.Date.context_today(cls.env.user)

    def test_customers(self):
        self.assertGreaterEqual(len(self.customers), 60)
        self.assertTrue(self.customers.filtered("is_company"))
        self.assertTrue(self.customers.filtered(lambda p: not p.is_company))
        self.assertTrue(self.customers.filtered(lambda p: HAN.search(p.name)))
        self.assertTrue(self.customers.filtered(lambda p: not HAN.search(p.name)))
        self.assertTrue(self.customers.child_ids, "some companies have contacts")

    def test_eighteen_months_of_books(self):
        domain = [("partner_id.commercial_partner_id", "in", self.customers.ids)]
        orders = self.env["sale.order"].search(domain + [("state", "=", "sale")])
        oldest = min(orders.mapped("date_order")).date()
        self.assertLessEqual(oldest, self.today - relativedelta(months=17))
        self.assertGreaterEqual(
            max(orders.mapped("date_order")).date(), self.today - timedelta(days=10)
        )
        moves = self.env["account.move"].search(domain + [("state", "=", "posted")])
        self.assertGreater(
            len(moves.filtered(lambda m: m.move_type == "out_invoice")), 150
        )
        refunds = moves.filtered(lambda m: m.move_type == "out_refund")
        self.assertGreaterEqual(len(refunds), 5)
        self.assertTrue(all(refunds.mapped("reversed_entry_id")))
        # Orders placed by a company's contact are booked on the contact.
        self.assertTrue(orders.filtered(lambda o: o.partner_id.parent_id))

    def test_every_tier_and_status_has_members(self):
        """Score the demo with the default bands on the posted books."""
        company = self.env.ref("base.demo_company_cn")
        cny = self.env.ref("base.CNY")
        start = rfm.window_start(self.today)
        invoice_domain = [
            ("state", "=", "posted"),
            ("move_type", "in", ("out_invoice", "out_refund")),
            ("company_id", "=", company.id),
            ("commercial_partner_id", "in", self.customers.ids),
        ]
        Move = self.env["account.move"]
        inside = {
            partner.id: (count, last, amount)
            for partner, count, last, amount in Move._read_group(
                invoice_domain
                + [("invoice_date", ">=", start), ("move_type", "=", "out_invoice")],
                ["commercial_partner_id"],
                ["__count", "invoice_date:max", "amount_untaxed_signed:sum"],
            )
        }
        refunds = dict(
            Move._read_group(
                invoice_domain
                + [("invoice_date", ">=", start), ("move_type", "=", "out_refund")],
                ["commercial_partner_id"],
                ["amount_untaxed_signed:sum"],
            )
        )
        firsts = dict(
            Move._read_group(
                invoice_domain + [("move_type", "=", "out_invoice")],
                ["commercial_partner_id"],
                ["invoice_date:min"],
            )
        )
        open_orders = dict(
            self.env["sale.order"]._read_group(
                [
                    ("state", "=", "sale"),
                    ("company_id", "=", company.id),
                    ("invoice_ids", "=", False),
                    ("date_order", ">=", start),
                    ("partner_id.commercial_partner_id", "in", self.customers.ids),
                ],
                ["partner_id"],
                ["__count"],
            )
        )
        scoring = rfm.Scoring.default()
        tiers, statuses = set(), set()
        for partner in self.customers:
            count, last, amount = inside.get(partner.id, (0, None, 0.0))
            amount += refunds.get(partner) or 0.0
            net_cny = company.currency_id._convert(amount, cny, company, self.today)
            first = firsts.get(partner)
            tier = None
            if count:
                result = rfm.evaluate(
                    scoring, (self.today - last).days, count, net_cny, net_cny / count
                )
                tier = result.tier
            customer = partner.with_company(company)
            status = rfm.customer_status(
                blocked=customer.relation_blocked,
                invoices_in_window=count,
                invoices_before_window=int(bool(first and first < start)),
                orders_in_window=open_orders.get(partner, 0),
                first_invoice_date=first,
                window_start=start,
                # The demo evaluated three months back, then today.
                previous_evaluation=self.today - timedelta(days=90),
            )
            tiers.add(tier)
            statuses.add(status)
            with self.subTest(customer=partner.name):
                # The addon's evaluation agrees with this independent one.
                self.assertEqual(customer.relation_tier_id.code or None, tier)
                self.assertEqual(customer.relation_status, status)
        self.assertEqual(tiers - {None}, {"P", "G", "S", "B"})
        self.assertEqual(statuses, set(rfm.STATUSES))

    def test_demo_shows_tier_movement_and_warnings(self):
        history = self.env["crm.relation.tier.history"].search(
            [("partner_id", "in", self.customers.ids)]
        )
        self.assertEqual(set(history.mapped("movement")), {"up", "down", "same"})
        self.assertTrue(history.filtered("is_warning"))

    def test_vip_lifecycle_is_under_way(self):
        vips = self.env["crm.relation.vip"].search(
            [("partner_id", "in", self.customers.ids)]
        )
        states = vips.mapped("state")
        self.assertEqual(states.count("active"), 3)
        self.assertEqual(states.count("invited"), 1)
        self.assertGreaterEqual(states.count("candidate"), 2)
        active = vips.filtered(lambda v: v.state == "active")
        self.assertTrue(all(v.card_number for v in active))
        soon = active.filtered(lambda v: v.date_end <= self.today + timedelta(days=30))
        self.assertEqual(len(soon), 1, "one card is about to expire")
        self.assertTrue(
            active.partner_id.with_company(vips.company_id[:1]).mapped(
                "relation_is_vip"
            )
        )

    def test_visits_are_under_way(self):
        """Visits of every state, last week's schedules approved and reported,
        this week's submitted."""
        visits = self.env["crm.relation.visit"].search(
            [("partner_id", "in", self.customers.ids)]
        )
        self.assertEqual(
            set(visits.mapped("state")), {"planned", "done", "missed"}, visits
        )
        self.assertTrue(visits.filtered("supervisor_comment"))
        weeks = visits.week_id
        self.assertIn("approved", weeks.mapped("state"))
        self.assertIn("submitted", weeks.mapped("state"))
        reported = weeks.filtered("report_sent_date")
        self.assertTrue(reported)
        self.assertTrue(sum(reported.mapped("report_done_count")))


@tagged("post_install", "-at_install", "crm_relation")
class TestChineseDemo(TransactionCase):
    """The demo lives in a Chinese company, in yuan, with l10n_cn's chart and
    Chinese users; an English-speaking company in dollars sits beside it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if not cls.env.ref("crm_relation.demo_customer_01", raise_if_not_found=False):
            cls.skipTest(cls, "demo data not loaded")
        cls.china = cls.env.ref("base.demo_company_cn")
        cls.english = cls.env.ref("base.main_company")
        cls.cny = cls.env.ref("base.CNY")
        cls.today = fields.Date.context_today(cls.env.user)

    def test_chinese_company(self):
        china = self.china
        self.assertTrue(HAN.search(china.name), china.name)
        self.assertEqual(china.currency_id, self.cny)
        self.assertEqual(china.country_id, self.env.ref("base.cn"))
        self.assertEqual(china.partner_id.tz, "Asia/Shanghai")
        # China's chart of accounts (small business standard), from l10n_cn.
        self.assertEqual(china.chart_template, "cn")
        # The chart's accounts carry its template's ids: 5001 主营业务收入.
        sales = self.env.ref(f"account.{china.id}_l10n_cn_account_5001")
        self.assertIn(china, sales.company_ids)
        self.assertEqual(china.income_account_id, sales)

    def test_the_demo_books_are_in_the_chinese_company(self):
        customers = self.env.ref("crm_relation.demo_customer_01") | self.env.ref(
            "crm_relation.demo_customer_64"
        )
        self.assertEqual(customers.company_id, self.china)
        orders = self.env["sale.order"].search(
            [("partner_id.commercial_partner_id", "in", customers.ids)]
        )
        self.assertTrue(orders)
        self.assertEqual(orders.company_id, self.china)
        self.assertEqual(orders.currency_id, self.cny)
        visits = self.env["crm.relation.visit"].search(
            [("partner_id", "in", self._demo_customers().ids)]
        )
        self.assertTrue(visits)
        self.assertEqual(visits.company_id, self.china)
        self.assertEqual(
            self.env.ref("crm_relation.demo_care_rule_dry_skin").company_id, self.china
        )
        self.assertTrue(
            self.env["crm.relation.care.rule"].search(
                [("company_id", "=", self.china.id), ("kind", "=", "birthday")]
            ),
            "the Chinese company has its own care rules",
        )

    def test_chinese_users_work_in_chinese(self):
        self.assertTrue(self.env["res.lang"]._lang_get("zh_CN").active)
        for login in ("crm_user", "crm_manager", "crm_auditor", "admin"):
            user = self.env["res.users"].search([("login", "=", login)])
            with self.subTest(login=login):
                self.assertEqual(user.lang, "zh_CN")
                self.assertEqual(user.tz, "Asia/Shanghai")
                self.assertEqual(user.company_id, self.china)
        integration = self.env.ref("crm_relation.demo_user_crm_integration")
        self.assertEqual(integration.company_id, self.china)
        admin = self.env.ref("base.user_admin")
        self.assertIn(self.english, admin.company_ids)

    def test_chinese_users_see_only_the_chinese_company(self):
        user = self.env.ref("crm_relation.demo_user_crm_user")
        self.assertEqual(user.company_ids, self.china)
        us_customer = self.env.ref("crm_relation.demo_us_customer_1")
        Partner = self.env["res.partner"].with_user(user)
        self.assertFalse(Partner.search([("id", "=", us_customer.id)]))
        self.assertTrue(
            Partner.search(
                [("id", "=", self.env.ref("crm_relation.demo_customer_04").id)]
            )
        )
        self.assertFalse(
            self.env["sale.order"]
            .with_user(user)
            .search([("company_id", "=", self.english.id)])
        )

    def test_bands_are_plain_yuan_in_the_chinese_company(self):
        """The Chinese company's monetary bands read its own amounts, with no
        conversion; the English company's amounts are converted to yuan."""
        table = self.china._crm_relation_band_table("monetary")
        self.assertEqual(
            [(float(b.lower), b.score) for b in table.bands],
            [(float(low), score) for low, _high, score in rfm.DEFAULT_MONETARY_BANDS],
        )
        scored = (
            self.env["res.partner"]
            .with_company(self.china)
            .search(
                [("id", "in", self._demo_customers().ids), ("rfm_frequency", ">", 0)]
            )
        )
        self.assertGreater(len(scored), 20)
        self.assertGreater(len(set(scored.mapped("rfm_m_score"))), 2)
        for partner in scored:
            with self.subTest(customer=partner.name):
                self.assertEqual(
                    partner.rfm_m_score, table.score(partner.rfm_avg_order) or 0
                )
        # The English company books dollars at the demo's rate (7.10 yuan a
        # dollar): its M score reads the amount in yuan.
        usd = self.english.currency_id
        self.assertEqual(usd, self.env.ref("base.USD"))
        self.assertAlmostEqual(
            usd._convert(1.0, self.cny, self.english, self.today, round=False), 7.10
        )
        self.assertAlmostEqual(
            self.cny._convert(7.10, usd, self.china, self.today, round=False), 1.0
        )
        english_table = self.english._crm_relation_band_table("monetary")
        buyers = (
            self.env["res.partner"]
            .with_company(self.english)
            .search(
                [
                    ("id", "in", self._us_customers().ids),
                    ("rfm_frequency", ">", 0),
                ]
            )
        )
        self.assertEqual(len(buyers), 4)
        self.assertTrue(buyers.relation_tier_id)
        for partner in buyers:
            with self.subTest(customer=partner.name):
                self.assertEqual(
                    partner.rfm_m_score,
                    english_table.score(partner.rfm_avg_order * 7.10) or 0,
                )

    def _demo_customers(self):
        return self.env["res.partner"].browse(
            self.env["ir.model.data"]
            .search(
                [
                    ("module", "=", "crm_relation"),
                    ("model", "=", "res.partner"),
                    ("name", "=like", "demo_customer___"),
                ]
            )
            .mapped("res_id")
        )

    def _us_customers(self):
        return self.env["res.partner"].concat(
            *(self.env.ref(f"crm_relation.demo_us_customer_{i}") for i in range(1, 5))
        )
