# Copyright 2026 crm_relation developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""How the addon guards itself: who may call its public methods, and what
only its own code paths may do.

* ``@callers(*groups)`` on every public method: the caller must belong to
  one of ``groups``; code running as superuser (the addon's own paths, which
  no RPC client can take) passes.
* ``Trust``: what the addon's own code vouches for in a context (the cause of
  its changes, the guarded fields it sets, the checks it has made itself).
  Only Python code can put an instance in a context: nothing a client sends
  over JSON-2, JSON-RPC or XML-RPC is one, and a value under the same key
  that is not a ``Trust`` is ignored. No string or number grants anything.
"""

import functools
import math

from odoo.exceptions import AccessError, UserError

TRUST_KEY = "crm_relation_trust"
USER_GROUP = "crm_relation.group_crm_relation_user"
MANAGER_GROUP = "crm_relation.group_crm_relation_manager"
AUDITOR_GROUP = "crm_relation.group_crm_relation_auditor"
INTEGRATION_GROUP = "crm_relation.group_crm_relation_integration"
# Audit causes a trusted path may give (crm.relation.audit.CAUSES).
CAUSES = ("manual", "scheduled", "sync")
# Every guarded field (``Trust.fields``).
ALL = True


class Trust:
    """What a code path of the addon vouches for (see the module's doc).

    ``cause``: the audit cause of the changes made (``CAUSES``), default
    manual. ``fields``: the guarded fields it may set (``ALL`` for any).
    ``flags``: named checks it has done itself or does not apply (for
    instance ``"sync_confirm"``: the sync door confirms orders over open
    complaints and logs them).
    """

    __slots__ = ("cause", "fields", "flags")

    def __init__(self, cause=None, fields=frozenset(), flags=frozenset()):
        if cause is not None and cause not in CAUSES:
            raise ValueError(f"unknown audit cause {cause!r}")
        self.cause = cause
        self.fields = fields if fields is ALL else frozenset(fields)
        self.flags = frozenset(flags)

    def merged(self, cause=None, fields=(), flags=()):
        if self.fields is ALL or fields is ALL:
            merged_fields = ALL
        else:
            merged_fields = self.fields | frozenset(fields)
        return Trust(cause or self.cause, merged_fields, self.flags | frozenset(flags))

    def allows(self, fname):
        return self.fields is ALL or fname in self.fields

    def __repr__(self):
        return (
            f"Trust(cause={self.cause!r}, fields={self.fields!r}, "
            f"flags={set(self.flags)!r})"
        )


NO_TRUST = Trust()


def trust(env):
    """The ``Trust`` of ``env``'s context; an empty one when the context holds
    none (or something a client sent under the key, which is ignored)."""
    value = env.context.get(TRUST_KEY)
    return value if isinstance(value, Trust) else NO_TRUST


def trusted(records, cause=None, fields=(), flags=()):
    """``records`` in a context that vouches for ``cause``, ``fields`` and
    ``flags`` on top of what the current context already vouches for."""
    merged = trust(records.env).merged(cause, fields, flags)
    return records.with_context(**{TRUST_KEY: merged})


def cause(env):
    """The audit cause of the changes being made: manual unless a trusted
    path says otherwise."""
    return trust(env).cause or "manual"


def has_flag(env, flag):
    return flag in trust(env).flags


def clean_context(context):
    """``context`` without the trust, for actions sent to the web client."""
    return {k: v for k, v in context.items() if k != TRUST_KEY}


# Callers of public methods


def in_groups(env, groups):
    return any(env.user.has_group(group) for group in groups)


def check_caller(records, groups, name):
    """Raise an AccessError unless the user is in one of ``groups`` (or the
    code runs as superuser)."""
    env = records.env
    if env.su or in_groups(env, groups):
        return
    names = []
    for xmlid in groups:
        group = env.ref(xmlid, raise_if_not_found=False)
        names.append(group.sudo().full_name if group else xmlid)
    raise AccessError(
        env._(
            "Only %(groups)s may run %(method)s on %(model)s, not %(user)s.",
            user=env.user.name,
            method=name,
            model=records._description or records._name,
            groups=env._(" or ").join(names),
        )
    )


def callers(*groups):
    """Decorate a public method: only members of ``groups`` call it.

    Every public method (no leading underscore) of a model the addon defines
    or extends carries this decorator; the security tests enumerate them and
    call each as every role. The groups are kept on the method as
    ``_crm_relation_callers``.
    """
    if not groups:
        raise TypeError("callers() needs at least one group")

    def decorate(method):
        @functools.wraps(method)
        def checked(self, *args, **kwargs):
            check_caller(self, groups, method.__name__)
            return method(self, *args, **kwargs)

        checked._crm_relation_callers = groups
        return checked

    return decorate


# Arguments of public methods: a clear error naming the argument and value.


def ensure_one(records):
    """Like ``ensure_one``, with a message for the user rather than a crash."""
    if len(records) != 1:
        raise UserError(
            records.env._(
                "This action works on one %(model)s at a time, not on %(count)s.",
                model=records._description or records._name,
                count=len(records),
            )
        )
    return records


def _refuse(env, name, value, expected):
    raise UserError(
        env._(
            "%(name)s must be %(expected)s, not %(value)s.",
            name=name,
            expected=expected,
            value=short_repr(value),
        )
    )


def short_repr(value, limit=80):
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def arg_id(env, value, name):
    """A record id: a positive integer (not a boolean)."""
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        _refuse(env, name, value, env._("a record id (a positive integer)"))
    return value


def arg_ids(env, value, name):
    """A list of record ids."""
    if not isinstance(value, (list, tuple)):
        _refuse(env, name, value, env._("a list of record ids"))
    return [arg_id(env, item, f"{name}[{index}]") for index, item in enumerate(value)]


def arg_text(env, value, name, required=True, max_length=10000):
    """A text, stripped; ``required``: not empty."""
    if value in (None, False) and not required:
        return ""
    if not isinstance(value, str) or "\x00" in value:
        _refuse(env, name, value, env._("a text"))
    value = value.strip()
    if required and not value:
        _refuse(env, name, value, env._("a text that is not empty"))
    if len(value) > max_length:
        _refuse(
            env,
            name,
            value,
            env._("a text of at most %(count)s characters", count=max_length),
        )
    return value


def finite(value):
    """Whether ``value`` is a finite number (not NaN or infinite)."""
    return isinstance(value, (int, float)) and math.isfinite(value)


# Notifications


def notification(message, kind="success", reload=True):
    """A client notification, reloading the view after it by default."""
    params = {"type": kind, "message": message, "sticky": kind != "success"}
    if reload:
        params["next"] = {"type": "ir.actions.client", "tag": "soft_reload"}
    return {
        "type": "ir.actions.client",
        "tag": "display_notification",
        "params": params,
    }
