# Copyright 2026 crm_relation developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import json
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from psycopg2 import IntegrityError

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged
from odoo.tools import mute_logger
from odoo.tools.safe_eval import safe_eval

from odoo.addons.crm_relation.logic import churn

from .invoicing_case import CNY_PER_UNIT, TODAY, InvoicingCase

CNY = 300  # each invoice's amount, in CNY


@tagged("post_install", "-at_install", "crm_relation")
class TestChurn(InvoicingCase):
    def _invoices(self, partner, days_list, cny=CNY):
        for days in days_list:
            self._invoice(partner, days, cny)
        return [(TODAY - timedelta(days=d), cny / CNY_PER_UNIT) for d in days_list]

    def _expected(self, purchases, when=TODAY):
        """The assessment from the invoices' dates and amounts in Python:
        the facts computed independently of the SQL."""
        params = self.company._crm_relation_churn_params()
        return churn.assess(
            params,
            churn.facts_from_purchases(purchases, when, params.window_days),
            when,
        )

    # -- the evaluation writes risk, at-risk and reasons ------------------------

    def test_evaluation_writes_risk_and_reasons_for_each_kind_of_customer(self):
        customers = {
            # On rhythm: every 21 days up to 10 days ago.
            "regular": list(range(10, 311, 21)),
            # Every 21 days until 94 days ago: "no purchase for 94 days,
            # usually every 21 days", orders and amount down.
            "lapsed": list(range(94, 305, 21)),
            # 8 orders in the window before, 3 in the last one.
            "declining": [5, 30, 60] + [95 + 10 * i for i in range(8)],
            # A single purchase long ago.
            "single": [200],
            "prospect": [],
        }
        partners, expected = {}, {}
        for name, days in customers.items():
            partners[name] = self._customer(name)
            expected[name] = self._expected(self._invoices(partners[name], days))
        self._evaluate()
        for name, partner in partners.items():
            with self.subTest(customer=name):
                p = self._in(partner)
                self.assertEqual(p.relation_churn_risk, expected[name].risk)
                self.assertEqual(p.relation_churn_at_risk, expected[name].at_risk)
                stored = json.loads(p.relation_churn_reason_data or "[]")
                # Stored as the day the silence started, which does not drift.
                self.assertEqual(
                    stored,
                    json.loads(
                        json.dumps(churn.stored_reasons(expected[name].reasons, TODAY))
                    ),
                )
        lapsed = self._in(partners["lapsed"])
        self.assertTrue(lapsed.relation_churn_at_risk)
        self.assertGreaterEqual(lapsed.relation_churn_risk, 60)
        lines = lapsed.relation_churn_reasons.splitlines()
        # The silence is stored as its first day, and counted when read.
        late = (fields.Date.context_today(lapsed) - TODAY).days
        self.assertEqual(
            lines[0], f"No purchase for {94 + late} days, usually every 21 days"
        )
        self.assertEqual(lines[1], "Orders down from 5 to 0")
        self.assertTrue(lines[2].startswith("Amount down from"))
        # On rhythm: one order fewer than in the window before, no silence.
        regular = self._in(partners["regular"])
        self.assertEqual(regular.relation_churn_risk, round(100 * (25 + 15) / 5 / 100))
        self.assertFalse(regular.relation_churn_at_risk)
        self.assertEqual(
            regular.relation_churn_reasons.splitlines()[0], "Orders down from 5 to 4"
        )
        self.assertIn(
            "Orders down from 8 to 3",
            self._in(partners["declining"]).relation_churn_reasons,
        )
        self.assertEqual(
            self._in(partners["single"]).relation_churn_reasons.splitlines()[0],
            f"Only one purchase, {200 + late} days ago",
        )
        prospect = self._in(partners["prospect"])
        self.assertEqual(prospect.relation_churn_risk, 0)
        self.assertFalse(prospect.relation_churn_at_risk)
        self.assertFalse(prospect.relation_churn_reason_data)

    def test_reasons_in_the_readers_language(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        partner = self._customer()
        self._invoices(partner, range(94, 305, 21))
        self._evaluate(partner)
        text = self._in(partner).with_context(lang="zh_CN").relation_churn_reasons
        late = (fields.Date.context_today(partner) - TODAY).days
        self.assertIn(f"已 {94 + late} 天未购买，平常每 21 天购买一次", text)
        self.assertIn("订单从 5 笔降至 0 笔", text)

    def test_threshold_decides_at_risk_and_is_checked(self):
        partner = self._customer()
        self._invoices(partner, range(94, 305, 21))
        self._evaluate(partner)
        risk = self._in(partner).relation_churn_risk
        self.company.relation_churn_threshold = risk
        self._evaluate(partner)
        self.assertTrue(self._in(partner).relation_churn_at_risk)
        self.company.relation_churn_threshold = risk + 1
        self._evaluate(partner)
        self.assertFalse(self._in(partner).relation_churn_at_risk)
        self.assertEqual(self._in(partner).relation_churn_risk, risk)
        for vals in (
            {"relation_churn_threshold": 0},
            {"relation_churn_threshold": 101},
            {"relation_churn_window_days": 0},
            {"relation_churn_overdue_days": 0},
            {"relation_churn_weight_orders": -1},
            {
                "relation_churn_weight_silence": 0,
                "relation_churn_weight_orders": 0,
                "relation_churn_weight_amount": 0,
            },
        ):
            with (
                self.subTest(vals=vals),
                mute_logger("odoo.sql_db"),
                self.assertRaises(IntegrityError),
                self.cr.savepoint(),
            ):
                self.company.write(vals)
                self.company.flush_recordset()

    def test_company_parameters_change_the_risk(self):
        partner = self._customer()
        purchases = self._invoices(partner, range(94, 305, 21))
        self.company.write(
            {
                "relation_churn_window_days": 60,
                "relation_churn_overdue_days": 30,
                "relation_churn_weight_silence": 1,
                "relation_churn_weight_orders": 0,
                "relation_churn_weight_amount": 0,
            }
        )
        self._evaluate(partner)
        # 94 days silent, usually 21: 73 days overdue, over 30: full.
        self.assertEqual(self._in(partner).relation_churn_risk, 100)
        self.assertEqual(self._expected(purchases).risk, 100)

    def test_reasons_and_risk_are_guarded(self):
        partner = self._customer()
        for fname, value in (
            ("relation_churn_risk", 10),
            ("relation_churn_at_risk", True),
            ("relation_churn_reason_data", "[]"),
        ):
            with self.subTest(field=fname), self.assertRaises(UserError):
                partner.with_user(self.manager).write({fname: value})

    def test_evaluation_is_one_update_of_the_customers(self):
        """Scored from the same facts query, written in the same UPDATE:
        the number of queries does not grow with the customers."""
        self._evaluate()  # the customers already there, and Odoo's caches
        # A first customer at risk warms up what the win-back episodes
        # create once (the week of their visits).
        partners, queries = [], []
        for count in (1, 2, 8):
            new = [self._customer(f"c{count}-{i}") for i in range(count)]
            for partner in new:
                self._invoices(partner, range(94, 305, 21))
            partners += new
            self.env.flush_all()
            self.env.invalidate_all()
            before = self.cr.sql_log_count
            self._evaluate()
            queries.append(self.cr.sql_log_count - before)
        self.assertEqual(queries[1], queries[2])
        self.assertTrue(all(self._in(p).relation_churn_at_risk for p in partners))

    # -- backtest ---------------------------------------------------------------

    def _backtest_population(self):
        """As of ``as_of`` (120 days before TODAY), with a 60-day horizon: a
        regular customer who keeps buying, one who slowed and stopped 70 days
        before (a churner), and a slow regular one silent for 90 days who
        buys again in the horizon. Recency alone ranks the slow one first."""
        as_of_days = 120
        regular = self._customer("regular")
        self._invoices(regular, range(0, 400, 14))
        churner = self._customer("churner")
        self._invoices(churner, range(as_of_days + 70, 520, 14))
        slow = self._customer("slow")
        self._invoices(
            slow, [as_of_days - 10, as_of_days + 90, as_of_days + 190, as_of_days + 290]
        )
        late = self._customer("late")  # first bought after as_of: not ranked
        self._invoices(late, [10])
        return TODAY - timedelta(days=as_of_days), churner

    def test_backtest_ranks_by_risk_and_by_recency(self):
        as_of, churner = self._backtest_population()
        self._evaluate()
        stored = {
            p.id: (p.relation_churn_risk, p.relation_churn_reason_data)
            for p in self.env["res.partner"]
            .with_company(self.company)
            .search([("customer_rank", ">", 0)])
        }
        result = self.engine.with_user(self.manager).churn_backtest(
            company_id=self.company.id,
            as_of=fields.Date.to_string(as_of),
            horizon_days=60,
            k=1,
        )
        self.assertEqual(result["customers"], 3)
        self.assertEqual(result["churners"], 1)
        self.assertEqual(result["k"], 1)
        self.assertEqual(result["risk_precision"], 1.0)
        self.assertEqual(result["risk_recall"], 1.0)
        self.assertEqual(result["recency_precision"], 0.0)
        self.assertEqual(result["recency_recall"], 0.0)
        self.assertEqual(result["as_of"], fields.Date.to_string(as_of))
        # Read-only: the stored risks are today's, not those as of the past.
        self.env.invalidate_all()
        after = {
            p.id: (p.relation_churn_risk, p.relation_churn_reason_data)
            for p in self.env["res.partner"]
            .with_company(self.company)
            .search([("customer_rank", ">", 0)])
        }
        self.assertEqual(after, stored)
        self.assertTrue(self._in(churner).relation_churn_at_risk)

    def test_backtest_access_and_arguments(self):
        as_of, _churner = self._backtest_population()
        kwargs = {"as_of": fields.Date.to_string(as_of), "horizon_days": 60}
        with self.assertRaisesRegex(AccessError, "Only .* may run"):
            self.engine.with_user(self.user).churn_backtest(**kwargs)
        for user in (self.manager, self.auditor):
            with self.subTest(user=user.login):
                result = self.engine.with_user(user).churn_backtest(**kwargs)
                self.assertLessEqual(
                    {
                        "customers", "churners", "k", "risk_precision",
                        "risk_recall", "recency_precision", "recency_recall",
                    },
                    set(result),
                )  # fmt: skip
                self.assertEqual(result["k"], 1)  # a tenth of 3, at least one
        # By default, the latest day whose horizon has passed.
        result = self.engine.with_user(self.auditor).churn_backtest(horizon_days=60)
        today = fields.Date.context_today(self.engine)
        self.assertEqual(result["as_of"], str(today - timedelta(days=61)))
        self.assertEqual(result["horizon_days"], 60)
        bad = (
            {"horizon_days": 0},
            {"horizon_days": "x"},
            {"horizon_days": 10**9},
            {"as_of": "not a date"},
            {"as_of": "0001-01-05"},
            {"as_of": "9999-12-31"},
            {"as_of": fields.Date.to_string(date.today()), "horizon_days": 1},
            {"k": -1},
            {"company_id": 10**9},
        )
        for args in bad:
            with self.subTest(args=args), self.assertRaises(UserError) as caught:
                self.engine.with_user(self.manager).churn_backtest(**args)
            # The message names the value given.
            value = next(iter(args.values()))
            self.assertIn(str(value)[:10], str(caught.exception))

    # -- the churn-rate report --------------------------------------------------

    def test_churn_report_matches_an_independent_computation(self):
        self.company.rfm_window_days = 60
        histories = {
            "stops": [200, 170, 140],
            "returns": [200, 100, 10],
            "new": [50],
            "monthly": list(range(5, 230, 30)),
        }
        days = {}
        for name, ago in histories.items():
            self._invoices(self._customer(name), ago)
            days[name] = [TODAY - timedelta(days=d) for d in ago]
        self.env.flush_all()
        rows = (
            self.env["crm.relation.churn.report"]
            .with_user(self.auditor)
            .search([("company_id", "=", self.company.id)], order="date")
        )
        today = fields.Date.today()  # the database's CURRENT_DATE (UTC)
        first = min(d for ds in days.values() for d in ds).replace(day=1)
        expected, month = [], first
        while month <= today:
            nxt = min(month + relativedelta(months=1), today + timedelta(days=1))
            window = timedelta(days=60)
            active = {
                n
                for n, ds in days.items()
                if any(month - window <= d < month for d in ds)
            }
            churned = {
                n for n in active if not any(nxt - window <= d < nxt for d in days[n])
            }
            rate = round(100.0 * len(churned) / len(active), 2) if active else 0.0
            expected.append((month, len(active), len(churned), rate))
            month += relativedelta(months=1)
        self.assertEqual(
            [(r.date, r.customers, r.churned, r.churn_rate) for r in rows], expected
        )
        self.assertTrue(any(row[2] for row in expected), "someone churned")
        # Over the months, the rate is the churned over the active customers
        # of them all, not the average of the months' rates.
        [[active, churned, rate]] = (
            self.env["crm.relation.churn.report"]
            .with_user(self.auditor)
            ._read_group(
                [("company_id", "=", self.company.id)],
                [],
                ["customers:sum", "churned:sum", "churn_rate:avg"],
            )
        )
        self.assertEqual(active, sum(row[1] for row in expected))
        self.assertEqual(churned, sum(row[2] for row in expected))
        self.assertEqual(rate, round(100.0 * churned / active, 2))

    def test_churn_report_access(self):
        report = self.env["crm.relation.churn.report"]
        for user in (self.user, self.auditor, self.manager):
            with self.subTest(user=user.login):
                self.assertTrue(report.with_user(user).has_access("read"))
                self.assertFalse(report.with_user(user).has_access("write"))
        outsider = self._company_user("t_churn_outsider", "base.group_user")
        self.assertFalse(report.with_user(outsider).has_access("read"))

    def test_churn_list_shows_those_at_risk_highest_first(self):
        partners = [self._customer(f"c{i}") for i in range(3)]
        self._invoices(partners[0], range(94, 305, 21))
        self._invoices(partners[1], range(150, 305, 21))
        self._invoices(partners[2], range(10, 305, 21))
        self._evaluate()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "crm_relation.action_crm_relation_churn_risk"
        )
        listed = (
            self.env["res.partner"]
            .with_user(self.auditor)
            .with_company(self.company)
            .search(safe_eval(action["domain"]), order="relation_churn_risk desc")
        )
        mine = listed.filtered(lambda p: p in partners)
        self.assertEqual(mine.ids, [partners[1].id, partners[0].id])
