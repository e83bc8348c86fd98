"""Benchmark of the RFM evaluation against its SQL floor and the ORM way.

Fills a database directly (SQL) with N customers and M posted customer
invoices with one product line each, spread over 18 months, 5% credit
notes; then, in the same run, times:

- the addon's full evaluation (``crm.relation.rfm.engine.evaluate``):
  aggregate, score, write back, history;
- the floor: the single SQL aggregate that computes the same R/F/M figures,
  all rows fetched, nothing scored or written;
- the plain ORM approach: per-partner ``search_read`` of invoices and lines,
  on a sample of partners, extrapolated to N.

It prints each time, the ratios, and the process's peak memory growth
during the evaluation (sampled RSS). Needs Odoo 19 importable: it starts a
private PostgreSQL cluster and installs crm_relation (no demo) itself.

    python bench/rfm_bench.py                      # 100,000 / 1,000,000
    python bench/rfm_bench.py --customers 10000 --invoices 100000
"""

import argparse
import cProfile
import os
import pstats
import sys
import tempfile
import threading
import time
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


def measure(env, args):
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
            "customers": args.customers,
            "invoices": args.invoices,
            "journal": journal.id,
            "company": company.id,
            "currency": company.currency_id.id,
            "account": account.id,
        },
    )
    env.cr.commit()
    print(
        f"filled {args.customers:,} customers and {args.invoices:,} invoices "
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

    # The addon's full evaluation.
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
    grown, peak = rss.stop()
    if profiler:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
    env.cr.commit()

    # The plain ORM way, on a sample, extrapolated.
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

    # The least any stored write-back costs: rewrite one company-dependent
    # column of the same customers, in one statement, rolled back after.
    env.cr.execute("SAVEPOINT bench_write_floor")
    t0 = time.perf_counter()
    env.cr.execute(
        "UPDATE res_partner SET rfm_score = rfm_score"
        " WHERE name LIKE 'Bench customer %%'"
    )
    write_floor = time.perf_counter() - t0
    env.cr.execute("ROLLBACK TO SAVEPOINT bench_write_floor")

    print(f"\nRFM evaluation of {rows:,} customers / {args.invoices:,} invoices")
    print(f"  SQL floor (one aggregate, rows fetched):  {floor:8.2f}s")
    print(
        f"  crm_relation full evaluation:             {full:8.2f}s"
        f"   ({result['evaluated']:,} evaluated, {result['changed']:,} changed)"
    )
    print(f"  plain ORM, per partner (extrapolated from {len(partners)}): {orm:8.2f}s")
    print(f"  write-back floor (one UPDATE of one column of those rows): "
          f"{write_floor:8.2f}s")  # fmt: skip
    print(f"  ratio full / floor: {full / floor:.2f}x   (goal: <= 2x)")
    least = (floor + write_floor) / floor
    print(f"  ratio (floor + write-back floor) / floor: {least:.2f}x"
          "   (the least any stored result costs)")  # fmt: skip
    print(f"  ratio ORM / full:   {orm / full:.1f}x")
    print(f"  memory during evaluation: +{grown / 2**20:.0f} MB "
          f"(process peak {peak / 2**20:.0f} MB; goal: < 500 MB)")  # fmt: skip


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--invoices", type=int, default=1_000_000)
    parser.add_argument("--orm-sample", type=int, default=200)
    parser.add_argument(
        "--profile", action="store_true", help="print where the evaluation spends"
    )
    args = parser.parse_args()
    ok, reason, _helpdesk = odoo_env.probe()
    if not ok:
        sys.exit(f"benchmark needs Odoo 19: {reason}")
    cluster = pgcluster.start()
    try:
        db = f"crm_relation_bench_{int(time.time())}"
        t0 = time.perf_counter()
        log = Path(tempfile.mkdtemp(prefix="crm_rfm_bench_")) / "install.log"
        odoo_server.install(cluster, db, log, demo=False)
        print(f"installed crm_relation in {time.perf_counter() - t0:.0f}s", flush=True)
        import odoo
        from odoo.modules.registry import Registry

        odoo.tools.config.parse_config(
            [f"--addons-path={REPO}", *cluster.odoo_args(), "-d", db,
             "--log-level=warn"]
        )  # fmt: skip
        registry = Registry(db)
        with registry.cursor() as cr:
            env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
            measure(env, args)
    finally:
        pgcluster.stop(cluster)


if __name__ == "__main__":
    main()
