# Copyright 2026 crm_relation developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from collections import defaultdict
from datetime import timedelta

from odoo import api, fields, models

from ..logic import helpdesk

# The service record covers the tickets opened over this many days.
SERVICE_WINDOW_DAYS = 365

# Computed as superuser from the helpdesk: readable by Customer Relations
# staff and auditors only, not by every internal user.
SERVICE_GROUPS = (
    "crm_relation.group_crm_relation_user,crm_relation.group_crm_relation_auditor"
)


class ResPartner(models.Model):
    """The customer's service record (seed 002: after-sale evaluations form a
    credit record): tickets and complaints of the last twelve months in the
    current company, with the average satisfaction staff recorded, the
    customer's own ratings (OCA helpdesk_mgmt_rating) and the resolution
    time, beside the RFM figures in the customer evaluation."""

    _inherit = "res.partner"

    relation_service_ticket_count = fields.Integer(
        "Tickets (12 months)", compute="_compute_service_record", groups=SERVICE_GROUPS
    )
    relation_service_complaint_count = fields.Integer(
        "Complaints (12 months)",
        compute="_compute_service_record",
        groups=SERVICE_GROUPS,
    )
    relation_service_avg_satisfaction = fields.Float(
        "Average Satisfaction",
        compute="_compute_service_record",
        groups=SERVICE_GROUPS,
        digits=(16, 2),
        help="Average satisfaction (1-5) of the tickets closed with a score "
        "over the last twelve months; 0 when none was scored.",
    )
    relation_service_rating_count = fields.Integer(
        "Customer Ratings (12 months)",
        compute="_compute_service_record",
        groups=SERVICE_GROUPS,
        help="Ratings the customer gave to the tickets of the last twelve "
        "months (OCA helpdesk_mgmt_rating).",
    )
    relation_service_avg_rating = fields.Float(
        "Average Customer Rating",
        compute="_compute_service_record",
        groups=SERVICE_GROUPS,
        digits=(16, 2),
        help="Average of the customer's own ratings (1-5) of the tickets of "
        "the last twelve months; 0 when none was rated. Beside the "
        "satisfaction the staff record at closing.",
    )
    relation_service_avg_resolution_hours = fields.Float(
        "Average Resolution Time (hours)",
        compute="_compute_service_record",
        groups=SERVICE_GROUPS,
        digits=(16, 1),
    )

    @api.depends_context("company")
    def _compute_service_record(self):
        """One grouped query for the whole batch, at the commercial partner
        level (a contact shows its company's record)."""
        commercial = self.commercial_partner_id._origin
        since = fields.Datetime.now() - timedelta(days=SERVICE_WINDOW_DAYS)
        figures = defaultdict(lambda: defaultdict(float))
        if commercial.ids:
            # Figures, not ticket contents: every Customer Relations user sees
            # them, whatever their helpdesk rights.
            tickets = self.env["helpdesk.ticket"].sudo()
            domain = [
                ("commercial_partner_id", "in", commercial.ids),
                ("company_id", "=", self.env.company.id),
                ("create_date", ">=", since),
            ]
            groups = tickets._read_group(
                domain,
                [
                    "commercial_partner_id",
                    "relation_is_complaint",
                    "relation_satisfaction",
                    "stage_id",
                ],
                ["__count", "relation_resolution_hours:sum"],
            )
            for partner, complaint, satisfaction, stage, count, hours in groups:
                record = figures[partner.id]
                record["tickets"] += count
                if complaint:
                    record["complaints"] += count
                if satisfaction:
                    record["scored"] += count
                    record["score_sum"] += int(satisfaction) * count
                if stage.closed:
                    record["closed"] += count
                    record["hours"] += hours or 0.0
            # The customers' own ratings of those tickets (rating.rating of
            # helpdesk_mgmt_rating): those filled in, by the ticket's
            # customer.
            ratings = (
                self.env["rating.rating"]
                .sudo()
                ._read_group(
                    [
                        ("res_model", "=", "helpdesk.ticket"),
                        ("res_id", "in", tickets._search(domain)),
                        ("consumed", "=", True),
                        ("rating", ">=", 1),
                    ],
                    ["partner_id.commercial_partner_id"],
                    ["__count", "rating:sum"],
                )
            )
            for partner, count, total in ratings:
                record = figures[partner.id]
                record["rated"] += count
                record["rating_sum"] += total or 0.0
        for partner in self:
            record = figures[partner.commercial_partner_id._origin.id]
            partner.relation_service_ticket_count = int(record["tickets"])
            partner.relation_service_complaint_count = int(record["complaints"])
            partner.relation_service_avg_satisfaction = helpdesk.average(
                record["score_sum"], record["scored"]
            )
            partner.relation_service_rating_count = int(record["rated"])
            partner.relation_service_avg_rating = helpdesk.average(
                record["rating_sum"], record["rated"]
            )
            partner.relation_service_avg_resolution_hours = helpdesk.average(
                record["hours"], record["closed"]
            )
