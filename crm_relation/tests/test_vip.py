# Copyright 2026 crm_relation developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

from psycopg2 import IntegrityError

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from .common import trusted
from .invoicing_case import CNY_PER_UNIT, TODAY, InvoicingCase


@tagged("post_install", "-at_install", "crm_relation")
class TestVip(InvoicingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Vip = cls.env["crm.relation.vip"]
        cls.user.group_ids += cls.env.ref("sales_team.group_sale_salesman")

    def _sale(self, partner, days_ago, amount, qty):
        """An invoice of ``amount`` in the company currency."""
        return self._invoice(partner, days_ago, amount * CNY_PER_UNIT, qty=qty)

    def _qualified_customer(self, name, days_ago=10):
        partner = self._customer(name)
        for i, (amount, qty) in enumerate(((4000, 4), (3000, 3), (3000, 3))):
            self._sale(partner, days_ago + i, amount, qty)
        return partner

    def _evaluate_vips(self, partners=None, when=TODAY, user=None):
        vips = self.Vip.with_user(user or self.manager).with_company(self.company)
        if when == fields.Date.context_today(vips):
            return vips.evaluate_candidates(partners and partners.ids)
        # Evaluating as of another day is for the addon's own runs only.
        vips.check_access("read")
        return vips._evaluate_candidates(self.company, partners or None, when)

    def _vip(self, partner):
        return self.Vip.search(
            [("partner_id", "=", partner.id), ("company_id", "=", self.company.id)]
        )

    def _wizard(self, vips, action, user=None, **vals):
        wizard = (
            self.env["crm.relation.vip.wizard"]
            .with_user(user or self.manager)
            .create({"vip_ids": [Command.set(vips.ids)], "action": action, **vals})
        )
        return wizard.action_apply()

    def _active_vip(self, partner, date_reply):
        self._evaluate_vips(partner)
        record = self._vip(partner)
        record.with_user(self.manager).action_send_invitation()
        self._wizard(record, "register", date_reply=date_reply)
        return record

    # -- qualification ------------------------------------------------------

    def test_qualification_edges_are_inclusive(self):
        exact = self._qualified_customer("Exactly the seed's minimums")
        two_orders = self._customer("Two orders")
        self._sale(two_orders, 5, 5000, 5)
        self._sale(two_orders, 6, 5000, 5)
        nine_items = self._customer("Nine items")
        for amount, qty in ((4000, 3), (3000, 3), (3000, 3)):
            self._sale(nine_items, 5, amount, qty)
        short_amount = self._customer("Three cents short")
        for amount, qty in ((4000, 4), (3000, 3), (2999.97, 3)):
            self._sale(short_amount, 5, amount, qty)
        old = self._customer("Outside the window")
        self._sale(old, 366, 5000, 5)
        self._sale(old, 10, 2500, 3)
        self._sale(old, 11, 2500, 3)
        self._sale(old, 12, 5000, 4)
        partners = exact | two_orders | nine_items | short_amount | old
        result = self._evaluate_vips(partners)
        self.assertEqual(result, {"qualified": 2, "created": 2})
        self.assertEqual(
            self.Vip.search([("partner_id", "in", partners.ids)]).partner_id,
            exact | old,
            "the 366-days-old invoice is outside the window; old still has "
            "3 orders, 10 items and 10,000 inside it",
        )
        record = self._vip(exact)
        self.assertEqual(
            (record.state, record.origin, record.qualified_orders),
            ("candidate", "evaluation", 3),
        )
        self.assertAlmostEqual(record.qualified_amount, 10000, places=2)
        self.assertAlmostEqual(record.qualified_items, 10)

    def test_thresholds_are_per_company_settings(self):
        partner = self._qualified_customer("Raised bar")
        self.company.relation_vip_min_orders = 4
        self.assertEqual(self._evaluate_vips(partner)["created"], 0)
        self.company.relation_vip_min_orders = 3
        self.assertEqual(self._evaluate_vips(partner)["created"], 1)

    def test_evaluation_never_opens_a_second_record_and_asks_for_a_call(self):
        partner = self._qualified_customer("Called once")
        self._evaluate_vips(partner)
        self._evaluate_vips(partner)
        record = self._vip(partner)
        self.assertEqual(len(record), 1)
        call = self.env.ref("crm_relation.mail_activity_vip_call")
        self.assertEqual(record.activity_ids.activity_type_id, call)
        self.assertEqual(record.activity_ids.user_id, self.manager)
        # Even created directly, a second open record is refused by the index.
        with (
            mute_logger("odoo.sql_db"),
            self.assertRaises(IntegrityError),
            self.cr.savepoint(),
        ):
            self.Vip.create(
                {
                    "partner_id": partner.id,
                    "company_id": self.company.id,
                    "reason": "again",
                }
            )

    def test_blocked_customers_do_not_qualify(self):
        partner = self._qualified_customer("Blocked")
        trusted(self._in(partner)).relation_blocked = True
        self.assertEqual(self._evaluate_vips(partner)["created"], 0)

    def test_only_managers_evaluate(self):
        for user in (self.user, self.auditor):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.Vip.with_user(user).evaluate_candidates()

    # -- lifecycle ------------------------------------------------------------

    def test_invitation_registration_and_who_may(self):
        partner = self._qualified_customer("Lifecycle")
        self._evaluate_vips(partner)
        record = self._vip(partner)
        with self.assertRaises(AccessError):
            record.with_user(self.user).action_send_invitation()
        action = record.with_user(self.manager).action_send_invitation()
        self.assertEqual(action["report_name"], "crm_relation.report_vip_invitation")
        self.assertEqual(record.state, "invited")
        self.assertTrue(record.card_number.startswith("VIP"))
        self.assertEqual(record.date_invited, TODAY.today())
        with self.assertRaises(AccessError):
            self._wizard(record, "register", user=self.user, date_reply=TODAY)
        with self.assertRaises(UserError):
            record.with_user(self.manager).action_send_invitation()
        self._wizard(record, "register", date_reply=TODAY, details="Prefers tea")
        self.assertEqual(record.state, "active")
        self.assertEqual((record.date_start, record.date_end),
                         (TODAY, TODAY.replace(year=TODAY.year + 1)))  # fmt: skip
        self.assertEqual(record.details, "Prefers tea")
        self.assertEqual(record.period_ids.kind, "registration")
        customer = self._in(partner)
        self.assertTrue(customer.relation_is_vip)
        self.assertEqual(customer.relation_vip_card_number, record.card_number)
        self.assertIn(partner, self.env["res.partner"].with_company(
            self.company).search([("relation_is_vip", "=", True)]))  # fmt: skip
        with self.assertRaisesRegex(UserError, "cannot be refused"):
            record.with_user(self.manager).action_refuse("too late")

    def test_suspend_resume_refuse_need_a_manager_and_a_reason(self):
        partner = self._qualified_customer("Suspended")
        record = self._active_vip(partner, TODAY)
        with self.assertRaises(AccessError):
            record.with_user(self.user).action_suspend("unpaid invoices")
        with self.assertRaises(ValidationError):
            record.with_user(self.manager).action_suspend("  ")
        self._wizard(record, "suspend", reason="Unpaid invoices")
        self.assertEqual((record.state, record.reason),
                         ("suspended", "Unpaid invoices"))  # fmt: skip
        self.assertFalse(self._in(partner).relation_is_vip)
        self._wizard(record, "resume", reason="Paid")
        self.assertEqual(record.state, "active")
        other = self._qualified_customer("Refused")
        self._evaluate_vips(other)
        self._wizard(self._vip(other), "refuse", reason="Asked not to be contacted")
        self.assertEqual(self._vip(other).state, "refused")
        # A refused record is closed: a later evaluation may propose again.
        self.assertEqual(self._evaluate_vips(other)["created"], 1)

    def test_users_propose_with_a_reason_and_never_set_the_state(self):
        partner = self._customer("Proposed")
        with self.assertRaisesRegex(ValidationError, "needs a reason"):
            self.Vip.with_user(self.user).create({"partner_id": partner.id})
        record = self.Vip.with_user(self.user).create(
            {"partner_id": partner.id, "reason": "Buys for a big family business"}
        )
        self.assertEqual((record.state, record.origin), ("candidate", "nomination"))
        with self.assertRaisesRegex(UserError, "state"):
            record.with_user(self.user).write({"state": "active"})
        with self.assertRaisesRegex(UserError, "state"):
            record.with_user(self.manager).write({"state": "active"})
        record.with_user(self.user).details = "Birthday in May"
        with self.assertRaises(AccessError):
            record.with_user(self.auditor).details = "x"
        record.with_user(self.auditor).read(["state"])
        with self.assertRaises(AccessError):
            record.with_user(self.user).unlink()

    def test_contacts_are_not_vips(self):
        company = self._customer("Parent Co", is_company=True)
        contact = self.env["res.partner"].create(
            {"name": "Contact", "parent_id": company.id}
        )
        with self.assertRaisesRegex(ValidationError, "contact of"):
            self.Vip.create({"partner_id": contact.id, "reason": "x"})

    def test_customers_of_another_company_are_no_vips_here(self):
        other = self.env["res.company"].create({"name": "VIP Other Co"})
        foreign = self._customer("Other company's customer")
        foreign.company_id = other
        with self.assertRaises(UserError) as caught:
            self.Vip.create({"partner_id": foreign.id, "reason": "x"})
        self.assertIn("company inconsistencies", str(caught.exception))
        self.assertFalse(self._vip(foreign))

    # -- expiry -----------------------------------------------------------------

    def test_expiry_reminder_once_then_renewal_or_lapse(self):
        keeper = self._qualified_customer("Keeps buying")
        # Bought 350 days ago: qualifies today, not at expiry (20 days on).
        leaver = self._qualified_customer("Stops buying", days_ago=350)
        start = TODAY - timedelta(days=345)
        kept, lapsing = (self._active_vip(p, start) for p in (keeper, leaver))
        end = TODAY + timedelta(days=20)
        self.assertEqual(kept.date_end, end)
        expiry = self.env.ref("crm_relation.mail_activity_vip_expiry")

        self.Vip._cron_lifecycle(today=TODAY - timedelta(days=11))  # 31 days before
        self.assertFalse(
            kept.activity_ids.filtered(lambda a: a.activity_type_id == expiry)
        )
        self.Vip._cron_lifecycle(today=TODAY)
        self.Vip._cron_lifecycle(today=TODAY + timedelta(days=1))
        reminders = kept.activity_ids.filtered(lambda a: a.activity_type_id == expiry)
        self.assertEqual(len(reminders), 1, "reminded once")
        self.assertEqual(reminders.date_deadline, end)

        self.Vip._cron_lifecycle(today=end)
        self.assertEqual(kept.state, "active")
        self.assertEqual((kept.date_start, kept.date_end),
                         (end, end.replace(year=end.year + 1)))  # fmt: skip
        self.assertEqual(sorted(kept.period_ids.mapped("kind")),
                         ["registration", "renewal"])  # fmt: skip
        self.assertEqual(lapsing.state, "lapsed", "its orders left the window")
        self.assertFalse(self._in(leaver).relation_is_vip)
        self.assertTrue(self._in(keeper).relation_is_vip)
        audit = self.env["crm.relation.audit"].sudo().search(
            [("model", "=", "crm.relation.vip"), ("res_id", "=", lapsing.id),
             ("field_name", "=", "state")], order="sequence"
        )  # fmt: skip
        self.assertEqual(
            [(a.old_value, a.new_value) for a in audit],
            [(False, "candidate"), ("candidate", "invited"), ("invited", "active"),
             ("active", "lapsed")],
        )  # fmt: skip
        self.assertEqual(audit[-1].cause, "scheduled")

    def test_care_rule_takes_over_the_expiry_reminder(self):
        """With a card-expiry care rule for every VIP, the account manager
        gets its renewal call on the customer, not a second reminder."""
        partner = self._qualified_customer("Cared for")
        record = self._active_vip(partner, TODAY - timedelta(days=345))
        rule = self.env["crm.relation.care.rule"].create(
            {"name": "Renewal call", "kind": "vip_expiry", "days": 30,
             "company_id": self.company.id}
        )  # fmt: skip
        expiry = self.env.ref("crm_relation.mail_activity_vip_expiry")
        self.Vip._cron_lifecycle(today=TODAY)
        self.assertFalse(
            record.activity_ids.filtered(lambda a: a.activity_type_id == expiry)
        )
        # Limited to a tag, the rule no longer covers every VIP.
        rule.category_ids = self.env["res.partner.category"].create({"name": "T"})
        self.Vip._cron_lifecycle(today=TODAY)
        self.assertTrue(
            record.activity_ids.filtered(lambda a: a.activity_type_id == expiry)
        )

    # -- companies, badges, report ------------------------------------------------

    def test_companies_are_independent(self):
        partner = self._qualified_customer("Two companies")
        self._active_vip(partner, TODAY)
        other = self.setup_other_company()["company"]
        self._sale(partner, 5, 20000, 20)  # bought in A only; B has other books
        self.assertFalse(partner.with_company(other).relation_is_vip)
        self.assertEqual(
            self.Vip.with_company(other).evaluate_candidates([partner.id]),
            {"qualified": 0, "created": 0},
        )
        stranger = new_test_user(
            self.env, "t_vip_other", groups="crm_relation.group_crm_relation_manager",
            company_id=other.id, company_ids=[Command.set(other.ids)],
        )  # fmt: skip
        self.assertFalse(self.Vip.with_user(stranger).search([]))

    def test_badge_on_orders_and_tickets(self):
        partner = self._qualified_customer("Badge")
        record = self._active_vip(partner, TODAY)
        order = self.env["sale.order"].create(
            {"partner_id": partner.id, "company_id": self.company.id}
        )
        self.assertTrue(order.relation_is_vip)
        self.assertEqual(order.relation_vip_card_number, record.card_number)
        ticket = self.env["helpdesk.ticket"].sudo().create(
            {"name": "Late parcel", "description": "<p>Late</p>",
             "partner_id": partner.id, "company_id": self.company.id}
        )  # fmt: skip
        self.assertTrue(ticket.relation_is_vip)

    def test_printed_invitation_carries_the_card_number(self):
        partner = self._qualified_customer("Printed")
        self._evaluate_vips(partner)
        record = self._vip(partner)
        record.with_user(self.manager).action_send_invitation()
        html, kind = self.env["ir.actions.report"]._render_qweb_html(
            "crm_relation.report_vip_invitation", record.ids
        )
        self.assertEqual(kind, "html")
        html = html.decode()
        self.assertIn(record.card_number, html)
        self.assertIn("Printed", html)
        self.assertIn("VIP application form", html)
