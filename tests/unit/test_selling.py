"""The service-aware selling rules alone (seed 002)."""

import pytest
from crm_relation_logic import selling

CNY, USD = "CNY", "USD"


def choose(enabled=True, customer=("public", CNY), vip=False,
           vip_pricelist=("vip", CNY), tier=("gold", CNY)):  # fmt: skip
    return selling.grade_pricelist(
        enabled, CNY, customer[0], customer[1], vip,
        vip_pricelist[0], vip_pricelist[1], tier[0], tier[1],
    )  # fmt: skip


def test_setting_off_keeps_the_customer_pricelist():
    assert choose(enabled=False, vip=True) == ("public", selling.CUSTOMER)


def test_vip_before_tier_before_customer():
    assert choose(vip=True) == ("vip", selling.VIP)
    assert choose(vip=False) == ("gold", selling.TIER)
    assert choose(vip=True, vip_pricelist=(None, None)) == ("gold", selling.TIER)
    assert choose(tier=(None, None)) == ("public", selling.CUSTOMER)


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        # A customer buying in another currency keeps its pricelist.
        ({"customer": ("usd list", USD), "vip": True}, ("usd list", "customer")),
        # A grade pricelist in another currency is skipped.
        ({"vip": True, "vip_pricelist": ("vip usd", USD)}, ("gold", "tier")),
        ({"tier": ("gold usd", USD)}, ("public", "customer")),
        # No pricelist of its own: the grade's still applies.
        ({"customer": (None, None)}, ("gold", "tier")),
    ],
)
def test_currency_is_never_switched(kwargs, expected):
    assert choose(**kwargs) == expected


def test_complaint_lines_sorted_by_number():
    lines = selling.complaint_lines(
        [("HT0002", "Late delivery", "New"), ("HT0001", "Broken", "")]
    )
    assert lines == ["HT0001 - Broken", "HT0002 - Late delivery (New)"]
