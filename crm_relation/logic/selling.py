"""Service-aware selling rules (seed 002, L165; seed 003 grades).

Which pricelist a new order starts with when the company prices by grade:
the VIP pricelist before the tier's pricelist before the customer's own, and
never a switch of currency behind the salesperson's back.
"""

# What chose the pricelist, for callers that explain it.
VIP = "vip"
TIER = "tier"
CUSTOMER = "customer"


def grade_pricelist(
    enabled,
    company_currency,
    customer_pricelist,
    customer_currency,
    is_vip,
    vip_pricelist,
    vip_currency,
    tier_pricelist,
    tier_currency,
):
    """``(pricelist, reason)`` a new order of the customer starts with.

    Pricelists and currencies are opaque values (ids, records); ``None`` or
    ``False`` means none. With the setting off, or a customer whose own
    pricelist is in another currency than the company's, the customer's
    pricelist stays. A grade pricelist in another currency is skipped.
    """
    if not enabled or (customer_pricelist and customer_currency != company_currency):
        return customer_pricelist, CUSTOMER
    if is_vip and vip_pricelist and vip_currency == company_currency:
        return vip_pricelist, VIP
    if tier_pricelist and tier_currency == company_currency:
        return tier_pricelist, TIER
    return customer_pricelist, CUSTOMER


def complaint_lines(complaints):
    """One line a complaint, ``number - title (stage)``, from
    ``(number, title, stage)`` triples, sorted by number."""
    return [
        f"{number} - {title} ({stage})" if stage else f"{number} - {title}"
        for number, title, stage in sorted(complaints, key=lambda c: str(c[0]))
    ]
