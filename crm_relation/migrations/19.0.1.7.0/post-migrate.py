# Copyright 2026 crm_relation developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The account-manager evaluation is a report model since 19.0.1.7.0.

The company rule of the former wizard lives in a ``noupdate`` file, and the
end of an update removes only the records of files that are not
``noupdate``: remove the rule and its external id here, before the update
drops the wizard's model.
"""

from odoo import SUPERUSER_ID, api

FORMER_RULES = ("crm_relation.crm_relation_manager_evaluation_company_rule",)


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    for xmlid in FORMER_RULES:
        rule = env.ref(xmlid, raise_if_not_found=False)
        if rule:
            rule.unlink()
        module, name = xmlid.split(".")
        env["ir.model.data"].search(
            [("module", "=", module), ("name", "=", name)]
        ).unlink()
