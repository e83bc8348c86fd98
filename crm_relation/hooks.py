# Copyright 2026 crm_relation developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo.tools import SQL

# The documents of sales, invoicing and stock: the customers and products
# they refer to outlive the addon.
BOOKS = (
    "sale.order",
    "sale.order.line",
    "account.move",
    "account.move.line",
    "stock.picking",
    "stock.move",
    "stock.move.line",
)


def post_init_hook(env):
    """Set up the companies that exist when the addon is installed (new ones
    are set up as they are created)."""
    companies = env["res.company"].with_context(active_test=False).search([])
    companies._crm_relation_set_up()


def uninstall_hook(env):
    """Prepare what the ORM's uninstall cannot do by itself."""
    _release_what_the_books_use(env)
    # The audit chains' heads live in a table of their own (see
    # crm.relation.audit.init); the ORM drops only its models' tables.
    env.cr.execute(SQL("DROP TABLE IF EXISTS crm_relation_audit_head"))
    # Rows of the addon's tables that would keep the uninstall from deleting
    # the records its data made: visits, plans, schedules and win-back
    # episodes belong to an account manager (required), who may be a user of
    # the addon's data; each care log entry names the care rule that made it
    # (restrict); the tier history keeps its customers and tiers (restrict,
    # so that no deletion breaks its seals). Empty them first; their tables
    # go anyway.
    for table in (
        "crm_relation_tier_history",
        "crm_relation_winback",
        "crm_relation_visit",
        "crm_relation_visit_week",
        "crm_relation_visit_plan",
        "crm_relation_care_log",
    ):
        env.cr.execute(SQL("DELETE FROM %s", SQL.identifier(table)))


def _release_what_the_books_use(env):
    """Keep the addon's partners and products that the books refer to.

    Whatever created them, orders, invoices and stock moves cannot lose
    their customers or products: rather than let the uninstall try and fail
    to delete them, drop their external ids, so that they stay like any
    customer or product entered by hand. The addon's other records go.
    """
    data = env["ir.model.data"].search(
        [
            ("module", "=", "crm_relation"),
            ("model", "in", ("res.partner", "product.product", "product.template")),
        ]
    )
    partners = _used_by_books(env, "res.partner", data)
    products = _used_by_books(env, "product.product", data)
    kept = {
        "res.partner": set(partners),
        "product.product": set(products),
        # Deleting a template deletes its variants: a kept variant keeps it.
        "product.template": set(
            env["product.product"].browse(products).product_tmpl_id.ids
        ),
    }
    data.filtered(lambda d: d.res_id in kept[d.model]).unlink()


def _used_by_books(env, model, data):
    """Ids of the records of ``model`` named by ``data`` that a document of
    the books refers to (through any of its stored many2one fields)."""
    ids = data.filtered(lambda d: d.model == model).mapped("res_id")
    used = set()
    for name in BOOKS:
        book = env[name].sudo().with_context(active_test=False)
        for fname, field in book._fields.items():
            if field.type == "many2one" and field.store and field.comodel_name == model:
                groups = book._read_group([(fname, "in", ids)], [fname])
                used.update(record.id for [record] in groups)
    return sorted(used)
