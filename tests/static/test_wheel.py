"""The addon builds as OCA's addons do: a wheel ``odoo-addon-crm_relation``
made by whool, its version the manifest's, its dependencies Odoo 19 and
``odoo-addon-<name>==19.0.*`` for each addon of its ``depends`` that is not
Odoo's own (the OCA ones, installed from PyPI). Layer 3 installs the addon
from this wheel and runs its server on it."""

import ast
import subprocess
import sys
import zipfile
from email.parser import HeaderParser

import pytest
from manifestoo_core.core_addons import is_core_addon
from manifestoo_core.odoo_series import OdooSeries
from paths import ADDON, REPO

SERIES = OdooSeries("19.0")


@pytest.fixture(scope="module")
def manifest():
    return ast.literal_eval((ADDON / "__manifest__.py").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    """The wheel ``pip wheel crm_relation/`` builds (whool is in
    requirements-test.txt: no build isolation, no download)."""
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
         "--no-build-isolation", "-w", str(out), str(ADDON)],
        check=True, cwd=REPO,
    )  # fmt: skip
    (path,) = out.glob("*.whl")
    return path


def _metadata(wheel):
    with zipfile.ZipFile(wheel) as archive:
        (name,) = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
        return HeaderParser().parsestr(archive.read(name).decode())


def test_pyproject_uses_whool():
    text = (ADDON / "pyproject.toml").read_text(encoding="utf-8")
    assert 'requires = ["whool"]' in text
    assert 'build-backend = "whool.buildapi"' in text
    assert 'name = "odoo-addon-crm_relation"' in text


def test_wheel_name_and_version(wheel, manifest):
    metadata = _metadata(wheel)
    assert metadata["Name"] == "odoo-addon-crm_relation"
    # The manifest's version, plus whool's post-release number from git.
    assert metadata["Version"].startswith(manifest["version"])
    assert wheel.name.startswith("odoo_addon_crm_relation-" + manifest["version"])
    assert "Framework :: Odoo :: 19.0" in metadata.get_all("Classifier")


def test_wheel_declares_odoo_and_the_oca_addons(wheel, manifest):
    requires = set(_metadata(wheel).get_all("Requires-Dist"))
    oca = [d for d in manifest["depends"] if not is_core_addon(d, SERIES)]
    assert "helpdesk_mgmt" in oca
    expected = {f"odoo-addon-{d}==19.0.*" for d in oca} | {"odoo==19.0.*"}
    assert requires == expected
    # Odoo's own addons come with Odoo: never a requirement of their own.
    assert not [r for r in requires if r.startswith("odoo-addon-sale")]


def test_wheel_holds_the_addon_under_odoo_addons(wheel):
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    prefix = "odoo/addons/crm_relation/"
    for path in (
        "__manifest__.py",
        "__init__.py",
        "i18n/zh_CN.po",
        "security/ir.model.access.csv",
        "static/description/icon.png",
        "static/tests/tours/crm_relation_tours.js",
        "tests/test_tours.py",
    ):
        assert prefix + path in names, path
    assert prefix + "pyproject.toml" not in names
    assert not [n for n in names if "__pycache__" in n]
