# Copyright 2026 crm_relation developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..domain import rfm


class ResCompany(models.Model):
    _inherit = "res.company"

    rfm_window_days = fields.Integer(
        "Evaluation Window (days)",
        default=365,
        help="Purchases of this many days up to the evaluation date are scored.",
    )
    rfm_weight_recency = fields.Integer("Recency Weight", default=1)
    rfm_weight_frequency = fields.Integer("Frequency Weight", default=3)
    rfm_weight_monetary = fields.Integer("Monetary Weight", default=4)
    rfm_monetary_basis = fields.Selection(
        [("average", "Average order value"), ("total", "Total over the window")],
        "Monetary Scored On",
        default="average",
        required=True,
    )
    rfm_source = fields.Selection(
        [
            ("invoice", "Posted invoices net of credit notes"),
            ("sale_order", "Confirmed sale orders"),
        ],
        "Scored From",
        default="invoice",
        required=True,
    )
    rfm_last_evaluation = fields.Datetime("Last RFM Evaluation", readonly=True)
    vip_window_days = fields.Integer(
        "VIP Window (days)",
        default=365,
        help="VIP qualification counts orders, items and amount over this "
        "many days up to the evaluation.",
    )
    vip_min_orders = fields.Integer("VIP Minimum Orders", default=3)
    vip_min_items = fields.Float(
        "VIP Minimum Items", default=10.0, digits="Product Unit"
    )
    vip_min_amount = fields.Float(
        "VIP Minimum Amount",
        default=10000.0,
        digits="Account",
        help="Untaxed, net of credit notes, in the company currency.",
    )
    vip_reminder_days = fields.Integer(
        "VIP Expiry Reminder (days)",
        default=30,
        help="The account manager is reminded this many days before a VIP "
        "card expires.",
    )
    crm_relation_review_new_customers = fields.Boolean(
        "New Customers Need a Manager's Review",
        help="Confirming a sale order for a new customer (never bought, or "
        "not yet evaluated) is refused until a customer manager has reviewed "
        "the customer.",
    )
    crm_relation_tier_pricelist = fields.Boolean(
        "Pricelist per Tier",
        help="New sale orders start with the pricelist of the customer's tier "
        "(or the VIP pricelist for an active VIP) instead of the customer's "
        "own pricelist.",
    )
    crm_relation_vip_pricelist_id = fields.Many2one(
        "product.pricelist",
        "VIP Pricelist",
        check_company=True,
        help="New orders of active VIP customers start with this pricelist, "
        "before the tier's, when the company prices by tier.",
    )

    _vip_window_positive = models.Constraint(
        "CHECK(vip_window_days > 0)", "The VIP window must be at least a day."
    )
    _vip_minimums_positive = models.Constraint(
        "CHECK(vip_min_orders >= 0 AND vip_min_items >= 0 AND vip_min_amount >= 0"
        " AND vip_reminder_days >= 0)",
        "VIP minimums and the reminder cannot be negative.",
    )
    _rfm_window_positive = models.Constraint(
        "CHECK(rfm_window_days > 0)", "The evaluation window must be at least a day."
    )
    _rfm_weights_positive = models.Constraint(
        "CHECK(rfm_weight_recency >= 0 AND rfm_weight_frequency >= 0 "
        "AND rfm_weight_monetary >= 0)",
        "RFM weights cannot be negative.",
    )

    @api.constrains("crm_relation_vip_pricelist_id", "currency_id")
    def _check_crm_relation_vip_pricelist(self):
        for company in self:
            pricelist = company.crm_relation_vip_pricelist_id
            if pricelist and pricelist.currency_id != company.currency_id:
                raise ValidationError(
                    self.env._(
                        "VIP Pricelist %(pricelist)s is in %(currency)s; "
                        "%(company)s sells in %(company_currency)s.",
                        pricelist=pricelist.display_name,
                        currency=pricelist.currency_id.name,
                        company=company.name,
                        company_currency=company.currency_id.name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        companies = super().create(vals_list)
        self.env["crm.relation.rfm.band"].sudo()._install_defaults()
        return companies

    def _crm_relation_band_table(self, dimension, exclude=None):
        """The company's band table of ``dimension``; ValidationError if bad."""
        self.ensure_one()
        bands = (
            self.env["crm.relation.rfm.band"]
            .sudo()
            .search([("company_id", "=", self.id), ("dimension", "=", dimension)])
        )
        if exclude:
            bands -= exclude
        Band = self.env["crm.relation.rfm.band"]
        label = dict(Band._fields["dimension"]._description_selection(self.env))[
            dimension
        ]
        try:
            return rfm.BandTable.from_thresholds(
                label, [(b.threshold, b.score) for b in bands]
            )
        except rfm.BandError as exc:
            raise ValidationError(
                self.env._(
                    "Invalid RFM band table for %(company)s: %(reason)s",
                    company=self.name,
                    reason=exc,
                )
            ) from exc

    def _crm_relation_scoring(self):
        """This company's scoring settings for the pure scoring module."""
        self.ensure_one()
        return rfm.Scoring(
            recency=self._crm_relation_band_table("recency"),
            frequency=self._crm_relation_band_table("frequency"),
            monetary=self._crm_relation_band_table("monetary"),
            weights=rfm.Weights(
                self.rfm_weight_recency,
                self.rfm_weight_frequency,
                self.rfm_weight_monetary,
            ),
            tiers=self.env["crm.relation.tier"]._domain_tiers(),
            monetary_on_total=self.rfm_monetary_basis == "total",
        )
