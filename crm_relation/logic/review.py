"""Two-stage review rules (seed 000: 初审标记, 复审标记, 审核人).

A record is reviewed first by a Customer Relations user, then a second time
by a customer manager who is not the first reviewer. Editing a reviewed
record's key fields clears both stamps. The functions return why a review is
refused (one of the ``REFUSED_*`` codes) or ``None`` when it may proceed.
"""

from collections.abc import Iterable, Mapping

REFUSED_ALREADY_FIRST = "already_first"
REFUSED_NO_FIRST = "no_first"
REFUSED_ALREADY_SECOND = "already_second"
REFUSED_SAME_REVIEWER = "same_reviewer"
REFUSED_NOT_MANAGER = "not_manager"


def first_review_refusal(first_done: bool) -> str | None:
    if first_done:
        return REFUSED_ALREADY_FIRST
    return None


def second_review_refusal(
    first_done: bool,
    second_done: bool,
    first_reviewer_id: int | None,
    reviewer_id: int,
    reviewer_is_manager: bool,
) -> str | None:
    if not reviewer_is_manager:
        return REFUSED_NOT_MANAGER
    if not first_done:
        return REFUSED_NO_FIRST
    if second_done:
        return REFUSED_ALREADY_SECOND
    if first_reviewer_id == reviewer_id:
        return REFUSED_SAME_REVIEWER
    return None


def changed_keys(
    key_fields: Iterable[str], before: Mapping, after: Mapping
) -> list[str]:
    """The key fields whose value differs between two snapshots of a record,
    in ``key_fields`` order."""
    return [name for name in key_fields if before.get(name) != after.get(name)]
