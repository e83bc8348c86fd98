"""Return-visit rules (seed 000, L21-36).

Staff book visits Saturday to Friday, at least one customer a week; the
schedule goes to the sales manager for approval on Sundays; a report of the
past week goes up on Mondays; overdue visits count as missed. A visit plan
repeats every N days, weeks or months from its next date.
"""

import calendar
from datetime import date, timedelta

PLANNED = "planned"
DONE = "done"
MISSED = "missed"
CANCELLED = "cancelled"
STATES = (PLANNED, DONE, MISSED, CANCELLED)

DAY = "day"
WEEK = "week"
MONTH = "month"
UNITS = (DAY, WEEK, MONTH)

SATURDAY = 5
# Generating more than this many visits of one plan in one run means a
# cadence or a horizon nobody meant: stop there.
MAX_PER_RUN = 366

# Week states and who moves them: action -> (from states, to state)
WEEK_DRAFT = "draft"
WEEK_SUBMITTED = "submitted"
WEEK_APPROVED = "approved"
WEEK_RETURNED = "returned"
WEEK_TRANSITIONS = {
    "submit": ((WEEK_DRAFT, WEEK_RETURNED), WEEK_SUBMITTED),
    "approve": ((WEEK_SUBMITTED,), WEEK_APPROVED),
    "return": ((WEEK_SUBMITTED, WEEK_APPROVED), WEEK_RETURNED),
    "reopen": ((WEEK_SUBMITTED, WEEK_APPROVED), WEEK_DRAFT),
}


class WeekTransitionError(ValueError):
    def __init__(self, state, action):
        super().__init__(f"cannot {action} a visit week in state {state}")
        self.state = state
        self.action = action


def week_transition(state, action):
    """The state ``action`` leads to from ``state``, or WeekTransitionError."""
    sources, target = WEEK_TRANSITIONS[action]
    if state not in sources:
        raise WeekTransitionError(state, action)
    return target


def week_start(day: date) -> date:
    """The Saturday that opens the Saturday-to-Friday week of ``day``."""
    return day - timedelta(days=(day.weekday() - SATURDAY) % 7)


def week_end(day: date) -> date:
    """The Friday that closes the week of ``day``."""
    return week_start(day) + timedelta(days=6)


def previous_week(today: date) -> tuple[date, date]:
    """(Saturday, Friday) of the last full week before ``today``'s week."""
    start = week_start(today) - timedelta(days=7)
    return start, start + timedelta(days=6)


def coming_week(today: date) -> tuple[date, date]:
    """(Saturday, Friday) of the week a schedule is due for on ``today``.

    On Sunday (the seed's submission day) and the rest of the working week
    that is the next week; on Saturday, the week opening that day.
    """
    start = week_start(today)
    if today != start:
        start += timedelta(days=7)
    return start, start + timedelta(days=6)


def add_months(day: date, months: int, anchor_day: int | None = None) -> date:
    """``day`` plus ``months``, on ``anchor_day`` (default ``day.day``) or the
    month's last day when it is shorter (31 January + 1 month = 28/29 February,
    and + 2 months = 31 March again when anchored on the 31st)."""
    anchor_day = anchor_day or day.day
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(anchor_day, calendar.monthrange(year, month)[1]))


def step(day: date, interval: int, unit: str, anchor_day: int | None = None) -> date:
    """The date one cadence after ``day``."""
    if interval < 1:
        raise ValueError(f"cadence interval must be at least 1, not {interval}")
    if unit == DAY:
        return day + timedelta(days=interval)
    if unit == WEEK:
        return day + timedelta(weeks=interval)
    if unit == MONTH:
        return add_months(day, interval, anchor_day)
    raise ValueError(f"unknown cadence unit {unit!r}")


def dates_until(
    next_date: date, interval: int, unit: str, horizon: date, anchor_day=None
) -> tuple[list[date], date]:
    """Visit dates of a plan from ``next_date`` up to ``horizon`` inclusive,
    and the plan's next date after them.

    Running it again with the returned next date gives nothing new until the
    horizon moves: that is what keeps generation free of duplicates.
    """
    dates = []
    current = next_date
    while current <= horizon and len(dates) < MAX_PER_RUN:
        dates.append(current)
        current = step(current, interval, unit, anchor_day)
    return dates, current


def is_overdue(planned: date, today: date, grace_days: int = 0) -> bool:
    """A planned visit is missed once ``grace_days`` have passed after its
    date without it being done."""
    return planned + timedelta(days=grace_days) < today


def below_kpi(visit_count: int, minimum: int) -> bool:
    """A week with fewer visits booked or done than the minimum is flagged."""
    return visit_count < minimum


def on_time(planned: date, done: date | None) -> bool:
    return done is not None and done <= planned
