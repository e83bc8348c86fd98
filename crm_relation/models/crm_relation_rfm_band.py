# Copyright 2026 crm_relation developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models

from ..logic import rfm

DIMENSIONS = [
    ("recency", "Recency (days since last purchase)"),
    ("frequency", "Frequency (number of purchases)"),
    ("monetary", "Monetary (CNY)"),
]
DEFAULTS = {
    "recency": rfm.DEFAULT_RECENCY_BANDS,
    "frequency": rfm.DEFAULT_FREQUENCY_BANDS,
    "monetary": rfm.DEFAULT_MONETARY_BANDS,
}


class CrmRelationRfmBand(models.Model):
    """One band of a company's RFM score table.

    A band runs from its threshold up to the next band's threshold, so a
    table stored this way has no gap; the lowest threshold must be 0.
    """

    _name = "crm.relation.rfm.band"
    _description = "RFM Score Band"
    _order = "company_id, dimension, threshold"

    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda s: s.env.company
    )
    dimension = fields.Selection(DIMENSIONS, required=True)
    threshold = fields.Float(
        "From",
        required=True,
        digits=(16, 2),
        help="Values from this one up to the "
        "next band's threshold (excluded) get this band's score.",
    )
    score = fields.Integer(required=True)

    _threshold_unique = models.Constraint(
        "UNIQUE(company_id, dimension, threshold)",
        "Two bands of the same table cannot start at the same value.",
    )
    _score_range = models.Constraint(
        "CHECK(score BETWEEN 0 AND 5)", "A band's score must be between 0 and 5."
    )
    _threshold_positive = models.Constraint(
        "CHECK(threshold >= 0)", "A band cannot start below 0."
    )

    @api.constrains("threshold", "dimension", "company_id")
    def _check_table(self):
        for company, dimension in {(b.company_id, b.dimension) for b in self}:
            company._crm_relation_band_table(dimension)

    def unlink(self):
        # Rights first, then what would remain, before deleting anything.
        self.check_access("unlink")
        for company, dimension in {(b.company_id, b.dimension) for b in self}:
            company._crm_relation_band_table(dimension, exclude=self)
        return super().unlink()

    @api.model
    def _default_rows(self, company):
        return [
            {"company_id": company.id, "dimension": dim, "threshold": low, "score": sc}
            for dim, bands in DEFAULTS.items()
            for low, _high, sc in bands
        ]

    @api.model
    def _install_defaults(self, companies):
        """Default tables for those of ``companies`` that have none (see
        ``res.company._crm_relation_set_up``)."""
        have = self.search([("company_id", "in", companies.ids)]).company_id
        rows = [r for c in companies - have for r in self._default_rows(c)]
        self.create(rows)
