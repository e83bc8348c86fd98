"""The audit hash-chain module alone."""

import pytest
from crm_relation_domain import audit_chain as ac


def entry(seq, new="G", company=1, **extra):
    values = {
        "company_id": company,
        "sequence": seq,
        "model": "res.partner",
        "res_id": 7,
        "field_name": "relation_tier_id",
        "old_value": "S",
        "new_value": new,
        "user_id": 2,
        "cause": "manual",
        "logged_at": "2026-11-22 10:00:00",
    }
    values.update(extra)
    return values


def build(n):
    """``n`` chained rows ``(id, entry, prev, hash)`` with ids 101, 102..."""
    entries = [entry(i, new=f"v{i}") for i in range(1, n + 1)]
    links = ac.chain(entries)
    return [
        (100 + i, e, prev, h)
        for i, (e, (prev, h)) in enumerate(zip(entries, links, strict=True), 1)
    ]


def test_link_is_sha256_hex_and_depends_on_prev_and_content():
    h = ac.link(ac.GENESIS, entry(1))
    assert len(h) == 64 and int(h, 16) >= 0
    assert ac.link(ac.GENESIS, entry(1)) == h
    assert ac.link("1" * 64, entry(1)) != h
    assert ac.link(ac.GENESIS, entry(1, new="P")) != h


@pytest.mark.parametrize("key", ac.CONTENT)
def test_every_content_key_is_covered(key):
    base = entry(1)
    changed = dict(base)
    changed[key] = 999 if isinstance(base[key], int) else f"{base[key]}x"
    assert ac.link(ac.GENESIS, changed) != ac.link(ac.GENESIS, base)


def test_null_differs_from_empty_text_and_unicode_is_stable():
    assert ac.link(ac.GENESIS, entry(1, old_value=None)) != ac.link(
        ac.GENESIS, entry(1, old_value="")
    )
    assert ac.canonical(entry(1, new_value="金卡")).decode().count("金卡") == 1


def test_missing_or_odd_content_is_refused():
    broken = entry(1)
    del broken["cause"]
    with pytest.raises(KeyError, match="cause"):
        ac.canonical(broken)
    with pytest.raises(TypeError, match="logged_at"):
        ac.canonical(entry(1, logged_at=1.5))


def test_chain_links_each_entry_to_the_previous_hash():
    rows = build(3)
    assert rows[0][2] == ac.GENESIS
    assert rows[1][2] == rows[0][3]
    assert rows[2][2] == rows[1][3]


def test_chain_continues_from_a_given_head():
    first = build(2)
    more = list(ac.chain([entry(3, new="v3")], prev_hash=first[-1][3]))
    assert more[0][0] == first[-1][3]
    assert more[0][1] == build(3)[2][3]


def test_intact_chain_and_empty_chain():
    rows = build(5)
    assert ac.verify(rows).as_dict() == {
        "intact": True,
        "entries": 5,
        "first_broken_id": False,
    }
    assert ac.verify(rows, head=(5, rows[-1][3])).intact
    assert ac.verify([]) == ac.Verification(True, 0, False)
    assert ac.verify([], head=(0, ac.GENESIS)).intact


def test_changed_content_is_found_at_that_entry():
    rows = build(5)
    rid, e, prev, h = rows[2]
    rows[2] = (rid, dict(e, new_value="P"), prev, h)
    assert ac.verify(rows) == ac.Verification(False, 5, 103)


def test_recomputed_hash_is_found_at_the_next_entry():
    rows = build(5)
    rid, e, prev, _h = rows[2]
    forged = dict(e, new_value="P")
    rows[2] = (rid, forged, prev, ac.link(prev, forged))
    assert ac.verify(rows) == ac.Verification(False, 5, 104)


def test_removed_entry_is_found_at_its_successor():
    rows = build(5)
    del rows[1]
    assert ac.verify(rows) == ac.Verification(False, 4, 103)


def test_swapped_entries_are_found():
    rows = build(4)
    rows[1], rows[2] = rows[2], rows[1]
    assert ac.verify(rows).first_broken_id == 103


def test_renumbered_sequence_is_found():
    rows = build(3)
    rid, e, prev, h = rows[1]
    rows[1] = (rid, dict(e, sequence=7), prev, h)
    assert ac.verify(rows).first_broken_id == 102


def test_removed_tail_is_found_against_the_head():
    rows = build(5)
    head = (5, rows[-1][3])
    assert ac.verify(rows[:3], head=head) == ac.Verification(False, 3, 103)
    assert ac.verify([], head=head) == ac.Verification(False, 0, False)
