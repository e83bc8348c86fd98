# Copyright 2026 crm_relation developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models

# Read as superuser from the loyalty cards: shown to Customer Relations staff
# and auditors only (the Relationship tab), not to every internal user.
LOYALTY_GROUPS = (
    "crm_relation.group_crm_relation_user,crm_relation.group_crm_relation_auditor"
)


class ResPartner(models.Model):
    """The customer's card in the current company's members' points
    programme (Odoo's ``loyalty.card``), its balance and its history: Odoo
    keeps them, the addon only shows them."""

    _name = "res.partner"
    _inherit = ["res.partner"]

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
