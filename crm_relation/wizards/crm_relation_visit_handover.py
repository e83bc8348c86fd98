# Copyright 2026 crm_relation developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from ..models import guards
from ..models.crm_relation_visit import MANAGER_GROUP


class CrmRelationVisitHandover(models.TransientModel):
    """Hand an absent account manager's planned visits over to a colleague
    (seed 000: before holidays, visits are handed over)."""

    _name = "crm.relation.visit.handover"
    _description = "Hand Over Visits"

    from_user_id = fields.Many2one(
        "res.users",
        "Absent Account Manager",
        required=True,
        default=lambda s: s.env.user,
    )
    to_user_id = fields.Many2one(
        "res.users",
        "Colleague",
        required=True,
        domain="[('share', '=', False), ('id', '!=', from_user_id)]",
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda s: s.env.company
    )
    date_from = fields.Date("From", required=True, default=fields.Date.context_today)
    date_to = fields.Date("To", required=True, default=fields.Date.context_today)
    reason = fields.Char(help="e.g. Spring Festival holiday")
    visit_ids = fields.Many2many(
        "crm.relation.visit", compute="_compute_visit_ids", string="Visits"
    )

    @api.depends("from_user_id", "company_id", "date_from", "date_to")
    def _compute_visit_ids(self):
        for wizard in self:
            wizard.visit_ids = wizard._visits()

    def _visits(self):
        self.ensure_one()
        if not (self.from_user_id and self.date_from and self.date_to):
            return self.env["crm.relation.visit"]
        return (
            self.env["crm.relation.visit"]
            .sudo()
            .search(
                [
                    ("user_id", "=", self.from_user_id.id),
                    ("company_id", "=", self.company_id.id),
                    ("state", "=", "planned"),
                    ("planned_date", ">=", self.date_from),
                    ("planned_date", "<=", self.date_to),
                ]
            )
        )

    def _check(self):
        guards.ensure_one(self)
        if self.from_user_id != self.env.user and not self.env.user.has_group(
            MANAGER_GROUP
        ):
            raise AccessError(
                self.env._(
                    "%(user)s may hand over only their own visits, not those "
                    "of %(absent)s.",
                    user=self.env.user.name,
                    absent=self.from_user_id.name,
                )
            )
        if self.date_to < self.date_from:
            raise UserError(
                self.env._(
                    "Hand-over ends on %(end)s, before it starts on %(start)s.",
                    end=self.date_to,
                    start=self.date_from,
                )
            )
        if self.to_user_id == self.from_user_id:
            raise UserError(
                self.env._(
                    "Hand the visits of %(user)s over to someone else.",
                    user=self.from_user_id.name,
                )
            )
        if self.company_id not in self.to_user_id.company_ids or not (
            self.to_user_id.has_group("crm_relation.group_crm_relation_user")
        ):
            raise UserError(
                self.env._(
                    "%(user)s cannot take over visits in %(company)s: they need "
                    "access to the company and the Customer Relations user "
                    "role.",
                    user=self.to_user_id.name,
                    company=self.company_id.name,
                )
            )

    @guards.callers(guards.USER_GROUP)
    def action_handover(self):
        self._check()
        visits = self._visits()
        if not visits:
            raise UserError(
                self.env._(
                    "%(user)s has no planned visits in %(company)s from "
                    "%(start)s to %(end)s.",
                    user=self.from_user_id.name,
                    company=self.company_id.name,
                    start=self.date_from,
                    end=self.date_to,
                )
            )
        old_weeks = visits.week_id
        guards.trusted(visits, fields=["handover_from_id"]).write(
            {"user_id": self.to_user_id.id, "handover_from_id": self.from_user_id.id}
        )
        message = self.env._(
            "Handed over from %(absent)s to %(colleague)s by %(user)s "
            "(%(start)s - %(end)s)%(reason)s.",
            absent=self.from_user_id.name,
            colleague=self.to_user_id.name,
            user=self.env.user.name,
            start=self.date_from,
            end=self.date_to,
            reason=f": {self.reason}" if self.reason else "",
        )
        visits._message_log_batch(dict.fromkeys(visits.ids, message))
        body = Markup("%s<br/>%s") % (
            message,
            ", ".join(f"{v.planned_date} {v.display_name}" for v in visits),
        )
        for week in old_weeks | visits.week_id:
            week.message_post(body=body)
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Handed-over Visits"),
            "res_model": "crm.relation.visit",
            "view_mode": "list,form,calendar",
            "domain": [("id", "in", visits.ids)],
        }
