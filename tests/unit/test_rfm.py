"""The RFM scoring module alone (seed 003, L442-483)."""

from datetime import date
from decimal import Decimal

import pytest
from crm_relation_logic import rfm


@pytest.fixture
def scoring():
    return rfm.Scoring.default()


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        (0, 5),
        (30, 5),
        (31, 4),
        (91, 4),
        (92, 3),
        (121, 3),
        (122, 2),
        (213, 2),
        (214, 1),
        (365, 1),
        (366, None),
    ],
)
def test_recency_band_edges(scoring, days, expected):
    assert scoring.recency.score(days) == expected


@pytest.mark.parametrize(
    ("count", "expected"),
    [(0, 0), (1, 1), (2, 2), (3, 3), (4, 4), (5, 4), (6, 5), (60, 5)],
)
def test_frequency_band_edges(scoring, count, expected):
    assert scoring.frequency.score(count) == expected


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        ("0", 1),
        ("299.99", 1),
        ("299.50", 1),
        ("300", 2),
        ("499.99", 2),
        ("500", 3),
        ("999.99", 3),
        ("1000", 4),
        ("1999.99", 4),
        ("2000", 5),
        ("1000000", 5),
    ],
)
def test_monetary_band_edges(scoring, amount, expected):
    assert scoring.monetary.score(Decimal(amount)) == expected


def test_seed_worked_example(scoring):
    # Last bought two months ago, five purchases of about 300 CNY.
    result = rfm.evaluate(
        scoring, recency_days=61, frequency=5, total=1525, average=305
    )
    assert (result.r, result.f, result.m) == (4, 4, 2)
    assert result.score == 24
    assert result.tier == "S"


def test_monetary_on_total_setting():
    base = rfm.Scoring.default()
    on_total = rfm.Scoring(
        base.recency, base.frequency, base.monetary, monetary_on_total=True
    )
    assert rfm.evaluate(base, 10, 5, 1525, 305).m == 2
    assert rfm.evaluate(on_total, 10, 5, 1525, 305).m == 4


def test_weights_change_the_score(scoring):
    weighted = rfm.Scoring(
        scoring.recency,
        scoring.frequency,
        scoring.monetary,
        weights=rfm.Weights(2, 2, 2),
    )
    result = rfm.evaluate(weighted, 61, 5, 1525, 305)
    assert result.score == 2 * 4 + 2 * 4 + 2 * 2


@pytest.mark.parametrize(
    ("score", "tier"),
    [
        (40, "P"),
        (36, "P"),
        (35, "G"),
        (26, "G"),
        (25, "S"),
        (17, "S"),
        (16, "B"),
        (8, "B"),
        (0, "B"),
        (41, None),
    ],
)
def test_tier_edges(score, tier):
    assert rfm.tier_for(score) == tier


def test_nothing_bought_scores_nothing(scoring):
    assert rfm.evaluate(scoring, None, 0, 0, 0) is None


@pytest.mark.parametrize(
    ("bands", "message"),
    [
        ([], "empty"),
        ([(0, 300, 1), (301, None, 2)], "gap between 300 and 301"),
        ([(0, 300, 1), (299, None, 2)], "overlap"),
        ([(0, 300, 1), (300, None, 9)], "score 9 is outside"),
        ([(0, None, 1), (300, None, 2)], "unbounded"),
        ([(0, 0, 1), (0, None, 2)], "is empty"),
        ([(-1, 5, 1), (5, None, 2)], "negative"),
    ],
)
def test_invalid_band_tables_are_refused(bands, message):
    with pytest.raises(rfm.BandError, match=message):
        rfm.BandTable("Monetary", bands)


def test_tier_ranges_validation():
    assert [t.code for t in rfm.validate_tiers(rfm.DEFAULT_TIERS)] == [
        "B",
        "S",
        "G",
        "P",
    ]
    with pytest.raises(rfm.BandError, match="overlap"):
        rfm.validate_tiers([rfm.Tier("A", 0, 20), rfm.Tier("B", 20, 40)])
    with pytest.raises(rfm.BandError, match="no tier covers scores 21-21"):
        rfm.validate_tiers([rfm.Tier("A", 0, 20), rfm.Tier("B", 22, 40)])
    with pytest.raises(rfm.BandError, match="above"):
        rfm.validate_tiers([rfm.Tier("A", 30, 20)])


WINDOW_START = date(2025, 11, 23)


@pytest.mark.parametrize(
    ("facts", "status"),
    [
        ({}, "prospect"),
        ({"blocked": True, "invoices_in_window": 5}, "blocked"),
        ({"invoices_in_window": 2, "first_invoice_date": date(2024, 1, 1)}, "active"),
        ({"invoices_in_window": 1, "first_invoice_date": date(2026, 10, 1)}, "new"),
        # Already a buyer at the previous evaluation: no longer new.
        (
            {
                "invoices_in_window": 1,
                "first_invoice_date": date(2026, 10, 1),
                "previous_evaluation": date(2026, 10, 31),
            },
            "active",
        ),
        (
            {
                "invoices_in_window": 1,
                "first_invoice_date": date(2026, 10, 1),
                "previous_evaluation": date(2026, 9, 30),
            },
            "new",
        ),
        ({"orders_in_window": 1}, "no_sale"),
        ({"orders_in_window": 1, "invoices_before_window": 3}, "no_sale"),
        ({"invoices_before_window": 3}, "dormant"),
    ],
)
def test_customer_status(facts, status):
    assert rfm.customer_status(window_start=WINDOW_START, **facts) == status


def test_window_start_covers_exactly_the_days():
    assert rfm.window_start(date(2026, 11, 22), 365) == date(2025, 11, 23)
    assert rfm.window_start(date(2026, 11, 22), 1) == date(2026, 11, 22)


def test_band_table_from_thresholds():
    table = rfm.BandTable.from_thresholds(
        "Monetary", [(2000, 5), (0, 1), (300, 2), (500, 3), (1000, 4)]
    )
    assert [table.score(v) for v in ("0", "299.50", "300", "1999.99", "2000")] == [
        1,
        1,
        2,
        4,
        5,
    ]
    with pytest.raises(rfm.BandError, match="must start at 0"):
        rfm.BandTable.from_thresholds("Monetary", [(10, 1), (300, 2)])
    with pytest.raises(rfm.BandError, match="two bands start at 300"):
        rfm.BandTable.from_thresholds("Monetary", [(0, 1), (300, 2), (300, 3)])
    with pytest.raises(rfm.BandError, match="empty"):
        rfm.BandTable.from_thresholds("Monetary", [])
