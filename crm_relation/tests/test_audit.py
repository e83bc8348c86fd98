# Copyright 2026 crm_relation developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import TransactionCase, new_test_user, tagged

from .common import make_role_users

AUDIT_LOGGER = "odoo.addons.crm_relation.models.crm_relation_audit"


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

    def _entries(self, record=None, company=None):
        domain = [("company_id", "=", (company or self.company).id)]
        if record is not None:
            domain += [("model", "=", record._name), ("res_id", "=", record.id)]
        return self.audit.sudo().search(domain, order="sequence")

    def _chain(self, company=None, auditor=None):
        return self.audit.with_user(auditor or self.users["auditor"]).verify_chain(
            (company or self.company).id
        )

    def _broken_chain(self, company=None, auditor=None):
        """Verify a chain expected broken: the break is logged as a warning."""
        with self.assertLogs(AUDIT_LOGGER, "WARNING") as logged:
            result = self._chain(company, auditor)
        self.assertIn("is broken at entry", logged.output[0])
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

    def test_unchanged_value_and_cause_from_context(self):
        self.customer.write({"city": "Wuhan"})
        self.assertFalse(self._entries(self.customer))
        self.customer.with_context(crm_relation_cause="sync").write(
            {"country_id": self.env.ref("base.cn").id}
        )
        entry = self._entries(self.customer)
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
        self.assertIn(("relation_status", False, "blocked", "manual"), logged)

    def test_scheduled_evaluation_is_logged_as_scheduled(self):
        self.env["crm.relation.rfm.engine"].evaluate(
            self.company, partners=self.customer, trigger="scheduled"
        )
        entry = self._entries(self.customer)
        self.assertEqual(
            (entry.field_name, entry.old_value, entry.new_value, entry.cause),
            ("relation_status", False, "prospect", "scheduled"),
        )

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

    def _make_entries(self, n):
        for i in range(n):
            self.customer.write({"city": f"City {i}"})
        return self._entries(self.customer)

    def test_chain_is_intact_and_numbered(self):
        entries = self._make_entries(4)
        result = self._chain()
        self.assertEqual(set(result), {"intact", "entries", "first_broken_id"})
        self.assertTrue(result["intact"])
        self.assertFalse(result["first_broken_id"])
        self.assertEqual(result["entries"], len(self._entries()))
        self.assertEqual(entries[1].prev_hash, entries[0].entry_hash)
        self.assertEqual(
            entries.mapped("sequence"),
            list(range(entries[0].sequence, entries[0].sequence + 4)),
        )

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
        theirs = self._entries(self.customer, company=other)
        self.assertEqual(theirs.mapped("sequence"), [1])
        self.assertEqual(theirs.new_value, "There")
        seen = self.audit.with_user(auditor).search([])
        self.assertEqual(seen, theirs, "an auditor reads only his companies' log")
        self.assertEqual(
            self.audit.with_user(auditor).verify_chain(),
            {"intact": True, "entries": 1, "first_broken_id": False},
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
