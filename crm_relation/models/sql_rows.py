# Copyright 2026 crm_relation developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Set-based inserts of many rows in one statement."""

import json

from odoo.tools import SQL


def insert_rows(env, table, columns, rows):
    """Insert ``rows`` (tuples of values) into ``table`` in one statement.

    ``columns`` maps each column, in the order of the rows' values, to its
    SQL type. The rows travel as one JSON parameter (one array a row),
    which PostgreSQL unpacks and casts: one parameter whatever the number
    of rows, so a batch costs about what COPY would, through the ORM's own
    ``execute_query``. Callers bound ``rows`` to a batch.
    """
    if not rows:
        return
    values = SQL(", ").join(
        SQL("(r ->> %s)::%s", index, SQL(sql_type))
        for index, sql_type in enumerate(columns.values())
    )
    env.execute_query(
        SQL(
            "INSERT INTO %(table)s (%(columns)s) "
            "SELECT %(values)s FROM jsonb_array_elements(%(rows)s::jsonb) AS r",
            table=SQL.identifier(table),
            columns=SQL(", ").join(SQL.identifier(name) for name in columns),
            values=values,
            rows=json.dumps(rows, default=str),
        )
    )


def column_types(model, names):
    """``{name: SQL type}`` of the stored fields ``names`` of ``model``."""
    return {name: model._fields[name].column_type[1] for name in names}
