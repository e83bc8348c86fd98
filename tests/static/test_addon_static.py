"""Static checks of the addon: manifest, XML, references, access CSV, po,
pylint-odoo and ruff. None of them needs Odoo."""

import subprocess
import sys

import addon_checks as checks
import pytest
from paths import ADDON, LOGIC, REPO


def test_manifest():
    assert checks.check_manifest(ADDON) == []


def test_every_xml_file_parses():
    assert checks.check_xml_parses(ADDON) == []


def test_every_referenced_id_exists():
    assert checks.check_references(ADDON) == []


def test_menu_icons_exist():
    assert checks.check_web_icons(ADDON) == []


def test_access_csv_names_real_models_and_groups():
    assert checks.check_access_csv(ADDON) == []


def test_domain_modules_do_not_import_odoo():
    assert checks.check_pure_logic(LOGIC) == []


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


def test_pylint_odoo():
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pylint",
            f"--rcfile={REPO / '.pylintrc'}",
            "crm_relation",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.parametrize(
    "args",
    [["check", "."], ["format", "--check", "--diff", "."]],
    ids=["lint", "format"],
)
def test_ruff(args):
    proc = subprocess.run(
        [sys.executable, "-m", "ruff", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
