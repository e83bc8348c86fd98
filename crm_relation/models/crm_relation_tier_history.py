# Copyright 2026 crm_relation developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models

from .res_partner import RELATION_STATUSES

TRIGGERS = [("scheduled", "Scheduled"), ("manual", "Manual"), ("sync", "Sync")]


class CrmRelationTierHistory(models.Model):
    """A change of a customer's tier or status, written by the evaluation.

    Warnings (seed 004, 中高端客户预警): a downgrade, or a P/G customer
    turning dormant, is flagged here and gets an activity for the customer's
    account manager.
    """

    _name = "crm.relation.tier.history"
    _description = "Customer Tier Change"
    _order = "date desc, id desc"
    _rec_name = "partner_id"

    partner_id = fields.Many2one(
        "res.partner", "Customer", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one("res.company", required=True, index=True)
    date = fields.Datetime(required=True, default=fields.Datetime.now, index=True)
    old_tier_id = fields.Many2one("crm.relation.tier", "Previous Tier")
    new_tier_id = fields.Many2one("crm.relation.tier")
    old_status = fields.Selection(RELATION_STATUSES, "Previous Status")
    new_status = fields.Selection(RELATION_STATUSES)
    r_score = fields.Integer("R")
    f_score = fields.Integer("F")
    m_score = fields.Integer("M")
    score = fields.Integer()
    trigger = fields.Selection(TRIGGERS, required=True, default="manual")
    movement = fields.Selection(
        [("up", "Upgrade"), ("down", "Downgrade"), ("same", "Same tier")],
        required=True,
        default="same",
    )
    is_warning = fields.Boolean("At Risk", index=True)
    warning_reason = fields.Char()
    user_id = fields.Many2one(
        "res.users", "Account Manager", related="partner_id.user_id"
    )
