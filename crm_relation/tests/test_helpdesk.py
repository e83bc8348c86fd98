# Copyright 2026 crm_relation developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import date, datetime, timedelta
from unittest.mock import patch

from psycopg2 import IntegrityError

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import TransactionCase, new_test_user, tagged
from odoo.tools import SQL, mute_logger

from .common import make_role_users, trusted


@tagged("post_install", "-at_install", "crm_relation")
class TestHelpdesk(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.users = make_role_users(cls.env)
        agent_groups = (
            "helpdesk_mgmt.group_helpdesk_user,crm_relation.group_crm_relation_user"
        )
        cls.operator = new_test_user(cls.env, "t_hd_operator", groups=agent_groups)
        cls.leader = new_test_user(cls.env, "t_hd_leader", groups=agent_groups)
        cls.leader_a = new_test_user(cls.env, "t_hd_leader_a", groups=agent_groups)
        cls.leader_b = new_test_user(cls.env, "t_hd_leader_b", groups=agent_groups)
        cls.account_manager = new_test_user(
            cls.env,
            "t_hd_account_manager",
            groups="crm_relation.group_crm_relation_user,"
            "helpdesk_mgmt.group_helpdesk_user_own",
        )
        cls.leadership = cls.env["res.groups"].create(
            {
                "name": "Complaint leadership (test)",
                "user_ids": [Command.set((cls.leader_a | cls.leader_b).ids)],
            }
        )
        Team = cls.env["helpdesk.ticket.team"]
        cls.team = Team.create(
            {
                "name": "Service desk",
                "user_ids": [Command.set(cls.operator.ids)],
                "relation_leader_id": cls.leader.id,
                "company_id": cls.company.id,
            }
        )
        cls.group_team = Team.create(
            {
                "name": "Group-led desk",
                "user_ids": [Command.set(cls.operator.ids)],
                "relation_leader_group_id": cls.leadership.id,
                "company_id": cls.company.id,
            }
        )
        cls.leaderless_team = Team.create(
            {"name": "Leaderless desk", "user_ids": [Command.set(cls.operator.ids)]}
        )
        Category = cls.env["helpdesk.ticket.category"]
        cls.complaint = Category.create(
            {"name": "Product complaint", "relation_complaint": True}
        )
        cls.delivery = Category.create(
            {"name": "Delivery complaint", "relation_complaint": True}
        )
        cls.question = Category.create({"name": "Question"})
        cls.tiers = {
            code: cls.env.ref(f"crm_relation.tier_{code.lower()}")
            for code in ("P", "G", "S", "B")
        }
        cls.company.relation_complaint_tier_ids = cls.tiers["P"] | cls.tiers["G"]
        cls.company.relation_followup_days = 3
        cls.ordinary = cls._customer("普通客户 Ordinary", "S")
        cls.platinum = cls._customer("白金客户 Platinum", "P")
        cls.gold = cls._customer("黄金客户 Gold", "G")
        cls.vip = cls._customer("VIP 客户", "B")
        cls.vip_contact = cls.env["res.partner"].create(
            {"name": "VIP contact", "parent_id": cls.vip.id}
        )
        trusted(cls.env["crm.relation.vip"].sudo()).create(
            {
                "partner_id": cls.vip.id,
                "company_id": cls.company.id,
                "reason": "Test VIP",
                "state": "active",
                "card_number": "VIP-T-1",
                "date_start": date.today(),
                "date_end": date.today() + timedelta(days=365),
            }
        )
        cls.closed_stage = cls.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_done")
        cls.open_stage = cls.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_new")
        cls.followup_type = cls.env.ref("crm_relation.mail_activity_complaint_followup")

    @classmethod
    def _customer(cls, name, tier_code, company=None):
        partner = cls.env["res.partner"].create(
            {"name": name, "is_company": True, "customer_rank": 1}
        )
        trusted(partner.with_company(company or cls.env.company).sudo()).write(
            {"relation_tier_id": cls.tiers[tier_code].id, "relation_status": "active"}
        )
        return partner

    def _ticket(self, partner, category=None, user=None, team=None, **vals):
        values = {
            "name": f"Ticket of {partner.name}",
            "description": "<p>Problem</p>",
            "partner_id": partner.id,
            "team_id": (team or self.team).id,
            "user_id": self.operator.id,
            "priority": "1",
            **vals,
        }
        if category:
            values["category_id"] = category.id
        return (
            self.env["helpdesk.ticket"].with_user(user or self.operator).create(values)
        )

    def _close(self, ticket, user=None, **vals):
        values = {"stage_id": self.closed_stage.id, **vals}
        ticket.with_user(user or self.operator).write(values)

    def _followups(self, tickets):
        return self.env["mail.activity"].search(
            [
                ("res_model", "=", "helpdesk.ticket"),
                ("res_id", "in", tickets.ids),
                ("activity_type_id", "=", self.followup_type.id),
            ]
        )

    # -- grade on tickets -----------------------------------------------------

    def test_ticket_shows_tier_status_and_vip_of_the_commercial_partner(self):
        tickets = self._ticket(self.platinum) | self._ticket(self.vip_contact)
        self.assertEqual(tickets[0].relation_tier_id, self.tiers["P"])
        self.assertEqual(tickets[0].relation_status, "active")
        self.assertFalse(tickets[0].relation_is_vip)
        self.assertEqual(tickets[1].relation_tier_id, self.tiers["B"])
        self.assertTrue(tickets[1].relation_is_vip)
        self.assertEqual(tickets[1].relation_vip_card_number, "VIP-T-1")
        Ticket = self.env["helpdesk.ticket"]
        self.assertEqual(
            Ticket.search([("id", "in", tickets.ids), ("relation_is_vip", "=", True)]),
            tickets[1],
        )
        self.assertEqual(
            Ticket.search([("id", "in", tickets.ids), ("relation_is_vip", "=", False)]),
            tickets[0],
        )
        self.assertEqual(
            Ticket.search(
                [("id", "in", tickets.ids), ("relation_tier_id.code", "=", "P")]
            ),
            tickets[0],
        )
        self.assertEqual(
            Ticket.search(
                [("id", "in", tickets.ids), ("relation_status", "=", "active")]
            ),
            tickets,
        )

    def test_grade_is_the_one_of_the_ticket_company(self):
        other = self.env["res.company"].create({"name": "Other company (helpdesk)"})
        trusted(self.platinum.with_company(other).sudo()).relation_tier_id = self.tiers[
            "B"
        ]
        here = self.env["helpdesk.ticket"].create(
            {"name": "Here", "description": "x", "partner_id": self.platinum.id}
        )
        there = self.env["helpdesk.ticket"].create(
            {
                "name": "There",
                "description": "x",
                "partner_id": self.platinum.id,
                "company_id": other.id,
            }
        )
        tickets = here | there
        tickets.invalidate_recordset()
        self.assertEqual(tickets.mapped("relation_tier_id.code"), ["P", "B"])
        self.assertEqual(there.relation_intake_tier_id, self.tiers["B"])

    # -- routing ---------------------------------------------------------------

    def test_ordinary_customers_complaint_stays_with_the_operators(self):
        ticket = self._ticket(self.ordinary, self.complaint)
        self.assertTrue(ticket.relation_is_complaint)
        self.assertEqual(ticket.relation_routing_grade, "ordinary")
        self.assertEqual(ticket.user_id, self.operator)
        self.assertEqual(ticket.priority, "1")
        self.assertEqual(ticket.relation_intake_tier_id, self.tiers["S"])

    def test_high_value_complaints_go_to_leadership_with_raised_priority(self):
        platinum = self._ticket(self.platinum, self.complaint)
        gold = self._ticket(self.gold, self.delivery, priority="2")
        urgent = self._ticket(self.gold, self.complaint, priority="3")
        low = self._ticket(self.platinum, self.complaint, priority="0")
        for ticket in platinum | gold | urgent | low:
            self.assertEqual(ticket.user_id, self.leader)
            self.assertEqual(ticket.relation_routing_grade, "high_value")
        self.assertEqual(platinum.priority, "2")  # Medium -> High
        self.assertEqual(gold.priority, "3")  # High -> Very High
        self.assertEqual(urgent.priority, "3")  # capped
        self.assertEqual(low.priority, "2")  # at least High
        note = platinum.message_ids.filtered(
            lambda m: self.leader.name in (m.body or "")
        )
        self.assertTrue(note, "the chatter says why the ticket was routed")
        self.assertIn("P · Platinum", note.body)

    def test_a_complaint_marked_by_hand_is_routed_too(self):
        ticket = self._ticket(self.platinum, self.question, relation_is_complaint=True)
        self.assertEqual(ticket.user_id, self.leader)
        plain = self._ticket(self.platinum, self.question)
        self.assertFalse(plain.relation_is_complaint)
        self.assertEqual(plain.user_id, self.operator)
        self.assertEqual(plain.priority, "1")
        self.assertFalse(plain.relation_routing_grade)

    def test_high_value_tiers_are_a_company_setting(self):
        self.company.relation_complaint_tier_ids = self.tiers["S"]
        silver = self._ticket(self.ordinary, self.complaint)
        platinum = self._ticket(self.platinum, self.complaint)
        self.assertEqual(silver.user_id, self.leader)
        self.assertEqual(platinum.user_id, self.operator)
        self.assertEqual(platinum.relation_routing_grade, "ordinary")

    def test_vip_complaint_goes_to_leadership_whatever_the_tier(self):
        ticket = self._ticket(self.vip_contact, self.complaint)
        self.assertEqual(ticket.relation_routing_grade, "vip")
        self.assertEqual(ticket.user_id, self.leader)
        self.assertEqual(ticket.priority, "2")

    def test_any_vip_ticket_is_at_least_high(self):
        low = self._ticket(self.vip, self.question, priority="0")
        top = self._ticket(self.vip, self.question, priority="3")
        self.assertEqual(low.priority, "2")
        self.assertEqual(top.priority, "3")
        self.assertEqual(low.user_id, self.operator, "not a complaint: not routed")
        ordinary = self._ticket(self.platinum, self.question, priority="0")
        self.assertEqual(ordinary.priority, "0")

    def test_group_leadership_shares_the_complaints(self):
        # leader_a already has an open ticket: the first complaint goes to b.
        self._ticket(self.ordinary, team=self.group_team, user_id=self.leader_a.id)
        tickets = self.env["helpdesk.ticket"].create(
            [
                {
                    "name": f"Complaint {i}",
                    "description": "x",
                    "partner_id": partner.id,
                    "team_id": self.group_team.id,
                    "category_id": self.complaint.id,
                }
                for i, partner in enumerate((self.platinum, self.gold, self.vip))
            ]
        )
        self.assertEqual(tickets.mapped("user_id"), self.leader_b | self.leader_a)
        self.assertEqual(tickets[0].user_id, self.leader_b)
        self.assertEqual(tickets[1].user_id, self.leader_a)

    def test_group_leadership_counts_open_tickets_once_per_batch(self):
        self._ticket(self.ordinary, team=self.group_team, user_id=self.leader_a.id)
        Ticket = self.registry["helpdesk.ticket"]
        with patch.object(
            Ticket, "_read_group", autospec=True, side_effect=Ticket._read_group
        ) as read_group:
            tickets = self.env["helpdesk.ticket"].create(
                [
                    {
                        "name": f"Complaint {i}",
                        "description": "x",
                        "partner_id": partner.id,
                        "team_id": self.group_team.id,
                        "category_id": self.complaint.id,
                    }
                    for i, partner in enumerate(
                        (self.platinum, self.gold, self.vip, self.platinum)
                    )
                ]
            )
        per_user = [
            call
            for call in read_group.call_args_list
            if call.args[1:3] and list(call.args[2]) == ["user_id"]
        ]
        self.assertEqual(len(per_user), 1)
        # Still shared out within the batch: b, a, b, a (a had one open).
        self.assertEqual(
            [ticket.user_id.id for ticket in tickets],
            [self.leader_b.id, self.leader_a.id, self.leader_b.id, self.leader_a.id],
        )

    def test_a_ticket_becoming_a_complaint_is_routed(self):
        unassigned = self._ticket(self.platinum, self.question, user_id=False)
        worked = self._ticket(self.gold, self.question)
        ordinary = self._ticket(self.ordinary, self.question, user_id=False)
        for ticket in unassigned | worked | ordinary:
            self.assertFalse(ticket.relation_routing_grade)
        unassigned.with_user(self.operator).relation_is_complaint = True
        self.assertEqual(unassigned.user_id, self.leader)
        self.assertEqual(unassigned.relation_routing_grade, "high_value")
        self.assertEqual(unassigned.relation_intake_tier_id, self.tiers["P"])
        self.assertNotEqual(unassigned.priority, "1")
        self.assertTrue(
            any("leadership" in m.body for m in unassigned.message_ids),
        )
        # A category making it a complaint: the agent working it keeps it.
        worked.with_user(self.operator).category_id = self.complaint
        self.assertTrue(worked.relation_is_complaint)
        self.assertEqual(worked.user_id, self.operator)
        self.assertEqual(worked.relation_routing_grade, "high_value")
        self.assertNotEqual(worked.priority, "1")
        self.assertTrue(
            any("already works" in m.body for m in worked.message_ids),
        )
        ordinary.with_user(self.operator).category_id = self.delivery
        self.assertEqual(ordinary.relation_routing_grade, "ordinary")
        self.assertFalse(ordinary.user_id)
        self.assertEqual(ordinary.priority, "1")

    def test_without_leadership_the_complaint_stays_and_says_so(self):
        ticket = self._ticket(self.platinum, self.complaint, team=self.leaderless_team)
        self.assertEqual(ticket.user_id, self.operator)
        self.assertEqual(ticket.priority, "2")
        self.assertTrue(
            ticket.message_ids.filtered(
                lambda m: "no complaint leadership" in (m.body or "")
            )
        )

    # -- closing ---------------------------------------------------------------

    def test_closing_needs_satisfaction_and_resolution(self):
        ticket = self._ticket(self.ordinary, self.question)
        with self.assertRaisesRegex(UserError, "Satisfaction, Resolution Note"):
            self._close(ticket)
        with self.assertRaisesRegex(UserError, "Resolution Note"):
            self._close(
                ticket, relation_satisfaction="4", relation_resolution_note="  "
            )
        self.assertFalse(ticket.closed)
        self._close(
            ticket,
            relation_satisfaction="4",
            relation_resolution_note="Replaced the part.",
        )
        self.assertTrue(ticket.closed)
        self.assertGreaterEqual(ticket.relation_resolution_hours, 0.0)
        # Recorded beforehand, the figures need not be written again.
        other = self._ticket(self.ordinary, self.question)
        other.with_user(self.operator).write(
            {"relation_satisfaction": "5", "relation_resolution_note": "Explained."}
        )
        self._close(other)
        self.assertTrue(other.closed)

    def test_no_context_key_sent_over_rpc_skips_the_closing_check(self):
        ticket = self._ticket(self.ordinary, self.question)
        for value in (True, 1, "1"):
            with self.subTest(value=value):
                with self.assertRaisesRegex(UserError, "Satisfaction"):
                    ticket.with_context(crm_relation_close_unchecked=value).with_user(
                        self.operator
                    ).write({"stage_id": self.closed_stage.id})
        self.assertFalse(ticket.closed)

    def test_routing_fields_are_not_edited(self):
        ticket = self._ticket(self.platinum, self.complaint)
        for vals in (
            {"relation_routing_grade": "ordinary"},
            {"relation_followup_date": "2020-01-01"},
            {"relation_resolution_hours": 1.0},
            {"relation_intake_tier_id": self.tiers["B"].id},
        ):
            with self.subTest(vals=vals):
                with self.assertRaisesRegex(UserError, next(iter(vals))):
                    ticket.with_user(self.operator).write(vals)
                with self.assertRaisesRegex(UserError, next(iter(vals))):
                    self._ticket(self.ordinary, self.question, **vals)
        self.assertNotEqual(ticket.relation_routing_grade, "ordinary")

    def test_service_record_only_for_crm_staff(self):
        salesman = new_test_user(
            self.env, "t_hd_salesman", groups="sales_team.group_sale_salesman"
        )
        partner = self.gold.with_user(salesman)
        with self.assertRaises(AccessError):
            partner.read(["relation_service_complaint_count"])
        # Their partner form and list still open and read.
        for view_type in ("form", "list"):
            arch = partner.get_views([(False, view_type)])["views"][view_type]["arch"]
            self.assertNotIn("service_", arch)
        partner.read(["name", "phone"])

    def test_system_portal_and_duplicate_closes_are_not_asked(self):
        ticket = self._ticket(self.ordinary, self.question)
        ticket.sudo().stage_id = self.closed_stage  # portal close, crons
        self.assertTrue(ticket.closed)
        original = self._ticket(self.ordinary, self.question)
        duplicate = self._ticket(self.ordinary, self.question)
        wizard = (
            self.env["helpdesk.ticket.duplicate.wizard"]
            .with_user(self.operator)
            .create(
                {
                    "ticket_id": duplicate.id,
                    "duplicate_of_id": original.id,
                    "target_stage_id": self.closed_stage.id,
                }
            )
        )
        wizard.action_confirm()
        self.assertTrue(duplicate.closed)
        # A duplicate complaint is not followed up nor counted twice.
        dup_complaint = self._ticket(self.platinum, self.complaint)
        self.env["helpdesk.ticket.duplicate.wizard"].with_user(self.operator).create(
            {
                "ticket_id": dup_complaint.id,
                "duplicate_of_id": original.id,
                "target_stage_id": self.closed_stage.id,
            }
        ).action_confirm()
        self.assertTrue(dup_complaint.closed)
        self.assertFalse(self._followups(dup_complaint))

    def test_closed_complaint_schedules_one_follow_up_call(self):
        self.platinum.user_id = self.account_manager
        ticket = self._ticket(self.platinum, self.complaint)
        question = self._ticket(self.platinum, self.question)
        self._close(
            ticket,
            user=self.leader,
            relation_satisfaction="3",
            relation_resolution_note="Refund",
        )
        self._close(
            question, relation_satisfaction="5", relation_resolution_note="Answered"
        )
        followup = self._followups(ticket | question)
        self.assertEqual(len(followup), 1)
        self.assertEqual(followup.res_id, ticket.id)
        self.assertEqual(followup.user_id, self.account_manager)
        closed_on = fields.Datetime.context_timestamp(ticket, ticket.closed_date).date()
        self.assertEqual(followup.date_deadline, closed_on + timedelta(days=3))
        self.assertEqual(ticket.relation_followup_date, followup.date_deadline)
        # Reopened and closed again: still the one call.
        ticket.with_user(self.leader).stage_id = self.open_stage
        self._close(ticket, user=self.leader)
        self.assertEqual(len(self._followups(ticket)), 1)
        # Done, reopened, closed again: none more either.
        followup.action_feedback(feedback="Customer satisfied")
        ticket.with_user(self.leader).stage_id = self.open_stage
        self._close(ticket, user=self.leader)
        self.assertFalse(self._followups(ticket))

    def test_follow_up_goes_to_the_ticket_user_without_account_manager(self):
        self.company.relation_followup_days = 5
        ticket = self._ticket(self.ordinary, self.complaint)
        self._close(
            ticket, relation_satisfaction="2", relation_resolution_note="Apologised"
        )
        followup = self._followups(ticket)
        self.assertEqual(followup.user_id, self.operator)
        closed_on = fields.Datetime.context_timestamp(ticket, ticket.closed_date).date()
        self.assertEqual(followup.date_deadline, closed_on + timedelta(days=5))

    def test_follow_up_only_for_a_manager_who_can_open_the_ticket(self):
        salesman = new_test_user(
            self.env, "t_hd_salesman_fu", groups="sales_team.group_sale_salesman"
        )
        other = self.env["res.company"].create({"name": "Other company (follow-up)"})
        elsewhere = new_test_user(
            self.env,
            "t_hd_manager_elsewhere",
            groups="helpdesk_mgmt.group_helpdesk_user",
            company_id=other.id,
            company_ids=[Command.set(other.ids)],
        )
        for manager in (salesman, elsewhere):
            with self.subTest(manager=manager.login):
                self.platinum.user_id = manager
                ticket = self._ticket(self.platinum, self.complaint)
                ticket.with_user(self.leader).user_id = self.operator
                self._close(
                    ticket,
                    relation_satisfaction="4",
                    relation_resolution_note="Replaced",
                )
                self.assertEqual(self._followups(ticket).user_id, self.operator)

    def test_negative_follow_up_delay_is_refused(self):
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError):
            with self.env.cr.savepoint():
                self.company.relation_followup_days = -1
                self.company.flush_recordset()

    # -- customer's service record ---------------------------------------------

    def _age(self, ticket, created, closed=None):
        """Pretend ``ticket`` was opened at ``created`` (and closed at
        ``closed``)."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "UPDATE helpdesk_ticket SET create_date = %s WHERE id = %s",
                created,
                ticket.id,
            )
        )
        ticket.invalidate_recordset(["create_date"])
        if closed:
            ticket.sudo().write(
                {
                    "stage_id": self.closed_stage.id,
                    "closed_date": closed,
                }
            )
            ticket.sudo().closed_date = closed

    def test_partner_service_record(self):
        now = fields.Datetime.now()
        first = self._ticket(self.gold, self.complaint, relation_satisfaction="4")
        second = self._ticket(self.gold, self.question, relation_satisfaction="2")
        third = self._ticket(self.vip_contact, self.complaint)  # another customer
        old = self._ticket(self.gold, self.complaint, relation_satisfaction="1")
        contact = self.env["res.partner"].create(
            {"name": "Gold's buyer", "parent_id": self.gold.id}
        )
        contacts = self._ticket(contact, self.question)  # open: no resolution
        self._age(first, now - timedelta(hours=30), now - timedelta(hours=20))
        self._age(second, now - timedelta(hours=10), now - timedelta(hours=5))
        self._age(old, now - timedelta(days=400), now - timedelta(days=399))
        self._age(contacts, now - timedelta(days=1))
        self.assertEqual(third.commercial_partner_id, self.vip)
        self.assertAlmostEqual(first.relation_resolution_hours, 10.0, places=2)
        self.assertAlmostEqual(second.relation_resolution_hours, 5.0, places=2)
        partners = (self.gold | contact).with_user(self.users["user"])
        for partner in partners:
            with self.subTest(partner=partner.name):
                self.assertEqual(partner.relation_service_ticket_count, 3)
                self.assertEqual(partner.relation_service_complaint_count, 1)
                self.assertEqual(partner.relation_service_avg_satisfaction, 3.0)
                self.assertEqual(partner.relation_service_avg_resolution_hours, 7.5)
        other = self.env["res.company"].create({"name": "Other company (service)"})
        self.env.user.company_ids += other
        elsewhere = self.gold.with_company(other)
        self.assertEqual(elsewhere.relation_service_ticket_count, 0)
        self.assertEqual(self.ordinary.relation_service_avg_satisfaction, 0.0)

    # -- monthly summary -------------------------------------------------------

    def _may_complaints(self):
        """Four complaints opened in May 2026 in the service desk."""
        may = datetime(2026, 5, 12, 9, 0)
        Ticket = self.env["helpdesk.ticket"]
        rows = [
            (self.platinum, self.complaint, "5", 4),
            (self.gold, self.complaint, "3", 8),
            (self.ordinary, self.delivery, "1", 24),
            (self.ordinary, self.delivery, False, None),  # still open
        ]
        tickets = Ticket
        for partner, category, satisfaction, hours in rows:
            ticket = self._ticket(partner, category, relation_satisfaction=satisfaction)
            self._age(ticket, may, hours and may + timedelta(hours=hours))
            tickets |= ticket
        # Not counted: another month, another team, not a complaint.
        self._age(self._ticket(self.gold, self.complaint), datetime(2026, 4, 30, 9))
        self._age(self._ticket(self.gold, self.question), may)
        self._age(self._ticket(self.gold, self.complaint, team=self.group_team), may)
        return tickets

    def test_summary_figures(self):
        self._may_complaints()
        Summary = self.env["crm.relation.complaint.summary"]
        created = Summary._cron_create_monthly(today=date(2026, 6, 2))
        summary = created.filtered(lambda s: s.team_id == self.team)
        self.assertEqual(len(summary), 1)
        self.assertEqual(summary.date_from, date(2026, 5, 1))
        self.assertEqual(summary.date_to, date(2026, 5, 31))
        self.assertEqual(summary.state, "draft")
        self.assertEqual(summary.complaint_count, 4)
        self.assertEqual(summary.closed_count, 3)
        self.assertEqual(summary.scored_count, 3)
        self.assertEqual(summary.avg_resolution_hours, 12.0)
        self.assertEqual(summary.avg_satisfaction, 3.0)
        by_category = {
            line.category_id: (line.complaint_count, line.avg_satisfaction)
            for line in summary.category_line_ids
        }
        self.assertEqual(
            by_category, {self.complaint: (2, 4.0), self.delivery: (2, 1.0)}
        )
        by_tier = {
            line.tier_id.code: (line.complaint_count, line.avg_resolution_hours)
            for line in summary.tier_line_ids
        }
        self.assertEqual(by_tier, {"P": (1, 4.0), "G": (1, 8.0), "S": (2, 24.0)})
        group_summary = created.filtered(lambda s: s.team_id == self.group_team)
        self.assertEqual(group_summary.complaint_count, 1)
        # Idempotent: once a team, month and company.
        again = Summary._cron_create_monthly(today=date(2026, 6, 20))
        self.assertFalse(again & created)
        self.assertFalse(again.filtered(lambda s: s.team_id == self.team))
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError):
            with self.env.cr.savepoint():
                Summary.create(
                    {"team_id": self.team.id, "date_from": date(2026, 5, 17)}
                )

    def test_summary_review_then_send(self):
        self._may_complaints()
        Summary = self.env["crm.relation.complaint.summary"]
        summary = Summary._create_for_month(date(2026, 5, 1)).filtered(
            lambda s: s.team_id == self.team
        )
        manager, user = self.users["manager"], self.users["user"]
        auditor = self.users["auditor"]
        with self.assertRaises(UserError):
            summary.with_user(manager).action_send()
        with self.assertRaises(AccessError):
            summary.with_user(user).action_mark_reviewed()
        with self.assertRaises(AccessError):
            summary.with_user(self.leader).action_mark_reviewed()
        with self.assertRaises(AccessError):
            summary.with_user(auditor).write({"review_comment": "fine"})
        with self.assertRaises(UserError):
            summary.with_user(manager).write({"state": "reviewed"})
        with self.assertRaises(UserError):
            summary.with_user(manager).write({"complaint_count": 1})
        with self.assertRaisesRegex(UserError, "cannot be duplicated"):
            summary.with_user(manager).copy()
        summary.with_user(manager).write({"review_comment": "Delivery needs work."})
        summary.with_user(manager).action_mark_reviewed()
        self.assertEqual(summary.state, "reviewed")
        self.assertEqual(summary.reviewed_by_id, manager)
        with self.assertRaises(UserError):
            summary.with_user(manager).action_refresh()
        with self.assertRaises(AccessError):
            summary.with_user(user).action_send()
        summary.with_user(manager).action_send()
        self.assertEqual(summary.state, "sent")
        self.assertTrue(summary.sent_on)
        sent = summary.message_ids.filtered(lambda m: m.message_type == "comment")
        self.assertEqual(len(sent), 1)
        self.assertEqual(sent.partner_ids, self.leader.partner_id)
        self.assertIn("Delivery needs work.", sent.body)
        self.assertIn("Product complaint", sent.body)
        with self.assertRaises(UserError):
            summary.with_user(manager).action_mark_reviewed()
        with self.assertRaises(UserError):
            summary.with_user(manager).action_reset_draft()

    def test_summary_goes_back_to_draft_and_recounts(self):
        tickets = self._may_complaints()
        summary = (
            self.env["crm.relation.complaint.summary"]
            ._create_for_month(date(2026, 5, 1))
            .filtered(lambda s: s.team_id == self.team)
        )
        manager = self.users["manager"]
        summary.with_user(manager).action_mark_reviewed()
        summary.with_user(manager).action_reset_draft()
        self.assertEqual(summary.state, "draft")
        self.assertFalse(summary.reviewed_by_id)
        tickets[-1].sudo().write(
            {"relation_satisfaction": "5", "relation_resolution_note": "ok"}
        )
        self._age(tickets[-1], datetime(2026, 5, 12, 9), datetime(2026, 5, 12, 11))
        summary.with_user(manager).action_refresh()
        self.assertEqual(summary.closed_count, 4)
        self.assertEqual(summary.avg_satisfaction, 3.5)

    def test_summary_months_in_the_company_time_zone(self):
        self._may_complaints()
        self.company.partner_id.tz = "Asia/Shanghai"
        # 01:00 on 1 May in Shanghai: still April in UTC, London, New York.
        first = self._ticket(self.gold, self.complaint)
        self._age(first, datetime(2026, 4, 30, 17))
        self.env.user.tz = "America/New_York"
        summary = (
            self.env["crm.relation.complaint.summary"]
            ._create_for_month(date(2026, 5, 1))
            .filtered(lambda s: s.team_id == self.team)
        )
        self.assertEqual(summary.complaint_count, 5)
        manager = self.users["manager"]
        for tz in ("Europe/London", "Pacific/Auckland"):
            with self.subTest(tz=tz):
                manager.sudo().tz = tz
                summary.with_user(manager).action_refresh()
                self.assertEqual(summary.complaint_count, 5)

    def test_summary_without_leadership_cannot_be_sent(self):
        summary = self.env["crm.relation.complaint.summary"].create(
            {"team_id": self.leaderless_team.id, "date_from": date(2026, 5, 1)}
        )
        summary.with_user(self.users["manager"]).action_mark_reviewed()
        with self.assertRaisesRegex(UserError, "Leaderless desk"):
            summary.with_user(self.users["manager"]).action_send()

    def test_summary_access_per_group(self):
        self._may_complaints()
        summary = self.env["crm.relation.complaint.summary"]._create_for_month(
            date(2026, 5, 1)
        )
        self.assertTrue(summary.line_ids)
        for role in ("user", "manager", "auditor", "integration"):
            with self.subTest(role=role):
                records = summary.with_user(self.users[role])
                records.read(["name", "complaint_count"])
                records.line_ids.read(["complaint_count"])
        outsider = self.users["outsider"]
        for model in (
            "crm.relation.complaint.summary",
            "crm.relation.complaint.summary.line",
        ):
            with self.subTest(model=model), self.assertRaises(AccessError):
                self.env[model].with_user(outsider).search_count([])
        for role in ("user", "auditor"):
            with self.subTest(role=role):
                with self.assertRaises(AccessError):
                    self.env["crm.relation.complaint.summary"].with_user(
                        self.users[role]
                    ).create({"team_id": self.team.id, "date_from": "2026-01-01"})
                with self.assertRaises(AccessError):
                    summary[:1].with_user(self.users[role]).unlink()
                with self.assertRaises(AccessError):
                    self.env["crm.relation.complaint.summary"].with_user(
                        self.users[role]
                    ).action_create_last_month()
        other = self.env["res.company"].create({"name": "Other company (summary)"})
        stranger = new_test_user(
            self.env,
            "t_hd_stranger",
            groups="crm_relation.group_crm_relation_manager",
            company_id=other.id,
            company_ids=[Command.set(other.ids)],
        )
        Summary = self.env["crm.relation.complaint.summary"].with_user(stranger)
        self.assertFalse(Summary.search([("id", "in", summary.ids)]))
        with self.assertRaises(AccessError):
            summary.with_user(stranger).read(["name"])
