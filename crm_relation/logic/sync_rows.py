"""The rows other systems push through the sync door, checked field by field.

A row is a mapping from JSON-2, JSON-RPC or XML-RPC: any value may be of any
type. ``check_partner`` and ``check_order`` return the row's values with
their types and lengths checked, text stripped, external ids normalised
(text, stripped), or raise ``RowError`` naming the field, the value and
what is wrong (a code the caller turns into a sentence). Nothing here looks
anything up: whether a country, a product or a parent exists is the
caller's business.
"""

import datetime
import math
from collections.abc import Mapping
from dataclasses import dataclass

# What is wrong with a value (RowError.code).
NOT_A_ROW = "not_a_row"
UNKNOWN_FIELDS = "unknown_fields"
REQUIRED = "required"
WRONG_TYPE = "wrong_type"
TOO_LONG = "too_long"
CONTROL = "control_characters"
NOT_FINITE = "not_finite"
OUT_OF_RANGE = "out_of_range"
NOT_A_DATE = "not_a_date"
NOT_A_CHOICE = "not_a_choice"
EMPTY_ITEM = "empty_item"
TOO_MANY = "too_many"

# Tabs and line breaks are text; every other control character is refused.
_CONTROL = frozenset(chr(c) for c in range(32)) - {"\t", "\n", "\r"} | {"\x7f"}
_KEY_CONTROL = frozenset(chr(c) for c in range(32)) | {"\x7f"}


class RowError(ValueError):
    """A field of a row is refused: ``field`` (e.g. ``lines[2].quantity``),
    the ``value`` as sent, a ``code`` and its ``params``."""

    def __init__(self, field, value, code, **params):
        super().__init__(f"{field}: {code} ({value!r})")
        self.field = field
        self.value = value
        self.code = code
        self.params = params


@dataclass(frozen=True)
class Text:
    max_length: int
    required: bool = False
    numbers: bool = False  # an integer is taken as its text (phones, zips)


@dataclass(frozen=True)
class Key:
    """An external id: text or an integer, stripped, not empty."""

    max_length: int = 128
    required: bool = False


@dataclass(frozen=True)
class Bool:
    pass


@dataclass(frozen=True)
class Date:
    with_time: bool = False


@dataclass(frozen=True)
class Number:
    low: float
    high: float
    default: float | None = None
    positive: bool = False  # strictly above ``low``


@dataclass(frozen=True)
class Choice:
    choices: tuple
    default: str


@dataclass(frozen=True)
class Tags:
    max_length: int = 64
    max_count: int = 50


@dataclass(frozen=True)
class Lines:
    max_count: int = 1000


SOURCE = Text(64, required=True)
PARTNER = {
    "source": SOURCE,
    "external_id": Key(required=True),
    "name": Text(256),
    "is_company": Bool(),
    "parent_external_id": Key(),
    "email": Text(254),
    "phone": Text(64, numbers=True),
    "mobile": Text(64, numbers=True),
    "street": Text(256),
    "city": Text(128),
    "zip": Text(32, numbers=True),
    "country_code": Text(8),
    "vat": Text(64, numbers=True),
    "birthday": Date(),
    "tags": Tags(),
    "lang": Text(16),
    "account_manager_login": Text(128),
}
INVOICE_MODES = ("none", "draft", "post")
ORDER = {
    "source": SOURCE,
    "external_id": Key(required=True),
    "customer_external_id": Key(required=True),
    "date_order": Date(with_time=True),
    "currency": Text(8),
    "lines": Lines(),
    "invoice": Choice(INVOICE_MODES, "none"),
}
LINE = {
    "product": Text(128, required=True),
    "quantity": Number(0, 1e9, positive=True),
    "price_unit": Number(0, 1e12),
    "discount": Number(0, 100, default=0.0),
}
# The largest integer an XML-RPC client reads back.
XMLRPC_INT = 2**31 - 1


def _empty(value):
    return value is None or value is False or value == ""


def _text(field, value, spec):
    if spec.numbers and isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise RowError(field, value, WRONG_TYPE, expected="text")
    if _CONTROL.intersection(value):
        raise RowError(field, value, CONTROL)
    value = value.strip()
    if len(value) > spec.max_length:
        raise RowError(field, value, TOO_LONG, max=spec.max_length)
    return value


def _key(field, value, spec):
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise RowError(field, value, WRONG_TYPE, expected="text or integer")
    text = str(value)
    if _KEY_CONTROL.intersection(text):
        raise RowError(field, value, CONTROL)
    text = text.strip()
    if not text:
        raise RowError(field, value, REQUIRED)
    if len(text) > spec.max_length:
        raise RowError(field, value, TOO_LONG, max=spec.max_length)
    return text


def _date(field, value, spec):
    if not isinstance(value, str):
        raise RowError(field, value, NOT_A_DATE)
    text = value.strip()
    try:
        if spec.with_time and len(text) > 10:
            parsed = datetime.datetime.fromisoformat(text)
            if parsed.tzinfo is not None:
                parsed = parsed.astimezone(datetime.UTC).replace(tzinfo=None)
        else:
            parsed = datetime.date.fromisoformat(text)
            if spec.with_time:
                parsed = datetime.datetime.combine(parsed, datetime.time())
    except ValueError:
        raise RowError(field, value, NOT_A_DATE) from None
    if not 1900 <= parsed.year <= 2999:
        raise RowError(field, value, NOT_A_DATE)
    return parsed


def _number(field, value, spec):
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise RowError(field, value, WRONG_TYPE, expected="number")
    if isinstance(value, float) and not math.isfinite(value):
        raise RowError(field, value, NOT_FINITE)
    if value < spec.low or value > spec.high or (spec.positive and value <= spec.low):
        raise RowError(field, value, OUT_OF_RANGE, low=spec.low, high=spec.high)
    return float(value)


def _tags(field, value, spec):
    if isinstance(value, str):
        if _CONTROL.intersection(value):
            raise RowError(field, value, CONTROL)
        # "a; b" from a CSV cell: blanks between separators are no tag.
        names = [part for part in value.split(";") if part.strip()]
    elif isinstance(value, list):
        names = value
    else:
        raise RowError(field, value, WRONG_TYPE, expected="list of names")
    if len(names) > spec.max_count:
        raise RowError(field, value, TOO_MANY, max=spec.max_count)
    result = []
    for index, name in enumerate(names):
        item = f"{field}[{index}]"
        if not isinstance(name, str):
            raise RowError(item, name, WRONG_TYPE, expected="text")
        if _KEY_CONTROL.intersection(name):
            raise RowError(item, name, CONTROL)
        name = name.strip()
        if not name:
            raise RowError(item, name, EMPTY_ITEM)
        if len(name) > spec.max_length:
            raise RowError(item, name, TOO_LONG, max=spec.max_length)
        if name not in result:
            result.append(name)
    return result


def _optional_text(field, value, spec):
    if _empty(value):
        if spec.required:
            raise RowError(field, value, REQUIRED)
        return False
    result = _text(field, value, spec)
    if spec.required and not result:
        raise RowError(field, value, REQUIRED)
    return result or False


def _optional_key(field, value, spec):
    if _empty(value):
        if spec.required:
            raise RowError(field, value, REQUIRED)
        return False
    return _key(field, value, spec)


def _bool(field, value, spec):
    if not isinstance(value, bool):
        raise RowError(field, value, WRONG_TYPE, expected="true or false")
    return value


def _optional_date(field, value, spec):
    return False if _empty(value) else _date(field, value, spec)


def _number_or_default(field, value, spec):
    if value is None and spec.default is not None:
        return spec.default
    return _number(field, value, spec)


def _choice(field, value, spec):
    if _empty(value):
        return spec.default
    if not isinstance(value, str) or value not in spec.choices:
        raise RowError(field, value, NOT_A_CHOICE, choices=spec.choices)
    return value


def _optional_tags(field, value, spec):
    return [] if value is None or value is False else _tags(field, value, spec)


_CHECKS = {
    Text: _optional_text,
    Key: _optional_key,
    Bool: _bool,
    Date: _optional_date,
    Number: _number_or_default,
    Choice: _choice,
    Tags: _optional_tags,
}


def _value(field, value, spec):
    return _CHECKS[type(spec)](field, value, spec)


def _check(row, specs, prefix=""):
    if not isinstance(row, Mapping):
        raise RowError(prefix or "row", row, NOT_A_ROW)
    unknown = sorted(str(key) for key in row if key not in specs)
    if unknown:
        raise RowError(prefix or "row", unknown, UNKNOWN_FIELDS, allowed=sorted(specs))
    result = {}
    for key, spec in specs.items():
        field = f"{prefix}{key}"
        if key not in row:
            required = getattr(spec, "required", False)
            if required:
                raise RowError(field, None, REQUIRED)
            if isinstance(spec, Number) and spec.default is None:
                raise RowError(field, None, REQUIRED)
            continue
        if isinstance(spec, Lines):
            result[key] = _lines(field, row[key], spec)
        else:
            result[key] = _value(field, row[key], spec)
    return result


def _lines(field, value, spec):
    if not isinstance(value, list) or not value:
        raise RowError(field, value, WRONG_TYPE, expected="non-empty list of lines")
    if len(value) > spec.max_count:
        raise RowError(field, len(value), TOO_MANY, max=spec.max_count)
    lines = []
    for index, line in enumerate(value):
        checked = _check(line, LINE, prefix=f"{field}[{index}].")
        checked.setdefault("discount", LINE["discount"].default)
        lines.append(checked)
    return lines


def check_partner(row):
    """The checked values of a customer row (only the fields it has)."""
    return _check(row, PARTNER)


def check_order(row):
    """The checked values of an order row; ``lines`` and ``invoice`` always."""
    checked = _check(row, ORDER)
    if "lines" not in checked:
        raise RowError("lines", None, REQUIRED)
    checked.setdefault("invoice", ORDER["invoice"].default)
    return checked


def echo(value):
    """The external id a result carries back: what was sent, when every
    protocol can carry it back, else ``False`` (XML-RPC has no null and
    32-bit integers)."""
    if isinstance(value, bool) or value is None:
        return False
    if isinstance(value, int):
        return value if abs(value) <= XMLRPC_INT else str(value)
    if isinstance(value, str) and not _KEY_CONTROL.intersection(value):
        return value.strip()[:128]
    return False
