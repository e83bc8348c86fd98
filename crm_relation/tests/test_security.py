# Copyright 2026 crm_relation developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import date

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import TransactionCase, tagged

from .common import make_role_users, trusted


@tagged("post_install", "-at_install", "crm_relation")
class TestSecurity(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.users = make_role_users(cls.env)
        cls.customer = cls.env["res.partner"].create(
            {"name": "客户 Security Test", "customer_rank": 1}
        )
        cls.product = cls.env["product.product"].create(
            {"name": "Security Test Product", "list_price": 100.0}
        )
        cls.order = cls.env["sale.order"].create(
            {
                "partner_id": cls.customer.id,
                "order_line": [(0, 0, {"product_id": cls.product.id})],
            }
        )

    def test_implied_groups(self):
        u = self.users
        expectations = [
            ("manager", "crm_relation.group_crm_relation_user", True),
            ("manager", "sales_team.group_sale_salesman_all_leads", True),
            ("manager", "base.group_partner_manager", True),
            ("integration", "account.group_account_invoice", True),
            ("user", "crm_relation.group_crm_relation_manager", False),
            ("user", "base.group_user", True),
            ("auditor", "crm_relation.group_crm_relation_user", False),
            ("auditor", "crm_relation.group_crm_relation_manager", False),
            ("auditor", "account.group_account_readonly", True),
            ("integration", "crm_relation.group_crm_relation_user", True),
            ("integration", "crm_relation.group_crm_relation_manager", False),
            ("integration", "base.group_partner_manager", True),
            ("outsider", "crm_relation.group_crm_relation_user", False),
        ]
        for role, group, expected in expectations:
            with self.subTest(role=role, group=group):
                self.assertEqual(u[role].has_group(group), expected)
        self.assertTrue(
            self.env.ref("base.user_admin").has_group(
                "crm_relation.group_crm_relation_manager"
            )
        )

    def test_groups_share_one_category(self):
        groups = self.env["res.groups"].browse(
            self.env.ref(f"crm_relation.group_crm_relation_{name}").id
            for name in ("user", "manager", "auditor", "integration")
        )
        self.assertEqual(
            groups.privilege_id.category_id,
            self.env.ref("crm_relation.module_category_crm_relation"),
        )

    def test_menu_visibility_per_role(self):
        root = self.env.ref("crm_relation.menu_crm_relation_root").id
        config = self.env.ref("crm_relation.menu_crm_relation_config").id
        menus = self.env["ir.ui.menu"]
        expected = {
            "user": {root},
            "manager": {root, config},
            "auditor": {root},
            "integration": {root},
            "outsider": set(),
        }
        for role, visible in expected.items():
            with self.subTest(role=role):
                seen = menus.with_user(self.users[role])._visible_menu_ids()
                self.assertEqual({root, config} & seen, visible)

    def test_every_menu_action_opens_for_the_roles_that_see_it(self):
        root = self.env.ref("crm_relation.menu_crm_relation_root")
        entries = self.env["ir.ui.menu"].search([("id", "child_of", root.id)])
        for role in ("user", "manager", "auditor"):
            user = self.users[role]
            visible = self.env["ir.ui.menu"].with_user(user)._visible_menu_ids()
            for menu in entries:
                if not menu.action or menu.id not in visible:
                    continue
                action = menu.action.sudo()
                if action._name != "ir.actions.act_window":
                    continue
                with self.subTest(role=role, menu=menu.complete_name):
                    # Raises AccessError if the role could not open it.
                    self.env[action.res_model].with_user(user).search_count([])

    def test_sales_figures_read_by_staff_and_auditors_only(self):
        for role in ("user", "manager", "auditor"):
            with self.subTest(role=role):
                report = self.env["sale.report"].with_user(self.users[role])
                self.assertGreaterEqual(report.search_count([]), 1)
                self.order.with_user(self.users[role]).read(["name", "amount_total"])
        with self.assertRaises(AccessError):
            self.env["sale.report"].with_user(self.users["outsider"]).search_count([])
        with self.assertRaises(AccessError):
            self.order.with_user(self.users["outsider"]).read(["name"])

    def test_auditor_writes_nothing(self):
        auditor = self.users["auditor"]
        with self.assertRaises(AccessError):
            self.order.with_user(auditor).write({"note": "changed by an auditor"})
        with self.assertRaises(AccessError):
            self.env["sale.order"].with_user(auditor).create(
                {"partner_id": self.customer.id}
            )
        with self.assertRaises(AccessError):
            self.order.with_user(auditor).unlink()

    def test_plain_user_reads_but_does_not_change_orders(self):
        user = self.users["user"]
        self.order.with_user(user).read(["name"])
        with self.assertRaises(AccessError):
            self.order.with_user(user).write({"note": "changed"})

    def test_outsider_reads_nothing_of_the_addon(self):
        outsider = self.users["outsider"]
        for model in (
            "crm.relation.tier",
            "crm.relation.rfm.band",
            "crm.relation.tier.history",
            "crm.relation.block.wizard",
            "crm.relation.audit",
            "crm.relation.review.policy",
            "crm.relation.complaint.summary",
            "crm.relation.complaint.summary.line",
            "crm.relation.care.rule",
            "crm.relation.care.log",
            "crm.relation.profitability.report",
            "crm.relation.pareto.report",
        ):
            with self.subTest(model=model), self.assertRaises(AccessError):
                self.env[model].with_user(outsider).search_count([])

    def test_auditor_reads_every_addon_model_and_writes_none(self):
        """Every model of the addon: the auditor reads, and cannot create,
        change or delete (the audit log refuses everyone)."""
        self.customer.write({"city": "Audit City"})  # one audit entry
        vip = self.env["crm.relation.vip"].create(
            {"partner_id": self.customer.id, "reason": "Security test"}
        )
        self.env["crm.relation.sync.map"].create(
            {"source": "shop", "external_id": "1", "model": "res.partner",
             "res_id": self.customer.id, "company_id": self.env.company.id}
        )  # fmt: skip
        self.env["crm.relation.vip.period"].create(
            {"vip_id": vip.id, "date_start": "2026-01-01", "date_end": "2027-01-01",
             "kind": "registration"}
        )  # fmt: skip
        self.env["crm.relation.rfm.engine"].evaluate(
            self.env.company.id, partner_ids=self.customer.ids
        )
        self.env["crm.relation.audit"]._seal()
        plan = self.env["crm.relation.visit.plan"].create(
            {"partner_id": self.customer.id, "next_date": "2026-01-05"}
        )
        plan.action_generate_visits()
        trusted(self.customer.with_company(self.env.company)).relation_churn_risk = 100
        self.env["crm.relation.winback"]._after_evaluation(
            self.env.company, self.customer
        )
        team = self.env["helpdesk.ticket.team"].create({"name": "Security desk"})
        self.env["helpdesk.ticket"].create(
            {"name": "Complaint", "description": "x", "team_id": team.id,
             "partner_id": self.customer.id, "relation_is_complaint": True}
        )  # fmt: skip
        self.env["crm.relation.complaint.summary"].create(
            {"team_id": team.id, "date_from": fields.Date.context_today(team)}
        )
        self.customer.birthdate_date = "1990-06-30"
        self.env["crm.relation.care.rule"].create(
            {"name": "Security test", "kind": "birthday"}
        )._fire(date(2026, 6, 30))
        auditor = self.users["auditor"]
        # A harmless write for each model; a new model must be added here.
        writes = {
            "crm.relation.tier": {"name": "Renamed"},
            "crm.relation.rfm.band": {"score": 1},
            "crm.relation.tier.history": {"warning_reason": "x"},
            "crm.relation.audit": {"new_value": "x"},
            "crm.relation.review.policy": {"field_ids": []},
            "crm.relation.vip": {"details": "x"},
            "crm.relation.vip.period": {"kind": "renewal"},
            "crm.relation.sync.map": {"payload_hash": "x"},
            "crm.relation.visit.plan": {"note": "x"},
            "crm.relation.visit": {"outcome": "x"},
            "crm.relation.visit.week": {"message_main_attachment_id": False},
            "crm.relation.complaint.summary": {"review_comment": "x"},
            "crm.relation.complaint.summary.line": {"complaint_count": 1},
            "crm.relation.care.rule": {"days": 1},
            "crm.relation.care.log": {"summary": "x"},
            "crm.relation.manager.evaluation.report": {"visits_done": 1},
            "crm.relation.visit.week.report": {"order_count": 1},
            "crm.relation.winback": {"note": "x"},
            "crm.relation.profitability.report": {"margin": 1.0},
            "crm.relation.pareto.report": {"margin": 1.0},
            "crm.relation.churn.report": {"churned": 1},
        }
        stored = self.env["ir.model"].search(
            [("model", "=like", "crm.relation.%"), ("transient", "=", False),
             ("abstract", "=", False)]
        )  # fmt: skip
        self.assertEqual(set(stored.mapped("model")), set(writes))
        for model_name, vals in writes.items():
            as_auditor = self.env[model_name].with_user(auditor).search([], limit=1)
            # The log refuses everyone with a UserError; ACLs refuse the rest.
            refused = (
                UserError
                if model_name
                in (
                    "crm.relation.audit",
                    "crm.relation.care.log",
                    "crm.relation.tier.history",
                )
                else AccessError
            )
            with self.subTest(model=model_name):
                self.assertTrue(as_auditor, "a record the auditor reads")
                as_auditor.read()
                with self.assertRaises(refused):
                    as_auditor.write(vals)
                with self.assertRaises(refused):
                    as_auditor.copy()
                with self.assertRaises(refused):
                    as_auditor.unlink()
        with self.assertRaises(AccessError):
            self.env["crm.relation.block.wizard"].with_user(auditor).create(
                {"partner_ids": [(6, 0, self.customer.ids)], "reason": "x"}
            )
        with self.assertRaises(AccessError):
            self.customer.with_user(auditor).action_review_first()
