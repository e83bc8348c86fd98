"""Review stamps and the audit chain over RPC, as integrations and auditors
would use them."""

import odoorpc.error
import pytest


def _customer(client, email):
    return client.env["res.partner"].search([("email", "=", email)])


def test_reviews_and_a_key_edit_are_audited_and_verified(server):
    user = server.connect("crm_user")
    manager = server.connect("crm_manager")
    ids = _customer(user, "customer02@example.com")
    partners = user.env["res.partner"]
    if partners.read(ids, ["relation_review1_done"])[0]["relation_review1_done"]:
        pytest.fail("customer 02 starts unreviewed")
    partners.action_review_first(ids)
    manager.env["res.partner"].action_review_second(ids)
    [stamped] = partners.read(
        ids, ["relation_review_state", "relation_review2_user_id"]
    )
    assert stamped["relation_review_state"] == "second"
    assert stamped["relation_review2_user_id"][0] == manager.env.uid

    integration = server.connect("crm_integration")
    integration.env["res.partner"].write(ids, {"vat": "91310000E2E0001"})
    [cleared] = partners.read(
        ids, ["relation_review_state", "relation_review_reset_reason"]
    )
    assert cleared["relation_review_state"] == "none"
    assert integration.env.user.name in cleared["relation_review_reset_reason"]

    auditor = server.connect("crm_auditor")
    entries = auditor.env["crm.relation.audit"].search_read(
        [("model", "=", "res.partner"), ("res_id", "=", ids[0])],
        ["field_name", "new_value", "user_id"],
    )
    fields = {e["field_name"] for e in entries}
    assert {"vat", "relation_review1_done", "relation_review2_done"} <= fields, fields
    result = auditor.env["crm.relation.audit"].verify_chain()
    assert (result["intact"], result["first_broken_id"]) == (True, False), result
    assert result["keyed"] is True, "the test server holds an audit key"
    assert result["entries"] >= len(entries)


def test_auditor_cannot_touch_the_log_and_users_cannot_verify(server):
    auditor = server.connect("crm_auditor")
    audit = auditor.env["crm.relation.audit"]
    [entry] = audit.search([], limit=1)
    with pytest.raises(odoorpc.error.RPCError, match="cannot be created"):
        audit.write([entry], {"new_value": "forged"})
    with pytest.raises(odoorpc.error.RPCError, match="cannot be created"):
        audit.unlink([entry])
    user = server.connect("crm_user")
    with pytest.raises(odoorpc.error.RPCError, match="may run"):
        user.env["crm.relation.audit"].verify_chain()
