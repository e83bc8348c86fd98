"""Runs last (file order): the addon uninstalls cleanly from a live server."""

import re

from paths import REPO

LOG = REPO / ".test-output" / "layer3-server.log"
PROBLEM = re.compile(r" (ERROR|CRITICAL) |^Traceback", re.MULTILINE)


def test_uninstall_leaves_no_trace_and_no_error(server):
    before = LOG.stat().st_size
    admin = server.connect("admin", "admin")
    modules = admin.env["ir.module.module"]
    addon = modules.search([("name", "=", "crm_relation")])
    modules.button_immediate_uninstall(addon)
    admin = server.connect("admin", "admin")  # the registry was reloaded
    state = admin.env["ir.module.module"].read(addon, ["state"])[0]["state"]
    assert state == "uninstalled"
    left = admin.env["ir.model.data"].search_read(
        [("module", "=", "crm_relation")], ["name", "model", "res_id"]
    )
    assert not left, left
    assert not admin.env["ir.model"].search([("model", "like", "crm.relation.%")])
    assert not admin.env["res.groups.privilege"].search(
        [("name", "like", "Customer Relations")]
    )
    assert not admin.env["ir.ui.menu"].search([("name", "=", "Customer Relations")])
    # The books keep their customers: demo partners stay as ordinary records.
    assert admin.env["res.partner"].search([("email", "=", "customer01@example.com")])
    with open(LOG, encoding="utf-8", errors="replace") as fh:
        fh.seek(before)
        tail = fh.read()
    assert not PROBLEM.search(tail), tail[-4000:]
