"""Churn risk, its reasons and the backtest (seed 001, L93-101)."""

import itertools
from datetime import date, timedelta

import pytest
from crm_relation_logic import churn

AS_OF = date(2026, 1, 1)


def days_ago(n):
    return AS_OF - timedelta(days=n)


def facts(**values):
    return churn.Facts(**values)


def test_never_bought_has_no_risk():
    result = churn.assess(churn.Params(), churn.Facts(), AS_OF)
    assert (result.risk, result.at_risk, result.reasons) == (0, False, ())


def test_regular_customer_on_rhythm_has_no_risk():
    # Every 21 days for a year, last purchase 10 days ago, same orders and
    # amounts in both windows.
    result = churn.assess(
        churn.Params(),
        facts(purchases=18, first_date=days_ago(367), last_date=days_ago(10),
              orders_now=4, orders_before=4, amount_now=800, amount_before=800),
        AS_OF,
    )  # fmt: skip
    assert result.risk == 0
    assert result.reasons == ()
    assert result.usual_days == pytest.approx(21)


def test_silence_past_the_rhythm_gives_its_reason_with_figures():
    # Usual interval 21 days, silent 94: 73 days overdue of 90.
    params = churn.Params(weight_silence=100, weight_orders=0, weight_amount=0)
    result = churn.assess(
        params,
        facts(purchases=11, first_date=days_ago(304), last_date=days_ago(94)),
        AS_OF,
    )
    assert result.reasons == ({"code": "silence", "days": 94, "usual": 21},)
    assert result.risk == round(100 * 73 / 90)
    assert result.at_risk


def test_silence_sign_is_full_once_overdue_by_the_overdue_days():
    params = churn.Params(weight_silence=1, weight_orders=0, weight_amount=0,
                          overdue_days=30)  # fmt: skip
    base = {"purchases": 3, "first_date": days_ago(100)}
    at = churn.assess(params, facts(**base, last_date=days_ago(40 + 30)), AS_OF)
    # usual = (100 - 70) / 2 = 15 days; silent 70: 55 overdue, over 30.
    assert at.risk == 100
    within = churn.assess(params, facts(**base, last_date=days_ago(20)), AS_OF)
    # usual = 40 days, silent 20: on time.
    assert within.risk == 0 and within.reasons == ()


def test_orders_and_amount_down_between_windows():
    params = churn.Params()
    result = churn.assess(
        params,
        facts(purchases=30, first_date=days_ago(300), last_date=days_ago(2),
              orders_now=3, orders_before=8, amount_now=300.0, amount_before=1200.0),
        AS_OF,
    )  # fmt: skip
    assert result.reasons == (
        {"code": "orders", "before": 8, "now": 3},
        {"code": "amount", "before": 1200.0, "now": 300.0},
    )
    expected = (25 * 5 / 8 + 15 * 900 / 1200) / 100
    assert result.risk == round(100 * expected)


def test_credit_notes_can_make_the_amount_negative_the_drop_stays_full():
    result = churn.assess(
        churn.Params(weight_silence=0, weight_orders=0, weight_amount=1),
        facts(purchases=2, first_date=days_ago(100), last_date=days_ago(5),
              orders_now=0, orders_before=1, amount_now=-50, amount_before=100),
        AS_OF,
    )  # fmt: skip
    assert result.risk == 100


def test_single_purchase_uses_the_window_as_its_rhythm():
    params = churn.Params(window_days=90, overdue_days=90, weight_silence=1,
                          weight_orders=0, weight_amount=0)  # fmt: skip
    recent = churn.assess(
        params, facts(purchases=1, first_date=days_ago(60), last_date=days_ago(60)),
        AS_OF,
    )  # fmt: skip
    assert recent.risk == 0 and recent.usual_days is None
    old = churn.assess(
        params, facts(purchases=1, first_date=days_ago(135), last_date=days_ago(135)),
        AS_OF,
    )  # fmt: skip
    assert old.reasons == ({"code": "single", "days": 135},)
    assert old.risk == 50


@pytest.mark.parametrize(
    ("threshold", "at_risk"), [(49, True), (50, True), (51, False)]
)
def test_threshold_is_inclusive(threshold, at_risk):
    params = churn.Params(weight_silence=1, weight_orders=0, weight_amount=0,
                          threshold=threshold)  # fmt: skip
    result = churn.assess(
        params, facts(purchases=1, first_date=days_ago(135), last_date=days_ago(135)),
        AS_OF,
    )  # fmt: skip
    assert result.risk == 50
    assert result.at_risk is at_risk


@pytest.mark.parametrize(
    "values",
    [
        {"window_days": 0},
        {"overdue_days": 0},
        {"weight_silence": -1},
        {"weight_silence": 0, "weight_orders": 0, "weight_amount": 0},
        {"threshold": 0},
        {"threshold": 101},
    ],
)
def test_bad_parameters_are_refused(values):
    with pytest.raises(churn.ParamsError):
        churn.Params(**values)


def test_facts_from_purchases_match_the_windows():
    purchases = [(days_ago(200), 100.0), (days_ago(150), 50.0), (days_ago(120), 10.0),
                 (days_ago(89), 20.0), (days_ago(0), 5.0), (days_ago(0), 5.0),
                 (AS_OF + timedelta(days=3), 999.0)]  # fmt: skip
    result = churn.facts_from_purchases(purchases, AS_OF, 90)
    # Last window: 89 days ago .. today; the one before: 179 .. 90 days ago.
    assert result == churn.Facts(
        purchases=5, first_date=days_ago(200), last_date=AS_OF,
        orders_now=3, orders_before=2, amount_now=30.0, amount_before=60.0,
    )  # fmt: skip


def test_precision_and_recall_at_k():
    ranked = [5, 4, 3, 2, 1]
    assert churn.precision_at_k(ranked, {5, 3, 1}, 2) == 0.5
    assert churn.recall_at_k(ranked, {5, 3, 1}, 2) == pytest.approx(1 / 3)
    assert churn.precision_at_k(ranked, {5}, 0) == 0.0
    assert churn.recall_at_k(ranked, set(), 3) == 0.0


def test_rankings_break_ties_by_silence_then_id():
    a = churn.Assessment
    assessments = {
        1: a(80, True, (), 10, 30),
        2: a(80, True, (), 10, 50),
        3: a(90, True, (), 10, 5),
        4: a(0, False, (), None, 400),
    }
    assert churn.rank_by_risk(assessments) == [3, 2, 1, 4]
    assert churn.rank_by_recency({1: 30, 2: 50, 3: 5, 4: 50}) == [2, 4, 1, 3]


def test_backtest_shape_and_default_k():
    a = churn.Assessment
    assessments = {pid: a(pid, False, (), 10, 100 - pid) for pid in range(1, 21)}
    result = churn.backtest(assessments, {20, 19, 1, 99})
    assert result["customers"] == 20 and result["k"] == 2
    assert result["churners"] == 3  # 99 was not ranked
    assert result["risk_precision"] == 1.0 and result["risk_recall"] == pytest.approx(
        2 / 3
    )
    assert result["recency_precision"] == 0.5  # 1 is the longest silent


def test_generated_population_is_seeded_and_its_churners_are_read_from_purchases():
    one = churn.generate_population(300, seed=7, as_of=AS_OF)
    two = churn.generate_population(300, seed=7, as_of=AS_OF)
    assert [p.purchases for p in one] == [p.purchases for p in two]
    kinds = {p.kind for p in one}
    assert {"steady_fast", "steady_slow", "pausing", "fading", "abrupt"} <= kinds
    for person in one:
        churned = person.churned(AS_OF, 180)
        if person.kind in ("fading", "abrupt"):
            assert churned, person
        if person.kind in ("steady_fast", "pausing"):
            assert not churned, person


def test_fading_churners_slow_down_against_their_own_rhythm():
    people = churn.generate_population(400, seed=3, as_of=AS_OF)
    slowed = faders = 0
    for person in (p for p in people if p.kind == "fading"):
        days = [d for d, _a in person.purchases]
        gaps = [(b - a).days for a, b in itertools.pairwise(days)]
        if len(gaps) >= 4:
            faders += 1
            slowed += gaps[-1] > 1.5 * (sum(gaps[:-1]) / len(gaps[:-1]))
    assert faders > 50
    assert slowed / faders > 0.8


@pytest.mark.parametrize("seed", [1, 2, 14])
def test_risk_beats_recency_on_the_generated_population(seed):
    people = churn.generate_population(2000, seed=seed, as_of=AS_OF)
    result = churn.backtest_population(people, churn.Params(), AS_OF, 180)
    assert result["k"] == 200
    assert result["risk_precision"] > result["recency_precision"]
    assert result["risk_recall"] > result["recency_recall"]


def test_silent_through_both_windows_counts_the_drops_fully():
    params = churn.Params()  # windows of 90 days
    gone = churn.assess(
        params,
        facts(purchases=10, first_date=days_ago(400), last_date=days_ago(180)),
        AS_OF,
    )
    assert gone.risk == 100
    assert gone.reasons == ({"code": "silence", "days": 180, "usual": 24},)
    recent = churn.assess(
        params,
        facts(purchases=10, first_date=days_ago(399), last_date=days_ago(179)),
        AS_OF,
    )
    assert recent.risk == 60  # no order in either window: no drop measured


def test_reasons_are_stored_without_drifting_days():
    as_of = date(2026, 6, 30)
    reasons = (
        {"code": churn.REASON_SILENCE, "days": 94, "usual": 21},
        {"code": churn.REASON_ORDERS, "before": 5, "now": 0},
    )
    stored = churn.stored_reasons(reasons, as_of)
    assert stored == [
        {"code": churn.REASON_SILENCE, "since": "2026-03-28", "usual": 21},
        {"code": churn.REASON_ORDERS, "before": 5, "now": 0},
    ]
    assert reasons[0]["days"] == 94, "the assessment's reasons are left alone"
    assert churn.reason_days(stored[0], as_of) == 94
    assert churn.reason_days(stored[0], date(2026, 7, 2)) == 96
    # Reasons stored before 19.0.1.9.0 carry their days.
    assert churn.reason_days(reasons[0], date(2026, 7, 2)) == 94
