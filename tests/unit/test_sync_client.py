"""The sync client's pure parts: reading files, batching, retries."""

import io
import json
import urllib.error

import pytest
from crm_relation_sync import cli
from crm_relation_sync.rows import (
    InputError,
    backoff_delays,
    batches,
    detect_format,
    read_rows,
)
from crm_relation_sync.transport import AuthError, Json2, RemoteError


def test_formats_by_suffix():
    assert detect_format("a.csv") == "csv"
    assert detect_format("a.JSONL") == "jsonl"
    assert detect_format("a.json") == "json"
    with pytest.raises(InputError, match="unknown format"):
        detect_format("a.xlsx")


def test_partner_csv(tmp_path):
    path = tmp_path / "partners.csv"
    path.write_text(
        "source,external_id,name,is_company,tags,email,city\n"
        "shop,C1,杭州茶业,yes,tea; wholesale,a@b.cn,\n"
        "shop,C2,Li Lei,0,,,Wuhan\n",
        encoding="utf-8",
    )
    assert read_rows(path, "partners") == [
        {"source": "shop", "external_id": "C1", "name": "杭州茶业",
         "is_company": True, "tags": ["tea", "wholesale"], "email": "a@b.cn"},
        {"source": "shop", "external_id": "C2", "name": "Li Lei",
         "is_company": False, "city": "Wuhan"},
    ]  # fmt: skip


def test_bad_boolean_names_the_line(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("source,external_id,name,is_company\nshop,C1,A,maybe\n")
    with pytest.raises(InputError, match="line 2: is_company 'maybe'"):
        read_rows(path, "partners")


def test_order_csv_groups_lines(tmp_path):
    path = tmp_path / "orders.csv"
    path.write_text(
        "source,external_id,customer_external_id,date_order,invoice,product,"
        "quantity,price_unit,discount\n"
        "shop,O1,C1,2026-11-01,post,TEA,2,150,\n"
        "shop,O1,C1,2026-11-01,post,CUP,1,80.5,10\n"
        "shop,O2,C2,2026-11-02,,TEA,1,150,\n"
    )
    orders = read_rows(path, "orders")
    assert [o["external_id"] for o in orders] == ["O1", "O2"]
    assert orders[0]["lines"] == [
        {"product": "TEA", "quantity": 2.0, "price_unit": 150.0},
        {"product": "CUP", "quantity": 1.0, "price_unit": 80.5, "discount": 10.0},
    ]
    assert "invoice" not in orders[1]
    path.write_text("source,external_id,product,quantity\nshop,O1,TEA,two\n")
    with pytest.raises(InputError, match="line 2: quantity 'two'"):
        read_rows(path, "orders")


def test_json_and_jsonl(tmp_path):
    rows = [{"source": "s", "external_id": 1, "name": "A"}]
    (tmp_path / "a.json").write_text(json.dumps(rows))
    (tmp_path / "a.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n\n")
    assert read_rows(tmp_path / "a.json", "partners") == rows
    assert read_rows(tmp_path / "a.jsonl", "partners") == rows
    (tmp_path / "b.jsonl").write_text('{"a": 1}\n{oops}\n')
    with pytest.raises(InputError, match=r"b\.jsonl:2: not JSON"):
        read_rows(tmp_path / "b.jsonl", "partners")
    (tmp_path / "c.json").write_text('{"a": 1}')
    with pytest.raises(InputError, match="list of rows"):
        read_rows(tmp_path / "c.json", "partners")


def test_batches_and_backoff():
    assert [(o, len(b)) for o, b in batches(list(range(7)), 3)] == [
        (0, 3), (3, 3), (6, 1),
    ]  # fmt: skip
    with pytest.raises(ValueError):
        list(batches([1], 0))
    assert backoff_delays(6, base=1, cap=10) == [1, 2, 4, 8, 10, 10]


def test_retries_then_success_and_give_up():
    calls, slept = [], []

    def flaky():
        calls.append(1)
        if len(calls) < 3:
            raise urllib.error.URLError("connection reset")
        return ["ok"]

    quiet = lambda *a, **k: None  # noqa: E731
    assert cli.call_with_retries(flaky, [1, 2, 4], slept.append, quiet) == ["ok"]
    assert slept == [1, 2]

    def down():
        raise ConnectionRefusedError("refused")

    with pytest.raises(cli.PushError, match="gave up after 2 retries"):
        cli.call_with_retries(down, [1, 2], slept.append, quiet)


def test_arguments_never_take_a_secret(monkeypatch):
    for name in ("CRM_SYNC_DB", "CRM_SYNC_LOGIN", "CRM_SYNC_PROTOCOL"):
        monkeypatch.delenv(name, raising=False)
    args = cli.parse_args(["push", "orders", "f.jsonl"])
    assert (args.kind, args.batch_size, args.retries, args.protocol) == (
        "orders", 500, 5, "json2",
    )  # fmt: skip
    for flag in ("--password", "--api-key", "--key"):
        with pytest.raises(SystemExit):
            cli.parse_args(["push", "partners", "f.csv", flag, "secret"])
    with pytest.raises(SystemExit):  # legacy protocols log in: db and login
        cli.parse_args(["push", "partners", "f.csv", "--protocol", "jsonrpc"])
    args = cli.parse_args(["push", "partners", "f.csv", "--protocol", "xmlrpc",
                           "--db", "d", "--login", "x"])  # fmt: skip
    assert args.protocol == "xmlrpc"


def test_secret_from_the_environment_or_a_prompt():
    env = {"CRM_SYNC_API_KEY": "k3y", "CRM_SYNC_PASSWORD": "s3cret"}
    assert cli.secret("json2", env) == "k3y"
    assert cli.secret("jsonrpc", env) == "s3cret"
    asked = []
    prompt = lambda text: asked.append(text) or "typed"  # noqa: E731
    assert cli.secret("json2", {}, prompt, tty=True) == "typed"
    assert asked == ["Odoo API key: "]
    with pytest.raises(cli.PushError, match="set CRM_SYNC_API_KEY"):
        cli.secret("json2", {"CRM_SYNC_PASSWORD": "s3cret"}, prompt, tty=False)


def test_pull_arguments():
    args = cli.parse_args(["pull", "--since", "1:5", "--kinds", "tier,vip"])
    assert (args.since, args.kinds, args.limit, args.output) == (
        "1:5", ["tier", "vip"], 500, None,
    )  # fmt: skip
    for bad in (["--kinds", "tier,colour"], ["--limit", "0"],
                ["--since", "1:1", "--cursor-file", "c.txt"]):  # fmt: skip
        with pytest.raises(SystemExit):
            cli.parse_args(["pull", *bad])


class FakeResponse(io.BytesIO):
    status = 200

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def test_json2_request_shape_and_errors():
    sent = []

    def urlopen(request, timeout):
        sent.append((request, timeout))
        return FakeResponse(b'[{"status": "created"}]')

    client = Json2("http://odoo:8069/", "crm", "k3y", timeout=9, urlopen=urlopen)
    rows = [{"source": "s", "external_id": "1", "name": "茶"}]
    assert client.call("crm.relation.sync", "sync_partners", rows=rows) == [
        {"status": "created"}
    ]
    [(request, timeout)] = sent
    assert request.full_url == "http://odoo:8069/json/2/crm.relation.sync/sync_partners"
    assert request.get_method() == "POST" and timeout == 9
    assert request.get_header("Authorization") == "bearer k3y"
    assert request.get_header("X-odoo-database") == "crm"
    assert json.loads(request.data) == {"rows": rows}
    no_db = Json2("http://odoo", None, "k").request("m", "f", {})
    assert not no_db.has_header("X-odoo-database")

    refused = Json2.error(401, b'{"name": "werkzeug.exceptions.Unauthorized", '
                               b'"message": "Invalid apikey"}')  # fmt: skip
    assert isinstance(refused, AuthError) and "Invalid apikey" in str(refused)
    user_error = Json2.error(422, b'{"name": "odoo.exceptions.UserError", '
                                  b'"message": "since must be a cursor"}')  # fmt: skip
    assert type(user_error) is RemoteError
    assert str(user_error) == "HTTP 422: since must be a cursor"
    assert isinstance(Json2.error(503, b"<html>"), ConnectionError)
    assert "oops" in str(Json2.error(500, b"oops"))


class FakeClient:
    """Answers ``changes`` from pages, and ``sync_*`` from results."""

    def __init__(self, pages=(), results=None):
        self.pages, self.results, self.calls = list(pages), results, []

    def call(self, model, method, **kwargs):
        self.calls.append((model, method, kwargs))
        if method == "changes":
            return self.pages.pop(0)
        return [self.results(row) for row in kwargs["rows"]]


def test_pull_follows_the_cursor_and_writes_json_lines():
    pages = [
        {"changes": [{"external_id": "C1", "tier": "A"}], "cursor": "1:7",
         "more": True},
        {"changes": [{"external_id": "C2", "vip": True}], "cursor": "1:9",
         "more": False},
    ]  # fmt: skip
    client = FakeClient(pages)
    args = cli.parse_args(["pull", "--kinds", "vip", "--limit", "2"])
    out = io.StringIO()
    assert cli.pull(args, client, None, out) == (2, "1:9")
    assert [json.loads(line) for line in out.getvalue().splitlines()] == [
        {"external_id": "C1", "tier": "A"}, {"external_id": "C2", "vip": True},
    ]  # fmt: skip
    assert [c[2] for c in client.calls] == [
        {"limit": 2, "kinds": ["vip"]},
        {"since": "1:7", "limit": 2, "kinds": ["vip"]},
    ]


def test_cursor_file_round_trip(tmp_path):
    path = tmp_path / "cursor.txt"
    assert cli.read_cursor(path) is None
    cli.save_cursor(path, "3:42")
    assert cli.read_cursor(path) == "3:42"


def test_push_counts_and_rejects():
    client = FakeClient(results=lambda row: {
        "status": "error" if row["name"] == "bad" else "created",
        "error": "email 'nope' is not an email address",
    })  # fmt: skip
    args = cli.parse_args(["push", "partners", "f.csv", "--batch-size", "2",
                           "--quiet"])  # fmt: skip
    rows = [{"name": "a"}, {"name": "bad"}, {"name": "c"}]
    counts, rejected = cli.push(args, client, rows)
    assert counts == {"created": 2, "updated": 0, "unchanged": 0, "error": 1}
    assert rejected == [{"row_number": 2, "reason": "email 'nope' is not an email "
                         "address", "row": {"name": "bad"}}]  # fmt: skip
    assert [c[:2] for c in client.calls] == [("crm.relation.sync", "sync_partners")] * 2
