# Copyright 2026 crm_relation developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    """Companies have high-value tiers for complaints since 19.0.1.5.0.

    A database upgraded from an older version gets them as an installation
    does, unless a company has some already (then they were chosen).
    """
    env = api.Environment(cr, SUPERUSER_ID, {})
    companies = env["res.company"].with_context(active_test=False).search([])
    if not companies.filtered("relation_complaint_tier_ids"):
        companies._crm_relation_set_up()
