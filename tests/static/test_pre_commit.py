"""The pre-commit hooks that layer 1 runs can fail, and their results are
counted: each hook of .pre-commit-config.yaml is run on a small repository of
broken files, and the runner's summary parser is checked."""

import os
import shutil
import subprocess
import sys

import pytest
import run_tests
from paths import REPO

BAD_MANIFEST = """{
    "name": "Broken",
    "version": "18.0.1.0.0",
    "license": "LGPL-3",
    "author": "crm_relation developers",
    "website": "https://example.com",
    "depends": ["base"],
    "data": ["views/missing.xml"],
}
"""


@pytest.fixture(scope="module")
def broken_repo(tmp_path_factory):
    """A git repository with this repository's hook configuration and files
    each hook must refuse."""
    root = tmp_path_factory.mktemp("precommit")
    for name in (".pre-commit-config.yaml", "pyproject.toml", ".pylintrc"):
        shutil.copy(REPO / name, root / name)
    (root / "tools").mkdir()
    shutil.copy(REPO / "tools" / "gen_addon_readme.py", root / "tools")
    addon = root / "crm_relation"
    (addon / "readme").mkdir(parents=True)
    (addon / "views").mkdir()
    (addon / "__init__.py").write_text("")
    (addon / "__manifest__.py").write_text(BAD_MANIFEST)
    (addon / "readme" / "DESCRIPTION.md").write_text("A broken addon.\n")
    (addon / "README.rst").write_text("Written by hand.\n")
    (addon / "views" / "view.xml").write_text(
        '<?xml version="1.0" encoding="utf-8" ?>\n<odoo>\n'
        '    <record id="x" model="ir.ui.view">\n'
        '        <field name="priority">10</field>\n'
        "    </record>\n</odoo>\n"
    )
    (root / "bad.py").write_text("import os\nx=1  \n")
    (root / "broken.xml").write_text("<odoo><record></odoo>\n")
    (root / "ok.txt").write_text("no newline at the end")
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    return root


@pytest.mark.parametrize(
    ("hook", "finding"),
    [
        ("ruff", "F401"),
        ("ruff-format", "reformatted"),
        ("pylint_odoo", "manifest-version-format"),
        ("oca-checks-odoo-module", "file-not-used"),
        ("check-xml", "broken.xml"),
        ("trailing-whitespace", "Fixing bad.py"),
        ("end-of-file-fixer", "Fixing ok.txt"),
        ("gen-addon-readme", "README.rst is not up to date"),
    ],
)
def test_hook_fails_on_broken_files(broken_repo, hook, finding):
    env = {k: v for k, v in os.environ.items() if k != "SKIP"}
    proc = subprocess.run(
        [sys.executable, "-m", "pre_commit", "run", hook, "--all-files"],
        cwd=broken_repo,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    output = proc.stdout + proc.stderr
    assert proc.returncode == 1, output
    assert "Failed" in output and finding in output, output
    # Leave the files as they were for the next hook.
    subprocess.run(["git", "checkout", "--", "."], cwd=broken_repo, check=True)


def test_hook_results_are_counted():
    dots = "." * 50
    output = (
        "[INFO] Installing environment for local.\n"
        f"forbidden files{dots}(no files to check)Skipped\n"
        f"ruff check{dots}Passed\n"
        f"pylint with the OCA checks{dots}Failed\n"
        "- hook id: pylint_odoo\n"
        "- exit code: 17\n"
        "\n"
        "crm_relation/x.py:1: [W8116(print-used), ] Print used.\n"
        f"check xml{dots}Passed\n"
    )
    assert run_tests.pre_commit_counts(output) == (
        2,
        1,
        1,
        ["pylint with the OCA checks"],
    )
