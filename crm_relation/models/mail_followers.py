# Copyright 2026 crm_relation developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import models


class MailFollowers(models.Model):
    _inherit = "mail.followers"

    def _insert_followers(self, res_model, res_ids, partner_ids, *args, **kwargs):
        """Auditors follow nothing of Customer Relations: following a record
        needs no more than reading it in Odoo, and they write nothing."""
        model = self.env.get(res_model)
        if model is not None and isinstance(
            model, self.env.registry["crm.relation.guarded"]
        ):
            model._crm_relation_refuse_auditor()
        return super()._insert_followers(
            res_model, res_ids, partner_ids, *args, **kwargs
        )
