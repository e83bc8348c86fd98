"""VIP qualification and lifecycle rules (seed 003, L486-508).

Within a year a VIP customer has ordered at least 3 times, at least 10
items, for at least ¥10,000. Yearly evaluation → phone the customer → mail
the application form and the gold card → receive the reply → register the
VIP, valid one year → at expiry evaluate again: renew, or the status lapses.
"""

from dataclasses import dataclass
from datetime import date, timedelta

CANDIDATE = "candidate"
INVITED = "invited"
ACTIVE = "active"
LAPSED = "lapsed"
REFUSED = "refused"
SUSPENDED = "suspended"
STATES = (CANDIDATE, INVITED, ACTIVE, LAPSED, REFUSED, SUSPENDED)
# A partner has at most one record in these states per company.
OPEN_STATES = (CANDIDATE, INVITED, ACTIVE, SUSPENDED)

# action: (states it may start from, state it leads to)
TRANSITIONS = {
    "invite": ((CANDIDATE,), INVITED),
    "register": ((INVITED,), ACTIVE),
    "renew": ((ACTIVE,), ACTIVE),
    "lapse": ((ACTIVE, SUSPENDED), LAPSED),
    "suspend": ((CANDIDATE, INVITED, ACTIVE), SUSPENDED),
    "resume": ((SUSPENDED,), ACTIVE),
    "refuse": ((CANDIDATE, INVITED), REFUSED),
}


class TransitionError(ValueError):
    def __init__(self, state, action):
        super().__init__(f"cannot {action} a VIP record in state {state}")
        self.state = state
        self.action = action


@dataclass(frozen=True)
class Thresholds:
    """Inclusive minimums over the evaluation window."""

    orders: int = 3
    items: float = 10.0
    amount: float = 10000.0

    def errors(self):
        """Names of the thresholds that are not valid (negative)."""
        return [
            name for name in ("orders", "items", "amount") if getattr(self, name) < 0
        ]


def shortfall(thresholds: Thresholds, orders, items, amount):
    """``[(name, have, need)]`` of each threshold the figures miss."""
    figures = {"orders": orders, "items": items, "amount": amount}
    # Amounts compare to the cent, whatever float sums left behind.
    compared = {
        "orders": (orders or 0, thresholds.orders),
        "items": (items or 0, thresholds.items),
        "amount": (round(amount or 0, 2), round(thresholds.amount, 2)),
    }
    return [
        (name, figures[name], getattr(thresholds, name))
        for name in ("orders", "items", "amount")
        if compared[name][0] < compared[name][1]
    ]


def qualifies(thresholds: Thresholds, orders, items, amount) -> bool:
    return not shortfall(thresholds, orders, items, amount)


def next_state(state: str, action: str) -> str:
    sources, target = TRANSITIONS[action]
    if state not in sources:
        raise TransitionError(state, action)
    return target


def validity_end(start: date) -> date:
    """The day a card activated on ``start`` expires: one year later (a card
    from 29 February expires on 28 February)."""
    try:
        return start.replace(year=start.year + 1)
    except ValueError:
        return start.replace(year=start.year + 1, day=28)


def reminder_due(date_end: date, today: date, days_before: int) -> bool:
    """Whether the card-expiry reminder is due today (before expiry only)."""
    return date_end - timedelta(days=days_before) <= today < date_end


def expired(date_end: date, today: date) -> bool:
    return today >= date_end
