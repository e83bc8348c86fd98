"""RFM scoring, band tables, tiers and customer status: pure Python.

Nothing here imports Odoo: the addon's models feed these functions with
figures they read in bulk, and the plain-Python test layer checks them alone.

Defaults come from the seed's RFM slides (seed 003, L442-483): an evaluation
window of one year, scores 1..5 per dimension, ``score = 1R + 3F + 4M`` and
the tiers P 36-40, G 26-35, S 17-25, B <= 16.
"""

from bisect import bisect_right
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from itertools import pairwise

SCORE_MIN = 0
SCORE_MAX = 5

STATUS_PROSPECT = "prospect"
STATUS_NEW = "new"
STATUS_ACTIVE = "active"
STATUS_NO_SALE = "no_sale"
STATUS_DORMANT = "dormant"
STATUS_BLOCKED = "blocked"
STATUSES = (
    STATUS_PROSPECT,
    STATUS_NEW,
    STATUS_ACTIVE,
    STATUS_NO_SALE,
    STATUS_DORMANT,
    STATUS_BLOCKED,
)


class BandError(ValueError):
    """A band table that cannot score every value: the message says why."""


@dataclass(frozen=True)
class Band:
    """Half-open interval ``[lower, upper)`` scoring ``score``.

    ``upper`` None means unbounded above. Half-open intervals leave no gap
    between neighbours, so a value such as 299.50 always falls in a band.
    """

    lower: Decimal
    upper: Decimal | None
    score: int


def _dec(value):
    return value if isinstance(value, Decimal) else Decimal(str(value))


class BandTable:
    """An ordered, gap-free set of bands covering ``[start, +inf)``.

    ``start`` is the smallest value that gets a score; values past a bounded
    last band score nothing (``None``), which for recency means "outside the
    evaluation window".
    """

    def __init__(self, name, bands):
        self.name = name
        self.bands = tuple(
            sorted(
                (
                    Band(_dec(b[0]), None if b[1] is None else _dec(b[1]), int(b[2]))
                    for b in bands
                ),
                key=lambda b: b.lower,
            )
        )
        self.validate()
        self._lowers = [float(b.lower) for b in self.bands]
        self._uppers = [None if b.upper is None else float(b.upper) for b in self.bands]
        self._scores = [b.score for b in self.bands]

    def validate(self):
        if not self.bands:
            raise BandError(f"{self.name}: the band table is empty.")
        for band in self.bands:
            if not SCORE_MIN <= band.score <= SCORE_MAX:
                raise BandError(
                    f"{self.name}: score {band.score} is outside "
                    f"{SCORE_MIN}..{SCORE_MAX}."
                )
            if band.lower < 0:
                raise BandError(f"{self.name}: lower bound {band.lower} is negative.")
            if band.upper is not None and band.upper <= band.lower:
                raise BandError(
                    f"{self.name}: band {band.lower}..{band.upper} is empty "
                    "(its upper bound must be above its lower bound)."
                )
        for prev, nxt in pairwise(self.bands):
            if prev.upper is None:
                raise BandError(
                    f"{self.name}: band from {prev.lower} is unbounded but "
                    f"another band starts at {nxt.lower}."
                )
            if prev.upper < nxt.lower:
                raise BandError(
                    f"{self.name}: gap between {prev.upper} and {nxt.lower}; "
                    "values there would get no score."
                )
            if prev.upper > nxt.lower:
                raise BandError(
                    f"{self.name}: bands {prev.lower}..{prev.upper} and "
                    f"{nxt.lower}..{nxt.upper} overlap."
                )

    @classmethod
    def from_thresholds(cls, name, rows):
        """Build from ``(threshold, score)`` rows: each band runs from its
        threshold up to the next one, the last is unbounded. Stored this way
        a table can have no gap; the lowest threshold must be 0."""
        rows = sorted((_dec(t), int(s)) for t, s in rows)
        if rows and rows[0][0] != 0:
            raise BandError(
                f"{name}: the lowest band starts at {rows[0][0]}; it must start "
                "at 0 so that every value gets a score."
            )
        for (low, _s), (high, _t) in pairwise(rows):
            if low == high:
                raise BandError(f"{name}: two bands start at {low}.")
        uppers = [t for t, _s in rows[1:]] + [None] if rows else []
        return cls(name, [(t, u, s) for (t, s), u in zip(rows, uppers, strict=True)])

    def score(self, value):
        # Bisect on float bounds: called for every customer of a company.
        pos = bisect_right(self._lowers, float(value)) - 1
        if pos < 0:
            return None
        upper = self._uppers[pos]
        if upper is not None and float(value) >= upper:
            return None
        return self._scores[pos]


# Recency in days since the last purchase: <=1 month 5, <=3 months 4,
# <=4 months 3, <=7 months 2, <=1 year 1 (a month counted as 30.4 days).
DEFAULT_RECENCY_BANDS = (
    (0, 31, 5),
    (31, 92, 4),
    (92, 122, 3),
    (122, 214, 2),
    (214, 366, 1),
)
# Frequency in invoices over the window: >=6 5, 4-5 4, 3 3, 2 2, 1 1.
DEFAULT_FREQUENCY_BANDS = (
    (0, 1, 0),
    (1, 2, 1),
    (2, 3, 2),
    (3, 4, 3),
    (4, 6, 4),
    (6, None, 5),
)
# Monetary in CNY: >=2000 5, 1000-1999 4, 500-999 3, 300-499 2, below 300 1.
DEFAULT_MONETARY_BANDS = (
    (0, 300, 1),
    (300, 500, 2),
    (500, 1000, 3),
    (1000, 2000, 4),
    (2000, None, 5),
)


@dataclass(frozen=True)
class Weights:
    recency: int = 1
    frequency: int = 3
    monetary: int = 4

    def total(self, r, f, m):
        return self.recency * r + self.frequency * f + self.monetary * m


@dataclass(frozen=True)
class Tier:
    code: str
    low: int
    high: int


DEFAULT_TIERS = (
    Tier("P", 36, 40),
    Tier("G", 26, 35),
    Tier("S", 17, 25),
    Tier("B", 0, 16),
)


def validate_tiers(tiers):
    """Tier ranges must not overlap; a score no tier covers is refused."""
    ordered = sorted(tiers, key=lambda t: t.low)
    for tier in ordered:
        if tier.low > tier.high:
            raise BandError(f"tier {tier.code}: {tier.low} is above {tier.high}.")
    for prev, nxt in pairwise(ordered):
        if nxt.low <= prev.high:
            raise BandError(
                f"tiers {prev.code} ({prev.low}-{prev.high}) and "
                f"{nxt.code} ({nxt.low}-{nxt.high}) overlap."
            )
        if nxt.low != prev.high + 1:
            raise BandError(
                f"no tier covers scores {prev.high + 1}-{nxt.low - 1} "
                f"(between {prev.code} and {nxt.code})."
            )
    return ordered


def tier_for(score, tiers=DEFAULT_TIERS):
    for tier in tiers:
        if tier.low <= score <= tier.high:
            return tier.code
    return None


@dataclass(frozen=True)
class Scoring:
    """One company's scoring settings."""

    recency: BandTable
    frequency: BandTable
    monetary: BandTable
    weights: Weights = Weights()
    tiers: tuple = DEFAULT_TIERS
    monetary_on_total: bool = False

    @classmethod
    def default(cls):
        return cls(
            BandTable("Recency", DEFAULT_RECENCY_BANDS),
            BandTable("Frequency", DEFAULT_FREQUENCY_BANDS),
            BandTable("Monetary", DEFAULT_MONETARY_BANDS),
        )


@dataclass(frozen=True)
class Result:
    r: int
    f: int
    m: int
    score: int
    tier: str | None


def evaluate(scoring, recency_days, frequency, total, average):
    """Score one customer's window figures; ``None`` when nothing was bought."""
    if not frequency:
        return None
    r = scoring.recency.score(recency_days) or 0
    f = scoring.frequency.score(frequency) or 0
    m = scoring.monetary.score(total if scoring.monetary_on_total else average) or 0
    score = scoring.weights.total(r, f, m)
    return Result(r, f, m, score, tier_for(score, scoring.tiers))


def customer_status(
    *,
    blocked=False,
    invoices_in_window=0,
    invoices_before_window=0,
    orders_in_window=0,
    first_invoice_date=None,
    window_start=None,
    previous_evaluation=None,
):
    """Classify a customer (seed 003, L447-456 and L565).

    - blocked: set by a manager, wins over everything;
    - new: first purchase inside the window, not yet a buyer at the previous
      evaluation (a new customer keeps this status until evaluated again);
    - active: bought in the window;
    - no_sale: ordered in the window but nothing was invoiced;
    - dormant: bought before the window, nothing in it;
    - prospect: never bought.
    """
    if blocked:
        return STATUS_BLOCKED
    if invoices_in_window:
        if (
            first_invoice_date is not None
            and window_start is not None
            and first_invoice_date >= window_start
            and (
                previous_evaluation is None or first_invoice_date > previous_evaluation
            )
        ):
            return STATUS_NEW
        return STATUS_ACTIVE
    if orders_in_window:
        return STATUS_NO_SALE
    if invoices_before_window:
        return STATUS_DORMANT
    return STATUS_PROSPECT


def window_start(evaluation_date, days=365):
    """First day inside a window of ``days`` ending on ``evaluation_date``."""
    return date.fromordinal(evaluation_date.toordinal() - days + 1)
