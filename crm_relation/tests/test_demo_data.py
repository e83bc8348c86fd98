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
        company = self.env.company
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
