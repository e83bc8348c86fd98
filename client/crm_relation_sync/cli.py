"""``crm-relation-sync``: push rows into Odoo's crm_relation sync door, and
pull back what Customer Relations decided about the customers.

- ``push partners|orders FILE``: rows go in batches through
  ``crm.relation.sync``; network errors are retried with backoff (the
  server is idempotent, so a batch sent twice creates nothing twice).
  Rejected rows are written with their reason to a JSON Lines file. Exit
  status: 0 all rows applied, 1 some rows rejected, 2 the push could not
  run.
- ``pull``: the customers whose tier, status, VIP state or block changed
  since a cursor, as JSON Lines, following the cursor until done; prints
  the next cursor (or keeps it in ``--cursor-file``). Exit status 0, or 2.

Odoo 19's JSON-2 API by default, with an API key from ``CRM_SYNC_API_KEY``
or a prompt, never a flag. ``--protocol jsonrpc`` (odoorpc) or ``xmlrpc``
for the legacy endpoints, with ``--login`` and a password (or API key) from
``CRM_SYNC_PASSWORD`` or a prompt. Connection from flags or the environment
(``CRM_SYNC_URL``, ``CRM_SYNC_DB``, ``CRM_SYNC_LOGIN``,
``CRM_SYNC_PROTOCOL``).
"""

import argparse
import getpass
import json
import os
import sys
import time

from . import __version__
from .rows import InputError, backoff_delays, batches, read_rows
from .transport import NETWORK_ERRORS, AuthError, Json2, JsonRpc, RemoteError, XmlRpc

METHODS = {"partners": "sync_partners", "orders": "sync_orders"}
PROTOCOLS = ("json2", "jsonrpc", "xmlrpc")
KINDS = ("tier", "status", "vip", "blocked")
API_KEY_ENV = "CRM_SYNC_API_KEY"
PASSWORD_ENV = "CRM_SYNC_PASSWORD"


class PushError(RuntimeError):
    """The push or pull cannot go on (connection, login, a batch refused)."""


def _connection_options(parser):
    env = os.environ.get
    parser.add_argument("--url", default=env("CRM_SYNC_URL", "http://127.0.0.1:8069"))
    parser.add_argument(
        "--db",
        default=env("CRM_SYNC_DB"),
        help="database (JSON-2: only when the server has several)",
    )
    parser.add_argument(
        "--protocol",
        choices=PROTOCOLS,
        default=env("CRM_SYNC_PROTOCOL", "json2"),
        help="json2 (default, API key) or the legacy jsonrpc (odoorpc) and "
        "xmlrpc (login and password)",
    )
    parser.add_argument("--login", default=env("CRM_SYNC_LOGIN"),
                        help="legacy protocols only")  # fmt: skip
    parser.add_argument("--retries", type=int, default=5)
    parser.add_argument("--timeout", type=int, default=300)


def _kinds(text):
    kinds = [k.strip() for k in text.split(",") if k.strip()]
    unknown = [k for k in kinds if k not in KINDS]
    if not kinds or unknown:
        raise argparse.ArgumentTypeError(
            f"{text!r}: a comma-separated list of {', '.join(KINDS)}"
        )
    return kinds


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="crm-relation-sync",
        description="Push customers or orders into Odoo's crm_relation sync "
        "door, and pull back their tier, status, VIP state and block.",
    )
    parser.add_argument("--version", action="version", version=__version__)
    sub = parser.add_subparsers(dest="command", required=True)
    push = sub.add_parser("push", help="push a CSV, JSON or JSON Lines file")
    push.add_argument("kind", choices=sorted(METHODS))
    push.add_argument("file")
    _connection_options(push)
    push.add_argument("--format", choices=("csv", "json", "jsonl"))
    push.add_argument("--batch-size", type=int, default=500)
    push.add_argument(
        "--rejects",
        help="where to write rejected rows (default: FILE.rejected.jsonl)",
    )
    push.add_argument("--quiet", action="store_true", help="no progress bar")
    pull = sub.add_parser(
        "pull", help="write the customers changed since a cursor as JSON Lines"
    )
    _connection_options(pull)
    pull.add_argument("--since", help="the cursor the previous pull printed")
    pull.add_argument(
        "--cursor-file",
        help="read the cursor from this file when it exists, and save the "
        "next one there once done",
    )
    pull.add_argument("--kinds", type=_kinds, help="e.g. tier,vip (default: all)")
    pull.add_argument("--source", help="only this source's external ids")
    pull.add_argument("--limit", type=int, default=500, help="changes a call")
    pull.add_argument("--output", "-o", help="JSON Lines file (default: stdout)")
    args = parser.parse_args(argv)
    if args.protocol != "json2" and (not args.db or not args.login):
        parser.error(
            f"--protocol {args.protocol} needs --db and --login "
            "(or CRM_SYNC_DB and CRM_SYNC_LOGIN)"
        )
    if args.command == "push" and not 1 <= args.batch_size <= 5000:
        parser.error("--batch-size must be between 1 and 5000")
    if args.command == "pull":
        if not 1 <= args.limit <= 5000:
            parser.error("--limit must be between 1 and 5000")
        if args.since and args.cursor_file:
            parser.error("give --since or --cursor-file, not both")
    return args


def secret(protocol, environ=os.environ, prompt=getpass.getpass, tty=None):
    """The API key (JSON-2) or password (legacy): from the environment, else
    asked in the terminal; never from a flag."""
    name = API_KEY_ENV if protocol == "json2" else PASSWORD_ENV
    value = environ.get(name)
    if value:
        return value
    if not (sys.stdin.isatty() if tty is None else tty):
        what = "API key" if protocol == "json2" else "password"
        raise PushError(f"no {what}: set {name} or run in a terminal")
    return prompt("Odoo API key: " if protocol == "json2" else "Odoo password: ")


def connect(args, key):
    kind = {"json2": Json2, "jsonrpc": JsonRpc, "xmlrpc": XmlRpc}[args.protocol]
    credentials = (key,) if args.protocol == "json2" else (args.login, key)
    try:
        client = kind(args.url, args.db, *credentials, timeout=args.timeout)
        client.check()
    except AuthError as error:
        raise PushError(f"login refused: {error}") from None
    except RemoteError as error:
        raise PushError(f"cannot log in: {error}") from None
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
    method = METHODS[args.kind]
    delays = backoff_delays(args.retries)
    counts = {"created": 0, "updated": 0, "unchanged": 0, "error": 0}
    rejected = []
    progress = Progress(len(rows), args.quiet)
    for offset, batch in batches(rows, args.batch_size):
        try:
            results = call_with_retries(
                lambda b=batch: client.call("crm.relation.sync", method, rows=b),
                delays,
                sleep,
            )
        except RemoteError as error:
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


def pull(args, client, since, out, sleep=time.sleep):
    """Write every change after ``since`` to ``out``, one JSON object a line,
    calling again while the server says there is more; return ``(number of
    changes, next cursor)``."""
    delays = backoff_delays(args.retries)
    count = 0
    while True:
        kwargs = {"limit": args.limit}
        if since:
            kwargs["since"] = since
        if args.kinds:
            kwargs["kinds"] = args.kinds
        if args.source:
            kwargs["source"] = args.source
        try:
            page = call_with_retries(
                lambda k=kwargs: client.call("crm.relation.sync", "changes", **k),
                delays,
                sleep,
            )
        except RemoteError as error:
            raise PushError(f"pull refused after cursor {since!r}: {error}") from None
        for change in page["changes"]:
            out.write(json.dumps(change, ensure_ascii=False) + "\n")
        out.flush()
        count += len(page["changes"])
        since = page["cursor"]
        if not page["more"]:
            return count, since


def read_cursor(path):
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read().strip() or None
    except FileNotFoundError:
        return None


def save_cursor(path, cursor):
    temporary = f"{path}.tmp"
    with open(temporary, "w", encoding="utf-8") as handle:
        handle.write(cursor + "\n")
    os.replace(temporary, path)


def run_push(args):
    rows = read_rows(args.file, args.kind, args.format)
    client = connect(args, secret(args.protocol))
    counts, rejected = push(args, client, rows)
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


def run_pull(args):
    since = read_cursor(args.cursor_file) if args.cursor_file else args.since
    client = connect(args, secret(args.protocol))
    if args.output:
        with open(args.output, "w", encoding="utf-8") as out:
            count, cursor = pull(args, client, since, out)
    else:
        count, cursor = pull(args, client, since, sys.stdout)
    if args.cursor_file:
        save_cursor(args.cursor_file, cursor)
    # The JSON Lines may be on stdout: the summary goes to stderr then.
    report = sys.stderr if not args.output else sys.stdout
    print(f"{count} changes; next cursor: {cursor}", file=report)
    return 0


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        return run_push(args) if args.command == "push" else run_pull(args)
    except (InputError, PushError, OSError) as error:
        print(f"crm-relation-sync: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
