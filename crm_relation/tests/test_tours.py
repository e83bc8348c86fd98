# Copyright 2026 crm_relation developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The screens in a real browser: Odoo's tours (static/tests/tours) drive
headless Chromium as the demo's account manager (in Chinese), manager and
auditor; the test then checks in the database what the tour did."""

import os
from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo.tests import HttpCase, tagged

from odoo.addons.crm_relation.models import crm_relation_audit_key as audit_key

# The tours find these by their text: keep them equal to the JS constants.
CUSTOMER = "巡检客户 Tour Customer"
OUTCOME = "客户同意续约 · tour"


@tagged("post_install", "-at_install", "crm_relation")
class TestTours(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.account_manager = cls.env.ref("crm_relation.demo_user_crm_user")
        cls.manager = cls.env.ref("crm_relation.demo_user_crm_manager")
        cls.auditor = cls.env.ref("crm_relation.demo_user_crm_auditor")
        cls.customer = cls.env["res.partner"].create(
            {
                "name": CUSTOMER,
                "is_company": True,
                "customer_rank": 1,
                "city": "Wuhan",
                "user_id": cls.account_manager.id,
            }
        )

    def test_account_manager_plans_and_completes_a_visit_in_chinese(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"].search(
            [("name", "=", "crm_relation")]
        )._update_translations(["zh_CN"])
        self.account_manager.lang = "zh_CN"
        Visit = self.env["crm.relation.visit"]
        before = Visit.search([("partner_id", "=", self.customer.id)])
        self.start_tour(
            "/odoo",
            "crm_relation_account_manager_tour",
            login=self.account_manager.login,
            timeout=240,
        )
        visit = Visit.search([("partner_id", "=", self.customer.id)]) - before
        self.assertEqual(len(visit), 1, "the tour planned one visit")
        self.assertEqual(visit.user_id, self.account_manager)
        self.assertEqual(visit.state, "done")
        self.assertEqual(visit.outcome, OUTCOME)
        self.assertEqual(visit.done_date, fields.Date.context_today(visit))

    def test_manager_approves_a_week_and_reads_the_dashboard(self):
        visit = (
            self.env["crm.relation.visit"]
            .with_user(self.account_manager)
            .create(
                {
                    "partner_id": self.customer.id,
                    "planned_date": fields.Date.today() + timedelta(days=7),
                }
            )
        )
        week = visit.week_id
        self.assertTrue(week, "a planned visit belongs to its week")
        week.with_user(self.account_manager).action_submit()
        self.assertEqual(week.state, "submitted")
        self.start_tour(
            f"/odoo/action-crm_relation.action_crm_relation_visit_week/{week.id}",
            "crm_relation_manager_tour",
            login=self.manager.login,
            timeout=240,
        )
        week.invalidate_recordset()
        self.assertEqual(week.state, "approved")
        self.assertEqual(week.approver_id, self.manager)

    def test_auditor_finds_nothing_to_edit_in_the_audit_trail(self):
        if not audit_key.keys()[0]:
            patcher = patch.dict(
                os.environ, {audit_key.KEY_VARIABLE: "tour audit key, 32 characters+"}
            )
            patcher.start()
            self.addCleanup(patcher.stop)
        # In the auditor's company (the demo's Chinese one), whose entries
        # the auditor reads.
        company = self.auditor.company_id
        self.customer.company_id = company
        self.customer.with_company(company).write({"city": "Hefei"})
        Audit = self.env["crm.relation.audit"].with_user(self.auditor)
        entries = Audit.search([("res_id", "=", self.customer.id)])
        self.assertTrue(entries, "the auditor has entries to look at")
        # What the auditor would leave: entries, messages of theirs (not
        # OdooBot's welcome on a first login), activities.
        Message = self.env["mail.message"]
        Activity = self.env["mail.activity"]
        partner = self.auditor.partner_id

        def fingerprint():
            return (
                Audit.sudo().search_count([]),
                Message.search_count([("author_id", "=", partner.id)]),
                Activity.search_count([("create_uid", "=", self.auditor.id)]),
            )

        before = fingerprint()
        self.start_tour(
            "/odoo",
            "crm_relation_auditor_tour",
            login=self.auditor.login,
            timeout=180,
        )
        self.assertEqual(before, fingerprint(), "the auditor's tour changed nothing")
