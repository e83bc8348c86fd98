# Copyright 2026 crm_relation developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from collections import defaultdict
from datetime import datetime, time, timedelta

import pytz

from odoo import Command, api, fields, models
from odoo.exceptions import UserError

from ..logic import helpdesk
from . import guards

STATES = [("draft", "Draft"), ("reviewed", "Reviewed"), ("sent", "Sent")]
MANAGER_GROUP = guards.MANAGER_GROUP


class CrmRelationComplaintSummary(models.Model):
    """One helpdesk team's complaints of one month in one company (seed 004,
    L385-391): a customer manager reviews the summary, then it is sent to
    the customer-service leadership."""

    _name = "crm.relation.complaint.summary"
    _description = "Monthly Complaint Summary"
    _inherit = ["mail.thread", "crm.relation.guarded"]
    _order = "date_from desc, team_id"

    # === FIELDS === #

    name = fields.Char(compute="_compute_name", store=True, guarded=True)
    team_id = fields.Many2one(
        "helpdesk.ticket.team",
        required=True,
        index=True,
        readonly=True,
        guarded="create",
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        readonly=True,
        default=lambda self: self.env.company,
        guarded="create",
    )
    date_from = fields.Date(
        "Month",
        required=True,
        readonly=True,
        help="First day of the month summarised: complaints opened in it.",
        guarded="create",
    )
    date_to = fields.Date("Until", compute="_compute_date_to", store=True, guarded=True)
    state = fields.Selection(
        STATES,
        required=True,
        default="draft",
        readonly=True,
        tracking=True,
        guarded=True,
    )
    complaint_count = fields.Integer("Complaints", readonly=True, guarded=True)
    closed_count = fields.Integer("Closed", readonly=True, guarded=True)
    scored_count = fields.Integer("Scored", readonly=True, guarded=True)
    avg_resolution_hours = fields.Float(
        "Average Resolution Time (hours)", readonly=True, digits=(16, 1), guarded=True
    )
    avg_satisfaction = fields.Float(
        "Average Satisfaction", readonly=True, digits=(16, 2), guarded=True
    )
    rated_count = fields.Integer(
        "Rated by Customers",
        readonly=True,
        guarded=True,
        help="Complaints the customer rated (OCA helpdesk_mgmt_rating).",
    )
    avg_rating = fields.Float(
        "Average Customer Rating",
        readonly=True,
        digits=(16, 2),
        guarded=True,
        help="Average of the customers' last rating (1-5) of each complaint "
        "they rated, beside the satisfaction the staff record at closing.",
    )
    line_ids = fields.One2many(
        "crm.relation.complaint.summary.line",
        "summary_id",
        "Figures",
        readonly=True,
        guarded=True,
    )
    category_line_ids = fields.One2many(
        "crm.relation.complaint.summary.line",
        "summary_id",
        "By Category",
        domain=[("kind", "=", "category")],
        readonly=True,
        guarded=True,
    )
    tier_line_ids = fields.One2many(
        "crm.relation.complaint.summary.line",
        "summary_id",
        "By Tier",
        domain=[("kind", "=", "tier")],
        readonly=True,
        guarded=True,
    )
    review_comment = fields.Text(
        "Manager's Comment", help="What the customer manager concluded on review."
    )
    reviewed_by_id = fields.Many2one(
        "res.users",
        "Reviewer",
        readonly=True,
        copy=False,
        tracking=True,
        guarded=True,
    )
    reviewed_on = fields.Datetime(readonly=True, copy=False, guarded=True)
    sent_on = fields.Datetime(readonly=True, copy=False, guarded=True)

    _month_uniq = models.Constraint(
        "UNIQUE(team_id, company_id, date_from)",
        "A team has one complaint summary a month in each company.",
    )

    # === COMPUTE METHODS === #

    @api.depends("team_id", "date_from")
    def _compute_name(self):
        for summary in self:
            month = summary.date_from and summary.date_from.strftime("%Y-%m")
            summary.name = " · ".join(filter(None, [summary.team_id.name, month]))

    @api.depends("date_from")
    def _compute_date_to(self):
        for summary in self:
            summary.date_to = summary.date_from and (
                helpdesk.month_bounds(summary.date_from)[1] - timedelta(days=1)
            )

    # === CRUD METHODS === #

    def _guard_hint(self):
        return self.env._(
            "its actions (recount, mark reviewed, send) and the monthly run; "
            "a summary's team, company and month are set once, on creation"
        )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("date_from"):
                day = fields.Date.to_date(vals["date_from"])
                vals["date_from"] = helpdesk.month_bounds(day)[0]
        summaries = super().create(vals_list)
        summaries._refresh()
        return summaries

    def copy(self, default=None):  # pylint: disable=method-required-super
        self.check_access("create")
        raise UserError(
            self.env._(
                "A complaint summary cannot be duplicated: there is one a "
                "month for each team and company."
            )
        )

    # === ACTION METHODS === #

    @guards.callers(MANAGER_GROUP)
    def action_refresh(self):
        self._check_records()
        done = self.filtered(lambda s: s.state != "draft")
        if done:
            raise UserError(
                self.env._(
                    "%(summaries)s: only a draft complaint summary can be recounted.",
                    summaries=", ".join(done.mapped("name")),
                )
            )
        self._refresh()
        return guards.notification(self.env._("Complaint figures recounted."))

    @guards.callers(MANAGER_GROUP)
    def action_mark_reviewed(self):
        """The customer manager checked the summary: it can be sent."""
        self._check_records()
        wrong = self.filtered(lambda s: s.state != "draft")
        if wrong:
            raise UserError(
                self.env._(
                    "%(summaries)s: only a draft complaint summary can be "
                    "marked reviewed.",
                    summaries=", ".join(wrong.mapped("name")),
                )
            )
        self._internal().write(
            {
                "state": "reviewed",
                "reviewed_by_id": self.env.user.id,
                "reviewed_on": fields.Datetime.now(),
            }
        )

    @guards.callers(MANAGER_GROUP)
    def action_reset_draft(self):
        self._check_records()
        wrong = self.filtered(lambda s: s.state != "reviewed")
        if wrong:
            raise UserError(
                self.env._(
                    "%(summaries)s: only a reviewed, unsent complaint summary "
                    "goes back to draft.",
                    summaries=", ".join(wrong.mapped("name")),
                )
            )
        self._internal().write(
            {"state": "draft", "reviewed_by_id": False, "reviewed_on": False}
        )

    @guards.callers(MANAGER_GROUP)
    def action_send(self):
        """Mail the reviewed summary to the team's leadership."""
        self._check_records()
        for summary in self:
            if summary.state != "reviewed":
                raise UserError(
                    self.env._(
                        "%(summary)s is %(state)s: a customer manager marks a "
                        "complaint summary reviewed before it is sent.",
                        summary=summary.name,
                        state=dict(
                            self._fields["state"]._description_selection(self.env)
                        )[summary.state],
                    )
                )
            leaders = summary.team_id._crm_relation_leadership()
            if not leaders:
                raise UserError(
                    self.env._(
                        "Team %(team)s has no complaint leader, leadership "
                        "group or team leader to send %(summary)s to.",
                        team=summary.team_id.display_name,
                        summary=summary.name,
                    )
                )
        for summary in self:
            leaders = summary.team_id._crm_relation_leadership()
            intro = self.env._(
                "Complaint summary of team %(team)s for %(month)s, reviewed by "
                "%(reviewer)s.",
                team=summary.team_id.display_name,
                month=summary.date_from.strftime("%Y-%m"),
                reviewer=summary.reviewed_by_id.name,
            )
            body = self.env["ir.qweb"]._render(
                "crm_relation.complaint_summary_mail",
                {"summary": summary, "intro": intro},
            )
            summary.message_post(
                body=body,
                subject=self.env._("Complaint summary %(name)s", name=summary.name),
                partner_ids=leaders.partner_id.ids,
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
        self._internal().write({"state": "sent", "sent_on": fields.Datetime.now()})

    @guards.callers(MANAGER_GROUP)
    @api.model
    def action_create_last_month(self):
        """Menu action: create the missing summaries of last month now."""
        created = self._cron_create_monthly()
        return guards.notification(
            self.env._("%(count)s complaint summary(ies) created.", count=len(created))
        )

    # === BUSINESS METHODS === #

    def _internal(self):
        return guards.trusted(self.sudo(), fields=guards.ALL)

    def _check_records(self):
        if not self:
            raise UserError(self.env._("Select at least one complaint summary."))
        self.check_access("write")

    def _refresh(self):
        """Recount every summary of ``self`` from the complaints opened in
        its month, team and company: one grouped query for the batch."""
        if not self:
            return
        if len(self.company_id) > 1:
            for company in self.company_id:
                self.filtered(lambda r, c=company: r.company_id == c)._refresh()
            return
        tz = self._tz_name(self.company_id)
        start = self._utc(min(self.mapped("date_from")), tz)
        end = self._utc(helpdesk.month_bounds(max(self.mapped("date_from")))[1], tz)
        rows = (
            self.env["helpdesk.ticket"]
            .sudo()
            .with_context(active_test=False, tz=tz)
            ._read_group(
                [
                    ("relation_is_complaint", "=", True),
                    ("duplicate_id", "=", False),
                    ("team_id", "in", self.team_id.ids),
                    ("company_id", "in", self.company_id.ids),
                    ("create_date", ">=", start),
                    ("create_date", "<", end),
                ],
                [
                    "team_id",
                    "company_id",
                    "create_date:month",
                    "category_id",
                    "relation_intake_tier_id",
                    "relation_satisfaction",
                    "stage_id",
                    "rating_last_value",
                ],
                ["__count", "relation_resolution_hours:sum"],
            )
        )
        buckets = defaultdict(list)
        for team, company, month, *rest in rows:
            buckets[(team.id, company.id, fields.Date.to_date(month))].append(rest)
        for summary in self:
            key = (summary.team_id.id, summary.company_id.id, summary.date_from)
            summary._store_figures(buckets.get(key, []))

    def _store_figures(self, rows):
        self.ensure_one()
        total = _Figure()
        by_category = defaultdict(_Figure)
        by_tier = defaultdict(_Figure)
        for category, tier, satisfaction, stage, rating, count, hours in rows:
            for figure in (total, by_category[category], by_tier[tier]):
                figure.add(count, satisfaction, stage.closed, hours, rating)
        lines = [Command.clear()]
        for kind, groups in (("category", by_category), ("tier", by_tier)):
            for record, figure in sorted(
                groups.items(), key=lambda item: (-item[1].count, item[0].id or 0)
            ):
                lines.append(
                    Command.create(
                        {
                            "kind": kind,
                            f"{kind}_id": record.id,
                            **figure.values(),
                        }
                    )
                )
        self._internal().write(
            {
                "complaint_count": total.count,
                "closed_count": total.closed,
                "scored_count": total.scored,
                "avg_resolution_hours": total.values()["avg_resolution_hours"],
                "avg_satisfaction": total.values()["avg_satisfaction"],
                "rated_count": total.rated,
                "avg_rating": total.values()["avg_rating"],
                "line_ids": lines,
            }
        )

    @api.model
    def _tz_name(self, company):
        """Months are counted in the company's time zone (its partner's; UTC
        without one), whoever counts them: the cron or a manager's Recount."""
        tz = company.partner_id.tz
        return tz if tz in pytz.all_timezones_set else "UTC"

    @api.model
    def _utc(self, day, tz):
        """Midnight of ``day`` in ``tz``, as a naive UTC datetime."""
        local = pytz.timezone(tz).localize(datetime.combine(day, time.min))
        return local.astimezone(pytz.utc).replace(tzinfo=None)

    @api.model
    def _create_for_month(self, month):
        pairs = set()
        companies = self.env["res.company"].sudo().search([])  # pylint: disable=no-search-all
        for company in companies:
            tz = self._tz_name(company)
            pairs |= {
                (team.id, company.id)
                for [team] in self.env["helpdesk.ticket"]
                .sudo()
                .with_context(active_test=False)
                ._read_group(
                    [
                        ("relation_is_complaint", "=", True),
                        ("duplicate_id", "=", False),
                        ("company_id", "=", company.id),
                        ("team_id", "!=", False),
                        ("create_date", ">=", self._utc(month, tz)),
                        (
                            "create_date",
                            "<",
                            self._utc(helpdesk.month_bounds(month)[1], tz),
                        ),
                    ],
                    ["team_id"],
                )
            }
        teams = (
            self.env["helpdesk.ticket.team"]
            .sudo()
            .search([("company_id", "!=", False)])
        )
        pairs |= {(team.id, team.company_id.id) for team in teams}
        existing = {
            (s.team_id.id, s.company_id.id)
            for s in self.sudo().search([("date_from", "=", month)])
        }
        todo = sorted(pairs - existing)
        return self.sudo().create(
            [
                {"team_id": team_id, "company_id": company_id, "date_from": month}
                for team_id, company_id in todo
            ]
        )

    # === CRON METHODS === #

    @api.model
    def _cron_create_monthly(self, today=None):
        """Create (once) last month's summary of every team with complaints
        in it, and of every team tied to a company."""
        today = fields.Date.to_date(today) or fields.Date.context_today(self)
        month = helpdesk.previous_month(today)
        return self.sudo()._create_for_month(month)


class _Figure:
    """Running totals of one group of complaints."""

    __slots__ = (
        "closed", "count", "hours", "rated", "rating_sum", "score_sum", "scored",
    )  # fmt: skip

    def __init__(self):
        self.count = self.closed = self.scored = self.score_sum = self.rated = 0
        self.hours = self.rating_sum = 0.0

    def add(self, count, satisfaction, closed, hours, rating=0.0):
        """``rating``: the customer's last rating of the tickets (OCA
        helpdesk_mgmt_rating's ``rating_last_value``, 0 when not rated)."""
        self.count += count
        if closed:
            self.closed += count
            self.hours += hours or 0.0
        if satisfaction:
            self.scored += count
            self.score_sum += int(satisfaction) * count
        if rating and rating >= 1:
            self.rated += count
            self.rating_sum += rating * count

    def values(self):
        return {
            "complaint_count": self.count,
            "closed_count": self.closed,
            "avg_resolution_hours": helpdesk.average(self.hours, self.closed),
            "avg_satisfaction": helpdesk.average(self.score_sum, self.scored),
            "rated_count": self.rated,
            "avg_rating": helpdesk.average(self.rating_sum, self.rated),
        }
