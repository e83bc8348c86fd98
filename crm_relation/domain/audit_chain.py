"""A SHA-256 hash chain for an append-only audit log.

Each entry's hash covers its own content and the previous entry's hash, so
changing, removing or re-ordering any entry breaks every link after it; a
verifier walking the chain from the start finds the first entry that no
longer fits. Nothing here knows about Odoo: entries are plain mappings.
"""

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

# The hash a chain starts from.
GENESIS = "0" * 64

# The content an entry's hash covers, in this order.
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


# Content values are text, integers or None: nothing whose text form could
# differ between the writer and the verifier (floats, dates).
_PLAIN = (str, int)


def canonical(entry: Mapping) -> bytes:
    """The bytes an entry's hash covers: its content as one JSON array.

    A missing key is an error, not a silent ``null``: a chain written with
    one layout and checked with another must fail loudly.
    """
    try:
        values = [entry[key] for key in CONTENT]
    except KeyError:
        missing = [key for key in CONTENT if key not in entry]
        raise KeyError(f"audit entry lacks {', '.join(missing)}") from None
    if any(v is not None and v.__class__ not in _PLAIN for v in values):
        key, value = next(
            (k, v)
            for k, v in zip(CONTENT, values, strict=True)
            if v is not None and v.__class__ not in _PLAIN
        )
        raise TypeError(f"audit entry {key} must be text or integer: {value!r}")
    return json.dumps(values, ensure_ascii=False, separators=(",", ":")).encode()


def link(prev_hash: str, entry: Mapping) -> str:
    """The hash of ``entry`` chained after ``prev_hash``."""
    digest = hashlib.sha256(prev_hash.encode("ascii"))
    digest.update(b"\n")
    digest.update(canonical(entry))
    return digest.hexdigest()


def chain(
    entries: Iterable[Mapping], prev_hash: str = GENESIS
) -> Iterator[tuple[str, str]]:
    """``(prev_hash, hash)`` of each entry appended in order after ``prev_hash``."""
    for entry in entries:
        entry_hash = link(prev_hash, entry)
        yield prev_hash, entry_hash
        prev_hash = entry_hash


@dataclass(frozen=True)
class Verification:
    intact: bool
    entries: int
    first_broken_id: int | bool

    def as_dict(self) -> dict:
        return {
            "intact": self.intact,
            "entries": self.entries,
            "first_broken_id": self.first_broken_id,
        }


def verify(
    rows: Iterable[tuple[int, Mapping, str, str]],
    head: tuple[int, str] | None = None,
) -> Verification:
    """Walk one chain and report the first entry that does not fit.

    ``rows`` are ``(id, entry, stored prev_hash, stored hash)`` in sequence
    order. An entry is broken when its position is not the next one, when
    its stored link to the previous entry is not that entry's hash, or when
    its content no longer gives its stored hash. After a break the walk goes
    on from the stored hash, to count every entry.

    ``head`` is the ``(sequence, hash)`` the log recorded for its last entry:
    when the chain ends elsewhere, entries were removed from its end, and the
    last remaining entry is reported (``False`` when none remains).
    """
    prev_hash, expected, count = GENESIS, 1, 0
    broken = last_id = None
    for entry_id, entry, stored_prev, stored_hash in rows:
        count += 1
        if broken is None and (
            entry["sequence"] != expected
            or stored_prev != prev_hash
            or link(prev_hash, entry) != stored_hash
        ):
            broken = entry_id
        prev_hash, expected, last_id = stored_hash, entry["sequence"] + 1, entry_id
    if broken is None and head is not None and tuple(head) != (expected - 1, prev_hash):
        return Verification(False, count, last_id or False)
    return Verification(broken is None, count, broken or False)
