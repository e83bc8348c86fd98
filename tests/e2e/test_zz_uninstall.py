"""Runs last (file order): the addon uninstalls cleanly from a live server."""

import re

from paths import REPO

LOG = REPO / ".test-output" / "layer3-server.log"
PROBLEM = re.compile(r" (ERROR|CRITICAL) |^Traceback", re.MULTILINE)
PROSPECT = "customer64@example.com"


def test_uninstall_leaves_no_trace_and_no_error(server):
    before = LOG.stat().st_size
    admin = server.connect("admin", "admin")
    # A prospect of the demo: no order, invoice or delivery refers to them.
    prospect = admin.env["res.partner"].search([("email", "=", PROSPECT)])
    assert prospect
    assert not admin.env["sale.order"].search_count([("partner_id", "in", prospect)])
    assert not admin.env["account.move.line"].search_count(
        [("partner_id", "in", prospect)]
    )
    # The care log names the rules of the addon's data that made its entries.
    rules = admin.env["crm.relation.care.rule"]
    rules.action_run_now(rules.search([]))
    assert admin.env["crm.relation.care.log"].search_count([])
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
    # The books keep their customers and products: those of the demo stay as
    # ordinary records; the demo's other partners go with the addon.
    assert admin.env["res.partner"].search([("email", "=", "customer01@example.com")])
    assert admin.env["product.product"].search([("default_code", "=", "CRM-TEA-LJ")])
    partners = admin.env["res.partner"].with_context(active_test=False)
    assert not partners.search([("email", "=", PROSPECT)])
    with open(LOG, encoding="utf-8", errors="replace") as fh:
        fh.seek(before)
        tail = fh.read()
    assert not PROBLEM.search(tail), tail[-4000:]
