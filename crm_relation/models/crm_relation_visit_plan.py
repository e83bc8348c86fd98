# Copyright 2026 crm_relation developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from collections import defaultdict
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..logic import visit as rules
from . import guards
from .crm_relation_visit import CHANNELS, PURPOSES, UNITS, USER_GROUP


class CrmRelationVisitPlan(models.Model):
    """A recurring return-visit plan for one customer (seed 000, L21-36)."""

    _name = "crm.relation.visit.plan"
    _description = "Visit Plan"
    _inherit = ["mail.thread", "crm.relation.guarded"]
    _order = "next_date, id"
    _check_company_auto = True

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
                days=plan.company_id.relation_visit_horizon_days
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
