# Copyright 2026 crm_relation developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, models

# Bank account data the audit trail follows (credit-critical).
AUDITED = ("acc_number", "partner_id", "bank_id", "acc_holder_name")


class ResPartnerBank(models.Model):
    """Bank accounts are credit-critical partner data: each change is
    audited, and one made on a reviewed customer clears its reviews when
    bank accounts are among the partner's key fields."""

    _inherit = "res.partner.bank"

    @api.model_create_multi
    def create(self, vals_list):
        accounts = super().create(vals_list)
        none = {account.id: {} for account in accounts}
        self.env["crm.relation.audit"]._log_changes(accounts, AUDITED, none)
        accounts.partner_id._review_clear_on_bank_change()
        return accounts

    def write(self, vals):
        partners = self.partner_id
        result = self.env["crm.relation.audit"]._audited_write(
            self, AUDITED, vals, super().write
        )
        if set(AUDITED) & vals.keys():
            (partners | self.partner_id)._review_clear_on_bank_change()
        return result

    def unlink(self):
        audit = self.env["crm.relation.audit"]
        before = audit._snapshot(self, AUDITED)
        partners = self.partner_id
        gone = {account.id: {} for account in self}
        audit._log_changes(self, AUDITED, before, after=gone)
        result = super().unlink()
        partners._review_clear_on_bank_change()
        return result
