# Copyright 2026 crm_relation developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""19.0.1.9.0: each evaluation seals the tier history rows it writes by
one audit entry carrying their count and digest. The rows written before
are sealed here by one such entry a company (in its chain), so that every
row is sealed and verification reports any row no evaluation sealed."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["crm.relation.audit"]._seal_legacy_history()
