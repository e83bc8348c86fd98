"""The care rules alone (seed 003, L540-549)."""

from datetime import date, timedelta

import pytest
from crm_relation_logic import care

D = date


def test_window_is_the_catch_up_days_up_to_today():
    assert care.window(D(2026, 6, 30)) == (D(2026, 6, 23), D(2026, 6, 30))
    assert care.window(D(2026, 6, 30), 0) == (D(2026, 6, 30), D(2026, 6, 30))


@pytest.mark.parametrize(
    ("kind", "days", "expected"),
    [
        ("after_purchase", 7, (D(2026, 6, 16), D(2026, 6, 23))),
        ("after_purchase", 28, (D(2026, 5, 26), D(2026, 6, 2))),
        ("birthday", 3, (D(2026, 6, 26), D(2026, 7, 3))),
        ("vip_expiry", 30, (D(2026, 7, 23), D(2026, 7, 30))),
        ("holiday", 0, (D(2026, 6, 23), D(2026, 6, 30))),
    ],
)
def test_cause_range(kind, days, expected):
    first, last = care.window(D(2026, 6, 30))
    assert care.cause_range(kind, first, last, days) == expected


def test_tag_care_has_no_cause_dates():
    with pytest.raises(ValueError):
        care.cause_range("partner_tag", D(2026, 1, 1), D(2026, 1, 2), 0)


def test_birthdays_due_on_one_day():
    today = D(2026, 6, 30)
    assert care.birthday_occurrences(today, today, 0) == {"06-30": today}
    # Three days ahead: the birthday on 3 July is greeted on 30 June.
    assert care.birthday_occurrences(today, today, 3) == {"07-03": D(2026, 7, 3)}


def test_birthday_on_29_february_in_a_common_year_is_on_28_february():
    day = D(2027, 2, 28)
    assert care.birthday_occurrences(day, day, 0) == {"02-28": day, "02-29": day}
    # Nothing on 1 March: the 29 February birthday already fired.
    march = D(2027, 3, 1)
    assert care.birthday_occurrences(march, march, 0) == {"03-01": march}


def test_birthday_on_29_february_in_a_leap_year():
    found = care.birthday_occurrences(D(2028, 2, 28), D(2028, 2, 29), 0)
    assert found == {"02-28": D(2028, 2, 28), "02-29": D(2028, 2, 29)}


def test_birthdays_across_the_new_year():
    found = care.birthday_occurrences(D(2026, 12, 30), D(2026, 12, 31), 2)
    assert found == {"01-01": D(2027, 1, 1), "01-02": D(2027, 1, 2)}


def test_a_missed_run_catches_up_each_birthday_once_and_not_stale_ones():
    """The job was down from 24 to 29 June: the run on 30 June covers the
    whole window; a birthday 8 days back is stale."""
    first, last = care.window(D(2026, 6, 30))
    found = care.birthday_occurrences(first, last, 0)
    assert sorted(found) == [f"06-{d}" for d in range(23, 31)]
    assert "06-22" not in found
    assert len(set(found.values())) == 8


def test_tag_period():
    assert care.tag_period(D(2026, 6, 30), 0) is None
    period = care.tag_period(D(2026, 6, 30), 30)
    assert period <= D(2026, 6, 30) < period + timedelta(days=30)
    assert (period - care.TAG_EPOCH).days % 30 == 0
    # The same period all along, then the next one.
    assert care.tag_period(period + timedelta(days=29), 30) == period
    assert care.tag_period(period + timedelta(days=30), 30) == period + timedelta(
        days=30
    )


@pytest.mark.parametrize(
    ("kind", "cause", "expected"),
    [
        ("birthday", D(2026, 7, 3), D(2026, 7, 3)),
        ("holiday", D(2027, 2, 6), D(2027, 2, 6)),
        ("vip_expiry", D(2026, 7, 30), D(2026, 7, 30)),
        ("after_purchase", D(2026, 6, 23), D(2026, 6, 30)),
        ("partner_tag", None, D(2026, 6, 29)),
    ],
)
def test_deadline(kind, cause, expected):
    assert care.deadline(kind, cause, 7, D(2026, 6, 29)) == expected


def test_cause_keys():
    assert care.cause_key("birthday", D(2026, 7, 1)) == "birthday:2026-07-01"
    assert care.cause_key("after_purchase", D(2026, 6, 23)) == "purchase:2026-06-23"
    assert care.cause_key("vip_expiry", D(2026, 7, 31), 12) == "vip:12:2026-07-31"
    assert care.cause_key("holiday", D(2027, 2, 6)) == "holiday:2027-02-06"
    assert care.cause_key("partner_tag") == "tag:once"
    assert care.cause_key("partner_tag", D(2026, 6, 1)) == "tag:2026-06-01"
    # Next year's birthday is another cause.
    assert care.cause_key("birthday", D(2027, 7, 1)) != care.cause_key(
        "birthday", D(2026, 7, 1)
    )


def test_check_days():
    assert care.check_days("birthday", 0)
    assert care.check_days("after_purchase", 366)
    assert not care.check_days("after_purchase", -1)
    assert not care.check_days("holiday", 367)
    with pytest.raises(ValueError):
        care.check_days("anniversary", 1)
