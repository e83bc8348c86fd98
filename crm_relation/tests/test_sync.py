# Copyright 2026 crm_relation developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from unittest.mock import patch

from psycopg2 import errors as pg_errors

from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from ..models import crm_relation_sync
from ..models.crm_relation_rfm_engine import CrmRelationRfmEngine
from .common import trusted
from .invoicing_case import TODAY, InvoicingCase


@tagged("post_install", "-at_install", "crm_relation")
class TestSync(InvoicingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.integration = cls._company_user(
            "t_sync_integration", "crm_relation.group_crm_relation_integration"
        )
        cls.tea = cls.env["product.product"].create(
            {"name": "Sync Tea", "default_code": "SYNC-TEA", "list_price": 100}
        )
        cls.cup = cls.env["product.product"].create(
            {"name": "Sync Cup", "barcode": "6901234567892", "list_price": 20}
        )

    def _sync(self, method, rows, user=None):
        door = self.env["crm.relation.sync"].with_user(user or self.integration)
        return getattr(door.with_company(self.company), method)(rows)

    def _after_commit(self):
        """Run what the call left for after its commit, as the server does
        (new cursors wrap the test's own)."""
        with self.enter_registry_test_mode():
            self.env.cr.postcommit.run()
        self.env.invalidate_all()

    def _history(self, partner):
        return self.env["crm.relation.tier.history"].search(
            [("partner_id", "=", partner.id)]
        )

    def _partner(self, external_id="C1", **vals):
        return {"source": "shop", "external_id": external_id,
                "name": f"Customer {external_id}", **vals}  # fmt: skip

    def _order(self, external_id="O1", customer="C1", **vals):
        return {
            "source": "shop",
            "external_id": external_id,
            "customer_external_id": customer,
            "date_order": str(TODAY),
            "lines": [{"product": "SYNC-TEA", "quantity": 3, "price_unit": 100},
                      {"product": "6901234567892", "quantity": 2, "price_unit": 20,
                       "discount": 10}],
            **vals,
        }  # fmt: skip

    # -- partners -----------------------------------------------------------

    def test_create_update_unchanged(self):
        row = self._partner(city="Wuhan", email="c1@example.cn", country_code="cn",
                            mobile="13800000000", birthday="1990-05-04")  # fmt: skip
        [created] = self._sync("sync_partners", [row])
        self.assertEqual(
            {k: created[k] for k in ("external_id", "status", "error")},
            {"external_id": "C1", "status": "created", "error": False},
        )
        partner = self.env["res.partner"].browse(created["id"])
        self.assertEqual(
            (partner.city, partner.country_id.code, partner.relation_mobile,
             str(partner.birthdate_date)),
            ("Wuhan", "CN", "13800000000", "1990-05-04"),
        )  # fmt: skip
        self.assertEqual(self._sync("sync_partners", [row])[0]["status"], "unchanged")
        [updated] = self._sync("sync_partners", [dict(row, city="Hefei")])
        self.assertEqual((updated["status"], updated["id"]), ("updated", partner.id))
        self.assertEqual(partner.city, "Hefei")
        mapping = self.env["crm.relation.sync.map"].search(
            [("source", "=", "shop"), ("external_id", "=", "C1")]
        )
        self.assertEqual((mapping.res_id, mapping.model), (partner.id, "res.partner"))
        audit = (
            self.env["crm.relation.audit"]
            .sudo()
            .search([("res_id", "=", partner.id), ("field_name", "=", "city")])
        )
        self.assertEqual((audit.new_value, audit.cause), ("Hefei", "sync"))

    def test_bad_rows_are_reported_and_never_half_written(self):
        before = self.env["res.partner"].search_count([])
        rows = [
            self._partner("G1"),
            self._partner("B1", email="not-an-email"),
            self._partner("G2", is_company=True, tags=["茶叶", "wholesale"]),
            self._partner("B2", country_code="XX"),
            self._partner("B3", colour="blue"),
            self._partner("B4", parent_external_id="nobody"),
            self._partner("B5", account_manager_login="ghost"),
            {"source": "shop", "external_id": "B6"},
            self._partner("B7", birthday="31/02/1990"),
            self._partner("G1", city="twice"),
        ]
        results = self._sync("sync_partners", rows)
        self.assertEqual(
            [r["status"] for r in results],
            ["created", "error", "created", "error", "error", "error", "error",
             "error", "error", "error"],
        )  # fmt: skip
        errors = {r["external_id"]: r["error"] for r in results if r["error"]}
        self.assertIn("email 'not-an-email'", errors["B1"])
        self.assertIn("country_code 'XX'", errors["B2"])
        self.assertIn("colour", errors["B3"])
        self.assertIn("parent_external_id 'nobody'", errors["B4"])
        self.assertIn("account_manager_login 'ghost'", errors["B5"])
        self.assertIn("name is required", errors["B6"])
        self.assertIn("birthday '31/02/1990'", errors["B7"])
        self.assertIn("already in row 0", results[-1]["error"])
        self.assertEqual(self.env["res.partner"].search_count([]), before + 2)
        tags = self.env["res.partner"].browse(results[2]["id"]).category_id
        self.assertEqual(sorted(tags.mapped("name")), ["wholesale", "茶叶"])

    def test_results_echo_the_external_id_as_sent(self):
        row = {"source": "shop", "external_id": 7, "name": "Numbered"}
        for status in ("created", "unchanged", "updated"):
            if status == "updated":
                row = dict(row, city="Xiamen")
            [result] = self._sync("sync_partners", [row])
            self.assertEqual((result["external_id"], result["status"]), (7, status))

    def test_parent_manager_and_lang(self):
        results = self._sync(
            "sync_partners",
            [
                self._partner("CO", is_company=True),
                self._partner("CO-1", parent_external_id="CO",
                              account_manager_login=self.manager.login, lang="en_US"),
            ],
        )  # fmt: skip
        contact = self.env["res.partner"].browse(results[1]["id"])
        self.assertEqual(contact.parent_id.id, results[0]["id"])
        self.assertEqual(contact.user_id, self.manager)

    def test_a_failing_batch_is_retried_row_by_row(self):
        [parent] = self._sync("sync_partners", [self._partner("GONE", is_company=True)])
        # Deleted in Odoo behind the mapping: a child pointing at it fails in
        # the database, which fails the whole create batch.
        self.env.cr.execute("DELETE FROM res_partner WHERE id = %s", [parent["id"]])
        self.env.invalidate_all()
        rows = [self._partner("OK1"), self._partner("KID", parent_external_id="GONE"),
                self._partner("OK2")]  # fmt: skip
        with mute_logger("odoo.sql_db"):
            results = self._sync("sync_partners", rows)
        self.assertEqual(
            [r["status"] for r in results], ["created", "error", "created"]
        )
        self.assertIn("does not exist", results[1]["error"])
        self.assertEqual(
            self.env["res.partner"].search_count([("name", "=", "Customer KID")]), 0
        )

    def test_ids_are_per_source_and_company(self):
        [a] = self._sync("sync_partners", [self._partner("X")])
        [b] = self._sync("sync_partners", [dict(self._partner("X"), source="erp")])
        self.assertNotEqual(a["id"], b["id"])
        other = self.setup_other_company()["company"]
        self.integration.company_ids += other
        door = self.env["crm.relation.sync"].with_user(self.integration)
        [c] = door.with_company(other).sync_partners([self._partner("X")])
        self.assertEqual(c["status"], "created")
        self.assertNotEqual(c["id"], a["id"])

    def test_whole_call_refusals(self):
        before = self.env["res.partner"].search_count([])
        with self.assertRaisesRegex(UserError, "at most 5000 rows"):
            self._sync("sync_partners", [self._partner(str(i)) for i in range(5001)])
        with self.assertRaisesRegex(UserError, "rows must be a list"):
            self._sync("sync_partners", {"source": "shop"})
        self.assertEqual(self.env["res.partner"].search_count([]), before)
        # A row that is not a dict costs only itself.
        results = self._sync("sync_partners", [self._partner("A"), "oops", None])
        self.assertEqual([r["status"] for r in results], ["created", "error", "error"])
        self.assertIn("Row 1 is not a dict", results[1]["error"])
        self.assertEqual(results[2]["external_id"], False)

    def test_who_may_call(self):
        self.assertEqual(
            self._sync("sync_partners", [self._partner("M")], user=self.manager)[0][
                "status"
            ],
            "created",
        )
        outsider = new_test_user(self.env, "t_sync_outsider", groups="base.group_user")
        for user in (self.user, self.auditor, outsider):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self._sync("sync_partners", [self._partner("N")], user=user)
        with self.assertRaises(AccessError):
            self.env["crm.relation.sync.map"].with_user(self.user).search([])

    def test_partner_batch_keeps_odoo_partner_rules(self):
        self._sync("sync_partners",
                   [self._partner("CO", is_company=True, city="Wuhan")])  # fmt: skip
        results = self._sync(
            "sync_partners",
            [self._partner("R1"), self._partner("K1", parent_external_id="CO"),
             self._partner("R2", city="Hefei")],
        )  # fmt: skip
        self.assertEqual([r["status"] for r in results], ["created"] * 3)
        r1, k1, r2 = self.env["res.partner"].browse([r["id"] for r in results])
        self.assertEqual((r1.commercial_partner_id, r2.commercial_partner_id),
                         (r1, r2))  # fmt: skip
        self.assertEqual(r2.city, "Hefei")
        # The contact still takes its company's address and commercial entity.
        self.assertEqual((k1.parent_id.name, k1.city), ("Customer CO", "Wuhan"))
        self.assertEqual(k1.commercial_partner_id, k1.parent_id)

    def test_company_check_of_a_partner_batch(self):
        other = self.setup_other_company()
        foreign = other["default_account_receivable"]
        Partner = self.env["res.partner"]
        batch = Partner.create([{"name": f"Batch {i}"} for i in range(3)])
        self.assertEqual(len(batch), 3, "the same defaults, checked once")
        with self.assertRaisesRegex(UserError, "Batch bad") as caught:
            Partner.create([{"name": "Batch good"}, {"name": "Batch bad",
                            "property_account_receivable_id": foreign.id}])  # fmt: skip
        self.assertIn("company inconsistencies", str(caught.exception))
        self.assertNotIn("Batch good", str(caught.exception))

    # -- orders -------------------------------------------------------------

    def test_order_with_posted_invoice_feeds_rfm_once(self):
        self._sync("sync_partners", [self._partner("C1")])
        [result] = self._sync("sync_orders", [self._order(invoice="post")])
        self.assertEqual(result["status"], "created", result)
        order = self.env["sale.order"].browse(result["id"])
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.date_order.date(), TODAY)
        self.assertEqual(len(order.order_line), 2)
        self.assertAlmostEqual(order.amount_untaxed, 3 * 100 + 2 * 20 * 0.9)
        invoice = order.invoice_ids
        self.assertEqual((invoice.state, invoice.invoice_date), ("posted", TODAY))
        self.assertFalse(
            self._history(order.partner_id),
            "the customer is evaluated after the commit, not inside the call",
        )
        self._after_commit()
        again = self._sync("sync_orders", [self._order(invoice="post")])
        self.assertEqual(again[0]["status"], "unchanged")
        self.assertNotIn(crm_relation_sync.EVALUATE_LATER, self.env.cr.postcommit.data)
        self.assertEqual(len(order.invoice_ids), 1, "no second invoice")
        history = self._history(order.partner_id)
        self.assertEqual(history.trigger, "sync")
        self.assertEqual(history.new_status, "new")
        # Sealed by the evaluation's audit entry, with the sync as its cause.
        self.assertEqual(history.audit_id.cause, "sync")

    def test_evaluation_after_the_commit_is_retried_then_gives_up_loudly(self):
        self._sync("sync_partners", [self._partner("C1")])
        original = CrmRelationRfmEngine._evaluate_company
        calls = []

        def conflicting(times):
            def evaluate(engine, company, partners=None, trigger="manual", date=None):
                calls.append(trigger)
                if len(calls) <= times:
                    raise pg_errors.SerializationFailure("concurrent update")
                return original(engine, company, partners, trigger, date)

            return evaluate

        [result] = self._sync("sync_orders", [self._order(invoice="post")])
        customer = self.env["sale.order"].browse(result["id"]).partner_id
        with (
            patch.object(CrmRelationRfmEngine, "_evaluate_company", conflicting(2)),
            patch.object(crm_relation_sync, "_wait_before_retry") as wait,
        ):
            self._after_commit()
        self.assertEqual((calls, wait.call_count), (["sync"] * 3, 2))
        self.assertEqual(self._history(customer).trigger, "sync")

        # Conflicting every time: the call's orders stand, nothing escapes
        # after the commit, and the log says who waits for the next run.
        calls.clear()
        [result] = self._sync("sync_orders", [self._order("O2", invoice="post")])
        self.assertEqual(result["status"], "created")
        with (
            patch.object(CrmRelationRfmEngine, "_evaluate_company", conflicting(9)),
            patch.object(crm_relation_sync, "_wait_before_retry"),
            self.assertLogs(crm_relation_sync.__name__, "WARNING") as logged,
        ):
            self._after_commit()
        self.assertEqual(len(calls), crm_relation_sync.EVALUATE_TRIES)
        self.assertIn(f"Customers [{customer.id}]", logged.output[-1])
        self.assertIn("the next evaluation will", logged.output[-1])

    def test_order_errors_and_amendment(self):
        self._sync("sync_partners", [self._partner("C1")])
        bad_product = self._order("O2", lines=[{"product": "NOPE", "quantity": 1,
                                                "price_unit": 5}])  # fmt: skip
        bad_qty = self._order("O3", lines=[{"product": "SYNC-TEA", "quantity": -1,
                                            "price_unit": 5}])  # fmt: skip
        results = self._sync(
            "sync_orders",
            [self._order("O1"), bad_product, bad_qty, self._order("O4", customer="ZZ"),
             self._order("O5", invoice="later"), self._order("O6", currency="XYZ")],
        )  # fmt: skip
        self.assertEqual([r["status"] for r in results],
                         ["created"] + ["error"] * 5)  # fmt: skip
        self.assertIn("product 'NOPE'", results[1]["error"])
        self.assertIn("quantity -1", results[2]["error"])
        self.assertIn("customer_external_id 'ZZ'", results[3]["error"])
        self.assertIn("invoice must be one of", results[4]["error"])
        self.assertIn("currency 'XYZ'", results[5]["error"])
        self.assertFalse(
            self.env["sale.order"].search([("partner_id.name", "=", "Customer C1"),
                                           ("id", "!=", results[0]["id"])])
        )  # fmt: skip
        amended = self._order("O1")
        amended["lines"] = [{"product": "SYNC-TEA", "quantity": 5, "price_unit": 90}]
        [updated] = self._sync("sync_orders", [amended])
        self.assertEqual(updated["status"], "updated", updated)
        order = self.env["sale.order"].browse(updated["id"])
        tea = order.order_line.filtered(lambda x: x.product_id == self.tea)
        cup = order.order_line.filtered(lambda x: x.product_id == self.cup)
        self.assertEqual((tea.product_uom_qty, tea.price_unit), (5, 90))
        self.assertEqual(cup.product_uom_qty, 0, "a confirmed line is zeroed")

    def test_invoiced_order_is_not_changed_by_sync(self):
        self._sync("sync_partners", [self._partner("C1")])
        self._sync("sync_orders", [self._order(invoice="post")])
        changed = self._order(invoice="post")
        changed["lines"][0]["quantity"] = 9
        [result] = self._sync("sync_orders", [changed])
        self.assertEqual(result["status"], "error")
        self.assertIn("already delivered or invoiced", result["error"])

    def test_order_with_nothing_to_invoice_fails_in_a_batch_too(self):
        self._sync("sync_partners", [self._partner("C1")])
        self.env["product.product"].create(
            {"name": "Sync Delivered", "default_code": "SYNC-DLV",
             "list_price": 10, "invoice_policy": "delivery"}
        )  # fmt: skip
        delivered = self._order(
            "O2", invoice="post",
            lines=[{"product": "SYNC-DLV", "quantity": 1, "price_unit": 10}],
        )  # fmt: skip
        alone = self._sync("sync_orders", [delivered])[0]
        self.assertEqual(alone["status"], "error", alone)
        self.assertIn("Order O2 has nothing to invoice", alone["error"])
        results = self._sync("sync_orders", [self._order(invoice="post"), delivered])
        self.assertEqual([r["status"] for r in results], ["created", "error"])
        self.assertIn("O2", results[1]["error"])
        self.assertIn("nothing to invoice", results[1]["error"])
        order = self.env["sale.order"].browse(results[0]["id"])
        self.assertEqual(order.invoice_ids.state, "posted")
        self.assertFalse(
            self.env["sale.order"].search([("partner_id", "=", order.partner_id.id),
                                           ("id", "!=", order.id)]),
            "the failed row leaves no order",
        )  # fmt: skip

    def _confirmations(self):
        """A patch counting the orders of each ``action_confirm`` call."""
        model = type(self.env["sale.order"])
        original = model.action_confirm
        calls = []

        def action_confirm(orders):
            calls.append(len(orders))
            return original(orders)

        return patch.object(model, "action_confirm", action_confirm), calls

    def test_orders_in_one_batch_then_unchanged_then_one_updated(self):
        self._sync("sync_partners", [self._partner("C1"), self._partner("C2")])
        rows = [self._order("O1"), self._order("O2", customer="C2", invoice="post"),
                self._order("O3")]  # fmt: skip
        patched, calls = self._confirmations()
        with patched:
            results = self._sync("sync_orders", rows)
        self.assertEqual([r["status"] for r in results], ["created"] * 3, results)
        self.assertEqual(calls, [3], "the new orders are confirmed together")
        orders = self.env["sale.order"].browse([r["id"] for r in results])
        self.assertEqual(orders.mapped("state"), ["sale"] * 3)
        self.assertEqual({o.date_order.date() for o in orders}, {TODAY})
        self.assertEqual(
            [(len(o.invoice_ids), o.invoice_ids.state) for o in orders],
            [(0, False), (1, "posted"), (0, False)],
            "only the row asking for it is invoiced, in an invoice of its own",
        )
        self.assertEqual(orders[1].invoice_ids.invoice_date, TODAY)
        self.assertEqual(orders[0].partner_id.name, "Customer C1")
        mappings = self.env["crm.relation.sync.map"].search(
            [("model", "=", "sale.order"), ("res_id", "in", orders.ids)]
        )
        self.assertEqual(sorted(mappings.mapped("external_id")), ["O1", "O2", "O3"])
        stamps = {m.id: (m.payload_hash, m.last_sync) for m in mappings}
        self._after_commit()

        # The same payload again: nothing confirmed, written or re-evaluated.
        with patched:
            again = self._sync("sync_orders", rows)
        self.assertEqual([r["status"] for r in again], ["unchanged"] * 3)
        self.assertEqual([r["id"] for r in again], orders.ids)
        self.assertEqual(calls, [3])
        self.assertEqual({m.id: (m.payload_hash, m.last_sync) for m in mappings},
                         stamps)  # fmt: skip
        self.assertNotIn(crm_relation_sync.EVALUATE_LATER, self.env.cr.postcommit.data)

        # One order changed among unchanged ones: that one alone is amended.
        rows[2] = dict(rows[2], lines=[{"product": "SYNC-TEA", "quantity": 7,
                                        "price_unit": 80}])  # fmt: skip
        results = self._sync("sync_orders", rows)
        self.assertEqual([r["status"] for r in results],
                         ["unchanged", "unchanged", "updated"])  # fmt: skip
        tea = orders[2].order_line.filtered(lambda x: x.product_id == self.tea)
        self.assertEqual((tea.product_uom_qty, tea.price_unit), (7, 80))
        self.assertEqual(orders[2].date_order.date(), TODAY)
        self.assertNotEqual(mappings.filtered(lambda m: m.external_id == "O3")
                            .payload_hash, stamps[mappings[2].id][0])  # fmt: skip
        self.assertEqual(orders[0].order_line.mapped("product_uom_qty"), [3, 2])

    def test_a_bad_order_in_a_batch_costs_only_itself(self):
        self._sync("sync_partners", [self._partner(c) for c in ("C1", "C2", "C3")])
        mapping = self.env["crm.relation.sync.map"].search(
            [("model", "=", "res.partner"), ("external_id", "=", "C2")]
        )
        customer = self.env["res.partner"].browse(mapping.res_id)
        # Found out only at confirmation, which fails the whole batch: it is
        # tried again row by row.
        trusted(customer.with_company(self.company).sudo()).write(
            {"relation_blocked": True, "relation_block_reason": "Unpaid invoices"}
        )
        rows = [
            self._order("O1", invoice="post"),
            self._order("O2", customer="C2"),
            self._order("O3", customer="C3", lines=[{"product": "NOPE", "quantity": 1,
                                                     "price_unit": 5}]),
            self._order("O4", customer="C3"),
        ]  # fmt: skip
        patched, calls = self._confirmations()
        with patched:
            results = self._sync("sync_orders", rows)
        self.assertEqual([r["status"] for r in results],
                         ["created", "error", "error", "created"])  # fmt: skip
        self.assertIn("blocked", results[1]["error"])
        self.assertIn("product 'NOPE'", results[2]["error"])
        self.assertEqual(calls, [3, 1, 1, 1], "the batch, then row by row")
        self.assertFalse(
            self.env["sale.order"].search([("partner_id", "=", customer.id)]),
            "the refused row left no draft order behind",
        )
        self.assertFalse(
            self.env["crm.relation.sync.map"].search([("external_id", "=", "O2")])
        )
        first, last = self.env["sale.order"].browse([results[0]["id"],
                                                     results[3]["id"]])  # fmt: skip
        self.assertEqual((first.state, last.state), ("sale", "sale"))
        self.assertEqual(len(first.invoice_ids), 1, "one invoice, not one per try")
        self.assertEqual(first.invoice_ids.state, "posted")
        # Once unblocked, the same row goes through; the others are unchanged.
        trusted(customer.with_company(self.company).sudo()).write(
            {"relation_blocked": False}
        )
        again = self._sync("sync_orders", rows)
        self.assertEqual([r["status"] for r in again],
                         ["unchanged", "created", "error", "unchanged"])  # fmt: skip
