# Copyright 2026 crm_relation developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The two report models of visits: the account-manager evaluation and the
weekly report (SQL views, read-only, read by managers and auditors)."""

from datetime import date, datetime

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import TransactionCase, new_test_user, tagged

from .common import make_role_users, trusted

EVALUATION = "crm.relation.manager.evaluation.report"
WEEKLY = "crm.relation.visit.week.report"
RATES = ("on_time_rate", "completion_rate", "average_satisfaction")
EVALUATION_FIGURES = (
    "visits_planned",
    "visits_done",
    "visits_missed",
    "visits_due",
    "visits_on_time",
    "satisfaction_sum",
    "satisfaction_count",
    "vips_kept",
    "vips_lapsed",
    "customers_upgraded",
    "customers_downgraded",
)
WEEKLY_FIGURES = ("order_count", "amount", "new_customer_count", "visit_done_count")


@tagged("post_install", "-at_install", "crm_relation")
class TestVisitReports(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.users = make_role_users(cls.env, portal=True)
        cls.user = cls.users["user"]
        cls.manager = cls.users["manager"]
        cls.colleague = new_test_user(
            cls.env,
            "t_crm_report_colleague",
            groups="crm_relation.group_crm_relation_user",
        )
        cls.company = cls.env.company
        cls.customer = cls.env["res.partner"].create(
            {"name": "报表客户 Report Customer", "user_id": cls.user.id}
        )
        cls.other_customer = cls.env["res.partner"].create(
            {"name": "Colleague's Report Customer", "user_id": cls.colleague.id}
        )
        cls.product = cls.env["product.product"].create(
            {"name": "Report Oolong", "list_price": 100.0}
        )

    # -- helpers ------------------------------------------------------------

    def _visit(self, planned, user=None, partner=None, **vals):
        return (
            self.env["crm.relation.visit"]
            .with_user(user or self.user)
            .create(
                {
                    "partner_id": (partner or self.customer).id,
                    "planned_date": planned,
                    **vals,
                }
            )
        )

    def _done(self, planned, on, satisfaction, **vals):
        visit = self._visit(planned, outcome="ok", satisfaction=satisfaction, **vals)
        with freeze_time(on):
            visit.action_done()
        return visit

    def _order(self, partner, when_utc, user=None, price=100.0):
        order = self.env["sale.order"].create(
            {
                "partner_id": partner.id,
                "user_id": (user or self.user).id,
                "order_line": [
                    Command.create({"product_id": self.product.id, "price_unit": price})
                ],
            }
        )
        order.action_confirm()
        order.date_order = when_utc
        return order

    def _figures(self, model, domain, names, user=None, groupby=("user_id",)):
        """``{group key: {figure: value}}`` as ``user`` reads the report,
        each figure with the aggregate its field declares (the rates as the
        ratio of their sums), as the pivot and the grouped list do."""
        Report = self.env[model].with_user(user or self.manager)
        aggregates = [f"{name}:{Report._fields[name].aggregator}" for name in names]
        result = {}
        for row in Report._read_group(domain, list(groupby), aggregates):
            key = tuple(
                value.id if hasattr(value, "id") else value
                for value in row[: len(groupby)]
            )
            key = key[0] if len(key) == 1 else key
            result[key] = dict(zip(names, row[len(groupby) :], strict=True))
        return result

    def _evaluation_data(self):
        """The wizard's test data: October 2026 for ``self.user``."""
        self._done(date(2026, 10, 5), date(2026, 10, 5), "5")  # on time
        self._done(date(2026, 10, 6), date(2026, 10, 9), "3")  # late
        self._visit(date(2026, 10, 7))  # missed below
        self._visit(date(2026, 10, 8)).action_cancel()
        self._visit(date(2026, 9, 30))  # outside October, missed too
        self.env["crm.relation.visit"]._mark_missed(date(2026, 11, 1))
        # One customer up, one down.
        gold = self.env.ref("crm_relation.tier_g")
        silver = self.env.ref("crm_relation.tier_s")
        # The history is append-only, written in SQL by the evaluation.
        for day, old, new, movement in (
            (datetime(2026, 10, 10), silver, gold, "up"),
            (datetime(2026, 10, 20), gold, silver, "down"),
        ):
            self.env.cr.execute(
                "INSERT INTO crm_relation_tier_history (partner_id, company_id, "
                "date, old_tier_id, new_tier_id, movement, trigger) "
                "VALUES (%s, %s, %s, %s, %s, %s, 'manual')",
                [self.customer.id, self.company.id, day, old.id, new.id, movement],
            )
        self.env["crm.relation.tier.history"].invalidate_model()
        # One VIP renewed at its October expiry, one lapsed at it, one lapsed
        # in November.
        Vip = trusted(self.env["crm.relation.vip"].sudo())
        partners = self.env["res.partner"].create(
            [{"name": f"Report VIP {i}", "user_id": self.user.id} for i in range(3)]
        )
        kept = Vip.create(
            {"partner_id": partners[0].id, "reason": "t", "state": "active",
             "date_start": date(2026, 10, 15), "date_end": date(2027, 10, 15)}
        )  # fmt: skip
        self.env["crm.relation.vip.period"].create(
            [
                {"vip_id": kept.id, "kind": "registration",
                 "date_start": date(2025, 10, 15), "date_end": date(2026, 10, 15)},
                {"vip_id": kept.id, "kind": "renewal",
                 "date_start": date(2026, 10, 15), "date_end": date(2027, 10, 15)},
            ]
        )  # fmt: skip
        for partner, end in ((partners[1], date(2026, 10, 20)),
                             (partners[2], date(2026, 11, 2))):  # fmt: skip
            Vip.create(
                {"partner_id": partner.id, "reason": "t", "state": "lapsed",
                 "date_start": end.replace(year=2025), "date_end": end}
            )  # fmt: skip

    # -- the account-manager evaluation --------------------------------------

    def test_evaluation_figures_of_a_period(self):
        """The figures the evaluation wizard computed, on the same data."""
        self._evaluation_data()
        october = [("date", ">=", "2026-10-01"), ("date", "<=", "2026-10-31")]
        figures = self._figures(EVALUATION, october, (*EVALUATION_FIGURES, *RATES))[
            self.user.id
        ]
        self.assertEqual(
            (
                figures["visits_planned"],
                figures["visits_done"],
                figures["visits_missed"],
            ),
            (3, 2, 1),
        )
        self.assertEqual(figures["on_time_rate"], 50.0)
        self.assertEqual(figures["completion_rate"], 66.7)
        self.assertEqual(figures["average_satisfaction"], 4.0)
        self.assertEqual(
            (figures["customers_upgraded"], figures["customers_downgraded"]), (1, 1)
        )
        self.assertEqual((figures["vips_kept"], figures["vips_lapsed"]), (1, 1))
        # The rates' sum-able pairs.
        self.assertEqual((figures["visits_on_time"], figures["visits_due"]), (1, 3))
        self.assertEqual(
            (figures["satisfaction_sum"], figures["satisfaction_count"]), (8, 2)
        )
        # A row is a day: its own rates, not the period's.
        rows = (
            self.env[EVALUATION]
            .with_user(self.manager)
            .search([*october, ("user_id", "=", self.user.id)])
        )
        by_day = {row.date: row for row in rows}
        late = by_day[date(2026, 10, 6)]
        self.assertEqual(
            (late.visits_done, late.on_time_rate, late.completion_rate),
            (1, 0.0, 100.0),
        )
        self.assertEqual(late.average_satisfaction, 3.0)
        self.assertEqual(by_day[date(2026, 10, 7)].completion_rate, 0.0)
        self.assertEqual(by_day[date(2026, 10, 15)].vips_kept, 1)
        self.assertEqual(by_day[date(2026, 10, 20)].vips_lapsed, 1)
        self.assertEqual(by_day[date(2026, 10, 20)].customers_downgraded, 1)
        # A cancelled visit is no figure, and makes no row of its own.
        self.assertNotIn(date(2026, 10, 8), by_day)

    def test_evaluation_by_period_and_account_manager(self):
        self._evaluation_data()
        self._done(
            date(2026, 10, 12),
            date(2026, 10, 12),
            "4",
            user=self.colleague,
            partner=self.other_customer,
        )
        # By month: September's missed visit, October's figures, November's
        # lapsed VIP, each in its month.
        autumn = [("date", ">=", "2026-09-01"), ("date", "<=", "2026-11-30")]
        months = self._figures(
            EVALUATION,
            [*autumn, ("user_id", "=", self.user.id)],
            ("visits_planned", "visits_missed", "vips_lapsed", "completion_rate"),
            groupby=("date:month",),
        )
        self.assertEqual(
            {month.month: tuple(row.values()) for month, row in months.items()},
            {9: (1, 1, 0, 0.0), 10: (3, 1, 1, 66.7), 11: (0, 0, 1, 0.0)},
        )
        # By quarter, year and week, the same visits: the rows' days (30
        # September; 5, 6, 7, 10, 15 and 20 October; 2 November) fall in two
        # quarters, one year and five weeks.
        for interval, groups in (("quarter", 2), ("year", 1), ("week", 5)):
            with self.subTest(interval=interval):
                rows = self._figures(
                    EVALUATION,
                    [*autumn, ("user_id", "=", self.user.id)],
                    ("visits_planned",),
                    groupby=(f"date:{interval}",),
                )
                self.assertEqual(len(rows), groups)
                self.assertEqual(sum(r["visits_planned"] for r in rows.values()), 4)
        # By account manager: each their own.
        october = [("date", ">=", "2026-10-01"), ("date", "<=", "2026-10-31")]
        people = self._figures(
            EVALUATION,
            [*october, ("user_id", "in", (self.user | self.colleague).ids)],
            ("visits_done", "on_time_rate", "average_satisfaction"),
        )
        self.assertEqual(
            people,
            {
                self.user.id: {
                    "visits_done": 2, "on_time_rate": 50.0,
                    "average_satisfaction": 4.0,
                },
                self.colleague.id: {
                    "visits_done": 1, "on_time_rate": 100.0,
                    "average_satisfaction": 4.0,
                },
            },
        )  # fmt: skip
        # Both together: the ratio of the sums (2 of 3 on time), not the
        # average of their rates (75%).
        both = self._figures(
            EVALUATION,
            [*october, ("user_id", "in", (self.user | self.colleague).ids)],
            ("visits_done", "on_time_rate"),
            groupby=("company_id",),
        )[self.company.id]
        self.assertEqual(both, {"visits_done": 3, "on_time_rate": 66.7})

    def test_evaluation_access(self):
        self._evaluation_data()
        domain = [("user_id", "=", self.user.id)]
        Report = self.env[EVALUATION]
        for role in ("manager", "auditor"):
            with self.subTest(role=role):
                rows = Report.with_user(self.users[role]).search(domain)
                self.assertTrue(rows)
                self.assertEqual(
                    sum(rows.mapped("visits_planned")), 4, "September's too"
                )
        row = Report.search(domain, limit=1)
        for role in ("user", "integration", "outsider", "portal"):
            with self.subTest(role=role), self.assertRaises(AccessError):
                Report.with_user(self.users[role]).search(domain)
            with self.subTest(role=role), self.assertRaises(AccessError):
                row.with_user(self.users[role]).read(["visits_done"])
        for role in ("manager", "auditor"):
            user = self.users[role]
            with self.subTest(role=role, op="write"), self.assertRaises(AccessError):
                row.with_user(user).write({"visits_done": 99})
            with self.subTest(role=role, op="create"), self.assertRaises(AccessError):
                Report.with_user(user).create({"user_id": user.id})
            with self.subTest(role=role, op="unlink"), self.assertRaises(AccessError):
                row.with_user(user).unlink()

    def test_evaluation_of_other_companies_is_not_read(self):
        other = self.env["res.company"].create({"name": "Report Other Co"})
        self.manager.company_ids += other
        self.user.company_ids += other
        self.env["crm.relation.visit"].create(
            {"partner_id": self.other_customer.id, "user_id": self.user.id,
             "company_id": other.id, "planned_date": date(2026, 10, 5)}
        )  # fmt: skip
        self._visit(date(2026, 10, 5))
        domain = [("user_id", "=", self.user.id), ("date", "=", "2026-10-05")]
        Report = self.env[EVALUATION].with_user(self.manager)
        self.assertEqual(
            Report.with_context(allowed_company_ids=[self.company.id])
            .search(domain)
            .company_id,
            self.company,
        )
        self.assertEqual(
            Report.with_context(allowed_company_ids=[self.company.id, other.id])
            .search(domain)
            .company_id,
            self.company | other,
        )
        auditor = self.users["auditor"]
        self.assertNotIn(other, auditor.company_ids)
        self.assertEqual(
            self.env[EVALUATION].with_user(auditor).search(domain).company_id,
            self.company,
        )

    # -- the weekly report ---------------------------------------------------

    def test_weekly_report_figures(self):
        old_customer = self.env["res.partner"].create({"name": "Report Old Customer"})
        for partner, day in (
            (old_customer, date(2026, 10, 1)),  # bought before: not new
            (old_customer, date(2026, 11, 16)),
            (self.customer, date(2026, 11, 16)),  # first order: a new customer
            (self.customer, date(2026, 11, 18)),
        ):
            self._order(
                partner, datetime.combine(day, datetime.min.time()).replace(hour=10)
            )
        self._done(date(2026, 11, 16), date(2026, 11, 16), "4")
        self._done(date(2026, 11, 17), date(2026, 11, 21), "4")  # the next week
        weeks = self._figures(
            WEEKLY,
            [("user_id", "=", self.user.id)],
            WEEKLY_FIGURES,
            groupby=("date:day",),
        )
        self.assertEqual(
            {day: tuple(row.values()) for day, row in weeks.items()},
            {
                date(2026, 9, 26): (1, 100.0, 1, 0),  # the first order ever
                date(2026, 11, 14): (3, 300.0, 1, 1),
                date(2026, 11, 21): (0, 0.0, 0, 1),
            },
        )
        # The rows themselves start on Saturdays.
        rows = (
            self.env[WEEKLY]
            .with_user(self.manager)
            .search([("user_id", "=", self.user.id)])
        )
        self.assertEqual({row.date.isoweekday() for row in rows}, {6})
        self.assertEqual(rows.currency_id, self.company.currency_id)

    def test_weekly_report_in_the_account_managers_days(self):
        """Asia/Shanghai is UTC+8: an order at 18:00 UTC on Friday 13 November
        is at 02:00 on Saturday 14, the first day of the next week; one at
        15:00 UTC is still Friday 23:00, in the week before."""
        self.user.tz = "Asia/Shanghai"
        newcomer = self.env["res.partner"].create({"name": "午夜新客 Midnight"})
        late_friday = self.env["res.partner"].create({"name": "周五晚客 Friday"})
        self._order(newcomer, datetime(2026, 11, 13, 18, 0))
        self._order(late_friday, datetime(2026, 11, 13, 15, 0))
        domain = [("user_id", "=", self.user.id)]
        figures = ("order_count", "new_customer_count")
        weeks = self._figures(WEEKLY, domain, figures, groupby=("date:day",))
        self.assertEqual(
            {day: tuple(row.values()) for day, row in weeks.items()},
            {date(2026, 11, 7): (1, 1), date(2026, 11, 14): (1, 1)},
            "each order in its local week, each customer new in it",
        )
        # The newcomer orders again in the week: still one new customer.
        self._order(newcomer, datetime(2026, 11, 16, 2, 0))
        weeks = self._figures(WEEKLY, domain, figures, groupby=("date:day",))
        self.assertEqual(tuple(weeks[date(2026, 11, 14)].values()), (2, 1))
        # In UTC both orders fall on Friday 13, in the week of 7 November.
        self.user.tz = "UTC"
        weeks = self._figures(WEEKLY, domain, figures, groupby=("date:day",))
        self.assertEqual(tuple(weeks[date(2026, 11, 7)].values()), (2, 2))
        # And the Monday mail sends what the report holds.
        self.user.tz = "Asia/Shanghai"
        self.env["crm.relation.visit.plan"].with_user(self.user).create(
            {"partner_id": self.customer.id}
        )
        sent = self.env["crm.relation.visit.week"]._cron_weekly_report(
            today=date(2026, 11, 23)
        )
        week = sent.filtered(lambda w: w.user_id == self.user)
        self.assertEqual(
            (week.report_order_count, week.report_new_customer_count), (2, 1)
        )

    def test_weekly_report_by_period_and_account_manager(self):
        self._order(self.customer, datetime(2026, 11, 16, 10, 0))
        self._order(self.customer, datetime(2026, 12, 1, 10, 0), price=50.0)
        self._order(
            self.other_customer, datetime(2026, 11, 17, 10, 0), user=self.colleague
        )
        november = [("date", ">=", "2026-11-01"), ("date", "<=", "2026-11-30")]
        people = self._figures(
            WEEKLY,
            [*november, ("user_id", "in", (self.user | self.colleague).ids)],
            ("order_count", "amount"),
        )
        self.assertEqual(
            people,
            {
                # 1 December is in the week of Saturday 28 November.
                self.user.id: {"order_count": 2, "amount": 150.0},
                self.colleague.id: {"order_count": 1, "amount": 100.0},
            },
        )
        # By month, the same: weeks count in the month they start in.
        months = self._figures(
            WEEKLY,
            [("user_id", "=", self.user.id)],
            ("order_count", "amount"),
            groupby=("date:month",),
        )
        self.assertEqual(
            {month.month: tuple(row.values()) for month, row in months.items()},
            {11: (2, 150.0)},
        )

    def test_weekly_report_access(self):
        self._order(self.customer, datetime(2026, 11, 16, 10, 0))
        self._order(
            self.other_customer, datetime(2026, 11, 17, 10, 0), user=self.colleague
        )
        both = [("user_id", "in", (self.user | self.colleague).ids)]
        Report = self.env[WEEKLY]
        for role in ("manager", "auditor"):
            with self.subTest(role=role):
                self.assertEqual(
                    Report.with_user(self.users[role]).search(both).user_id,
                    self.user | self.colleague,
                )
        # Account managers read their own weeks only.
        self.assertEqual(Report.with_user(self.user).search(both).user_id, self.user)
        theirs = Report.search([("user_id", "=", self.colleague.id)])
        with self.assertRaises(AccessError):
            theirs.with_user(self.user).read(["order_count"])
        for role in ("outsider", "portal"):
            with self.subTest(role=role), self.assertRaises(AccessError):
                Report.with_user(self.users[role]).search(both)
        for role in ("user", "manager", "auditor"):
            user = self.users[role]
            row = Report.search(both, limit=1)
            with self.subTest(role=role, op="write"), self.assertRaises(AccessError):
                row.with_user(user).write({"order_count": 99})
            with self.subTest(role=role, op="create"), self.assertRaises(AccessError):
                Report.with_user(user).create({"user_id": user.id})
            with self.subTest(role=role, op="unlink"), self.assertRaises(AccessError):
                row.with_user(user).unlink()
        # Companies the reader is not in stay out.
        other = self.env["res.company"].create({"name": "Weekly Other Co"})
        self.user.company_ids += other
        foreign = self.env["sale.order"].create(
            {"partner_id": self.customer.id, "user_id": self.user.id,
             "company_id": other.id,
             "order_line": [Command.create({"product_id": self.product.id})]}
        )  # fmt: skip
        foreign.action_confirm()
        self.assertNotIn(other, self.manager.company_ids)
        self.assertEqual(
            Report.with_user(self.manager).search(both).company_id, self.company
        )
        self.assertEqual(
            Report.with_user(self.user)
            .with_context(allowed_company_ids=[self.company.id, other.id])
            .search(both)
            .company_id,
            self.company | other,
        )
