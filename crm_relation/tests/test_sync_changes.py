# Copyright 2026 crm_relation developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import trusted
from .invoicing_case import TODAY, InvoicingCase


@tagged("post_install", "-at_install", "crm_relation")
class TestSyncChanges(InvoicingCase):
    """The pull side of the door: ``crm.relation.sync.changes``."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.integration = cls._company_user(
            "t_pull_integration", "crm_relation.group_crm_relation_integration"
        )
        cls.env["product.product"].create(
            {"name": "Pull Tea", "default_code": "PULL-TEA", "list_price": 100}
        )

    def _door(self, user=None):
        return (
            self.env["crm.relation.sync"]
            .with_user(user or self.integration)
            .with_company(self.company)
        )

    def _push(self, *external_ids, source="shop"):
        rows = [{"source": source, "external_id": ext, "name": f"Pull {ext}"}
                for ext in external_ids]  # fmt: skip
        results = self._door().sync_partners(rows)
        self.assertEqual({r["status"] for r in results}, {"created"}, results)
        partners = self.env["res.partner"].browse([r["id"] for r in results])
        return partners.with_company(self.company)

    def _seal(self):
        self.env["crm.relation.audit"].sudo()._seal([self.company.id])

    def _all(self, since=None, **kwargs):
        """Every change after ``since``, following the cursor: (rows, cursor,
        number of calls)."""
        rows, calls = [], 0
        while True:
            page = self._door().changes(since=since, **kwargs)
            calls += 1
            rows += page["changes"]
            since = page["cursor"]
            if not page["more"]:
                return rows, since, calls

    def test_changes_follow_the_cursor(self):
        c1, _c2 = self._push("C1", "C2")
        [other] = self._push("X1", source="other")
        _rows, start, _calls = self._all()
        self.assertRegex(start, rf"^{self.company.id}:\d+$")

        trusted(c1).write({"relation_blocked": True, "relation_block_reason": "x"})
        trusted(other).write({"relation_blocked": True, "relation_block_reason": "x"})
        page = self._door().changes(since=start)
        self.assertEqual(
            (page["changes"], page["cursor"], page["more"]),
            ([], start, False),
            "a change shows once the audit trail has sealed it",
        )
        self._seal()
        rows, cursor, _calls = self._all(start, source="shop")
        self.assertEqual(len(rows), 1, rows)
        row = rows[0]
        self.assertEqual(
            (row["source"], row["external_id"], row["id"], row["changed"]),
            ("shop", "C1", c1.id, ["blocked"]),
        )
        self.assertIs(row["blocked"], True)
        self.assertIs(row["vip"], False)
        self.assertTrue(row["changed_at"])
        self.assertEqual(self._all(cursor)[0], [], "nothing new after the cursor")
        every_source = self._all(start)[0]
        self.assertEqual(
            {(r["source"], r["external_id"]) for r in every_source},
            {("shop", "C1"), ("other", "X1")},
        )

        # An order: the customer is evaluated after the commit, new status.
        order = {"source": "shop", "external_id": "O1", "customer_external_id": "C2",
                 "date_order": str(TODAY), "invoice": "post",
                 "lines": [{"product": "PULL-TEA", "quantity": 2,
                            "price_unit": 100}]}  # fmt: skip
        [result] = self._door().sync_orders([order])
        self.assertEqual(result["status"], "created", result)
        with self.enter_registry_test_mode():
            self.env.cr.postcommit.run()
        self.env.invalidate_all()
        self._seal()
        [status] = self._all(cursor, kinds=["status"])[0]
        self.assertEqual((status["external_id"], status["status"]), ("C2", "new"))
        self.assertIn("status", status["changed"])
        self.assertNotIn("blocked", status["changed"])
        self.assertEqual(self._all(cursor, kinds=["blocked"])[0], [])

        # A VIP registered.
        vip = (
            self.env["crm.relation.vip"]
            .with_company(self.company)
            .create(
                {"partner_id": c1.id, "company_id": self.company.id, "reason": "pull"}
            )
        )
        vip.with_user(self.manager).action_send_invitation()
        vip.with_user(self.manager)._vip_register(TODAY, "pull")
        self._seal()
        vips, last, _calls = self._all(cursor, kinds=["vip"])
        self.assertEqual([(r["external_id"], r["vip"]) for r in vips],
                         [("C1", True)] * len(vips))  # fmt: skip
        self.assertTrue(vips)
        self.assertTrue(vip.card_number)
        self.assertEqual(vips[-1]["vip_card"], vip.card_number)

        # Page by page: the same changes, a customer once per page at most.
        paged, paged_last, calls = self._all(start, limit=1)
        whole, whole_last, _calls = self._all(start)
        self.assertGreater(calls, 2)
        self.assertEqual(paged_last, whole_last)
        self.assertEqual(
            {(r["source"], r["external_id"]) for r in paged},
            {(r["source"], r["external_id"]) for r in whole},
        )
        self.assertEqual(whole_last, last)

    def test_an_evaluation_gives_each_of_its_changes_page_by_page(self):
        """An evaluation is one audit entry for all its changes: they are
        read from its history rows, and a page may end inside it."""
        _rows, start, _calls = self._all()
        partners = self._push("E1", "E2", "E3")
        self.engine._evaluate_company(self.company, partners, trigger="sync")
        self._seal()
        [entry] = partners.relation_tier_history_ids.audit_id
        cursors, seen = [], []
        since = start
        while True:
            page = self._door().changes(since=since, kinds=["status"], limit=1)
            seen += [(r["external_id"], r["changed"]) for r in page["changes"]]
            cursors.append(page["cursor"])
            since = page["cursor"]
            if not page["more"]:
                break
        self.assertEqual(sorted(seen), [(e, ["status"]) for e in ("E1", "E2", "E3")])
        self.assertRegex(cursors[0], rf"^{self.company.id}:{entry.sequence}:\d+$")
        whole, last, _calls = self._all(start, kinds=["status"])
        self.assertEqual(len(whole), 3)
        self.assertEqual(self._all(last)[0], [], "nothing new after the cursor")

    def test_bad_arguments_name_the_argument_and_value(self):
        door = self._door()
        other_company = f"{self.company.id + 1000}:3"
        for kwargs, message in (
            ({"since": "abc"}, "since must be a cursor .* not 'abc'"),
            ({"since": 12}, "since must be a cursor .* not 12"),
            ({"since": other_company}, f"since '{other_company}' is a cursor of "
                                       "another company"),
            ({"kinds": ["tier", "nope"]}, r"kinds must be a list of tier, status, "
                                          r"vip, blocked, not \['tier', 'nope'\]"),
            ({"kinds": []}, r"kinds must be .* not \[\]"),
            ({"limit": 0}, "limit must be a whole number from 1 to 5000, not 0"),
            ({"limit": "10"}, "limit must be .* not '10'"),
            ({"limit": True}, "limit must be .* not True"),
            ({"source": 5}, "source must be the name of a source .* not 5"),
        ):  # fmt: skip
            with self.subTest(**kwargs), self.assertRaisesRegex(UserError, message):
                door.changes(**kwargs)

    def test_who_may_call(self):
        self._door(self.manager).changes()
        with self.assertRaisesRegex(AccessError, "may run changes"):
            self._door(self.user).changes()
        with self.assertRaisesRegex(AccessError, "may run changes"):
            self._door(self.auditor).changes()
