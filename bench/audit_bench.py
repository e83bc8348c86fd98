"""Benchmark: what the audit trail costs concurrent writers, on a real server.

Starts a private PostgreSQL cluster, installs crm_relation (no demo), serves
it with several HTTP workers and, in the same run, lets ``--clients``
concurrent JSON-2 clients each write ``--writes`` times to customers of
their own:

1. baseline: a field the trail does not follow (``comment``);
2. audited: credit-critical fields (``street``, ``city``): each write
   appends entries, sealed right after its commit;
3. audited while a manager re-evaluates every customer in a loop (a long
   evaluation that changes tiers and statuses, so it appends entries too).

Each of the first two also runs with a single client first. It prints
writes per second and the 95th-percentile latency of each, the ratios
against the baseline, how each scales from one client to ``--clients``,
the transactions the server had to retry, and that the chain verifies
intact with nothing left unsealed. Appending takes no lock shared between writers, so
the goal is an audited throughput close to the baseline's, not one writer
at a time. Needs Odoo 19 importable.

    python bench/audit_bench.py                     # 8 clients x 60 writes
    python bench/audit_bench.py --clients 16 --writes 100 --customers 5000
"""

import argparse
import statistics
import sys
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tools"))
sys.path.insert(0, str(REPO / "tests" / "e2e"))

import odoo_server  # noqa: E402
import rpc  # noqa: E402


def run_phase(label, clients, writes, call, background=None):
    """``clients`` threads calling ``call(client_index, n)`` ``writes``
    times; returns (writes per second, p95 latency in ms, errors)."""
    latencies, errors = [], []
    lock = threading.Lock()

    def work(index):
        for n in range(writes):
            t0 = time.perf_counter()
            status, body = call(index, n)
            elapsed = time.perf_counter() - t0
            with lock:
                latencies.append(elapsed)
                if status != 200:
                    errors.append(f"{status} {body.get('message')}")

    stop = threading.Event()
    helper = None
    if background:
        helper = threading.Thread(target=background, args=(stop,))
        helper.start()
        time.sleep(0.5)
    threads = [threading.Thread(target=work, args=(i,)) for i in range(clients)]
    t0 = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - t0
    stop.set()
    if helper:
        helper.join()
    rate = len(latencies) / seconds
    p95 = statistics.quantiles(latencies, n=20)[18] * 1000
    print(
        f"  {label:<44} {len(latencies):>5} writes {seconds:7.2f}s "
        f"{rate:8.1f} writes/s  p95 {p95:7.1f} ms  errors {len(errors)}",
        flush=True,
    )
    return rate, p95, errors


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--writes", type=int, default=60)
    parser.add_argument("--customers", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    extra = (
        f"--workers={args.workers}",
        "--limit-time-real=600",
        "--log-handler=odoo.service.model:INFO",  # retries
    )
    with odoo_server.fresh("crm_audit_bench", extra=extra) as (db, port, logs):
        base = f"http://127.0.0.1:{port}"
        key = rpc.make_api_key(base, db, "admin", "admin")
        admin = rpc.Json2(base, db, key)
        rows = [
            {"source": "bench", "external_id": f"B{i:05d}", "name": f"客户 {i}",
             "city": "Wuhan"}
            for i in range(args.customers)
        ]  # fmt: skip
        ids = []
        for start in range(0, len(rows), 500):
            result = admin.ok(
                "crm.relation.sync", "sync_partners", rows=rows[start : start + 500]
            )
            ids += [r["id"] for r in result]
        per_client = [ids[i :: args.clients] for i in range(args.clients)]
        clients = [rpc.Json2(base, db, key) for _ in range(args.clients)]

        def write(vals_of):
            def call(index, n):
                partner = per_client[index][n % len(per_client[index])]
                return clients[index].call(
                    "res.partner", "write", ids=[partner], vals=vals_of(index, n)
                )

            return call

        evaluated = {"done": 0, "failed": []}

        def evaluations(stop):
            evaluator = rpc.Json2(base, db, key)
            while not stop.is_set():
                status, body = evaluator.call("crm.relation.rfm.engine", "evaluate")
                if status == 200:
                    evaluated["done"] += 1
                else:
                    evaluated["failed"].append(f"{status} {body.get('message')}")

        print(
            f"\n{args.clients} clients x {args.writes} writes, "
            f"{args.workers} HTTP workers, {args.customers} customers:"
        )
        # One client alone: how each kind of write scales with clients.
        solo_writes = max(1, args.writes * 2)
        solo_base, _p, e0 = run_phase(
            "1 client: unaudited field (comment)", 1, solo_writes,
            write(lambda i, n: {"comment": f"solo {n}"}),
        )  # fmt: skip
        solo_audited, _p, e0b = run_phase(
            "1 client: audited fields (street, city)", 1, solo_writes,
            write(lambda i, n: {"street": f"{n} Solo Road", "city": f"Solo {n}"}),
        )  # fmt: skip
        baseline, base_p95, e1 = run_phase(
            "baseline: unaudited field (comment)", args.clients, args.writes,
            write(lambda i, n: {"comment": f"note {i}-{n}"}),
        )  # fmt: skip
        audited, audited_p95, e2 = run_phase(
            "audited fields (street, city)", args.clients, args.writes,
            write(lambda i, n: {"street": f"{n} Road {i}", "city": f"City {n}"}),
        )  # fmt: skip
        during, during_p95, e3 = run_phase(
            "audited, during whole-company evaluations", args.clients,
            args.writes,
            write(lambda i, n: {"street": f"{n} Lane {i}", "city": f"Town {n}"}),
            background=evaluations,
        )  # fmt: skip
        print(
            f"\n  audited / baseline throughput:        {audited / baseline:.2f}x"
            f"   p95 {audited_p95 / base_p95:.2f}x"
        )
        print(
            f"  during evaluations / baseline:        {during / baseline:.2f}x"
            f"   p95 {during_p95 / base_p95:.2f}x"
        )
        print(
            f"  {args.clients} clients / 1 client throughput: "
            f"unaudited {baseline / solo_base:.2f}x, "
            f"audited {audited / solo_audited:.2f}x "
            "(writers waiting on one another would keep the audited one near 1x)"
        )
        errors = len(e0) + len(e0b) + len(e1) + len(e2) + len(e3)
        print(f"  client-visible errors: {errors}")
        print(
            f"  whole-company evaluations meanwhile: {evaluated['done']} done, "
            f"{len(evaluated['failed'])} failed {evaluated['failed'][:1]}"
        )
        retried = (logs / "server.log").read_text(errors="replace").count("tries left")
        print(f"  transactions retried by the server: {retried}")
        admin.ok("res.partner", "write", ids=ids[:1], vals={"city": "Sealing"})
        deadline = time.monotonic() + 120
        while True:
            result = admin.ok("crm.relation.audit", "verify_chain")
            if not result["unsealed"] or time.monotonic() > deadline:
                break
            time.sleep(1)
        print(
            f"  chain: intact={result['intact']} keyed={result['keyed']} "
            f"entries={result['entries']} unsealed={result['unsealed']}"
        )


if __name__ == "__main__":
    main()
