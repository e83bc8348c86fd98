# Copyright 2026 crm_relation developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.fields import Domain


class CrmRelationVipBadge(models.AbstractModel):
    """The customer's VIP badge on a document of one company (sale orders,
    helpdesk tickets): its commercial partner's active VIP membership in the
    document's company."""

    _name = "crm.relation.vip.badge"
    _description = "Customer VIP Badge"

    relation_is_vip = fields.Boolean(
        "VIP Customer", compute="_compute_vip_badge", search="_search_is_vip"
    )
    relation_vip_card_number = fields.Char("VIP Card", compute="_compute_vip_badge")

    @api.depends("partner_id", "company_id")
    def _compute_vip_badge(self):
        for company in self.company_id | self.env.company:
            records = self.filtered(
                lambda r, c=company: (r.company_id or self.env.company) == c
            )
            cards = records.partner_id._vip_cards(company)
            for record in records:
                card = cards.get(record.partner_id.commercial_partner_id.id)
                record.relation_is_vip = (
                    record.partner_id.commercial_partner_id.id in cards
                )
                record.relation_vip_card_number = card or False

    def _search_is_vip(self, operator, value):
        if operator != "in":
            return NotImplemented
        members = self.env["crm.relation.vip"]._active_member_ids(self.env.companies)
        return Domain.OR(
            Domain("company_id", "=", company_id)
            & Domain("partner_id.commercial_partner_id", "in", partner_ids)
            for company_id, partner_ids in members.items()
        )
