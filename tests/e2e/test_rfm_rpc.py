"""RFM evaluation over RPC: managers may, other users get an AccessError."""

import odoorpc.error
import pytest


def _customer(client, email):
    return client.env["res.partner"].search([("email", "=", email)])


def test_manager_evaluates_a_customer_over_rpc(server):
    client = server.connect("crm_manager")
    ids = _customer(client, "customer01@example.com")
    action = client.env["res.partner"].action_evaluate_rfm(ids)
    assert action["params"]["type"] == "success"
    [partner] = client.env["res.partner"].read(
        ids, ["relation_tier_id", "relation_status", "rfm_score", "rfm_evaluated_at"]
    )
    assert partner["relation_tier_id"], partner
    assert partner["relation_status"] == "active"
    assert partner["rfm_score"] >= 36, "customer 01 is a platinum profile"


def test_manager_evaluates_every_customer_over_rpc(server):
    client = server.connect("crm_manager")
    action = client.env["res.partner"].action_evaluate_rfm([])
    assert action["params"]["type"] == "success"
    tiers = client.env["res.partner"].read_group(
        [("relation_tier_id", "!=", False)], ["relation_tier_id"], ["relation_tier_id"]
    )
    assert {t["relation_tier_id"][1].split(" ")[0] for t in tiers} >= {
        "P",
        "G",
        "S",
        "B",
    }


@pytest.mark.parametrize("login", ["crm_user", "crm_auditor", "crm_integration"])
def test_others_may_not_evaluate(server, login):
    client = server.connect(login)
    ids = _customer(client, "customer01@example.com")
    with pytest.raises(odoorpc.error.RPCError, match="may run"):
        client.env["res.partner"].action_evaluate_rfm(ids)
