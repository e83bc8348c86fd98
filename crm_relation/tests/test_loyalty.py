# Copyright 2026 crm_relation developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .invoicing_case import TODAY, InvoicingCase

# Points the test programme gives per unit of the company currency spent.
POINTS_PER_UNIT = 2.0


@tagged("post_install", "-at_install", "crm_relation")
class TestLoyalty(InvoicingCase):
    """Membership points through Odoo's own loyalty programme: the VIPs'
    cards, their points from confirmed orders, and nobody else's."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Vip = cls.env["crm.relation.vip"].with_company(cls.company)
        cls.Card = cls.env["loyalty.card"]
        cls.program = cls._points_programme(cls.company)
        cls.company.relation_loyalty_program_id = cls.program

    @classmethod
    def _points_programme(cls, company, name="Members' points"):
        Program = cls.env["loyalty.program"].sudo().with_company(company)
        return Program.create(
            {
                **Program._get_template_values()["loyalty"],
                "name": name,
                "company_id": company.id,
                "rule_ids": [
                    Command.clear(),
                    Command.create(
                        {
                            "reward_point_mode": "money",
                            "reward_point_amount": POINTS_PER_UNIT,
                        }
                    ),
                ],
            }
        )

    # -- helpers --------------------------------------------------------------

    def _nominate(self, *partners):
        vips = self.Vip.with_user(self.manager).create(
            [{"partner_id": p.id, "reason": "Loyal buyer"} for p in partners]
        )
        vips.with_user(self.manager).action_send_invitation()
        return vips

    def _register(self, vips):
        self.env["crm.relation.vip.wizard"].with_user(self.manager).create(
            {"vip_ids": [Command.set(vips.ids)], "action": "register",
             "date_reply": TODAY}
        ).action_apply()  # fmt: skip

    def _wizard(self, vips, action, **vals):
        self.env["crm.relation.vip.wizard"].with_user(self.manager).create(
            {"vip_ids": [Command.set(vips.ids)], "action": action, **vals}
        ).action_apply()

    def _member(self, name):
        partner = self._customer(name)
        self._register(self._nominate(partner))
        return partner

    def _cards(self, partners, program=None):
        return self.Card.sudo().search(
            [("partner_id", "in", partners.ids),
             ("program_id", "=", (program or self.program).id)]
        )  # fmt: skip

    def _order(self, partner, amount):
        """Confirm an untaxed order worth ``amount`` (company currency)."""
        order = self.env["sale.order"].create(
            {
                "partner_id": partner.id,
                "company_id": self.company.id,
                "order_line": [
                    Command.create(
                        {
                            "product_id": self.product_a.id,
                            "product_uom_qty": 2,
                            "price_unit": amount / 2,
                            "tax_ids": [Command.clear()],
                        }
                    )
                ],
            }
        )
        order.action_confirm()
        self.assertEqual(order.state, "sale")
        return order

    # -- the card ---------------------------------------------------------------

    def test_activation_gives_one_card_and_reactivation_none(self):
        first, second = self._customer("Member A"), self._customer("Member B")
        vips = self._nominate(first, second)
        self.assertFalse(self._cards(first | second), "invited is not yet a member")
        self._register(vips)  # both at once
        cards = self._cards(first | second)
        self.assertEqual(sorted(cards.partner_id.ids), sorted((first | second).ids))
        self.assertEqual(cards.mapped("points"), [0.0, 0.0])
        # Suspended and active again: the same card.
        self._wizard(vips[0], "suspend", reason="Unpaid invoices")
        self._wizard(vips[0], "resume", reason="Paid")
        self.assertEqual(vips[0].state, "active")
        # Asked again (renewal, relinking the programme): nothing new.
        vips._loyalty_enrol()
        self.company.relation_loyalty_program_id = self.program
        self.assertEqual(self._cards(first | second), cards)
        customer = self._in(first)
        self.assertEqual(customer.relation_loyalty_card_id, cards.filtered(
            lambda c: c.partner_id == first))  # fmt: skip

    def test_programme_chosen_later_gives_active_vips_their_card(self):
        self.company.relation_loyalty_program_id = False
        partner = self._member("Early member")
        self.assertFalse(self.Card.search([("partner_id", "=", partner.id)]))
        self.assertFalse(self._in(partner).relation_loyalty_card_id)
        later = self._points_programme(self.company, "Points from now on")
        self.company.relation_loyalty_program_id = later
        self.assertEqual(len(self._cards(partner, later)), 1)

    def test_programme_is_a_loyalty_programme_of_the_company(self):
        promotion = self.env["loyalty.program"].create(
            {"name": "Spring sale", "program_type": "promotion",
             "company_id": self.company.id}
        )  # fmt: skip
        with self.assertRaisesRegex(ValidationError, "Spring sale"):
            self.company.relation_loyalty_program_id = promotion
        other = self.setup_other_company()["company"]
        with self.assertRaises(UserError):
            self.company.relation_loyalty_program_id = self._points_programme(other)

    # -- earning ----------------------------------------------------------------

    def test_member_order_earns_by_the_programme_rule(self):
        partner = self._member("Earning member")
        order = self._order(partner, 300.0)
        card = self._cards(partner)
        self.assertEqual(card.points, 300.0 * POINTS_PER_UNIT)
        customer = self._in(partner)
        self.assertEqual(customer.relation_loyalty_points, 600.0)
        history = customer.relation_loyalty_history_ids
        self.assertEqual(len(history), 1)
        self.assertEqual((history.issued, history.order_id), (600.0, order.id))
        self._order(partner, 50.0)
        self.env.invalidate_all()  # as the next request of the form would
        self.assertEqual(self._in(partner).relation_loyalty_points, 700.0)
        self.assertEqual(len(self._in(partner).relation_loyalty_history_ids), 2)

    def test_non_members_earn_nothing(self):
        stranger = self._customer("Not a member")
        self._order(stranger, 300.0)
        self.assertFalse(self.Card.search([("partner_id", "=", stranger.id)]))
        self.assertFalse(self._in(stranger).relation_loyalty_card_id)
        self.assertEqual(self._in(stranger).relation_loyalty_points, 0.0)
        # An invited customer is not a member yet.
        invited = self._customer("Invited only")
        self._nominate(invited)
        self._order(invited, 300.0)
        self.assertFalse(self.Card.search([("partner_id", "=", invited.id)]))
        # A suspended VIP keeps the card and its points, and earns nothing.
        member = self._member("Suspended member")
        self._order(member, 100.0)
        vip = self.Vip.search([("partner_id", "=", member.id)])
        self._wizard(vip, "suspend", reason="Unpaid invoices")
        self._order(member, 300.0)
        self.assertEqual(self._cards(member).points, 200.0)
        self.assertEqual(self._in(member).relation_loyalty_points, 200.0)
        # Active again: the same card earns again.
        self._wizard(vip, "resume", reason="Paid")
        self._order(member, 10.0)
        self.assertEqual(self._cards(member).points, 220.0)
        # Orders in a contact's name earn nothing, and open no card.
        contact = self.env["res.partner"].create(
            {"name": "Buyer at the member", "parent_id": member.id}
        )
        self._order(contact, 300.0)
        self.assertFalse(self.Card.search([("partner_id", "=", contact.id)]))
        self.assertEqual(self._cards(member).points, 220.0)

    def test_demo_members_earned_their_points(self):
        """The demo's programme is the demo company's, and each active VIP
        has its card with the points of its order."""
        # The demo's company, read as superuser (the test user is elsewhere).
        company = self.env.ref("base.demo_company_cn").sudo()
        program = company.relation_loyalty_program_id
        self.assertEqual(program.program_type, "loyalty")
        members = (
            self.env["crm.relation.vip"]
            .sudo()
            .search([("company_id", "=", company.id), ("state", "=", "active")])
        )
        self.assertEqual(len(members), 3)
        cards = self._cards(members.partner_id, program).sudo()
        self.assertEqual(cards.partner_id, members.partner_id)
        for card in cards:
            order = self.env["sale.order"].sudo().browse(card.history_ids.order_id)
            self.assertEqual(order.partner_id, card.partner_id)
            # One point per yuan: the order's amount in yuan, rounded down.
            yuan = order.currency_id._convert(
                order.amount_total, self.cny, company, order.date_order.date()
            )
            self.assertAlmostEqual(card.points, yuan, delta=max(1.0, yuan * 0.01))

    # -- access -----------------------------------------------------------------

    def test_access_auditors_read_and_write_nothing(self):
        partner = self._member("Audited member")
        self._order(partner, 100.0)
        card = self._cards(partner)
        for user in (self.user, self.auditor):
            customer = partner.with_user(user).with_company(self.company)
            self.assertEqual(customer.relation_loyalty_card_id, card)
            self.assertEqual(customer.relation_loyalty_points, 200.0)
            self.assertEqual(customer.relation_loyalty_history_ids.issued, 200.0)
            self.assertTrue(customer.relation_loyalty_card_id.display_name)
        auditor_card = card.with_user(self.auditor)
        with mute_logger("odoo.addons.base.models.ir_model"):
            with self.assertRaises(AccessError):
                auditor_card.points = 1_000_000
            with self.assertRaises(AccessError):
                self.Card.with_user(self.auditor).create(
                    {"program_id": self.program.id, "partner_id": partner.id}
                )
            with self.assertRaises(AccessError):
                card.history_ids.with_user(self.auditor).write({"issued": 1.0})
            with self.assertRaises(AccessError):
                self.company.with_user(self.auditor).write(
                    {"relation_loyalty_program_id": False}
                )
            with self.assertRaises(AccessError):
                card.with_user(self.user).unlink()
        self.assertEqual(card.points, 200.0)
        outsider = self._company_user("t_loyalty_outsider", "base.group_user")
        with self.assertRaises(AccessError):
            partner.with_user(outsider).with_company(self.company).read(
                ["relation_loyalty_points"]
            )
