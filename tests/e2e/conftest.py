"""Layer 3: a real Odoo 19 server on 127.0.0.1, driven over RPC by odoorpc.

Run through ``tools/test.sh`` (which passes the database server and, when
layer 2 passed, its freshly installed database), or alone with
``python -m pytest tests/e2e``: then it starts its own PostgreSQL cluster
and installs the addon with demo data itself. Without Odoo 19 every test
here is skipped with the reason.
"""

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass

import odoo_env
import odoo_server
import pgcluster
import pytest
import rpc
from paths import REPO

OUT = REPO / ".test-output"


@dataclass
class Server:
    host: str
    port: int
    db: str
    cluster: object = None
    log: object = None  # the server's log file (a Path)

    @property
    def base(self):
        return f"http://{self.host}:{self.port}"

    def connect(self, login, password=None):
        import odoorpc

        client = odoorpc.ODOO(self.host, port=self.port, timeout=120)
        client.login(self.db, login, password or login)
        # The demo users work in Chinese; the tests match the server's
        # messages in English, so they ask for English explicitly.
        client.env.context["lang"] = "en_US"
        return client


@pytest.fixture(scope="session")
def db_cluster():
    if os.environ.get("CRM_E2E_DB_HOST"):
        yield pgcluster.Cluster(
            os.environ["CRM_E2E_DB_HOST"],
            int(os.environ["CRM_E2E_DB_PORT"]),
            os.environ.get("CRM_E2E_DB_USER", "odoo"),
            os.environ.get("CRM_E2E_DB_PASSWORD", ""),
        )
        return
    ok, reason, _helpdesk = odoo_env.probe()
    if not ok:
        pytest.skip(reason)
    cluster = pgcluster.start()
    yield cluster
    pgcluster.stop(cluster)


@pytest.fixture(scope="session")
def server(db_cluster):
    python = os.environ.get("CRM_E2E_PYTHON", sys.executable)
    OUT.mkdir(exist_ok=True)
    db = os.environ.get("CRM_E2E_DB")
    if not db:
        db = f"crm_relation_e2e_{int(time.time())}"
        odoo_server.install(db_cluster, db, OUT / "layer3-install.log", python=python)
    with odoo_server.serve(
        db_cluster, db, OUT / "layer3-server.log", python=python
    ) as port:
        yield Server("127.0.0.1", port, db, db_cluster, OUT / "layer3-server.log")


# The roles the guard tests call as: login -> password.
ROLE_LOGINS = {
    "user": "crm_user",
    "manager": "crm_manager",
    "auditor": "crm_auditor",
    "integration": "crm_integration",
    "outsider": "crm_e2e_outsider",
    "portal": "crm_e2e_portal",
    "admin": "admin",
}


@pytest.fixture(scope="session")
def role_users(server):
    """``{role: user id}``; a plain internal user and a portal user are made
    for the tests (the demo has one user per Customer Relations group)."""
    admin = server.connect("admin", "admin")
    users = admin.env["res.users"]
    for role, group in (
        ("outsider", "base.group_user"),
        ("portal", "base.group_portal"),
    ):
        login = ROLE_LOGINS[role]
        if not users.search([("login", "=", login)]):
            users.create(
                {"name": f"E2E {role}", "login": login, "password": login,
                 "group_ids": [(6, 0, [admin.env.ref(group).id])]}
            )  # fmt: skip
    return {
        role: users.search([("login", "=", login)])[0]
        for role, login in ROLE_LOGINS.items()
    }


def _password(login):
    return "admin" if login == "admin" else login


@pytest.fixture(scope="session")
def json2(server, role_users):
    """``{role: Json2 client}`` with an API key each made the way users make
    theirs; portal users hold none (see ``xmlrpc_clients``)."""
    clients = {}
    for role, login in ROLE_LOGINS.items():
        if role == "portal":
            continue
        key = rpc.make_api_key(server.base, server.db, login, _password(login))
        clients[role] = rpc.Json2(server.base, server.db, key)
    return clients


@pytest.fixture(scope="session")
def xmlrpc_clients(server, role_users):
    return {
        role: rpc.XmlRpc(server.base, server.db, login, _password(login))
        for role, login in ROLE_LOGINS.items()
    }


@pytest.fixture(scope="session")
def inventory(server):
    """What the addon guards, walked in the server's registry by
    ``crm_relation/tests/guard_inventory.py`` in ``odoo shell``."""
    script = (
        "import json\n"
        "from odoo.addons.crm_relation.tests import guard_inventory\n"
        "print('INVENTORY=' + json.dumps(guard_inventory.inventory(env)))\n"
    )
    python = os.environ.get("CRM_E2E_PYTHON", sys.executable)
    # The subcommand comes first: python tools/odoo_cli.py shell --addons-path=...
    python_, cli, *options = odoo_env.odoo_command(server.cluster, python=python)
    cmd = [python_, cli, "shell", *options, "-d", server.db, "--log-level=warn"]
    run = subprocess.run(
        cmd, input=script, capture_output=True, text=True, timeout=600,
        env=odoo_env.odoo_environ(odoo_env.TEST_AUDIT_KEY), check=False,
    )  # fmt: skip
    for line in run.stdout.splitlines():
        if line.startswith("INVENTORY="):
            return json.loads(line[len("INVENTORY=") :])
    raise RuntimeError(f"odoo shell gave no inventory:\n{run.stdout}\n{run.stderr}")


WATCHED_TABLES = (
    "mail_message", "mail_activity", "mail_followers", "crm_relation_audit",
    "crm_relation_tier_history", "crm_relation_care_log", "res_partner",
    "sale_order", "helpdesk_ticket", "crm_relation_vip", "crm_relation_visit",
    "crm_relation_visit_week", "crm_relation_visit_plan",
    "crm_relation_complaint_summary", "crm_relation_sync_map",
)  # fmt: skip


@pytest.fixture(scope="session")
def database(server):
    """A direct connection to the server's database (reads only)."""
    import psycopg2

    cluster = server.cluster
    conn = psycopg2.connect(
        host=cluster.host, port=cluster.port, user=cluster.user,
        password=cluster.password or None, dbname=server.db,
    )  # fmt: skip
    conn.autocommit = True
    yield conn
    conn.close()


@pytest.fixture(scope="session")
def fingerprint(database):
    """A function giving what a refused call must leave as it was: the row
    count, highest id and latest change of each watched table."""

    def take():
        with database.cursor() as cr:
            result = []
            for table in WATCHED_TABLES:
                cr.execute(f"SELECT count(*), max(id) FROM {table}")
                result.append((table, *cr.fetchone()))
                cr.execute(
                    "SELECT 1 FROM information_schema.columns "
                    "WHERE table_name = %s AND column_name = 'write_date'",
                    [table],
                )
                if cr.fetchone():
                    cr.execute(f"SELECT max(write_date) FROM {table}")
                    result.append((table, "write_date", cr.fetchone()[0]))
            return result

    return take
