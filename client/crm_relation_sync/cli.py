"""``crm-relation-sync push partners|orders FILE``: push rows into Odoo.

Connection from flags or the environment (``CRM_SYNC_URL``, ``CRM_SYNC_DB``,
``CRM_SYNC_LOGIN``); the password only from ``CRM_SYNC_PASSWORD`` or a
prompt, never a flag. Rows go in batches through ``crm.relation.sync``;
network errors are retried with backoff (the server is idempotent, so a
batch sent twice creates nothing twice). Rejected rows are written with
their reason to a JSON Lines file. Exit status: 0 all rows applied, 1 some
rows rejected, 2 the push could not run.
"""

import argparse
import getpass
import json
import os
import socket
import sys
import time
import urllib.error
from urllib.parse import urlparse

from . import __version__
from .rows import InputError, backoff_delays, batches, read_rows

METHODS = {"partners": "sync_partners", "orders": "sync_orders"}
NETWORK_ERRORS = (urllib.error.URLError, ConnectionError, socket.timeout, TimeoutError)


class PushError(RuntimeError):
    """The push cannot go on (connection, login, a whole batch refused)."""


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="crm-relation-sync",
        description="Push customers or orders into Odoo's crm_relation sync door.",
    )
    parser.add_argument("--version", action="version", version=__version__)
    sub = parser.add_subparsers(dest="command", required=True)
    push = sub.add_parser("push", help="push a CSV, JSON or JSON Lines file")
    push.add_argument("kind", choices=sorted(METHODS))
    push.add_argument("file")
    push.add_argument(
        "--url", default=os.environ.get("CRM_SYNC_URL", "http://127.0.0.1:8069")
    )
    push.add_argument("--db", default=os.environ.get("CRM_SYNC_DB"))
    push.add_argument("--login", default=os.environ.get("CRM_SYNC_LOGIN"))
    push.add_argument("--format", choices=("csv", "json", "jsonl"))
    push.add_argument("--batch-size", type=int, default=500)
    push.add_argument("--retries", type=int, default=5)
    push.add_argument("--timeout", type=int, default=300)
    push.add_argument(
        "--rejects",
        help="where to write rejected rows (default: FILE.rejected.jsonl)",
    )
    push.add_argument("--quiet", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    if not args.db or not args.login:
        parser.error("--db and --login (or CRM_SYNC_DB and CRM_SYNC_LOGIN) are needed")
    if not 1 <= args.batch_size <= 5000:
        parser.error("--batch-size must be between 1 and 5000")
    return args


def password():
    secret = os.environ.get("CRM_SYNC_PASSWORD")
    if secret:
        return secret
    if not sys.stdin.isatty():
        raise PushError("no password: set CRM_SYNC_PASSWORD or run in a terminal")
    return getpass.getpass("Odoo password: ")


def connect(args, secret):
    import odoorpc

    url = urlparse(args.url)
    protocol = "jsonrpc+ssl" if url.scheme == "https" else "jsonrpc"
    port = url.port or (443 if url.scheme == "https" else 80)
    try:
        client = odoorpc.ODOO(url.hostname, protocol=protocol, port=port,
                              timeout=args.timeout)  # fmt: skip
        client.login(args.db, args.login, secret)
    except odoorpc.error.RPCError as error:
        raise PushError(f"login refused: {error}") from None
    except NETWORK_ERRORS as error:
        raise PushError(f"cannot reach {args.url}: {error}") from None
    return client


def call_with_retries(call, delays, sleep=time.sleep, log=print):
    """``call()``, retried after each delay on a network error."""
    for attempt, delay in enumerate([*delays, None]):
        try:
            return call()
        except NETWORK_ERRORS as error:
            if delay is None:
                raise PushError(f"network error, gave up after {attempt} retries: "
                                f"{error}") from None  # fmt: skip
            log(f"network error ({error}); retry in {delay:.0f}s", file=sys.stderr)
            sleep(delay)
    raise AssertionError("unreachable")


class Progress:
    def __init__(self, total, quiet):
        self.total, self.done, self.quiet = total, 0, quiet or not sys.stderr.isatty()

    def advance(self, count, failed):
        self.done += count
        if self.quiet:
            return
        width = 30
        filled = int(width * self.done / max(self.total, 1))
        bar = "#" * filled + "." * (width - filled)
        sys.stderr.write(f"\r[{bar}] {self.done}/{self.total} rows, {failed} rejected")
        sys.stderr.flush()

    def close(self):
        if not self.quiet:
            sys.stderr.write("\n")


def push(args, client, rows, sleep=time.sleep):
    """Push ``rows``; return ``(counts by status, rejected rows)``."""
    model = client.env["crm.relation.sync"]
    method = getattr(model, METHODS[args.kind])
    delays = backoff_delays(args.retries)
    counts = {"created": 0, "updated": 0, "unchanged": 0, "error": 0}
    rejected = []
    progress = Progress(len(rows), args.quiet)
    import odoorpc

    for offset, batch in batches(rows, args.batch_size):
        try:
            results = call_with_retries(lambda b=batch: method(b), delays, sleep)
        except odoorpc.error.RPCError as error:
            raise PushError(
                f"rows {offset + 1}-{offset + len(batch)} refused whole: {error}"
            ) from None
        for index, (row, result) in enumerate(zip(batch, results, strict=True)):
            counts[result["status"]] += 1
            if result["status"] == "error":
                rejected.append({"row_number": offset + index + 1,
                                 "reason": result["error"], "row": row})  # fmt: skip
        progress.advance(len(batch), counts["error"])
    progress.close()
    return counts, rejected


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        rows = read_rows(args.file, args.kind, args.format)
        client = connect(args, password())
        counts, rejected = push(args, client, rows)
    except (InputError, PushError, OSError) as error:
        print(f"crm-relation-sync: {error}", file=sys.stderr)
        return 2
    rejects = args.rejects or f"{args.file}.rejected.jsonl"
    if rejected:
        with open(rejects, "w", encoding="utf-8") as out:
            for entry in rejected:
                out.write(json.dumps(entry, ensure_ascii=False) + "\n")
    print(
        f"{len(rows)} {args.kind}: {counts['created']} created, "
        f"{counts['updated']} updated, {counts['unchanged']} unchanged, "
        f"{counts['error']} rejected" + (f" (see {rejects})" if rejected else "")
    )
    return 1 if rejected else 0


if __name__ == "__main__":
    sys.exit(main())
