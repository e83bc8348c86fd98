# Copyright 2026 crm_relation developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta
from unittest.mock import patch

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from .invoicing_case import CNY_PER_UNIT, TODAY, InvoicingCase


@tagged("post_install", "-at_install", "crm_relation")
class TestRfm(InvoicingCase):
    # -- scoring --------------------------------------------------------------

    def test_cny_conversion_rate_of_these_tests(self):
        rate = self.company.currency_id._get_conversion_rate(
            self.company.currency_id, self.cny, self.company, TODAY
        )
        self.assertAlmostEqual(rate, CNY_PER_UNIT)

    def test_seed_worked_example(self):
        """Seed 003: two months ago, five purchases of about 300 CNY: S."""
        partner = self._customer()
        for days in (61, 120, 180, 240, 300):
            self._invoice(partner, days, 300)
        self._evaluate(partner)
        p = self._in(partner)
        self.assertEqual((p.rfm_r_score, p.rfm_f_score, p.rfm_m_score), (4, 4, 2))
        self.assertEqual(p.rfm_score, 24)
        self.assertEqual(p.relation_tier_id, self.env.ref("crm_relation.tier_s"))
        self.assertEqual(p.rfm_frequency, 5)
        # The day is stored; the days since it are counted when read.
        self.assertEqual(p.rfm_last_purchase_date, TODAY - timedelta(days=61))
        today = fields.Date.context_today(p)
        self.assertEqual(p.rfm_recency_days, (today - TODAY).days + 61)
        self.assertAlmostEqual(p.rfm_monetary, 1500 / CNY_PER_UNIT)
        self.assertAlmostEqual(p.rfm_avg_order, 300 / CNY_PER_UNIT)

    def test_band_edges(self):
        cases = {
            # name: (invoices as (days_ago, cny), expected (R, F, M))
            "r30": ([(30, 100)], (5, 1, 1)),
            "r31": ([(31, 100)], (4, 1, 1)),
            "r91": ([(91, 100)], (4, 1, 1)),
            "r92": ([(92, 100)], (3, 1, 1)),
            "r213": ([(213, 100)], (2, 1, 1)),
            "r214": ([(214, 100)], (1, 1, 1)),
            "r364": ([(364, 100)], (1, 1, 1)),
            "m299.50": ([(10, 299.50)], (5, 1, 1)),
            "m300": ([(10, 300)], (5, 1, 2)),
            "m999.95": ([(10, 999.95)], (5, 1, 3)),
            "m1000": ([(10, 1000)], (5, 1, 4)),
            "m2000": ([(10, 2000)], (5, 1, 5)),
            "f5": ([(d, 100) for d in (1, 2, 3, 4, 5)], (5, 4, 1)),
            "f6": ([(d, 100) for d in (1, 2, 3, 4, 5, 6)], (5, 5, 1)),
        }
        partners = {}
        for name, (invoices, _expected) in cases.items():
            partners[name] = self._customer(name)
            for days, cny in invoices:
                self._invoice(partners[name], days, cny)
        self._evaluate()
        for name, (_invoices, expected) in cases.items():
            with self.subTest(case=name):
                p = self._in(partners[name])
                self.assertEqual(
                    (p.rfm_r_score, p.rfm_f_score, p.rfm_m_score), expected
                )

    def test_weights_and_monetary_basis(self):
        partner = self._customer()
        for days in (61, 120, 180, 240, 300):
            self._invoice(partner, days, 300)
        self.company.write({"rfm_weight_recency": 2, "rfm_weight_frequency": 2})
        self._evaluate(partner)
        self.assertEqual(self._in(partner).rfm_score, 2 * 4 + 2 * 4 + 4 * 2)
        self.company.rfm_monetary_basis = "total"  # 1500 CNY: M4
        self._evaluate(partner)
        self.assertEqual(self._in(partner).rfm_m_score, 4)

    def test_days_since_the_last_purchase_are_searched_on_its_day(self):
        partner = self._customer()
        self._invoice(partner, 61, 300)
        self._evaluate(partner)
        days = self._in(partner).rfm_recency_days
        Partner = self.env["res.partner"].with_company(self.company)
        for domain, found in (
            ([("rfm_recency_days", "=", days)], True),
            ([("rfm_recency_days", ">=", days)], True),
            ([("rfm_recency_days", ">", days)], False),
            ([("rfm_recency_days", "<", days)], False),
            ([("rfm_recency_days", "<=", days)], True),
            ([("rfm_recency_days", "in", [days, days + 1])], True),
            ([("rfm_recency_days", "!=", days)], False),
        ):
            with self.subTest(domain=domain):
                self.assertEqual(
                    partner in Partner.search(domain + [("id", "=", partner.id)]),
                    found,
                )

    def test_re_evaluation_writes_only_what_changed(self):
        """A whole-company re-evaluation the same day writes no customer,
        no history and no audit entry; the next day, with nothing bought, a
        customer whose figures do not drift is not written either."""
        partner = self._customer()
        self._invoice(partner, 10, 300)
        self._evaluate(partner)
        stamp = self._in(partner).rfm_evaluated_at
        self._evaluate()
        History = self.env["crm.relation.tier.history"].sudo()
        audit = self.env["crm.relation.audit"].sudo()
        before = (History.search_count([]), audit.search_count([]))
        result = self._evaluate()
        self.assertGreater(result["evaluated"], 1)
        self.assertEqual((result["changed"], result["written"]), (0, 0))
        self.assertEqual((History.search_count([]), audit.search_count([])), before)
        result = self._evaluate(when=TODAY + timedelta(days=1))
        self.assertLess(result["written"], result["evaluated"])
        self.assertEqual(History.search_count([]), before[0] + result["changed"])
        self.assertLessEqual(audit.search_count([]), before[1] + 1)
        self.env.invalidate_all()
        self.assertEqual(self._in(partner).rfm_evaluated_at, stamp)
        self.assertEqual(
            self._in(partner).rfm_last_purchase_date, TODAY - timedelta(days=10)
        )
        # A partial evaluation (a sync, a block) stamps what it evaluates.
        self._evaluate(partner, when=TODAY + timedelta(days=2))
        self.env.invalidate_all()
        self.assertGreater(self._in(partner).rfm_evaluated_at, stamp)

    def test_statuses(self):
        prospect = self._customer("prospect")
        new = self._customer("new")
        self._invoice(new, 20, 500)
        active = self._customer("active")
        self._invoice(active, 500, 500)
        self._invoice(active, 20, 500)
        dormant = self._customer("dormant")
        self._invoice(dormant, 400, 500)
        no_sale = self._customer("no_sale")
        order = self.env["sale.order"].create(
            {
                "partner_id": no_sale.id,
                "company_id": self.company.id,
                "order_line": [Command.create({"product_id": self.product_a.id})],
            }
        )
        order.action_confirm()
        order.date_order = TODAY - timedelta(days=10)
        self._evaluate()
        expected = {
            prospect: "prospect",
            new: "new",
            active: "active",
            dormant: "dormant",
            no_sale: "no_sale",
        }
        for partner, status in expected.items():
            with self.subTest(status=status):
                self.assertEqual(self._in(partner).relation_status, status)
        self.assertFalse(self._in(dormant).relation_tier_id)
        # Evaluated once as a buyer, a new customer is no longer new.
        self._evaluate(new, when=TODAY + timedelta(days=1))
        self.assertEqual(self._in(new).relation_status, "active")

    def test_blocked_customer(self):
        partner = self._customer()
        self._invoice(partner, 20, 500)
        wizard = (
            self.env["crm.relation.block.wizard"]
            .with_user(self.manager)
            .with_context(active_model="res.partner", active_ids=partner.ids)
            .create({"reason": "Malicious orders"})
        )
        wizard.action_apply()
        p = self._in(partner)
        self.assertTrue(p.relation_blocked)
        self.assertEqual(p.relation_status, "blocked")
        self.assertEqual(p.relation_block_reason, "Malicious orders")
        order = self.env["sale.order"].create(
            {
                "partner_id": partner.id,
                "company_id": self.company.id,
                "order_line": [Command.create({"product_id": self.product_a.id})],
            }
        )
        with self.assertRaisesRegex(UserError, "Malicious orders"):
            order.action_confirm()
        self.assertEqual(order.state, "draft")
        with self.assertRaises(AccessError):
            self.env["crm.relation.block.wizard"].with_user(self.user).create(
                {"partner_ids": [Command.set(partner.ids)], "reason": "x"}
            ).action_apply()

    def test_credit_notes_net_the_amount(self):
        partner = self._customer()
        self._invoice(partner, 30, 1000, qty=4)
        self._invoice(partner, 25, 400, qty=1, refund=True)
        self._evaluate(partner)
        p = self._in(partner)
        self.assertEqual(p.rfm_frequency, 1, "a credit note is not a purchase")
        self.assertAlmostEqual(p.rfm_monetary, 600 / CNY_PER_UNIT)
        self.assertEqual(p.rfm_m_score, 3)
        self.assertEqual(p.rfm_item_count, 3)

    def test_foreign_currency_invoice(self):
        """Amounts are taken in the company currency, then as CNY."""
        eur = self.setup_other_currency("EUR", rates=[("2016-01-01", 2.0)])
        partner = self._customer()
        # 1000 EUR = 500 company units = 2500 CNY.
        move = self._invoice(partner, 10, 1000 * CNY_PER_UNIT, currency=eur)
        self.assertAlmostEqual(move.amount_untaxed_signed, 500)
        self._evaluate(partner)
        p = self._in(partner)
        self.assertAlmostEqual(p.rfm_monetary, 500)
        self.assertEqual(p.rfm_m_score, 5)

    def test_contacts_roll_up_to_their_company(self):
        company = self._customer("Acme", is_company=True)
        contact = self.env["res.partner"].create(
            {"name": "Buyer", "parent_id": company.id}
        )
        self._invoice(contact, 10, 300)
        self._invoice(company, 20, 300)
        self._evaluate(contact)
        self.assertEqual(self._in(company).rfm_frequency, 2)
        self.assertFalse(self._in(contact).relation_status)

    def test_companies_are_independent(self):
        other = self.setup_other_company()["company"]
        partner = self._customer()
        for days in (5, 10, 15, 20, 25, 30):
            self._invoice(partner, days, 3000)
        self._invoice(partner, 200, 100, company=other)
        self._evaluate(partner)
        self._evaluate(partner, company=other)
        self.assertEqual(self._in(partner).relation_tier_id.code, "P")
        self.assertEqual(self._in(partner, other).rfm_frequency, 1)
        self.assertEqual(self._in(partner, other).relation_tier_id.code, "B")
        self.assertEqual(self._in(partner).rfm_frequency, 6)

    def test_scoring_on_sale_orders(self):
        self.company.rfm_source = "sale_order"
        partner = self._customer()
        for days in (61, 120, 180, 240, 300):
            order = self.env["sale.order"].create(
                {
                    "partner_id": partner.id,
                    "company_id": self.company.id,
                    "order_line": [
                        Command.create(
                            {
                                "product_id": self.product_a.id,
                                "product_uom_qty": 2,
                                "price_unit": 150 / CNY_PER_UNIT,
                                "tax_ids": [Command.clear()],
                            }
                        )
                    ],
                }
            )
            order.action_confirm()
            order.date_order = TODAY - timedelta(days=days)
        self._evaluate(partner)
        p = self._in(partner)
        self.assertEqual((p.rfm_r_score, p.rfm_f_score, p.rfm_m_score), (4, 4, 2))
        self.assertEqual(p.rfm_item_count, 10)

    # -- history and warnings ---------------------------------------------------

    def test_history_downgrade_and_dormant_warnings(self):
        partner = self._customer()
        for days in (5, 10, 15, 20, 25, 30):
            self._invoice(partner, days, 1500)  # R5 F5 M4: 36, P
        self._evaluate(partner, trigger="scheduled")
        history = partner.relation_tier_history_ids
        self.assertEqual(len(history), 1)
        self.assertEqual(history.new_tier_id.code, "P")
        self.assertEqual((history.trigger, history.movement), ("scheduled", "up"))
        self.assertFalse(history.is_warning)
        # Evaluated again: no longer new but active, same tier.
        self._evaluate(partner)
        again = partner.relation_tier_history_ids.sorted("id")[-1]
        self.assertEqual((again.new_status, again.movement), ("active", "same"))
        # Same figures: no new history line.
        self._evaluate(partner)
        self.assertEqual(len(partner.relation_tier_history_ids), 2)
        # Four months later, recency drops to R2: 33, P -> G, a downgrade.
        self._evaluate(partner, when=TODAY + timedelta(days=120))
        down = partner.relation_tier_history_ids.sorted("id")[-1]
        self.assertEqual((down.old_tier_id.code, down.new_tier_id.code), ("P", "G"))
        self.assertEqual(down.movement, "down")
        self.assertTrue(down.is_warning)
        activity = self.env["mail.activity"].search(
            [("res_model", "=", "res.partner"), ("res_id", "=", partner.id)]
        )
        self.assertEqual(activity.user_id, self.manager)
        # Over a year later: dormant, a high-value customer lost.
        self._evaluate(partner, when=TODAY + timedelta(days=400))
        last = partner.relation_tier_history_ids.sorted("id")[-1]
        self.assertEqual(last.new_status, "dormant")
        self.assertTrue(last.is_warning)
        self.assertIn("dormant", last.warning_reason)

    def test_evaluation_in_batches_evaluates_each_customer_once(self):
        """Read back two customers at a time, five customers are each scored,
        recorded in the history and audited once, with their own figures."""
        partners = self.env["res.partner"]
        for n in range(5):
            partners |= self._customer(f"Batch customer {n}")
            for days in range(n + 1):
                self._invoice(partners[-1], 10 + days, 500)
        audit = self.env["crm.relation.audit"].sudo()
        with patch.object(type(self.engine), "BATCH", 2):
            result = self._evaluate(partners)
        self.assertEqual((result["evaluated"], result["changed"]), (5, 5))
        for n, partner in enumerate(partners):
            self.assertEqual(self._in(partner).rfm_frequency, n + 1)
            self.assertAlmostEqual(
                self._in(partner).rfm_monetary, 500 * (n + 1) / CNY_PER_UNIT
            )
            self.assertEqual(len(partner.relation_tier_history_ids), 1)
            self.assertFalse(
                audit.search_count(
                    [("model", "=", "res.partner"), ("res_id", "=", partner.id)]
                ),
                "the history is sealed by the evaluation's entry, not repeated",
            )
        # One entry for the evaluation, whatever the batches: it seals the
        # five rows.
        entry = partners.relation_tier_history_ids.audit_id
        self.assertEqual(len(entry), 1)
        self.assertEqual(entry.new_value.split()[0], "5")

    def test_cron_evaluates_every_company(self):
        partner = self._customer()
        self._invoice(partner, 10, 500)
        self.env["res.partner"]._cron_evaluate_rfm()
        history = partner.sudo().relation_tier_history_ids
        self.assertEqual(history.company_id, self.env["res.company"].sudo().search([]))
        here = history.filtered(lambda h: h.company_id == self.company)
        self.assertEqual((here.trigger, here.new_status), ("scheduled", "new"))
        # Elsewhere the shared customer never bought: a prospect.
        self.assertEqual(set((history - here).mapped("new_status")), {"prospect"})

    # -- configuration and access ----------------------------------------------

    def test_invalid_band_tables_are_refused(self):
        bands = self.env["crm.relation.rfm.band"].search(
            [("company_id", "=", self.company.id), ("dimension", "=", "monetary")]
        )
        self.assertEqual(len(bands), 5)
        first = bands.filtered(lambda b: b.threshold == 0)
        with self.assertRaisesRegex(ValidationError, "must start at 0"):
            first.unlink()
        self.assertEqual(len(bands.exists()), 5)
        # Moving a boundary keeps the table gap-free.
        bands.filtered(lambda b: b.threshold == 300).threshold = 299.5
        partner = self._customer()
        self._invoice(partner, 10, 299.5)
        self._evaluate(partner)
        self.assertEqual(self._in(partner).rfm_m_score, 2)
        with self.assertRaisesRegex(ValidationError, "must start at 0"):
            first.threshold = 10

    def test_invalid_tier_ranges_are_refused(self):
        with self.assertRaisesRegex(ValidationError, "overlap"):
            self.env.ref("crm_relation.tier_g").score_max = 36
        with self.assertRaisesRegex(ValidationError, "no tier covers"):
            self.env.ref("crm_relation.tier_g").score_max = 34

    def test_evaluation_rights(self):
        partner = self._customer()
        self._invoice(partner, 10, 500)
        with self.assertRaises(AccessError):
            partner.with_user(self.user).action_evaluate_rfm()
        with self.assertRaises(AccessError):
            partner.with_user(self.auditor).action_evaluate_rfm()
        action = partner.with_user(self.manager).action_evaluate_rfm()
        self.assertEqual(action["params"]["type"], "success")
        self.assertEqual(self._in(partner).relation_status, "new")

    def test_configuration_rights(self):
        tier = self.env.ref("crm_relation.tier_p")
        band = self.env["crm.relation.rfm.band"].search(
            [("company_id", "=", self.company.id)], limit=1
        )
        for user in (self.user, self.auditor):
            with self.subTest(user=user.login):
                tier.with_user(user).read(["name"])
                band.with_user(user).read(["score"])
                with self.assertRaises(AccessError):
                    tier.with_user(user).name = "Changed"
                with self.assertRaises(AccessError):
                    band.with_user(user).score = 4
        tier.with_user(self.manager).name = "Platinum+"
        partner = self._customer()
        self._invoice(partner, 10, 500)
        self._evaluate(partner)
        history = partner.relation_tier_history_ids
        history.with_user(self.auditor).read(["new_tier_id"])
        # Append-only: refused to everyone, managers included.
        with self.assertRaisesRegex(UserError, "cannot be created, changed"):
            history.with_user(self.manager).write({"score": 1})
        with self.assertRaisesRegex(UserError, "cannot be created, changed"):
            history.with_user(self.auditor).unlink()

    def test_history_of_another_company_is_hidden(self):
        other = self.setup_other_company()["company"]
        partner = self._customer()
        self._invoice(partner, 10, 500, company=other)
        self._evaluate(partner, company=other)
        history = self.env["crm.relation.tier.history"].search(
            [("partner_id", "=", partner.id)]
        )
        self.assertEqual(history.company_id, other)
        visible = (
            self.env["crm.relation.tier.history"]
            .with_user(self.manager)
            .search([("partner_id", "=", partner.id)])
        )
        self.assertFalse(visible)
        bands = self.env["crm.relation.rfm.band"].with_user(self.manager).search([])
        self.assertEqual(bands.company_id, self.company)
