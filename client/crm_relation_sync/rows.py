"""Reading rows for ``crm.relation.sync`` from CSV, JSON or JSON Lines.

Pure Python: no Odoo, no network. Partners are one row per customer; orders
in CSV are one row per order line, grouped by (source, external_id) in file
order, and in JSON(L) one object per order with a ``lines`` list.
"""

import csv
import io
import json
from pathlib import Path

ORDER_HEADER = ("source", "external_id", "customer_external_id", "date_order",
                "currency", "invoice")  # fmt: skip
LINE_FIELDS = ("product", "quantity", "price_unit", "discount")
TRUE = {"1", "true", "yes", "y", "t"}
FALSE = {"0", "false", "no", "n", "f", ""}


class InputError(ValueError):
    """The file cannot be read as rows: says where and why."""


def detect_format(path):
    suffix = Path(path).suffix.lower()
    if suffix in (".jsonl", ".ndjson"):
        return "jsonl"
    if suffix == ".json":
        return "json"
    if suffix in (".csv", ".txt"):
        return "csv"
    raise InputError(f"{path}: unknown format {suffix!r} (use .csv, .json or .jsonl)")


def read_rows(path, kind, fmt=None):
    """The rows of ``path`` for ``kind`` (``partners`` or ``orders``)."""
    fmt = fmt or detect_format(path)
    text = Path(path).read_text(encoding="utf-8-sig")
    if fmt == "json":
        try:
            rows = json.loads(text)
        except json.JSONDecodeError as error:
            raise InputError(f"{path}: not JSON: {error}") from None
        if not isinstance(rows, list):
            raise InputError(f"{path}: a JSON file must hold a list of rows")
        return rows
    if fmt == "jsonl":
        rows = []
        for number, line in enumerate(text.splitlines(), 1):
            if line.strip():
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError as error:
                    raise InputError(f"{path}:{number}: not JSON: {error}") from None
        return rows
    records = list(csv.DictReader(io.StringIO(text)))
    if kind == "partners":
        return [partner_from_csv(record, number)
                for number, record in enumerate(records, 2)]  # fmt: skip
    return orders_from_csv(records)


def _clean(record):
    return {k.strip(): (v.strip() if isinstance(v, str) else v)
            for k, v in record.items() if k}  # fmt: skip


def partner_from_csv(record, number=None):
    """One partner row from CSV text: empty cells are left out, booleans and
    ``;``-separated tags are parsed."""
    row = {k: v for k, v in _clean(record).items() if v not in ("", None)}
    if "is_company" in row:
        value = row["is_company"].lower()
        if value not in TRUE | FALSE:
            where = f"line {number}: " if number else ""
            raise InputError(
                f"{where}is_company {row['is_company']!r} is not a boolean"
            )
        row["is_company"] = value in TRUE
    if "tags" in row:
        row["tags"] = [t.strip() for t in row["tags"].split(";") if t.strip()]
    return row


def _number(value, field, number):
    try:
        return float(value)
    except ValueError:
        raise InputError(f"line {number}: {field} {value!r} is not a number") from None


def orders_from_csv(records):
    """Orders from CSV rows, one per line, grouped by (source, external_id)."""
    orders = {}
    for number, record in enumerate(records, 2):
        record = _clean(record)
        key = (record.get("source"), record.get("external_id"))
        order = orders.get(key)
        if order is None:
            order = {k: record[k] for k in ORDER_HEADER if record.get(k)}
            order["lines"] = []
            orders[key] = order
        line = {"product": record.get("product")}
        for field in ("quantity", "price_unit", "discount"):
            if record.get(field):
                line[field] = _number(record[field], field, number)
        order["lines"].append(line)
    return list(orders.values())


def batches(rows, size):
    """``rows`` in consecutive slices of at most ``size`` (with their offset)."""
    if size < 1:
        raise ValueError("batch size must be at least 1")
    for start in range(0, len(rows), size):
        yield start, rows[start : start + size]


def backoff_delays(retries, base=1.0, cap=30.0):
    """Seconds to wait before each retry: doubling from ``base``, capped."""
    return [min(cap, base * 2**attempt) for attempt in range(retries)]
