"""The return-visit rules alone (seed 000, L21-36)."""

from datetime import date

import pytest
from crm_relation_logic import visit


@pytest.mark.parametrize(
    ("day", "start"),
    [
        (date(2026, 11, 21), date(2026, 11, 21)),  # a Saturday opens its week
        (date(2026, 11, 22), date(2026, 11, 21)),  # Sunday
        (date(2026, 11, 27), date(2026, 11, 21)),  # Friday closes it
        (date(2026, 11, 28), date(2026, 11, 28)),  # next Saturday
        (date(2027, 1, 1), date(2026, 12, 26)),  # across the year
    ],
)
def test_saturday_to_friday_weeks(day, start):
    assert visit.week_start(day) == start
    assert visit.week_start(day).weekday() == visit.SATURDAY
    assert visit.week_end(day) == date.fromordinal(start.toordinal() + 6)
    assert visit.week_end(day).weekday() == 4  # Friday


def test_sunday_schedules_the_next_week_and_monday_reports_the_last():
    sunday = date(2026, 11, 22)
    assert visit.coming_week(sunday) == (date(2026, 11, 28), date(2026, 12, 4))
    assert visit.coming_week(date(2026, 11, 28)) == (
        date(2026, 11, 28),
        date(2026, 12, 4),
    )
    monday = date(2026, 11, 23)
    assert visit.previous_week(monday) == (date(2026, 11, 14), date(2026, 11, 20))


@pytest.mark.parametrize(
    ("day", "months", "anchor", "expected"),
    [
        (date(2026, 1, 31), 1, None, date(2026, 2, 28)),
        (date(2028, 1, 31), 1, None, date(2028, 2, 29)),
        (date(2026, 2, 28), 1, 31, date(2026, 3, 31)),  # back on the anchor
        (date(2026, 11, 15), 3, None, date(2027, 2, 15)),
        (date(2026, 12, 31), 12, None, date(2027, 12, 31)),
    ],
)
def test_months_keep_their_day_or_the_month_end(day, months, anchor, expected):
    assert visit.add_months(day, months, anchor) == expected


def test_dates_until_the_horizon_and_the_next_date_after_them():
    dates, after = visit.dates_until(
        date(2026, 11, 2), 1, visit.WEEK, date(2026, 11, 23)
    )
    assert dates == [date(2026, 11, d) for d in (2, 9, 16, 23)]
    assert after == date(2026, 11, 30)
    # Again from where it stopped: nothing until the horizon moves.
    assert visit.dates_until(after, 1, visit.WEEK, date(2026, 11, 23)) == (
        [],
        after,
    )


def test_monthly_plan_on_the_31st():
    dates, after = visit.dates_until(
        date(2026, 1, 31), 1, visit.MONTH, date(2026, 5, 1), anchor_day=31
    )
    assert dates == [
        date(2026, 1, 31),
        date(2026, 2, 28),
        date(2026, 3, 31),
        date(2026, 4, 30),
    ]
    assert after == date(2026, 5, 31)


def test_runaway_cadence_stops():
    dates, after = visit.dates_until(date(2020, 1, 1), 1, visit.DAY, date(2030, 1, 1))
    assert len(dates) == visit.MAX_PER_RUN
    assert after == date(2021, 1, 1)  # 366 days generated, the next one after


@pytest.mark.parametrize(("interval", "unit"), [(0, visit.DAY), (1, "year")])
def test_bad_cadence(interval, unit):
    with pytest.raises(ValueError):
        visit.step(date(2026, 1, 1), interval, unit)


def test_overdue_after_grace():
    today = date(2026, 11, 23)
    assert visit.is_overdue(date(2026, 11, 22), today)
    assert not visit.is_overdue(date(2026, 11, 23), today)
    assert not visit.is_overdue(date(2026, 11, 21), today, grace_days=2)
    assert visit.is_overdue(date(2026, 11, 20), today, grace_days=2)


def test_kpi():
    assert visit.below_kpi(0, 1)
    assert not visit.below_kpi(1, 1)
    assert visit.below_kpi(2, 3)


def test_week_flow():
    t = visit.week_transition
    assert t(visit.WEEK_DRAFT, "submit") == visit.WEEK_SUBMITTED
    assert t(visit.WEEK_SUBMITTED, "approve") == visit.WEEK_APPROVED
    assert t(visit.WEEK_SUBMITTED, "return") == visit.WEEK_RETURNED
    assert t(visit.WEEK_RETURNED, "submit") == visit.WEEK_SUBMITTED
    assert t(visit.WEEK_APPROVED, "reopen") == visit.WEEK_DRAFT
    for state, action in [
        (visit.WEEK_DRAFT, "approve"),
        (visit.WEEK_APPROVED, "approve"),
        (visit.WEEK_APPROVED, "submit"),
        (visit.WEEK_DRAFT, "return"),
    ]:
        with pytest.raises(visit.WeekTransitionError):
            t(state, action)


def test_on_time():
    assert visit.on_time(date(2026, 1, 2), date(2026, 1, 2))
    assert not visit.on_time(date(2026, 1, 2), date(2026, 1, 3))
    assert not visit.on_time(date(2026, 1, 2), None)
