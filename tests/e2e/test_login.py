"""Each group's demo user logs in over RPC and reads a customer."""

import pytest

ROLES = {
    "crm_user": "crm_relation.group_crm_relation_user",
    "crm_manager": "crm_relation.group_crm_relation_manager",
    "crm_auditor": "crm_relation.group_crm_relation_auditor",
    "crm_integration": "crm_relation.group_crm_relation_integration",
}


@pytest.mark.parametrize("login", sorted(ROLES))
def test_demo_user_reads_a_customer(server, login):
    client = server.connect(login)
    assert client.env.uid
    partners = client.env["res.partner"].search_read(
        [("customer_rank", ">", 0)], ["name", "commercial_partner_id"], limit=5
    )
    assert len(partners) == 5
    group = client.env.ref(ROLES[login])
    assert client.env.uid in group.all_user_ids.ids


def test_auditor_cannot_write_over_rpc(server):
    import odoorpc.error

    client = server.connect("crm_auditor")
    orders = client.env["sale.order"].search([("state", "=", "sale")], limit=1)
    assert orders, "the auditor reads confirmed orders"
    with pytest.raises(odoorpc.error.RPCError, match=r"not allowed|AccessError"):
        client.env["sale.order"].write(orders, {"note": "auditor was here"})


def test_wrong_password_is_refused(server):
    import odoorpc.error

    with pytest.raises(odoorpc.error.RPCError):
        server.connect("crm_user", "not-the-password")
