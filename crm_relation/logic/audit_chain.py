"""An authenticated hash chain for an append-only audit log.

Entries are appended without any shared lock, each with a MAC of its own
content (``entry_mac``), and *sealed* later, in order, by one short step:
sealing gives each entry its position in the chain and a hash over its
content and the previous entry's hash (``link``). Changing, removing or
re-ordering a sealed entry breaks every link after it; a verifier walking
the chain from the start finds the first entry that no longer fits.

With a key (held by the server's configuration, not the database), hashes
and MACs are HMAC-SHA256: someone who can rewrite the database but does not
hold the key cannot recompute them. Without a key they are plain SHA-256,
which finds accidents and naive edits only. An anchor, a (position, hash)
kept outside the database, proves the chain up to it even against someone
who holds the key.

Nothing here knows about Odoo: entries are plain mappings.
"""

import hashlib
import hmac
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

# The hash a chain starts from.
GENESIS = "0" * 64

# The content an entry's chain hash covers, in this order.
CONTENT = (
    "company_id",
    "sequence",
    "model",
    "res_id",
    "field_name",
    "old_value",
    "new_value",
    "user_id",
    "cause",
    "logged_at",
)
# What an entry's own MAC covers: everything known when it is appended (the
# position comes with the seal), and its id, so that it fits one row only.
APPENDED = ("id", *(key for key in CONTENT if key != "sequence"))

# Why a verification failed.
BROKEN_CONTENT = "content"  # an entry no longer gives its stored hash or MAC
BROKEN_LINK = "link"  # an entry does not follow the previous one
BROKEN_SEQUENCE = "sequence"  # a position is missing or repeated
BROKEN_UNKNOWN_KEY = "unknown_key"  # sealed with a key the verifier lacks
BROKEN_UNKEYED = "unkeyed"  # sealed without a key after keyed entries
BROKEN_TAIL = "tail"  # the chain ends before its recorded head
BROKEN_ANCHOR = "anchor"  # the chain does not hold the anchor given
# An evaluation's entry no longer matches the tier history rows it seals.
BROKEN_HISTORY = "history"
# Tier history rows after the first sealed evaluation that none seals.
BROKEN_HISTORY_ADDED = "history_added"

# Content values are text, integers or None: nothing whose text form could
# differ between the writer and the verifier (floats, dates).
_PLAIN = (str, int)


def _canonical(entry: Mapping, keys) -> bytes:
    try:
        values = [entry[key] for key in keys]
    except KeyError:
        missing = [key for key in keys if key not in entry]
        raise KeyError(f"audit entry lacks {', '.join(missing)}") from None
    for key, value in zip(keys, values, strict=True):
        if value is not None and value.__class__ not in _PLAIN:
            raise TypeError(f"audit entry {key} must be text or integer: {value!r}")
    return json.dumps(values, ensure_ascii=False, separators=(",", ":")).encode()


def canonical(entry: Mapping) -> bytes:
    """The bytes an entry's chain hash covers: its content as one JSON array.

    A missing key is an error, not a silent ``null``: a chain written with
    one layout and checked with another must fail loudly.
    """
    return _canonical(entry, CONTENT)


def key_id(key: bytes) -> str:
    """A name for ``key`` that reveals nothing of it, stored with entries."""
    return hashlib.sha256(b"crm_relation audit key\n" + key).hexdigest()[:16]


def _digest(key: bytes | None, parts: Iterable[bytes]) -> str:
    digest = hmac.new(key, digestmod=hashlib.sha256) if key else hashlib.sha256()
    for part in parts:
        digest.update(part)
    return digest.hexdigest()


def link(prev_hash: str, entry: Mapping, key: bytes | None = None) -> str:
    """The hash of ``entry`` chained after ``prev_hash`` (HMAC with ``key``)."""
    return _digest(key, (prev_hash.encode("ascii"), b"\n", canonical(entry)))


def entry_mac(entry_id: int, entry: Mapping, key: bytes | None = None) -> str:
    """The MAC an entry gets when appended, before it is sealed."""
    return _digest(key, (_canonical({"id": entry_id, **entry}, APPENDED),))


def chain(
    entries: Iterable[Mapping], prev_hash: str = GENESIS, key: bytes | None = None
) -> Iterator[tuple[str, str]]:
    """``(prev_hash, hash)`` of each entry appended in order after ``prev_hash``."""
    for entry in entries:
        entry_hash = link(prev_hash, entry, key)
        yield prev_hash, entry_hash
        prev_hash = entry_hash


def mac_fits(entry_id, entry, stored_mac, stored_key_id, keys) -> bool:
    """Whether an unsealed entry still gives the MAC it was appended with.

    An entry appended without a key carries no MAC and fits; one whose key
    the verifier lacks does not.
    """
    if stored_key_id is None:
        return stored_mac is None
    key = keys.get(stored_key_id)
    return key is not None and hmac.compare_digest(
        entry_mac(entry_id, entry, key), stored_mac or ""
    )


@dataclass(frozen=True)
class Verification:
    intact: bool
    entries: int
    first_broken_id: int | bool
    reason: str | bool = False
    unkeyed: int = 0
    head_sequence: int = 0
    head_hash: str = GENESIS
    anchored: bool = False

    def as_dict(self) -> dict:
        return {
            "intact": self.intact,
            "entries": self.entries,
            "first_broken_id": self.first_broken_id,
            "reason": self.reason,
            "unkeyed": self.unkeyed,
            "head_sequence": self.head_sequence,
            "head_hash": self.head_hash,
            "anchored": self.anchored,
        }


def verify(
    rows: Iterable[tuple],
    head: tuple[int, str] | None = None,
    keys: Mapping[str, bytes] | None = None,
    anchor: tuple[int, str] | None = None,
) -> Verification:
    """Walk one chain of sealed entries and report the first that does not fit.

    ``rows`` are ``(id, entry, stored prev_hash, stored hash, key id)`` in
    sequence order (``key id`` None for an entry sealed without a key).
    ``keys`` maps key ids to the keys the verifier holds. An entry is broken
    when its position is not the next one, when its stored link to the
    previous entry is not that entry's hash, when its content no longer
    gives its stored hash, when it was sealed with a key the verifier does
    not hold, or without a key after an entry sealed with one (entries
    sealed before a key was set stay verifiable, as plain SHA-256, and are
    counted as ``unkeyed``). After a break the walk goes on from the stored
    hash, to count every entry.

    ``head`` is the ``(sequence, hash)`` the log recorded for its last
    entry: when the chain ends elsewhere, entries were removed from its end,
    and the last remaining entry is reported (``False`` when none remains).

    ``anchor`` is a ``(sequence, hash)`` kept outside the database: the
    entry at that position must have that hash.
    """
    keys = keys or {}
    prev_hash, expected, count, unkeyed = GENESIS, 1, 0, 0
    broken = reason = last_id = None
    keyed_seen = anchored = False
    for entry_id, entry, stored_prev, stored_hash, stored_key_id in rows:
        count += 1
        if stored_key_id is None:
            unkeyed += 1
        problem = None
        if entry["sequence"] != expected:
            problem = BROKEN_SEQUENCE
        elif stored_prev != prev_hash:
            problem = BROKEN_LINK
        elif stored_key_id is None and keyed_seen:
            problem = BROKEN_UNKEYED
        elif stored_key_id is not None and stored_key_id not in keys:
            problem = BROKEN_UNKNOWN_KEY
        elif not hmac.compare_digest(
            link(prev_hash, entry, keys.get(stored_key_id)), stored_hash or ""
        ):
            problem = BROKEN_CONTENT
        if problem and broken is None:
            broken, reason = entry_id, problem
        if anchor and entry["sequence"] == anchor[0]:
            anchored = broken is None and hmac.compare_digest(
                stored_hash or "", anchor[1]
            )
            if not anchored and broken is None:
                broken, reason = entry_id, BROKEN_ANCHOR
        keyed_seen = keyed_seen or stored_key_id is not None
        prev_hash, expected, last_id = stored_hash, entry["sequence"] + 1, entry_id
    last = (expected - 1, prev_hash)
    result = {"unkeyed": unkeyed, "head_sequence": last[0], "head_hash": last[1]}
    if broken is not None:
        return Verification(False, count, broken, reason, **result)
    if head is not None and tuple(head) != last:
        return Verification(False, count, last_id or False, BROKEN_TAIL, **result)
    if anchor and not anchored:
        # The chain ends before the anchor: entries were cut off.
        return Verification(False, count, last_id or False, BROKEN_ANCHOR, **result)
    return Verification(True, count, False, False, anchored=bool(anchor), **result)


# Anchors: the head of a chain as one line of text, kept outside the database.

ANCHOR_PREFIX = "crm_relation-audit-anchor"


def anchor_line(company_id: int, sequence: int, entry_hash: str, stamp: str) -> str:
    return (
        f"{ANCHOR_PREFIX} v1 company={company_id} sequence={sequence} "
        f"hash={entry_hash} at={stamp}"
    )


class AnchorError(ValueError):
    """An anchor line that cannot be read."""


def parse_anchor(text: str) -> tuple[int, int, str]:
    """``(company id, sequence, hash)`` of an anchor line."""
    words = text.strip().split()
    if len(words) < 5 or words[0] != ANCHOR_PREFIX or words[1] != "v1":
        raise AnchorError(text)
    values = dict(word.split("=", 1) for word in words[2:] if "=" in word)
    try:
        company_id = int(values["company"])
        sequence = int(values["sequence"])
        entry_hash = values["hash"]
    except (KeyError, ValueError):
        raise AnchorError(text) from None
    if sequence < 0 or len(entry_hash) != 64 or not _is_hex(entry_hash):
        raise AnchorError(text)
    return company_id, sequence, entry_hash


def _is_hex(text: str) -> bool:
    try:
        int(text, 16)
    except ValueError:
        return False
    return True


# Evaluations: one entry seals the tier history rows an evaluation wrote,
# with their count and digest (computed in SQL by the writer and the
# verifier alike), instead of one entry per change.

_EVALUATION_VALUE = "{count} tier changes, sha256 {digest}"


def evaluation_value(count: int, digest: str) -> str:
    """The new value of an evaluation's entry."""
    if count < 1 or len(digest) != 64 or not _is_hex(digest):
        raise ValueError(f"not an evaluation digest: {count!r} {digest!r}")
    return _EVALUATION_VALUE.format(count=count, digest=digest)


def parse_evaluation_value(text: str | None) -> tuple[int, str] | None:
    """``(count, digest)`` of an evaluation entry's new value, or None when
    it reads otherwise."""
    words = (text or "").split()
    if len(words) != 5 or words[1:4] != ["tier", "changes,", "sha256"]:
        return None
    count, digest = words[0], words[4]
    if not count.isdigit() or len(digest) != 64 or not _is_hex(digest):
        return None
    return int(count), digest


def history_breaks(
    expected: Mapping[int, tuple[int, str]], actual: Mapping[int, tuple[int, str]]
) -> int | None:
    """The first evaluation entry (by id) whose ``(count, digest)`` the
    history rows no longer give: ``expected`` from the entries, ``actual``
    recomputed from the rows grouped by the entry they point to (an entry
    no row points to any more, or one rows point to that is no evaluation,
    does not match either)."""
    for entry_id in sorted(set(expected) | set(actual)):
        if expected.get(entry_id) != actual.get(entry_id):
            return entry_id
    return None
