# Copyright 2026 crm_relation developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.modules.module import load_script
from odoo.tests import TransactionCase, tagged
from odoo.tools import SQL
from odoo.tools.sql import column_exists, index_exists, make_index_name

MIGRATION = "crm_relation/migrations/19.0.1.7.0/pre-migrate.py"


@tagged("post_install", "-at_install", "crm_relation")
class TestFieldRenameMigration(TransactionCase):
    """The 19.0.1.7.0 pre-migration, on tables and field records put back as
    19.0.1.6.0 named them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.script = load_script(MIGRATION, "crm_relation_migration_19_0_1_7_0")
        cls.partner = cls.env["res.partner"].create(
            {"name": "Former names", "relation_mobile": "13900000000"}
        )
        cls.ticket = cls.env["helpdesk.ticket"].create(
            {
                "name": "Former names",
                "description": "<p>Broken</p>",
                "partner_id": cls.partner.id,
                "relation_is_complaint": True,
                "relation_satisfaction": "4",
            }
        )
        cls.company = cls.env.company
        cls.company.relation_vip_min_orders = 7
        cls.filters = cls.env["ir.filters"].create(
            [
                {
                    "name": "Complaints",
                    "model_id": "helpdesk.ticket",
                    "domain": "[('relation_is_complaint', '=', True)]",
                    "context": "{'group_by': ['relation_satisfaction']}",
                },
                {
                    "name": "Visits",
                    "model_id": "crm.relation.visit",
                    "domain": "[('satisfaction', '=', '5')]",
                },
            ]
        )

    def _former(self, model, name, former):
        """Give field ``name`` of ``model`` its 19.0.1.6.0 name back."""
        cr = self.env.cr
        table = model.replace(".", "_")
        xmodel = table
        if column_exists(cr, table, name):
            cr.execute(
                SQL(
                    "ALTER TABLE %s RENAME COLUMN %s TO %s",
                    SQL.identifier(table),
                    SQL.identifier(name),
                    SQL.identifier(former),
                )
            )
            if index_exists(cr, make_index_name(table, name)):
                cr.execute(
                    SQL(
                        "ALTER INDEX %s RENAME TO %s",
                        SQL.identifier(make_index_name(table, name)),
                        SQL.identifier(make_index_name(table, former)),
                    )
                )
        cr.execute(
            SQL(
                "UPDATE ir_model_fields SET name = %s WHERE model = %s AND name = %s",
                former,
                model,
                name,
            )
        )
        cr.execute(
            SQL(
                """
                UPDATE ir_model_data
                   SET name = replace(name, %s, %s)
                 WHERE module = 'crm_relation'
                   AND (name = %s OR starts_with(name, %s))
                """,
                f"__{name}",
                f"__{former}",
                f"field_{xmodel}__{name}",
                f"selection__{xmodel}__{name}__",
            )
        )

    def test_values_and_field_records_survive_the_renames(self):
        ref = self.env.ref
        mobile_field = ref("crm_relation.field_res_partner__relation_mobile")
        satisfaction_field = ref(
            "crm_relation.field_helpdesk_ticket__relation_satisfaction"
        )
        four = ref("crm_relation.selection__helpdesk_ticket__relation_satisfaction__4")
        self.assertTrue(
            index_exists(
                self.env.cr, make_index_name("helpdesk_ticket", "relation_is_complaint")
            )
        )
        self.env.flush_all()
        for model, name in [
            ("res.partner", "relation_mobile"),
            ("res.users", "relation_mobile"),
            ("helpdesk.ticket", "relation_is_complaint"),
            ("helpdesk.ticket", "relation_satisfaction"),
            ("res.company", "relation_vip_min_orders"),
            ("res.config.settings", "relation_vip_min_orders"),
        ]:
            former = next(
                old for old, new in self.script.RENAMES[model].items() if new == name
            )
            self._former(model, name, former)
        self.env.cr.execute(
            SQL(
                "UPDATE ir_filters SET domain = replace(domain, 'relation_', ''), "
                "context = replace(context, 'relation_', '') WHERE id = ANY(%s)",
                self.filters.ids,
            )
        )
        form = self.env.ref("crm_relation.view_partner_form_crm_relation")
        self.env.cr.execute(
            SQL(
                "UPDATE ir_ui_view SET arch_db = replace(arch_db::text, %s, %s)::jsonb"
                " WHERE id = %s",
                'name=\\"relation_mobile\\"',
                'name=\\"mobile\\"',
                form.id,
            )
        )
        form.invalidate_recordset(["arch_db"])
        self.assertIn('name="mobile"', form.arch_db)
        self.assertFalse(column_exists(self.env.cr, "res_partner", "relation_mobile"))
        self.env.registry.clear_cache()

        self.script.migrate(self.env.cr, "19.0.1.6.0")

        self.env.registry.clear_cache()
        self.env.invalidate_all()
        cr = self.env.cr
        cr.execute(
            SQL(
                "SELECT relation_mobile FROM res_partner WHERE id = %s", self.partner.id
            )
        )
        self.assertEqual(cr.fetchone()[0], "13900000000")
        self.assertEqual(self.partner.relation_mobile, "13900000000")
        self.assertTrue(self.ticket.relation_is_complaint)
        self.assertEqual(self.ticket.relation_satisfaction, "4")
        self.assertEqual(self.company.relation_vip_min_orders, 7)
        self.assertTrue(
            index_exists(
                cr, make_index_name("helpdesk_ticket", "relation_is_complaint")
            )
        )
        self.assertFalse(
            index_exists(cr, make_index_name("helpdesk_ticket", "is_complaint"))
        )
        # The same field records, under the same xmlids as a fresh install.
        self.assertEqual(
            ref("crm_relation.field_res_partner__relation_mobile"), mobile_field
        )
        self.assertEqual(mobile_field.name, "relation_mobile")
        self.assertEqual(
            ref("crm_relation.field_helpdesk_ticket__relation_satisfaction"),
            satisfaction_field,
        )
        self.assertEqual(
            ref("crm_relation.selection__helpdesk_ticket__relation_satisfaction__4"),
            four,
        )
        self.assertEqual(
            ref("crm_relation.field_res_users__relation_mobile").name, "relation_mobile"
        )
        self.assertEqual(
            ref("crm_relation.field_res_config_settings__relation_vip_min_orders").name,
            "relation_vip_min_orders",
        )
        # The addon's views of the model follow (before their files reload).
        self.assertIn('name="relation_mobile"', form.arch_db)
        # Saved filters of the model follow; another model's field of the
        # same former name (the visit's satisfaction) does not move.
        complaints, visits = self.filters
        self.assertEqual(complaints.domain, "[('relation_is_complaint', '=', True)]")
        self.assertEqual(complaints.context, "{'group_by': ['relation_satisfaction']}")
        self.assertEqual(visits.domain, "[('satisfaction', '=', '5')]")
        # A second run finds nothing to rename.
        self.assertFalse(
            self.script.rename_field(cr, "res.partner", "mobile", "relation_mobile")
        )


@tagged("post_install", "-at_install", "crm_relation")
class TestFormerEvaluationRuleMigration(TransactionCase):
    """The former wizard's company rule (a noupdate record) goes on upgrade."""

    def test_former_rule_and_its_external_id_are_removed(self):
        script = load_script(
            "crm_relation/migrations/19.0.1.7.0/post-migrate.py",
            "crm_relation_post_migration_19_0_1_7_0",
        )
        rule = self.env["ir.rule"].create(
            {
                "name": "former evaluation rule",
                "model_id": self.env.ref("base.model_res_partner").id,
                "domain_force": "[(1, '=', 1)]",
            }
        )
        self.env["ir.model.data"].create(
            {
                "module": "crm_relation",
                "name": "crm_relation_manager_evaluation_company_rule",
                "model": "ir.rule",
                "res_id": rule.id,
                "noupdate": True,
            }
        )
        kept = self.env.ref("crm_relation.crm_relation_rfm_band_company_rule")
        script.migrate(self.env.cr, "19.0.1.6.0")
        self.assertFalse(rule.exists())
        self.assertFalse(
            self.env.ref(
                "crm_relation.crm_relation_manager_evaluation_company_rule", False
            )
        )
        # Nothing else of the addon's goes.
        self.assertTrue(kept.exists())


@tagged("post_install", "-at_install", "crm_relation")
class TestLastPurchaseDayMigration(TransactionCase):
    """19.0.1.9.0: the stored days since the last purchase become its day."""

    def test_days_become_the_day_and_their_column_goes(self):
        script = load_script(
            "crm_relation/migrations/19.0.1.9.0/post-migrate.py",
            "crm_relation_post_migration_19_0_1_9_0",
        )
        partner = self.env["res.partner"].create({"name": "Former days"})
        other = self.env["res.partner"].create({"name": "Never evaluated"})
        self.env["res.partner"].flush_model()
        cr = self.env.cr
        cr.execute("ALTER TABLE res_partner ADD COLUMN rfm_recency_days jsonb")
        # Evaluated in two companies: 10 and 400 days after the last purchase.
        cr.execute(
            "UPDATE res_partner SET rfm_recency_days = %s::jsonb, "
            "rfm_evaluated_at = %s::jsonb, rfm_last_purchase_date = NULL "
            "WHERE id = %s",
            [
                '{"1": 10, "2": 400, "3": null}',
                '{"1": "2026-06-30 08:00:00", "2": "2026-07-01 00:00:00", '
                '"3": "2026-07-01 00:00:00"}',
                partner.id,
            ],
        )
        script.migrate(cr, "19.0.1.8.0")
        self.assertFalse(column_exists(cr, "res_partner", "rfm_recency_days"))
        cr.execute(
            "SELECT id, rfm_last_purchase_date FROM res_partner WHERE id IN %s",
            [(partner.id, other.id)],
        )
        days = dict(cr.fetchall())
        self.assertEqual(days[partner.id], {"1": "2026-06-20", "2": "2025-05-27"})
        self.assertIsNone(days[other.id])
        self.env.invalidate_all()
        self.assertEqual(
            str(partner.with_company(1).rfm_last_purchase_date), "2026-06-20"
        )
