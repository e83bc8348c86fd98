"""Backtest of the churn risk against a recency-only baseline.

Ranks customers by their churn risk as of a past date and by recency alone
(days since the last purchase), and measures how many of the first k really
stopped buying in the following horizon (precision at k) and how many of
those who stopped are among the first k (recall at k):

- always, on a generated population with known churners
  (``crm_relation/logic/churn.py``: steady fast and slow buyers, buyers
  pausing a few of their intervals, fading and abrupt churners; seeded, so
  the figures repeat); plain Python, no Odoo needed;
- with ``--db NAME``, on that database's data through the addon's own method
  ``crm.relation.rfm.engine.churn_backtest`` (Odoo 19 importable; the
  connection from ``--odoo-config`` or Odoo's defaults);
- with ``--demo``, on the demo data of a fresh database it installs in a
  private PostgreSQL cluster, like the other benchmarks.

    python bench/churn_backtest.py
    python bench/churn_backtest.py --customers 5000 --seed 3
    python bench/churn_backtest.py --demo
    python bench/churn_backtest.py --db mydb --odoo-config ~/.odoorc
"""

import argparse
import importlib.util
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tools"))

import odoo_env  # noqa: E402


def _logic():
    """``crm_relation/logic`` alone: importing the addon would import Odoo."""
    logic = REPO / "crm_relation" / "logic"
    spec = importlib.util.spec_from_file_location(
        "crm_relation_logic",
        logic / "__init__.py",
        submodule_search_locations=[str(logic)],
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules["crm_relation_logic"] = module
    spec.loader.exec_module(module)
    from crm_relation_logic import churn

    return churn


def report(title, result):
    """Print one backtest's figures, the benchmarks' way."""
    print(f"\n{title}")
    print(
        f"  customers ranked: {result['customers']:,}   "
        f"stopped buying in the horizon: {result['churners']:,}   "
        f"at risk by the threshold: {result.get('at_risk', 0):,}"
    )
    print(f"  {'k':>6}  {'risk P@k':>9}  {'recency P@k':>12}  "
          f"{'risk R@k':>9}  {'recency R@k':>12}  {'P ratio':>8}")  # fmt: skip
    for row in result["rows"]:
        ratio = (
            f"{row['risk_precision'] / row['recency_precision']:.2f}x"
            if row["recency_precision"]
            else "-"
        )
        print(
            f"  {row['k']:>6,}  {row['risk_precision']:>9.3f}  "
            f"{row['recency_precision']:>12.3f}  {row['risk_recall']:>9.3f}  "
            f"{row['recency_recall']:>12.3f}  {ratio:>8}"
        )


def generated(args, churn):
    as_of = date.fromisoformat(args.as_of)
    t0 = time.perf_counter()
    people = churn.generate_population(
        args.customers, seed=args.seed, as_of=as_of, horizon_days=args.horizon
    )
    params = churn.Params()
    rows = []
    for share in args.shares:
        k = max(1, round(args.customers * share / 100))
        rows.append(churn.backtest_population(people, params, as_of, args.horizon, k=k))
    first = dict(rows[0])
    first["rows"] = rows
    report(
        f"Generated population: {args.customers:,} customers, seed {args.seed}, "
        f"as of {as_of}, horizon {args.horizon} days, default parameters "
        f"({time.perf_counter() - t0:.1f}s)",
        first,
    )
    return rows


def odoo_backtest(env, label, args):
    engine = env["crm.relation.rfm.engine"]
    company = env.company
    base = engine.churn_backtest(company_id=company.id, horizon_days=args.horizon)
    rows = [base]
    for share in args.shares:
        k = max(1, round(base["customers"] * share / 100))
        if k != base["k"]:
            rows.append(
                engine.churn_backtest(
                    company_id=company.id, horizon_days=args.horizon, k=k
                )
            )
    rows.sort(key=lambda row: row["k"])
    first = dict(base)
    first["rows"] = rows
    report(
        f"{label}: {company.name}, as of {base['as_of']}, horizon "
        f"{base['horizon_days']} days (crm.relation.rfm.engine.churn_backtest)",
        first,
    )


def on_database(db, args, config=None, cluster=None):
    import odoo
    from odoo.modules.registry import Registry

    options = [f"--addons-path={REPO}", "-d", db, "--log-level=warn"]
    if config:
        options.append(f"--config={config}")
    if cluster:
        options += cluster.odoo_args()
    odoo.tools.config.parse_config(options)
    registry = Registry(db)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        odoo_backtest(env, f"Database {db}", args)
        cr.rollback()  # the method writes nothing; make sure of it


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--as-of", default="2026-01-01", help="generated population")
    parser.add_argument("--horizon", type=int, default=180, help="days")
    parser.add_argument(
        "--shares",
        type=float,
        nargs="+",
        default=[5, 10, 20, 30],
        help="k as percentages of the customers ranked",
    )
    parser.add_argument("--db", help="also backtest this database's data")
    parser.add_argument("--odoo-config", help="Odoo configuration file for --db")
    parser.add_argument(
        "--demo",
        action="store_true",
        help="also install the demo data in a private cluster and backtest it",
    )
    args = parser.parse_args()
    generated(args, _logic())
    if not (args.db or args.demo):
        return
    ok, reason, _helpdesk = odoo_env.probe()
    if not ok:
        sys.exit(f"the database backtest needs Odoo 19: {reason}")
    if args.db:
        on_database(args.db, args, config=args.odoo_config)
        return
    import odoo_server
    import pgcluster

    cluster = pgcluster.start()
    try:
        db = f"crm_relation_churn_{int(time.time())}"
        t0 = time.perf_counter()
        log = Path(tempfile.mkdtemp(prefix="crm_churn_bench_")) / "install.log"
        odoo_server.install(cluster, db, log, demo=True)
        took = time.perf_counter() - t0
        print(f"\ninstalled crm_relation with demo data in {took:.0f}s")
        on_database(db, args, cluster=cluster)
    finally:
        pgcluster.stop(cluster)


if __name__ == "__main__":
    main()
