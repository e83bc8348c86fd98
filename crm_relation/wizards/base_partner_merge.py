# Copyright 2026 crm_relation developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import models

from ..models import guards
from ..models.crm_relation_guarded import MERGE


class BasePartnerMergeAutomaticWizard(models.TransientModel):
    _inherit = "base.partner.merge.automatic.wizard"

    def _update_values(self, src_partners, dst_partner):
        # Merging copies the other partners' values onto the one kept; what
        # Customer Relations' actions set (figures, tier, block, review
        # stamps) is the kept partner's own and stays as it is.
        return super()._update_values(
            src_partners, guards.trusted(dst_partner, flags=[MERGE])
        )
