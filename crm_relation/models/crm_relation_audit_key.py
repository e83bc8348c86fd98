# Copyright 2026 crm_relation developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The audit trail's key: held by the server's environment, never by the
database, so that someone who can rewrite the database cannot recompute the
trail's hashes.

* ``CRM_RELATION_AUDIT_KEY``: the key itself (at least 32 characters);
* ``CRM_RELATION_AUDIT_KEY_FILE``: a file, readable by the Odoo service
  only, whose first line is the key and whose further lines are retired
  keys, kept to verify entries sealed before a change of key.

With both, the variable's key is the current one. With neither, entries are
sealed with plain SHA-256 and verification says the trail is not keyed.
"""

import logging
import os

from ..logic import audit_chain

_logger = logging.getLogger(__name__)

KEY_VARIABLE = "CRM_RELATION_AUDIT_KEY"
KEY_FILE_VARIABLE = "CRM_RELATION_AUDIT_KEY_FILE"
MIN_LENGTH = 32

_cache = {}
_warned = set()


def _file_keys(path):
    try:
        stat = os.stat(path)
    except OSError as error:
        _logger.error("Audit key file %s cannot be read: %s", path, error)
        return ()
    cached = _cache.get(path)
    if cached and cached[0] == stat.st_mtime_ns:
        return cached[1]
    with open(path, encoding="utf-8") as handle:
        keys = tuple(line.strip() for line in handle if line.strip())
    _cache[path] = (stat.st_mtime_ns, keys)
    return keys


def keys():
    """``(current key or None, {key id: key})`` of every key the server
    holds, as bytes."""
    texts = []
    if os.environ.get(KEY_VARIABLE, "").strip():
        texts.append(os.environ[KEY_VARIABLE].strip())
    if os.environ.get(KEY_FILE_VARIABLE, "").strip():
        texts += _file_keys(os.environ[KEY_FILE_VARIABLE].strip())
    known = {}
    for text in texts:
        if len(text) < MIN_LENGTH and audit_chain.key_id(text.encode()) not in _warned:
            _warned.add(audit_chain.key_id(text.encode()))
            _logger.warning(
                "An audit key of %d characters is too short to protect the "
                "trail: use at least %d random characters.",
                len(text),
                MIN_LENGTH,
            )
        key = text.encode()
        known.setdefault(audit_chain.key_id(key), key)
    current = texts[0].encode() if texts else None
    return current, known
