# Copyright 2026 crm_relation developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import date, timedelta

from freezegun import freeze_time

from odoo import Command, fields
from odoo.modules.module import load_script
from odoo.tests import TransactionCase, tagged
from odoo.tools import SQL, convert_file
from odoo.tools.sql import column_exists

from .common import make_role_users
from .invoicing_case import TODAY

MIGRATION = "crm_relation/migrations/19.0.1.9.0/post-oca_parts.py"


@tagged("post_install", "-at_install", "crm_relation")
class TestOcaParts(TransactionCase):
    """Birthdays, public holidays and customer ratings come from OCA's
    partner_contact_birthdate, calendar_public_holiday and
    helpdesk_mgmt_rating; the addon keeps no copy of its own."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.users = make_role_users(cls.env)
        cls.Rule = cls.env["crm.relation.care.rule"]
        cls.Log = cls.env["crm.relation.care.log"]
        cls.Rule.search([]).active = False
        cls.manager = cls.users["manager"]
        cls.script = load_script(MIGRATION, "crm_relation_migration_19_0_1_9_0")

    def _customer(self, name, **vals):
        return self.env["res.partner"].create(
            {"name": name, "customer_rank": 1, "user_id": self.manager.id, **vals}
        )

    def _rule(self, kind, days=0, **vals):
        return self.Rule.create(
            {
                "name": f"Test {kind} {days}",
                "kind": kind,
                "days": days,
                "company_id": self.company.id,
                "user_id": self.manager.id,
                "summary": f"Care {kind}",
                **vals,
            }
        )

    def _logs(self, partners, rule):
        return self.Log.search(
            [("partner_id", "in", partners.ids), ("rule_id", "=", rule.id)]
        )

    # -- birthdays ---------------------------------------------------------------

    def test_birthdays_are_oca_birthdate_and_no_copy_is_left(self):
        fields_model = self.env["ir.model.fields"]
        birthdate = fields_model._get("res.partner", "birthdate_date")
        self.assertEqual(birthdate.ttype, "date")
        self.assertIn("partner_contact_birthdate", birthdate.modules)
        self.assertNotIn("crm_relation", birthdate.modules)
        ours = fields_model.search(
            [("model", "=", "res.partner"), ("ttype", "in", ("date", "datetime"))]
        ).filtered(lambda f: "crm_relation" in f.modules.split(", "))
        self.assertTrue(ours, "the addon's own date fields are found")
        self.assertFalse(
            ours.filtered(
                lambda f: "birth" in f.name or "birth" in f.field_description.lower()
            ),
            "no birthday field of the addon's own",
        )
        self.assertNotIn("relation_birthday", self.env["res.partner"]._fields)
        self.assertFalse(column_exists(self.env.cr, "res_partner", "relation_birthday"))

    def test_birthday_care_reads_oca_birthdate(self):
        rule = self._rule("birthday")
        born = self._customer("OCA birthday", birthdate_date=date(1990, 6, 30))
        with freeze_time("2026-07-01"):
            born.invalidate_recordset(["age"])
            self.assertEqual(born.age, 36, "OCA's age of the birthdate")
        self.Rule._cron_care(today=TODAY)
        self.assertEqual(self._logs(born, rule).cause_key, "birthday:2026-06-30")

    def test_migration_copies_former_birthdays(self):
        cr = self.env.cr
        kept = self._customer("Has an OCA birthdate", birthdate_date="1980-01-02")
        copied = self._customer("Former birthday only")
        none = self._customer("No birthday")
        self.env.flush_all()
        cr.execute(SQL("ALTER TABLE res_partner ADD COLUMN relation_birthday date"))
        cr.execute(
            SQL(
                "UPDATE res_partner SET relation_birthday = v.day::date "
                "FROM (VALUES %s) AS v(id, day) WHERE res_partner.id = v.id",
                SQL(", ").join(
                    [SQL("(%s, %s)", kept.id, "1975-05-05"),
                     SQL("(%s, %s)", copied.id, "1988-08-08")]
                ),
            )
        )  # fmt: skip
        with self.assertLogs(self.script._logger.name, level="WARNING") as logged:
            self.assertEqual(self.script.copy_birthdays(cr), 1)
        self.assertEqual(len(logged.output), 1, "only the birthday that differs")
        self.assertIn(f"partner {kept.id} ", logged.output[0])
        self.assertIn("1975-05-05", logged.output[0])
        self.assertIn("1980-01-02", logged.output[0])
        self.assertFalse(column_exists(cr, "res_partner", "relation_birthday"))
        (kept | copied | none).invalidate_recordset(["birthdate_date"])
        self.assertEqual(kept.birthdate_date, date(1980, 1, 2), "OCA's value wins")
        self.assertEqual(copied.birthdate_date, date(1988, 8, 8))
        self.assertFalse(none.birthdate_date)
        # Run again (or on a database that never had the field): nothing to do.
        self.assertIsNone(self.script.copy_birthdays(cr))

    # -- public holidays -----------------------------------------------------------

    def _public_holidays(self, country, *lines):
        """``lines``: ``(date, name)`` public holidays of ``country``."""
        Holiday = self.env["calendar.public.holiday"]
        for year in sorted({day.year for day, _name in lines}):
            Holiday.create(
                {
                    "year": year,
                    "country_id": country.id,
                    "line_ids": [
                        Command.create({"date": day, "name": name})
                        for day, name in lines
                        if day.year == year
                    ],
                }
            )

    def test_holiday_rule_greets_the_company_countrys_public_holidays(self):
        france, germany = self.env.ref("base.fr"), self.env.ref("base.de")
        self.company.country_id = france
        self._public_holidays(
            france,
            (date(2026, 7, 3), "Fête test"),
            (date(2026, 7, 4), "Other day"),
            (date(2027, 7, 3), "Fête test"),
        )
        self._public_holidays(germany, (date(2026, 7, 2), "Another country's"))
        tag = self.env["res.partner.category"].create({"name": "Holiday VIP"})
        every = self._rule("holiday", days=3)
        named = self._rule(
            "holiday",
            days=3,
            holiday_name=" FÊTE test ",
            category_ids=[Command.set(tag.ids)],
        )
        first = self._customer("Holiday one", category_id=[Command.set(tag.ids)])
        second = self._customer("Holiday two")
        with freeze_time(TODAY):
            self.assertEqual(named.next_holiday, date(2026, 7, 3))
            self.assertEqual(every.next_holiday, date(2026, 7, 3))
        # 29 June is 3 days before Germany's holiday: not the company's country.
        self.Rule._cron_care(today=date(2026, 6, 29))
        self.assertFalse(self._logs(first | second, every))
        for day in range(3):
            self.Rule._cron_care(today=TODAY + timedelta(days=day))
        self.assertEqual(
            sorted(self._logs(first, every).mapped("cause_key")),
            ["holiday:2026-07-03", "holiday:2026-07-04"],
        )
        self.assertEqual(self._logs(first | second, every).partner_id, first | second)
        self.assertEqual(
            self._logs(first | second, named).mapped("cause_key"),
            ["holiday:2026-07-03"],
            "only the holiday of its name, for the tagged customer",
        )
        self.assertEqual(self._logs(first | second, named).partner_id, first)
        note = self._logs(first, named).activity_id.note
        self.assertIn("Fête test on 2026-07-03", note)
        # Next year's public holiday of that name.
        self.Rule._cron_care(today=date(2027, 6, 30))
        self.assertEqual(len(self._logs(first, named)), 2)
        # The company moves to Germany: France's holidays are no longer its.
        self.company.country_id = germany
        with freeze_time("2026-07-01"):
            self.Rule.invalidate_model(["next_holiday"])
            self.assertFalse(named.next_holiday)
            self.assertEqual(every.next_holiday, date(2026, 7, 2))

    def test_china_public_holidays_are_shipped_and_named_in_chinese(self):
        china = self.env.ref("base.cn")
        lines = self.env["calendar.public.holiday.line"].search(
            [("public_holiday_id.country_id", "=", china.id)]
        )
        dates = {(line.date, line.name) for line in lines}
        for day, name in [
            (date(2026, 1, 1), "New Year's Day"),
            (date(2026, 2, 17), "Spring Festival"),
            (date(2026, 4, 5), "Qingming Festival"),
            (date(2026, 5, 1), "Labour Day"),
            (date(2026, 6, 19), "Dragon Boat Festival"),
            (date(2026, 9, 25), "Mid-Autumn Festival"),
            (date(2026, 10, 1), "National Day"),
            (date(2027, 2, 6), "Spring Festival"),
            (date(2027, 6, 9), "Dragon Boat Festival"),
            (date(2027, 9, 15), "Mid-Autumn Festival"),
        ]:
            self.assertIn((day, name), dates)
        self.assertEqual(len(lines), 14)
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"].search(
            [("name", "=", "crm_relation")]
        )._update_translations(["zh_CN"])
        spring = self.env.ref("crm_relation.public_holiday_cn_2027_spring_festival")
        self.assertEqual(spring.with_context(lang="zh_CN").name, "春节")
        self.assertEqual(spring.with_context(lang="en_US").name, "Spring Festival")
        # The default rule greets the Spring Festival of a Chinese company,
        # and names it in the account manager's language.
        self.company.country_id = china
        rule = self.env.ref("crm_relation.care_rule_spring_festival")
        rule.write({"active": True, "company_id": self.company.id})
        self.manager.lang = "zh_CN"
        dragon = self._rule("holiday", days=3, holiday_name="端午节")
        customer = self._customer("中国客户")
        with freeze_time("2027-01-15"):
            self.assertEqual(rule.next_holiday, date(2027, 2, 6))
        self.Rule._cron_care(today=date(2027, 2, 3))
        log = self._logs(customer, rule)
        self.assertEqual(log.cause_key, "holiday:2027-02-06")
        self.assertIn("春节", log.activity_id.note)
        self.assertFalse(self._logs(customer, dragon))
        self.Rule._cron_care(today=date(2027, 6, 6))
        self.assertEqual(self._logs(customer, dragon).cause_key, "holiday:2027-06-09")
        self.assertIn("端午节", self._logs(customer, dragon).activity_id.note)

    def test_migration_names_the_default_holiday_rules(self):
        cr = self.env.cr
        self.company.country_id = self.env.ref("base.cn")
        spring = self.env.ref("crm_relation.care_rule_spring_festival")
        autumn = self.env.ref("crm_relation.care_rule_mid_autumn")
        custom = self._rule("holiday", holiday_name="Custom")
        national = self._rule("holiday", days=1, active=True)
        other = self._rule(
            "holiday", days=2, active=True, note="<p>Call them &amp; smile</p>"
        )
        self.env.flush_all()
        cr.execute(
            SQL("ALTER TABLE crm_relation_care_rule ADD COLUMN holiday_dates text")
        )
        cr.execute(
            SQL(
                "UPDATE crm_relation_care_rule SET holiday_name = NULL, "
                "holiday_dates = v.dates FROM (VALUES %s) AS v(id, dates) "
                "WHERE crm_relation_care_rule.id = v.id",
                SQL(", ").join(
                    [
                        SQL("(%s, %s)", spring.id, "2026-02-17, 2027-02-06"),
                        SQL("(%s, %s)", autumn.id, self.script.DEFAULT_HOLIDAY_DATES[
                            "care_rule_mid_autumn"
                        ]),
                        SQL("(%s, %s)", national.id, "10-01; 2026-10-01"),
                        SQL("(%s, %s)", other.id, "10-01, 2026-07-15"),
                    ]
                ),
            )
        )  # fmt: skip
        cr.execute(
            SQL(
                "UPDATE crm_relation_care_rule SET holiday_dates = '10-01' "
                "WHERE id = %s",
                custom.id,
            )
        )
        with self.assertLogs(self.script._logger.name, level="WARNING") as logged:
            former = self.script.migrate_holiday_rules(cr)
        self.assertEqual(
            former,
            {
                custom.id: "10-01",
                national.id: "10-01; 2026-10-01",
                other.id: "10-01, 2026-07-15",
            },
        )
        output = "\n".join(logged.output)
        self.assertEqual(len(logged.output), 4, "not the unchanged default rule")
        self.assertIn(f"default care rule {spring.id} ", output)
        self.assertIn("2026-02-17, 2027-02-06", output)
        self.assertNotIn(f"rule {autumn.id} ", output)
        self.assertIn(f"care rule {custom.id} listed the holiday dates 10-01:", output)
        self.assertIn("10-01, 2026-07-15: archived", output)
        self.assertFalse(column_exists(cr, "crm_relation_care_rule", "holiday_dates"))
        rules = spring | autumn | custom | national | other
        rules.invalidate_recordset()
        self.assertEqual(spring.holiday_name, "Spring Festival")
        self.assertEqual(autumn.holiday_name, "Mid-Autumn Festival")
        self.assertEqual(custom.holiday_name, "Custom")
        # 1 October is China's National Day: the rule greets it, still active.
        self.assertEqual(national.holiday_name, "National Day")
        self.assertTrue(national.active)
        # 15 July is no public holiday: archived, its dates in its message.
        self.assertFalse(other.holiday_name)
        self.assertFalse(other.active)
        self.assertIn("<p>Call them &amp; smile</p>", other.note)
        self.assertIn("10-01, 2026-07-15", other.note)
        self.assertIn("Archived by the upgrade", other.note)
        self.assertIsNone(self.script.migrate_holiday_rules(cr))

    def test_china_holidays_leave_a_year_the_database_has_alone(self):
        china = self.env.ref("base.cn")
        Holiday = self.env["calendar.public.holiday"]
        Holiday.search([("country_id", "=", china.id)]).unlink()
        self._public_holidays(china, (date(2026, 2, 17), "Spring Festival"))
        mine = Holiday.search([("country_id", "=", china.id)])
        convert_file(
            self.env,
            "crm_relation",
            "data/calendar_public_holiday_cn_data.xml",
            {},
            mode="update",
        )
        holidays = Holiday.search([("country_id", "=", china.id)])
        self.assertEqual(holidays.mapped("year"), [2027, 2026])
        self.assertEqual(holidays.filtered(lambda h: h.year == 2026), mine)
        self.assertEqual(len(mine.line_ids), 1, "the database's 2026 is kept")
        self.assertFalse(
            self.env.ref("crm_relation.public_holiday_cn_2026", False),
            "2026 is skipped",
        )
        spring = self.env.ref("crm_relation.public_holiday_cn_2027_spring_festival")
        self.assertEqual(spring.date, date(2027, 2, 6))
        self.assertEqual(len(spring.public_holiday_id.line_ids), 7)
        # Again (each update): nothing new.
        convert_file(
            self.env,
            "crm_relation",
            "data/calendar_public_holiday_cn_data.xml",
            {},
            mode="update",
        )
        self.assertEqual(Holiday.search([("country_id", "=", china.id)]), holidays)
        # The Spring Festival rule greets whichever China holidays there are.
        self.company.country_id = china
        rule = self.env.ref("crm_relation.care_rule_spring_festival")
        rule.write({"active": True, "company_id": self.company.id})
        with freeze_time("2026-01-15"):
            self.assertEqual(rule.next_holiday, date(2026, 2, 17))
        with freeze_time("2026-03-01"):
            rule.invalidate_recordset(["next_holiday"])
            self.assertEqual(rule.next_holiday, date(2027, 2, 6))

    # -- customer ratings -----------------------------------------------------------

    def _ticket(self, partner, company=None):
        return (
            self.env["helpdesk.ticket"]
            .sudo()
            .create(
                {
                    "name": f"Ticket of {partner.name}",
                    "description": "<p>Problem</p>",
                    "partner_id": partner.id,
                    "company_id": (company or self.company).id,
                }
            )
        )

    def _rate(self, ticket, value):
        token = ticket._rating_get_access_token()
        ticket.rating_apply(value, token=token)

    def test_customer_ratings_count_in_the_service_record(self):
        customer = self._customer("Rated customer", is_company=True)
        buyer = self.env["res.partner"].create(
            {"name": "Rated customer's buyer", "parent_id": customer.id}
        )
        other = self._customer("Other customer", is_company=True)
        self._rate(self._ticket(customer), 5)
        self._rate(self._ticket(buyer), 1)
        self._ticket(customer)._rating_get_access_token()  # asked, not answered
        self._ticket(customer)  # not rated
        self._rate(self._ticket(other), 3)
        self.assertEqual(
            self.env["rating.rating"].search_count(
                [("res_model", "=", "helpdesk.ticket"), ("consumed", "=", True)]
            ),
            3,
            "OCA helpdesk_mgmt_rating rates tickets with rating.rating",
        )
        for partner in (customer | buyer).with_user(self.users["user"]):
            with self.subTest(partner=partner.name):
                self.assertEqual(partner.relation_service_ticket_count, 4)
                self.assertEqual(partner.relation_service_rating_count, 2)
                self.assertEqual(partner.relation_service_avg_rating, 3.0)
                self.assertEqual(partner.relation_service_avg_satisfaction, 0.0)
        self.assertEqual(other.relation_service_rating_count, 1)
        self.assertEqual(other.relation_service_avg_rating, 3.0)
        # Another company's tickets count in that company's record.
        elsewhere = self.env["res.company"].create({"name": "Other company (ratings)"})
        self.env.user.company_ids += elsewhere
        self._rate(self._ticket(customer, company=elsewhere), 5)
        customer.invalidate_recordset()
        self.assertEqual(customer.relation_service_rating_count, 2)
        self.assertEqual(
            customer.with_company(elsewhere).relation_service_avg_rating, 5.0
        )
        # Shown beside the staff's satisfaction.
        arch = (
            self.env["res.partner"]
            .with_user(self.users["user"])
            .get_view(self.env.ref("base.view_partner_form").id, "form")["arch"]
        )
        self.assertIn('name="relation_service_avg_rating"', arch)
        self.assertLess(
            arch.index('name="relation_service_avg_satisfaction"'),
            arch.index('name="relation_service_avg_rating"'),
        )

    def test_customer_ratings_count_in_the_complaint_summary(self):
        team = self.env["helpdesk.ticket.team"].create(
            {"name": "Rated desk", "company_id": self.company.id}
        )
        category = self.env["helpdesk.ticket.category"].create(
            {"name": "Rated complaint", "relation_complaint": True}
        )
        customer = self._customer("Complaining customer", is_company=True)

        def complaint():
            ticket = self._ticket(customer)
            ticket.write(
                {
                    "team_id": team.id,
                    "category_id": category.id,
                    "relation_is_complaint": True,
                }
            )
            return ticket

        changed_mind = complaint()
        self._rate(changed_mind, 1)
        self._rate(changed_mind, 5)  # the last rating counts
        self._rate(complaint(), 3)
        complaint()  # not rated
        summary = self.env["crm.relation.complaint.summary"].create(
            {"team_id": team.id, "date_from": fields.Date.context_today(team)}
        )
        self.assertEqual(summary.complaint_count, 3)
        self.assertEqual(summary.rated_count, 2)
        self.assertEqual(summary.avg_rating, 4.0)
        self.assertEqual(summary.avg_satisfaction, 0.0, "no staff satisfaction")
        line = summary.category_line_ids
        self.assertEqual(line.category_id, category)
        self.assertEqual((line.rated_count, line.avg_rating), (2, 4.0))
