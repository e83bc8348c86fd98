# Copyright 2026 crm_relation developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What the addon's report models (``_auto = False`` SQL views) share."""

from odoo import tools
from odoo.tools import SQL


def replace_view(model):
    """(Re)create the SQL view of report ``model`` from its ``_query()``:
    the body of the report models' ``init``."""
    tools.drop_view_if_exists(model.env.cr, model._table)
    model.env.cr.execute(
        SQL(
            "CREATE OR REPLACE VIEW %s AS (%s)",
            SQL.identifier(model._table),
            model._query(),
        )
    )


def ratio_select(model, aggregate_spec, query, ratios):
    """The SQL of a rate aggregated over a group as the ratio of the sums of
    its two figures, or None when ``aggregate_spec`` is not such a rate."""
    fname, _sep, func = aggregate_spec.partition(":")
    if fname not in ratios or func not in ("avg", "sum"):
        return None
    num, den, factor, digits = ratios[fname]
    return SQL(
        "COALESCE(round((%(factor)s * sum(%(num)s) / NULLIF(sum(%(den)s), 0))"
        "::numeric, %(digits)s)::float8, 0)",
        num=model._field_to_sql(model._table, num, query),
        den=model._field_to_sql(model._table, den, query),
        factor=factor,
        digits=digits,
    )
