"""Find Odoo 19 and build its command lines, for the tests and the run command.

Odoo is wherever ``import odoo`` works for the Python running this (see the
README: a source checkout installed with ``pip install -e``). Nothing here
installs it.
"""

import os
import secrets
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ADDON = "crm_relation"
NOT_IMPORTABLE = "Odoo 19 not importable: see README"
# The audit key of test servers: made on first use, never committed.
TEST_AUDIT_KEY = REPO / ".test-output" / "audit.key"

_PROBE = """
import importlib.util, sys
try:
    import odoo.release as release
except Exception as exc:
    print("missing", type(exc).__name__, exc)
    sys.exit(0)
helpdesk = importlib.util.find_spec("odoo.addons.helpdesk_mgmt") is not None
print("found", release.version_info[0], release.version, int(helpdesk))
"""


def probe(python=sys.executable):
    """Return ``(ok, reason, helpdesk)``: is Odoo 19 importable by ``python``?"""
    out = subprocess.run(
        [python, "-c", _PROBE], capture_output=True, text=True, check=False
    ).stdout.split()
    if not out or out[0] != "found":
        detail = " ".join(out[1:]) if out else "probe failed"
        return False, f"{NOT_IMPORTABLE} ({detail})", False
    if out[1] != "19":
        return False, f"Odoo {out[2]} found, 19.0 needed: see README", False
    return True, f"Odoo {out[2]}", out[3] == "1"


# Layer 3 runs Odoo with the Python of a virtual environment where the addon
# is installed from its wheel (tools/run_tests.py): with that Python, Odoo
# finds the addon in site-packages and the repository is not on its addons
# path.
WHEEL_PYTHON_VARIABLE = "CRM_ODOO_WHEEL_PYTHON"


def wheel_python():
    """The Python of the environment the addon's wheel is installed in, or
    None when Odoo runs the repository's addon."""
    return os.environ.get(WHEEL_PYTHON_VARIABLE) or None


def odoo_command(cluster, *args, python=None):
    """Odoo's command line (``tools/odoo_cli.py``, as ``odoo-bin``) with
    this repository on the addons path; with the Python of the wheel's
    environment (``CRM_ODOO_WHEEL_PYTHON``, the default when set), without
    it: Odoo then loads the addon installed from the wheel."""
    installed = wheel_python()
    python = python or installed or sys.executable
    from_wheel = installed is not None and python == installed
    return [
        python,
        str(REPO / "tools" / "odoo_cli.py"),
        *([] if from_wheel else [f"--addons-path={REPO}"]),
        *cluster.odoo_args(),
        *args,
    ]


AUDIT_KEY_VARIABLES = ("CRM_RELATION_AUDIT_KEY", "CRM_RELATION_AUDIT_KEY_FILE")


def audit_key_file(path):
    """A file holding a random audit key, made (readable by its owner only)
    when missing; the key of an existing file is kept."""
    path = Path(path)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(48) + "\n")
    return path


def odoo_environ(audit_key_path=None):
    """The environment Odoo runs in: without the caller's PG* variables and,
    unless the caller names an audit key already, with the key file
    ``audit_key_path`` (made when missing)."""
    env = dict(os.environ)
    # Odoo reads PG* variables too: never let a developer's leak in.
    for key in ("PGHOST", "PGPORT", "PGUSER", "PGPASSWORD", "PGDATABASE"):
        env.pop(key, None)
    if audit_key_path and not any(env.get(k) for k in AUDIT_KEY_VARIABLES):
        env["CRM_RELATION_AUDIT_KEY_FILE"] = str(audit_key_file(audit_key_path))
    return env
