"""The demo data's sales history, planned in plain Python.

Each demo customer gets a profile naming the tier or status it is meant to
show; this module turns the profiles into a deterministic list of orders
(dates relative to the day the demo is loaded, amounts in CNY) that the
addon's demo loader books through Odoo's own sales and invoicing. The
plain-Python tests score the plan with :mod:`.rfm` to prove that every tier
and status has members, so the demo cannot drift away from its purpose.
"""

import random
from dataclasses import dataclass, field

# 18 months of history: orders up to this many days back.
HISTORY_DAYS = 540

PRODUCT_KEYS = (
    "tea_longjing",
    "tea_puer",
    "porcelain_vase",
    "porcelain_teaset",
    "silk_scarf",
    "silk_robe",
    "jade_bracelet",
    "calligraphy_brush",
    "gift_box",
    "care_service",
)


@dataclass(frozen=True)
class Profile:
    """How one kind of demo customer buys.

    ``window`` orders are invoiced within the last year, the newest ``last``
    days ago; ``history`` orders fall 12-18 months back; ``open_orders`` are
    confirmed but never invoiced, inside the last year. ``avg`` is the range
    of one order's untaxed amount in CNY.
    """

    name: str
    count: int
    window: tuple = (0, 0)
    last: tuple = (0, 0)
    avg: tuple = (0, 0)
    history: tuple = (0, 0)
    open_orders: tuple = (0, 0)
    refund_share: float = 0.0
    expected_tier: str | None = None
    expected_status: str = "active"


PROFILES = (
    # R5 F5 M5: 40 -> P; also VIP material (>= 3 orders, >= 10 items, >= 10k).
    Profile(
        "platinum",
        6,
        (6, 9),
        (2, 25),
        (2400, 3800),
        (2, 4),
        refund_share=0.7,
        expected_tier="P",
    ),
    # R4 F4 M4: 32 -> G.
    Profile(
        "gold",
        10,
        (4, 5),
        (35, 85),
        (1100, 1800),
        (1, 3),
        refund_share=0.5,
        expected_tier="G",
    ),
    # The seed's worked example: R4 F4 M2: 24 -> S.
    Profile(
        "silver",
        12,
        (4, 5),
        (40, 85),
        (320, 470),
        (1, 2),
        refund_share=0.2,
        expected_tier="S",
    ),
    # R1 F1-2 M1: 8-11 -> B.
    Profile("bronze", 10, (1, 2), (220, 330), (80, 280), (1, 2), expected_tier="B"),
    # First purchase within the last six weeks.
    Profile("new", 6, (1, 2), (3, 40), (200, 1500), expected_status="new"),
    # Confirmed orders this year, nothing invoiced.
    Profile(
        "no_sale",
        4,
        open_orders=(1, 2),
        avg=(300, 1200),
        history=(0, 2),
        expected_status="no_sale",
    ),
    # Bought 12-18 months ago, nothing since.
    Profile("dormant", 8, history=(1, 4), avg=(300, 2500), expected_status="dormant"),
    # Never bought.
    Profile("prospect", 8, expected_status="prospect"),
)


@dataclass(frozen=True)
class Line:
    product: str
    qty: int
    price_unit: float


@dataclass(frozen=True)
class Order:
    days_ago: int
    lines: tuple
    invoiced: bool = True
    refund_ratio: float = 0.0
    by_contact: bool = False

    @property
    def amount(self):
        return round(sum(line.qty * line.price_unit for line in self.lines), 2)

    @property
    def items(self):
        return sum(line.qty for line in self.lines)


@dataclass
class CustomerPlan:
    index: int
    profile: Profile
    orders: list = field(default_factory=list)

    @property
    def key(self):
        return f"{self.index:02d}"


def _order(rng, days_ago, avg, invoiced=True, has_contact=False):
    # Always draw, so that which customers have contacts changes no amount.
    by_contact = rng.random() < 0.35 and has_contact
    amount = rng.uniform(*avg)
    products = rng.sample(PRODUCT_KEYS, rng.randint(1, 3))
    weights = [rng.uniform(1, 3) for _ in products]
    lines = []
    for product, weight in zip(products, weights, strict=True):
        qty = rng.randint(1, 4)
        share = amount * weight / sum(weights)
        lines.append(Line(product, qty, round(share / qty, 2)))
    return Order(days_ago, tuple(lines), invoiced=invoiced, by_contact=by_contact)


def build_plan(seed=20261122, company_contacts=()):
    """Return the plan: one :class:`CustomerPlan` per demo customer, in order.

    ``company_contacts`` lists the customer indexes that are companies with a
    contact person; about a third of their orders are placed by the contact,
    to show that contacts roll up to their company.
    """
    rng = random.Random(seed)
    plans = []
    index = 0
    for profile in PROFILES:
        for _n in range(profile.count):
            index += 1
            plan = CustomerPlan(index, profile)
            has_contact = index in company_contacts
            n_window = rng.randint(*profile.window)
            if n_window:
                newest = rng.randint(*profile.last)
                # Orders of a new customer stay inside its first weeks.
                oldest = 45 if profile.name == "new" else 360
                days = [newest] + sorted(
                    rng.sample(range(newest + 1, oldest), n_window - 1)
                )
                for days_ago in days:
                    plan.orders.append(
                        _order(rng, days_ago, profile.avg, has_contact=has_contact)
                    )
            for _h in range(rng.randint(*profile.history)):
                plan.orders.append(
                    _order(
                        rng,
                        rng.randint(375, HISTORY_DAYS),
                        profile.avg,
                        has_contact=has_contact,
                    )
                )
            for _o in range(rng.randint(*profile.open_orders)):
                plan.orders.append(
                    _order(rng, rng.randint(10, 300), profile.avg, invoiced=False)
                )
            invoiced_in_window = [
                o for o in plan.orders if o.invoiced and o.days_ago < 365
            ]
            if invoiced_in_window and rng.random() < profile.refund_share:
                # A partial credit note on one invoice: a return of 10-20%.
                pos = plan.orders.index(rng.choice(invoiced_in_window))
                old = plan.orders[pos]
                plan.orders[pos] = Order(
                    old.days_ago,
                    old.lines,
                    old.invoiced,
                    refund_ratio=round(rng.uniform(0.1, 0.2), 2),
                    by_contact=old.by_contact,
                )
            plan.orders.sort(key=lambda o: -o.days_ago)
            plans.append(plan)
    return plans


def window_figures(plan, window_days=365):
    """The plan's RFM inputs as the scoring will see them from the books.

    Returns ``(recency_days, frequency, net_total, items, open_orders,
    invoices_before, first_invoice_days_ago)``.
    """
    inside = [o for o in plan.orders if o.invoiced and o.days_ago < window_days]
    before = [o for o in plan.orders if o.invoiced and o.days_ago >= window_days]
    open_orders = [
        o for o in plan.orders if not o.invoiced and o.days_ago < window_days
    ]
    invoiced = [o for o in plan.orders if o.invoiced]
    net = sum(o.amount - round(o.amount * o.refund_ratio, 2) for o in inside)
    return (
        min((o.days_ago for o in inside), default=None),
        len(inside),
        round(net, 2),
        sum(o.items for o in inside),
        len(open_orders),
        len(before),
        max((o.days_ago for o in invoiced), default=None),
    )
