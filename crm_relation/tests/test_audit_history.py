# Copyright 2026 crm_relation developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import os
from unittest.mock import patch

from odoo import Command
from odoo.tests import TransactionCase, tagged

from odoo.addons.crm_relation.logic import audit_chain
from odoo.addons.crm_relation.models import crm_relation_audit_key as audit_key
from odoo.addons.crm_relation.models.crm_relation_audit_key import KEY_VARIABLE

from .common import make_role_users

AUDIT_LOGGER = "odoo.addons.crm_relation.models.crm_relation_audit"
TEST_KEY = "test audit key, 32 characters or more"
LEGACY_ROW = (
    "INSERT INTO crm_relation_tier_history (partner_id, company_id, date, "
    "new_status, trigger, movement) "
    "VALUES (%s, %s, now(), 'active', 'manual', 'same') RETURNING id"
)


@tagged("post_install", "-at_install", "crm_relation")
class TestAuditHistory(TransactionCase):
    """Every tier history row is sealed by an evaluation's entry: merging
    customers keeps the seal, and a row of no evaluation is found."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.users = make_role_users(cls.env)
        cls.company = cls.env.company
        cls.audit = cls.env["crm.relation.audit"]
        cls.engine = cls.env["crm.relation.rfm.engine"]

    def setUp(self):
        super().setUp()
        if not audit_key.keys()[0]:
            patcher = patch.dict(os.environ, {KEY_VARIABLE: TEST_KEY})
            patcher.start()
            self.addCleanup(patcher.stop)

    def _chain(self, company=None):
        return self.audit.with_user(self.users["auditor"]).verify_chain(
            (company or self.company).id
        )

    def _broken_chain(self, company=None):
        with self.assertLogs(AUDIT_LOGGER, "WARNING"):
            result = self._chain(company)
        self.assertFalse(result["intact"])
        return result

    def _customers(self, n, company=None):
        return self.env["res.partner"].create(
            [
                {
                    "name": f"Sealed {i}",
                    "customer_rank": 1,
                    "company_id": company and company.id,
                }
                for i in range(n)
            ]
        )

    def _evaluated(self, customers, company=None, trigger="manual"):
        self.engine._evaluate_company(
            company or self.company, partners=customers, trigger=trigger
        )
        self.audit._seal()
        history = customers.relation_tier_history_ids
        self.assertTrue(history)
        self.assertTrue(all(history.mapped("audit_id")))
        return history

    def test_merging_customers_keeps_their_history_sealed(self):
        kept, merged = self._customers(2)
        self._evaluated(kept | merged)
        moved = merged.relation_tier_history_ids
        self.assertTrue(moved)
        self.assertTrue(self._chain()["intact"])
        self.env["base.partner.merge.automatic.wizard"]._merge(
            (kept | merged).ids, kept, extra_checks=False
        )
        self.env.invalidate_all()
        self.assertFalse(merged.exists())
        self.assertEqual(moved.partner_id, kept)
        self.assertEqual(moved.original_partner_id, merged.id)
        self.assertTrue(self._chain()["intact"])
        # Changed after the merge: still found.
        entry = moved.audit_id
        with self.env.cr.savepoint(flush=False) as sp:
            self.env.cr.execute(
                "UPDATE crm_relation_tier_history SET new_status = 'active', "
                "score = coalesce(score, 0) + 1 WHERE id = %s",
                [moved[0].id],
            )
            result = self._broken_chain()
            self.assertEqual(
                (result["first_broken_id"], result["reason"]),
                (entry.id, audit_chain.BROKEN_HISTORY),
            )
            sp.rollback()
        # Moved to another customer while its own still exists: found.
        other = self._customers(1)
        self.env.cr.execute(
            "UPDATE crm_relation_tier_history SET partner_id = %s WHERE id = %s",
            [other.id, (kept.relation_tier_history_ids - moved)[0].id],
        )
        result = self._broken_chain()
        self.assertEqual(result["reason"], audit_chain.BROKEN_HISTORY)
        self.assertEqual(result["first_broken_id"], entry.id)

    def test_a_forged_row_with_a_low_id_is_found(self):
        self._evaluated(self._customers(1))
        self.assertTrue(self._chain()["intact"])
        customer = self._customers(1)
        self.env.cr.execute(
            "INSERT INTO crm_relation_tier_history (id, partner_id, company_id, "
            "date, new_status, trigger, movement) "
            "VALUES (-1, %s, %s, now(), 'active', 'manual', 'same')",
            [customer.id, self.company.id],
        )
        result = self._broken_chain()
        self.assertEqual(result["reason"], audit_chain.BROKEN_HISTORY_ADDED)
        self.assertTrue(result["first_broken_id"])

    def test_legacy_rows_are_sealed_once_then_verified(self):
        customers = self._customers(2)
        legacy = []
        for customer in customers:
            self.env.cr.execute(LEGACY_ROW, [customer.id, self.company.id])
            legacy.append(self.env.cr.fetchone()[0])
        # Before the migration seals them, they are rows of no evaluation.
        self.assertEqual(
            self._broken_chain()["reason"], audit_chain.BROKEN_HISTORY_ADDED
        )
        self.assertGreaterEqual(self.audit._seal_legacy_history(), 2)
        self.audit._seal()
        rows = self.env["crm.relation.tier.history"].browse(legacy)
        entry = rows.audit_id
        self.assertEqual(len(entry), 1)
        self.assertEqual(entry.company_id, self.company)
        self.assertEqual(rows.mapped("original_partner_id"), customers.ids)
        self.assertEqual(audit_chain.parse_evaluation_value(entry.new_value)[0], 2)
        self.assertTrue(self._chain()["intact"])
        for query in (
            "UPDATE crm_relation_tier_history SET new_status = 'dormant' WHERE id = %s",
            "DELETE FROM crm_relation_tier_history WHERE id = %s",
        ):
            with self.subTest(query=query), self.env.cr.savepoint(flush=False) as sp:
                self.env.cr.execute(query, [legacy[0]])
                result = self._broken_chain()
                self.assertEqual(
                    (result["first_broken_id"], result["reason"]),
                    (entry.id, audit_chain.BROKEN_HISTORY),
                )
                sp.rollback()

    def test_a_new_company_has_its_history_sealed(self):
        company = self.env["res.company"].create({"name": "Sealed Co"})
        self.users["auditor"].write({"company_ids": [Command.link(company.id)]})
        customer = self._customers(1, company)
        # A company with history rows but no evaluation at all.
        self.env.cr.execute(LEGACY_ROW, [customer.id, company.id])
        result = self._broken_chain(company)
        self.assertEqual(result["reason"], audit_chain.BROKEN_HISTORY_ADDED)
        self.env.cr.execute(
            "DELETE FROM crm_relation_tier_history WHERE company_id = %s", [company.id]
        )
        # A partial evaluation (as a sync runs one) seals what it writes.
        history = self._evaluated(customer, company, trigger="sync")
        self.assertEqual(history.audit_id.company_id, company)
        self.assertEqual(history.audit_id.cause, "sync")
        self.assertTrue(self._chain(company)["intact"])
        self.env.cr.execute(LEGACY_ROW, [customer.id, company.id])
        result = self._broken_chain(company)
        self.assertEqual(
            (result["first_broken_id"], result["reason"]),
            (history.audit_id.id, audit_chain.BROKEN_HISTORY_ADDED),
        )
