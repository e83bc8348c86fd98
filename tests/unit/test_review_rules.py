"""The two-stage review rules alone (seed 000)."""

import pytest
from crm_relation_logic import review as rv


def test_first_review_once():
    assert rv.first_review_refusal(False) is None
    assert rv.first_review_refusal(True) == rv.REFUSED_ALREADY_FIRST


@pytest.mark.parametrize(
    ("first", "second", "first_by", "by", "manager", "expected"),
    [
        (True, False, 1, 2, True, None),
        (True, False, 2, 2, True, rv.REFUSED_SAME_REVIEWER),
        (False, False, None, 2, True, rv.REFUSED_NO_FIRST),
        (True, True, 1, 2, True, rv.REFUSED_ALREADY_SECOND),
        (True, False, 1, 2, False, rv.REFUSED_NOT_MANAGER),
        (False, False, None, 2, False, rv.REFUSED_NOT_MANAGER),
    ],
)
def test_second_review(first, second, first_by, by, manager, expected):
    assert rv.second_review_refusal(first, second, first_by, by, manager) == expected


def test_changed_keys_in_key_order():
    before = {"name": "A", "vat": "X1", "city": "Wuhan"}
    after = {"name": "B", "vat": "X1", "city": "Hefei"}
    assert rv.changed_keys(["vat", "city", "name"], before, after) == ["city", "name"]
    assert rv.changed_keys(["vat"], before, after) == []
