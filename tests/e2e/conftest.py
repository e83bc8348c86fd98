"""Layer 3: a real Odoo 19 server on 127.0.0.1, driven over RPC by odoorpc.

Run through ``tools/test.sh`` (which passes the database server and, when
layer 2 passed, its freshly installed database), or alone with
``python -m pytest tests/e2e``: then it starts its own PostgreSQL cluster
and installs the addon with demo data itself. Without Odoo 19 every test
here is skipped with the reason.
"""

import os
import sys
import time
from dataclasses import dataclass

import odoo_env
import odoo_server
import pgcluster
import pytest
from paths import REPO

OUT = REPO / ".test-output"


@dataclass
class Server:
    host: str
    port: int
    db: str

    def connect(self, login, password=None):
        import odoorpc

        client = odoorpc.ODOO(self.host, port=self.port, timeout=120)
        client.login(self.db, login, password or login)
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
        yield Server("127.0.0.1", port, db)
