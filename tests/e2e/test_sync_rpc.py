"""The sync door over RPC, and the crm-relation-sync command against it."""

import json
import os
import shutil
import subprocess

import odoorpc.error
import pytest

ROWS = [
    {"source": "e2e", "external_id": "P1", "name": "同步客户一", "is_company": True,
     "email": "p1@example.cn", "country_code": "CN", "tags": ["e2e"]},
    {"source": "e2e", "external_id": "P2", "name": "Sync Contact",
     "parent_external_id": "P1", "mobile": "13900000000"},
]  # fmt: skip


def test_create_update_unchanged_and_bad_rows(server):
    door = server.connect("crm_integration").env["crm.relation.sync"]
    first = door.sync_partners(ROWS)
    assert [r["status"] for r in first] == ["created", "created"], first
    assert [r["status"] for r in door.sync_partners(ROWS)] == ["unchanged"] * 2
    bad = {"source": "e2e", "external_id": "P3", "name": "Bad", "email": "nope"}
    changed = [dict(ROWS[0], email="new@example.cn"), bad, ROWS[1]]
    results = door.sync_partners(changed)
    assert [r["status"] for r in results] == ["updated", "error", "unchanged"]
    assert "email 'nope'" in results[1]["error"]
    assert results[0]["id"] == first[0]["id"]


def test_limits_and_refusals(server):
    door = server.connect("crm_integration").env["crm.relation.sync"]
    rows = [{"source": "e2e", "external_id": str(i), "name": "x"} for i in range(5001)]
    with pytest.raises(odoorpc.error.RPCError, match="at most 5000 rows"):
        door.sync_partners(rows)
    [result] = door.sync_partners(["oops"])
    assert result["status"] == "error" and "not a dict" in result["error"]
    user = server.connect("crm_user")
    with pytest.raises(odoorpc.error.RPCError, match="may run"):
        user.env["crm.relation.sync"].sync_partners(ROWS)


def test_orders_with_posted_invoices(server):
    client = server.connect("crm_integration")
    door = client.env["crm.relation.sync"]
    door.sync_partners(ROWS)
    products = client.env["product.product"].search_read(
        [("default_code", "!=", False), ("sale_ok", "=", True)], ["default_code"],
        limit=1,
    )  # fmt: skip
    order = {"source": "e2e", "external_id": "SO1", "customer_external_id": "P1",
             "date_order": "2026-11-01", "invoice": "post",
             "lines": [{"product": products[0]["default_code"], "quantity": 4,
                        "price_unit": 250}]}  # fmt: skip
    [created] = door.sync_orders([order])
    assert created["status"] == "created", created
    assert door.sync_orders([order])[0]["status"] == "unchanged"
    [sale] = client.env["sale.order"].read([created["id"]], ["invoice_ids", "state"])
    assert sale["state"] == "sale"
    auditor = server.connect("crm_auditor")
    moves = auditor.env["account.move"].read(
        sale["invoice_ids"], ["state", "invoice_date", "amount_untaxed"]
    )
    assert [(m["state"], m["invoice_date"], m["amount_untaxed"]) for m in moves] == [
        ("posted", "2026-11-01", 1000.0)
    ]


def test_cli_pushes_a_file_and_writes_the_rejected_rows(server, tmp_path):
    """Over the legacy /jsonrpc (odoorpc), for set-ups that still need it;
    JSON-2, the default, in test_json2_sync."""
    command = shutil.which("crm-relation-sync")
    assert command, "crm-relation-sync is not installed (pip install .)"
    source = tmp_path / "partners.csv"
    source.write_text(
        "source,external_id,name,is_company,email,tags\n"
        "cli,K1,命令行客户,true,k1@example.cn,cli;wholesale\n"
        "cli,K2,Bad Email,false,not-an-email,\n"
        "cli,K3,Third,0,,\n",
        encoding="utf-8",
    )
    env = dict(os.environ, CRM_SYNC_PASSWORD="crm_integration")
    args = [command, "push", "partners", str(source), "--url",
            f"http://{server.host}:{server.port}", "--db", server.db,
            "--login", "crm_integration", "--batch-size", "2",
            "--protocol", "jsonrpc"]  # fmt: skip
    run = subprocess.run(args, env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 1, run.stderr
    assert "3 partners: 2 created, 0 updated, 0 unchanged, 1 rejected" in run.stdout
    [rejected] = [
        json.loads(line)
        for line in (tmp_path / "partners.csv.rejected.jsonl").read_text().splitlines()
    ]
    assert rejected["row_number"] == 2
    assert rejected["row"]["external_id"] == "K2"
    assert "email 'not-an-email'" in rejected["reason"]
    again = subprocess.run(args, env=env, capture_output=True, text=True, timeout=300)
    assert "0 created, 0 updated, 2 unchanged, 1 rejected" in again.stdout
    wrong = subprocess.run(
        args, env=dict(env, CRM_SYNC_PASSWORD="wrong"), capture_output=True,
        text=True, timeout=120,
    )  # fmt: skip
    assert wrong.returncode == 2
    assert "login refused" in wrong.stderr or "Access Denied" in wrong.stderr
    # The other legacy endpoint, XML-RPC (standard library), pulls too.
    pulled = subprocess.run(
        [command, "pull", "--url", f"http://{server.host}:{server.port}", "--db",
         server.db, "--login", "crm_integration", "--protocol", "xmlrpc",
         "--source", "cli", "--kinds", "tier,status"],
        env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert pulled.returncode == 0, pulled.stderr
    assert "next cursor: " in pulled.stderr
