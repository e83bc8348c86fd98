# Copyright 2026 crm_relation developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from ..logic import visit as rules
from . import guards
from .crm_relation_visit import MANAGER_GROUP, USER_GROUP


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

    # === FIELDS === #

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
        "Weekly Minimum", related="company_id.relation_visit_kpi", store=True
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

    # === COMPUTE METHODS === #

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

    # === CRUD METHODS === #

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

    # === ACTION METHODS === #

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

    # === CRON METHODS === #

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
        start, _end = rules.previous_week(today)
        weeks = self._ensure_weeks(start)
        weeks |= self.sudo().search([("date_start", "=", start)])
        weeks = weeks.filtered(lambda w: not w.report_sent_date)
        if not weeks:
            return weeks
        figures = self._report_figures(weeks, start)
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
    def _report_figures(self, weeks, start):
        """{(user id, company id): (deals, amount, new customers, visits done)}
        of the week starting ``start``, from the weekly report, for all the
        weeks at once."""
        rows = (
            self.env["crm.relation.visit.week.report"]
            .sudo()
            ._read_group(
                [
                    ("date", "=", start),
                    ("user_id", "in", weeks.user_id.ids),
                    ("company_id", "in", weeks.company_id.ids),
                ],
                ["user_id", "company_id"],
                [
                    "order_count:sum",
                    "amount:sum",
                    "new_customer_count:sum",
                    "visit_done_count:sum",
                ],
            )
        )
        return {
            (user.id, company.id): (orders, amount, new, done)
            for user, company, orders, amount, new, done in rows
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
