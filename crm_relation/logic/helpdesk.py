"""Complaint routing, priorities, follow-up and summary periods (seed 004,
L385-391; seed 003, L198-200).

Operators handle ordinary customers' complaints; customer-service
leadership handles the complaints of high-value (potential) and VIP
customers. A closed complaint is followed by a return visit (回访).
"""

from datetime import date, datetime, timedelta

ORDINARY = "ordinary"
HIGH_VALUE = "high_value"
VIP = "vip"
GRADES = (ORDINARY, HIGH_VALUE, VIP)

# helpdesk_mgmt's priorities, lowest first.
PRIORITIES = ("0", "1", "2", "3")
HIGH = "2"
VERY_HIGH = "3"

SATISFACTION_SCORES = (1, 2, 3, 4, 5)


def grade(tier_code, high_value_codes, is_vip):
    """The customer's grade for routing: a VIP before a high-value tier."""
    if is_vip:
        return VIP
    if tier_code and tier_code in high_value_codes:
        return HIGH_VALUE
    return ORDINARY


def goes_to_leadership(is_complaint, customer_grade):
    """Complaints of high-value and VIP customers go to leadership; all
    other tickets stay with the team's operators."""
    return bool(is_complaint) and customer_grade in (HIGH_VALUE, VIP)


def _at_least(priority, floor):
    return max(priority, floor, key=PRIORITIES.index)


def routed_priority(priority, is_complaint, customer_grade):
    """The priority a new ticket gets.

    A complaint routed to leadership is raised one step, to at least High
    and at most Very High; any other ticket of a VIP is at least High;
    everything else keeps its priority.
    """
    priority = priority if priority in PRIORITIES else PRIORITIES[1]
    if goes_to_leadership(is_complaint, customer_grade):
        raised = PRIORITIES[min(PRIORITIES.index(priority) + 1, len(PRIORITIES) - 1)]
        return _at_least(raised, HIGH)
    if customer_grade == VIP:
        return _at_least(priority, HIGH)
    return priority


def followup_date(closed_on, delay_days):
    """The day of the return call ``delay_days`` after closing."""
    if delay_days < 0:
        raise ValueError("the follow-up delay cannot be negative")
    if isinstance(closed_on, datetime):
        closed_on = closed_on.date()
    return closed_on + timedelta(days=delay_days)


def resolution_hours(opened, closed):
    """Hours from opening to closing, or None while open (never negative)."""
    if not opened or not closed:
        return None
    return max((closed - opened).total_seconds() / 3600.0, 0.0)


def month_bounds(day):
    """First day of ``day``'s month and first day of the next month."""
    first = date(day.year, day.month, 1)
    following = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return first, following


def previous_month(today):
    """First day of the month before ``today``'s."""
    first_this = date(today.year, today.month, 1)
    return month_bounds(first_this - timedelta(days=1))[0]


def average(total, count):
    """``total / count`` rounded to two places, or 0.0 with nothing counted."""
    return round(total / count, 2) if count else 0.0
