"""The server of this layer runs the addon installed from its wheel
(``odoo-addon-crm_relation``, built by whool): the test command installs the
wheel in a virtual environment and starts Odoo with its Python, without the
repository on the addons path. Run alone (``pytest tests/e2e``), the server
runs the repository's addon, and this says so."""

import json
import os
import subprocess

import odoo_env
from paths import ADDON

SCRIPT = """
import importlib.metadata, json, sys
import odoo.addons.crm_relation as addon
from odoo.modules.module import get_module_path
try:
    dist = importlib.metadata.distribution("odoo-addon-crm_relation")
    dist = {"version": dist.version, "requires": dist.requires}
except importlib.metadata.PackageNotFoundError:
    dist = None
state = env["ir.module.module"].search([("name", "=", "crm_relation")]).state
print("WHERE=" + json.dumps({
    "file": addon.__file__, "path": get_module_path("crm_relation"),
    "prefix": sys.prefix, "dist": dist, "state": state,
}))
"""


def _where(server):
    python_, cli, *options = odoo_env.odoo_command(server.cluster)
    cmd = [python_, cli, "shell", *options, "-d", server.db, "--log-level=warn"]
    run = subprocess.run(
        cmd, input=SCRIPT, capture_output=True, text=True, timeout=300,
        env=odoo_env.odoo_environ(odoo_env.TEST_AUDIT_KEY), check=False,
    )  # fmt: skip
    for line in run.stdout.splitlines():
        if line.startswith("WHERE="):
            return json.loads(line[len("WHERE=") :])
    raise RuntimeError(f"odoo shell said nothing:\n{run.stdout}\n{run.stderr}")


def test_server_runs_the_addon_from_its_wheel(server):
    where = _where(server)
    assert where["state"] == "installed"
    repo_addon = str(ADDON.resolve())
    if not odoo_env.wheel_python():
        # Alone: the repository's addon, and no wheel.
        assert os.path.realpath(where["path"]) == repo_addon
        return
    assert where["prefix"] == os.path.dirname(
        os.path.dirname(odoo_env.wheel_python())
    ), "Odoo runs with the Python of the wheel's environment"
    assert "site-packages" in where["path"]
    assert where["path"].startswith(where["prefix"])
    assert not os.path.realpath(where["file"]).startswith(repo_addon)
    assert where["dist"], "odoo-addon-crm_relation is installed"
    assert "odoo-addon-helpdesk_mgmt==19.0.*" in where["dist"]["requires"]
