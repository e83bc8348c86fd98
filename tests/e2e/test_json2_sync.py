"""JSON-2 first: the integration user's API key, customers and orders pushed
over ``/json/2`` (plain HTTP, and the installed ``crm-relation-sync``), the
changes pulled back, and no deprecation warning in the server log."""

import datetime
import json
import os
import shutil
import subprocess
import time

import pytest
import rpc

DEPRECATED = "deprecated in Odoo 19"


@pytest.fixture(scope="module")
def integration_key(server, role_users):
    """A key of the integration user, for a year as its group allows."""
    return rpc.make_api_key(
        server.base, server.db, "crm_integration", "crm_integration", duration="365"
    )


@pytest.fixture(scope="module")
def product_code(json2):
    [product] = json2["admin"].ok(
        "product.product", "search_read",
        domain=[("default_code", "!=", False), ("sale_ok", "=", True)],
        fields=["default_code"], limit=1,
    )  # fmt: skip
    return product["default_code"]


class LogWindow:
    """What the server logged since the window opened."""

    def __init__(self, path):
        self.path = path
        self.start = path.stat().st_size

    def text(self):
        time.sleep(0.5)  # the server writes its log line as it answers
        with open(self.path, "rb") as log:
            log.seek(self.start)
            return log.read().decode("utf-8", "replace")


def _last_cursor(client, **kwargs):
    """The cursor after every change so far."""
    cursor = None
    while True:
        page = client.ok("crm.relation.sync", "changes", since=cursor, **kwargs)
        cursor = page["cursor"]
        if not page["more"]:
            return cursor


def _wait_for(client, since, external_id, source, timeout=30):
    """The changes of ``external_id`` after ``since``; they show once the
    evaluation after the call and the audit seal have committed."""
    deadline = time.monotonic() + timeout
    while True:
        page = client.ok(
            "crm.relation.sync", "changes", since=since, source=source, limit=5000
        )
        found = [r for r in page["changes"] if r["external_id"] == external_id]
        if found or time.monotonic() > deadline:
            return found
        time.sleep(1)


def test_the_integration_key_lasts_a_year(server, database, role_users):
    rpc.make_api_key(
        server.base, server.db, "crm_integration", "crm_integration", duration="365"
    )
    with database.cursor() as cr:
        cr.execute(
            "SELECT expiration_date FROM res_users_apikeys WHERE user_id = %s "
            "ORDER BY id DESC LIMIT 1",
            [role_users["integration"]],
        )
        [(expires,)] = cr.fetchall()
    now = datetime.datetime.now(datetime.UTC).replace(tzinfo=None)
    assert 363 <= (expires - now).days <= 365
    # Other internal users keep Odoo's 90 days at most.
    with pytest.raises(RuntimeError, match="cannot exceed 90"):
        rpc.make_api_key(
            server.base, server.db, "crm_e2e_outsider", "crm_e2e_outsider",
            duration="365",
        )  # fmt: skip


def test_push_and_pull_over_json2_leave_no_deprecation_warning(
    server, integration_key, product_code
):
    client = rpc.Json2(server.base, server.db, integration_key)
    start = _last_cursor(client, source="json2")
    window = LogWindow(server.log)
    partners = [
        {"source": "json2", "external_id": "J1", "name": "接口客户",
         "is_company": True},
        {"source": "json2", "external_id": "J2", "name": "JSON-2 Contact",
         "parent_external_id": "J1"},
    ]  # fmt: skip
    results = client.ok("crm.relation.sync", "sync_partners", rows=partners)
    assert [r["status"] for r in results] == ["created", "created"], results
    order = {"source": "json2", "external_id": "JO1", "customer_external_id": "J1",
             "date_order": str(datetime.date.today()), "invoice": "post",
             "lines": [{"product": product_code, "quantity": 2,
                        "price_unit": 300}]}  # fmt: skip
    [created] = client.ok("crm.relation.sync", "sync_orders", rows=[order])
    assert created["status"] == "created", created

    changes = _wait_for(client, start, "J1", "json2")
    assert changes, "the new customer's status is pulled back"
    change = changes[-1]
    assert (change["source"], change["id"], change["status"]) == (
        "json2", results[0]["id"], "new",
    )  # fmt: skip
    assert "status" in change["changed"]
    assert set(change) >= {"tier", "tier_name", "vip", "vip_card", "blocked"}
    status, body = client.call("crm.relation.sync", "changes", since="nope")
    assert status == 422 and body["name"] == "odoo.exceptions.UserError", body
    assert "since must be a cursor" in body["message"] and "'nope'" in body["message"]

    logged = window.text()
    assert DEPRECATED not in logged, logged
    assert "Traceback" not in logged, logged
    # The same window catches a legacy call's warning.
    rpc.XmlRpc(server.base, server.db, "crm_integration", "crm_integration")
    assert DEPRECATED in window.text()


def test_cli_pushes_and_pulls_over_json2(server, integration_key, product_code,
                                         tmp_path):  # fmt: skip
    command = shutil.which("crm-relation-sync")
    assert command, "crm-relation-sync is not installed (pip install .)"
    client = rpc.Json2(server.base, server.db, integration_key)
    cursor_file = tmp_path / "cursor.txt"
    cursor_file.write_text(_last_cursor(client, source="cli2") + "\n")
    (tmp_path / "partners.csv").write_text(
        "source,external_id,name,is_company\ncli2,M1,命令行二号,true\n",
        encoding="utf-8",
    )
    order = {"source": "cli2", "external_id": "MO1", "customer_external_id": "M1",
             "date_order": str(datetime.date.today()), "invoice": "post",
             "lines": [{"product": product_code, "quantity": 1,
                        "price_unit": 500}]}  # fmt: skip
    (tmp_path / "orders.jsonl").write_text(json.dumps(order) + "\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("CRM_SYNC_")}
    env.update(CRM_SYNC_API_KEY=integration_key, CRM_SYNC_URL=server.base,
               CRM_SYNC_DB=server.db)  # fmt: skip

    def run(*args, **extra):
        return subprocess.run(
            [command, *args], env=dict(env, **extra), capture_output=True,
            text=True, timeout=300, cwd=tmp_path, check=False,
        )  # fmt: skip

    window = LogWindow(server.log)
    pushed = run("push", "partners", "partners.csv")
    assert pushed.returncode == 0, pushed.stderr
    assert "1 partners: 1 created" in pushed.stdout
    pushed = run("push", "orders", "orders.jsonl")
    assert pushed.returncode == 0, pushed.stderr
    assert "1 orders: 1 created" in pushed.stdout

    deadline = time.monotonic() + 30
    while True:
        pulled = run("pull", "--source", "cli2", "--cursor-file", "cursor.txt",
                     "--output", "changes.jsonl")  # fmt: skip
        assert pulled.returncode == 0, pulled.stderr
        rows = [json.loads(x) for x in (tmp_path / "changes.jsonl").open()]
        if rows or time.monotonic() > deadline:
            break
        time.sleep(1)
    assert {(r["source"], r["external_id"], r["status"]) for r in rows} == {
        ("cli2", "M1", "new")
    }
    cursor = cursor_file.read_text().strip()
    assert f"next cursor: {cursor}" in pulled.stdout
    again = run("pull", "--source", "cli2", "--since", cursor)
    assert again.returncode == 0, again.stderr
    assert again.stdout == "" and f"0 changes; next cursor: {cursor}" in again.stderr
    assert DEPRECATED not in window.text()

    wrong = run("pull", CRM_SYNC_API_KEY="not-a-key")
    assert wrong.returncode == 2 and "login refused" in wrong.stderr, wrong.stderr


def test_documented_methods_answer_over_json2(server, json2):
    """The methods USAGE documents for RPC, over JSON-2 with each role's key:
    no deprecation warning either."""
    manager, auditor = json2["manager"], json2["auditor"]
    window = LogWindow(server.log)
    [customer] = manager.ok(
        "res.partner", "search", domain=[("email", "=", "customer01@example.com")]
    )
    action = manager.ok("res.partner", "action_evaluate_rfm", ids=[customer])
    assert action["params"]["type"] == "success", action
    manager.ok("crm.relation.rfm.engine", "evaluate", partner_ids=[customer])
    manager.ok("crm.relation.vip", "evaluate_candidates", partner_ids=[customer])
    report = auditor.ok("crm.relation.audit", "verify_chain")
    assert {"intact", "entries", "unsealed"} <= set(report), report
    assert auditor.ok("crm.relation.audit", "export_anchor")
    status, body = json2["user"].call(
        "res.partner", "action_evaluate_rfm", ids=[customer]
    )
    assert status == 403 and "may run" in body["message"], body
    assert DEPRECATED not in window.text()
