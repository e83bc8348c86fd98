# Copyright 2026 crm_relation developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from collections import defaultdict

from markupsafe import Markup, escape

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..logic import helpdesk
from . import guards
from .res_partner import RELATION_STATUSES

# Trust flag: closing a ticket as a duplicate of another asks no resolution.
CLOSE_UNCHECKED = "close_unchecked"
# Only the routing and closing code sets what routing decided.
ROUTING_FIELDS = (
    "relation_routing_grade",
    "relation_intake_tier_id",
    "relation_followup_date",
    "relation_resolution_hours",
)
GRADES = [
    (helpdesk.ORDINARY, "Ordinary Customer"),
    (helpdesk.HIGH_VALUE, "High-value Customer"),
    (helpdesk.VIP, "VIP Customer"),
]
SATISFACTION = [
    ("1", "1 · Very dissatisfied"),
    ("2", "2 · Dissatisfied"),
    ("3", "3 · Neutral"),
    ("4", "4 · Satisfied"),
    ("5", "5 · Very satisfied"),
]


class HelpdeskTicket(models.Model):
    _name = "helpdesk.ticket"
    _inherit = [
        "helpdesk.ticket",
        "crm.relation.review.mixin",
        "crm.relation.vip.badge",
    ]

    # === FIELDS === #

    relation_is_complaint = fields.Boolean(
        "Complaint",
        compute="_compute_is_complaint",
        store=True,
        readonly=False,
        index=True,
        help="A customer complaint. Set from the category; an agent may also "
        "mark any ticket a complaint.",
    )
    relation_tier_id = fields.Many2one(
        "crm.relation.tier",
        "Customer Tier",
        compute="_compute_relation_grade",
        search="_search_relation_tier_id",
        help="The customer's tier in the ticket's company (filters use the "
        "current company's).",
    )
    relation_status = fields.Selection(
        RELATION_STATUSES,
        "Customer Status",
        compute="_compute_relation_grade",
        search="_search_relation_status",
    )
    relation_intake_tier_id = fields.Many2one(
        "crm.relation.tier",
        "Tier When Opened",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="The customer's tier when the ticket was opened, as the complaint "
        "summary counts it.",
        guarded=True,
    )
    relation_routing_grade = fields.Selection(
        GRADES,
        "Complaint Routed As",
        readonly=True,
        copy=False,
        help="The customer's grade when the complaint was opened: ordinary "
        "customers' complaints stay with the team's operators, high-value "
        "and VIP customers' go to the team's leadership.",
        guarded=True,
    )
    relation_satisfaction = fields.Selection(
        SATISFACTION,
        copy=False,
        tracking=True,
        help="The customer's satisfaction with the resolution, recorded on "
        "closing (1 = very dissatisfied, 5 = very satisfied).",
        string="Satisfaction",
    )
    relation_resolution_note = fields.Text(
        copy=False,
        help="How the ticket was resolved, recorded on closing.",
        string="Resolution Note",
    )
    relation_resolution_hours = fields.Float(
        "Resolution Time (hours)",
        compute="_compute_resolution_hours",
        store=True,
        aggregator="avg",
        digits=(16, 1),
        help="Hours from opening to closing; empty while the ticket is open.",
        guarded=True,
    )
    relation_followup_date = fields.Date(
        "Follow-up Call Due",
        readonly=True,
        copy=False,
        help="Set when the closed complaint's follow-up call (回访) was "
        "scheduled; a complaint gets one follow-up call, even if reopened "
        "and closed again.",
        guarded=True,
    )

    # === COMPUTE METHODS === #

    @api.depends("category_id.relation_complaint")
    def _compute_is_complaint(self):
        for ticket in self:
            if ticket.category_id.relation_complaint:
                ticket.relation_is_complaint = True
            elif not ticket.relation_is_complaint:
                ticket.relation_is_complaint = False

    @api.depends("commercial_partner_id", "company_id")
    def _compute_relation_grade(self):
        for company in self.company_id | self.env.company:
            tickets = self.filtered(
                lambda t, c=company: (t.company_id or self.env.company) == c
            )
            # One query per company for the whole batch.
            partners = tickets.commercial_partner_id.with_company(company)
            partners.mapped("relation_tier_id")
            for ticket in tickets:
                partner = ticket.commercial_partner_id.with_company(company)
                ticket.relation_tier_id = partner.relation_tier_id
                ticket.relation_status = partner.relation_status

    def _search_relation_tier_id(self, operator, value):
        return [("commercial_partner_id.relation_tier_id", operator, value)]

    def _search_relation_status(self, operator, value):
        return [("commercial_partner_id.relation_status", operator, value)]

    @api.depends("closed_date", "stage_id.closed")
    def _compute_resolution_hours(self):
        for ticket in self:
            hours = None
            if ticket.stage_id.closed:
                hours = helpdesk.resolution_hours(
                    ticket.create_date or ticket.closed_date, ticket.closed_date
                )
            ticket.relation_resolution_hours = hours or 0.0

    # === CRUD METHODS === #

    def _guard_hint(self):
        return self.env._(
            "the complaint routing, the closing of the ticket and the review actions"
        )

    @api.model_create_multi
    def create(self, vals_list):
        # What the caller sent, before routing fills in its own fields.
        self._check_guarded(vals_list, creating=True)
        notes = self._crm_relation_route(vals_list)
        routed = guards.trusted(self, fields=ROUTING_FIELDS)
        tickets = super(HelpdeskTicket, routed).create(vals_list).with_env(self.env)
        bodies = {
            ticket.id: notes[index]
            for index, ticket in enumerate(tickets)
            if notes.get(index)
        }
        if bodies:
            tickets.browse(list(bodies))._message_log_batch(bodies)
        tickets.filtered("stage_id.closed")._crm_relation_schedule_followups()
        return tickets

    def write(self, vals):
        not_complaints = self.browse()
        if "relation_is_complaint" in vals or "category_id" in vals:
            not_complaints = self.filtered(lambda t: not t.relation_is_complaint)
        closing = self.browse()
        if vals.get("stage_id"):
            stage = self.env["helpdesk.ticket.stage"].browse(vals["stage_id"])
            if stage.closed:
                closing = self.filtered(lambda t: not t.stage_id.closed)
                closing._crm_relation_check_resolution(vals)
        result = super().write(vals)
        if not_complaints:
            not_complaints.filtered("relation_is_complaint")._crm_relation_route_later()
        if closing:
            closing._crm_relation_schedule_followups()
        return result

    # === BUSINESS METHODS === #

    # Routing of new complaints (seed 004, L385-391)

    def _crm_relation_route(self, vals_list):
        """Grade each new ticket's customer in the ticket's company, send
        high-value and VIP customers' complaints to the team's leadership
        and raise their priority. Changes ``vals_list`` in place and returns
        ``{index: chatter note}`` saying why a ticket was routed."""
        # Tiers, VIP cards and settings are read as superuser: the agent or
        # the portal customer opening the ticket need not see them.
        Partner = self.env["res.partner"].sudo()
        Team = self.env["helpdesk.ticket.team"].sudo()
        Category = self.env["helpdesk.ticket.category"].sudo()
        defaults = self.default_get(["company_id", "priority"])
        default_company = (
            self.env["res.company"]
            .sudo()
            .browse(defaults.get("company_id") or self.env.company.id)
        )
        # Prefetch the batch's partners, teams and categories.
        partners = Partner.browse(
            {v["partner_id"] for v in vals_list if v.get("partner_id")}
        )
        teams = Team.browse({v["team_id"] for v in vals_list if v.get("team_id")})
        categories = Category.browse(
            {v["category_id"] for v in vals_list if v.get("category_id")}
        )
        partners.mapped("commercial_partner_id")
        teams.mapped("company_id")
        categories.mapped("relation_complaint")

        rows = []
        for index, vals in enumerate(vals_list):
            team = Team.browse(vals.get("team_id"))
            company = (
                team.company_id
                or self.env["res.company"].sudo().browse(vals.get("company_id"))
                or default_company
            )
            if "relation_is_complaint" in vals:
                complaint = bool(vals["relation_is_complaint"])
            else:
                complaint = Category.browse(vals.get("category_id")).relation_complaint
            customer = Partner.browse(vals.get("partner_id")).commercial_partner_id
            rows.append((index, vals, team, company, complaint, customer))

        grades = {}
        by_company = defaultdict(list)
        for row in rows:
            by_company[row[3]].append(row)
        for company, company_rows in by_company.items():
            customers = Partner.union(*(row[5] for row in company_rows))
            company_grades = self._crm_relation_grades(company, customers)
            for index, vals, _team, _company, _complaint, customer in company_rows:
                grade, tier = company_grades[customer.id]
                if tier:
                    vals["relation_intake_tier_id"] = tier.id
                grades[index] = (grade, tier)

        notes = {}
        load, counts = {}, {}  # one open-ticket count per leadership member
        for index, vals, team, _company, complaint, _customer in rows:
            grade, tier = grades[index]
            priority = vals.get("priority") or defaults.get("priority") or "1"
            values, note = self._crm_relation_routing(
                complaint, grade, tier, team, priority, load, counts
            )
            vals.update(values)
            if note:
                notes[index] = note
        return notes

    def _crm_relation_route_later(self):
        """Route tickets that became complaints after their creation, as new
        complaints are: grade, intake tier if none, raised priority, and
        the team's leadership for high-value and VIP customers, but only
        for unassigned tickets: an agent already working one keeps it."""
        load, counts = {}, {}
        for company in self.company_id:
            tickets = self.filtered(lambda t, c=company: t.company_id == c).sudo()
            grades = self._crm_relation_grades(company, tickets.commercial_partner_id)
            for ticket in tickets:
                grade, tier = grades[ticket.commercial_partner_id.id]
                values, note = self._crm_relation_routing(
                    True,
                    grade,
                    tier,
                    ticket.team_id,
                    ticket.priority or "1",
                    load,
                    counts,
                    agent=ticket.user_id,
                )
                if tier and not ticket.relation_intake_tier_id:
                    values["relation_intake_tier_id"] = tier.id
                guards.trusted(ticket, fields=ROUTING_FIELDS).write(values)
                if note:
                    ticket._message_log(body=note)

    def _crm_relation_grades(self, company, customers):
        """``{customer id: (grade, tier)}`` of ``customers`` (commercial
        partners, read as superuser) in ``company``, ``False`` standing for
        no customer: their tiers and VIP cards are read once for all."""
        customers = customers.with_company(company)
        customers.mapped("relation_tier_id")  # one query for the batch
        cards = customers._vip_cards(company)
        high_value = set(company.relation_complaint_tier_ids.mapped("code"))
        no_tier = self.env["crm.relation.tier"]
        grades = {False: (helpdesk.grade(False, high_value, False), no_tier)}
        for customer in customers:
            tier = customer.relation_tier_id
            grades[customer.id] = (
                helpdesk.grade(tier.code, high_value, customer.id in cards),
                tier,
            )
        return grades

    def _crm_relation_routing(
        self, complaint, grade, tier, team, priority, load, counts, agent=None
    ):
        """What routing sets on a ticket of a customer of ``grade`` and
        ``tier`` (``complaint`` or not, of ``team``, at ``priority``), and the
        chatter note saying why (``None`` when routing changes nothing worth
        a note): the grade of a complaint, the raised priority, and the
        team's leadership for high-value and VIP customers' complaints,
        unless an ``agent`` already works on the ticket. ``load`` and
        ``counts`` carry the leadership's tickets across a batch."""
        values = {"relation_routing_grade": grade} if complaint else {}
        after = helpdesk.routed_priority(priority, complaint, grade)
        if after != priority:
            values["priority"] = after
        leadership = helpdesk.goes_to_leadership(complaint, grade)
        if not leadership and after == priority:
            return values, None
        leader = self.env["res.users"]
        if leadership and not agent:
            leader = team._crm_relation_pick_leader(load, counts)
            if leader:
                values["user_id"] = leader.id
                load[leader] = load.get(leader, 0) + 1
        note = self._crm_relation_routing_note(
            complaint,
            grade,
            tier,
            leader,
            team,
            priority,
            after,
            agent=agent if not leader else None,
        )
        return values, note

    def _crm_relation_routing_note(
        self, complaint, grade, tier, leader, team, before, after, agent=None
    ):
        labels = dict(self._fields["priority"]._description_selection(self.env))
        who = dict(
            self._fields["relation_routing_grade"]._description_selection(self.env)
        )[grade]
        if tier and grade == helpdesk.HIGH_VALUE:
            who = self.env._(
                "%(grade)s (tier %(tier)s)", grade=who, tier=tier.display_name
            )
        lines = []
        if complaint and leader:
            lines.append(
                self.env._(
                    "Complaint from a %(customer)s: routed to the team's "
                    "leadership, %(leader)s.",
                    customer=who,
                    leader=leader.name,
                )
            )
        elif complaint and agent:
            lines.append(
                self.env._(
                    "Complaint from a %(customer)s: left with %(agent)s, who "
                    "already works on the ticket.",
                    customer=who,
                    agent=agent.name,
                )
            )
        elif complaint:
            lines.append(
                self.env._(
                    "Complaint from a %(customer)s, but team %(team)s has no "
                    "complaint leadership configured: left with the operators.",
                    customer=who,
                    team=team.display_name or self.env._("(none)"),
                )
            )
        else:
            lines.append(self.env._("Ticket of a %(customer)s.", customer=who))
        if after != before:
            lines.append(
                self.env._(
                    "Priority raised from %(before)s to %(after)s.",
                    before=labels.get(before, before),
                    after=labels.get(after, after),
                )
            )
        return Markup("<br/>").join(escape(line) for line in lines)

    # Closing: satisfaction, resolution and the follow-up call

    def _crm_relation_check_resolution(self, vals):
        """A back-office agent closing a ticket records the customer's
        satisfaction and the resolution. Closes by the system, the portal
        (as superuser) and duplicates are not asked."""
        if (
            self.env.su
            or guards.has_flag(self.env, CLOSE_UNCHECKED)
            or not self.env.user._is_internal()
        ):
            return
        for ticket in self:
            missing = []
            if not vals.get("relation_satisfaction", ticket.relation_satisfaction):
                missing.append(
                    self._fields["relation_satisfaction"].get_description(self.env)[
                        "string"
                    ]
                )
            note = vals.get("relation_resolution_note", ticket.relation_resolution_note)
            if not (note or "").strip():
                missing.append(
                    self._fields["relation_resolution_note"].get_description(self.env)[
                        "string"
                    ]
                )
            if missing:
                raise UserError(
                    self.env._(
                        "Ticket %(ticket)s cannot be closed yet: fill in "
                        "%(fields)s (the customer's satisfaction, 1-5, and how "
                        "the ticket was resolved).",
                        ticket=ticket.display_name,
                        fields=", ".join(missing),
                    )
                )

    def _crm_relation_schedule_followups(self):
        """One follow-up call (回访) for the account manager of each closed
        complaint, the company's delay after closing. A complaint gets one
        call: closing it again after reopening schedules nothing."""
        due = self.filtered(
            lambda t: (
                t.relation_is_complaint
                and t.stage_id.closed
                and not t.relation_followup_date
                and not t.duplicate_id  # the original's call covers it
            )
        )
        if not due:
            return
        activity_type = self.env.ref("crm_relation.mail_activity_complaint_followup")
        now = fields.Datetime.now()
        for ticket in due.sudo():
            closed_on = fields.Datetime.context_timestamp(
                ticket, ticket.closed_date or now
            )
            deadline = helpdesk.followup_date(
                closed_on, ticket.company_id.relation_followup_days
            )
            manager = ticket.commercial_partner_id.user_id
            if not (
                manager.active
                and not manager.share
                and manager.has_group("helpdesk_mgmt.group_helpdesk_user_own")
                and ticket.company_id in manager.company_ids
            ):
                # The account manager must be able to open the ticket.
                manager = ticket.user_id or self.env.user
            ticket.activity_schedule(
                activity_type_id=activity_type.id,
                date_deadline=deadline,
                summary=self.env._(
                    "Follow-up call on complaint %(ticket)s", ticket=ticket.number
                ),
                user_id=manager.id,
            )
            guards.trusted(
                ticket, fields=["relation_followup_date"]
            ).relation_followup_date = deadline
