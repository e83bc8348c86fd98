# Copyright 2026 crm_relation developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from collections import defaultdict
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from ..logic import visit as rules
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
    ("win_back", "Win Back"),
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


class CrmRelationVisit(models.Model):
    """One return visit (seed 000): planned, then done (with outcome, the
    customer's needs and opinions, satisfaction and the next step) or missed;
    the supervisor reviews the record and comments."""

    _name = "crm.relation.visit"
    _description = "Customer Visit"
    _inherit = ["mail.thread", "mail.activity.mixin", "crm.relation.review.mixin"]
    _order = "planned_date desc, id desc"
    _check_company_auto = True

    # === FIELDS === #

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
        check_company=True,
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

    # === COMPUTE METHODS === #

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

    # === ONCHANGE METHODS === #

    @api.onchange("plan_id")
    def _onchange_plan_id(self):
        if self.plan_id:
            self.partner_id = self.plan_id.partner_id
            self.user_id = self.plan_id.user_id
            self.channel = self.plan_id.channel
            self.purpose = self.plan_id.purpose

    # === CONSTRAINT METHODS === #

    @api.constrains("partner_id", "plan_id")
    def _check_plan_partner(self):
        for record in self:
            if record.plan_id and record.plan_id.partner_id != record.partner_id:
                raise ValidationError(
                    self.env._(
                        "Visit of %(customer)s cannot belong to plan %(plan)s "
                        "of another customer.",
                        customer=record.partner_id.display_name,
                        plan=record.plan_id.display_name,
                    )
                )

    # === CRUD METHODS === #

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
        # Ids first, recordsets once: a union a visit would cost the square
        # of a week's visits (an evaluation plans thousands in one week).
        ids = defaultdict(list)
        for record in self:
            start = rules.week_start(record.planned_date)
            ids[(record.user_id.id, record.company_id.id, start)].append(record.id)
        keys = {key: self.browse(record_ids) for key, record_ids in ids.items()}
        weeks = Week._get_or_create(keys)
        for key, records in keys.items():
            week = weeks[key]
            stale = records.filtered(lambda r, w=week: r.week_id != w)
            if stale:
                guards.trusted(stale.sudo(), fields=["week_id"]).write(
                    {"week_id": week.id}
                )

    # === ACTION METHODS === #

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

    # === BUSINESS METHODS === #

    @api.model
    def _mark_missed(self, today=None):
        """Mark every planned visit overdue past its company's grace days."""
        today = today or fields.Date.context_today(self)
        Visit = self.sudo().browse()
        missed = Visit
        for [company] in Visit._read_group(
            [("state", "=", rules.PLANNED)], ["company_id"]
        ):
            limit = today - timedelta(days=company.relation_visit_missed_days)
            missed |= Visit.search(
                [
                    ("company_id", "=", company.id),
                    ("state", "=", rules.PLANNED),
                    ("planned_date", "<", limit),
                ]
            )
        guards.trusted(missed, fields=["state"]).write({"state": rules.MISSED})
        return missed
