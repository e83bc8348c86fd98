# Copyright 2026 crm_relation developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.tests import new_test_user

from odoo.addons.crm_relation.models import guards


def trusted(records, **trust):
    """``records`` as the addon's own code paths hold them: allowed to set
    every guarded field (test fixtures only)."""
    trust.setdefault("fields", guards.ALL)
    return guards.trusted(records, **trust)


def make_role_users(env, portal=False):
    """One user a crm_relation group, plus an internal user with none (and,
    with ``portal``, a portal user)."""
    prefix = "crm_relation."
    users = {
        "user": new_test_user(
            env, "t_crm_user", groups=prefix + "group_crm_relation_user"
        ),
        "manager": new_test_user(
            env, "t_crm_manager", groups=prefix + "group_crm_relation_manager"
        ),
        "auditor": new_test_user(
            env, "t_crm_auditor", groups=prefix + "group_crm_relation_auditor"
        ),
        "integration": new_test_user(
            env, "t_crm_integration", groups=prefix + "group_crm_relation_integration"
        ),
        "outsider": new_test_user(env, "t_crm_outsider", groups="base.group_user"),
    }
    if portal:
        users["portal"] = new_test_user(env, "t_crm_portal", groups="base.group_portal")
    return users
