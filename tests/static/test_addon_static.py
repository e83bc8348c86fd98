"""Static checks of the addon: manifest, references, access CSV, po, no
"seed" in the user interface. None of them needs Odoo.

ruff, pylint-odoo, the OCA hooks (XML, CSV, manifest, po), XML syntax and
README.rst being up to date are pre-commit hooks (.pre-commit-config.yaml),
run by layer 1 of the test command as well."""

import addon_checks as checks
from paths import ADDON, LOGIC


def test_manifest():
    assert checks.check_manifest(ADDON) == []


def test_every_referenced_id_exists():
    assert checks.check_references(ADDON) == []


def test_menu_icons_exist():
    assert checks.check_web_icons(ADDON) == []


def test_access_csv_names_real_models_and_groups():
    assert checks.check_access_csv(ADDON) == []


def test_logic_modules_do_not_import_odoo():
    assert checks.check_pure_logic(LOGIC) == []


def test_sql_through_odoos_public_api():
    assert checks.check_sql_idioms(ADDON) == []


def test_one_model_per_file_named_after_it():
    assert checks.check_one_model_per_file(ADDON / "models") == []


def test_views_of_at_most_two_models_per_file():
    assert checks.check_view_models_per_file(ADDON) == []


def test_crons_sequences_activity_types_mails_and_reports_in_their_folders():
    assert checks.check_records_in_their_folders(ADDON) == []


def test_zh_cn_translation_is_complete():
    assert checks.check_po(ADDON / "i18n" / "zh_CN.po") == []


def test_zh_cn_covers_the_template():
    pot = ADDON / "i18n" / "crm_relation.pot"
    missing = checks.po_msgids(pot) - checks.po_msgids(ADDON / "i18n" / "zh_CN.po")
    assert not missing, f"terms of crm_relation.pot missing from zh_CN.po: {missing}"


def test_no_seed_in_user_facing_strings():
    assert checks.check_no_seed(ADDON) == []
