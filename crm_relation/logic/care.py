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

    - birthday, holiday, vip_expiry: ``days`` before the cause date (the
      holidays are the public holidays of OCA's calendar_public_holiday);
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
