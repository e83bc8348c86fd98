"""Install the addon in a database and serve it on 127.0.0.1.

Shared by the end-to-end tests and the benchmarks: one way of starting a
real Odoo server, with its log in a file.
"""

import contextlib
import subprocess
import time
import urllib.request

import odoo_env
import pgcluster


def install(cluster, db, log_path, demo=True, python=None):
    """``-i crm_relation`` on a new database ``db``, logging to ``log_path``."""
    cmd = odoo_env.odoo_command(
        cluster, "-d", db, "-i", odoo_env.ADDON,
        *(["--with-demo"] if demo else []),
        "--stop-after-init", "--log-level=warn", "--max-cron-threads=0",
        python=python,
    )  # fmt: skip
    with open(log_path, "w") as log:
        subprocess.run(
            cmd, check=True, stdout=log, stderr=subprocess.STDOUT,
            env=odoo_env.odoo_environ(odoo_env.TEST_AUDIT_KEY),
        )  # fmt: skip


def wait_http(url, proc, timeout=180):
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


@contextlib.contextmanager
def serve(cluster, db, log_path, python=None, extra=()):
    """Run ``odoo`` on ``db`` on a free port of 127.0.0.1; yields the port."""
    port = pgcluster.free_port()
    cmd = odoo_env.odoo_command(
        cluster, "-d", db, f"--db-filter=^{db}$", "--http-interface=127.0.0.1",
        f"--http-port={port}", "--max-cron-threads=0", "--log-level=warn",
        *extra, python=python,
    )  # fmt: skip
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            cmd,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=odoo_env.odoo_environ(odoo_env.TEST_AUDIT_KEY),
        )
        try:
            wait_http(f"http://127.0.0.1:{port}/web/login", proc)
            yield port
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()


@contextlib.contextmanager
def fresh(name, extra=()):
    """A benchmark's server: a private cluster, ``name`` installed without
    demo, ``odoo`` serving it; yields ``(db, port, logs)`` and removes the
    cluster afterwards. Exits with the reason when Odoo 19 cannot run."""
    import sys
    import tempfile
    from pathlib import Path

    ok, reason, _helpdesk = odoo_env.probe()
    if not ok:
        sys.exit(f"cannot run: {reason}")
    cluster = pgcluster.start()
    logs = Path(tempfile.mkdtemp(prefix=f"{name}_"))
    try:
        t0 = time.perf_counter()
        install(cluster, name, logs / "install.log", demo=False)
        print(f"installed crm_relation in {time.perf_counter() - t0:.0f}s", flush=True)
        with serve(cluster, name, logs / "server.log", extra=extra) as port:
            yield name, port, logs
        print(f"  (server log: {logs / 'server.log'})")
    finally:
        pgcluster.stop(cluster)
