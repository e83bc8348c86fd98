# Copyright 2026 crm_relation developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import json
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_amount

from ..logic import churn
from . import guards

RELATION_STATUSES = [
    ("prospect", "Prospect"),
    ("new", "New"),
    ("active", "Active"),
    ("no_sale", "No Sale"),
    ("dormant", "Dormant"),
    ("blocked", "Blocked"),
]
# Credit-critical partner data the audit trail follows (bank accounts: see
# res_partner_bank.py; tier and status: the RFM engine).
AUDITED = (
    "name",
    "vat",
    "street",
    "street2",
    "zip",
    "city",
    "state_id",
    "country_id",
    "relation_blocked",
)
# Read as superuser from the loyalty cards: shown to Customer Relations staff
# and auditors only (the Relationship tab), not to every internal user.
LOYALTY_GROUPS = (
    "crm_relation.group_crm_relation_user,crm_relation.group_crm_relation_auditor"
)


class ResPartner(models.Model):
    _name = "res.partner"
    _inherit = ["res.partner", "crm.relation.review.mixin"]

    # Company-dependent: a customer buying from two companies is scored in
    # each; the form shows the current company's figures.
    # Stored: the day, which does not drift; the days since it are derived.
    rfm_last_purchase_date = fields.Date(
        "Last Purchase in Window",
        company_dependent=True,
        readonly=True,
        guarded=True,
    )
    rfm_recency_days = fields.Integer(
        "Days Since Last Purchase",
        compute="_compute_rfm_recency_days",
        search="_search_rfm_recency_days",
    )
    rfm_frequency = fields.Integer(
        "Purchases in Window",
        company_dependent=True,
        readonly=True,
        guarded=True,
    )
    rfm_monetary = fields.Float(
        "Amount in Window",
        company_dependent=True,
        readonly=True,
        digits="Account",
        help="Untaxed, net of credit notes, in the company currency; less the "
        "cost of the goods delivered in the window where the company scores M "
        "on the gross margin.",
        guarded=True,
    )
    rfm_avg_order = fields.Float(
        "Average Order Value",
        company_dependent=True,
        readonly=True,
        digits="Account",
        guarded=True,
    )
    rfm_item_count = fields.Float(
        "Items in Window",
        company_dependent=True,
        readonly=True,
        digits="Product Unit",
        guarded=True,
    )
    rfm_r_score = fields.Integer(
        "R Score", company_dependent=True, readonly=True, guarded=True
    )
    rfm_f_score = fields.Integer(
        "F Score", company_dependent=True, readonly=True, guarded=True
    )
    rfm_m_score = fields.Integer(
        "M Score", company_dependent=True, readonly=True, guarded=True
    )
    rfm_score = fields.Integer(
        "RFM Score", company_dependent=True, readonly=True, guarded=True
    )
    relation_tier_id = fields.Many2one(
        "crm.relation.tier",
        "Tier",
        company_dependent=True,
        readonly=True,
        guarded=True,
    )
    relation_status = fields.Selection(
        RELATION_STATUSES,
        "Customer Status",
        company_dependent=True,
        readonly=True,
        guarded=True,
    )
    rfm_evaluated_at = fields.Datetime(
        "Evaluated On",
        company_dependent=True,
        readonly=True,
        guarded=True,
    )
    relation_blocked = fields.Boolean(
        "Blocked",
        company_dependent=True,
        readonly=True,
        copy=False,
        guarded=True,
    )
    relation_block_reason = fields.Text(
        "Block Reason",
        company_dependent=True,
        readonly=True,
        copy=False,
        guarded=True,
    )
    relation_churn_risk = fields.Integer(
        "Churn Risk",
        company_dependent=True,
        readonly=True,
        guarded=True,
        help="How likely the customer is to stop buying, from 0 to 100, "
        "set by the RFM evaluation from the customer's own purchase rhythm.",
    )
    relation_churn_at_risk = fields.Boolean(
        "At Risk of Churning",
        company_dependent=True,
        readonly=True,
        guarded=True,
        help="The churn risk reaches the company's threshold (set by the RFM "
        "evaluation).",
    )
    relation_churn_reason_data = fields.Text(
        "Churn Reason Data",
        company_dependent=True,
        readonly=True,
        guarded=True,
        help="The reasons of the churn risk as data (JSON: a code and its "
        "figures each), set by the RFM evaluation.",
    )
    relation_churn_reasons = fields.Text(
        "Churn Reasons",
        compute="_compute_churn_reasons",
        help="Why the customer may leave, with the figures, in your language.",
    )
    relation_tier_history_ids = fields.One2many(
        "crm.relation.tier.history", "partner_id", "Tier History"
    )

    # Odoo 19 keeps one phone; Chinese customers give a mobile (手机) too.
    relation_mobile = fields.Char(string="Mobile")
    relation_vip_ids = fields.One2many("crm.relation.vip", "partner_id", "VIP Records")
    relation_is_vip = fields.Boolean(
        "VIP",
        compute="_compute_vip",
        search="_search_is_vip",
        help="An active VIP in the current company.",
    )
    relation_vip_card_number = fields.Char("VIP Card", compute="_compute_vip")
    relation_visit_count = fields.Integer("Visits", compute="_compute_visits")
    relation_next_visit_date = fields.Date("Next Visit", compute="_compute_visits")
    relation_winback_id = fields.Many2one(
        "crm.relation.winback",
        "Open Win-back",
        compute="_compute_winback",
        help="The customer's open win-back episode in the current company.",
    )

    @api.depends("rfm_last_purchase_date")
    @api.depends_context("company")
    def _compute_rfm_recency_days(self):
        today = fields.Date.context_today(self)
        for partner in self:
            last = partner.rfm_last_purchase_date
            partner.rfm_recency_days = (today - last).days if last else False

    def _search_rfm_recency_days(self, operator, value):
        """Days since the last purchase, searched on the stored day: at least
        ``n`` days ago is on or before ``today - n``; none is no purchase in
        the window."""
        today = fields.Date.context_today(self)
        if operator in ("in", "not in"):
            days = [
                today - timedelta(days=int(v)) if v not in (False, None) else False
                for v in value
            ]
            return [("rfm_last_purchase_date", operator, days)]
        flipped = {">": "<", ">=": "<=", "<": ">", "<=": ">="}
        if operator not in flipped or value in (False, None):
            return NotImplemented
        day = today - timedelta(days=int(value))
        return [("rfm_last_purchase_date", flipped[operator], day)]

    def _vip_cards(self, company):
        """``{commercial partner id: card number}`` of these partners'
        active VIP memberships in ``company`` (one query)."""
        active = (
            self.env["crm.relation.vip"]
            .sudo()
            .search(
                [
                    ("company_id", "=", company.id),
                    ("state", "=", "active"),
                    ("partner_id", "in", self.commercial_partner_id.ids),
                ]
            )
        )
        return {record.partner_id.id: record.card_number for record in active}

    @api.depends(
        "relation_vip_ids.state",
        "relation_vip_ids.card_number",
        "commercial_partner_id",
    )
    @api.depends_context("company")
    def _compute_vip(self):
        cards = self._vip_cards(self.env.company)
        for partner in self:
            card = cards.get(partner.commercial_partner_id.id)
            partner.relation_is_vip = partner.commercial_partner_id.id in cards
            partner.relation_vip_card_number = card or False

    @api.depends("relation_churn_reason_data")
    @api.depends_context("company", "lang")
    def _compute_churn_reasons(self):
        for partner in self:
            partner.relation_churn_reasons = (
                "\n".join(partner._churn_reason_lines()) or False
            )

    def _churn_reason_lines(self):
        """The stored churn reasons in words, in the user's language."""
        self.ensure_one()
        return self._churn_reason_words(
            self.relation_churn_reason_data,
            self.env.company.currency_id,
            fields.Date.context_today(self),
        )

    @api.model
    def _churn_reason_words(self, data, currency, as_of):
        """Churn reasons stored as ``data`` (the JSON of
        ``relation_churn_reason_data``) in words, in the user's language,
        amounts in ``currency``, silences counted up to the day ``as_of``."""
        try:
            reasons = json.loads(data or "[]")
        except ValueError:
            return []
        lines = []
        for reason in reasons if isinstance(reasons, list) else []:
            code = isinstance(reason, dict) and reason.get("code")
            if code == churn.REASON_SILENCE:
                lines.append(
                    self.env._(
                        "No purchase for %(days)s days, usually every %(usual)s days",
                        days=churn.reason_days(reason, as_of),
                        usual=reason["usual"],
                    )
                )
            elif code == churn.REASON_SINGLE:
                lines.append(
                    self.env._(
                        "Only one purchase, %(days)s days ago",
                        days=churn.reason_days(reason, as_of),
                    )
                )
            elif code == churn.REASON_ORDERS:
                lines.append(
                    self.env._(
                        "Orders down from %(before)s to %(now)s",
                        before=reason["before"],
                        now=reason["now"],
                    )
                )
            elif code == churn.REASON_AMOUNT:
                lines.append(
                    self.env._(
                        "Amount down from %(before)s to %(now)s",
                        before=format_amount(self.env, reason["before"], currency),
                        now=format_amount(self.env, reason["now"], currency),
                    )
                )
        return lines

    def _compute_visits(self):
        """Visits the user may see of these customers (and their contacts'
        customer), and the next one planned, in one grouped read."""
        if not self.env["crm.relation.visit"].has_access("read"):
            self.relation_visit_count, self.relation_next_visit_date = 0, False
            return
        rows = self.env["crm.relation.visit"]._read_group(
            [
                ("partner_id", "in", self.commercial_partner_id.ids),
                ("company_id", "in", self.env.companies.ids),
            ],
            ["partner_id"],
            ["__count"],
        )
        counts = {partner.id: count for partner, count in rows}
        upcoming = self.env["crm.relation.visit"]._read_group(
            [
                ("partner_id", "in", self.commercial_partner_id.ids),
                ("company_id", "in", self.env.companies.ids),
                ("state", "=", "planned"),
            ],
            ["partner_id"],
            ["planned_date:min"],
        )
        next_dates = {partner.id: day for partner, day in upcoming}
        for partner in self:
            customer = partner.commercial_partner_id.id
            partner.relation_visit_count = counts.get(customer, 0)
            partner.relation_next_visit_date = next_dates.get(customer, False)

    @api.depends_context("company", "uid")
    def _compute_winback(self):
        """The open win-back episode the user may see of each customer in the
        current company (one search)."""
        Winback = self.env["crm.relation.winback"]
        if not Winback.has_access("read"):
            self.relation_winback_id = False
            return
        episodes = Winback.search(
            [
                ("partner_id", "in", self.commercial_partner_id.ids),
                ("company_id", "=", self.env.company.id),
                ("state", "=", "open"),
            ]
        )
        by_customer = {episode.partner_id.id: episode for episode in episodes}
        for partner in self:
            partner.relation_winback_id = by_customer.get(
                partner.commercial_partner_id.id, False
            )

    @guards.callers(guards.USER_GROUP, guards.AUDITOR_GROUP)
    def action_view_winback(self):
        """Open the customer's open win-back episode."""
        guards.ensure_one(self)
        episode = self.relation_winback_id
        if not episode:
            raise UserError(
                self.env._(
                    "%(customer)s has no open win-back episode in %(company)s.",
                    customer=self.commercial_partner_id.display_name,
                    company=self.env.company.name,
                )
            )
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "crm_relation.action_crm_relation_winback"
        )
        action.update(
            {"res_id": episode.id, "view_mode": "form", "views": [(False, "form")]}
        )
        return action

    @guards.callers(guards.USER_GROUP)
    def action_view_visits(self):
        guards.ensure_one(self)
        customer = self.commercial_partner_id
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "crm_relation.action_crm_relation_visit"
        )
        action["domain"] = [("partner_id", "=", customer.id)]
        action["context"] = {"default_partner_id": customer.id}
        return action

    def _search_is_vip(self, operator, value):
        if operator != "in":
            return NotImplemented
        company = self.env.company
        members = self.env["crm.relation.vip"]._active_member_ids(company)
        return [("commercial_partner_id", "in", members.get(company.id, []))]

    def write(self, vals):
        return self.env["crm.relation.audit"]._audited_write(
            self, AUDITED, vals, super().write
        )

    def _check_company(self, fnames=None):
        """Odoo checks the company of every partner's company-dependent
        values (receivable and payable accounts, stock locations...) one
        partner at a time, though the check depends on the values alone,
        against the current company: a batch of partners created together
        (the sync door's) would cost four checks a partner. Check each
        distinct combination of values once; should one fail, check them all
        (Odoo's message names every partner concerned)."""
        if len(self) < 2:
            return super()._check_company(fnames)
        if fnames is None or {"company_id", "company_ids"} & set(fnames):
            fnames = self._fields
        checked = [
            self._fields[name]
            for name in fnames
            if self._fields[name].relational and self._fields[name].check_company
        ]
        if not checked or not all(field.company_dependent for field in checked):
            return super()._check_company(fnames)
        first = {}
        for record in self.sudo():
            key = tuple(tuple(record[field.name].ids) for field in checked)
            first.setdefault(key, record.id)
        try:
            return super(ResPartner, self.browse(list(first.values())))._check_company(
                fnames
            )
        except UserError:
            return super()._check_company(fnames)

    def _guard_hint(self):
        return self.env._(
            "the customer value evaluation, the Block or Unblock action of a "
            "customer manager, and the review actions"
        )

    def _review_clear_on_bank_change(self):
        """A bank account of these partners was added, changed or removed."""
        policy = self.env["crm.relation.review.policy"]
        if "bank_ids" in policy._key_fields(self._name):
            reviewed = self.filtered("relation_review1_done")
            if reviewed:
                reviewed._review_clear(["bank_ids"])

    @guards.callers(guards.MANAGER_GROUP)
    def action_evaluate_rfm(self):
        """Re-evaluate these customers now (button, and RPC for managers).

        With no record, evaluates every customer of the current company.
        """
        result = (
            self.env["crm.relation.rfm.engine"]
            .sudo()
            ._evaluate_company(
                self.env.company, partners=self or None, trigger="manual"
            )
        )
        return guards.notification(
            self.env._(
                "%(count)s customer(s) evaluated, %(changed)s changed.",
                count=result["evaluated"],
                changed=result["changed"],
            )
        )

    @api.model
    def _cron_evaluate_rfm(self):
        engine = self.env["crm.relation.rfm.engine"].sudo()
        companies = self.env["res.company"].sudo().search([])  # pylint: disable=no-search-all
        for company in companies:
            engine._evaluate_company(company, trigger="scheduled")

    # === MEMBERS' POINTS: THE CARD ODOO KEEPS (loyalty) === #
    # The customer's card in the current company's members' points
    # programme, its balance and its history: Odoo keeps them, the addon
    # only shows them.

    relation_loyalty_card_id = fields.Many2one(
        "loyalty.card",
        "Points Card",
        compute="_compute_relation_loyalty",
        groups=LOYALTY_GROUPS,
        help="The customer's card in the company's members' points programme, "
        "given when the customer became an active VIP.",
    )
    # Computed with the card, not related to it: a related field would make
    # Odoo search partners by this non-stored card whenever points change.
    # The form reads them anew at each request.
    relation_loyalty_points = fields.Float(
        "Points Balance",
        compute="_compute_relation_loyalty",
        groups=LOYALTY_GROUPS,
        digits=(16, 2),
    )
    relation_loyalty_history_ids = fields.Many2many(
        "loyalty.history",
        string="Points History",
        compute="_compute_relation_loyalty",
        groups=LOYALTY_GROUPS,
    )

    @api.depends("commercial_partner_id")
    @api.depends_context("company")
    def _compute_relation_loyalty(self):
        program = self.env.company.sudo().relation_loyalty_program_id
        cards = {}
        if program and self.ids:
            found = (
                self.env["loyalty.card"]
                .sudo()
                .search(
                    [
                        ("program_id", "=", program.id),
                        ("partner_id", "in", self.commercial_partner_id.ids),
                    ],
                    order="id",
                )
            )
            for card in found:
                cards.setdefault(card.partner_id.id, card)
        empty = self.env["loyalty.card"].sudo()
        for partner in self:
            card = cards.get(partner.commercial_partner_id.id, empty)
            partner.relation_loyalty_card_id = card.id
            partner.relation_loyalty_points = card.points
            partner.relation_loyalty_history_ids = card.history_ids.ids
