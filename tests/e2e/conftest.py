"""Layer 3: a real Odoo 19 server on 127.0.0.1, driven over RPC by odoorpc.

Run through ``tools/test.sh`` (which passes the database server and, when
layer 2 passed, its freshly installed database), or alone with
``python -m pytest tests/e2e``: then it starts its own PostgreSQL cluster
and installs the addon with demo data itself. Without Odoo 19 every test
here is skipped with the reason.
"""

import os
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass

import odoo_env
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


def _wait_http(url, proc, timeout=180):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"odoo exited with {proc.returncode}; see its log")
        try:
            with urllib.request.urlopen(url, timeout=5) as resp:
                if resp.status == 200:
                    return
        except OSError:
            time.sleep(1)
    raise RuntimeError(f"{url} did not answer in {timeout}s")


@pytest.fixture(scope="session")
def server(db_cluster):
    python = os.environ.get("CRM_E2E_PYTHON", sys.executable)
    OUT.mkdir(exist_ok=True)
    db = os.environ.get("CRM_E2E_DB")
    if not db:
        db = f"crm_relation_e2e_{int(time.time())}"
        install = odoo_env.odoo_command(
            db_cluster,
            "-d",
            db,
            "-i",
            odoo_env.ADDON,
            "--with-demo",
            "--stop-after-init",
            "--log-level=warn",
            "--max-cron-threads=0",
            python=python,
        )
        with open(OUT / "layer3-install.log", "w") as log:
            subprocess.run(
                install,
                check=True,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=odoo_env.odoo_environ(),
            )
    port = pgcluster.free_port()
    cmd = odoo_env.odoo_command(
        db_cluster,
        "-d",
        db,
        f"--db-filter=^{db}$",
        "--http-interface=127.0.0.1",
        f"--http-port={port}",
        "--max-cron-threads=0",
        "--log-level=warn",
        python=python,
    )
    with open(OUT / "layer3-server.log", "w") as log:
        proc = subprocess.Popen(
            cmd, stdout=log, stderr=subprocess.STDOUT, env=odoo_env.odoo_environ()
        )
        try:
            _wait_http(f"http://127.0.0.1:{port}/web/login", proc)
            yield Server("127.0.0.1", port, db)
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
