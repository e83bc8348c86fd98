# Copyright 2026 crm_relation developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..logic import rfm
from ..logic import visit as visit_rules


class CrmRelationTier(models.Model):
    """A customer tier: the range of RFM scores it covers (seed 003)."""

    _name = "crm.relation.tier"
    _description = "Customer Tier"
    _order = "score_min desc"

    code = fields.Char(required=True, size=4)
    name = fields.Char(required=True, translate=True)
    score_min = fields.Integer("Lowest Score", required=True)
    score_max = fields.Integer("Highest Score", required=True)
    color = fields.Integer()
    active = fields.Boolean(default=True)
    partner_count = fields.Integer(compute="_compute_partner_count")
    visit_interval = fields.Integer(
        "Visit Every",
        help="New visit plans of this tier's customers repeat every this many "
        "days, weeks or months; 0 leaves the plan's own default.",
    )
    visit_interval_unit = fields.Selection(
        [
            (visit_rules.DAY, "Days"),
            (visit_rules.WEEK, "Weeks"),
            (visit_rules.MONTH, "Months"),
        ],
        "Visit Cadence Unit",
        default=visit_rules.MONTH,
        required=True,
    )
    # Per company: a customer of this tier starts new orders with it when
    # the company prices by tier (Settings → Customer Relations).
    pricelist_id = fields.Many2one(
        "product.pricelist",
        company_dependent=True,
        domain="[('company_id', 'in', (False, current_company_id))]",
        help="New orders of this tier's customers start with this pricelist "
        "when the company prices by tier. In the company currency.",
    )

    _code_unique = models.Constraint("UNIQUE(code)", "A tier code must be unique.")
    _visit_interval_positive = models.Constraint(
        "CHECK(visit_interval >= 0)", "A tier's visit cadence cannot be negative."
    )

    @api.depends("code")
    def _compute_display_name(self):
        for tier in self:
            tier.display_name = f"{tier.code} · {tier.name}" if tier.code else tier.name

    def _compute_partner_count(self):
        counts = dict(
            self.env["res.partner"]._read_group(
                [("relation_tier_id", "in", self.ids)],
                ["relation_tier_id"],
                ["__count"],
            )
        )
        for tier in self:
            tier.partner_count = counts.get(tier, 0)

    @api.constrains("pricelist_id")
    def _check_pricelist_currency(self):
        company = self.env.company
        for tier in self.with_company(company):
            company._crm_relation_check_pricelist(
                tier.pricelist_id,
                self.env._("The pricelist of tier %(tier)s", tier=tier.display_name),
            )

    @api.constrains("score_min", "score_max", "active")
    def _check_ranges(self):
        tiers = self.search([])  # pylint: disable=no-search-all
        try:
            rfm.validate_tiers(
                [rfm.Tier(t.code, t.score_min, t.score_max) for t in tiers]
            )
        except rfm.BandError as exc:
            raise ValidationError(
                self.env._("Invalid tier ranges: %(reason)s", reason=exc)
            ) from exc

    def _domain_tiers(self):
        """All active tiers as the scoring module sees them."""
        return tuple(
            rfm.Tier(t.code, t.score_min, t.score_max)
            for t in self.search([]).sorted(  # pylint: disable=no-search-all
                "score_min", reverse=True
            )
        )
