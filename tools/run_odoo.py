"""The run command: Odoo 19 with crm_relation and its demo data.

Serves http://127.0.0.1:8069 (CRM_HTTP_PORT) on the database ``crm_relation``
(CRM_DB), created with the addon and demo data when absent, in a PostgreSQL
cluster kept in ~/.cache/crm_relation/pg, or /var/lib/crm_relation/pg
for root (CRM_PG_HOME, port CRM_PG_PORT,
default 5433), or in the server named by CRM_TEST_DB_HOST/PORT/USER.
"""

import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import odoo_env
import pgcluster

NEEDED = """\
Odoo 19 is not importable by {python}: {reason}.

The run command needs, on this machine:
  - Odoo 19.0 Community importable by that Python (a source checkout with
    its requirements installed and `pip install -e <checkout>`), see README
    "Prerequisites";
  - the OCA wheel odoo-addon-helpdesk_mgmt 19.0 (installed from PyPI by
    `make run` once Odoo is importable);
  - a PostgreSQL server (the Debian package `postgresql`).
Set PYTHON=/path/to/python if Odoo lives in another interpreter."""


def default_pg_home():
    # As root the cluster runs as the postgres user, who cannot enter /root.
    if os.geteuid() == 0:
        return "/var/lib/crm_relation/pg"
    return os.path.expanduser("~/.cache/crm_relation/pg")


def database_exists(cluster, name):
    import psycopg2  # an Odoo requirement: present whenever Odoo is

    conn = psycopg2.connect(
        host=cluster.host,
        port=cluster.port,
        user=cluster.user,
        password=cluster.password or None,
        dbname="postgres",
    )
    try:
        with conn.cursor() as cr:
            cr.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            return bool(cr.fetchone())
    finally:
        conn.close()


def main():
    ok, reason, helpdesk = odoo_env.probe()
    if not ok:
        print(NEEDED.format(python=sys.executable, reason=reason), file=sys.stderr)
        return 2
    if not helpdesk:
        # tools/run.sh installs it; run directly, say what is missing.
        print(
            "OCA helpdesk_mgmt 19.0 is not installed: "
            "pip install 'odoo-addon-helpdesk_mgmt==19.0.*' (or use make run).",
            file=sys.stderr,
        )
        return 2
    if os.environ.get("CRM_TEST_DB_HOST"):
        cluster = pgcluster.start()
    else:
        home = os.environ.get("CRM_PG_HOME", default_pg_home())
        cluster = pgcluster.start_persistent(
            home, int(os.environ.get("CRM_PG_PORT", "5433"))
        )
    db = os.environ.get("CRM_DB", "crm_relation")
    port = os.environ.get("CRM_HTTP_PORT", "8069")
    args = [
        "-d",
        db,
        f"--db-filter=^{db}$",
        "--http-interface=127.0.0.1",
        f"--http-port={port}",
    ]
    if not database_exists(cluster, db):
        print(
            f"Creating database {db!r} with crm_relation and demo data "
            "(a few minutes)...",
            flush=True,
        )
        # The demo lives in a Chinese company and its users work in Chinese:
        # load Simplified Chinese with the database.
        args += ["-i", odoo_env.ADDON, "--with-demo", "--load-language=zh_CN"]
    print(
        f"\nCustomer Relations on http://127.0.0.1:{port}/odoo  (database {db})\n"
        "  administrator:  login admin        password admin\n"
        "  demo users:     crm_user, crm_manager, crm_auditor, crm_integration"
        " (password = login)\n"
        "  in Chinese, in 上海瑞和贸易有限公司 (CNY); admin also has the\n"
        "  English company Ruihe Trading Inc. (USD)\n"
        "Stop with Ctrl+C.\n",
        flush=True,
    )
    cmd = odoo_env.odoo_command(cluster, *args)
    # The audit trail's key lives beside the database's cluster, never in it.
    key = Path(os.environ.get("CRM_PG_HOME", default_pg_home())).parent / "audit.key"
    env = odoo_env.odoo_environ(key)
    if env.get("CRM_RELATION_AUDIT_KEY_FILE"):
        print(f"Audit key: {env['CRM_RELATION_AUDIT_KEY_FILE']} (back it up)\n")
    return subprocess.call(cmd, env=env)


if __name__ == "__main__":
    sys.exit(main())
