# Copyright 2026 crm_relation developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class CrmRelationSyncMap(models.Model):
    """Which Odoo record an external system's (source, external id) is.

    Written by the sync door alone (nobody has the right to write it): a
    customer, an order, or a customer tag the door created (keyed by its
    name), so that two calls creating the same one at once never make two.
    """

    _name = "crm.relation.sync.map"
    _description = "External ID Mapping"
    _order = "source, external_id"

    source = fields.Char(required=True, index=True)
    external_id = fields.Char("External ID", required=True, index=True)
    model = fields.Selection(
        [
            ("res.partner", "Customer"),
            ("sale.order", "Sale Order"),
            ("res.partner.category", "Customer Tag"),
        ],
        required=True,
    )
    res_id = fields.Many2oneReference("Record ID", model_field="model", required=True)
    company_id = fields.Many2one("res.company", required=True, index=True)
    payload_hash = fields.Char(
        help="Hash of the last row applied: the same row again is unchanged."
    )
    last_sync = fields.Datetime("Last Synchronised")

    _external_uniq = models.Constraint(
        "UNIQUE(source, external_id, model, company_id)",
        "An external id is unique per source, kind of record and company.",
    )
