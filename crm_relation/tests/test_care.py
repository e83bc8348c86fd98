# Copyright 2026 crm_relation developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import date, datetime, timedelta

from psycopg2 import IntegrityError

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from ..logic import care
from .common import trusted
from .invoicing_case import TODAY, InvoicingCase


@tagged("post_install", "-at_install", "crm_relation")
class TestCare(InvoicingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Rule = cls.env["crm.relation.care.rule"]
        cls.Log = cls.env["crm.relation.care.log"]
        # Only the rules of these tests fire.
        cls.Rule.search([]).active = False
        cls.fallback = cls._company_user(
            "t_care_fallback", "crm_relation.group_crm_relation_user"
        )
        cls.care_type = cls.env.ref("crm_relation.mail_activity_care")

    def _rule(self, kind, days=0, **vals):
        return self.Rule.create(
            {
                "name": f"Test {kind} {days}",
                "kind": kind,
                "days": days,
                "company_id": self.company.id,
                "user_id": self.fallback.id,
                "summary": f"Care {kind}",
                **vals,
            }
        )

    def _run(self, today=TODAY):
        self.Rule._cron_care(today=today)

    def _logs(self, partners, rule=None):
        domain = [("partner_id", "in", partners.ids)]
        if rule:
            domain.append(("rule_id", "=", rule.id))
        return self.Log.search(domain)

    def _care(self, partner, rule):
        return partner.activity_ids.filtered(
            lambda a: a.summary == rule.summary and a.res_model == "res.partner"
        )

    # -- birthday ---------------------------------------------------------------

    def test_birthday_fires_once(self):
        rule = self._rule("birthday")
        born = self._customer("生日 Birthday", birthdate_date=date(1990, 6, 30))
        other_day = self._customer("Other day", birthdate_date=date(1990, 8, 15))
        self._run()
        self._run()
        self._run(TODAY + timedelta(days=1))
        log = self._logs(born | other_day)
        self.assertEqual(log.partner_id, born)
        self.assertEqual(
            (log.cause_key, log.cause_date, log.date_deadline, log.user_id),
            ("birthday:2026-06-30", TODAY, TODAY, self.manager),
        )
        activity = self._care(born, rule)
        self.assertEqual(len(activity), 1)
        self.assertEqual(log.activity_id, activity)
        self.assertEqual(activity.user_id, self.manager, "the account manager")
        self.assertEqual(activity.activity_type_id, self.care_type)
        self.assertIn("2026-06-30", activity.note)
        self.assertFalse(log.done)
        activity.action_done()
        self.assertTrue(log.done, "the log keeps the firing once the call is done")
        # Next year is another birthday.
        self._run(date(2027, 6, 30))
        self.assertEqual(len(self._logs(born)), 2)

    def test_birthday_on_29_february_fires_on_28_february_in_common_years(self):
        self._rule("birthday")
        leap = self._customer("Leap", birthdate_date=date(2000, 2, 29))
        self._run(date(2027, 2, 27))
        self.assertFalse(self._logs(leap))
        self._run(date(2027, 2, 28))
        self._run(date(2027, 3, 1))
        log = self._logs(leap)
        self.assertEqual((len(log), log.cause_date), (1, date(2027, 2, 28)))
        self._run(date(2028, 2, 28))
        self.assertEqual(len(self._logs(leap)), 1, "2028 is a leap year")
        self._run(date(2028, 2, 29))
        self.assertEqual(self._logs(leap).mapped("cause_date")[0], date(2028, 2, 29))

    def test_lead_days_and_catch_up_window(self):
        self._rule("birthday", days=3)
        ahead = self._customer("In three days", birthdate_date=date(1980, 7, 3))
        missed = self._customer("Cron was down", birthdate_date=date(1980, 6, 29))
        stale = self._customer("Too long ago", birthdate_date=date(1980, 6, 20))
        self._run()
        logs = self._logs(ahead | missed | stale)
        self.assertEqual(logs.partner_id, ahead | missed)
        log = self._logs(ahead)
        self.assertEqual(log.date_deadline, date(2026, 7, 3), "due on the birthday")
        self.assertLess(self._logs(missed).date_deadline, TODAY, "overdue")

    def test_who_is_cared_for(self):
        rule = self._rule("birthday")
        company = self._customer("Company Customer", is_company=True)
        contact = self.env["res.partner"].create(
            {
                "name": "Contact",
                "parent_id": company.id,
                "birthdate_date": "1985-06-30",
            }
        )
        no_manager = self._customer(
            "No manager", birthdate_date="1985-06-30", user_id=False
        )
        prospect = self.env["res.partner"].create(
            {"name": "Not a customer", "birthdate_date": "1985-06-30"}
        )
        archived = self._customer("Archived", birthdate_date="1985-06-30")
        archived.action_archive()
        other = self.setup_other_company()["company"]
        elsewhere = self._customer(
            "Other company", birthdate_date="1985-06-30", company_id=other.id
        )
        self._run()
        logs = self._logs(contact | no_manager | prospect | archived | elsewhere)
        self.assertEqual(logs.partner_id, contact | no_manager)
        self.assertEqual(self._logs(contact).user_id, self.manager, "the company's")
        self.assertEqual(self._logs(no_manager).user_id, self.fallback)
        self.assertEqual(self._care(contact, rule).user_id, self.manager)

    # -- after a purchase ---------------------------------------------------------

    def test_after_purchase_by_invoice_date(self):
        week = self._rule("after_purchase", days=7)
        month = self._rule("after_purchase", days=28)
        buyer = self._customer("Buyer")
        self._invoice(buyer, 7, 500)
        self._invoice(buyer, 7, 300)  # the same day: one purchase
        self._invoice(buyer, 7, 100, refund=True)
        refunded = self._customer("Refund only")
        self._invoice(refunded, 7, 100, refund=True)
        for day in range(3):
            self._run(TODAY + timedelta(days=day))
        log = self._logs(buyer | refunded)
        self.assertEqual(log.partner_id, buyer)
        self.assertEqual(log.rule_id, week)
        self.assertEqual(log.cause_date, TODAY - timedelta(days=7))
        self.assertEqual(log.date_deadline, TODAY)
        self.assertEqual(len(self._care(buyer, week)), 1)
        # Three weeks later the 28-day rule fires, once.
        self._run(TODAY + timedelta(days=21))
        self._run(TODAY + timedelta(days=22))
        self.assertEqual(len(self._logs(buyer, month)), 1)
        self.assertEqual(len(self._logs(buyer)), 2)

    def test_after_purchase_by_delivery_date(self):
        """An order shipped from stock is cared for from its delivery; its
        invoice does not fire again."""
        rule = self._rule("after_purchase", days=7)
        buyer = self._customer("Delivered")
        product = self.env["product.product"].create(
            {"name": "Boxed tea", "type": "consu", "list_price": 50.0}
        )
        order = (
            self.env["sale.order"]
            .with_company(self.company)
            .create(
                {
                    "partner_id": buyer.id,
                    "company_id": self.company.id,
                    "order_line": [
                        Command.create({"product_id": product.id, "product_uom_qty": 2})
                    ],
                }
            )
        )
        order.action_confirm()
        picking = order.picking_ids
        self.assertEqual(picking.picking_type_code, "outgoing")
        # Invoiced before the delivery is done: the invoice does not count.
        invoice = order._create_invoices()
        invoice.invoice_date = TODAY - timedelta(days=9)
        invoice.action_post()
        self._run(TODAY - timedelta(days=2))
        self.assertFalse(self._logs(buyer))
        picking.move_ids.quantity = 2
        picking.button_validate()
        self.assertEqual(picking.state, "done")
        picking.date_done = datetime.combine(
            TODAY - timedelta(days=7), datetime.min.time()
        ) + timedelta(hours=6)
        for day in range(3):
            self._run(TODAY + timedelta(days=day))
        log = self._logs(buyer)
        self.assertEqual(len(log), 1)
        self.assertEqual(log.cause_date, TODAY - timedelta(days=7))
        self.assertEqual(len(self._care(buyer, rule)), 1)

    # -- VIP card expiry --------------------------------------------------------

    def test_vip_expiry_is_a_renewal_call_for_the_account_manager(self):
        rule = self._rule(
            "vip_expiry",
            days=30,
            activity_type_id=self.env.ref(
                "crm_relation.mail_activity_care_vip_renewal"
            ).id,
        )
        member = self._customer("VIP member")
        vip = trusted(self.env["crm.relation.vip"].sudo()).create(
            {
                "partner_id": member.id,
                "company_id": self.company.id,
                "reason": "Care test",
                "state": "active",
                "date_start": TODAY - timedelta(days=335),
                "date_end": TODAY + timedelta(days=30),
            }
        )
        self._run(TODAY - timedelta(days=1))
        self.assertFalse(self._logs(member))
        self._run()
        self._run(TODAY + timedelta(days=1))
        log = self._logs(member)
        self.assertEqual(log.cause_key, f"vip:{vip.id}:2026-07-30")
        activity = self._care(member, rule)
        self.assertEqual(activity.activity_type_id, rule.activity_type_id)
        self.assertNotEqual(
            activity.activity_type_id,
            self.env.ref("crm_relation.mail_activity_vip_expiry"),
            "not the membership's own expiry reminder",
        )
        self.assertEqual(activity.user_id, self.manager)
        self.assertEqual(activity.date_deadline, TODAY + timedelta(days=30))

    # -- tags (holidays: test_oca_parts) -----------------------------------------

    def test_tag_rule_carries_its_own_message(self):
        tag = self.env["res.partner.category"].create({"name": "Dry skin"})
        rule = self._rule(
            "partner_tag",
            category_ids=[Command.set(tag.ids)],
            note="<p>Recommend the hydrating range</p>",
        )
        tagged_customer = self._customer("Tagged", category_id=[Command.set(tag.ids)])
        untagged = self._customer("Untagged")
        self._run()
        self._run(TODAY + timedelta(days=1))
        self.assertEqual(
            self._logs(tagged_customer | untagged).partner_id, tagged_customer
        )
        activity = self._care(tagged_customer, rule)
        self.assertEqual(len(activity), 1)
        self.assertIn("Recommend the hydrating range", activity.note)
        self.assertIn("Dry skin", activity.note)
        # Tagged later: cared for on the next run, once.
        untagged.category_id = tag
        self._run(TODAY + timedelta(days=2))
        self._run(TODAY + timedelta(days=3))
        self.assertEqual(len(self._logs(untagged)), 1)
        self.assertEqual(len(self._logs(tagged_customer)), 1, "once: days is 0")

    def test_repeating_tag_rule(self):
        tag = self.env["res.partner.category"].create({"name": "Quarterly"})
        self._rule("partner_tag", days=30, category_ids=[Command.set(tag.ids)])
        customer = self._customer("Quarterly care", category_id=[Command.set(tag.ids)])
        period = care.tag_period(TODAY, 30)
        for day in range(0, 60, 5):
            self._run(period + timedelta(days=day))
        self.assertEqual(len(self._logs(customer)), 2, "one a 30-day period")

    # -- rules: off, company, validation ------------------------------------------

    def test_turned_off_rule_and_other_company_rule_do_not_fire(self):
        off = self._rule("birthday")
        off.active = False
        other = self.setup_other_company()["company"]
        self._rule("birthday", company_id=other.id, user_id=self.env.user.id)
        customer = self._customer(
            "Ours only", birthdate_date="1970-06-30", company_id=self.company.id
        )
        self._run()
        self.assertFalse(self._logs(customer))
        off.active = True
        self._run()
        self.assertEqual(self._logs(customer).rule_id, off)

    def test_invalid_rules_are_refused(self):
        with self.assertRaisesRegex(ValidationError, "Days"):
            self._rule("birthday", days=-1)
        with self.assertRaisesRegex(ValidationError, "Customer Tags"):
            self._rule("partner_tag")

    def test_the_log_is_unique_and_append_only(self):
        rule = self._rule("birthday")
        customer = self._customer("Logged", birthdate_date="1990-06-30")
        self.assertEqual(rule.with_user(self.manager).action_run_now()["tag"],
                         "display_notification")  # fmt: skip
        self._run()
        log = self._logs(customer)
        self.assertEqual(len(log), 1)
        self.assertEqual(rule.log_count, 1)
        for action in (
            lambda: log.write({"summary": "changed"}),
            log.unlink,
            lambda: self.Log.create({"rule_id": rule.id}),
        ):
            with self.assertRaises(UserError):
                action()
        with self.assertRaises(UserError):
            rule.unlink()
        with (
            mute_logger("odoo.sql_db"),
            self.assertRaises(IntegrityError),
            self.cr.savepoint(),
        ):
            self.env.cr.execute(
                "INSERT INTO crm_relation_care_log (rule_id, company_id, "
                "partner_id, kind, cause_key, date_fired) SELECT rule_id, "
                "company_id, partner_id, kind, cause_key, date_fired "
                "FROM crm_relation_care_log WHERE id = %s",
                [log.id],
            )

    # -- access -------------------------------------------------------------------

    def test_access_rules(self):
        rule = self._rule("birthday")
        mine = self._customer("Mine", birthdate_date="1990-06-30", user_id=self.user.id)
        theirs = self._customer("Theirs", birthdate_date="1990-06-30")
        self._run()
        both = mine | theirs
        outsider = new_test_user(self.env, "t_care_outsider", groups="base.group_user")
        # Plain users read rules, and the log of their own customers only.
        rule.with_user(self.user).read(["name"])
        self.assertEqual(
            self.Log.with_user(self.user).search([("partner_id", "in", both.ids)])
            .partner_id,
            mine,
        )  # fmt: skip
        for user in (self.manager, self.auditor):
            with self.subTest(user=user.login):
                self.assertEqual(
                    self.Log.with_user(user)
                    .search([("partner_id", "in", both.ids)])
                    .partner_id,
                    both,
                )
        with self.assertRaises(AccessError):
            rule.with_user(self.user).write({"days": 1})
        with self.assertRaises(AccessError):
            rule.with_user(self.user).action_run_now()
        with self.assertRaises(AccessError):
            rule.with_user(self.auditor).write({"days": 1})
        rule.with_user(self.manager).write({"days": 1})
        for model in ("crm.relation.care.rule", "crm.relation.care.log"):
            with self.subTest(model=model), self.assertRaises(AccessError):
                self.env[model].with_user(outsider).search_count([])
        # Another company's rules and logs are hidden.
        other = self.setup_other_company()["company"]
        foreign = self._rule("birthday", company_id=other.id, user_id=self.env.user.id)
        self.assertFalse(
            self.Rule.with_user(self.manager).search([("id", "=", foreign.id)])
        )
