# Copyright 2026 crm_relation developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Visits in Odoo's Calendar: each planned visit is an all-day meeting of
its account manager, which follows the visit (moved, handed over, done,
cancelled), and which moves the visit when moved in the Calendar."""

from datetime import date, datetime, timedelta
from unittest.mock import patch

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from odoo.addons.crm_relation.models import guards
from odoo.addons.crm_relation.models.crm_relation_visit import VISIT_CALENDAR
from odoo.addons.mail.tests.common import MailCase

from .common import make_role_users, trusted


@tagged("post_install", "-at_install", "crm_relation")
class TestVisitCalendar(MailCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.users = make_role_users(cls.env)
        cls.user = cls.users["user"]
        cls.manager = cls.users["manager"]
        cls.auditor = cls.users["auditor"]
        cls.colleague = new_test_user(
            cls.env,
            "t_crm_cal_colleague",
            groups="crm_relation.group_crm_relation_user",
            email="colleague@example.com",
        )
        cls.user.email = "am@example.com"
        cls.company = cls.env.company
        cls.company.relation_visit_invite_customers = False
        cls.customer = cls.env["res.partner"].create(
            {
                "name": "日历客户 Calendar Customer",
                "email": "customer@example.com",
                "user_id": cls.user.id,
            }
        )
        cls.Visit = cls.env["crm.relation.visit"]
        cls.Event = cls.env["calendar.event"]
        cls.day = fields.Date.today() + timedelta(days=10)

    def _visit(self, planned=None, user=None, **vals):
        return self.Visit.with_user(user or self.user).create(
            {
                "partner_id": self.customer.id,
                "planned_date": planned or self.day,
                **vals,
            }
        )

    def _my_meetings(self, user):
        """The meetings the Calendar app shows ``user`` by default: those
        they attend (its attendee filter on their own partner)."""
        return self.Event.with_user(user).search(
            [("partner_ids", "in", user.partner_id.ids)]
        )

    def _assert_in_step(self, visit):
        # Read as the system: the meeting is private, and the test's user is
        # no attendee (Odoo hides a private meeting's details from others,
        # in the cache too).
        event = visit.calendar_event_id.sudo()
        event.invalidate_recordset()
        self.assertTrue(event)
        self.assertTrue(event.allday)
        self.assertEqual(event.start_date, visit.planned_date)
        self.assertEqual(event.stop_date, visit.planned_date)
        self.assertEqual(event.user_id, visit.user_id)
        self.assertEqual(event.partner_ids, visit.user_id.partner_id)
        self.assertEqual(event.res_model, "crm.relation.visit")
        self.assertEqual(event.res_id, visit.id)

    def _mails_to(self, partner):
        """Mails and notifications made for ``partner``."""
        mails = self._new_mails.filtered(
            lambda m: partner in m.recipient_ids or partner.email in (m.email_to or "")
        )
        sent = [m for m in self._mails if partner.email in str(m["email_to"])]
        return mails, sent

    # -- the meeting follows the visit --------------------------------------

    def test_planned_visit_is_a_meeting_of_its_account_manager(self):
        visit = self._visit()
        self._assert_in_step(visit)
        event = visit.calendar_event_id
        self.assertIn(self.customer.name, event.name)
        attendee = event.attendee_ids
        self.assertEqual(attendee.partner_id, self.user.partner_id)
        self.assertEqual(attendee.state, "accepted")
        # Shown in the account manager's Calendar, not in a colleague's.
        self.assertIn(event, self._my_meetings(self.user))
        self.assertNotIn(event, self._my_meetings(self.colleague))
        # Read as the account manager: the day the visit calendar shows.
        self.assertEqual(
            event.with_user(self.user).read(["start_date", "allday"])[0]["start_date"],
            visit.with_user(self.user).read(["planned_date"])[0]["planned_date"],
        )
        # The meeting schedules no "Meeting" activity on the visit.
        self.assertFalse(visit.activity_ids)
        # The customer is no attendee and is not the meeting's contact.
        self.assertNotIn(self.customer, event.partner_ids)

    def test_moved_visit_moves_its_meeting(self):
        visit = self._visit()
        visit.with_user(self.user).planned_date = self.day + timedelta(days=3)
        self._assert_in_step(visit)
        self.assertEqual(visit.calendar_event_id.start_date, self.day + timedelta(3))

    def test_handed_over_visit_changes_its_meetings_hands(self):
        visit = self._visit()
        event = visit.calendar_event_id
        self.env["crm.relation.visit.handover"].with_user(self.user).create(
            {
                "to_user_id": self.colleague.id,
                "date_from": self.day - timedelta(days=1),
                "date_to": self.day + timedelta(days=1),
                "reason": "Holiday",
            }
        ).action_handover()
        self.assertEqual(visit.user_id, self.colleague)
        self.assertEqual(visit.calendar_event_id, event)
        self._assert_in_step(visit)
        self.assertEqual(event.sudo().attendee_ids.state, "accepted")
        self.assertIn(event, self._my_meetings(self.colleague))
        self.assertNotIn(event, self._my_meetings(self.user))

    def test_plan_and_winback_reassignment_move_the_meetings(self):
        plan = (
            self.env["crm.relation.visit.plan"]
            .with_user(self.user)
            .create(
                {
                    "partner_id": self.customer.id,
                    "next_date": self.day,
                    "interval": 1,
                    "interval_unit": "week",
                }
            )
        )
        self.company.relation_visit_horizon_days = 30
        visits = plan.action_generate_visits()
        self.assertGreater(len(visits), 1)
        plan.with_user(self.manager).user_id = self.colleague
        for visit in visits:
            self.assertEqual(visit.user_id, self.colleague)
            self._assert_in_step(visit)
        # A win-back episode's visit, set-based too, follows the episode.
        partner = self.env["res.partner"].create(
            {"name": "流失客户 Lapsing", "user_id": self.user.id, "customer_rank": 1}
        )
        self.company.relation_churn_threshold = 60
        trusted(partner.with_company(self.company)).write(
            {"relation_churn_risk": 90, "rfm_monetary": 100.0}
        )
        Winback = self.env["crm.relation.winback"]
        episode = Winback._after_evaluation(self.company, partner)["opened"]
        self.assertEqual(len(episode), 1)
        self._assert_in_step(episode.visit_id)
        episode.with_user(self.manager).user_id = self.colleague
        self.assertEqual(episode.visit_id.user_id, self.colleague)
        self._assert_in_step(episode.visit_id)

    def test_done_visit_keeps_its_meeting_marked_done(self):
        visit = self._visit(outcome="Ordered 20 boxes of tea")
        event = visit.calendar_event_id
        visit.with_user(self.user).action_done()
        self.assertEqual(visit.calendar_event_id, event)
        self.assertTrue(event.active)
        self._assert_in_step(visit)
        self.assertIn("(done)", event.name)
        # The outcome stays on the visit; the meeting is private.
        self.assertNotIn("Ordered 20 boxes of tea", str(event.description))
        self.assertEqual(event.privacy, "private")
        self.assertIn(event, self._my_meetings(self.user))
        # Its account manager reads it; a colleague sees only "Busy".
        self.assertEqual(event.with_user(self.user).read(["name"])[0]["name"],
                         event.name)  # fmt: skip
        event.invalidate_recordset()
        seen = event.with_user(self.colleague).read(["name", "description"])[0]
        event.invalidate_recordset()
        self.assertEqual(seen["name"], "Busy")
        self.assertFalse(seen["description"])
        # A done visit's meeting stays on the day it happened.
        with self.assertRaisesRegex(UserError, "only a planned visit moves"):
            event.with_user(self.user).write(
                {
                    "start_date": self.day + timedelta(1),
                    "stop_date": self.day + timedelta(1),
                }
            )

    def test_cancelled_visit_archives_its_meeting(self):
        visit = self._visit()
        event = visit.calendar_event_id
        visit.with_user(self.user).action_cancel()
        self.assertFalse(event.active)
        self.assertNotIn(event, self._my_meetings(self.user))
        visit.with_user(self.user).action_reset()
        self.assertTrue(event.active)
        self._assert_in_step(visit)
        # Deleting a visit deletes its meeting.
        visit.with_user(self.manager).unlink()
        self.assertFalse(event.exists())

    def test_meetings_in_step_are_not_written_again(self):
        today = fields.Date.today()
        visits = self._visit(planned=today - timedelta(2)) | self._visit(
            planned=today - timedelta(3), outcome="Line one\nline two"
        )
        Event = type(self.Event)
        with patch.object(
            Event, "write", autospec=True, side_effect=Event.write
        ) as write:
            self.Visit._mark_missed()
        self.assertEqual(visits.mapped("state"), ["missed", "missed"])
        write.assert_not_called()
        # Done late: its meeting's name and description change, once.
        with patch.object(
            Event, "write", autospec=True, side_effect=Event.write
        ) as write:
            visits[1].with_user(self.user).action_done()
            visits[1].with_user(self.user).satisfaction = "5"
        self.assertEqual(write.call_count, 1)
        self.assertIn("(done)", visits[1].calendar_event_id.name)
        with patch.object(
            Event, "write", autospec=True, side_effect=Event.write
        ) as write:
            visits[1].with_user(self.user).outcome = "Line one\nline two"
        write.assert_not_called()

    def test_visits_made_before_meetings_get_theirs_when_still_planned(self):
        today = fields.Date.today()
        past, coming = self._visit(planned=today - timedelta(4)), self._visit()
        for visit in past | coming:  # as before visits had meetings
            event = visit.calendar_event_id
            trusted(visit.sudo()).calendar_event_id = False
            guards.trusted(event.sudo(), flags=[VISIT_CALENDAR]).unlink()
        overdue = self._visit(planned=today - timedelta(1))
        event = overdue.calendar_event_id
        trusted(overdue.sudo()).calendar_event_id = False
        guards.trusted(event.sudo(), flags=[VISIT_CALENDAR]).unlink()
        overdue.with_user(self.user).outcome = "Still planned, overdue"
        self.assertFalse(overdue.calendar_event_id, "an overdue visit gets none")
        self.Visit._mark_missed()
        self.assertEqual(past.state, "missed")
        self.assertFalse(past.calendar_event_id, "a past visit gets no meeting")
        coming.with_user(self.user).planned_date = self.day + timedelta(1)
        self._assert_in_step(coming)

    # -- moved in the Calendar ----------------------------------------------

    def test_meeting_moved_in_calendar_moves_the_visit(self):
        visit = self._visit()
        event = visit.calendar_event_id.with_user(self.user)
        later = self.day + timedelta(days=2)
        # Dragged to another day in the month view (all day).
        event.write({"start": datetime.combine(later, datetime.min.time()),
                     "stop": datetime.combine(later, datetime.min.time())})  # fmt: skip
        self.assertEqual(visit.planned_date, later)
        self._assert_in_step(visit)
        # Dragged to 10:00 another day in the week view: the visit takes the
        # day, its meeting stays all day (visits are planned by the day).
        latest = later + timedelta(days=1)
        event.write(
            {
                "allday": False,
                "start": datetime.combine(latest, datetime.min.time()).replace(hour=2),
                "stop": datetime.combine(latest, datetime.min.time()).replace(hour=3),
            }
        )
        self.assertEqual(visit.planned_date, latest)
        self._assert_in_step(visit)
        self.assertEqual(visit.week_id.date_start.weekday(), 5)  # its new week

    def test_meeting_is_deleted_or_archived_through_its_visit_only(self):
        visit = self._visit()
        event = visit.calendar_event_id
        with self.assertRaisesRegex(UserError, "cancel the visit"):
            event.with_user(self.user).unlink()
        with self.assertRaisesRegex(UserError, "cancel the visit"):
            event.with_user(self.user).action_archive()
        with self.assertRaisesRegex(UserError, "cancel the visit"):
            event.with_user(self.user).write({"res_id": self.customer.id})
        self.assertTrue(event.active)
        # Other fields (a note, a reminder) are the account manager's.
        event.with_user(self.user).location = "Shanghai office"
        self.assertEqual(event.location, "Shanghai office")

    # -- mails ----------------------------------------------------------------

    def test_customer_gets_no_mail_by_default(self):
        with self.mock_mail_gateway():
            visit = self._visit(user=self.manager, outcome="Fine")
            visit.with_user(self.manager).planned_date = self.day + timedelta(1)
            visit.with_user(self.manager).user_id = self.colleague
            visit.with_user(self.manager).action_done()
            self.env.flush_all()
        mails, sent = self._mails_to(self.customer)
        self.assertFalse(mails)
        self.assertFalse(sent)
        messages = self.env["mail.message"].search(
            [("partner_ids", "in", self.customer.ids)]
        )
        self.assertFalse(messages)
        self.assertNotIn(self.customer, visit.calendar_event_id.partner_ids)

    def test_customer_invited_when_the_company_says_so(self):
        self.company.relation_visit_invite_customers = True
        with self.mock_mail_gateway():
            visit = self._visit()
        event = visit.calendar_event_id
        self.assertEqual(event.partner_ids, self.user.partner_id | self.customer)
        mails, sent = self._mails_to(self.customer)
        self.assertTrue(mails or sent, "the customer's invitation")
        invitation = mails[:1]
        self.assertIn(event.name, invitation.subject or sent[0]["subject"])
        # The account manager, who planned it, gets no mail of their own.
        self.assertFalse(self._mails_to(self.user.partner_id)[0])
        # Never to a win-back visit: the customer is not told they lapse.
        with self.mock_mail_gateway():
            winback = self._visit(purpose="win_back")
        self.assertEqual(winback.calendar_event_id.partner_ids, self.user.partner_id)
        self.assertFalse(self._mails_to(self.customer)[0])
        self.assertFalse(self._mails_to(self.customer)[1])
        # Moved: the customer is told the new date.
        with self.mock_mail_gateway():
            visit.with_user(self.user).planned_date = self.day + timedelta(2)
        mails, sent = self._mails_to(self.customer)
        self.assertTrue(mails or sent, "the customer's change of date")

    # -- set-based ------------------------------------------------------------

    def test_bulk_visits_create_their_meetings_at_once(self):
        customers = self.env["res.partner"].create(
            [{"name": f"Bulk {i}", "user_id": self.user.id} for i in range(11)]
        )
        Visit = self.Visit.with_user(self.user)

        def create(partners):
            self.env.flush_all()
            self.env.invalidate_all()
            before = self.cr.sql_log_count
            visits = Visit.create(
                [{"partner_id": p.id, "planned_date": self.day} for p in partners]
            )
            self.env.flush_all()
            return visits, self.cr.sql_log_count - before

        create(customers[:1])  # the week, and Odoo's caches
        small, small_count = create(customers[1:3])
        large, large_count = create(customers[3:])
        self.assertEqual(len(large), 8)
        self.assertEqual(len(large.calendar_event_id), 8)
        self.assertEqual(small_count, large_count)
        for visit in small | large:
            self._assert_in_step(visit)

    # -- access -----------------------------------------------------------------

    def test_auditor_cannot_make_or_move_meetings_through_visits(self):
        visit = self._visit()
        event = visit.calendar_event_id
        count = self.Event.search_count([])
        with self.assertRaises(AccessError):
            self._visit(user=self.auditor)
        with self.assertRaises(AccessError):
            visit.with_user(self.auditor).planned_date = self.day + timedelta(1)
        later = self.day + timedelta(1)
        for vals in (
            {"start_date": later, "stop_date": later},
            {"name": "Renamed"},
        ):
            with self.subTest(vals=vals), self.assertRaises(AccessError):
                event.with_user(self.auditor).write(vals)
        with self.assertRaises(AccessError):
            event.with_user(self.users["outsider"]).write(
                {"start_date": later, "stop_date": later}
            )
        self.assertEqual(self.Event.search_count([]), count)
        self.assertEqual(visit.planned_date, self.day)
        self._assert_in_step(visit)
        self.assertNotEqual(event.name, "Renamed")
        # The event's guarded link is set by the addon alone.
        with self.assertRaisesRegex(UserError, "cannot be set"):
            visit.with_user(self.manager).calendar_event_id = False
        with self.assertRaisesRegex(UserError, "cannot be set"):
            self.Visit.with_user(self.user).create(
                {"partner_id": self.customer.id, "calendar_event_id": event.id}
            )

    def test_visit_calendar_and_odoo_calendar_show_the_same_day(self):
        visits = self._visit() | self._visit(planned=self.day + timedelta(5))
        for visit in visits:
            view_day = visit.read(["planned_date"])[0]["planned_date"]
            event = visit.calendar_event_id.read(["start", "stop", "allday"])[0]
            self.assertTrue(event["allday"])
            self.assertEqual(event["start"].date(), view_day)
            self.assertEqual(event["stop"].date(), view_day)
            self.assertIsInstance(view_day, date)
