"""The audit hash-chain module alone."""

import pytest
from crm_relation_logic import audit_chain as ac


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


KEY = b"k" * 32
KEY_ID = ac.key_id(KEY)
KEYS = {KEY_ID: KEY}


def build(n, key=None):
    """``n`` chained rows ``(id, entry, prev, hash, key id)`` with ids 101,
    102... (sealed without a key unless ``key``)."""
    entries = [entry(i, new=f"v{i}") for i in range(1, n + 1)]
    links = ac.chain(entries, key=key)
    kid = ac.key_id(key) if key else None
    return [
        (100 + i, e, prev, h, kid)
        for i, (e, (prev, h)) in enumerate(zip(entries, links, strict=True), 1)
    ]


def summary(result, *extra):
    return (
        result.intact,
        result.entries,
        result.first_broken_id,
        result.reason,
        *(getattr(result, name) for name in extra),
    )


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
    result = ac.verify(rows)
    assert result.as_dict() | {"head_hash": None} == {
        "intact": True,
        "entries": 5,
        "first_broken_id": False,
        "reason": False,
        "unkeyed": 5,
        "head_sequence": 5,
        "head_hash": None,
        "anchored": False,
    }
    assert result.head_hash == rows[-1][3]
    assert ac.verify(rows, head=(5, rows[-1][3])).intact
    assert summary(ac.verify([])) == (True, 0, False, False)
    assert ac.verify([], head=(0, ac.GENESIS)).intact


def test_changed_content_is_found_at_that_entry():
    rows = build(5)
    rid, e, prev, h, kid = rows[2]
    rows[2] = (rid, dict(e, new_value="P"), prev, h, kid)
    assert summary(ac.verify(rows)) == (False, 5, 103, ac.BROKEN_CONTENT)


def test_recomputed_hash_is_found_at_the_next_entry():
    rows = build(5)
    rid, e, prev, _h, kid = rows[2]
    forged = dict(e, new_value="P")
    rows[2] = (rid, forged, prev, ac.link(prev, forged), kid)
    assert summary(ac.verify(rows)) == (False, 5, 104, ac.BROKEN_LINK)


def test_removed_entry_is_found_at_its_successor():
    rows = build(5)
    del rows[1]
    assert summary(ac.verify(rows)) == (False, 4, 103, ac.BROKEN_SEQUENCE)


def test_swapped_entries_are_found():
    rows = build(4)
    rows[1], rows[2] = rows[2], rows[1]
    assert ac.verify(rows).first_broken_id == 103


def test_renumbered_sequence_is_found():
    rows = build(3)
    rid, e, prev, h, kid = rows[1]
    rows[1] = (rid, dict(e, sequence=7), prev, h, kid)
    assert ac.verify(rows).first_broken_id == 102


def test_removed_tail_is_found_against_the_head():
    rows = build(5)
    head = (5, rows[-1][3])
    assert summary(ac.verify(rows[:3], head=head)) == (False, 3, 103, ac.BROKEN_TAIL)
    assert summary(ac.verify([], head=head)) == (False, 0, False, ac.BROKEN_TAIL)


# -- the key -------------------------------------------------------------------


def test_keyed_links_are_hmacs_the_key_decides():
    plain = ac.link(ac.GENESIS, entry(1))
    keyed = ac.link(ac.GENESIS, entry(1), KEY)
    assert keyed != plain
    assert ac.link(ac.GENESIS, entry(1), b"x" * 32) != keyed
    assert len(KEY_ID) == 16 and KEY.decode() not in KEY_ID


def test_a_keyed_chain_verifies_with_the_key_only():
    rows = build(4, key=KEY)
    assert summary(ac.verify(rows, keys=KEYS), "unkeyed") == (True, 4, False, False, 0)
    assert summary(ac.verify(rows)) == (False, 4, 101, ac.BROKEN_UNKNOWN_KEY)


def test_recomputed_without_the_key_is_found_where_it_was_changed():
    rows = build(4, key=KEY)
    # The whole chain recomputed from the forged entry on, as someone with
    # the database but not the key would: with plain SHA-256 or a guess.
    for guess in (None, b"guess" * 8):
        forged = list(rows)
        prev = forged[1][2]
        for index in range(1, 4):
            rid, e, _p, _h, kid = forged[index]
            e = dict(e, new_value="P") if index == 1 else e
            h = ac.link(prev, e, guess)
            forged[index] = (rid, e, prev, h, kid)
            prev = h
        result = ac.verify(forged, head=(4, prev), keys=KEYS)
        assert summary(result) == (False, 4, 102, ac.BROKEN_CONTENT)


def test_unkeyed_entries_before_keyed_ones_and_not_after():
    old = build(2)
    prev = old[-1][3]
    newer = []
    for seq in (3, 4):
        e = entry(seq, new=f"v{seq}")
        h = ac.link(prev, e, KEY)
        newer.append((100 + seq, e, prev, h, KEY_ID))
        prev = h
    result = ac.verify(old + newer, keys=KEYS)
    assert summary(result, "unkeyed") == (True, 4, False, False, 2)
    rid, e, p, _h, _kid = newer[1]
    downgraded = newer[:1] + [(rid, e, p, ac.link(p, e), None)]
    result = ac.verify(old + downgraded, keys=KEYS)
    assert summary(result) == (False, 4, 104, ac.BROKEN_UNKEYED)


# -- entries before sealing ----------------------------------------------------


def appended(**changes):
    values = {k: v for k, v in entry(1).items() if k != "sequence"}
    values.update(changes)
    return values


def test_an_appended_entry_fits_its_mac_until_changed():
    mac = ac.entry_mac(7, appended(), KEY)
    assert ac.mac_fits(7, appended(), mac, KEY_ID, KEYS)
    assert not ac.mac_fits(7, appended(new_value="P"), mac, KEY_ID, KEYS)
    assert not ac.mac_fits(8, appended(), mac, KEY_ID, KEYS), "bound to its row"
    assert not ac.mac_fits(7, appended(), mac, "unknown", KEYS)
    assert ac.mac_fits(7, appended(), None, None, KEYS), "appended without a key"
    assert not ac.mac_fits(7, appended(), "x", None, KEYS)


# -- anchors -------------------------------------------------------------------


def test_the_anchor_proves_the_chain_up_to_it():
    rows = build(5, key=KEY)
    anchor = (3, rows[2][3])
    assert summary(ac.verify(rows, keys=KEYS, anchor=anchor), "anchored") == (
        True, 5, False, False, True,
    )  # fmt: skip
    # Rewritten with the key itself, up to the head: only the anchor tells.
    forged = list(rows)
    prev = ac.GENESIS
    for index in range(5):
        rid, e, _p, _h, kid = forged[index]
        e = dict(e, new_value="P") if index == 0 else e
        h = ac.link(prev, e, KEY)
        forged[index] = (rid, e, prev, h, kid)
        prev = h
    assert ac.verify(forged, keys=KEYS).intact
    result = ac.verify(forged, keys=KEYS, anchor=anchor)
    assert summary(result) == (False, 5, 103, ac.BROKEN_ANCHOR)
    cut = ac.verify(rows[:2], keys=KEYS, anchor=anchor)
    assert summary(cut) == (False, 2, 102, ac.BROKEN_ANCHOR)


def test_anchor_lines_round_trip_and_bad_ones_are_refused():
    line = ac.anchor_line(3, 42, "a" * 64, "2026-12-03 10:00:00")
    assert ac.parse_anchor(line) == (3, 42, "a" * 64)
    assert ac.parse_anchor(f"  {line}\n") == (3, 42, "a" * 64)
    for bad in ("", "hello", line.replace("v1", "v2"), line.replace("a" * 64, "zz"),
                line.replace("sequence=42", "sequence=-1")):  # fmt: skip
        with pytest.raises(ac.AnchorError):
            ac.parse_anchor(bad)


# Evaluations: one entry carries the count and digest of its history rows.

DIGEST = "ab" * 32


def test_evaluation_value_reads_back():
    text = ac.evaluation_value(3, DIGEST)
    assert text == f"3 tier changes, sha256 {DIGEST}"
    assert ac.parse_evaluation_value(text) == (3, DIGEST)


@pytest.mark.parametrize(
    "text",
    [None, "", "Wuhan", f"x tier changes, sha256 {DIGEST}",
     f"3 tier changes, sha256 {DIGEST[:-1]}", f"3 tier changes, md5 {DIGEST}",
     f"3 tier changes, sha256 {'zz' * 32}"],
)  # fmt: skip
def test_other_values_are_no_evaluation(text):
    assert ac.parse_evaluation_value(text) is None


def test_evaluation_value_refuses_no_rows_or_no_digest():
    for count, digest in ((0, DIGEST), (2, "ab"), (2, "zz" * 32)):
        with pytest.raises(ValueError):
            ac.evaluation_value(count, digest)


def test_history_breaks_names_the_first_evaluation_that_differs():
    expected = {10: (2, DIGEST), 20: (1, "cd" * 32)}
    assert ac.history_breaks(expected, dict(expected)) is None
    # A row changed: the digest differs.
    assert ac.history_breaks(expected, {10: (2, "ef" * 32), 20: (1, "cd" * 32)}) == 10
    # Every row of an evaluation removed.
    assert ac.history_breaks(expected, {10: (2, DIGEST)}) == 20
    # Rows pointing to an entry that is no evaluation.
    assert ac.history_breaks(expected, {**expected, 15: (1, DIGEST)}) == 15
