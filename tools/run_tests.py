"""Run the three test layers and print one summary line per layer.

1. logic + static: plain-Python tests of ``crm_relation/logic``, static
   checks of the addon (references, access CSV, po, no "seed" in the UI),
   then ``pre-commit run --all-files`` (.pre-commit-config.yaml: ruff,
   pylint-odoo, the OCA hooks, README.rst up to date), each hook counted as
   a check. Always runs.
2. Odoo tests: install the addon with demo data on a fresh database of a
   private PostgreSQL cluster and run its tests tagged ``crm_relation``;
   any ERROR, traceback or warning of the addon's own in the log fails it.
3. end-to-end: a real Odoo server on 127.0.0.1 driven over JSON-2, XML-RPC
   and odoorpc, running the addon installed from its wheel: the layer
   builds ``odoo-addon-crm_relation`` with whool, installs it in a virtual
   environment (``--system-site-packages``: Odoo and the OCA addons it
   declares come from the running Python's) and runs Odoo with that
   environment's Python and an addons path without the repository.

Layers 2-3 need Odoo 19 importable; without it they are reported SKIPPED
with the reason, and the command still passes if layer 1 passes.

Usage: python tools/run_tests.py [--layer N ...] [--keep-output]
"""

import argparse
import os
import re
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import odoo_env
import pgcluster

REPO = odoo_env.REPO
OUT = REPO / ".test-output"

# A developer's focused run: CRM_TEST_TAGS=/crm_relation:TestChurn (Odoo's
# --test-tags syntax). The default, and CI's, is every test of the addon.
TEST_TAGS = os.environ.get("CRM_TEST_TAGS") or odoo_env.ADDON

LAYER_NAMES = {
    1: "layer 1 (logic + static)",
    2: "layer 2 (Odoo tests)",
    3: "layer 3 (end-to-end, JSON-2 and XML-RPC, addon installed from its wheel)",
}


@dataclass
class LayerResult:
    layer: int
    ran: bool
    passed: int = 0
    failed: int = 0
    skipped: int = 0
    reason: str = ""
    seconds: float = 0.0

    @property
    def ok(self):
        return not self.ran or (self.failed == 0 and not self.reason)

    def line(self):
        name = LAYER_NAMES[self.layer]
        if not self.ran:
            return f"{name}: SKIPPED ({self.reason})"
        verdict = "PASSED" if self.ok else "FAILED"
        extra = f" [{self.reason}]" if self.reason else ""
        if self.layer == 2 and TEST_TAGS != odoo_env.ADDON:
            extra += f" (only CRM_TEST_TAGS={TEST_TAGS})"
        return (
            f"{name}: {verdict}: {self.passed} passed, {self.failed} failed, "
            f"{self.skipped} skipped in {self.seconds:.0f}s{extra}"
        )


def banner(text):
    print(f"\n===== {text} =====", flush=True)


def junit_counts(path):
    """(passed, failed, skipped) from a pytest junit XML file."""
    if not path.exists():
        return 0, 1, 0
    root = ET.parse(path).getroot()
    suites = [root] if root.tag == "testsuite" else list(root)
    tests = failed = skipped = 0
    for suite in suites:
        tests += int(suite.get("tests", 0))
        failed += int(suite.get("failures", 0)) + int(suite.get("errors", 0))
        skipped += int(suite.get("skipped", 0))
    return tests - failed - skipped, failed, skipped


def run_pytest(layer, paths, env=None):
    junit = OUT / f"layer{layer}.xml"
    junit.unlink(missing_ok=True)
    cmd = [
        sys.executable,
        "-m",
        "pytest",
        "-p",
        "no:cacheprovider",
        "-ra",
        f"--junitxml={junit}",
        *paths,
    ]
    start = time.monotonic()
    proc = subprocess.run(cmd, cwd=REPO, env=env, check=False)
    passed, failed, skipped = junit_counts(junit)
    result = LayerResult(
        layer, True, passed, failed, skipped, seconds=time.monotonic() - start
    )
    if proc.returncode not in (0, 5) and not failed:
        result.reason = f"pytest exited {proc.returncode}"
    if passed + failed + skipped == 0:
        result.reason = "no test ran"
    return result


def layer1():
    banner(LAYER_NAMES[1])
    result = run_pytest(1, ["tests/unit", "tests/static"])
    banner("pre-commit run --all-files")
    start = time.monotonic()
    passed, failed, skipped, reason = run_pre_commit()
    result.passed += passed
    result.failed += failed
    result.skipped += skipped
    result.seconds += time.monotonic() - start
    if reason:
        result.reason = "; ".join(filter(None, [result.reason, reason]))
    return result


# One line a hook: "name.....Passed", "name...(no files to check)Skipped".
HOOK_LINE_RE = re.compile(
    r"^(?P<name>.+?)\.{2,}(?:\([^)]*\))?(?P<status>Passed|Failed|Skipped)$"
)


def pre_commit_counts(text):
    """(passed, failed, skipped, names of failed hooks) from pre-commit's
    output."""
    counts = {"Passed": 0, "Failed": 0, "Skipped": 0}
    failed = []
    for line in text.splitlines():
        match = HOOK_LINE_RE.match(line.rstrip())
        if match:
            counts[match.group("status")] += 1
            if match.group("status") == "Failed":
                failed.append(match.group("name").strip())
    return counts["Passed"], counts["Failed"], counts["Skipped"], failed


def run_pre_commit():
    """Run every hook on every file; show and keep the output. Returns
    (passed, failed, skipped, reason)."""
    log = OUT / "pre-commit.log"
    cmd = [sys.executable, "-m", "pre_commit", "run", "--all-files", "--color=never"]
    print("$", " ".join(cmd), flush=True)
    try:
        proc = subprocess.Popen(
            cmd,
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            encoding="utf-8",
            errors="replace",
        )
    except OSError as exc:
        return 0, 1, 0, f"pre-commit could not start: {exc}"
    lines = []
    with open(log, "w", encoding="utf-8") as fh:
        for line in proc.stdout:
            fh.write(line)
            print(line, end="", flush=True)
            lines.append(line)
        proc.wait()
    text = "".join(lines)
    passed, failed, skipped, names = pre_commit_counts(text)
    if "No module named pre_commit" in text:
        return 0, 1, 0, "pre-commit missing: pip install -r requirements-test.txt"
    if names:
        return passed, failed, skipped, f"pre-commit hook(s) failed: {', '.join(names)}"
    if proc.returncode:
        return passed, 1, skipped, f"pre-commit exited {proc.returncode} (see {log})"
    if not passed:
        return passed, 1, skipped, "pre-commit ran no hook"
    return passed, failed, skipped, ""


SUMMARY_RE = re.compile(r"(\d+) failed, (\d+) error\(s\) of (\d+) tests")
LOG_LINE_RE = re.compile(
    r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ \d+ (DEBUG|INFO|WARNING|ERROR|CRITICAL) "
    r"(\S+) (\S+): (.*)$"
)


def scan_odoo_log(text):
    """Return (tests, failed, problems) from an Odoo test run's log."""
    tests = failed = 0
    for match in SUMMARY_RE.finditer(text):
        failed = int(match.group(1)) + int(match.group(2))
        tests = int(match.group(3))
    problems = []
    for line in text.splitlines():
        match = LOG_LINE_RE.match(line)
        if match:
            level, _db, logger, message = match.groups()
            if level in ("ERROR", "CRITICAL"):
                problems.append(line)
            elif level == "WARNING" and (
                "crm_relation" in logger or "crm_relation" in message
            ):
                problems.append(line)
        elif line.startswith("Traceback (most recent call last)"):
            problems.append(line)
    return tests, failed, problems


def layer2(cluster, db):
    banner(LAYER_NAMES[2])
    if TEST_TAGS != odoo_env.ADDON:
        print(f"!! CRM_TEST_TAGS={TEST_TAGS}: only these Odoo tests run", flush=True)
    log = OUT / "layer2.log"
    cmd = odoo_env.odoo_command(
        cluster,
        "-d",
        db,
        "-i",
        odoo_env.ADDON,
        "--with-demo",
        "--test-tags",
        TEST_TAGS,
        "--stop-after-init",
        "--http-interface=127.0.0.1",
        f"--http-port={pgcluster.free_port()}",
        "--log-level=info",
        "--max-cron-threads=0",
    )
    print("$", " ".join(cmd), flush=True)
    start = time.monotonic()
    with open(log, "w", encoding="utf-8") as fh:
        proc = subprocess.Popen(
            cmd,
            cwd=REPO,
            env=odoo_env.odoo_environ(odoo_env.TEST_AUDIT_KEY),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            encoding="utf-8",
            errors="replace",
        )
        for line in proc.stdout:
            fh.write(line)
            # Echo what matters: our tests, and anything above INFO.
            if (
                " WARNING " in line
                or " ERROR " in line
                or " CRITICAL " in line
                or "odoo.addons.crm_relation" in line
                or SUMMARY_RE.search(line)
                or line.startswith(("Traceback", "  File", "    "))
            ):
                print(line, end="", flush=True)
        proc.wait()
    text = log.read_text(encoding="utf-8")
    tests, failed, problems = scan_odoo_log(text)
    result = LayerResult(
        2, True, max(tests - failed, 0), failed, seconds=time.monotonic() - start
    )
    reasons = []
    if proc.returncode:
        reasons.append(f"odoo exited {proc.returncode}")
    if not tests:
        reasons.append("no Odoo test ran")
    if problems:
        reasons.append(f"{len(problems)} ERROR/traceback/own-WARNING line(s) in {log}")
        print("\nProblems found in the log:")
        for line in problems[:40]:
            print("  " + line)
    result.reason = "; ".join(reasons)
    return result


WHEEL_DIR = OUT / "wheel"
WHEEL_VENV = OUT / "wheel-venv"


def _run_quiet(cmd):
    print("$", " ".join(map(str, cmd)), flush=True)
    proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, check=False)
    if proc.returncode:
        print(proc.stdout + proc.stderr, flush=True)
    return proc.returncode == 0


def install_wheel():
    """Build the addon's wheel (whool, as OCA does) and install it in a
    fresh virtual environment that sees this Python's packages (Odoo, the
    OCA addons). Returns (that environment's Python, problem)."""
    import shutil
    import zipfile

    shutil.rmtree(WHEEL_DIR, ignore_errors=True)
    shutil.rmtree(WHEEL_VENV, ignore_errors=True)
    # whool is in requirements-test.txt: no build isolation, no download.
    build = [
        *(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps"),
        *("--no-build-isolation", "-w", WHEEL_DIR, REPO / odoo_env.ADDON),
    ]
    if not _run_quiet(build):
        return None, "the addon's wheel did not build"
    (wheel,) = WHEEL_DIR.glob("*.whl")
    print(f"built {wheel.name}", flush=True)
    # The wheel holds what git tracks, as OCA's do: say what it leaves out.
    with zipfile.ZipFile(wheel) as archive:
        packed = {
            name.removeprefix(f"odoo/addons/{odoo_env.ADDON}/")
            for name in archive.namelist()
        }
    addon = REPO / odoo_env.ADDON
    left_out = sorted(
        str(path.relative_to(addon))
        for path in addon.rglob("*")
        if path.is_file()
        and "__pycache__" not in path.parts
        and path.name != "pyproject.toml"
        and str(path.relative_to(addon)) not in packed
    )
    if left_out:
        print(f"!! not in the wheel (not tracked by git): {', '.join(left_out)}")
    if not _run_quiet(
        [
            sys.executable,
            "-m",
            "venv",
            "--system-site-packages",
            "--without-pip",
            WHEEL_VENV,
        ]
    ):
        return None, "the virtual environment for the wheel could not be made"
    python = WHEEL_VENV / "bin" / "python"
    if sys.prefix != sys.base_prefix:
        # This Python is itself a virtual environment: --system-site-packages
        # reaches its base interpreter's packages, not its own (Odoo, the
        # OCA wheels). Add its site-packages after the new environment's.
        import site
        import sysconfig

        purelib = subprocess.run(
            [python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
            capture_output=True, text=True, check=True,
        ).stdout.strip()  # fmt: skip
        dirs = [*site.getsitepackages(), sysconfig.get_path("purelib")]
        lines = [f"import site; site.addsitedir({d!r})" for d in dict.fromkeys(dirs)]
        Path(purelib, "crm_relation_test_base.pth").write_text("\n".join(lines) + "\n")
    # Its dependencies (Odoo 19, odoo-addon-helpdesk_mgmt, ...) are already
    # installed; one missing would come from PyPI, as for any user. The
    # environment has no pip nor setuptools of its own (ensurepip's old
    # pkg_resources does not find today's dist-info names, which gevent's
    # plugins need): this Python's pip installs into it.
    install = [sys.executable, "-m", "pip", "--python", python, "install", "--quiet"]
    if not _run_quiet([*install, wheel]):
        return None, f"{wheel.name} did not install"
    return str(python), ""


def layer3(cluster, db):
    banner(LAYER_NAMES[3])
    start = time.monotonic()
    python, problem = install_wheel()
    if problem:
        return LayerResult(
            3, True, failed=1, reason=problem, seconds=time.monotonic() - start
        )
    env = odoo_env.odoo_environ(odoo_env.TEST_AUDIT_KEY)
    env.update(
        CRM_E2E_DB_HOST=cluster.host,
        CRM_E2E_DB_PORT=str(cluster.port),
        CRM_E2E_DB_USER=cluster.user,
        CRM_E2E_DB_PASSWORD=cluster.password,
        CRM_E2E_PYTHON=python,
    )
    env[odoo_env.WHEEL_PYTHON_VARIABLE] = python
    if db:
        env["CRM_E2E_DB"] = db
    result = run_pytest(3, ["tests/e2e"], env=env)
    result.seconds += time.monotonic() - start
    return result


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--layer",
        type=int,
        action="append",
        choices=[1, 2, 3],
        help="run only this layer (repeatable); default: all",
    )
    args = parser.parse_args(argv)
    # Killed (CI time-out, Ctrl+C): still stop the private PostgreSQL cluster.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    layers = sorted(set(args.layer or [1, 2, 3]))
    OUT.mkdir(exist_ok=True)
    results = {}
    if 1 in layers:
        results[1] = layer1()

    wanted = [n for n in layers if n in (2, 3)]
    if wanted:
        ok, reason, helpdesk = odoo_env.probe()
        if ok and not helpdesk:
            ok, reason = (
                False,
                "helpdesk_mgmt missing: pip install odoo-addon-helpdesk_mgmt",
            )
            for n in wanted:
                results[n] = LayerResult(n, True, failed=1, reason=reason)
        elif not ok:
            for n in wanted:
                results[n] = LayerResult(n, False, reason=reason)
            banner(f"layers {', '.join(map(str, wanted))} SKIPPED: {reason}")
        else:
            print(f"\n{reason} is importable from {sys.executable}", flush=True)
            cluster = pgcluster.start()
            try:
                db = None
                if 2 in wanted:
                    db = f"crm_relation_test_{int(time.time())}"
                    results[2] = layer2(cluster, db)
                    if not results[2].ok:
                        db = None  # layer 3 builds its own database then
                if 3 in wanted:
                    results[3] = layer3(cluster, db)
            finally:
                pgcluster.stop(cluster)

    banner("summary")
    for n in layers:
        print(results[n].line())
    ran = [r for r in results.values() if r.ran]
    total = (
        sum(r.passed for r in ran),
        sum(r.failed for r in ran),
        sum(r.skipped for r in ran),
    )
    not_run = [r for r in results.values() if not r.ran]
    if not_run:
        layers_not_run = ", ".join(str(r.layer) for r in not_run)
        print(f"NOT RUN: layer(s) {layers_not_run}: {not_run[0].reason}")
    print(f"total: {total[0]} passed, {total[1]} failed, {total[2]} skipped")
    return 0 if all(r.ok for r in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
