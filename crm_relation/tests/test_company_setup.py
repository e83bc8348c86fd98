# Copyright 2026 crm_relation developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.modules.module import load_script
from odoo.tests import TransactionCase, new_test_user, tagged
from odoo.tools.misc import file_path

from ..hooks import post_init_hook

MIGRATION = "crm_relation/migrations/19.0.1.5.0/post-migrate.py"


@tagged("post_install", "-at_install", "crm_relation")
class TestCompanySetUp(TransactionCase):
    """Platinum and Gold are the high-value tiers for complaints of every
    company: new ones as they are created, existing ones on installation."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Company = cls.env["res.company"].with_context(active_test=False)
        cls.defaults = cls.env.ref("crm_relation.tier_p") | cls.env.ref(
            "crm_relation.tier_g"
        )
        cls.silver = cls.env.ref("crm_relation.tier_s")

    def test_companies_found_at_installation_have_the_defaults(self):
        for company in self.Company.search([]):
            self.assertEqual(company.relation_complaint_tier_ids, self.defaults)

    def test_new_company_has_the_defaults(self):
        # Whoever creates companies, even without access to the tiers.
        creator = new_test_user(
            self.env,
            "t_company_creator",
            groups="base.group_erp_manager,base.group_partner_manager",
        )
        self.assertFalse(
            self.env["crm.relation.tier"].with_user(creator).has_access("read")
        )
        company = self.env["res.company"].with_user(creator).create({"name": "New Co"})
        self.assertEqual(company.sudo().relation_complaint_tier_ids, self.defaults)
        chosen = self.Company.create(
            {"name": "Chosen Co", "relation_complaint_tier_ids": self.silver.ids}
        )
        self.assertEqual(chosen.relation_complaint_tier_ids, self.silver)

    def test_installation_sets_up_companies_without_tiers_only(self):
        companies = self.Company.search([])
        companies.relation_complaint_tier_ids = False
        chosen = self.Company.create({"name": "Chosen Co"})
        chosen.relation_complaint_tier_ids = self.silver
        post_init_hook(self.env)
        for company in companies:
            self.assertEqual(company.relation_complaint_tier_ids, self.defaults)
        self.assertEqual(chosen.relation_complaint_tier_ids, self.silver)

    def _band_counts(self, companies):
        groups = (
            self.env["crm.relation.rfm.band"]
            .sudo()
            ._read_group(
                [("company_id", "in", companies.ids)], ["company_id"], ["__count"]
            )
        )
        return {company.id: count for company, count in groups}

    def test_band_tables_set_up_once_for_companies_without_them(self):
        Band = self.env["crm.relation.rfm.band"].sudo()
        companies = self.Company.search([])
        per_company = self._band_counts(companies)
        # Every company found on installation has the three default tables.
        self.assertEqual(set(per_company), set(companies.ids))
        default_rows = len(Band._default_rows(companies[0]))
        self.assertTrue(default_rows)
        self.assertEqual(set(per_company.values()), {default_rows})
        # A new company gets them, whoever creates it.
        creator = new_test_user(
            self.env,
            "t_band_creator",
            groups="base.group_erp_manager,base.group_partner_manager",
        )
        company = self.env["res.company"].with_user(creator).create({"name": "Co"})
        self.assertEqual(self._band_counts(company), {company.id: default_rows})
        # Set-up again (installation): tables are neither doubled nor
        # restored for a company whose table was edited.
        Band.search(
            [("company_id", "=", company.id)], order="threshold desc", limit=1
        ).unlink()
        post_init_hook(self.env)
        self.assertEqual(self._band_counts(company), {company.id: default_rows - 1})
        self.assertEqual(
            self._band_counts(companies), {c.id: default_rows for c in companies}
        )

    def test_upgrade_from_before_the_tiers_sets_them_up(self):
        migrate = load_script(file_path(MIGRATION), "crm_relation").migrate
        companies = self.Company.search([])
        companies.relation_complaint_tier_ids = False
        migrate(self.env.cr, "19.0.1.4.0")
        for company in companies:
            self.assertEqual(company.relation_complaint_tier_ids, self.defaults)
        # Tiers chosen already: the upgrade leaves every company alone.
        companies.relation_complaint_tier_ids = False
        companies[:1].relation_complaint_tier_ids = self.silver
        migrate(self.env.cr, "19.0.1.4.0")
        self.assertEqual(companies[:1].relation_complaint_tier_ids, self.silver)
        self.assertFalse((companies - companies[:1]).relation_complaint_tier_ids)
