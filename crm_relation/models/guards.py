# Copyright 2026 crm_relation developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Small helpers shared by the models."""


def forbidden_fields(env, vals, protected, key):
    """The ``protected`` fields ``vals`` sets without the right to: only the
    superuser carrying the context ``key`` (the model's own actions) may."""
    touched = sorted(set(protected) & vals.keys())
    if touched and not (env.su and env.context.get(key)):
        return touched
    return []


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
