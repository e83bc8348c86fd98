"""The pull side of the sync door: what changed, since which cursor.

A change is an entry of a company's audit chain on one of the customer
fields another system asks about (``KINDS``). The cursor is the company's
chain position: positions are given by the sealer, one transaction at a
time per company, in the order the changes committed, and a sealer only
ever extends the chain its predecessor committed. So every position up to
the highest one a reader sees is committed and visible to it: reading
``position > cursor`` never skips a change another transaction was still
committing, with no time window or lag to guess. A cursor is
``"<company id>:<position>"``: a cursor of one company is refused in
another.

An evaluation is one entry of the chain for all its tier and status
changes (its tier history rows point to it): its changes are read in the
order of their rows, and a page that ends inside an evaluation gives the
cursor ``"<company id>:<position>:<row>"`` to go on from that row.
"""

import re

# kind -> (model, field) of the audit entries that make it.
KINDS = {
    "tier": ("res.partner", "relation_tier_id"),
    "status": ("res.partner", "relation_status"),
    "vip": ("crm.relation.vip", "state"),
    "blocked": ("res.partner", "relation_blocked"),
}
DEFAULT_LIMIT = 500
MAX_LIMIT = 5000
CURSOR = re.compile(r"^\s*(\d{1,12}):(\d{1,18})(?::(\d{1,18}))?\s*$")

# What is wrong with an argument (ArgumentError.code).
NOT_A_CURSOR = "not_a_cursor"
OTHER_COMPANY = "other_company"
NOT_KINDS = "not_kinds"
NOT_A_LIMIT = "not_a_limit"
NOT_A_SOURCE = "not_a_source"


class ArgumentError(ValueError):
    """An argument of ``changes`` is refused: ``name``, ``value``, ``code``."""

    def __init__(self, name, value, code):
        super().__init__(name, value, code)
        self.name, self.value, self.code = name, value, code


def cursor(company_id, position, row=0):
    """The cursor after chain position ``position`` (all of it), or after
    its change ``row`` (an evaluation's, read in part)."""
    if row:
        return f"{company_id}:{position}:{row}"
    return f"{company_id}:{position}"


def parse_cursor(value, company_id):
    """``(position, row)`` after which to read: ``(0, 0)`` for no cursor;
    ``row`` 0 when the whole position was read."""
    if value is None or value is False or value == "":
        return 0, 0
    match = CURSOR.match(value) if isinstance(value, str) else None
    if not match:
        raise ArgumentError("since", value, NOT_A_CURSOR)
    if int(match.group(1)) != company_id:
        raise ArgumentError("since", value, OTHER_COMPANY)
    return int(match.group(2)), int(match.group(3) or 0)


def parse_kinds(value):
    """The kinds asked for, in ``KINDS`` order; all of them by default."""
    if value is None or value is False:
        return list(KINDS)
    if isinstance(value, str):
        value = [value]
    if (
        not isinstance(value, (list, tuple))
        or not value
        or not all(isinstance(kind, str) and kind in KINDS for kind in value)
    ):
        raise ArgumentError("kinds", value, NOT_KINDS)
    return [kind for kind in KINDS if kind in value]


def parse_limit(value):
    if value is None or value is False:
        return DEFAULT_LIMIT
    if isinstance(value, bool) or not isinstance(value, int):
        raise ArgumentError("limit", value, NOT_A_LIMIT)
    if not 1 <= value <= MAX_LIMIT:
        raise ArgumentError("limit", value, NOT_A_LIMIT)
    return value


def parse_source(value):
    """One source's external ids only, or ``None`` for every source."""
    if value is None or value is False:
        return None
    if not isinstance(value, str) or not value.strip() or len(value) > 128:
        raise ArgumentError("source", value, NOT_A_SOURCE)
    return value.strip()


def group_entries(entries, kinds_of):
    """``[(partner id, [kinds], last position, last logged at)]`` from the
    page's ``entries`` (``(position, partner id, kind, logged at)`` in chain
    order; a position is anything ordered, such as ``(position, row)``),
    one per customer, ordered by its last change in the page."""
    grouped = {}
    for position, partner_id, kind, logged_at in entries:
        if partner_id is None:
            continue
        kinds, _position, _logged = grouped.get(partner_id, (set(), 0, None))
        kinds.add(kind)
        grouped[partner_id] = (kinds, position, logged_at)
    ordered = sorted(grouped.items(), key=lambda item: item[1][1])
    return [
        (partner_id, [k for k in kinds_of if k in kinds], position, logged_at)
        for partner_id, (kinds, position, logged_at) in ordered
    ]
