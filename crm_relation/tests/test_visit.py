# Copyright 2026 crm_relation developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import date, datetime, timedelta

from freezegun import freeze_time
from psycopg2 import IntegrityError

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import TransactionCase, new_test_user, tagged
from odoo.tools import mute_logger

from .common import make_role_users, trusted

# A Sunday: the week of Saturday 2026-11-21 to Friday 2026-11-27 is running.
SUNDAY = date(2026, 11, 22)
SATURDAY = date(2026, 11, 21)


@tagged("post_install", "-at_install", "crm_relation")
class TestVisit(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.users = make_role_users(cls.env)
        cls.user = cls.users["user"]
        cls.manager = cls.users["manager"]
        cls.colleague = new_test_user(
            cls.env, "t_crm_colleague", groups="crm_relation.group_crm_relation_user"
        )
        cls.manager2 = new_test_user(
            cls.env, "t_crm_manager2", groups="crm_relation.group_crm_relation_manager"
        )
        cls.company = cls.env.company
        cls.company.write(
            {
                "relation_visit_horizon_days": 14,
                "relation_visit_missed_days": 0,
                "relation_visit_kpi": 1,
            }
        )
        cls.customer = cls.env["res.partner"].create(
            {"name": "回访客户 Visit Customer", "user_id": cls.user.id}
        )
        cls.other_customer = cls.env["res.partner"].create(
            {"name": "Colleague's Customer", "user_id": cls.colleague.id}
        )
        cls.Plan = cls.env["crm.relation.visit.plan"]
        cls.Visit = cls.env["crm.relation.visit"]
        cls.Week = cls.env["crm.relation.visit.week"]

    def _plan(self, partner=None, user=None, **vals):
        return self.Plan.with_user(user or self.user).create(
            {"partner_id": (partner or self.customer).id, **vals}
        )

    def _visit(self, planned, user=None, partner=None, **vals):
        return self.Visit.with_user(user or self.user).create(
            {
                "partner_id": (partner or self.customer).id,
                "planned_date": planned,
                **vals,
            }
        )

    def _generate(self, plans, today=SUNDAY):
        with freeze_time(today):
            return plans.action_generate_visits()

    # -- plans and generation ----------------------------------------------

    def test_plan_defaults_and_tier_cadence(self):
        plan = self._plan(next_date=SUNDAY)
        self.assertEqual(plan.user_id, self.user, "the customer's account manager")
        self.assertEqual((plan.interval, plan.interval_unit), (1, "month"))
        tier = self.env.ref("crm_relation.tier_g")
        tier.write({"visit_interval": 2, "visit_interval_unit": "week"})
        trusted(self.customer.with_company(self.company).sudo()).relation_tier_id = tier
        plan2 = self._plan(next_date=SUNDAY)
        self.assertEqual((plan2.interval, plan2.interval_unit), (2, "week"))

    def test_generation_makes_no_duplicates(self):
        plan = self._plan(next_date=SUNDAY, interval=1, interval_unit="week")
        visits = self._generate(plan)
        # Horizon 14 days: the 22nd, 29th and 6 December.
        self.assertEqual(
            visits.mapped("planned_date"),
            [SUNDAY, date(2026, 11, 29), date(2026, 12, 6)],
        )
        self.assertEqual(plan.next_date, date(2026, 12, 13))
        self.assertEqual(visits.user_id, self.user)
        self.assertEqual(set(visits.mapped("channel")), {plan.channel})
        # Twice the same day, and through the cron: nothing new.
        self.assertFalse(self._generate(plan))
        self.Plan._cron_visits(today=SUNDAY)
        count = self.Visit.search_count
        self.assertEqual(count([("plan_id", "=", plan.id)]), 3)
        # A week later the horizon has moved by one visit.
        self.Plan._cron_visits(today=SUNDAY + timedelta(days=7))
        self.assertEqual(count([("plan_id", "=", plan.id)]), 4)
        # The unique index backs it up against a concurrent run.
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError):
            with self.env.cr.savepoint():
                self.Visit.sudo().create(plan._visit_vals(SUNDAY))

    def test_monthly_plan_keeps_its_day(self):
        plan = self._plan(
            next_date=date(2027, 1, 31), interval=1, interval_unit="month"
        )
        visits = self._generate(plan, today=date(2027, 3, 20))
        self.assertEqual(
            visits.mapped("planned_date"),
            [date(2027, 1, 31), date(2027, 2, 28), date(2027, 3, 31)],
        )
        self.assertEqual(plan.next_date, date(2027, 4, 30))

    def test_archived_plan_and_other_users_plans(self):
        plan = self._plan(next_date=SUNDAY)
        plan.active = False
        self.assertFalse(self._generate(plan))
        theirs = self._plan(partner=self.other_customer, user=self.colleague)
        with self.assertRaises(AccessError):
            self._generate(theirs.with_user(self.user))

    def test_plan_new_account_manager_takes_coming_visits(self):
        today = fields.Date.context_today(self.Plan)
        plan = self._plan(
            next_date=today - timedelta(days=7), interval=1, interval_unit="week"
        )
        visits = self._generate(plan, today=today)
        self.assertEqual(len(visits), 4)  # a week ago, today, +7, +14
        past, coming = visits[0], visits[1:]
        plan.with_user(self.manager).user_id = self.colleague
        self.assertEqual(coming.user_id, self.colleague)
        self.assertEqual(coming.week_id.user_id, self.colleague)
        self.assertEqual(past.user_id, self.user)

    def test_customer_of_another_company_is_refused(self):
        other = self.env["res.company"].create({"name": "Visit Plan Other Co"})
        foreign = self.env["res.partner"].create(
            {"name": "Other Company's Customer", "company_id": other.id}
        )
        for create in (
            lambda: self._plan(partner=foreign, next_date=SUNDAY),
            lambda: self._visit(SUNDAY, partner=foreign),
        ):
            with self.assertRaises(UserError) as caught:
                create()
            self.assertIn("company inconsistencies", str(caught.exception))
            self.assertIn(foreign.name, str(caught.exception))
        for model in (self.Plan, self.Visit):
            self.assertFalse(model.search([("partner_id", "=", foreign.id)]))
        plan = self._plan(next_date=SUNDAY)
        visit = self._visit(SUNDAY)
        self.customer.company_id = self.company
        for record in (plan, visit):
            # Moving the record away from its customer's company is refused.
            with self.assertRaises(UserError) as caught:
                record.sudo().company_id = other
            self.assertIn("company inconsistencies", str(caught.exception))
            self.assertEqual(record.company_id, self.company)

    # -- visits -----------------------------------------------------------

    def test_missed_marking(self):
        late = self._visit(SUNDAY - timedelta(days=2))
        today = self._visit(SUNDAY)
        done = self._visit(SUNDAY - timedelta(days=3), outcome="Ordered more tea")
        with freeze_time(SUNDAY):
            done.action_done()
        # Called on some visits, it still looks at all and marks only overdue.
        missed = (late | today | done)._mark_missed(SUNDAY)
        self.assertEqual(missed, late)
        self.assertEqual(late.state, "missed")
        self.assertEqual(today.state, "planned")
        self.assertEqual(done.state, "done")
        self.assertEqual(done.done_date, SUNDAY)
        # With two days' grace nothing more is missed yet.
        self.company.relation_visit_missed_days = 2
        other = self._visit(SUNDAY - timedelta(days=2))
        self.assertFalse(self.Visit._mark_missed(SUNDAY))
        self.assertEqual(other.state, "planned")
        # A missed visit can still be done, late.
        late.outcome = "Called back the next week"
        late.action_done()
        self.assertEqual(late.state, "done")

    def test_done_needs_an_outcome_and_state_moves_by_actions(self):
        visit = self._visit(SUNDAY)
        with self.assertRaisesRegex(UserError, "outcome"):
            visit.action_done()
        with self.assertRaisesRegex(UserError, "state"):
            visit.write({"state": "done"})
        with self.assertRaisesRegex(UserError, "state"):
            visit.sudo().write({"state": "done"})
        visit.action_cancel()
        self.assertEqual(visit.state, "cancelled")
        visit.action_reset()
        self.assertEqual(visit.state, "planned")

    def test_supervisor_comment_by_managers_only(self):
        visit = self._visit(SUNDAY)
        with self.assertRaises(AccessError):
            visit.write({"supervisor_comment": "Well done"})
        visit.with_user(self.manager).supervisor_comment = "Ask about the new range"
        self.assertEqual(visit.supervisor_id, self.manager)

    def test_editing_a_reviewed_visit_record_clears_its_reviews(self):
        visit = self._visit(SUNDAY, outcome="Ordered 20 boxes")
        visit.action_done()
        visit.with_user(self.manager2).action_review_first()
        visit.with_user(self.manager).action_review_second()
        self.assertEqual(visit.relation_review_state, "second")
        visit.outcome = "Ordered 2 boxes"
        self.assertEqual(visit.relation_review_state, "none")
        self.assertIn("Outcome", visit.relation_review_reset_reason)
        # The supervisor's comment is not part of the record reviewed.
        visit.with_user(self.manager2).action_review_first()
        visit.with_user(self.manager).supervisor_comment = "Fine"
        self.assertTrue(visit.relation_review1_done)

    def test_visits_form_saturday_to_friday_weeks(self):
        sat = self._visit(SATURDAY)
        fri = self._visit(SATURDAY + timedelta(days=6))
        next_sat = self._visit(SATURDAY + timedelta(days=7))
        self.assertEqual(sat.week_id, fri.week_id)
        self.assertNotEqual(sat.week_id, next_sat.week_id)
        week = sat.week_id
        self.assertEqual(
            (week.date_start, week.date_end, week.user_id),
            (SATURDAY, SATURDAY + timedelta(days=6), self.user),
        )
        self.assertEqual(week.booked_count, 2)
        # Moving a visit moves it to its new week.
        fri.planned_date = SATURDAY + timedelta(days=8)
        self.assertEqual(fri.week_id, next_sat.week_id)
        self.assertEqual(week.booked_count, 1)

    # -- the weekly schedule ----------------------------------------------

    def test_week_approval_flow_and_who_may_approve(self):
        visit = self._visit(SATURDAY + timedelta(days=7))
        week = visit.week_id
        # Only the manager approves, and only a submitted week.
        with self.assertRaises(AccessError):
            week.with_user(self.user).action_approve()
        with self.assertRaisesRegex(UserError, "cannot be approved"):
            week.with_user(self.manager).action_approve()
        # A colleague cannot submit someone else's week.
        with self.assertRaises(AccessError):
            week.with_user(self.colleague).action_submit()
        week.with_user(self.user).action_submit()
        self.assertEqual(week.state, "submitted")
        self.assertTrue(week.submitted_date)
        # Sent back with a reason, through the wizard.
        with self.assertRaises(UserError):
            week.with_user(self.manager).action_return("  ")
        wizard = (
            self.env["crm.relation.visit.week.return"]
            .with_user(self.manager)
            .create({"week_ids": [Command.set(week.ids)], "reason": "Add a visit"})
        )
        wizard.action_return()
        self.assertEqual((week.state, week.return_reason), ("returned", "Add a visit"))
        week.with_user(self.user).action_submit()
        week.with_user(self.manager).action_approve()
        self.assertEqual((week.state, week.approver_id), ("approved", self.manager))
        # Editing the week's visits sends it back to be submitted again.
        self._visit(SATURDAY + timedelta(days=8))
        self.assertEqual(week.state, "draft")
        self.assertFalse(week.approver_id)
        # Nobody writes the state directly.
        with self.assertRaises(AccessError):
            week.with_user(self.user).write({"state": "approved"})
        with self.assertRaises(AccessError):
            week.with_user(self.manager).write({"state": "approved"})
        with self.assertRaisesRegex(UserError, "state"):
            week.sudo().write({"state": "approved"})

    def test_manager_does_not_approve_own_week(self):
        self.customer.user_id = self.manager
        visit = self._visit(SATURDAY, user=self.manager)
        week = visit.week_id
        week.with_user(self.manager).action_submit()
        with self.assertRaisesRegex(AccessError, "own schedule"):
            week.with_user(self.manager).action_approve()
        week.with_user(self.manager2).action_approve()
        self.assertEqual(week.state, "approved")

    def test_kpi_flag(self):
        self._plan(next_date=SUNDAY + timedelta(days=30))
        # Sunday: the coming week has no visit yet: its week is made and flagged.
        weeks = self.Week._cron_submit_reminder(today=SUNDAY)
        week = weeks.filtered(lambda w: w.user_id == self.user)
        self.assertEqual(week.date_start, date(2026, 11, 28))
        self.assertTrue(week.below_kpi)
        visit = self._visit(date(2026, 11, 30))
        self.assertEqual(visit.week_id, week)
        self.assertFalse(week.below_kpi)
        self.company.relation_visit_kpi = 2
        self.assertTrue(week.below_kpi)
        # Missed visits do not count.
        self.company.relation_visit_kpi = 1
        self.Visit._mark_missed(date(2026, 12, 5))
        self.assertEqual(visit.state, "missed")
        self.assertTrue(week.below_kpi)

    def test_sunday_reminder_once(self):
        self._plan(next_date=SUNDAY + timedelta(days=7))
        activity_type = self.env.ref("crm_relation.mail_activity_visit_week_submit")
        weeks = self.Week._cron_submit_reminder(today=SUNDAY)
        self.Week._cron_submit_reminder(today=SUNDAY)
        week = weeks.filtered(lambda w: w.user_id == self.user)
        activities = week.activity_ids.filtered(
            lambda a: a.activity_type_id == activity_type
        )
        self.assertEqual(len(activities), 1)
        self.assertEqual(activities.user_id, self.user)
        week.with_user(self.user).action_submit()
        self.assertFalse(week.activity_ids)
        # A submitted week gets no reminder.
        self.Week._cron_submit_reminder(today=SUNDAY)
        self.assertFalse(week.activity_ids)

    def test_monday_weekly_report(self):
        product = self.env["product.product"].create(
            {"name": "Report Tea", "list_price": 100.0}
        )
        last_monday = date(2026, 11, 16)  # in the week 14-20 November
        old_customer = self.env["res.partner"].create({"name": "Old Customer"})
        for partner, day in (
            (old_customer, date(2026, 10, 1)),  # bought before: not new
            (old_customer, last_monday),
            (self.customer, last_monday),  # first order: a new customer
            (self.customer, date(2026, 11, 18)),
        ):
            order = self.env["sale.order"].create(
                {
                    "partner_id": partner.id,
                    "user_id": self.user.id,
                    "order_line": [
                        Command.create({"product_id": product.id, "price_unit": 100})
                    ],
                }
            )
            order.action_confirm()
            order.date_order = datetime.combine(day, datetime.min.time()).replace(
                hour=10
            )
        visit = self._visit(last_monday, outcome="Tasting")
        with freeze_time(last_monday):
            visit.action_done()
        team = self.env["crm.team"].create({"name": "East", "user_id": self.manager.id})
        team.member_ids = [Command.link(self.user.id)]
        monday = date(2026, 11, 23)
        weeks = self.Week._cron_weekly_report(today=monday)
        week = weeks.filtered(lambda w: w.user_id == self.user)
        self.assertEqual(week.date_start, date(2026, 11, 14))
        self.assertEqual(
            (
                week.report_order_count,
                week.report_amount,
                week.report_new_customer_count,
                week.report_done_count,
            ),
            (3, 300.0, 1, 1),
        )
        message = week.message_ids.filtered(
            lambda m: "Weekly report" in (m.subject or "")
        )
        self.assertEqual(len(message), 1)
        self.assertEqual(message.partner_ids, self.manager.partner_id)
        # Not sent twice.
        again = self.Week._cron_weekly_report(today=monday)
        self.assertNotIn(week, again)

    def _confirmed_order(self, partner, when_utc):
        product = self.env["product.product"].create(
            {"name": "Report Kettle", "list_price": 80.0}
        )
        order = self.env["sale.order"].create(
            {
                "partner_id": partner.id,
                "user_id": self.user.id,
                "order_line": [
                    Command.create({"product_id": product.id, "price_unit": 80})
                ],
            }
        )
        order.action_confirm()
        order.date_order = when_utc
        return order

    def test_weekly_report_counts_a_first_order_after_local_midnight(self):
        # The week of Saturday 14 to Friday 20 November, in Shanghai: a
        # first-ever order at 02:00 on the Saturday is 18:00 UTC on Friday 13.
        self.user.tz = "Asia/Shanghai"
        self._plan()
        newcomer = self.env["res.partner"].create({"name": "午夜新客 Midnight"})
        self._confirmed_order(newcomer, datetime(2026, 11, 13, 18, 0))
        weeks = self.Week._cron_weekly_report(today=date(2026, 11, 23))
        week = weeks.filtered(lambda w: w.user_id == self.user)
        self.assertEqual(week.date_start, date(2026, 11, 14))
        self.assertEqual(
            (week.report_order_count, week.report_new_customer_count),
            (1, 1),
            "a first order on the week's first local day is a new customer",
        )

    def test_weekly_report_goes_to_managers_through_implying_groups(self):
        manager_group = self.env.ref("crm_relation.group_crm_relation_manager")
        leadership = self.env["res.groups"].create(
            {"name": "Leadership", "implied_ids": [Command.link(manager_group.id)]}
        )
        director = new_test_user(self.env, "t_crm_director", groups="base.group_user")
        director.group_ids = [Command.link(leadership.id)]
        self.assertIn(manager_group, director.all_group_ids)
        self.assertNotIn(director, manager_group.user_ids, "held through Leadership")
        self._plan()
        weeks = self.Week._cron_weekly_report(today=date(2026, 11, 23))
        week = weeks.filtered(lambda w: w.user_id == self.user)
        message = week.message_ids.filtered(
            lambda m: "Weekly report" in (m.subject or "")
        )
        self.assertIn(director.partner_id, message.partner_ids)
        self.assertIn(self.manager.partner_id, message.partner_ids)

    # -- hand-over ----------------------------------------------------------

    def test_holiday_handover(self):
        inside = self._visit(date(2027, 2, 15))
        outside = self._visit(date(2027, 2, 25))
        done = self._visit(date(2027, 2, 16), outcome="ok")
        done.action_done()
        wizard = (
            self.env["crm.relation.visit.handover"]
            .with_user(self.user)
            .create(
                {
                    "to_user_id": self.colleague.id,
                    "date_from": date(2027, 2, 10),
                    "date_to": date(2027, 2, 20),
                    "reason": "春节 Spring Festival",
                }
            )
        )
        self.assertEqual(wizard.visit_ids, inside)
        wizard.action_handover()
        inside = inside.with_env(self.env)
        self.assertEqual(inside.user_id, self.colleague)
        self.assertEqual(inside.handover_from_id, self.user)
        self.assertEqual(inside.week_id.user_id, self.colleague)
        self.assertEqual(outside.user_id, self.user)
        self.assertEqual(done.user_id, self.user)
        log = inside.message_ids.filtered(lambda m: "Handed over" in (m.body or ""))
        self.assertIn("Spring Festival", log.body)
        self.assertIn(self.colleague.name, log.body)
        # The colleague now owns it; the absent user no longer sees it.
        self.assertFalse(
            self.Visit.with_user(self.user).search([("id", "=", inside.id)])
        )
        # Nothing left to hand over; and no one hands over someone else's.
        with self.assertRaisesRegex(UserError, "no planned visits"):
            wizard.action_handover()
        other = (
            self.env["crm.relation.visit.handover"]
            .with_user(self.user)
            .create(
                {
                    "from_user_id": self.colleague.id,
                    "to_user_id": self.user.id,
                    "date_from": date(2027, 2, 10),
                    "date_to": date(2027, 2, 20),
                }
            )
        )
        with self.assertRaises(AccessError):
            other.action_handover()

    def test_handover_to_someone_without_the_role(self):
        self._visit(date(2027, 2, 15))
        outsider = self.users["outsider"]
        wizard = (
            self.env["crm.relation.visit.handover"]
            .with_user(self.user)
            .create(
                {
                    "to_user_id": outsider.id,
                    "date_from": date(2027, 2, 10),
                    "date_to": date(2027, 2, 20),
                }
            )
        )
        with self.assertRaisesRegex(UserError, "Customer Relations user"):
            wizard.action_handover()

    # -- the partner form ---------------------------------------------------

    def test_partner_next_visit_and_count(self):
        self._visit(date(2026, 12, 10))
        self._visit(date(2026, 12, 3))
        self._visit(date(2026, 11, 1)).action_cancel()
        partner = self.customer.with_user(self.user)
        self.assertEqual(partner.relation_visit_count, 3)
        self.assertEqual(partner.relation_next_visit_date, date(2026, 12, 3))
        action = partner.action_view_visits()
        self.assertEqual(
            self.Visit.with_user(self.user).search_count(action["domain"]), 3
        )

    # -- access -------------------------------------------------------------

    def test_access_rules(self):
        mine = self._visit(SUNDAY)
        theirs = self._visit(SUNDAY, user=self.colleague, partner=self.other_customer)
        plan = self._plan(partner=self.other_customer, user=self.colleague)
        as_user = self.Visit.with_user(self.user)
        self.assertEqual(as_user.search([("id", "in", (mine | theirs).ids)]), mine)
        with self.assertRaises(AccessError):
            theirs.with_user(self.user).read(["outcome"])
        with self.assertRaises(AccessError):
            theirs.with_user(self.user).write({"outcome": "x"})
        with self.assertRaises(AccessError):
            plan.with_user(self.user).read(["next_date"])
        with self.assertRaises(AccessError):
            mine.with_user(self.user).unlink()
        # Managers see and change all in their companies.
        self.assertEqual(
            self.Visit.with_user(self.manager).search(
                [("id", "in", (mine | theirs).ids)]
            ),
            mine | theirs,
        )
        theirs.with_user(self.manager).outcome = "Checked by the manager"
        # Auditors read all, write none.
        auditor = self.users["auditor"]
        self.assertEqual(len(theirs.with_user(auditor).read(["outcome"])), 1)
        for record in (theirs, plan, theirs.week_id):
            with self.assertRaises(AccessError):
                record.with_user(auditor).write({"display_name": "x"})
        # The outsider reads nothing.
        outsider = self.users["outsider"]
        for record in (mine, plan, mine.week_id):
            with self.assertRaises(AccessError):
                record.with_user(outsider).read(["display_name"])

    def test_other_company_is_invisible(self):
        other = self.env["res.company"].create({"name": "Visit Other Co"})
        self.manager.company_ids += other
        foreign = self.Visit.sudo().create(
            {
                "partner_id": self.other_customer.id,
                "user_id": self.manager.id,
                "company_id": other.id,
                "planned_date": SUNDAY,
            }
        )
        # Only the manager's current company is active.
        as_manager = self.Visit.with_user(self.manager).with_context(
            allowed_company_ids=[self.company.id]
        )
        self.assertFalse(as_manager.search([("id", "=", foreign.id)]))
        self.assertEqual(foreign.week_id.company_id, other)
        with self.assertRaises(AccessError):
            foreign.with_user(self.user).read(["outcome"])
