"""The pull side's cursor and arguments (``logic.sync_changes``)."""

import pytest
from crm_relation_logic import sync_changes as sc


def test_cursor_round_trip_and_company():
    assert sc.parse_cursor(None, 3) == (0, 0)
    assert sc.parse_cursor("", 3) == (0, 0)
    assert sc.cursor(3, 42) == "3:42"
    assert sc.parse_cursor(sc.cursor(3, 42), 3) == (42, 0)
    # Inside an evaluation: after one of its rows.
    assert sc.cursor(3, 42, 0) == "3:42"
    assert sc.parse_cursor(sc.cursor(3, 42, 1017), 3) == (42, 1017)
    for bad in ("42", "3:", "3:x", "a:1", 42, 3.5, ["3:1"], "3:-1", "3:4:",
                "3:4:x", "3:4:5:6"):  # fmt: skip
        with pytest.raises(sc.ArgumentError) as caught:
            sc.parse_cursor(bad, 3)
        assert (caught.value.name, caught.value.code) == ("since", sc.NOT_A_CURSOR)
    with pytest.raises(sc.ArgumentError) as caught:
        sc.parse_cursor("4:42", 3)
    assert (caught.value.code, caught.value.value) == (sc.OTHER_COMPANY, "4:42")


def test_kinds_limit_and_source():
    assert sc.parse_kinds(None) == ["tier", "status", "vip", "blocked"]
    assert sc.parse_kinds(["vip", "tier", "vip"]) == ["tier", "vip"]
    assert sc.parse_kinds("blocked") == ["blocked"]
    for bad in ([], ["colour"], [1], {"tier": 1}, 7):
        with pytest.raises(sc.ArgumentError, match="kinds"):
            sc.parse_kinds(bad)
    assert sc.parse_limit(None) == sc.DEFAULT_LIMIT
    assert sc.parse_limit(5000) == 5000
    for bad in (0, 5001, -1, True, "10", 1.5):
        with pytest.raises(sc.ArgumentError, match="limit"):
            sc.parse_limit(bad)
    assert sc.parse_source(None) is None
    assert sc.parse_source(" shop ") == "shop"
    for bad in ("", "  ", 5, "x" * 129):
        with pytest.raises(sc.ArgumentError, match="source"):
            sc.parse_source(bad)


def test_entries_grouped_by_customer_in_chain_order():
    entries = [
        (11, 7, "tier", "t1"),
        (12, 8, "vip", "t2"),
        (13, 7, "status", "t3"),
        (14, None, "vip", "t4"),  # a VIP record deleted since
        (15, 7, "tier", "t5"),
    ]
    kinds = ["tier", "status", "vip", "blocked"]
    assert sc.group_entries(entries, kinds) == [
        (8, ["vip"], 12, "t2"),
        (7, ["tier", "status"], 15, "t5"),
    ]
