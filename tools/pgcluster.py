"""A private, throw-away PostgreSQL cluster for the test layers and the demo.

``start()`` runs ``initdb`` in a fresh directory and starts the server on
127.0.0.1 with a free port and a role ``odoo`` trusted on loopback; as root,
both run as the ``postgres`` system user (PostgreSQL refuses root).
``stop()`` shuts it down and removes the directory. Where the environment
names a server (``CRM_TEST_DB_HOST``...), that one is used instead and
nothing is started.
"""

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass


@dataclass
class Cluster:
    host: str
    port: int
    user: str
    password: str = ""
    datadir: str | None = None
    bindir: str | None = None

    def odoo_args(self):
        args = [
            f"--db_host={self.host}",
            f"--db_port={self.port}",
            f"--db_user={self.user}",
        ]
        if self.password:
            args.append(f"--db_password={self.password}")
        return args


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def find_bindir():
    """Directory holding initdb and pg_ctl, newest PostgreSQL first."""
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin"),
        key=lambda p: int(p.split("/")[-2]) if p.split("/")[-2].isdigit() else 0,
        reverse=True,
    )
    for path in candidates:
        if os.path.exists(os.path.join(path, "initdb")):
            return path
    initdb = shutil.which("initdb")
    return os.path.dirname(initdb) if initdb else None


def _as_postgres(cmd):
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *cmd]
    return cmd


def _bindir():
    bindir = find_bindir()
    if not bindir:
        raise RuntimeError(
            "PostgreSQL server binaries (initdb, pg_ctl) not found: "
            "install the Debian package 'postgresql'."
        )
    return bindir


def _own_root(root):
    """The cluster's directory, owned by whoever runs the server."""
    os.makedirs(root, exist_ok=True)
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")


def _initdb(bindir, datadir):
    subprocess.run(
        _as_postgres([os.path.join(bindir, "initdb"), "-D", datadir, "-U", "odoo",
                      "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"]),
        check=True,
        stdout=subprocess.DEVNULL,
    )  # fmt: skip


def _pg_start(bindir, datadir, options):
    root = os.path.dirname(datadir)
    subprocess.run(
        _as_postgres([os.path.join(bindir, "pg_ctl"), "-D", datadir, "-o", options,
                      "-l", os.path.join(root, "server.log"), "-w", "start"]),
        check=True,
        stdout=subprocess.DEVNULL,
    )  # fmt: skip


def start():
    if os.environ.get("CRM_TEST_DB_HOST"):
        return Cluster(
            host=os.environ["CRM_TEST_DB_HOST"],
            port=int(os.environ.get("CRM_TEST_DB_PORT", "5432")),
            user=os.environ.get("CRM_TEST_DB_USER", "odoo"),
            password=os.environ.get("CRM_TEST_DB_PASSWORD", ""),
        )
    bindir = _bindir()
    root = tempfile.mkdtemp(prefix="crm_relation_pg_")
    _own_root(root)
    datadir = os.path.join(root, "data")
    port = free_port()
    _initdb(bindir, datadir)
    # Durability is not wanted in a throw-away cluster; speed is.
    _pg_start(
        bindir,
        datadir,
        f"-p {port} -k {root} -c listen_addresses=127.0.0.1 "
        "-c fsync=off -c synchronous_commit=off -c full_page_writes=off",
    )
    cluster = Cluster("127.0.0.1", port, "odoo", datadir=datadir, bindir=bindir)
    _wait(cluster)
    return cluster


def _wait(cluster, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((cluster.host, cluster.port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"PostgreSQL did not start on port {cluster.port}")


def stop(cluster):
    if not cluster or not cluster.datadir:
        return
    subprocess.run(
        _as_postgres(
            [
                os.path.join(cluster.bindir, "pg_ctl"),
                "-D",
                cluster.datadir,
                "-m",
                "fast",
                "-w",
                "stop",
            ]
        ),
        check=False,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    shutil.rmtree(os.path.dirname(cluster.datadir), ignore_errors=True)


def start_persistent(root, port):
    """A cluster kept across runs in ``root`` (for the run command).

    Created on first use, started if it is not running; never removed.
    """
    bindir = _bindir()
    datadir = os.path.join(root, "data")
    _own_root(root)
    if not os.path.exists(os.path.join(datadir, "PG_VERSION")):
        _initdb(bindir, datadir)
    status = subprocess.run(
        _as_postgres([os.path.join(bindir, "pg_ctl"), "-D", datadir, "status"]),
        check=False,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    if status.returncode != 0:
        _pg_start(bindir, datadir, f"-p {port} -k {root} -c listen_addresses=127.0.0.1")
    cluster = Cluster("127.0.0.1", port, "odoo", bindir=bindir)
    _wait(cluster)
    return cluster
