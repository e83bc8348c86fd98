"""The VIP rules alone (seed 003, L486-508)."""

from datetime import date

import pytest
from crm_relation_logic import vip

SEED = vip.Thresholds()


def test_seed_thresholds():
    assert (SEED.orders, SEED.items, SEED.amount) == (3, 10, 10000)
    assert SEED.errors() == []
    assert vip.Thresholds(orders=-1, amount=-5).errors() == ["orders", "amount"]


@pytest.mark.parametrize(
    ("orders", "items", "amount", "ok"),
    [
        (3, 10, 10000, True),  # exactly the seed's minimums: inclusive
        (2, 10, 10000, False),
        (3, 9, 10000, False),
        (3, 9.999, 10000, False),
        (3, 10, 9999.99, False),
        (3, 10, 9999.999, True),  # rounds to the cent
        (12, 40, 250000, True),
        (0, 0, 0, False),
    ],
)
def test_qualification_edges(orders, items, amount, ok):
    assert vip.qualifies(SEED, orders, items, amount) is ok


def test_shortfall_names_what_is_missing():
    assert vip.shortfall(SEED, 2, 12, 5000) == [
        ("orders", 2, 3),
        ("amount", 5000, 10000),
    ]
    assert vip.shortfall(SEED, None, None, None)[0] == ("orders", None, 3)


@pytest.mark.parametrize(
    ("state", "action", "target"),
    [
        ("candidate", "invite", "invited"),
        ("invited", "register", "active"),
        ("active", "renew", "active"),
        ("active", "lapse", "lapsed"),
        ("suspended", "lapse", "lapsed"),
        ("active", "suspend", "suspended"),
        ("candidate", "suspend", "suspended"),
        ("suspended", "resume", "active"),
        ("candidate", "refuse", "refused"),
        ("invited", "refuse", "refused"),
    ],
)
def test_allowed_transitions(state, action, target):
    assert vip.next_state(state, action) == target


@pytest.mark.parametrize(
    ("state", "action"),
    [
        ("candidate", "register"),
        ("invited", "invite"),
        ("active", "refuse"),
        ("lapsed", "renew"),
        ("refused", "invite"),
        ("lapsed", "resume"),
        ("active", "resume"),
    ],
)
def test_refused_transitions(state, action):
    with pytest.raises(vip.TransitionError, match=f"cannot {action}"):
        vip.next_state(state, action)


def test_every_target_is_a_state_and_open_states_exclude_the_ends():
    assert {t for _s, t in vip.TRANSITIONS.values()} <= set(vip.STATES)
    assert set(vip.OPEN_STATES) == set(vip.STATES) - {"lapsed", "refused"}


def test_validity_is_one_year():
    assert vip.validity_end(date(2026, 3, 15)) == date(2027, 3, 15)
    assert vip.validity_end(date(2028, 2, 29)) == date(2029, 2, 28)


def test_reminder_window_and_expiry():
    end = date(2027, 3, 15)
    assert not vip.reminder_due(end, date(2027, 2, 12), 30)
    assert vip.reminder_due(end, date(2027, 2, 13), 30)
    assert vip.reminder_due(end, date(2027, 3, 14), 30)
    assert not vip.reminder_due(end, end, 30)
    assert not vip.expired(end, date(2027, 3, 14))
    assert vip.expired(end, end)
