# Copyright 2026 crm_relation developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class CrmRelationComplaintSummaryLine(models.Model):
    """One category's or tier's complaints in a monthly summary."""

    _name = "crm.relation.complaint.summary.line"
    _description = "Complaint Summary Figures"
    _order = "summary_id, kind, complaint_count desc, id"

    summary_id = fields.Many2one(
        "crm.relation.complaint.summary",
        required=True,
        index=True,
        ondelete="cascade",
    )
    company_id = fields.Many2one(related="summary_id.company_id", store=True)
    kind = fields.Selection(
        [("category", "By Category"), ("tier", "By Tier")], required=True
    )
    category_id = fields.Many2one("helpdesk.ticket.category")
    tier_id = fields.Many2one("crm.relation.tier")
    complaint_count = fields.Integer("Complaints")
    closed_count = fields.Integer("Closed")
    avg_resolution_hours = fields.Float(
        "Average Resolution Time (hours)", digits=(16, 1)
    )
    avg_satisfaction = fields.Float("Average Satisfaction", digits=(16, 2))
    rated_count = fields.Integer("Rated by Customers")
    avg_rating = fields.Float("Average Customer Rating", digits=(16, 2))
