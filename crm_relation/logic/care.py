"""Customer-care rules (seed 003, L540-549): "the core of CRM is care".

Birthday care, care 7 and 28 days after a purchase, a membership-card
expiry reminder, holiday greetings, and care by customer category. Each
rule names a *kind*; a daily run finds the causes due for each rule and
fires each cause once: a cause is identified by its *cause key*, unique
per rule and partner.

Dates
    Every cause has a *cause date* (the birthday this year, the purchase,
    the card's expiry, the holiday) and a *fire date*: the day the care
    activity is due to be created.

    - birthday, holiday, vip_expiry: ``days`` before the cause date;
    - after_purchase: ``days`` after the purchase;
    - partner_tag: every ``days`` days for the customers carrying the tag
      (``0``: once per customer, when the customer first carries it).

Catch-up
    A run fires every cause whose fire date lies in the *catch-up window*
    ``[today - CATCH_UP_DAYS, today]``: when the daily job was down for a
    few days, the next run still fires what was missed, each cause once
    (the cause keys already fired are skipped); causes older than the
    window are stale and never fire.
"""

from calendar import isleap
from dataclasses import dataclass
from datetime import date, timedelta

BIRTHDAY = "birthday"
AFTER_PURCHASE = "after_purchase"
VIP_EXPIRY = "vip_expiry"
HOLIDAY = "holiday"
PARTNER_TAG = "partner_tag"
KINDS = (BIRTHDAY, AFTER_PURCHASE, VIP_EXPIRY, HOLIDAY, PARTNER_TAG)

# Days a missed fire date may lie in the past and still fire.
CATCH_UP_DAYS = 7
# Longest lead, delay or repeat interval a rule may have, in days.
MAX_DAYS = 366
# Repeating tag care counts its periods from this day.
TAG_EPOCH = date(2000, 1, 1)


class HolidayError(ValueError):
    """A holiday date list entry that is not a date."""

    def __init__(self, entry):
        super().__init__(f"not a holiday date: {entry!r}")
        self.entry = entry


@dataclass(frozen=True)
class Holiday:
    """One holiday: on one date (``year`` set), or on ``month``/``day``
    every year (``year`` is ``None``)."""

    month: int
    day: int
    year: int | None = None

    def on(self, year):
        """This holiday's date in ``year``, or ``None``."""
        if self.year is not None:
            return date(self.year, self.month, self.day) if self.year == year else None
        return anniversary(self.month, self.day, year)


def anniversary(month, day, year):
    """``month``/``day`` in ``year``; 29 February is 28 February in a
    year that is not a leap year."""
    if (month, day) == (2, 29) and not isleap(year):
        return date(year, 2, 28)
    return date(year, month, day)


def window(today, catch_up=CATCH_UP_DAYS):
    """``(first, last)`` fire dates a run on ``today`` considers."""
    return today - timedelta(days=catch_up), today


def days_between(first, last):
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


def check_days(kind, days):
    """Whether ``days`` is a valid lead, delay or interval for ``kind``."""
    if kind not in KINDS:
        raise ValueError(f"unknown care kind {kind!r}")
    return 0 <= days <= MAX_DAYS


def cause_range(kind, first, last, days):
    """``(from, to)`` of the cause dates whose fire dates lie in
    ``[first, last]`` (birthday, holiday, vip_expiry, after_purchase)."""
    if kind == AFTER_PURCHASE:
        return first - timedelta(days=days), last - timedelta(days=days)
    if kind in (BIRTHDAY, HOLIDAY, VIP_EXPIRY):
        return first + timedelta(days=days), last + timedelta(days=days)
    raise ValueError(f"care kind {kind!r} has no cause dates")


def birthday_occurrences(first, last, days):
    """``{"MM-DD": cause date}`` of the birth month/days whose birthday
    fires in ``[first, last]``. In a year that is not a leap year, the
    birthday of someone born on 29 February is on 28 February."""
    start, end = cause_range(BIRTHDAY, first, last, days)
    found = {}
    for day in days_between(start, end):
        found[day.strftime("%m-%d")] = day
        if (day.month, day.day) == (2, 28) and not isleap(day.year):
            found["02-29"] = day
    return found


def holiday_occurrences(holidays, first, last, days):
    """Sorted dates of ``holidays`` that fire in ``[first, last]``."""
    start, end = cause_range(HOLIDAY, first, last, days)
    found = set()
    for year in range(start.year, end.year + 1):
        for holiday in holidays:
            when = holiday.on(year)
            if when and start <= when <= end:
                found.add(when)
    return sorted(found)


def next_holiday(holidays, today):
    """The first date of ``holidays`` on or after ``today``, or ``None``."""
    dates = [
        when
        for year in (today.year, today.year + 1)
        for holiday in holidays
        for when in [holiday.on(year)]
        if when and when >= today
    ]
    return min(dates, default=None)


def parse_holidays(text):
    """Holidays from a list separated by commas, semicolons or new lines:
    ``YYYY-MM-DD`` for one date (named holidays of the lunar calendar move
    every year: list each year's date), ``MM-DD`` for every year. Raises
    :class:`HolidayError` on the first entry that is not a date."""
    holidays = []
    for raw in (text or "").replace(";", ",").replace("\n", ",").split(","):
        entry = raw.strip()
        if not entry:
            continue
        parts = entry.split("-")
        try:
            numbers = [int(part) for part in parts]
            if len(parts) == 3 and len(parts[0]) == 4:
                year, month, day = numbers
                date(year, month, day)
                holidays.append(Holiday(month, day, year))
            elif len(parts) == 2:
                month, day = numbers
                date(2000, month, day)  # a leap year: 02-29 is valid
                holidays.append(Holiday(month, day))
            else:
                raise HolidayError(entry)
        except ValueError as error:
            raise HolidayError(entry) from error
    return holidays


def tag_period(today, days):
    """The first day of the period of tag care ``today`` lies in:
    ``None`` for once-only care (``days == 0``)."""
    if not days:
        return None
    return TAG_EPOCH + timedelta(days=(today - TAG_EPOCH).days // days * days)


def deadline(kind, cause_date, days, today):
    """The day the care activity is due: the birthday, holiday or expiry
    itself; the fire date after a purchase; today for tag care."""
    if kind == AFTER_PURCHASE:
        return cause_date + timedelta(days=days)
    if kind == PARTNER_TAG:
        return today
    return cause_date


def cause_key(kind, cause_date=None, ref=None):
    """The text that, with the rule and the partner, makes a firing unique.

    - birthday ``birthday:2026-07-01`` (one a year);
    - after_purchase ``purchase:2026-06-23`` (one a customer and day,
      however many invoices or deliveries that day);
    - vip_expiry ``vip:<membership id>:2026-07-31`` (a renewed card
      expires again a year later: a new cause);
    - holiday ``holiday:2027-02-06``;
    - partner_tag ``tag:once`` or ``tag:<first day of the period>``.
    """
    label = cause_date.isoformat() if cause_date else "once"
    prefix = {
        BIRTHDAY: "birthday",
        AFTER_PURCHASE: "purchase",
        VIP_EXPIRY: "vip",
        HOLIDAY: "holiday",
        PARTNER_TAG: "tag",
    }[kind]
    if ref is not None:
        return f"{prefix}:{ref}:{label}"
    return f"{prefix}:{label}"
