"""VIPs over RPC: managers evaluate and print, others may not."""

import http.cookiejar
import json
import urllib.request

import odoorpc.error
import pytest


def _pdf(server, login, report, record_id):
    """The report as the web client prints it: a session, then the PDF route
    (wkhtmltopdf on the server)."""
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )
    base = f"http://{server.host}:{server.port}"
    # wkhtmltopdf fetches the report's styles from this server.
    admin = server.connect("admin", "admin")
    admin.env["ir.config_parameter"].set_param("report.url", base)
    body = json.dumps(
        {"params": {"db": server.db, "login": login, "password": login}}
    ).encode()
    request = urllib.request.Request(
        f"{base}/web/session/authenticate",
        data=body,
        headers={"Content-Type": "application/json"},
    )
    with opener.open(request, timeout=60) as response:
        assert json.load(response).get("result"), "login failed"
    with opener.open(
        f"{base}/report/pdf/{report}/{record_id}", timeout=180
    ) as response:
        assert response.headers["Content-Type"] == "application/pdf"
        return response.read()


def test_manager_evaluates_and_prints_the_gold_card(server):
    client = server.connect("crm_manager")
    vips = client.env["crm.relation.vip"]
    result = vips.evaluate_candidates()
    assert set(result) == {"qualified", "created"}
    assert result["qualified"] >= 4, result
    again = vips.evaluate_candidates()
    assert again["created"] == 0, "never a second open record"
    [active] = vips.search([("state", "=", "active")], limit=1)
    [card] = vips.read([active], ["card_number"])
    assert card["card_number"].startswith("VIP")
    data = _pdf(server, "crm_manager", "crm_relation.report_vip_invitation", active)
    assert data.startswith(b"%PDF"), data[:60]
    assert len(data) > 5000


@pytest.mark.parametrize("login", ["crm_user", "crm_auditor", "crm_integration"])
def test_others_may_not_evaluate(server, login):
    client = server.connect(login)
    with pytest.raises(odoorpc.error.RPCError, match="may run"):
        client.env["crm.relation.vip"].evaluate_candidates()


def test_auditor_reads_vips_and_partners_show_the_badge(server):
    auditor = server.connect("crm_auditor")
    records = auditor.env["crm.relation.vip"].search_read(
        [("state", "=", "active")], ["partner_id", "card_number"]
    )
    assert records
    partner_id = records[0]["partner_id"][0]
    [partner] = auditor.env["res.partner"].read(
        [partner_id], ["relation_is_vip", "relation_vip_card_number"]
    )
    assert partner["relation_is_vip"] is True
    assert partner["relation_vip_card_number"] == records[0]["card_number"]
    with pytest.raises(odoorpc.error.RPCError):
        auditor.env["crm.relation.vip"].write([records[0]["id"]], {"details": "x"})
