# Copyright 2026 crm_relation developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What the addon guards, found by walking the registry, not listed by hand.

Shared by the Odoo tests (``test_guards``) and the end-to-end tests, which
run :func:`inventory` in ``odoo shell`` against the server's database.
"""

import inspect

from odoo import models
from odoo.tools.sql import TableKind, table_kind

ADDON = "crm_relation"
# Odoo's own ORM API (create, write, unlink, copy, read, default_get...):
# guarded by the access rules and the field guard, which the tests check.
ORM_NAMES = frozenset(
    name for name in dir(models.BaseModel) if not name.startswith("_")
)
APPEND_ONLY = "crm.relation.append.only"
# What a model's table is when it is an SQL view (a report, as sale.report).
VIEW_KINDS = (TableKind.View, TableKind.Materialized)


def addon_classes(model):
    """The classes of the addon's own code in ``model``'s class hierarchy."""
    return [
        cls
        for cls in type(model).__mro__
        if "pool" not in cls.__dict__ and cls.__dict__.get("_module") == ADDON
    ]


def public_methods(env):
    """``{(model, method): function}`` of every public method the addon
    defines or overrides, on every model it defines or extends (abstract and
    transient ones included), except Odoo's ORM API."""
    found = {}
    for name in sorted(env.registry):
        model = env[name]
        for cls in addon_classes(model):
            for attr, value in vars(cls).items():
                if attr.startswith("_") or attr in ORM_NAMES or not callable(value):
                    continue
                found[name, attr] = getattr(type(model), attr)
    return found


def required_params(function):
    """Names of the parameters a call must give (after ``self``)."""
    signature = inspect.signature(function)
    return [
        p.name
        for p in list(signature.parameters.values())[1:]
        if p.default is inspect.Parameter.empty
        and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
    ]


def guarded_fields(env):
    """``{(model, field): "create" or True}`` of every guarded field."""
    return {
        (name, fname): field.guarded
        for name in sorted(env.registry)
        for fname, field in env[name]._fields.items()
        if getattr(field, "guarded", False)
    }


def is_sql_view(model):
    """Whether ``model`` reads an SQL view (``_auto = False`` with a view or
    a table query behind it): nobody, not even code, sets its fields, and
    the database refuses any insert or update."""
    if model._auto or model._abstract or model._transient:
        return False
    if model._table_query:
        return True
    return table_kind(model.env.cr, model._table) in VIEW_KINDS


def sql_views(env):
    """Names of the addon's own models backed by an SQL view (its reports):
    written by no one, which ``test_guards`` checks instead of a guard."""
    return sorted(
        name
        for name in env.registry
        if env[name]._original_module == ADDON and is_sql_view(env[name])
    )


def view_write_access(env, name):
    """Groups (by full name; "everyone" for a global one) that the access
    rules let create, write or delete rows of the model ``name``: none for a
    report."""
    return sorted(
        access.group_id.full_name or "everyone"
        for access in env["ir.model.access"]
        .sudo()
        .search([("model_id.model", "=", name)])
        if access.perm_write or access.perm_create or access.perm_unlink
    )


def must_be_guarded(env):
    """``(model, field)`` of the fields the addon defines that only code can
    set (stored, read-only, neither related nor with an inverse) on models
    that are neither transient nor append-only nor SQL views (which no code
    sets: see ``sql_views``): each must be guarded."""
    result = []
    for name in sorted(env.registry):
        model = env[name]
        if (
            model._transient
            or model._abstract
            or APPEND_ONLY in model._inherit
            or is_sql_view(model)
        ):
            continue
        for fname, field in model._fields.items():
            if (
                ADDON in field._modules
                and field.store
                and field.readonly
                and not field.related
                and not field.inverse
                and fname not in models.MAGIC_COLUMNS
            ):
                result.append((name, fname))
    return result


def inventory(env):
    """Everything above as plain data (JSON), for the end-to-end tests."""
    methods = public_methods(env)
    return {
        "models": {
            name: {"abstract": env[name]._abstract, "transient": env[name]._transient}
            for name in {m for m, _ in methods} | {m for m, _ in guarded_fields(env)}
        },
        "methods": [
            {
                "model": model,
                "method": method,
                "callers": list(getattr(function, "_crm_relation_callers", ())),
                "api_model": hasattr(function, "_api_model"),
                "required": required_params(function),
            }
            for (model, method), function in sorted(methods.items())
        ],
        "guarded": [
            {"model": model, "field": field, "kind": kind}
            for (model, field), kind in sorted(guarded_fields(env).items())
        ],
        "unguarded": [
            {"model": model, "field": field}
            for model, field in must_be_guarded(env)
            if not getattr(env[model]._fields[field], "guarded", False)
        ],
        "views": [
            {
                "model": name,
                "write_access": view_write_access(env, name),
                "writable_fields": sorted(
                    fname
                    for fname, field in env[name]._fields.items()
                    if not field.readonly
                ),
            }
            for name in sql_views(env)
        ],
    }
