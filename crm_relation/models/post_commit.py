# Copyright 2026 crm_relation developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Work done once a transaction has committed, in a transaction of its own."""


def pending(env, name, run, factory):
    """What is left for after ``env``'s transaction commits under ``name``:
    made by ``factory()`` on first use, filled by the caller, and handed
    once to ``run(registry, data)`` right after the commit. A rollback drops
    both (Odoo clears the post-commit hooks), so a retried call starts
    afresh."""
    hooks = env.cr.postcommit
    if name not in hooks.data:
        registry = env.registry
        data = hooks.data[name] = factory()
        hooks.add(lambda: run(registry, data))
    return hooks.data[name]
