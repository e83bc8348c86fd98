# Copyright 2026 crm_relation developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import os
from unittest.mock import patch

from lxml import etree

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import TransactionCase, new_test_user, tagged
from odoo.tools import SQL
from odoo.tools.safe_eval import safe_eval

from odoo.addons.crm_relation.logic import audit_chain
from odoo.addons.crm_relation.models import crm_relation_audit
from odoo.addons.crm_relation.models import crm_relation_audit_key as audit_key
from odoo.addons.crm_relation.models.crm_relation_audit import FORMER_FIELD_NAMES
from odoo.addons.crm_relation.models.crm_relation_audit_key import (
    KEY_FILE_VARIABLE,
    KEY_VARIABLE,
)

from .common import make_role_users, trusted

AUDIT_LOGGER = "odoo.addons.crm_relation.models.crm_relation_audit"
TEST_KEY = "test audit key, 32 characters or more"


@tagged("post_install", "-at_install", "crm_relation")
class TestAudit(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.users = make_role_users(cls.env)
        cls.company = cls.env.company
        cls.audit = cls.env["crm.relation.audit"]
        cls.customer = cls.env["res.partner"].create(
            {"name": "审计客户 Audit Customer", "customer_rank": 1, "city": "Wuhan"}
        )

    def setUp(self):
        super().setUp()
        # The key the server holds: the environment's, never the database's
        # (the test command sets one; without it, this one).
        self.key = audit_key.keys()[0]
        if not self.key:
            patcher = patch.dict(os.environ, {KEY_VARIABLE: TEST_KEY})
            patcher.start()
            self.addCleanup(patcher.stop)
            self.key = TEST_KEY.encode()

    def _entries(self, record=None, company=None):
        domain = [("company_id", "=", (company or self.company).id)]
        if record is not None:
            domain += [("model", "=", record._name), ("res_id", "=", record.id)]
        return self.audit.sudo().search(domain, order="sequence")

    def _seal(self):
        """What happens right after a commit (tests never commit)."""
        return self.audit._seal()

    def _chain(self, company=None, auditor=None, anchor=None):
        return self.audit.with_user(auditor or self.users["auditor"]).verify_chain(
            (company or self.company).id, anchor
        )

    def _broken_chain(self, company=None, auditor=None, anchor=None):
        """Verify a chain expected broken: the break is logged as a warning."""
        with self.assertLogs(AUDIT_LOGGER, "WARNING") as logged:
            result = self._chain(company, auditor, anchor)
        self.assertIn("is broken at entry", logged.output[0])
        self.assertFalse(result["intact"])
        return result

    def test_credit_critical_partner_changes_are_logged(self):
        customer = self.customer.with_user(self.users["integration"])
        customer.write({"city": "Hefei", "vat": "91420100MA4K", "website": "x.cn"})
        entries = self._entries(self.customer)
        self.assertEqual(
            {(e.field_name, e.old_value, e.new_value) for e in entries},
            {("city", "Wuhan", "Hefei"), ("vat", False, "91420100MA4K")},
            "website is not credit-critical; city and VAT are",
        )
        self.assertEqual(entries.user_id, self.users["integration"])
        self.assertEqual(set(entries.mapped("cause")), {"manual"})
        self.assertEqual(entries[0].record_name, self.customer.display_name)
        self.assertEqual(entries.filtered(lambda e: e.field_name == "vat").field_label,
                         self.customer._fields["vat"].string)  # fmt: skip

    def test_entries_sealed_before_the_renames_read_as_before(self):
        """Entries keep the field name they were written with: a review stamp
        logged under its name before 19.0.1.7.0 still shows the stamp's
        label and is among the Review Stamps filter's entries."""
        self.customer.with_user(self.users["user"]).action_review_first()
        self.customer.with_user(self.users["manager"]).action_review_second()
        for former, current in FORMER_FIELD_NAMES.items():
            self.audit._append(
                self.company, [("res.partner", self.customer.id, former, "", "x")]
            )
            entries = self._entries(self.customer)
            old = entries.filtered(lambda e, f=former: e.field_name == f)
            self.assertEqual(old.field_label, self.customer._fields[current].string)
            arch = etree.fromstring(
                self.env.ref("crm_relation.crm_relation_audit_view_search").arch
            )
            [reviews] = arch.xpath("//filter[@name='reviews']")
            found = entries.filtered_domain(safe_eval(reviews.get("domain")))
            self.assertIn(old, found)
            self.assertIn(current, found.mapped("field_name"))

    def test_unchanged_value_and_cause_from_the_addon_only(self):
        self.customer.write({"city": "Wuhan"})
        self.assertFalse(self._entries(self.customer))
        # A cause a client puts in the context is ignored...
        for key in ("crm_relation_cause", "crm_relation_trust"):
            self.customer.with_context(**{key: "scheduled"}).write({"zip": key})
        self.assertEqual(set(self._entries(self.customer).mapped("cause")), {"manual"})
        # ...the addon's own paths (the sync door) give theirs.
        trusted(self.customer, cause="sync", fields=()).write(
            {"country_id": self.env.ref("base.cn").id}
        )
        entry = self._entries(self.customer).filtered(
            lambda e: e.field_name == "country_id"
        )
        self.assertEqual(entry.cause, "sync")
        self.assertEqual(entry.new_value, f"China [{self.env.ref('base.cn').id}]")

    def test_block_and_its_status_change_are_logged(self):
        wizard = (
            self.env["crm.relation.block.wizard"]
            .with_user(self.users["manager"])
            .create(
                {"partner_ids": [Command.set(self.customer.ids)], "reason": "Fraud"}
            )
        )
        wizard.action_apply()
        logged = {
            (e.field_name, e.old_value, e.new_value, e.cause)
            for e in self._entries(self.customer)
        }
        self.assertIn(("relation_blocked", "False", "True", "manual"), logged)
        # The status change is the evaluation's: a history row, sealed by
        # the evaluation's entry.
        change = self.customer.relation_tier_history_ids
        self.assertEqual((change.old_status, change.new_status), (False, "blocked"))
        self.assertEqual(change.audit_id.cause, "manual")
        self.assertEqual(
            change.audit_id.new_value.split()[:3], ["1", "tier", "changes,"]
        )

    def _evaluation_entries(self):
        return self.audit.sudo().search(
            [("company_id", "=", self.company.id), ("model", "=", "res.company"),
             ("field_name", "=", "rfm_last_evaluation")], order="id desc"
        )  # fmt: skip

    def test_scheduled_evaluation_is_logged_as_scheduled(self):
        """One entry for the evaluation, not one per change: it carries the
        count and digest of the history rows, which point to it."""
        self.env["crm.relation.rfm.engine"]._evaluate_company(
            self.company, partners=self.customer, trigger="scheduled"
        )
        self.assertFalse(self._entries(self.customer), "no entry per customer")
        entry = self._evaluation_entries()[:1]
        change = self.customer.relation_tier_history_ids
        self.assertEqual(change.audit_id, entry)
        self.assertEqual((change.old_status, change.new_status), (False, "prospect"))
        self.assertEqual((entry.res_id, entry.old_value, entry.cause),
                         (self.company.id, False, "scheduled"))  # fmt: skip
        count, digest = audit_chain.parse_evaluation_value(entry.new_value)
        self.assertEqual(count, 1)
        self.assertEqual(len(digest), 64)
        self.assertEqual(entry.record_name, self.company.display_name)
        self._seal()
        self.assertTrue(self._chain()["intact"])

    def test_bank_accounts_are_logged(self):
        bank = self.env["res.partner.bank"].create(
            {"partner_id": self.customer.id, "acc_number": "6222 0000 1111"}
        )
        created = self._entries(bank)
        changes = [(e.field_name, e.old_value, e.new_value) for e in created]
        self.assertIn(("acc_number", False, "6222 0000 1111"), changes)
        bank.unlink()
        removed = self._entries(bank) - created
        changes = [(e.field_name, e.old_value, e.new_value) for e in removed]
        self.assertIn(("acc_number", "6222 0000 1111", False), changes)

    def test_nobody_writes_entries_through_the_orm(self):
        self.customer.write({"city": "Xi'an"})
        entry = self._entries(self.customer)
        admin = self.env.ref("base.user_admin")
        for env in (self.env, self.env(su=True), self.env(user=admin)):
            audit = env["crm.relation.audit"]
            with self.subTest(user=env.user.login, su=env.su):
                with self.assertRaisesRegex(UserError, "cannot be created"):
                    audit.create({"model": "res.partner", "field_name": "name"})
                with self.assertRaisesRegex(UserError, "cannot be created"):
                    audit.browse(entry.id).write({"new_value": "Beijing"})
                with self.assertRaisesRegex(UserError, "cannot be created"):
                    audit.browse(entry.id).unlink()
        self.assertEqual(entry.new_value, "Xi'an")

    # -- the evaluations' tier history, sealed by one entry each --------------

    def _evaluated(self, n=3):
        """``n`` customers evaluated at once (each a tier history row), and
        the evaluation's entry, sealed."""
        customers = self.env["res.partner"].create(
            [{"name": f"Digest {i}", "customer_rank": 1} for i in range(n)]
        )
        self.env["crm.relation.rfm.engine"]._evaluate_company(
            self.company, partners=customers, trigger="manual"
        )
        self._seal()
        history = customers.relation_tier_history_ids.sorted("id")
        self.assertEqual(len(history), n)
        self.assertEqual(len(history.audit_id), 1)
        return history, history.audit_id

    def test_history_rows_are_verified_by_their_evaluation(self):
        history, entry = self._evaluated()
        self.assertTrue(self._chain()["intact"])
        self.assertEqual(
            audit_chain.parse_evaluation_value(entry.new_value)[0], len(history)
        )
        cases = {
            "changed": (
                "UPDATE crm_relation_tier_history SET new_status = 'active' "
                "WHERE id = %s",
                [history[1].id],
            ),
            "removed": (
                "DELETE FROM crm_relation_tier_history WHERE id = %s",
                [history[0].id],
            ),
            "added": (
                "INSERT INTO crm_relation_tier_history (partner_id, company_id, "
                "date, new_status, trigger, movement, audit_id) "
                "SELECT partner_id, company_id, date, 'active', trigger, movement, "
                "audit_id FROM crm_relation_tier_history WHERE id = %s",
                [history[2].id],
            ),
            "added outside any evaluation": (
                "INSERT INTO crm_relation_tier_history (partner_id, company_id, "
                "date, new_status, trigger, movement) "
                "SELECT partner_id, company_id, date, 'active', trigger, movement "
                "FROM crm_relation_tier_history WHERE id = %s",
                [history[2].id],
            ),
            "moved to another evaluation": (
                "UPDATE crm_relation_tier_history SET audit_id = NULL WHERE id = %s",
                [history[2].id],
            ),
        }
        for case, (query, params) in cases.items():
            with self.subTest(case=case), self.env.cr.savepoint(flush=False) as sp:
                self.env.cr.execute(query, params)
                result = self._broken_chain()
                self.assertEqual(result["first_broken_id"], entry.id)
                self.assertIn(
                    result["reason"],
                    (audit_chain.BROKEN_HISTORY, audit_chain.BROKEN_HISTORY_ADDED),
                )
                notice = self.audit._verification_notice(result)["params"]
                self.assertEqual(notice["type"], "danger")
                self.assertIn(f"entry {entry.id} ", notice["message"])
                sp.rollback()
        self.assertTrue(self._chain()["intact"])

    def test_a_changed_evaluation_entry_breaks_the_chain(self):
        """The digest is itself chained: rewriting it to fit altered rows
        breaks the entry's own hash."""
        history, entry = self._evaluated(2)
        self.env.cr.execute(
            "UPDATE crm_relation_tier_history SET new_status = 'active' WHERE id = %s",
            [history[0].id],
        )
        [(count, digest)] = self.env.execute_query(
            self.env["crm.relation.tier.history"]._digest_query(
                SQL.identifier("crm_relation_tier_history"),
                where=SQL("audit_id = %s", entry.id),
            )
        )
        self.env.cr.execute(
            "UPDATE crm_relation_audit SET new_value = %s WHERE id = %s",
            [audit_chain.evaluation_value(count, digest), entry.id],
        )
        result = self._broken_chain()
        self.assertEqual(
            (result["first_broken_id"], result["reason"]),
            (entry.id, audit_chain.BROKEN_CONTENT),
        )

    def test_nobody_writes_history_through_the_orm(self):
        history, _entry = self._evaluated(1)
        History = self.env["crm.relation.tier.history"]
        for env in (self.env, self.env(su=True)):
            with self.subTest(su=env.su):
                with self.assertRaisesRegex(UserError, "cannot be created"):
                    env[History._name].create(
                        {"partner_id": self.customer.id, "company_id": self.company.id}
                    )
                with self.assertRaisesRegex(UserError, "cannot be created"):
                    env[History._name].browse(history.id).write({"score": 1})
                with self.assertRaisesRegex(UserError, "cannot be created"):
                    env[History._name].browse(history.id).unlink()

    def _make_entries(self, n, seal=True):
        for i in range(n):
            self.customer.write({"city": f"City {i}"})
        if seal:
            self._seal()
        return self._entries(self.customer)

    def test_chain_is_intact_and_numbered(self):
        entries = self._make_entries(4, seal=False)
        self.assertFalse(any(entries.mapped("sequence")), "appended unsealed")
        self.assertGreaterEqual(self._chain()["unsealed"], len(entries))
        self._seal()
        result = self._chain()
        self.assertLessEqual(
            {"intact", "entries", "first_broken_id", "unsealed", "keyed"}, set(result)
        )
        self.assertTrue(result["intact"])
        self.assertTrue(result["keyed"])
        self.assertEqual(result["unsealed"], 0)
        self.assertFalse(result["first_broken_id"])
        self.assertEqual(result["entries"], len(self._entries()))
        self.assertEqual(entries[1].prev_hash, entries[0].entry_hash)
        self.assertEqual(
            entries.mapped("sequence"),
            list(range(entries[0].sequence, entries[0].sequence + 4)),
        )

    def test_chain_is_verified_a_batch_at_a_time(self):
        """Read two entries at a time, the whole chain is verified, and a
        change in a later batch is found at its entry."""
        entries = self._make_entries(5)
        with patch.object(crm_relation_audit, "BATCH", 2):
            result = self._chain()
            self.assertTrue(result["intact"])
            self.assertEqual(result["entries"], len(self._entries()))
            self.env.cr.execute(
                "UPDATE crm_relation_audit SET new_value = 'Beijing' WHERE id = %s",
                [entries[4].id],
            )
            self.assertEqual(self._broken_chain()["first_broken_id"], entries[4].id)

    def test_sql_update_is_found_at_that_entry(self):
        entries = self._make_entries(4)
        self.env.cr.execute(
            "UPDATE crm_relation_audit SET new_value = 'Beijing' WHERE id = %s",
            [entries[2].id],
        )
        result = self._broken_chain()
        self.assertFalse(result["intact"])
        self.assertEqual(result["first_broken_id"], entries[2].id)
        auditor_audit = self.audit.with_user(self.users["auditor"])
        with self.assertLogs(AUDIT_LOGGER, "WARNING"):
            notice = auditor_audit.action_verify_chain()["params"]
        self.assertEqual(notice["type"], "danger")
        self.assertIn(str(entries[2].id), notice["message"])

    def test_sql_delete_is_found(self):
        entries = self._make_entries(4)
        self.env.cr.execute("DELETE FROM crm_relation_audit WHERE id = %s",
                            [entries[1].id])  # fmt: skip
        self.assertEqual(self._broken_chain()["first_broken_id"], entries[2].id)

    def test_cut_tail_is_found(self):
        entries = self._make_entries(3)
        self.env.cr.execute("DELETE FROM crm_relation_audit WHERE id = %s",
                            [entries[2].id])  # fmt: skip
        result = self._broken_chain()
        self.assertFalse(result["intact"])
        self.assertEqual(result["first_broken_id"], entries[1].id)

    def test_who_may_verify(self):
        self.customer.write({"city": "Nanjing"})
        self._seal()
        for role in ("auditor", "manager"):
            with self.subTest(role=role):
                audit = self.audit.with_user(self.users[role])
                self.assertTrue(audit.verify_chain()["intact"])
                self.assertEqual(
                    audit.action_verify_chain()["params"]["type"], "success"
                )
        for role in ("user", "integration", "outsider"):
            with self.subTest(role=role), self.assertRaises(AccessError):
                self.audit.with_user(self.users[role]).verify_chain()
        other = self.env["res.company"].create({"name": "Audit Other Co"})
        with self.assertRaises(AccessError):
            self.audit.with_user(self.users["auditor"]).verify_chain(other.id)

    def test_chains_are_per_company(self):
        other = self.env["res.company"].create({"name": "Audit Second Co"})
        auditor = new_test_user(
            self.env,
            "t_audit_other",
            groups="crm_relation.group_crm_relation_auditor",
            company_id=other.id,
            company_ids=[Command.set(other.ids)],
        )
        self.customer.write({"city": "Here"})
        self.customer.with_company(other).write({"city": "There"})
        self._seal()
        theirs = self._entries(self.customer, company=other)
        self.assertEqual(theirs.mapped("sequence"), [1])
        self.assertEqual(theirs.new_value, "There")
        seen = self.audit.with_user(auditor).search([])
        self.assertEqual(seen, theirs, "an auditor reads only his companies' log")
        self._seal()
        result = self.audit.with_user(auditor).verify_chain()
        self.assertEqual(
            (result["intact"], result["entries"], result["first_broken_id"]),
            (True, 1, False),
        )
        # Breaking one company's chain leaves the other's intact.
        self.env.cr.execute("UPDATE crm_relation_audit SET old_value = 'x' "
                            "WHERE id = %s", [theirs.id])  # fmt: skip
        self.assertTrue(self._chain()["intact"])
        self.assertEqual(
            self._broken_chain(other, auditor)["first_broken_id"], theirs.id
        )

    def test_plain_users_do_not_read_the_log(self):
        self.customer.write({"city": "Suzhou"})
        for role in ("user", "integration", "outsider"):
            with self.subTest(role=role), self.assertRaises(AccessError):
                self.audit.with_user(self.users[role]).search([])
        self.assertTrue(self.audit.with_user(self.users["auditor"]).search([]))

    # -- what the key and the anchor prove --------------------------------

    def _forge(self, entry, key=None, **changes):
        """Rewrite ``entry`` in SQL and recompute its hash, every hash after
        it and the head with the addon's own hashing code, as someone with
        database access would; ``key`` is what they hold (default: none)."""
        cr = self.env.cr
        cr.execute(
            f"UPDATE crm_relation_audit SET {', '.join(f'{k} = %s' for k in changes)} "
            "WHERE id = %s",
            [*changes.values(), entry.id],
        )
        columns = ", ".join(audit_chain.CONTENT)
        cr.execute(
            f"SELECT id, {columns}, prev_hash FROM crm_relation_audit "
            "WHERE company_id = %s AND sequence >= %s ORDER BY sequence",
            [entry.company_id.id, entry.sequence],
        )
        rows = cr.fetchall()
        prev_hash = rows[0][-1]
        for row in rows:
            content = dict(zip(audit_chain.CONTENT, row[1:-1], strict=True))
            content["logged_at"] = str(content["logged_at"])
            new_hash = audit_chain.link(prev_hash, content, key)
            cr.execute(
                "UPDATE crm_relation_audit SET prev_hash = %s, entry_hash = %s "
                "WHERE id = %s",
                [prev_hash, new_hash, row[0]],
            )
            prev_hash = new_hash
        cr.execute(
            "UPDATE crm_relation_audit_head SET entry_hash = %s WHERE company_id = %s",
            [prev_hash, entry.company_id.id],
        )
        self.env.invalidate_all()

    def test_rewrite_with_recomputed_hashes_but_no_key_is_found(self):
        entries = self._make_entries(4)
        self._forge(entries[1], new_value="Beijing")
        result = self._broken_chain()
        self.assertEqual(result["first_broken_id"], entries[1].id)
        self.assertEqual(result["reason"], audit_chain.BROKEN_CONTENT)
        # A guessed key does no better.
        self._forge(entries[1], key=b"a guessed key", new_value="Beijing")
        self.assertEqual(self._broken_chain()["first_broken_id"], entries[1].id)

    def test_the_anchor_holds_against_the_key_holder(self):
        entries = self._make_entries(3)
        [anchor] = self.audit.with_user(self.users["auditor"]).export_anchor(
            self.company.id
        )
        self.assertTrue(self._chain(anchor=anchor)["anchored"])
        # Someone holding the key and the database rewrites the past: the key
        # cannot tell, the anchor kept outside the database can.
        self._forge(entries[0], key=self.key, new_value="Forged")
        self.assertTrue(self._chain()["intact"])
        result = self._broken_chain(anchor=anchor)
        self.assertEqual(result["reason"], audit_chain.BROKEN_ANCHOR)
        with self.assertRaisesRegex(UserError, "is not an audit anchor line"):
            self._chain(anchor="sequence=3 hash=abc")

    def test_entries_cut_before_the_anchor_are_found(self):
        entries = self._make_entries(3)
        [anchor] = self.audit.export_anchor(self.company.id)
        self.env.cr.execute(
            "DELETE FROM crm_relation_audit WHERE id = ANY(%s)", [entries[1:].ids]
        )
        self.env.cr.execute(
            "UPDATE crm_relation_audit_head SET sequence = %s, entry_hash = %s "
            "WHERE company_id = %s",
            [entries[0].sequence, entries[0].entry_hash, self.company.id],
        )
        self.env.invalidate_all()
        self.assertEqual(self._broken_chain(anchor=anchor)["reason"], "anchor")

    def test_a_changed_unsealed_entry_is_found_and_never_sealed(self):
        entries = self._make_entries(2, seal=False)
        self.env.cr.execute(
            "UPDATE crm_relation_audit SET new_value = 'Forged' WHERE id = %s",
            [entries[1].id],
        )
        self.env.invalidate_all()
        with self.assertLogs(AUDIT_LOGGER, "ERROR"):
            self._seal()
        result = self._broken_chain()
        self.assertEqual(result["first_broken_id"], entries[1].id)
        self.assertFalse(self._entries(self.customer)[1].sequence)

    def test_without_a_key_the_trail_says_so(self):
        # A company of its own: the demo's entries are sealed with the key.
        other = self.env["res.company"].create({"name": "Keyless Co"})
        auditor = new_test_user(
            self.env,
            "t_audit_keyless",
            groups="crm_relation.group_crm_relation_auditor",
            company_id=other.id,
            company_ids=[Command.set(other.ids)],
        )
        customer = self.customer.with_company(other)
        with patch.dict(os.environ, {KEY_VARIABLE: "", KEY_FILE_VARIABLE: ""}):
            customer.write({"city": "Unkeyed 1"})
            customer.write({"city": "Unkeyed 2"})
            self._seal()
            result = self._chain(other, auditor)
            self.assertTrue(result["intact"])
            self.assertFalse(result["keyed"])
            self.assertEqual(result["unkeyed"], 2)
            notice = self.audit.with_user(auditor).action_verify_chain()
            self.assertEqual(notice["params"]["type"], "warning")
        # Entries sealed before a key was set stay verifiable; after keyed
        # ones, an entry made to look unkeyed is a forgery.
        customer.write({"city": "Keyed 1"})
        customer.write({"city": "Keyed 2"})
        self._seal()
        result = self._chain(other, auditor)
        self.assertTrue(result["intact"])
        self.assertEqual(result["unkeyed"], 2)
        newest = self._entries(self.customer, company=other)[-1]
        self.env.cr.execute(
            "UPDATE crm_relation_audit SET key_id = NULL WHERE id = %s", [newest.id]
        )
        self._forge(newest, new_value="Forged")  # plain SHA-256, as unkeyed
        self.assertEqual(
            self._broken_chain(other, auditor)["reason"], audit_chain.BROKEN_UNKEYED
        )

    def test_verification_writes_nothing(self):
        self._make_entries(2, seal=False)
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT count(*) FROM crm_relation_audit WHERE sequence IS NULL"
        )
        unsealed = self.env.cr.fetchone()[0]
        self._chain()
        self.audit.with_user(self.users["auditor"]).export_anchor()
        self.env.cr.execute(
            "SELECT count(*) FROM crm_relation_audit WHERE sequence IS NULL"
        )
        self.assertEqual(
            self.env.cr.fetchone()[0], unsealed, "the auditor seals nothing"
        )

    def test_verify_dialog(self):
        self._make_entries(1)
        wizard = (
            self.env["crm.relation.audit.verify"]
            .with_user(self.users["auditor"])
            .create({})
        )
        wizard.action_verify()
        self.assertTrue(wizard.intact)
        self.assertTrue(wizard.current_anchor.startswith(audit_chain.ANCHOR_PREFIX))
        wizard.anchor = wizard.current_anchor
        wizard.action_verify()
        self.assertIn("anchor", wizard.result)

    def test_anchor_is_mailed_to_the_company_recipients(self):
        self._make_entries(1, seal=False)
        self.company.relation_audit_anchor_email = "audit@example.cn"
        mails = self.audit._cron_mail_anchor()
        mine = mails.filtered(lambda m: m.email_to == "audit@example.cn")
        self.assertEqual(len(mine), 1)
        [line] = self.audit.export_anchor(self.company.id)
        self.assertIn(line.rsplit(" at=", 1)[0], mine.body_html)
        self.assertEqual(self._chain()["unsealed"], 0, "sealed before mailing")
