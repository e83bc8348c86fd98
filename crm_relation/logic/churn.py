"""Churn risk from each customer's own purchase rhythm: pure Python.

Seed 001 (L93-101, L491-495): estimate, from the change in a customer's
recency and purchase frequency, how likely they are to leave. Three signs,
each from 0 to 1, are weighted into a risk from 0 to 100:

- **silence**: how far the days since the last purchase exceed the
  customer's usual interval between purchases (``span / (purchases - 1)``
  over their whole history, purchases counted as distinct purchase days):
  0 up to the usual interval, growing linearly to 1 when the customer is
  ``overdue_days`` overdue. A customer with a single purchase has no rhythm
  yet: the window (``window_days``) stands in for the usual interval, and
  the reason says it is a single purchase;
- **orders**: the drop in orders between the window before the last one
  and the last one (two windows of ``window_days`` ending on the
  evaluation day): ``(before - now) / before``, 0 when they did not drop;
- **amount**: the same drop of the amount (untaxed, net of credit notes).
  A customer silent through both windows dropped to nothing before them:
  both drops count fully (else the long gone would rank below those still
  slowing down).

``risk = round(100 * (ws * silence + wo * orders + wa * amount) /
(ws + wo + wa))``; the customer is at risk when ``risk >= threshold``. A
customer who never bought has risk 0 and no reasons.

Reasons are data (a code and its figures), rendered in the reader's
language by the addon. The backtest part ranks customers as of a past date
by risk and by recency alone, and measures precision and recall at k
against who really stopped buying; :func:`generate_population` makes a
seeded population whose churners are known.
"""

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

REASON_SILENCE = "silence"
REASON_SINGLE = "single"
REASON_ORDERS = "orders"
REASON_AMOUNT = "amount"
REASON_CODES = (REASON_SILENCE, REASON_SINGLE, REASON_ORDERS, REASON_AMOUNT)


class ParamsError(ValueError):
    """Parameters the method cannot use: the message says which."""


@dataclass(frozen=True)
class Params:
    """A company's churn parameters (the defaults are the company's)."""

    window_days: int = 90
    overdue_days: int = 90
    weight_silence: int = 60
    weight_orders: int = 25
    weight_amount: int = 15
    threshold: int = 60

    def __post_init__(self):
        if self.window_days < 1:
            raise ParamsError(f"window_days must be at least 1: {self.window_days}")
        if self.overdue_days < 1:
            raise ParamsError(f"overdue_days must be at least 1: {self.overdue_days}")
        weights = (self.weight_silence, self.weight_orders, self.weight_amount)
        if min(weights) < 0 or sum(weights) <= 0:
            raise ParamsError(f"weights must be >= 0, not all 0: {weights}")
        if not 1 <= self.threshold <= 100:
            raise ParamsError(f"threshold must be within 1..100: {self.threshold}")


@dataclass(frozen=True)
class Facts:
    """What the assessment needs of one customer, as of the evaluation day.

    ``purchases``: distinct purchase days up to that day; ``orders_now`` /
    ``amount_now``: the last window, ending on that day; ``orders_before`` /
    ``amount_before``: the window before it.
    """

    purchases: int = 0
    first_date: date | None = None
    last_date: date | None = None
    orders_now: int = 0
    orders_before: int = 0
    amount_now: float = 0.0
    amount_before: float = 0.0


@dataclass(frozen=True)
class Assessment:
    risk: int
    at_risk: bool
    reasons: tuple = ()
    usual_days: float | None = None
    silence_days: int | None = None

    @property
    def silence_ratio(self):
        """Silence in usual intervals (0 when unknown), for tie-breaking."""
        if not self.usual_days or self.silence_days is None:
            return 0.0
        return self.silence_days / self.usual_days


def windows(as_of, window_days):
    """``(now_start, before_start)``: first days of the last window (ending
    on ``as_of``) and of the window before it."""
    now_start = as_of - timedelta(days=window_days - 1)
    return now_start, now_start - timedelta(days=window_days)


def _clamp(value):
    return max(0.0, min(1.0, value))


def usual_interval(purchases, first_date, last_date):
    """Mean days between purchase days, or None with fewer than two."""
    if purchases < 2 or first_date is None or last_date is None:
        return None
    return max(1.0, (last_date - first_date).days / (purchases - 1))


def stored_reasons(reasons, as_of):
    """``reasons`` of an assessment as of ``as_of`` as they are stored: a
    silence counted in days (which grows every day) becomes the day it
    started (``since``, ISO), which does not; :func:`reason_days` gives the
    days back as of any later day."""
    stored = []
    for reason in reasons:
        reason = dict(reason)
        if "days" in reason:
            reason["since"] = (as_of - timedelta(days=reason.pop("days"))).isoformat()
        stored.append(reason)
    return stored


def reason_days(reason, as_of):
    """The days of silence of a stored reason as of ``as_of`` (reasons
    stored before 19.0.1.9.0 carry their days)."""
    if "days" in reason:
        return reason["days"]
    return max(0, (as_of - date.fromisoformat(reason["since"])).days)


def assess(params, facts, as_of):
    """The customer's :class:`Assessment` as of ``as_of``."""
    if not facts.purchases or facts.last_date is None:
        return Assessment(0, False)
    silence = max(0, (as_of - facts.last_date).days)
    usual = usual_interval(facts.purchases, facts.first_date, facts.last_date)
    reasons = []
    basis = usual if usual is not None else float(params.window_days)
    silence_sign = _clamp((silence - basis) / params.overdue_days)
    if silence_sign > 0:
        if usual is None:
            reasons.append({"code": REASON_SINGLE, "days": silence})
        else:
            reasons.append(
                {"code": REASON_SILENCE, "days": silence, "usual": round(usual)}
            )
    orders_sign = amount_sign = 0.0
    if silence >= 2 * params.window_days:
        # Silent through both windows: the drop came before them, and is
        # whole. The silence reason says it.
        orders_sign = amount_sign = 1.0
    elif facts.orders_before > facts.orders_now:
        orders_sign = (facts.orders_before - facts.orders_now) / facts.orders_before
        reasons.append(
            {
                "code": REASON_ORDERS,
                "before": int(facts.orders_before),
                "now": int(facts.orders_now),
            }
        )
    before, now = float(facts.amount_before), float(facts.amount_now)
    if silence < 2 * params.window_days and before > 0 and now < before:
        amount_sign = _clamp((before - max(now, 0.0)) / before)
        reasons.append(
            {"code": REASON_AMOUNT, "before": round(before, 2), "now": round(now, 2)}
        )
    weights = (params.weight_silence, params.weight_orders, params.weight_amount)
    score = (
        weights[0] * silence_sign + weights[1] * orders_sign + weights[2] * amount_sign
    ) / sum(weights)
    risk = max(0, min(100, round(100 * score)))
    return Assessment(
        risk=risk,
        at_risk=risk >= params.threshold,
        reasons=tuple(reasons),
        usual_days=usual,
        silence_days=silence,
    )


def facts_from_purchases(purchases, as_of, window_days):
    """:class:`Facts` of ``purchases`` (``(day, amount)`` pairs) as of
    ``as_of``: what the addon's SQL computes, for generated customers."""
    past = [(day, amount) for day, amount in purchases if day <= as_of]
    if not past:
        return Facts()
    now_start, before_start = windows(as_of, window_days)
    days = sorted({day for day, _amount in past})
    now = [a for d, a in past if d >= now_start]
    before = [a for d, a in past if before_start <= d < now_start]
    return Facts(
        purchases=len(days),
        first_date=days[0],
        last_date=days[-1],
        orders_now=len(now),
        orders_before=len(before),
        amount_now=sum(now),
        amount_before=sum(before),
    )


# --- Backtest ----------------------------------------------------------------


def rank_by_risk(assessments):
    """Customer ids, most at risk first: risk, then silence (days), then
    silence in usual intervals, then id (stable). ``assessments``: ``{id:
    Assessment}``."""
    return sorted(
        assessments,
        key=lambda pid: (
            -assessments[pid].risk,
            -(assessments[pid].silence_days or 0),
            -assessments[pid].silence_ratio,
            pid,
        ),
    )


def rank_by_recency(silences):
    """Customer ids, longest silence first (the baseline). ``silences``:
    ``{id: days since the last purchase}``."""
    return sorted(silences, key=lambda pid: (-silences[pid], pid))


def precision_at_k(ranked, positives, k):
    """Share of the first ``k`` of ``ranked`` that are ``positives``."""
    if k <= 0:
        return 0.0
    return len(set(ranked[:k]) & set(positives)) / k


def recall_at_k(ranked, positives, k):
    """Share of ``positives`` found in the first ``k`` of ``ranked``."""
    if not positives:
        return 0.0
    return len(set(ranked[:k]) & set(positives)) / len(positives)


def default_k(customers):
    """The default cut-off: a tenth of the customers, at least one."""
    return max(1, round(customers / 10))


def backtest(assessments, churners, k=None):
    """Compare the risk ranking with the recency-only ranking.

    ``assessments``: ``{id: Assessment}`` as of the past date, of the
    customers active then; ``churners``: the ids among them that made no
    purchase in the following horizon. Returns the figures as a dict.
    """
    customers = len(assessments)
    k = default_k(customers) if k is None else min(int(k), customers)
    churners = set(churners) & set(assessments)
    by_risk = rank_by_risk(assessments)
    by_recency = rank_by_recency(
        {pid: a.silence_days or 0 for pid, a in assessments.items()}
    )
    return {
        "customers": customers,
        "churners": len(churners),
        "k": k,
        "risk_precision": precision_at_k(by_risk, churners, k),
        "risk_recall": recall_at_k(by_risk, churners, k),
        "recency_precision": precision_at_k(by_recency, churners, k),
        "recency_recall": recall_at_k(by_recency, churners, k),
        "at_risk": sum(1 for a in assessments.values() if a.at_risk),
    }


# --- A generated population with known churners -------------------------------

# Kinds of customers, and their share of the population.
KINDS = (
    ("steady_fast", 0.30),  # buys every 1-5 weeks, keeps buying
    ("steady_slow", 0.25),  # buys every 2-4 months, keeps buying
    ("pausing", 0.10),  # a fast buyer pausing a few intervals, then back
    ("fading", 0.20),  # rhythm slows, orders and amounts shrink, then stops
    ("abrupt", 0.15),  # keeps its rhythm, then stops at once
)


@dataclass
class Customer:
    id: int
    kind: str
    purchases: list = field(default_factory=list)

    def churned(self, as_of, horizon_days):
        """Made no purchase in the ``horizon_days`` after ``as_of``."""
        end = as_of + timedelta(days=horizon_days)
        return not any(as_of < day <= end for day, _amount in self.purchases)

    def active(self, as_of, active_days):
        """Bought in the ``active_days`` up to ``as_of``."""
        start = as_of - timedelta(days=active_days)
        return any(start < day <= as_of for day, _amount in self.purchases)


def _buy(rng, start, end, interval, amount, purchases, growth=1.0, shrink=1.0):
    """Purchases from ``start`` to ``end`` every ``interval`` days or so
    (jittered), the interval multiplied by ``growth`` and the amount by
    ``shrink`` after each; returns the next day that would follow."""
    day = start
    while day <= end:
        purchases.append((day, round(amount * rng.uniform(0.7, 1.3), 2)))
        gap = max(1, round(interval * rng.uniform(0.6, 1.4)))
        day += timedelta(days=gap)
        interval *= growth
        amount *= shrink
    return day


def generate_population(n=2000, seed=14, as_of=date(2026, 1, 1), history_days=730,
                        horizon_days=180):  # fmt: skip
    """``n`` customers with purchase histories from ``history_days`` before
    ``as_of`` to ``horizon_days`` after it, drawn with a seeded RNG.

    Churners are not labelled by their kind alone: who churned is read from
    the purchases (none in the horizon). Fading churners slow down against
    their own rhythm before stopping; abrupt ones just stop; steady slow
    buyers are long silent without leaving, and pausing buyers are silent
    for a while then come back: recency alone cannot tell them apart.
    """
    rng = random.Random(seed)
    start = as_of - timedelta(days=history_days)
    end = as_of + timedelta(days=horizon_days)
    kinds = [kind for kind, _share in KINDS]
    shares = [share for _kind, share in KINDS]
    people = []
    for pid in range(1, n + 1):
        kind = rng.choices(kinds, shares)[0]
        purchases = []
        amount = rng.uniform(200, 3000)
        first = start + timedelta(days=rng.randint(0, 180))
        if kind == "steady_fast":
            _buy(rng, first, end, rng.uniform(7, 35), amount, purchases)
        elif kind == "steady_slow":
            _buy(rng, first, end, rng.uniform(60, 110), amount, purchases)
        elif kind == "pausing":
            # Silent for 1.5 to 4 of their intervals on the day, back soon after.
            interval = rng.uniform(7, 30)
            pause = as_of - timedelta(days=round(interval * rng.uniform(1.5, 4)))
            _buy(rng, first, pause, interval, amount, purchases)
            purchases.append((pause, round(amount, 2)))
            back = as_of + timedelta(days=rng.randint(1, round(2 * interval)))
            _buy(rng, back, end, interval, amount, purchases)
        elif kind == "fading":
            interval = rng.uniform(7, 45)
            fade = as_of - timedelta(days=rng.randint(90, 240))
            day = _buy(rng, first, fade, interval, amount, purchases)
            _buy(rng, day, as_of, interval * 1.5, amount * 0.8, purchases,
                 growth=1.5, shrink=0.8)  # fmt: skip
        else:  # abrupt
            stop = as_of - timedelta(days=rng.randint(0, 120))
            _buy(rng, first, stop, rng.uniform(10, 90), amount, purchases)
        people.append(Customer(pid, kind, sorted(purchases)))
    return people


def backtest_population(people, params, as_of, horizon_days, k=None,
                        active_days=365):  # fmt: skip
    """:func:`backtest` of generated ``people``: those who bought in the
    ``active_days`` before ``as_of`` are ranked; the churners are those of
    them with no purchase in the ``horizon_days`` after."""
    active = [p for p in people if p.active(as_of, active_days)]
    assessments = {
        p.id: assess(
            params, facts_from_purchases(p.purchases, as_of, params.window_days), as_of
        )
        for p in active
    }
    churners = {p.id for p in active if p.churned(as_of, horizon_days)}
    return backtest(assessments, churners, k)
