# Copyright 2026 crm_relation developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Customer Relations",
    "summary": "Customer value scoring, tiers, VIP lifecycle, visits and care "
    "on top of Sales, Accounting and Helpdesk",
    "version": "19.0.1.2.0",
    "category": "Sales/CRM",
    "license": "LGPL-3",
    "author": "crm_relation developers",
    "website": "https://github.com/crm-relation/crm_relation",
    "development_status": "Alpha",
    "application": True,
    "depends": [
        "sale_management",
        "account",
        "stock",
        "mail",
        "helpdesk_mgmt",
    ],
    "data": [
        "security/crm_relation_security.xml",
        "security/ir.model.access.csv",
        "security/crm_relation_rules.xml",
        "data/crm_relation_tier_data.xml",
        "views/crm_relation_audit_views.xml",
        "data/crm_relation_review_data.xml",
        "views/crm_relation_report_views.xml",
        "views/crm_relation_tier_views.xml",
        "views/crm_relation_review_policy_views.xml",
        "views/res_config_settings_views.xml",
        "wizards/crm_relation_block_wizard_views.xml",
        "views/res_partner_views.xml",
        "views/crm_relation_review_views.xml",
        "views/crm_relation_menus.xml",
    ],
    "uninstall_hook": "uninstall_hook",
    "demo": [
        "demo/res_users_demo.xml",
        "demo/product_demo.xml",
        "demo/res_partner_demo.xml",
        "demo/sale_order_demo.xml",
    ],
}
