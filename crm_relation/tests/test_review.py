# Copyright 2026 crm_relation developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import TransactionCase, new_test_user, tagged

from .common import make_role_users


@tagged("post_install", "-at_install", "crm_relation")
class TestReview(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.users = make_role_users(cls.env)
        cls.manager2 = new_test_user(
            cls.env, "t_crm_manager2", groups="crm_relation.group_crm_relation_manager"
        )
        cls.customer = cls.env["res.partner"].create(
            {"name": "复审客户 Review Customer", "customer_rank": 1, "city": "Wuhan"}
        )
        cls.other = cls.env["res.partner"].create(
            {"name": "Review Customer Two", "customer_rank": 1}
        )
        cls.product = cls.env["product.product"].create(
            {"name": "Review Product", "list_price": 10.0}
        )

    def _as(self, role, records):
        user = self.manager2 if role == "manager2" else self.users[role]
        return records.with_user(user)

    def _review_both(self, records):
        self._as("user", records).action_review_first()
        self._as("manager", records).action_review_second()

    def test_first_then_second_review(self):
        self._as("user", self.customer).action_review_first()
        self.assertEqual(self.customer.relation_review_state, "first")
        self.assertEqual(self.customer.relation_review1_user_id, self.users["user"])
        self.assertTrue(self.customer.relation_review1_date)
        self._as("manager", self.customer).action_review_second()
        self.assertEqual(self.customer.relation_review_state, "second")
        self.assertEqual(self.customer.relation_review2_user_id, self.users["manager"])
        self.assertIn("Second review done", self.customer.message_ids[0].body)
        logged = (
            self.env["crm.relation.audit"]
            .sudo()
            .search([("model", "=", "res.partner"), ("res_id", "=", self.customer.id)])
        )
        self.assertEqual(
            set(logged.mapped("field_name")),
            {
                "relation_review1_done",
                "relation_review1_user_id",
                "relation_review2_done",
                "relation_review2_user_id",
            },
        )

    def test_review_refusals(self):
        with self.assertRaisesRegex(UserError, "needs its first review"):
            self._as("manager", self.customer).action_review_second()
        self._as("manager", self.customer).action_review_first()
        with self.assertRaisesRegex(UserError, "already has its first review"):
            self._as("user", self.customer).action_review_first()
        with self.assertRaisesRegex(UserError, "another customer manager"):
            self._as("manager", self.customer).action_review_second()
        with self.assertRaises(AccessError):
            self._as("user", self.customer).action_review_second()
        self._as("manager2", self.customer).action_review_second()
        with self.assertRaisesRegex(UserError, "already has its second review"):
            self._as("manager", self.customer).action_review_second()

    def test_who_may_give_a_first_review(self):
        for role in ("auditor", "outsider"):
            with self.subTest(role=role), self.assertRaises(AccessError):
                self._as(role, self.customer).action_review_first()
        self.assertFalse(self.customer.relation_review1_done)

    def test_a_selection_is_reviewed_whole_or_not_at_all(self):
        self._as("user", self.other).action_review_first()
        both = self.customer | self.other
        with self.assertRaises(UserError):
            self._as("manager", both).action_review_first()
        self.assertFalse(self.customer.relation_review1_done, "nothing half-written")
        self._as("manager", self.customer).action_review_first()
        self._as("manager2", both).action_review_second()
        self.assertEqual(set(both.mapped("relation_review_state")), {"second"})

    def test_stamps_are_not_edited_by_hand(self):
        admin = self.env.ref("base.user_admin")
        with self.assertRaisesRegex(UserError, "relation_review1_done"):
            self.customer.with_user(admin).write({"relation_review1_done": True})
        with self.assertRaisesRegex(UserError, "relation_review2_user_id"):
            self.env["res.partner"].create(
                {"name": "Forged", "relation_review2_user_id": admin.id}
            )
        with self.assertRaises(UserError):
            self.customer.with_user(admin).with_context(
                crm_relation_review_stamp=True
            ).write({"relation_review1_done": True})
        self.customer.write({"relation_review_remarks": "Checked against the contract"})
        self.assertEqual(
            self.customer.relation_review_remarks, "Checked against the contract"
        )

    def test_key_field_edit_clears_both_reviews(self):
        self._review_both(self.customer)
        self._as("integration", self.customer).write({"vat": "CN123"})
        self.assertEqual(self.customer.relation_review_state, "none")
        self.assertFalse(
            self.customer.relation_review1_user_id
            or self.customer.relation_review2_user_id
        )
        self.assertIn(self.customer._fields["vat"].string,
                      self.customer.relation_review_reset_reason)  # fmt: skip
        self.assertIn(
            self.users["integration"].name, self.customer.relation_review_reset_reason
        )
        cleared = (
            self.env["crm.relation.audit"]
            .sudo()
            .search(
                [
                    ("res_id", "=", self.customer.id),
                    ("field_name", "=", "relation_review2_done"),
                    ("new_value", "=", "False"),
                ]
            )
        )
        self.assertEqual(cleared.user_id, self.users["integration"])

    def test_other_edits_keep_reviews(self):
        self._review_both(self.customer)
        self.customer.write({"website": "https://example.cn", "comment": "VIP?"})
        self.customer.write({"city": "Wuhan"})  # same value: no change
        self.assertEqual(self.customer.relation_review_state, "second")
        self.other.write({"vat": "CN999"})  # not reviewed: nothing to clear
        self.assertFalse(self.other.relation_review_reset_reason)

    def test_key_fields_are_configurable(self):
        policy = self.env.ref("crm_relation.review_policy_res_partner")
        vat = self.env.ref("base.field_res_partner__vat")
        policy.with_user(self.users["manager"]).field_ids = [Command.unlink(vat.id)]
        self._review_both(self.customer)
        self.customer.write({"vat": "CN777"})
        self.assertEqual(self.customer.relation_review_state, "second")
        with self.assertRaises(AccessError):
            policy.with_user(self.users["user"]).field_ids = [Command.link(vat.id)]
        with self.assertRaises(ValidationError):
            policy.field_ids = [
                Command.link(self.env.ref("base.field_res_users__login").id)
            ]
        with self.assertRaises(ValidationError):
            policy.field_ids = [
                Command.link(
                    self.env.ref(
                        "crm_relation.field_res_partner__relation_review1_done"
                    ).id
                )
            ]
        with self.assertRaises(ValidationError):
            self.env["crm.relation.review.policy"].create(
                {"model_id": self.env.ref("base.model_res_country").id}
            )

    def test_bank_account_change_clears_customer_reviews(self):
        self._review_both(self.customer)
        self.env["res.partner.bank"].create(
            {"partner_id": self.customer.id, "acc_number": "6222 1234"}
        )
        self.assertEqual(self.customer.relation_review_state, "none")

    def test_sale_order_lines_and_ticket_key_fields(self):
        order = self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "order_line": [Command.create({"product_id": self.product.id})],
            }
        )
        self._review_both(order)
        order.write({"note": "Deliver in the morning"})
        self.assertEqual(order.relation_review_state, "second")
        line = order.order_line
        order.write({"order_line": [Command.update(line.id, {"product_uom_qty": 5})]})
        self.assertEqual(order.relation_review_state, "none")
        agents = self.users["user"] | self.users["manager"]
        agents.group_ids += self.env.ref("helpdesk_mgmt.group_helpdesk_user")
        ticket = self.env["helpdesk.ticket"].create(
            {"name": "Broken part", "description": "<p>It broke</p>",
             "partner_id": self.customer.id}
        )  # fmt: skip
        self._review_both(ticket)
        self.assertEqual(ticket.relation_review_state, "second")
        ticket.write({"name": "Broken part, twice"})
        self.assertEqual(ticket.relation_review_state, "none")
        self.assertIn("Reviews cleared", ticket.message_ids[0].body)

    def test_new_customer_needs_a_managers_review_when_set(self):
        order = self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "order_line": [Command.create({"product_id": self.product.id})],
            }
        )
        self.env.company.relation_review_new_customers = True
        with self.assertRaisesRegex(UserError, "no customer manager has reviewed"):
            order.action_confirm()
        self._as("user", self.customer).action_review_first()
        with self.assertRaisesRegex(UserError, "no customer manager has reviewed"):
            order.action_confirm()
        self._as("manager", self.customer).action_review_second()
        order.action_confirm()
        self.assertEqual(order.state, "sale")

    def test_setting_off_or_known_customer_confirms(self):
        order = self.env["sale.order"].create(
            {
                "partner_id": self.other.id,
                "order_line": [Command.create({"product_id": self.product.id})],
            }
        )
        order.action_confirm()
        self.assertEqual(order.state, "sale")
        self.env.company.relation_review_new_customers = True
        self.env.cr.execute(
            "UPDATE res_partner SET relation_status = jsonb_build_object(%s, 'active')"
            " WHERE id = %s",
            [str(self.env.company.id), self.customer.id],
        )
        self.customer.invalidate_recordset(["relation_status"])
        order2 = order.copy({"partner_id": self.customer.id})
        order2.action_confirm()
        self.assertEqual(order2.state, "sale")
