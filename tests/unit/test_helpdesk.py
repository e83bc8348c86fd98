"""Complaint routing, priorities, follow-up and summary periods alone
(seed 004, L385-391)."""

from datetime import date, datetime

import pytest
from crm_relation_logic import helpdesk as hd

HIGH_VALUE = ("P", "G")


@pytest.mark.parametrize(
    ("tier", "is_vip", "expected"),
    [
        ("P", False, hd.HIGH_VALUE),
        ("G", False, hd.HIGH_VALUE),
        ("S", False, hd.ORDINARY),
        ("B", False, hd.ORDINARY),
        (False, False, hd.ORDINARY),
        ("B", True, hd.VIP),  # an active VIP whatever the tier
        (False, True, hd.VIP),
    ],
)
def test_grade(tier, is_vip, expected):
    assert hd.grade(tier, HIGH_VALUE, is_vip) == expected


def test_high_value_tiers_are_configurable():
    assert hd.grade("S", ("S",), False) == hd.HIGH_VALUE
    assert hd.grade("P", (), False) == hd.ORDINARY


@pytest.mark.parametrize(
    ("is_complaint", "grade", "leadership"),
    [
        (True, hd.ORDINARY, False),
        (True, hd.HIGH_VALUE, True),
        (True, hd.VIP, True),
        (False, hd.HIGH_VALUE, False),
        (False, hd.VIP, False),
    ],
)
def test_leadership(is_complaint, grade, leadership):
    assert hd.goes_to_leadership(is_complaint, grade) is leadership


@pytest.mark.parametrize(
    ("priority", "is_complaint", "grade", "expected"),
    [
        # routed complaints: one step up, at least High, at most Very High
        ("0", True, hd.HIGH_VALUE, "2"),
        ("1", True, hd.HIGH_VALUE, "2"),
        ("2", True, hd.HIGH_VALUE, "3"),
        ("3", True, hd.HIGH_VALUE, "3"),
        ("1", True, hd.VIP, "2"),
        ("2", True, hd.VIP, "3"),
        # any VIP ticket: at least High
        ("0", False, hd.VIP, "2"),
        ("1", False, hd.VIP, "2"),
        ("3", False, hd.VIP, "3"),
        # the rest keep theirs
        ("0", True, hd.ORDINARY, "0"),
        ("1", False, hd.HIGH_VALUE, "1"),
        ("3", False, hd.ORDINARY, "3"),
        (None, False, hd.ORDINARY, "1"),
        (False, True, hd.HIGH_VALUE, "2"),
    ],
)
def test_routed_priority(priority, is_complaint, grade, expected):
    assert hd.routed_priority(priority, is_complaint, grade) == expected


def test_followup_date():
    assert hd.followup_date(date(2026, 5, 30), 3) == date(2026, 6, 2)
    assert hd.followup_date(datetime(2026, 12, 30, 23, 59), 3) == date(2027, 1, 2)
    assert hd.followup_date(date(2026, 5, 30), 0) == date(2026, 5, 30)
    with pytest.raises(ValueError):
        hd.followup_date(date(2026, 5, 30), -1)


def test_resolution_hours():
    opened = datetime(2026, 5, 1, 8, 0)
    assert hd.resolution_hours(opened, datetime(2026, 5, 2, 20, 30)) == 36.5
    assert hd.resolution_hours(opened, None) is None
    assert hd.resolution_hours(None, opened) is None
    assert hd.resolution_hours(opened, datetime(2026, 4, 30)) == 0.0


@pytest.mark.parametrize(
    ("day", "first", "following"),
    [
        (date(2026, 5, 17), date(2026, 5, 1), date(2026, 6, 1)),
        (date(2026, 12, 31), date(2026, 12, 1), date(2027, 1, 1)),
        (date(2026, 1, 1), date(2026, 1, 1), date(2026, 2, 1)),
    ],
)
def test_month_bounds(day, first, following):
    assert hd.month_bounds(day) == (first, following)


def test_previous_month():
    assert hd.previous_month(date(2026, 6, 1)) == date(2026, 5, 1)
    assert hd.previous_month(date(2026, 1, 15)) == date(2025, 12, 1)
    assert hd.previous_month(date(2026, 3, 31)) == date(2026, 2, 1)


def test_average():
    assert hd.average(13, 3) == 4.33
    assert hd.average(0, 0) == 0.0
