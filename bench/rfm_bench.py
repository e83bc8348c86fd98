"""Benchmark of the RFM evaluation against the physical work it does.

Fills a database directly (SQL) with N customers and M posted customer
invoices with one product line each, spread over 18 months, 5% credit
notes; then, in the same run, times:

- the floor: the single SQL aggregate that computes the same R/F/M figures,
  all rows fetched, nothing scored or written;
- the addon's first full evaluation (``_evaluate_company``): aggregate,
  score, write back, history, audit;
- the write floor: one UPDATE of the same customers' stored figures plus
  one INSERT of as many history rows as the evaluation wrote, nothing
  computed (rolled back);
- the re-evaluation the next day with nothing bought (rolled back);
- the plain ORM approach: per-partner ``search_read`` of invoices and lines,
  on a sample of partners, extrapolated to N.

It prints each time, the ratios against the floor and against floor +
write floor with the goals (PASS/MISS), the cost per customer, and the
memory (sampled RSS growth, and the process's peak RSS: the evaluation runs
in this process). Needs Odoo 19 importable: it starts a private PostgreSQL
cluster and installs crm_relation (no demo) itself.

    python bench/rfm_bench.py                      # 100,000 / 1,000,000
    python bench/rfm_bench.py --scale 10k          # 10,000 / 100,000
    python bench/rfm_bench.py --scale 1m           # 1,000,000 / 5,000,000
    python bench/rfm_bench.py --scale curve        # 10k, then 100k: per customer
    python bench/rfm_bench.py --customers 10000 --invoices 100000 --profile
"""

import argparse
import cProfile
import os
import pstats
import resource
import sys
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tools"))

import odoo_env  # noqa: E402
import odoo_server  # noqa: E402
import pgcluster  # noqa: E402

FILL = """
INSERT INTO res_partner (name, active, is_company, customer_rank, autopost_bills,
                         type, lang, create_date, write_date)
SELECT 'Bench customer ' || g, true, true, 1, 'ask', 'contact', 'en_US',
       now(), now()
  FROM generate_series(1, %(customers)s) g;
UPDATE res_partner SET commercial_partner_id = id
 WHERE commercial_partner_id IS NULL AND name LIKE 'Bench customer %%';
CREATE TEMP TABLE bench_partner AS
SELECT row_number() OVER (ORDER BY id) AS n, id FROM res_partner
 WHERE name LIKE 'Bench customer %%';
CREATE UNIQUE INDEX ON bench_partner (n);
INSERT INTO account_move (name, move_type, state, auto_post, journal_id, company_id,
                          currency_id, date, invoice_date, partner_id,
                          commercial_partner_id, amount_untaxed, amount_untaxed_signed,
                          amount_total, amount_total_signed, create_date, write_date)
SELECT 'BENCH/' || s.g, s.kind, 'posted', 'no', %(journal)s, %(company)s,
       %(currency)s, s.d, s.d, p.id, p.id, s.amt,
       CASE WHEN s.kind = 'out_refund' THEN -s.amt ELSE s.amt END,
       s.amt, CASE WHEN s.kind = 'out_refund' THEN -s.amt ELSE s.amt END,
       now(), now()
  FROM (SELECT g,
               CASE WHEN random() < 0.05 THEN 'out_refund' ELSE 'out_invoice' END
                   AS kind,
               1 + floor(random() * %(customers)s)::int AS pn,
               current_date - floor(random() * 540)::int AS d,
               round((20 + random() * 600)::numeric, 2) AS amt
          FROM generate_series(1, %(invoices)s) g) s
  JOIN bench_partner p ON p.n = s.pn;
INSERT INTO account_move_line (move_id, display_type, currency_id, company_id,
                               account_id, quantity, partner_id, date, parent_state,
                               balance, amount_currency, debit, credit)
SELECT m.id, 'product', m.currency_id, m.company_id, %(account)s,
       1 + floor(random() * 4), m.partner_id, m.date, 'posted', 0, 0, 0, 0
  FROM account_move m WHERE m.name LIKE 'BENCH/%%';
ANALYZE res_partner; ANALYZE account_move; ANALYZE account_move_line;
"""


class PeakRss(threading.Thread):
    """Samples this process's resident memory while running."""

    def __init__(self):
        super().__init__(daemon=True)
        self.start_rss = self.peak = self._rss()
        self.running = True

    @staticmethod
    def _rss():
        with open(f"/proc/{os.getpid()}/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")

    def run(self):
        while self.running:
            self.peak = max(self.peak, self._rss())
            time.sleep(0.05)

    def stop(self):
        self.running = False
        self.join()
        return self.peak - self.start_rss, self.peak


SCALES = {
    "10k": (10_000, 100_000),
    "100k": (100_000, 1_000_000),
    "1m": (1_000_000, 5_000_000),
}
# The goals (issue 17), against baselines from the same run.
GOAL_FIRST = 1.5  # first evaluation / (floor + write floor)
GOAL_AGAIN = 1.3  # re-evaluation the next day, nothing bought / floor
GOAL_MEMORY_MB = 500
GOAL_CURVE = 1.2  # cost per customer, larger run / smaller run


def verdict(ratio, goal):
    return "PASS" if ratio <= goal else "MISS"


def max_rss_mb():
    """This process's peak resident memory so far (the bench runs the
    evaluation in its own process)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(env, args, customers, invoices):
    import odoo

    company = env.company
    journal = env["account.journal"].search(
        [("type", "=", "sale"), ("company_id", "=", company.id)], limit=1
    )
    account = env["account.account"].search(
        [("account_type", "=", "income"), ("company_ids", "in", company.ids)], limit=1
    )
    t0 = time.perf_counter()
    env.cr.execute(
        FILL,
        {
            "customers": customers,
            "invoices": invoices,
            "journal": journal.id,
            "company": company.id,
            "currency": company.currency_id.id,
            "account": account.id,
        },
    )
    env.cr.commit()
    print(
        f"filled {customers:,} customers and {invoices:,} invoices "
        f"in {time.perf_counter() - t0:.1f}s",
        flush=True,
    )
    engine = env["crm.relation.rfm.engine"]
    date = odoo.fields.Date.context_today(engine)
    start = odoo.addons.crm_relation.logic.rfm.window_start(
        date, company.rfm_window_days
    )

    # The floor: the same aggregate, every row fetched, nothing else.
    query = engine._facts_query(company, start, date, None)
    t0 = time.perf_counter()
    cursor = env.cr._cnx.cursor(name="bench_floor")
    rows = 0
    cursor.execute(query.code, query.params)
    while chunk := cursor.fetchmany(engine.BATCH):
        rows += len(chunk)
    cursor.close()
    floor = time.perf_counter() - t0

    # The addon's full evaluation: the first one (every customer changes).
    rss = PeakRss()
    rss.start()
    profiler = cProfile.Profile() if args.profile else None
    t0 = time.perf_counter()
    if profiler:
        profiler.enable()
    result = engine._evaluate_company(company, trigger="scheduled")
    if profiler:
        profiler.disable()
    full = time.perf_counter() - t0
    grown, _peak = rss.stop()
    if profiler:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
    env.cr.commit()
    history = env["crm.relation.tier.history"].search_count(
        [("company_id", "=", company.id)]
    )

    # The write floor: the physical work of storing the results, nothing
    # computed: one UPDATE of the same customers' stored figures (each
    # column rewritten with its value) and one INSERT of as many history
    # rows as the evaluation wrote, rolled back after.
    from odoo.addons.crm_relation.models.crm_relation_rfm_engine import WRITTEN

    env.cr.execute("SAVEPOINT bench_write_floor")
    sets = ", ".join(f"{name} = {name}" for name in WRITTEN)
    t0 = time.perf_counter()
    env.cr.execute(f"UPDATE res_partner SET {sets} WHERE name LIKE 'Bench customer %%'")
    env.cr.execute(
        """
        INSERT INTO crm_relation_tier_history
               (partner_id, company_id, date, new_status, r_score, f_score, m_score,
                score, trigger, movement, is_warning, create_uid, create_date,
                write_uid, write_date)
        SELECT p.id, %(company)s, now(), 'active', 1, 1, 1, 3, 'scheduled', 'up',
               false, 1, now(), 1, now()
          FROM res_partner p WHERE p.name LIKE 'Bench customer %%'
         LIMIT %(rows)s
        """,
        {"company": company.id, "rows": history},
    )
    write_floor = time.perf_counter() - t0
    env.cr.execute("ROLLBACK TO SAVEPOINT bench_write_floor")

    # The next day, nothing bought: only what changed is written.
    rss = PeakRss()
    rss.start()
    t0 = time.perf_counter()
    again = engine._evaluate_company(
        company, trigger="scheduled", date=date + timedelta(days=1)
    )
    next_day = time.perf_counter() - t0
    grown_again, _peak = rss.stop()
    env.cr.rollback()

    # The plain ORM way, on a sample, extrapolated.
    orm = None
    if args.orm_sample:
        partners = env["res.partner"].search(
            [("name", "like", "Bench customer %")], limit=args.orm_sample
        )
        env.invalidate_all()
        t0 = time.perf_counter()
        for partner in partners:
            moves = env["account.move"].search_read(
                [
                    ("commercial_partner_id", "=", partner.id),
                    ("state", "=", "posted"),
                    ("move_type", "in", ("out_invoice", "out_refund")),
                    ("invoice_date", ">=", start),
                ],
                ["move_type", "invoice_date", "amount_untaxed_signed"],
            )
            env["account.move.line"].search_read(
                [
                    ("move_id", "in", [m["id"] for m in moves]),
                    ("display_type", "=", "product"),
                ],
                ["quantity"],
            )
        orm = (time.perf_counter() - t0) / len(partners) * rows

    physical = floor + write_floor
    first_ratio = full / physical
    again_ratio = next_day / floor
    print(f"\nRFM evaluation of {rows:,} customers / {invoices:,} invoices")
    print(f"  floor (one aggregate, rows fetched):             {floor:8.2f}s")
    print("  write floor (one UPDATE of their stored figures,")
    print(f"    one INSERT of {history:,} history rows):        {write_floor:8.2f}s")
    print(
        f"  first full evaluation:                           {full:8.2f}s"
        f"   ({result['evaluated']:,} evaluated, {result['changed']:,} changed)"
    )
    print(
        f"  re-evaluation the next day, nothing bought:      {next_day:8.2f}s"
        f"   ({again['evaluated']:,} evaluated, {again['changed']:,} changed,"
        f" {again.get('written', 0):,} rows written)"
    )
    if orm is not None:
        print(f"  plain ORM, per partner (extrapolated from {len(partners)}): "
              f"{orm:8.2f}s")  # fmt: skip
    print(f"  ratio first / floor:                  {full / floor:5.2f}x")
    print(f"  ratio first / (floor + write floor):  {first_ratio:5.2f}x"
          f"   goal <= {GOAL_FIRST}x  {verdict(first_ratio, GOAL_FIRST)}")  # fmt: skip
    print(f"  ratio (floor + write floor) / floor:  {physical / floor:5.2f}x"
          "   (the least any stored result costs)")  # fmt: skip
    print(f"  ratio next day / floor:               {again_ratio:5.2f}x"
          f"   goal <= {GOAL_AGAIN}x  {verdict(again_ratio, GOAL_AGAIN)}")  # fmt: skip
    if orm is not None:
        print(f"  ratio ORM / first:                    {orm / full:5.1f}x")
    per_customer = full / rows * 1e6
    print(f"  cost per customer, first evaluation:  {per_customer:8.1f} µs"
          f"   next day: {next_day / rows * 1e6:.1f} µs")  # fmt: skip
    peak_mb = max_rss_mb()
    print(f"  memory: +{grown / 2**20:.0f} MB during the first evaluation, "
          f"+{grown_again / 2**20:.0f} MB the next day; process peak (maxrss) "
          f"{peak_mb:.0f} MB   goal < {GOAL_MEMORY_MB} MB  "
          f"{'PASS' if peak_mb < GOAL_MEMORY_MB else 'MISS'}", flush=True)  # fmt: skip
    return {"customers": rows, "full": full, "per_customer": per_customer}


def run(cluster, args, customers, invoices):
    """Install the addon in a database of its own, fill it, measure."""
    import odoo
    from odoo.modules.registry import Registry

    db = f"crm_relation_bench_{customers}_{int(time.time())}"
    t0 = time.perf_counter()
    log = Path(tempfile.mkdtemp(prefix="crm_rfm_bench_")) / "install.log"
    odoo_server.install(cluster, db, log, demo=False)
    print(f"installed crm_relation in {time.perf_counter() - t0:.0f}s", flush=True)
    odoo.tools.config.parse_config(
        [f"--addons-path={REPO}", *cluster.odoo_args(), "-d", db,
         "--log-level=warn"]
    )  # fmt: skip
    registry = Registry(db)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        return measure(env, args, customers, invoices)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=None)
    parser.add_argument("--invoices", type=int, default=None)
    parser.add_argument(
        "--scale",
        choices=[*SCALES, "curve"],
        help="10k (10,000 customers / 100,000 invoices), 100k (100,000 / "
        "1,000,000, the default), 1m (1,000,000 / 5,000,000); curve: 10k then "
        "100k, and the ratio of their costs per customer",
    )
    parser.add_argument(
        "--orm-sample", type=int, default=200, help="0: skip the ORM way"
    )
    parser.add_argument(
        "--profile", action="store_true", help="print where the evaluation spends"
    )
    args = parser.parse_args()
    if args.scale == "curve":
        runs = [SCALES["10k"], SCALES["100k"]]
    elif args.scale:
        runs = [SCALES[args.scale]]
    else:
        runs = [(args.customers or 100_000, args.invoices or 1_000_000)]
    ok, reason, _helpdesk = odoo_env.probe()
    if not ok:
        sys.exit(f"benchmark needs Odoo 19: {reason}")
    cluster = pgcluster.start()
    try:
        results = [run(cluster, args, *sizes) for sizes in runs]
    finally:
        pgcluster.stop(cluster)
    if len(results) > 1:
        small, large = results
        ratio = large["per_customer"] / small["per_customer"]
        print(
            f"\nscale curve: {small['customers']:,} -> {large['customers']:,} "
            f"customers: {small['per_customer']:.1f} -> "
            f"{large['per_customer']:.1f} µs a customer, ratio {ratio:.2f}x"
            f"   goal <= {GOAL_CURVE}x  {verdict(ratio, GOAL_CURVE)}"
        )


if __name__ == "__main__":
    main()
