# Copyright 2026 crm_relation developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, new_test_user, tagged

from .common import trusted
from .invoicing_case import TODAY, InvoicingCase


@tagged("post_install", "-at_install", "crm_relation")
class TestSaleService(InvoicingCase):
    """Seed 002 on the sale order: the customer's grade and open tickets,
    acknowledging open complaints before confirming, pricelists by grade."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # A plain salesman: no Customer Relations group, no Helpdesk group.
        cls.salesman = cls._company_user(
            "t_sale_plain", "sales_team.group_sale_salesman"
        )
        cls.helpdesk_salesman = cls._company_user(
            "t_sale_helpdesk",
            "sales_team.group_sale_salesman,helpdesk_mgmt.group_helpdesk_user",
        )
        cls.outsider = cls._company_user("t_sale_outsider", "base.group_user")
        cls.Ticket = cls.env["helpdesk.ticket"].sudo()
        cls.open_stage = (
            cls.env["helpdesk.ticket.stage"]
            .sudo()
            .create({"name": "Sale Test Open", "closed": False, "company_id": False})
        )
        cls.closed_stage = (
            cls.env["helpdesk.ticket.stage"]
            .sudo()
            .create({"name": "Sale Test Done", "closed": True, "company_id": False})
        )
        cls.gold = cls.env.ref("crm_relation.tier_g")
        cls.silver = cls.env.ref("crm_relation.tier_s")
        cls.customer = cls._graded("服务客户 Service Customer", cls.gold, "active")
        cls.contact = cls.env["res.partner"].create(
            {"name": "Contact of the customer", "parent_id": cls.customer.id}
        )
        cls.complaint = cls._ticket(cls.contact, "Broken kettle", complaint=True)
        cls._ticket(cls.customer, "How to descale", complaint=False)
        cls._ticket(cls.customer, "Late delivery", complaint=True, closed=True)
        cls.other_company = cls.env["res.company"].create({"name": "Other Co"})
        cls._ticket(
            cls.customer, "Elsewhere", complaint=True, company=cls.other_company
        )
        cls.calm = cls._graded("Calm Customer", cls.silver, "active")

    @classmethod
    def _graded(cls, name, tier, status):
        partner = cls.env["res.partner"].create(
            {"name": name, "is_company": True, "customer_rank": 1}
        )
        trusted(partner.with_company(cls.company).sudo()).write(
            {"relation_tier_id": tier.id, "relation_status": status}
        )
        return partner

    @classmethod
    def _ticket(cls, partner, name, complaint, closed=False, company=None):
        return cls.Ticket.create(
            {
                "name": name,
                "description": name,
                "partner_id": partner.id,
                "company_id": (company or cls.company).id,
                "relation_is_complaint": complaint,
                "stage_id": (cls.closed_stage if closed else cls.open_stage).id,
            }
        )

    def _order(self, partner, user=None, **vals):
        user = user or self.salesman
        return (
            self.env["sale.order"]
            .with_user(user)
            .with_company(self.company)
            .create(
                {
                    "partner_id": partner.id,
                    "user_id": user.id,
                    "order_line": [Command.create({"product_id": self.product_a.id})],
                    **vals,
                }
            )
        )

    def _ack_wizard(self, orders, user=None):
        action = orders.with_user(user or self.salesman).action_crm_relation_confirm()
        self.assertEqual(action["res_model"], "crm.relation.complaint.ack.wizard")
        return (
            self.env[action["res_model"]]
            .with_user(user or self.salesman)
            .with_context(**action["context"])
            .create({})
        )

    def _notes(self, order):
        return order.message_ids.filtered(lambda m: m.message_type == "comment")

    # -- what the order shows --------------------------------------------------

    def test_order_shows_grade_and_open_tickets_to_a_plain_salesman(self):
        order = self._order(self.contact)
        calm = self._order(self.calm)
        orders = (order | calm).with_user(self.salesman)
        self.assertEqual(
            [(o.relation_tier_id, o.relation_status, o.relation_open_ticket_count,
              o.relation_open_complaint_count) for o in orders],
            [(self.gold, "active", 2, 1), (self.silver, "active", 0, 0)],
            "the contact's complaint counts for its company; closed tickets and "
            "tickets of another company do not",
        )  # fmt: skip
        # The salesman reads the tier badge though in no Customer Relations group.
        self.assertIn("Gold", orders[0].relation_tier_id.display_name)
        # The same order seen from the other company's side: its own tickets.
        elsewhere = self.env["sale.order"].create(
            {"partner_id": self.customer.id, "company_id": self.other_company.id}
        )
        self.assertEqual(
            (elsewhere.relation_open_complaint_count, elsewhere.relation_tier_id.id),
            (1, False),
        )

    def test_warning_banner_shown_only_with_open_complaints(self):
        arch = (
            self.env["sale.order"]
            .with_user(self.salesman)
            .get_view(self.env.ref("sale.view_order_form").id)["arch"]
        )
        self.assertIn('class="alert alert-warning mb-0" role="alert"', arch)
        self.assertIn(
            "not relation_open_complaint_count or state in ('sale', 'cancel')", arch
        )
        # Without Helpdesk rights no ticket button; the banner still counts.
        self.assertNotIn("action_view_open_tickets", arch)
        self.assertTrue(self._order(self.customer).relation_open_complaint_count)
        self.assertFalse(self._order(self.calm).relation_open_complaint_count)
        # Closing the complaint hides it.
        self.complaint.stage_id = self.closed_stage
        self.assertFalse(self._order(self.customer).relation_open_complaint_count)

    def test_open_tickets_button_for_helpdesk_users(self):
        order = self._order(self.customer, user=self.helpdesk_salesman)
        action = order.with_user(self.helpdesk_salesman).action_view_open_tickets()
        tickets = (
            self.env["helpdesk.ticket"]
            .with_user(self.helpdesk_salesman)
            .search(action["domain"])
        )
        self.assertEqual(len(tickets), 2)
        self.assertIn(self.complaint, tickets)

    # -- acknowledging open complaints -------------------------------------------

    def test_no_complaint_confirms_at_once(self):
        order = self._order(self.calm)
        self.assertTrue(order.with_user(self.salesman).action_crm_relation_confirm())
        self.assertEqual(order.state, "sale")

    def test_direct_confirm_names_the_open_complaints(self):
        order = self._order(self.customer)
        with self.assertRaises(UserError) as caught:
            order.with_user(self.salesman).action_confirm()
        message = str(caught.exception)
        self.assertIn(self.complaint.number, message)
        self.assertIn("Broken kettle", message)
        self.assertIn(order.name, message)
        self.assertNotIn("Late delivery", message)
        self.assertEqual(order.state, "draft")
        # What an RPC caller may put in the context is no way round it, for
        # a salesman or a manager: only the sync door's own object is.
        for user in (self.salesman, self.env.ref("base.user_admin")):
            for key in ("crm_relation_cause", "crm_relation_sync_confirm"):
                with self.subTest(user=user.login, key=key):
                    with self.assertRaises(UserError):
                        order.with_user(user).with_context(
                            **{key: "sync"}
                        ).action_confirm()
        self.assertEqual(order.state, "draft")

    def test_acknowledgement_logs_who_and_which_then_confirms(self):
        order = self._order(self.customer)
        wizard = self._ack_wizard(order)
        self.assertEqual(wizard.complaint_count, 1)
        self.assertIn("Broken kettle", wizard.complaint_summary)
        wizard.remarks = "Replacement kettle promised"
        wizard.action_confirm()
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.sudo().relation_complaint_ack_ticket_ids, self.complaint)
        note = self._notes(order).filtered(lambda m: self.complaint.number in m.body)
        self.assertEqual(len(note), 1)
        self.assertIn(self.salesman.name, note.body)
        self.assertIn("Replacement kettle promised", note.body)
        self.assertEqual(note.author_id, self.salesman.partner_id)

    def test_acknowledgement_is_set_only_by_the_wizard(self):
        order = self._order(self.customer)
        with self.assertRaisesRegex(UserError, "relation_complaint_ack_ticket_ids"):
            order.with_user(self.salesman).write(
                {"relation_complaint_ack_ticket_ids": [Command.set(self.complaint.ids)]}
            )
        with self.assertRaisesRegex(UserError, "relation_complaint_ack_ticket_ids"):
            order.write(
                {"relation_complaint_ack_ticket_ids": [Command.set(self.complaint.ids)]}
            )
        # A complaint opened after an acknowledgement needs its own.
        wizard = self._ack_wizard(order)
        with self.assertRaisesRegex(UserError, "relation_complaint_ack_ticket_ids"):
            order.sudo().with_context(crm_relation_complaint_ack=True).write(
                {"relation_complaint_ack_ticket_ids": [Command.set(self.complaint.ids)]}
            )
        trusted(order.sudo()).write(
            {"relation_complaint_ack_ticket_ids": [Command.set(self.complaint.ids)]}
        )
        fresh = self._ticket(self.customer, "Scratched lid", complaint=True)
        wizard.invalidate_recordset()
        self.assertEqual(wizard.complaint_count, 1)
        with self.assertRaisesRegex(UserError, "Scratched lid"):
            order.with_user(self.salesman).action_confirm()
        wizard.action_confirm()
        self.assertEqual(
            order.sudo().relation_complaint_ack_ticket_ids, self.complaint | fresh
        )

    def test_several_orders_acknowledged_at_once_from_the_list(self):
        second = self._graded("Second Unhappy Customer", self.gold, "active")
        other_complaint = self._ticket(second, "Wrong colour", complaint=True)
        orders = (
            self._order(self.customer) | self._order(second) | self._order(self.calm)
        )
        server_action = self.env.ref(
            "crm_relation.action_sale_order_crm_relation_confirm"
        )
        action = (
            server_action.with_user(self.salesman)
            .with_context(active_model="sale.order", active_ids=orders.ids)
            .run()
        )
        self.assertEqual(action["res_model"], "crm.relation.complaint.ack.wizard")
        wizard = (
            self.env[action["res_model"]]
            .with_user(self.salesman)
            .with_context(**action["context"])
            .create({})
        )
        self.assertEqual(wizard.order_ids, orders)
        self.assertEqual(wizard.complaint_count, 2)
        wizard.action_confirm()
        self.assertEqual(set(orders.mapped("state")), {"sale"})
        for order, complaint in zip(
            orders[:2], (self.complaint, other_complaint), strict=True
        ):
            with self.subTest(order=order.name):
                self.assertEqual(
                    order.sudo().relation_complaint_ack_ticket_ids, complaint
                )
                self.assertTrue(
                    self._notes(order).filtered(
                        lambda m, c=complaint: c.number in m.body
                    )
                )
        self.assertFalse(orders[2].sudo().relation_complaint_ack_ticket_ids)

    def test_sync_confirms_and_logs_the_open_complaints(self):
        integration = self._company_user(
            "t_sale_integration", "crm_relation.group_crm_relation_integration"
        )
        self.env["product.product"].create(
            {"name": "Sync Kettle", "default_code": "SVC-KETTLE", "list_price": 50}
        )
        door = self.env["crm.relation.sync"].with_user(integration)
        door = door.with_company(self.company)
        [partner] = door.sync_partners(
            [{"source": "shop", "external_id": "SVC1", "name": "Synced Unhappy"}]
        )
        customer = self.env["res.partner"].browse(partner["id"])
        complaint = self._ticket(customer, "Leaking kettle", complaint=True)
        [result] = door.sync_orders(
            [{"source": "shop", "external_id": "SVO1", "customer_external_id": "SVC1",
              "date_order": str(TODAY - timedelta(days=1)),
              "lines": [{"product": "SVC-KETTLE", "quantity": 1, "price_unit": 50}]}]
        )  # fmt: skip
        self.assertEqual((result["status"], result["error"]), ("created", False))
        order = self.env["sale.order"].browse(result["id"])
        self.assertEqual(order.state, "sale")
        note = self._notes(order).filtered(lambda m: complaint.number in m.body)
        self.assertIn("without acknowledgement", note.body)

    def test_blocked_customer_refused_before_complaints_with_a_clear_message(self):
        trusted(self.customer.with_company(self.company).sudo()).write(
            {"relation_blocked": True, "relation_block_reason": "Unpaid invoices"}
        )
        order = self._order(self.customer)
        for method in ("action_confirm", "action_crm_relation_confirm"):
            with self.subTest(method=method), self.assertRaises(UserError) as caught:
                getattr(order.with_user(self.salesman), method)()
            message = str(caught.exception)
            for part in (self.customer.name, self.company.name, "Unpaid invoices",
                         order.name, "unblocks"):  # fmt: skip
                self.assertIn(part, message)
        self.assertEqual(order.state, "draft")

    # -- pricelists by grade -----------------------------------------------------------

    def _pricelists(self):
        Pricelist = self.env["product.pricelist"]
        gold_list, vip_list = Pricelist.create(
            [
                {"name": name, "currency_id": self.company.currency_id.id,
                 "company_id": self.company.id}
                for name in ("Gold Prices", "VIP Prices")
            ]
        )  # fmt: skip
        self.gold.with_company(self.company).pricelist_id = gold_list
        self.company.write(
            {"relation_tier_pricelist": True,
             "relation_vip_pricelist_id": vip_list.id}
        )  # fmt: skip
        return gold_list, vip_list

    def _make_vip(self, partner):
        trusted(self.env["crm.relation.vip"].sudo()).create(
            {"partner_id": partner.id, "company_id": self.company.id,
             "reason": "Sale test", "state": "active", "card_number": "VIP-SALE-1",
             "date_start": TODAY, "date_end": TODAY + timedelta(days=365)}
        )  # fmt: skip

    def test_tier_pricelist_on_new_orders(self):
        gold_list, _vip_list = self._pricelists()
        # Created over RPC without a pricelist.
        self.assertEqual(self._order(self.contact).pricelist_id, gold_list)
        # In the form, on choosing the customer.
        form = Form(self.env["sale.order"].with_user(self.salesman))
        form.partner_id = self.customer
        with form.order_line.new() as line:
            line.product_id = self.product_a
        self.assertEqual(form.save().pricelist_id, gold_list)
        # A tier without a pricelist: the customer's own.
        calm = self._order(self.calm)
        self.assertEqual(calm.pricelist_id, self.calm.property_product_pricelist)

    def test_vip_pricelist_before_tier_pricelist(self):
        _gold_list, vip_list = self._pricelists()
        self._make_vip(self.customer)
        order = self._order(self.contact)
        self.assertTrue(order.relation_is_vip)
        self.assertEqual(order.pricelist_id, vip_list)
        # Orders are searched by their customer's VIP card in their company.
        other = self._order(self.env["res.partner"].create({"name": "Not a VIP"}))
        Order = self.env["sale.order"]
        orders = [("id", "in", (order | other).ids)]
        self.assertEqual(Order.search([*orders, ("relation_is_vip", "=", True)]), order)
        self.assertEqual(
            Order.search([*orders, ("relation_is_vip", "=", False)]), other
        )

    def test_setting_off_and_explicit_pricelist_left_alone(self):
        gold_list, vip_list = self._pricelists()
        self._make_vip(self.customer)
        explicit = self.env["product.pricelist"].create(
            {"name": "Fair Prices", "currency_id": self.company.currency_id.id}
        )
        self.assertEqual(
            self._order(self.customer, pricelist_id=explicit.id).pricelist_id, explicit
        )
        self.company.relation_tier_pricelist = False
        order = self._order(self.customer)
        self.assertEqual(
            order.pricelist_id,
            self.customer.with_company(self.company).property_product_pricelist,
        )
        self.assertNotIn(order.pricelist_id, gold_list | vip_list)

    def test_grade_pricelists_in_the_company_currency_only(self):
        other = self.env.ref("base.EUR")
        if other == self.company.currency_id:
            other = self.env.ref("base.USD")
        foreign = self.env["product.pricelist"].create(
            {"name": "Foreign", "currency_id": other.id}
        )
        with self.assertRaises(ValidationError) as caught:
            self.company.relation_vip_pricelist_id = foreign
        self.assertIn(
            f"is in {other.name}; {self.company.name} sells in "
            f"{self.company.currency_id.name}",
            str(caught.exception),
        )
        with self.assertRaises(ValidationError) as caught:
            self.gold.with_company(self.company).pricelist_id = foreign
        self.assertIn("tier G", str(caught.exception))
        self.assertIn(f"is in {other.name}; {self.company.name} sells in",
                      str(caught.exception))  # fmt: skip
        # A customer buying in another currency keeps its pricelist.
        self._pricelists()
        self.customer.with_company(self.company).property_product_pricelist = foreign
        self.assertEqual(self._order(self.customer).pricelist_id, foreign)

    # -- access ----------------------------------------------------------------------

    def test_access_per_group(self):
        order = self._order(self.customer)
        Wizard = self.env["crm.relation.complaint.ack.wizard"]
        for user in (self.outsider, self.user, self.auditor):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                Wizard.with_user(user).create({"order_ids": [Command.set(order.ids)]})
        # Someone else's order: a salesman who sees only his own cannot
        # acknowledge for it.
        colleague = new_test_user(
            self.env,
            "t_sale_colleague",
            groups="sales_team.group_sale_salesman",
            company_id=self.company.id,
            company_ids=[Command.set(self.company.ids)],
        )
        with self.assertRaises(AccessError):
            Wizard.with_user(colleague).create(
                {"order_ids": [Command.set(order.ids)]}
            ).action_confirm()
        self.assertEqual(order.state, "draft")
        # Customer Relations users and auditors read the order's service view.
        for user in (self.user, self.auditor, self.salesman):
            with self.subTest(user=user.login):
                [vals] = order.with_user(user).read(
                    [
                        "relation_tier_id",
                        "relation_open_complaint_count",
                        "relation_is_vip",
                    ]
                )
                self.assertEqual(
                    (
                        vals["relation_tier_id"][0],
                        vals["relation_open_complaint_count"],
                    ),
                    (self.gold.id, 1),
                )
        # The outsider reads no tier; the salesman reads tiers, edits none.
        with self.assertRaises(AccessError):
            self.gold.with_user(self.outsider).read(["name"])
        with self.assertRaises(AccessError):
            self.gold.with_user(self.salesman).write({"name": "Gilded"})
        # Only a customer manager changes a tier's pricelist.
        with self.assertRaises(AccessError):
            self.gold.with_user(self.user).write({"pricelist_id": False})
