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
    crm_relation_visit_horizon_days = fields.Integer(
        "Generate Visits Ahead (days)",
        default=14,
        help="Visit plans generate their visits this many days ahead, so "
        "the coming week's schedule can be submitted on Sunday.",
    )
    crm_relation_visit_missed_days = fields.Integer(
        "Missed After (days)",
        default=0,
        help="A planned visit not done this many days after its date is marked missed.",
    )
    crm_relation_visit_kpi = fields.Integer(
        "Weekly Visit Minimum",
        default=1,
        help="Weeks in which an account manager has fewer visits booked or "
        "done are flagged (seed: at least 1 customer a week).",
    )

    _visit_settings_positive = models.Constraint(
        "CHECK(crm_relation_visit_horizon_days >= 0 "
        "AND crm_relation_visit_missed_days >= 0 AND crm_relation_visit_kpi >= 0)",
        "Visit horizon, missed delay and weekly minimum cannot be negative.",
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
