# Copyright 2026 crm_relation developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo.tools import SQL

# Demo records that sales orders and posted invoices refer to.
KEPT_DEMO_MODELS = ("res.partner", "product.product", "product.template")


def post_init_hook(env):
    """Set up the companies that exist when the addon is installed (new ones
    are set up as they are created)."""
    companies = env["res.company"].with_context(active_test=False).search([])
    companies._crm_relation_set_up()


def uninstall_hook(env):
    """Keep the demo's customers and products as ordinary records.

    The demo books orders and posted invoices on them, and the books cannot
    lose their partners or products: rather than let the uninstall try and
    fail to delete them, drop their external ids so they stay, like any
    customer entered by hand.
    """
    env["ir.model.data"].search(
        [("module", "=", "crm_relation"), ("model", "in", KEPT_DEMO_MODELS)]
    ).unlink()
    # The audit chains' heads live in a table of their own (see
    # crm.relation.audit.init); the ORM drops only its models' tables.
    env.cr.execute(SQL("DROP TABLE IF EXISTS crm_relation_audit_head"))
    # Visits, plans and schedules belong to an account manager (required):
    # empty them before the uninstall removes the demo's users, which they
    # would otherwise keep from being deleted. Their tables go anyway.
    for table in (
        "crm_relation_visit",
        "crm_relation_visit_week",
        "crm_relation_visit_plan",
    ):
        env.cr.execute(SQL("DELETE FROM %s", SQL.identifier(table)))
