# Copyright 2026 crm_relation developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from ..logic import visit as rules
from ..models import guards


class CrmRelationManagerEvaluation(models.TransientModel):
    """Account managers' work over a period (seed 004, L39: evaluation of
    account managers; seed 000, L72-80: appraised on quantity and quality)."""

    _name = "crm.relation.manager.evaluation"
    _description = "Account Manager Evaluation"

    date_from = fields.Date(
        "From",
        required=True,
        default=lambda s: fields.Date.context_today(s).replace(day=1),
    )
    date_to = fields.Date("To", required=True, default=fields.Date.context_today)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda s: s.env.company
    )
    user_ids = fields.Many2many(
        "res.users",
        string="Account Managers",
        help="Leave empty for every account manager with visits, VIPs or "
        "customers in the period.",
    )
    line_ids = fields.One2many(
        "crm.relation.manager.evaluation.line", "evaluation_id", "Evaluation Lines"
    )

    @guards.callers(guards.MANAGER_GROUP, guards.AUDITOR_GROUP)
    def action_compute(self):
        guards.ensure_one(self)
        if self.date_to < self.date_from:
            raise UserError(
                self.env._(
                    "The period ends on %(end)s, before it starts on %(start)s.",
                    end=self.date_to,
                    start=self.date_from,
                )
            )
        if self.company_id not in self.env.companies:
            raise AccessError(
                self.env._(
                    "%(user)s cannot evaluate account managers of %(company)s.",
                    user=self.env.user.name,
                    company=self.company_id.name,
                )
            )
        self.line_ids.unlink()
        figures = self._figures()
        users = self.user_ids or self.env["res.users"].browse(figures)
        self.env["crm.relation.manager.evaluation.line"].create(
            [
                {
                    "evaluation_id": self.id,
                    "user_id": user.id,
                    **figures.get(user.id, {}),
                }
                for user in users.sorted("name")
            ]
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "current",
        }

    def _figures(self):
        """{user id: line values}, each source in one grouped query."""
        figures = {}

        def add(user_id, **vals):
            if user_id:
                figures.setdefault(user_id, {}).update(vals)

        params = {
            "company": self.company_id.id,
            "start": self.date_from,
            "end": self.date_to,
            "users": self.user_ids.ids or None,
        }
        self.env.flush_all()
        cr = self.env.cr
        cr.execute(
            """
            SELECT user_id,
                   count(*) FILTER (WHERE state != 'cancelled'),
                   count(*) FILTER (WHERE state = 'done'),
                   count(*) FILTER (WHERE state = 'missed'),
                   count(*) FILTER (WHERE state = 'done'
                                      AND done_date <= planned_date),
                   COALESCE(sum(satisfaction::int)
                            FILTER (WHERE state = 'done'
                                      AND satisfaction IS NOT NULL), 0),
                   count(*) FILTER (WHERE state = 'done'
                                      AND satisfaction IS NOT NULL)
              FROM crm_relation_visit
             WHERE company_id = %(company)s
               AND planned_date BETWEEN %(start)s AND %(end)s
               AND (%(users)s::int[] IS NULL OR user_id = ANY(%(users)s))
             GROUP BY user_id
            """,
            params,
        )
        for (
            user_id,
            planned,
            done,
            missed,
            on_time,
            sat_sum,
            sat_count,
        ) in cr.fetchall():
            result = rules.ManagerFigures(
                planned, done, missed, on_time, sat_sum, sat_count
            )
            add(
                user_id,
                visits_planned=planned,
                visits_done=done,
                visits_missed=missed,
                on_time_rate=result.on_time_rate,
                completion_rate=result.completion_rate,
                average_satisfaction=result.average_satisfaction,
            )
        # VIPs kept: renewed at an expiry in the period (the renewal starts
        # on the day the previous year ends); lapsed: expired in it.
        cr.execute(
            """
            SELECT v.user_id,
                   count(DISTINCT v.id) FILTER (WHERE p.kind = 'renewal'
                       AND p.date_start BETWEEN %(start)s AND %(end)s),
                   count(DISTINCT v.id) FILTER (WHERE v.state = 'lapsed'
                       AND v.date_end BETWEEN %(start)s AND %(end)s)
              FROM crm_relation_vip v
              LEFT JOIN crm_relation_vip_period p ON p.vip_id = v.id
             WHERE v.company_id = %(company)s
               AND (%(users)s::int[] IS NULL OR v.user_id = ANY(%(users)s))
             GROUP BY v.user_id
            """,
            params,
        )
        for user_id, kept, lapsed in cr.fetchall():
            if kept or lapsed:
                add(user_id, vips_kept=kept, vips_lapsed=lapsed)
        # Tier movements of the account manager's customers.
        cr.execute(
            """
            SELECT p.user_id,
                   count(*) FILTER (WHERE h.movement = 'up'),
                   count(*) FILTER (WHERE h.movement = 'down')
              FROM crm_relation_tier_history h
              JOIN res_partner p ON p.id = h.partner_id
             WHERE h.company_id = %(company)s
               AND h.date::date BETWEEN %(start)s AND %(end)s
               AND (%(users)s::int[] IS NULL OR p.user_id = ANY(%(users)s))
             GROUP BY p.user_id
            """,
            params,
        )
        for user_id, up, down in cr.fetchall():
            if up or down:
                add(user_id, customers_upgraded=up, customers_downgraded=down)
        return figures


class CrmRelationManagerEvaluationLine(models.TransientModel):
    _name = "crm.relation.manager.evaluation.line"
    _description = "Account Manager Evaluation Line"
    _order = "user_id"

    evaluation_id = fields.Many2one(
        "crm.relation.manager.evaluation", required=True, ondelete="cascade"
    )
    user_id = fields.Many2one("res.users", "Account Manager", required=True)
    visits_planned = fields.Integer("Planned")
    visits_done = fields.Integer("Done")
    visits_missed = fields.Integer("Missed")
    on_time_rate = fields.Float("On Time (%)", digits=(5, 1))
    completion_rate = fields.Float(
        "Completion (%)",
        digits=(5, 1),
        help="Done visits over the visits due (done and missed).",
    )
    average_satisfaction = fields.Float(digits=(3, 2))
    vips_kept = fields.Integer("VIPs Kept")
    vips_lapsed = fields.Integer("VIPs Lapsed")
    customers_upgraded = fields.Integer()
    customers_downgraded = fields.Integer()

    @api.depends("user_id")
    def _compute_display_name(self):
        for line in self:
            line.display_name = line.user_id.name
