"""Benchmark of order sync against what a client does without the door.

Starts a private PostgreSQL cluster, installs crm_relation (no demo) and
serves it on 127.0.0.1 (or uses the server given by ``--url``, in a database
it may fill); then, in the same run, over the same transport (JSON-RPC
through odoorpc, as ``sync_bench.py``):

- **baseline**: what a client without the door does for each order:
  ``sale.order.create`` with its 3 lines, then ``action_confirm``, one RPC
  call each;
- **first pass**: ``crm.relation.sync.sync_orders`` with as many orders of
  the same shape (3 lines, confirmed), in batches;
- **re-sync**: ``sync_orders`` again with the same payload (all unchanged).

It prints rows per second for each and the ratios the issue sets as goals:
sync at least 2x the baseline's rows per second; the re-sync at least 5x
faster than the first pass. The customers and products are made before the
timings (untimed). Needs Odoo 19 importable (unless ``--url``) and odoorpc.

    python bench/order_sync_bench.py                    # 1,000 orders each way
    python bench/order_sync_bench.py --orders 300 --batch 100
    python bench/order_sync_bench.py --url http://127.0.0.1:8069 --db mydb \\
        --login admin --password admin
"""

import argparse
import contextlib
import sys
import time
import urllib.parse
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tools"))

PRODUCTS = 30
LINES = 3


def timed(label, batches, call):
    t0 = time.perf_counter()
    count = 0
    for batch in batches:
        call(batch)
        count += len(batch)
    seconds = time.perf_counter() - t0
    print(
        f"  {label:<46} {count:>7,} rows {seconds:8.2f}s {count / seconds:9.1f} rows/s",
        flush=True,
    )
    return count / seconds


def chunks(items, size):
    return [items[i : i + size] for i in range(0, len(items), size)]


def order_lines(i):
    """The 3 lines of order ``i``: ``(product index, quantity, price)``."""
    return [
        ((i * 7 + k * 11) % PRODUCTS, 1 + (i + k) % 4, 10.0 + (i * 3 + k) % 50)
        for k in range(LINES)
    ]


def order_date(i):
    return f"2026-{1 + i % 11:02d}-{1 + i % 28:02d} 10:00:00"


@contextlib.contextmanager
def server(args):
    """``(host, port, protocol, db, login, password)`` of the server to use."""
    if args.url:
        url = urllib.parse.urlsplit(args.url)
        https = url.scheme == "https"
        yield (
            url.hostname,
            url.port or (443 if https else 80),
            "jsonrpc+ssl" if https else "jsonrpc",
            args.db,
            args.login,
            args.password,
        )
        return
    import odoo_server

    with odoo_server.fresh("crm_order_bench") as (db, port, _logs):
        yield "127.0.0.1", port, "jsonrpc", db, "admin", "admin"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--orders", type=int, default=1000, help="orders each way (default 1,000)"
    )
    parser.add_argument("--customers", type=int, default=200)
    parser.add_argument("--batch", type=int, default=200)
    parser.add_argument("--url", help="an Odoo server to use instead of starting one")
    parser.add_argument("--db")
    parser.add_argument("--login", default="admin")
    parser.add_argument("--password", default="admin")
    args = parser.parse_args()
    if args.url and not args.db:
        parser.error("--url needs --db")
    import odoorpc

    run = uuid.uuid4().hex[:6]  # a fresh source and codes on a reused database
    with server(args) as (host, port, protocol, db, login, password):
        client = odoorpc.ODOO(host, protocol=protocol, port=port, timeout=3600)
        client.login(db, login, password)

        def call(model, method, *params):
            return client.execute_kw(model, method, list(params))

        source = f"bench-{run}"
        codes = [f"B{run}-{p:03d}" for p in range(PRODUCTS)]
        product_ids = call(
            "product.product",
            "create",
            [
                {
                    "name": f"Bench product {p}",
                    "default_code": code,
                    "list_price": 10 + p,
                }
                for p, code in enumerate(codes)
            ],
        )
        customers = call(
            "crm.relation.sync",
            "sync_partners",
            [
                {
                    "source": source,
                    "external_id": f"C{c:05d}",
                    "name": f"Bench customer {c} 客户",
                }
                for c in range(args.customers)
            ],
        )
        customer_ids = [r["id"] for r in customers]
        assert all(r["status"] == "created" for r in customers), customers[:3]

        baseline = [
            {
                "partner_id": customer_ids[i % args.customers],
                "date_order": order_date(i),
                "order_line": [
                    (
                        0,
                        0,
                        {
                            "product_id": product_ids[p],
                            "product_uom_qty": q,
                            "price_unit": price,
                        },
                    )
                    for p, q, price in order_lines(i)
                ],
            }
            for i in range(args.orders)
        ]
        rows = [
            {
                "source": source,
                "external_id": f"O{i:06d}",
                "customer_external_id": f"C{i % args.customers:05d}",
                "date_order": order_date(i),
                "lines": [
                    {"product": codes[p], "quantity": q, "price_unit": price}
                    for p, q, price in order_lines(i)
                ],
            }
            for i in range(args.orders)
        ]

        def create_and_confirm(batch):
            for vals in batch:
                order_id = call("sale.order", "create", vals)
                call("sale.order", "action_confirm", [order_id])

        def sync(batch, expected):
            results = call("crm.relation.sync", "sync_orders", batch)
            wrong = [r for r in results if r["status"] != expected]
            if wrong:
                sys.exit(f"sync_orders: {len(wrong)} rows not {expected}: {wrong[:3]}")

        print(
            f"\n{args.orders:,} orders of {LINES} lines, confirmed, over RPC "
            f"({args.customers:,} customers; sync in batches of {args.batch}):"
        )
        base = timed(
            "baseline: create + action_confirm per order",
            [baseline],
            create_and_confirm,
        )
        first = timed(
            "sync_orders, first pass (created)",
            chunks(rows, args.batch),
            lambda b: sync(b, "created"),
        )
        again = timed(
            "sync_orders, again (unchanged)",
            chunks(rows, args.batch),
            lambda b: sync(b, "unchanged"),
        )
        confirmed = call(
            "sale.order",
            "search_count",
            [("partner_id", "in", customer_ids), ("state", "=", "sale")],
        )
        if confirmed != 2 * args.orders:
            sys.exit(f"{confirmed} confirmed orders, expected {2 * args.orders}")

        def verdict(ratio, goal):
            met = "PASS" if ratio >= goal else "MISS"
            return f"{ratio:6.2f}x   (goal: >= {goal}x) {met}"

        print(f"\n  sync first pass / baseline:    {verdict(first / base, 2)}")
        print(f"  sync again / sync first pass:  {verdict(again / first, 5)}")


if __name__ == "__main__":
    main()
