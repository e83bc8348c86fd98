# Copyright 2026 crm_relation developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Bulk inserts with PostgreSQL's COPY, for set-based writes."""

import io

# COPY's text format escapes these four characters (one C-level pass).
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_rows(cr, table, columns, rows):
    """COPY ``rows`` (tuples of ``columns``) into ``table`` on cursor ``cr``."""
    if not rows:
        return
    buffer = io.StringIO()
    buffer.writelines(
        "\t".join(["\\N" if v is None else str(v).translate(_ESCAPES) for v in row])
        + "\n"
        for row in rows
    )
    buffer.seek(0)
    cr._obj.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", buffer)
