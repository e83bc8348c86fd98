"""Benchmark of the sync door against Odoo's own import, on a real server.

Starts a private PostgreSQL cluster, installs crm_relation (no demo) and
serves it on 127.0.0.1; then, in the same run, pushes the same N customers
(default 10,000) over RPC, in batches:

- through ``crm.relation.sync.sync_partners`` (first pass: all created);
- through ``sync_partners`` again (idempotent re-sync: all unchanged);
- through ``res.partner.load``, Odoo's import (first pass, external ids);
- through ``res.partner.load`` again (the same file imported twice).

It prints rows per second for each and the ratios the issues set as goals:
sync at least 3x the rows per second of ``load``; re-sync at least 3x faster
than the first pass. Needs Odoo 19 importable and odoorpc.

    python bench/sync_bench.py                  # 10,000 customers
    python bench/sync_bench.py --rows 2000 --batch 500
"""

import argparse
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tools"))

import odoo_server  # noqa: E402

LOAD_FIELDS = [
    "id", "name", "is_company", "email", "phone", "street", "city", "zip",
    "country_id/id", "vat", "category_id", "customer_rank",
]  # fmt: skip


def rows(count):
    """``count`` customers, each with the same data in both shapes."""
    for i in range(count):
        yield {
            "source": "bench",
            "external_id": f"C{i:06d}",
            "name": f"Bench customer {i} 客户",
            "is_company": i % 3 == 0,
            "email": f"c{i}@example.cn",
            "phone": f"+86 21 5{i:07d}",
            "street": f"{i} Nanjing Road",
            "city": "Shanghai",
            "zip": "200000",
            "country_code": "CN",
            "vat": f"91310000{i:010d}",
            "tags": ["bench", f"region-{i % 5}"],
        }


def as_load_row(row):
    return [
        f"bench_load.c_{row['external_id']}", row["name"],
        "1" if row["is_company"] else "0", row["email"], row["phone"],
        row["street"], row["city"], row["zip"], "base.cn", row["vat"],
        ",".join(row["tags"]), "1",
    ]  # fmt: skip


def timed(label, batches, call):
    t0 = time.perf_counter()
    count = 0
    for batch in batches:
        call(batch)
        count += len(batch)
    seconds = time.perf_counter() - t0
    print(f"  {label:<42} {count:>7,} rows {seconds:8.2f}s "
          f"{count / seconds:9.1f} rows/s", flush=True)  # fmt: skip
    return count / seconds


def verdict(ratio, goal):
    return f"{ratio:.2f}x   (goal: >= {goal}x) {'PASS' if ratio >= goal else 'MISS'}"


def chunks(items, size):
    return [items[i : i + size] for i in range(0, len(items), size)]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=10000)
    parser.add_argument("--batch", type=int, default=500)
    args = parser.parse_args()
    import odoorpc

    with odoo_server.fresh("crm_sync_bench") as (db, port, _logs):
        client = odoorpc.ODOO("127.0.0.1", port=port, timeout=3600)
        client.login(db, "admin", "admin")
        data = list(rows(args.rows))
        sync = client.env["crm.relation.sync"]
        partners = client.env["res.partner"]
        print(f"\n{args.rows:,} customers over RPC, batches of {args.batch}:")
        first = timed("sync_partners, first pass (created)",
                      chunks(data, args.batch), sync.sync_partners)  # fmt: skip
        again = timed("sync_partners, again (unchanged)",
                      chunks(data, args.batch), sync.sync_partners)  # fmt: skip
        load_rows = [as_load_row(r) for r in data]
        load = timed(
            "res.partner.load, first pass (created)",
            chunks(load_rows, args.batch),
            lambda b: partners.load(LOAD_FIELDS, b),
        )
        reload = timed(
            "res.partner.load, again (rewritten)",
            chunks(load_rows, args.batch),
            lambda b: partners.load(LOAD_FIELDS, b),
        )
        print(f"\n  sync first pass / load first pass: {verdict(first / load, 3)}")
        print(f"  sync again / sync first pass:      {verdict(again / first, 3)}")
        print(f"  sync again / load again:           {again / reload:.2f}x")


if __name__ == "__main__":
    main()
