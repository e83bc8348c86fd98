# Copyright 2026 crm_relation developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models

from .crm_relation_care_rule import KINDS


class CrmRelationCareLog(models.Model):
    """One care rule firing for one customer and one cause: the activity
    it scheduled. Written by the care run alone, never changed."""

    _name = "crm.relation.care.log"
    _inherit = ["crm.relation.append.only"]
    _description = "Customer Care Log"
    _order = "date_fired desc, id desc"
    _rec_name = "cause_key"

    rule_id = fields.Many2one(
        "crm.relation.care.rule",
        "Care Rule",
        required=True,
        readonly=True,
        index=True,
        ondelete="restrict",
        context={"active_test": False},
    )
    company_id = fields.Many2one(
        "res.company", required=True, readonly=True, index=True
    )
    partner_id = fields.Many2one(
        "res.partner",
        "Customer",
        required=True,
        readonly=True,
        index=True,
        ondelete="cascade",
    )
    kind = fields.Selection(KINDS, "Trigger", required=True, readonly=True)
    cause_key = fields.Char("Cause", required=True, readonly=True)
    cause_date = fields.Date(readonly=True)
    date_deadline = fields.Date("Due Date", readonly=True)
    date_fired = fields.Date("Fired On", required=True, readonly=True, index=True)
    user_id = fields.Many2one("res.users", "Responsible", readonly=True, index=True)
    activity_id = fields.Many2one("mail.activity", readonly=True, ondelete="set null")
    summary = fields.Char(readonly=True)
    done = fields.Boolean(
        "Activity Closed",
        compute="_compute_done",
        help="The activity was marked done or cancelled.",
    )

    _cause_uniq = models.Constraint(
        "UNIQUE(rule_id, partner_id, cause_key)",
        "A care rule fires once per customer and cause.",
    )

    @api.depends("activity_id.active")
    def _compute_done(self):
        # Odoo archives an activity marked done; a cancelled one is deleted.
        for log in self:
            log.done = not log.activity_id.active
