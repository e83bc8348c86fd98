# Copyright 2026 crm_relation developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from collections import defaultdict
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from ..domain import visit as rules
from . import guards

CHANNELS = [
    ("onsite", "On-site"),
    ("phone", "Phone"),
    ("video", "Video Call"),
    ("email", "Email"),
    ("sms", "SMS"),
]
PURPOSES = [
    ("satisfaction", "Satisfaction Survey"),
    ("behaviour", "Buying-behaviour Survey"),
    ("cross_sell", "Cross-sell / Up-sell"),
    ("follow_up", "Problem Follow-up"),
]
UNITS = [(rules.DAY, "Days"), (rules.WEEK, "Weeks"), (rules.MONTH, "Months")]
STATES = [
    (rules.PLANNED, "Planned"),
    (rules.DONE, "Done"),
    (rules.MISSED, "Missed"),
    (rules.CANCELLED, "Cancelled"),
]
SATISFACTION = [
    ("1", "1 - Very dissatisfied"),
    ("2", "2 - Dissatisfied"),
    ("3", "3 - Neutral"),
    ("4", "4 - Satisfied"),
    ("5", "5 - Very satisfied"),
]
MANAGER_GROUP = guards.MANAGER_GROUP
USER_GROUP = guards.USER_GROUP
# Changing these changes the schedule a manager approved.
SCHEDULE_FIELDS = ("planned_date", "user_id", "company_id", "partner_id")


class CrmRelationVisitPlan(models.Model):
    """A recurring return-visit plan for one customer (seed 000, L21-36)."""

    _name = "crm.relation.visit.plan"
    _description = "Visit Plan"
    _inherit = ["mail.thread", "crm.relation.guarded"]
    _order = "next_date, id"

    partner_id = fields.Many2one(
        "res.partner",
        "Customer",
        required=True,
        index=True,
        tracking=True,
        domain="[('parent_id', '=', False)]",
    )
    user_id = fields.Many2one(
        "res.users",
        "Account Manager",
        compute="_compute_user_id",
        store=True,
        readonly=False,
        precompute=True,
        required=True,
        index=True,
        tracking=True,
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda s: s.env.company
    )
    active = fields.Boolean(default=True, tracking=True)
    interval = fields.Integer(
        "Every",
        compute="_compute_cadence",
        store=True,
        readonly=False,
        precompute=True,
        tracking=True,
        help="Visit the customer every this many days, weeks or months. "
        "New plans take the cadence of the customer's tier.",
    )
    interval_unit = fields.Selection(
        UNITS,
        "Cadence Unit",
        compute="_compute_cadence",
        store=True,
        readonly=False,
        precompute=True,
        required=True,
        tracking=True,
    )
    channel = fields.Selection(CHANNELS, required=True, default="phone", tracking=True)
    purpose = fields.Selection(
        PURPOSES, required=True, default="satisfaction", tracking=True
    )
    next_date = fields.Date(
        "Next Visit",
        required=True,
        default=fields.Date.context_today,
        tracking=True,
        help="The next visit the plan generates; it moves on as visits are generated.",
    )
    anchor_day = fields.Integer(
        help="Day of the month monthly plans come back to after a short month."
    )
    note = fields.Text("Notes")
    visit_ids = fields.One2many("crm.relation.visit", "plan_id", "Visits")
    visit_count = fields.Integer(compute="_compute_visit_count")

    _interval_positive = models.Constraint(
        "CHECK (interval >= 1)", "A visit plan repeats every 1 or more days."
    )

    @api.depends("partner_id")
    def _compute_user_id(self):
        for plan in self:
            plan.user_id = plan.partner_id.user_id or plan.user_id or self.env.user

    @api.depends("partner_id", "company_id")
    def _compute_cadence(self):
        for plan in self:
            tier = (
                plan.partner_id.commercial_partner_id.with_company(
                    plan.company_id
                ).sudo()
            ).relation_tier_id
            if tier.visit_interval:
                plan.interval = tier.visit_interval
                plan.interval_unit = tier.visit_interval_unit
            elif not plan.interval:
                plan.interval, plan.interval_unit = 1, rules.MONTH

    @api.depends("partner_id", "channel", "purpose")
    def _compute_display_name(self):
        purposes = dict(self._fields["purpose"]._description_selection(self.env))
        for plan in self:
            plan.display_name = " · ".join(
                filter(None, [plan.partner_id.display_name, purposes.get(plan.purpose)])
            )

    def _compute_visit_count(self):
        counts = dict(
            self.env["crm.relation.visit"]._read_group(
                [("plan_id", "in", self.ids)], ["plan_id"], ["__count"]
            )
        )
        for plan in self:
            plan.visit_count = counts.get(plan, 0)

    @api.constrains("partner_id", "company_id")
    def _check_partner_company(self):
        for plan in self:
            company = plan.partner_id.company_id
            if company and company != plan.company_id:
                raise ValidationError(
                    self.env._(
                        "Customer %(customer)s belongs to %(company)s only: "
                        "plan its visits in that company.",
                        customer=plan.partner_id.display_name,
                        company=company.name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("next_date") and not vals.get("anchor_day"):
                vals["anchor_day"] = fields.Date.to_date(vals["next_date"]).day
        return super().create(vals_list)

    def write(self, vals):
        if vals.get("next_date") and "generated" not in guards.trust(self.env).flags:
            # Set by hand, the next date is the day monthly plans come back to.
            vals["anchor_day"] = fields.Date.to_date(vals["next_date"]).day
        result = super().write(vals)
        if "user_id" in vals:
            # Visits still to come follow the plan to its new account manager.
            today = fields.Date.context_today(self)
            upcoming = self.env["crm.relation.visit"].search(
                [
                    ("plan_id", "in", self.ids),
                    ("state", "=", rules.PLANNED),
                    ("planned_date", ">=", today),
                ]
            )
            for plan in self:
                upcoming.filtered(
                    lambda v, p=plan: v.plan_id == p
                ).user_id = plan.user_id
        return result

    @guards.callers(USER_GROUP)
    def action_generate_visits(self):
        """Generate the visits of these plans up to each company's horizon.

        Each plan's next date moves past the visits made, so running it again
        makes nothing new until the horizon moves; a unique index on (plan,
        date) backs that up against concurrent runs.
        """
        self.check_access("write")
        return self._generate_visits(fields.Date.context_today(self))

    def _generate_visits(self, today):
        vals_list = []
        next_dates = {}
        for plan in self.filtered("active"):
            horizon = today + timedelta(
                days=plan.company_id.crm_relation_visit_horizon_days
            )
            try:
                dates, after = rules.dates_until(
                    plan.next_date,
                    plan.interval,
                    plan.interval_unit,
                    horizon,
                    plan.anchor_day or None,
                )
            except ValueError as error:
                raise ValidationError(
                    self.env._(
                        "Visit plan %(plan)s: %(error)s",
                        plan=plan.display_name,
                        error=error,
                    )
                ) from error
            if not dates:
                continue
            next_dates[plan] = after
            vals_list += [plan._visit_vals(day) for day in dates]
        visits = self.env["crm.relation.visit"].sudo().create(vals_list)
        moved = defaultdict(lambda: self.browse())
        for plan, after in next_dates.items():
            moved[after] |= plan
        for after, plans in moved.items():
            guards.trusted(plans.sudo(), flags=["generated"]).next_date = after
        return visits

    def _visit_vals(self, day):
        self.ensure_one()
        return {
            "plan_id": self.id,
            "partner_id": self.partner_id.id,
            "user_id": self.user_id.id,
            "company_id": self.company_id.id,
            "planned_date": day,
            "channel": self.channel,
            "purpose": self.purpose,
        }

    @guards.callers(USER_GROUP, guards.AUDITOR_GROUP)
    def action_view_visits(self):
        guards.ensure_one(self)
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "crm_relation.action_crm_relation_visit"
        )
        action["domain"] = [("plan_id", "=", self.id)]
        action["context"] = {"default_plan_id": self.id}
        return action

    @api.model
    def _cron_visits(self, today=None):
        """Daily: generate visits ahead from every active plan, then mark the
        overdue ones missed."""
        today = fields.Date.to_date(today) or fields.Date.context_today(self)
        plans = guards.trusted(self.sudo(), cause="scheduled")
        plans.search([("active", "=", True)])._generate_visits(today)
        return plans.env["crm.relation.visit"]._mark_missed(today)


class CrmRelationVisit(models.Model):
    """One return visit (seed 000): planned, then done (with outcome, the
    customer's needs and opinions, satisfaction and the next step) or missed;
    the supervisor reviews the record and comments."""

    _name = "crm.relation.visit"
    _description = "Customer Visit"
    _inherit = ["mail.thread", "mail.activity.mixin", "crm.relation.review.mixin"]
    _order = "planned_date desc, id desc"

    plan_id = fields.Many2one(
        "crm.relation.visit.plan", "Visit Plan", index=True, ondelete="set null"
    )
    partner_id = fields.Many2one(
        "res.partner",
        "Customer",
        required=True,
        index=True,
        tracking=True,
        domain="[('parent_id', '=', False)]",
    )
    user_id = fields.Many2one(
        "res.users",
        "Account Manager",
        required=True,
        index=True,
        tracking=True,
        default=lambda s: s.env.user,
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda s: s.env.company
    )
    planned_date = fields.Date(
        required=True, index=True, tracking=True, default=fields.Date.context_today
    )
    done_date = fields.Date(readonly=True, copy=False, tracking=True, guarded=True)
    state = fields.Selection(
        STATES,
        required=True,
        default=rules.PLANNED,
        readonly=True,
        tracking=True,
        guarded=True,
    )
    channel = fields.Selection(CHANNELS, required=True, default="phone")
    purpose = fields.Selection(PURPOSES, required=True, default="satisfaction")
    outcome = fields.Text()
    customer_needs = fields.Text("Customer Needs and Opinions")
    satisfaction = fields.Selection(SATISFACTION, tracking=True)
    next_step = fields.Text()
    supervisor_comment = fields.Text(
        "Supervisor's Comment",
        tracking=True,
        help="The supervisor's review of the visit record and guidance; "
        "customer managers write it.",
    )
    supervisor_id = fields.Many2one(
        "res.users", "Commented By", readonly=True, guarded=True
    )
    week_id = fields.Many2one(
        "crm.relation.visit.week", readonly=True, index=True, copy=False, guarded=True
    )
    handover_from_id = fields.Many2one(
        "res.users",
        "Handed Over From",
        readonly=True,
        copy=False,
        guarded=True,
        help="The account manager who handed this visit over, e.g. before a holiday.",
    )
    is_late = fields.Boolean(compute="_compute_is_late")
    is_supervisor = fields.Boolean(compute="_compute_is_supervisor")

    _plan_date_uniq = models.UniqueIndex(
        "(plan_id, planned_date) WHERE plan_id IS NOT NULL",
        "A visit plan has one visit a day.",
    )

    @api.depends("partner_id", "purpose")
    def _compute_display_name(self):
        purposes = dict(self._fields["purpose"]._description_selection(self.env))
        for record in self:
            record.display_name = " · ".join(
                filter(
                    None,
                    [record.partner_id.display_name, purposes.get(record.purpose)],
                )
            )

    @api.depends_context("uid")
    def _compute_is_supervisor(self):
        self.is_supervisor = self.env.user.has_group(MANAGER_GROUP)

    @api.depends("state", "planned_date")
    def _compute_is_late(self):
        today = fields.Date.context_today(self)
        for record in self:
            record.is_late = (
                record.state == rules.PLANNED
                and record.planned_date
                and record.planned_date < today
            )

    @api.onchange("plan_id")
    def _onchange_plan_id(self):
        if self.plan_id:
            self.partner_id = self.plan_id.partner_id
            self.user_id = self.plan_id.user_id
            self.channel = self.plan_id.channel
            self.purpose = self.plan_id.purpose

    @api.constrains("partner_id", "company_id", "plan_id")
    def _check_consistency(self):
        for record in self:
            company = record.partner_id.company_id
            if company and company != record.company_id:
                raise ValidationError(
                    self.env._(
                        "Customer %(customer)s belongs to %(company)s only: "
                        "plan its visits in that company.",
                        customer=record.partner_id.display_name,
                        company=company.name,
                    )
                )
            if record.plan_id and record.plan_id.partner_id != record.partner_id:
                raise ValidationError(
                    self.env._(
                        "Visit of %(customer)s cannot belong to plan %(plan)s "
                        "of another customer.",
                        customer=record.partner_id.display_name,
                        plan=record.plan_id.display_name,
                    )
                )

    # Guards

    def _guard_hint(self):
        return self.env._(
            "the visit actions (done, missed, cancel, hand over), the "
            "supervisor's comment and the review actions"
        )

    def _check_supervisor_comment(self, vals):
        if "supervisor_comment" in vals and not (
            self.env.su or self.env.user.has_group(MANAGER_GROUP)
        ):
            raise AccessError(
                self.env._(
                    "Only a customer manager writes the supervisor's comment "
                    "on a visit."
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        # What the caller sent, before the commenter is filled in.
        self._check_guarded(vals_list, creating=True)
        commented = False
        for vals in vals_list:
            self._check_supervisor_comment(vals)
            if vals.get("supervisor_comment"):
                vals["supervisor_id"] = self.env.uid
                commented = True
        visits = guards.trusted(self, fields=["supervisor_id"]) if commented else self
        visits = super(CrmRelationVisit, visits).create(vals_list).with_env(self.env)
        visits._assign_weeks()
        visits.week_id._reopen_changed()
        return visits

    def write(self, vals):
        self._check_supervisor_comment(vals)
        visits = self
        if "supervisor_comment" in vals:
            # The commenter is the user writing the comment, never sent.
            self._check_guarded([vals], creating=False)
            vals = {**vals, "supervisor_id": self.env.uid}
            visits = guards.trusted(self, fields=["supervisor_id"])
        schedule_changed = any(f in vals for f in SCHEDULE_FIELDS)
        old_weeks = (
            self.week_id if schedule_changed else self.env["crm.relation.visit.week"]
        )
        result = super(CrmRelationVisit, visits).write(vals)
        if schedule_changed:
            self._assign_weeks()
            (old_weeks | self.week_id)._reopen_changed()
        return result

    def _assign_weeks(self):
        """Put each visit in its account manager's Saturday-to-Friday week of
        its company, creating the weeks that do not exist yet."""
        if not self:
            return
        Week = self.env["crm.relation.visit.week"].sudo()
        keys = defaultdict(lambda: self.browse())
        for record in self:
            start = rules.week_start(record.planned_date)
            keys[(record.user_id.id, record.company_id.id, start)] |= record
        weeks = Week._get_or_create(keys)
        for key, records in keys.items():
            week = weeks[key]
            stale = records.filtered(lambda r, w=week: r.week_id != w)
            if stale:
                guards.trusted(stale.sudo(), fields=["week_id"]).write(
                    {"week_id": week.id}
                )

    # Actions

    def _act(self, vals):
        """Write action fields after checking the user may edit the visits."""
        if not self:
            raise UserError(self.env._("Select at least one visit."))
        self.check_access("write")
        return guards.trusted(self.sudo(), fields=guards.ALL).write(vals)

    @guards.callers(USER_GROUP)
    def action_done(self):
        for record in self:
            if record.state not in (rules.PLANNED, rules.MISSED):
                raise UserError(
                    self.env._(
                        "Visit %(visit)s is %(state)s: only planned or missed "
                        "visits can be marked done.",
                        visit=record.display_name,
                        state=dict(STATES)[record.state],
                    )
                )
            if not (record.outcome or "").strip():
                raise UserError(
                    self.env._(
                        "Visit %(visit)s: write its outcome before marking it done.",
                        visit=record.display_name,
                    )
                )
        return self._act(
            {"state": rules.DONE, "done_date": fields.Date.context_today(self)}
        )

    @guards.callers(USER_GROUP)
    def action_cancel(self):
        done = self.filtered(lambda r: r.state == rules.DONE)
        if done:
            raise UserError(
                self.env._(
                    "Visits %(visits)s are done: a done visit cannot be cancelled.",
                    visits=", ".join(done.mapped("display_name")),
                )
            )
        result = self._act({"state": rules.CANCELLED})
        self.week_id._reopen_changed()
        return result

    @guards.callers(USER_GROUP)
    def action_reset(self):
        """Plan a missed or cancelled visit again."""
        self.check_access("write")
        again = self.filtered(lambda r: r.state in (rules.MISSED, rules.CANCELLED))
        if again:
            again._act({"state": rules.PLANNED, "done_date": False})
        return True

    @api.model
    def _mark_missed(self, today=None):
        """Mark every planned visit overdue past its company's grace days."""
        today = today or fields.Date.context_today(self)
        Visit = self.sudo().browse()
        missed = Visit
        for [company] in Visit._read_group(
            [("state", "=", rules.PLANNED)], ["company_id"]
        ):
            limit = today - timedelta(days=company.crm_relation_visit_missed_days)
            missed |= Visit.search(
                [
                    ("company_id", "=", company.id),
                    ("state", "=", rules.PLANNED),
                    ("planned_date", "<", limit),
                ]
            )
        guards.trusted(missed, fields=["state"]).write({"state": rules.MISSED})
        return missed


class CrmRelationVisitWeek(models.Model):
    """An account manager's visits of one Saturday-to-Friday week in one
    company: the schedule the sales manager approves on Sundays, and the
    report of the week sent on the Monday after it (seed 000, L21-36)."""

    _name = "crm.relation.visit.week"
    _description = "Weekly Visit Schedule"
    _inherit = ["mail.thread", "mail.activity.mixin", "crm.relation.guarded"]
    _order = "date_start desc, user_id"
    _rec_name = "date_start"
    # Account managers read their weeks and write nothing on them, yet take
    # part in their discussion.
    _mail_post_access = "read"

    user_id = fields.Many2one(
        "res.users",
        "Account Manager",
        required=True,
        index=True,
        readonly=True,
        guarded=True,
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, readonly=True, guarded=True
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    date_start = fields.Date("Week From", required=True, readonly=True, guarded=True)
    date_end = fields.Date(
        "Week To", compute="_compute_date_end", store=True, readonly=True, guarded=True
    )
    state = fields.Selection(
        [
            (rules.WEEK_DRAFT, "To Submit"),
            (rules.WEEK_SUBMITTED, "Submitted"),
            (rules.WEEK_APPROVED, "Approved"),
            (rules.WEEK_RETURNED, "Sent Back"),
        ],
        required=True,
        default=rules.WEEK_DRAFT,
        readonly=True,
        tracking=True,
        guarded=True,
    )
    visit_ids = fields.One2many("crm.relation.visit", "week_id", "Visits")
    booked_count = fields.Integer(
        "Visits Booked",
        compute="_compute_counts",
        store=True,
        help="Planned and done visits of the week; missed and cancelled ones "
        "do not count.",
        guarded=True,
    )
    done_count = fields.Integer(
        "Visits Done", compute="_compute_counts", store=True, guarded=True
    )
    missed_count = fields.Integer(
        "Visits Missed", compute="_compute_counts", store=True, guarded=True
    )
    kpi_minimum = fields.Integer(
        "Weekly Minimum", related="company_id.crm_relation_visit_kpi", store=True
    )
    below_kpi = fields.Boolean(
        "Below Weekly Minimum",
        compute="_compute_below_kpi",
        store=True,
        index=True,
        guarded=True,
    )
    submitted_date = fields.Datetime(
        "Submitted On", readonly=True, copy=False, guarded=True
    )
    approver_id = fields.Many2one(
        "res.users", "Approved By", readonly=True, guarded=True
    )
    approved_date = fields.Datetime(
        "Approved On", readonly=True, copy=False, guarded=True
    )
    return_reason = fields.Text("Sent Back Because", readonly=True, guarded=True)
    # The Monday report of the week (seed 000: deals, new customers, visits).
    report_order_count = fields.Integer("Deals Closed", readonly=True, guarded=True)
    report_amount = fields.Monetary(
        "Deal Amount", readonly=True, currency_field="currency_id", guarded=True
    )
    report_new_customer_count = fields.Integer(
        "New Customers", readonly=True, guarded=True
    )
    report_done_count = fields.Integer(
        "Visits Done (Report)", readonly=True, guarded=True
    )
    report_sent_date = fields.Datetime(
        "Report Sent On", readonly=True, copy=False, guarded=True
    )

    _week_uniq = models.UniqueIndex(
        "(user_id, company_id, date_start)",
        "An account manager has one schedule a week per company.",
    )
    _saturday = models.Constraint(
        "CHECK (EXTRACT(ISODOW FROM date_start) = 6)",
        "A visit week starts on a Saturday.",
    )

    @api.depends("date_start")
    def _compute_date_end(self):
        for week in self:
            week.date_end = week.date_start and rules.week_end(week.date_start)

    @api.depends("user_id", "date_start", "date_end")
    def _compute_display_name(self):
        for week in self:
            week.display_name = self.env._(
                "%(user)s: %(start)s - %(end)s",
                user=week.user_id.name or "",
                start=fields.Date.to_string(week.date_start) or "",
                end=fields.Date.to_string(week.date_end) or "",
            )

    @api.depends("visit_ids.state")
    def _compute_counts(self):
        counts = defaultdict(int)
        for week, state, count in (
            self.env["crm.relation.visit"]
            .sudo()
            ._read_group(
                [("week_id", "in", self.ids)], ["week_id", "state"], ["__count"]
            )
        ):
            counts[week.id, state] = count
        for week in self:
            week.done_count = counts[week.id, rules.DONE]
            week.missed_count = counts[week.id, rules.MISSED]
            week.booked_count = counts[week.id, rules.PLANNED] + week.done_count

    @api.depends("booked_count", "kpi_minimum")
    def _compute_below_kpi(self):
        for week in self:
            week.below_kpi = rules.below_kpi(week.booked_count, week.kpi_minimum)

    @api.model
    def _get_or_create(self, keys):
        """``{(user id, company id, saturday): week}`` for these keys, making
        the weeks that do not exist yet in one create."""
        users = {k[0] for k in keys}
        companies = {k[1] for k in keys}
        starts = {k[2] for k in keys}
        existing = self.search(
            [
                ("user_id", "in", list(users)),
                ("company_id", "in", list(companies)),
                ("date_start", "in", list(starts)),
            ]
        )
        weeks = {(w.user_id.id, w.company_id.id, w.date_start): w for w in existing}
        missing = [k for k in keys if k not in weeks]
        created = guards.trusted(self, fields=guards.ALL).create(
            [
                {"user_id": user, "company_id": company, "date_start": start}
                for user, company, start in missing
            ]
        )
        weeks.update(zip(missing, created, strict=True))
        return weeks

    def write(self, vals):
        self.check_access("write")  # rights first, then what may change
        return super().write(vals)

    def _guard_hint(self):
        return self.env._(
            "its actions (submit, approve, send back) and the scheduled report"
        )

    def _action_write(self, vals):
        return guards.trusted(self.sudo(), fields=guards.ALL).write(vals)

    # The approval flow

    def _move(self, action, vals=None, message=None):
        for week in self:
            try:
                rules.week_transition(week.state, action)
            except rules.WeekTransitionError as error:
                raise UserError(
                    self.env._(
                        "Week %(week)s is %(state)s: it cannot be %(action)s.",
                        week=week.display_name,
                        state=dict(
                            self._fields["state"]._description_selection(self.env)
                        )[week.state],
                        action=self._action_label(action),
                    )
                ) from error
        target = rules.WEEK_TRANSITIONS[action][1]
        self._action_write({"state": target, **(vals or {})})
        if message:
            for week in self.sudo():
                week.message_post(body=message)

    def _action_label(self, action):
        return {
            "submit": self.env._("submitted"),
            "approve": self.env._("approved"),
            "return": self.env._("sent back"),
            "reopen": self.env._("reopened"),
        }[action]

    @guards.callers(USER_GROUP)
    def action_submit(self):
        if not self:
            raise UserError(self.env._("Select at least one weekly schedule."))
        self.check_access("read")
        others = self.filtered(lambda w: w.user_id != self.env.user)
        if others and not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(
                self.env._(
                    "%(user)s may submit only their own visit schedule, not %(weeks)s.",
                    user=self.env.user.name,
                    weeks=", ".join(others.mapped("display_name")),
                )
            )
        self._move("submit", {"submitted_date": fields.Datetime.now()})
        self.sudo().activity_feedback(
            ["crm_relation.mail_activity_visit_week_submit"],
            feedback=self.env._("Submitted."),
        )
        return True

    def _check_approver(self):
        if not self:
            raise UserError(self.env._("Select at least one weekly schedule."))
        self.check_access("read")
        own = self.filtered(lambda w: w.user_id == self.env.user)
        if own and not self.env.su:
            raise AccessError(
                self.env._(
                    "%(user)s cannot approve or send back their own schedule "
                    "%(week)s: another manager does.",
                    user=self.env.user.name,
                    week=", ".join(own.mapped("display_name")),
                )
            )

    @guards.callers(MANAGER_GROUP)
    def action_approve(self):
        self._check_approver()
        self._move(
            "approve",
            {
                "approver_id": self.env.uid,
                "approved_date": fields.Datetime.now(),
                "return_reason": False,
            },
        )
        return True

    @guards.callers(MANAGER_GROUP)
    def action_return(self, reason=None):
        self._check_approver()
        reason = guards.arg_text(self.env, reason, "reason", required=False)
        if not reason:
            raise UserError(
                self.env._("Say why the schedule goes back to its account manager.")
            )
        self._move(
            "return",
            {"return_reason": reason, "approver_id": False, "approved_date": False},
            self.env._("Sent back: %(reason)s", reason=reason),
        )
        return True

    def _reopen_changed(self):
        """A submitted or approved schedule whose visits changed goes back to
        its account manager to submit again."""
        changed = self.filtered(
            lambda w: w.state in (rules.WEEK_SUBMITTED, rules.WEEK_APPROVED)
        )
        if changed:
            changed._move(
                "reopen",
                {"approver_id": False, "approved_date": False},
                self.env._(
                    "Visits changed after submission by %(user)s: submit the "
                    "schedule again.",
                    user=self.env.user.name,
                ),
            )

    # Scheduled actions

    @api.model
    def _planned_users(self):
        """{company: account managers with active visit plans in it}."""
        return dict(
            self.env["crm.relation.visit.plan"]
            .sudo()
            ._read_group([("active", "=", True)], ["company_id"], ["user_id:recordset"])
        )

    @api.model
    def _ensure_weeks(self, start):
        """The weeks starting ``start`` of every account manager with an
        active plan, created where missing (a week with no visit at all is
        one the KPI must flag)."""
        keys = {
            (user.id, company.id, start)
            for company, users in self._planned_users().items()
            for user in users
        }
        weeks = self.sudo()._get_or_create(keys)
        return self.sudo().browse(w.id for w in weeks.values())

    @api.model
    def _cron_submit_reminder(self, today=None):
        """Sundays: remind account managers of the coming week's schedule
        they have not submitted."""
        today = today or fields.Date.context_today(self)
        start, _end = rules.coming_week(today)
        weeks = self._ensure_weeks(start).filtered(
            lambda w: w.state in (rules.WEEK_DRAFT, rules.WEEK_RETURNED)
        )
        activity_type = self.env.ref("crm_relation.mail_activity_visit_week_submit")
        reminded = (
            self.env["mail.activity"]
            .sudo()
            .search(
                [
                    ("res_model", "=", self._name),
                    ("res_id", "in", weeks.ids),
                    ("activity_type_id", "=", activity_type.id),
                ]
            )
            .mapped("res_id")
        )
        for week in weeks.filtered(lambda w: w.id not in reminded):
            week.activity_schedule(
                "crm_relation.mail_activity_visit_week_submit",
                date_deadline=today,
                user_id=week.user_id.id,
            )
        return weeks

    @api.model
    def _cron_weekly_report(self, today=None):
        """Mondays: fill and send each account manager's report of last week
        (deals closed, new customers, visits done) to their sales manager."""
        today = today or fields.Date.context_today(self)
        start, end = rules.previous_week(today)
        weeks = self._ensure_weeks(start)
        weeks |= self.sudo().search([("date_start", "=", start)])
        weeks = weeks.filtered(lambda w: not w.report_sent_date)
        if not weeks:
            return weeks
        figures = self._report_figures(weeks, start, end)
        for week in weeks:
            orders, amount, new_customers, done = figures.get(
                (week.user_id.id, week.company_id.id), (0, 0.0, 0, 0)
            )
            week._action_write(
                {
                    "report_order_count": orders,
                    "report_amount": amount,
                    "report_new_customer_count": new_customers,
                    "report_done_count": done,
                    "report_sent_date": fields.Datetime.now(),
                }
            )
            week._send_report()
        return weeks

    @api.model
    def _report_figures(self, weeks, start, end):
        """{(user id, company id): (deals, amount, new customers, visits done)}
        over ``start``..``end``, in one query for all the weeks."""
        self.env.flush_all()
        self.env.cr.execute(
            """
            WITH keys AS (
                SELECT DISTINCT user_id, company_id FROM crm_relation_visit_week
                 WHERE id = ANY(%(weeks)s)
            ), deals AS (
                SELECT so.user_id, so.company_id, so.id, so.amount_untaxed,
                       so.currency_rate, p.commercial_partner_id,
                       COALESCE(up.tz, 'UTC') AS tz
                  FROM sale_order so
                  JOIN keys k ON k.user_id = so.user_id
                             AND k.company_id = so.company_id
                  JOIN res_partner p ON p.id = so.partner_id
                  JOIN res_users u ON u.id = so.user_id
                  JOIN res_partner up ON up.id = u.partner_id
                 WHERE so.state = 'sale'
                   AND (so.date_order AT TIME ZONE 'UTC'
                        AT TIME ZONE COALESCE(up.tz, 'UTC'))::date
                       BETWEEN %(start)s AND %(end)s
            ), visits AS (
                SELECT v.user_id, v.company_id, count(*) AS done
                  FROM crm_relation_visit v
                  JOIN keys k ON k.user_id = v.user_id
                             AND k.company_id = v.company_id
                 WHERE v.state = 'done'
                   AND v.done_date BETWEEN %(start)s AND %(end)s
                 GROUP BY v.user_id, v.company_id
            )
            SELECT k.user_id, k.company_id,
                   (SELECT count(*) FROM deals d
                     WHERE d.user_id = k.user_id AND d.company_id = k.company_id),
                   (SELECT COALESCE(sum(d.amount_untaxed
                                        / NULLIF(d.currency_rate, 0)), 0)
                      FROM deals d
                     WHERE d.user_id = k.user_id AND d.company_id = k.company_id),
                   (SELECT count(DISTINCT d.commercial_partner_id) FROM deals d
                     WHERE d.user_id = k.user_id AND d.company_id = k.company_id
                       AND NOT EXISTS (
                           SELECT 1 FROM sale_order old
                             JOIN res_partner op ON op.id = old.partner_id
                            WHERE old.state = 'sale'
                              AND old.company_id = d.company_id
                              AND op.commercial_partner_id
                                  = d.commercial_partner_id
                              -- "before the week" in the account manager's
                              -- own days, as the deals are counted
                              AND (old.date_order AT TIME ZONE 'UTC'
                                   AT TIME ZONE d.tz)::date < %(start)s)),
                   COALESCE(v.done, 0)
              FROM keys k
              LEFT JOIN visits v ON v.user_id = k.user_id
                                AND v.company_id = k.company_id
            """,
            {"weeks": weeks.ids, "start": start, "end": end},
        )
        return {
            (user, company): (orders, amount, new, done)
            for user, company, orders, amount, new, done in self.env.cr.fetchall()
        }

    def _report_recipients(self):
        """The account manager's sales team leader, else the customer
        managers of the company."""
        self.ensure_one()
        leader = self.user_id.sale_team_id.user_id
        if leader and leader != self.user_id:
            return leader.partner_id
        managers = (
            self.env.ref(MANAGER_GROUP)
            .sudo()
            # Members through an implying group too, not only explicit ones.
            .all_user_ids.filtered(
                lambda u: (
                    self.company_id in u.company_ids
                    and u != self.user_id
                    and not u.share
                    and u.id != self.env.ref("base.user_root").id
                )
            )
        )
        return managers.partner_id

    def _send_report(self):
        self.ensure_one()
        recipients = self._report_recipients()
        body = self.env["ir.qweb"]._render(
            "crm_relation.visit_week_report_mail", {"week": self}
        )
        self.message_post(
            body=body,
            subject=self.env._(
                "Weekly report of %(user)s, %(start)s - %(end)s",
                user=self.user_id.name,
                start=fields.Date.to_string(self.date_start),
                end=fields.Date.to_string(self.date_end),
            ),
            partner_ids=recipients.ids,
            subtype_xmlid="mail.mt_comment",
        )
