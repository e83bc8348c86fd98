# Copyright 2026 crm_relation developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    rfm_window_days = fields.Integer(
        related="company_id.rfm_window_days", readonly=False
    )
    rfm_weight_recency = fields.Integer(
        related="company_id.rfm_weight_recency", readonly=False
    )
    rfm_weight_frequency = fields.Integer(
        related="company_id.rfm_weight_frequency", readonly=False
    )
    rfm_weight_monetary = fields.Integer(
        related="company_id.rfm_weight_monetary", readonly=False
    )
    rfm_monetary_basis = fields.Selection(
        related="company_id.rfm_monetary_basis", readonly=False
    )
    rfm_source = fields.Selection(related="company_id.rfm_source", readonly=False)
    rfm_monetary_margin = fields.Boolean(
        related="company_id.rfm_monetary_margin", readonly=False
    )
    relation_review_new_customers = fields.Boolean(
        related="company_id.relation_review_new_customers", readonly=False
    )
    relation_vip_window_days = fields.Integer(
        related="company_id.relation_vip_window_days", readonly=False
    )
    relation_vip_min_orders = fields.Integer(
        related="company_id.relation_vip_min_orders", readonly=False
    )
    relation_vip_min_items = fields.Float(
        related="company_id.relation_vip_min_items", readonly=False
    )
    relation_vip_min_amount = fields.Float(
        related="company_id.relation_vip_min_amount", readonly=False
    )
    relation_vip_reminder_days = fields.Integer(
        related="company_id.relation_vip_reminder_days", readonly=False
    )
    relation_visit_horizon_days = fields.Integer(
        related="company_id.relation_visit_horizon_days", readonly=False
    )
    relation_visit_missed_days = fields.Integer(
        related="company_id.relation_visit_missed_days", readonly=False
    )
    relation_visit_kpi = fields.Integer(
        related="company_id.relation_visit_kpi", readonly=False
    )
    relation_visit_invite_customers = fields.Boolean(
        related="company_id.relation_visit_invite_customers", readonly=False
    )
    relation_complaint_tier_ids = fields.Many2many(
        related="company_id.relation_complaint_tier_ids", readonly=False
    )
    relation_followup_days = fields.Integer(
        related="company_id.relation_followup_days", readonly=False
    )
    relation_tier_pricelist = fields.Boolean(
        related="company_id.relation_tier_pricelist", readonly=False
    )
    relation_vip_pricelist_id = fields.Many2one(
        related="company_id.relation_vip_pricelist_id", readonly=False
    )
    relation_churn_threshold = fields.Integer(
        related="company_id.relation_churn_threshold", readonly=False
    )
    relation_churn_window_days = fields.Integer(
        related="company_id.relation_churn_window_days", readonly=False
    )
    relation_churn_overdue_days = fields.Integer(
        related="company_id.relation_churn_overdue_days", readonly=False
    )
    relation_churn_weight_silence = fields.Integer(
        related="company_id.relation_churn_weight_silence", readonly=False
    )
    relation_churn_weight_orders = fields.Integer(
        related="company_id.relation_churn_weight_orders", readonly=False
    )
    relation_churn_weight_amount = fields.Integer(
        related="company_id.relation_churn_weight_amount", readonly=False
    )
    relation_loyalty_program_id = fields.Many2one(
        related="company_id.relation_loyalty_program_id", readonly=False
    )
    relation_audit_anchor_email = fields.Char(
        related="company_id.relation_audit_anchor_email", readonly=False
    )
