# Copyright 2026 crm_relation developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class CrmRelationVipPeriod(models.Model):
    """One year of validity of a VIP membership: the history of renewals."""

    _name = "crm.relation.vip.period"
    _description = "VIP Validity Period"
    _order = "date_start desc"

    vip_id = fields.Many2one(
        "crm.relation.vip",
        "VIP Membership",
        required=True,
        ondelete="cascade",
        index=True,
    )
    company_id = fields.Many2one(related="vip_id.company_id", store=True)
    date_start = fields.Date("Valid From", required=True)
    date_end = fields.Date("Valid Until", required=True)
    kind = fields.Selection(
        [("registration", "Registration"), ("renewal", "Renewal")], required=True
    )
