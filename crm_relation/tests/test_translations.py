# Copyright 2026 crm_relation developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import re

import polib

from odoo.tests import TransactionCase, tagged
from odoo.tools.misc import file_path
from odoo.tools.translate import TranslationModuleReader


@tagged("post_install", "-at_install", "crm_relation")
class TestTranslations(TransactionCase):
    def test_zh_cn_covers_every_term(self):
        """Every term Odoo would export for the addon has a Chinese text."""
        terms = {
            row[4] for row in TranslationModuleReader(self.env.cr, ["crm_relation"])
        }
        po = polib.pofile(file_path("crm_relation/i18n/zh_CN.po"))
        translated = {e.msgid for e in po if e.msgstr.strip() and not e.obsolete}
        self.assertFalse(sorted(terms - translated), "terms missing from zh_CN.po")

    def test_no_term_mentions_the_seed(self):
        """No term users read speaks of the requirements' source document."""
        terms = {
            row[4] for row in TranslationModuleReader(self.env.cr, ["crm_relation"])
        }
        self.assertGreater(len(terms), 100)
        seed = re.compile(r"\bseed|种子", re.IGNORECASE)
        self.assertFalse(sorted(t for t in terms if seed.search(t)))

    def test_menu_in_chinese(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"].search(
            [("name", "=", "crm_relation")]
        )._update_translations(["zh_CN"])
        root = self.env.ref("crm_relation.menu_crm_relation_root")
        self.assertEqual(root.with_context(lang="zh_CN").name, "客户关系")
        self.assertEqual(root.with_context(lang="en_US").name, "Customer Relations")
