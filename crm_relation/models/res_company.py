# Copyright 2026 crm_relation developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..logic import churn, rfm


class ResCompany(models.Model):
    _name = "res.company"
    _inherit = ["res.company", "crm.relation.guarded"]

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
    rfm_monetary_margin = fields.Boolean(
        "Monetary on Gross Margin",
        help="Score M on the gross margin (the amount less the stock valuation "
        "of the goods delivered in the window, returns deducted) instead of "
        "the amount.",
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
    rfm_last_evaluation = fields.Datetime(
        "Last RFM Evaluation", readonly=True, guarded=True
    )
    relation_vip_window_days = fields.Integer(
        "VIP Window (days)",
        default=365,
        help="VIP qualification counts orders, items and amount over this "
        "many days up to the evaluation.",
    )
    relation_vip_min_orders = fields.Integer("VIP Minimum Orders", default=3)
    relation_vip_min_items = fields.Float(
        "VIP Minimum Items", default=10.0, digits="Product Unit"
    )
    relation_vip_min_amount = fields.Float(
        "VIP Minimum Amount",
        default=10000.0,
        digits="Account",
        help="Untaxed, net of credit notes, in the company currency.",
    )
    relation_vip_reminder_days = fields.Integer(
        "VIP Expiry Reminder (days)",
        default=30,
        help="The account manager is reminded this many days before a VIP "
        "card expires.",
    )
    relation_review_new_customers = fields.Boolean(
        "New Customers Need a Manager's Review",
        help="Confirming a sale order for a new customer (never bought, or "
        "not yet evaluated) is refused until a customer manager has reviewed "
        "the customer.",
    )
    relation_visit_horizon_days = fields.Integer(
        "Generate Visits Ahead (days)",
        default=14,
        help="Visit plans generate their visits this many days ahead, so "
        "the coming week's schedule can be submitted on Sunday.",
    )
    relation_visit_missed_days = fields.Integer(
        "Missed After (days)",
        default=0,
        help="A planned visit not done this many days after its date is marked missed.",
    )
    relation_visit_kpi = fields.Integer(
        "Weekly Visit Minimum",
        default=1,
        help="Weeks in which an account manager has fewer visits booked or "
        "done are flagged (default: at least 1 customer a week).",
    )
    relation_visit_invite_customers = fields.Boolean(
        "Invite Customers to Visit Meetings",
        help="Each planned visit is a meeting in its account manager's Odoo "
        "Calendar. When set, the customer is an attendee of the meetings of "
        "new visits too and gets Odoo's invitation mail (and a mail when "
        "the visit is moved); otherwise customers get no mail about visits.",
    )
    relation_complaint_tier_ids = fields.Many2many(
        "crm.relation.tier",
        "res_company_crm_relation_complaint_tier_rel",
        "company_id",
        "tier_id",
        "High-value Tiers for Complaints",
        help="Complaints of customers of these tiers, and of active VIPs, go "
        "to the helpdesk team's leadership with a raised priority (potential "
        "and VIP customers).",
    )
    relation_followup_days = fields.Integer(
        "Complaint Follow-up Delay (days)",
        default=3,
        help="A closed complaint schedules a follow-up call (回访) for the "
        "account manager this many days after closing.",
    )
    relation_tier_pricelist = fields.Boolean(
        "Pricelist per Tier",
        help="New sale orders start with the pricelist of the customer's tier "
        "(or the VIP pricelist for an active VIP) instead of the customer's "
        "own pricelist.",
    )
    relation_vip_pricelist_id = fields.Many2one(
        "product.pricelist",
        "VIP Pricelist",
        check_company=True,
        help="New orders of active VIP customers start with this pricelist, "
        "before the tier's, when the company prices by tier.",
    )
    relation_churn_threshold = fields.Integer(
        "Churn Risk Threshold",
        default=60,
        help="Customers whose churn risk reaches this value (0-100) are at "
        "risk: their account manager gets a win-back action.",
    )
    relation_churn_window_days = fields.Integer(
        "Churn Window (days)",
        default=90,
        help="The churn risk compares the orders and the amount of the last "
        "this many days with those of the same number of days before.",
    )
    relation_churn_overdue_days = fields.Integer(
        "Churn Overdue (days)",
        default=90,
        help="The silence counts fully in the churn risk once the customer "
        "is this many days past their usual interval between purchases.",
    )
    relation_churn_weight_silence = fields.Integer(
        "Silence Weight",
        default=60,
        help="Weight in the churn risk of the silence past the customer's "
        "usual interval between purchases.",
    )
    relation_churn_weight_orders = fields.Integer(
        "Orders Drop Weight",
        default=25,
        help="Weight in the churn risk of the drop in orders from the window "
        "before to the last one.",
    )
    relation_churn_weight_amount = fields.Integer(
        "Amount Drop Weight",
        default=15,
        help="Weight in the churn risk of the drop in amount from the window "
        "before to the last one.",
    )

    relation_audit_anchor_email = fields.Char(
        "Audit Anchor Recipients",
        help="Email addresses (comma-separated) the audit trail's anchor is "
        "mailed to every day, to be kept outside the database; empty: the "
        "company's auditors.",
    )

    _visit_settings_positive = models.Constraint(
        "CHECK(relation_visit_horizon_days >= 0 "
        "AND relation_visit_missed_days >= 0 AND relation_visit_kpi >= 0)",
        "Visit horizon, missed delay and weekly minimum cannot be negative.",
    )
    _vip_window_positive = models.Constraint(
        "CHECK(relation_vip_window_days > 0)", "The VIP window must be at least a day."
    )
    _vip_minimums_positive = models.Constraint(
        "CHECK(relation_vip_min_orders >= 0 AND relation_vip_min_items >= 0"
        " AND relation_vip_min_amount >= 0 AND relation_vip_reminder_days >= 0)",
        "VIP minimums and the reminder cannot be negative.",
    )
    _crm_relation_followup_days_positive = models.Constraint(
        "CHECK(relation_followup_days >= 0)",
        "The complaint follow-up delay cannot be negative.",
    )
    _relation_churn_threshold_range = models.Constraint(
        "CHECK(relation_churn_threshold BETWEEN 1 AND 100)",
        "The churn risk threshold must be between 1 and 100.",
    )
    _relation_churn_days_positive = models.Constraint(
        "CHECK(relation_churn_window_days > 0 AND relation_churn_overdue_days > 0)",
        "The churn window and the overdue days must be at least a day.",
    )
    _relation_churn_weights = models.Constraint(
        "CHECK(relation_churn_weight_silence >= 0 AND relation_churn_weight_orders >= 0"
        " AND relation_churn_weight_amount >= 0 AND relation_churn_weight_silence"
        " + relation_churn_weight_orders + relation_churn_weight_amount > 0)",
        "Churn weights cannot be negative, nor all zero.",
    )
    _rfm_window_positive = models.Constraint(
        "CHECK(rfm_window_days > 0)", "The evaluation window must be at least a day."
    )
    _rfm_weights_positive = models.Constraint(
        "CHECK(rfm_weight_recency >= 0 AND rfm_weight_frequency >= 0 "
        "AND rfm_weight_monetary >= 0)",
        "RFM weights cannot be negative.",
    )

    @api.model
    def _crm_relation_default_complaint_tiers(self):
        """Platinum and Gold: the seed's potential and high-value customers."""
        tiers = self.env["crm.relation.tier"]
        for xmlid in ("crm_relation.tier_p", "crm_relation.tier_g"):
            tiers |= self.env.ref(xmlid, raise_if_not_found=False) or tiers
        return tiers

    def _crm_relation_set_up(self):
        """The addon's defaults for these companies, where they have none: new
        companies (``create``) and those found on installation
        (``post_init_hook``). Set as superuser: whoever creates a company may
        not read tiers."""
        companies = self.sudo()
        self.env["crm.relation.rfm.band"].sudo()._install_defaults(companies)
        tiers = companies._crm_relation_default_complaint_tiers()
        untiered = companies.filtered(lambda c: not c.relation_complaint_tier_ids)
        if tiers and untiered:
            untiered.relation_complaint_tier_ids = tiers

    @api.constrains("relation_vip_pricelist_id", "currency_id")
    def _check_crm_relation_vip_pricelist(self):
        for company in self:
            company._crm_relation_check_pricelist(
                company.relation_vip_pricelist_id, self.env._("VIP pricelist")
            )

    def _crm_relation_check_pricelist(self, pricelist, purpose):
        """Grade pricelists (a tier's, the VIPs') are in the company currency:
        refuse ``pricelist`` otherwise. ``purpose`` names its use."""
        self.ensure_one()
        if pricelist and pricelist.currency_id != self.currency_id:
            raise ValidationError(
                self.env._(
                    '%(purpose)s "%(pricelist)s" is in %(currency)s; '
                    "%(company)s sells in %(company_currency)s.",
                    purpose=purpose,
                    pricelist=pricelist.display_name,
                    currency=pricelist.currency_id.name,
                    company=self.name,
                    company_currency=self.currency_id.name,
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        companies = super().create(vals_list)
        companies._crm_relation_set_up()
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

    def _crm_relation_churn_params(self):
        """This company's churn parameters for the pure churn module."""
        self.ensure_one()
        return churn.Params(
            window_days=self.relation_churn_window_days,
            overdue_days=self.relation_churn_overdue_days,
            weight_silence=self.relation_churn_weight_silence,
            weight_orders=self.relation_churn_weight_orders,
            weight_amount=self.relation_churn_weight_amount,
            threshold=self.relation_churn_threshold,
        )

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

    # === MEMBERS' POINTS (Odoo's loyalty) === #
    # One of Odoo's own loyalty programmes, chosen per company: its active
    # VIPs get a card in it and only they earn points (see
    # crm.relation.vip._loyalty_enrol and sale.order._program_check_compute_points).

    relation_loyalty_program_id = fields.Many2one(
        "loyalty.program",
        "Members' Points Programme",
        check_company=True,
        domain="[('program_type', '=', 'loyalty')]",
        help="A loyalty card programme of Sales: every active VIP gets a card "
        "in it and earns points by its rules on confirmed orders; other "
        "customers earn nothing in it.",
    )

    @api.constrains("relation_loyalty_program_id")
    def _check_crm_relation_loyalty_program(self):
        # res.company does not check its fields' companies by itself.
        self._check_company(["relation_loyalty_program_id"])
        for company in self:
            program = company.sudo().relation_loyalty_program_id
            if program and program.program_type != "loyalty":
                raise ValidationError(
                    self.env._(
                        'Members\' Points Programme: "%(program)s" is not a '
                        "loyalty card programme (it is of type %(type)s).",
                        program=program.display_name,
                        type=dict(
                            program._fields["program_type"]._description_selection(
                                self.env
                            )
                        )[program.program_type],
                    )
                )

    def write(self, vals):
        res = super().write(vals)
        if vals.get("relation_loyalty_program_id"):
            # VIPs already active when the programme is chosen get their card.
            self.env["crm.relation.vip"].sudo().search(
                [("company_id", "in", self.ids), ("state", "=", "active")]
            )._loyalty_enrol()
        return res
