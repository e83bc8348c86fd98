"""Complaints over RPC: a high-value customer's complaint goes to the
team's leadership, and the salesperson must acknowledge it before selling."""

import odoorpc.error
import pytest


def test_complaint_routed_to_leadership_then_acknowledged_on_the_order(server):
    admin = server.connect("admin", "admin")
    partners = admin.env["res.partner"]
    manager_uid = admin.env["res.users"].search([("login", "=", "crm_manager")])[0]
    seller_uid = admin.env["res.users"].search([("login", "=", "crm_user")])[0]
    [customer] = partners.search(
        [("relation_tier_id.code", "in", ["P", "G"]), ("parent_id", "=", False)],
        limit=1,
    )
    category = admin.env["helpdesk.ticket.category"].create(
        {"name": "E2E complaints", "relation_complaint": True}
    )
    team = admin.env["helpdesk.ticket.team"].create(
        {"name": "E2E desk", "relation_leader_id": manager_uid}
    )
    tickets = admin.env["helpdesk.ticket"]
    ticket = tickets.create(
        {
            "name": "Cracked teapot lid",
            "description": "<p>Arrived broken</p>",
            "partner_id": customer,
            "team_id": team,
            "category_id": category,
        }
    )
    [row] = tickets.read(
        [ticket],
        ["user_id", "priority", "relation_is_complaint", "relation_tier_id", "number"],
    )
    assert row["relation_is_complaint"]
    assert row["user_id"][0] == manager_uid, row
    assert row["priority"] in ("2", "3"), row
    assert row["relation_tier_id"], row

    seller = server.connect("crm_user")
    orders = seller.env["sale.order"]
    [product] = seller.env["product.product"].search([("sale_ok", "=", True)], limit=1)
    order = orders.create(
        {
            "partner_id": customer,
            "user_id": seller_uid,
            "order_line": [(0, 0, {"product_id": product, "product_uom_qty": 1})],
        }
    )
    [shown] = orders.read(
        [order], ["relation_open_complaint_count", "relation_tier_id"]
    )
    assert shown["relation_open_complaint_count"] >= 1, shown
    with pytest.raises(odoorpc.error.RPCError, match=row["number"]):
        orders.browse(order).action_confirm()
    wizards = seller.env["crm.relation.complaint.ack.wizard"]
    wizard = wizards.create(
        {"order_ids": [(6, 0, [order])], "remarks": "Replacement lid promised"}
    )
    wizards.browse(wizard).action_confirm()
    assert orders.read([order], ["state"])[0]["state"] == "sale"
    notes = seller.env["mail.message"].search_read(
        [("model", "=", "sale.order"), ("res_id", "=", order)], ["body"]
    )
    assert any(row["number"] in n["body"] for n in notes), notes
