# Copyright 2026 crm_relation developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import date, timedelta

from odoo import Command
from odoo.tests import new_test_user

from odoo.addons.account.tests.common import AccountTestInvoicingCommon

TODAY = date(2026, 6, 30)
# One unit of the company currency is worth this many CNY in these tests.
CNY_PER_UNIT = 5.0


class InvoicingCase(AccountTestInvoicingCommon):
    """A company scoring in a currency worth ``CNY_PER_UNIT`` CNY, its
    users, and helpers that post invoices ``days_ago`` before ``TODAY``."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.company_data["company"]
        cls.cny = cls.env.ref("base.CNY")
        cls.env["res.currency.rate"].create(
            [
                {
                    "currency_id": currency.id,
                    "company_id": cls.company.id,
                    "name": "2020-01-01",
                    "rate": rate,
                }
                for currency, rate in (
                    (cls.cny, CNY_PER_UNIT),
                    (cls.company.currency_id, 1.0),
                )
            ]
        )
        # The accounting test user also manages sales and customer relations.
        cls.env.user.group_ids += cls.env.ref(
            "crm_relation.group_crm_relation_manager"
        ) + cls.env.ref("sales_team.group_sale_manager")
        cls.engine = cls.env["crm.relation.rfm.engine"]
        cls.manager = cls._company_user(
            "t_rfm_manager",
            "crm_relation.group_crm_relation_manager,account.group_account_invoice",
        )
        cls.user = cls._company_user(
            "t_rfm_user", "crm_relation.group_crm_relation_user"
        )
        cls.auditor = cls._company_user(
            "t_rfm_auditor", "crm_relation.group_crm_relation_auditor"
        )

    @classmethod
    def _company_user(cls, login, groups):
        return new_test_user(
            cls.env,
            login,
            groups=groups,
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )

    # -- helpers --------------------------------------------------------------

    def _customer(self, name="Customer", **vals):
        return self.env["res.partner"].create(
            {"name": name, "customer_rank": 1, "user_id": self.manager.id, **vals}
        )

    def _invoice(self, partner, days_ago, cny, qty=1, refund=False, company=None,
                 currency=None):  # fmt: skip
        """Post an untaxed invoice worth ``cny`` CNY, ``days_ago`` before TODAY."""
        company = company or self.company
        amount = cny / CNY_PER_UNIT
        move = (
            self.env["account.move"]
            .with_company(company)
            .create(
                {
                    "move_type": "out_refund" if refund else "out_invoice",
                    "partner_id": partner.id,
                    "invoice_date": TODAY - timedelta(days=days_ago),
                    "currency_id": (currency or company.currency_id).id,
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "product_id": self.product_a.id,
                                "quantity": qty,
                                "price_unit": amount / qty,
                                "tax_ids": [Command.clear()],
                            }
                        )
                    ],
                }
            )
        )
        move.action_post()
        return move

    def _evaluate(self, partners=None, when=TODAY, trigger="manual", company=None):
        return self.engine._evaluate_company(
            company or self.company, partners=partners, trigger=trigger, date=when
        )

    def _in(self, partner, company=None):
        return partner.with_company(company or self.company)
