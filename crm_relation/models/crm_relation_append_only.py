# Copyright 2026 crm_relation developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, models
from odoo.exceptions import UserError


class CrmRelationAppendOnly(models.AbstractModel):
    """A log the addon appends to in SQL alone: the ORM refuses to create,
    change or delete its entries, for everyone, the superuser included."""

    _name = "crm.relation.append.only"
    _description = "Append-only Log"

    def _refuse(self):
        raise UserError(
            self.env._(
                "Entries of %(log)s are written by Customer Relations alone: "
                "they cannot be created, changed or deleted, by anyone.",
                log=self.env["ir.model"]._get(self._name).name or self._description,
            )
        )

    @api.model_create_multi
    def create(self, vals_list):  # pylint: disable=method-required-super
        self._refuse()

    def write(self, vals):  # pylint: disable=method-required-super
        self._refuse()

    def unlink(self):  # pylint: disable=method-required-super
        self._refuse()
