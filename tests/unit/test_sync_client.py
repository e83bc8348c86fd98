"""The sync client's pure parts: reading files, batching, retries."""

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


def test_arguments_never_take_a_password(monkeypatch):
    monkeypatch.delenv("CRM_SYNC_DB", raising=False)
    with pytest.raises(SystemExit):
        cli.parse_args(["push", "partners", "f.csv", "--login", "x"])  # no db
    with pytest.raises(SystemExit):
        cli.parse_args(["push", "partners", "f.csv", "--db", "d", "--login", "x",
                        "--password", "secret"])  # fmt: skip
    args = cli.parse_args(["push", "orders", "f.jsonl", "--db", "d", "--login", "x"])
    assert (args.kind, args.batch_size, args.retries) == ("orders", 500, 5)
    monkeypatch.setenv("CRM_SYNC_PASSWORD", "s3cret")
    assert cli.password() == "s3cret"
