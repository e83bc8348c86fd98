"""The sync door's row checks alone: every field, every odd value."""

import datetime
import math

import pytest
from crm_relation_logic import sync_rows as sr
from hypothesis import given, settings
from hypothesis import strategies as st


def partner(**values):
    return {"source": "shop", "external_id": "C1", "name": "客户", **values}


def order(**values):
    return {
        "source": "shop",
        "external_id": "O1",
        "customer_external_id": "C1",
        "lines": [{"product": "TEA", "quantity": 2, "price_unit": 10}],
        **values,
    }


def refused(check, row):
    with pytest.raises(sr.RowError) as caught:
        check(row)
    return caught.value


def test_a_good_customer_row_is_stripped_and_typed():
    values = sr.check_partner(
        partner(external_id=" C1 ", name=" 客户 ", phone=13800000000,
                birthday="1990-05-04", tags="tea; ;gift;tea", is_company=True)
    )  # fmt: skip
    assert values == {
        "source": "shop",
        "external_id": "C1",
        "name": "客户",
        "phone": "13800000000",
        "birthday": datetime.date(1990, 5, 4),
        "tags": ["tea", "gift"],
        "is_company": True,
    }


def test_integers_are_external_ids_too():
    assert sr.check_partner(partner(external_id=7))["external_id"] == "7"
    assert sr.check_partner(partner(external_id=" 7"))["external_id"] == "7"


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("lang", ["zh_CN"], sr.WRONG_TYPE),
        ("source", {"a": 1}, sr.WRONG_TYPE),
        ("account_manager_login", ["x"], sr.WRONG_TYPE),
        ("name", "bad\x00name", sr.CONTROL),
        ("city", "a\x1bb", sr.CONTROL),
        ("external_id", "C\x001", sr.CONTROL),
        ("external_id", None, sr.REQUIRED),
        ("external_id", "   ", sr.REQUIRED),
        ("external_id", True, sr.WRONG_TYPE),
        ("external_id", 1.5, sr.WRONG_TYPE),
        ("external_id", "x" * 129, sr.TOO_LONG),
        ("name", "x" * 1_000_000, sr.TOO_LONG),
        ("is_company", "yes", sr.WRONG_TYPE),
        ("birthday", "31/02/1990", sr.NOT_A_DATE),
        ("birthday", "0001-01-01", sr.NOT_A_DATE),
        ("birthday", 19900504, sr.NOT_A_DATE),
        ("tags", ["tea", ""], sr.EMPTY_ITEM),
        ("tags", ["tea", 3], sr.WRONG_TYPE),
        ("tags", {"tea": 1}, sr.WRONG_TYPE),
        ("tags", [f"t{i}" for i in range(51)], sr.TOO_MANY),
    ],
)
def test_each_odd_customer_value_names_its_field(field, value, code):
    error = refused(sr.check_partner, partner(**{field: value}))
    assert error.code == code
    assert error.field.startswith(field)


def test_missing_source_and_unknown_fields():
    row = partner()
    del row["source"]
    assert refused(sr.check_partner, row).code == sr.REQUIRED
    error = refused(sr.check_partner, partner(colour="blue"))
    assert (error.code, error.value) == (sr.UNKNOWN_FIELDS, ["colour"])
    assert refused(sr.check_partner, "oops").code == sr.NOT_A_ROW


def test_a_good_order_row():
    values = sr.check_order(order(date_order="2026-11-01 10:30:00"))
    assert values["date_order"] == datetime.datetime(2026, 11, 1, 10, 30)
    assert values["invoice"] == "none"
    assert values["lines"] == [
        {"product": "TEA", "quantity": 2.0, "price_unit": 10.0, "discount": 0.0}
    ]
    dated = sr.check_order(order(date_order="2026-11-01"))
    assert dated["date_order"] == datetime.datetime(2026, 11, 1)


@pytest.mark.parametrize(
    ("key", "value", "code"),
    [
        ("quantity", math.nan, sr.NOT_FINITE),
        ("quantity", math.inf, sr.NOT_FINITE),
        ("price_unit", -math.inf, sr.NOT_FINITE),
        ("quantity", 1e308, sr.OUT_OF_RANGE),
        ("price_unit", 1e308, sr.OUT_OF_RANGE),
        ("quantity", 0, sr.OUT_OF_RANGE),
        ("quantity", -1, sr.OUT_OF_RANGE),
        ("discount", 101, sr.OUT_OF_RANGE),
        ("quantity", "2", sr.WRONG_TYPE),
        ("quantity", True, sr.WRONG_TYPE),
        ("product", "", sr.REQUIRED),
        ("product", ["TEA"], sr.WRONG_TYPE),
    ],
)
def test_each_odd_line_value_names_its_line_and_field(key, value, code):
    line = {"product": "TEA", "quantity": 2, "price_unit": 10, key: value}
    error = refused(sr.check_order, order(lines=[line]))
    assert error.code == code
    assert error.field == f"lines[0].{key}"


def test_order_level_refusals():
    assert refused(sr.check_order, order(lines=[])).code == sr.WRONG_TYPE
    assert refused(sr.check_order, order(lines="TEA")).code == sr.WRONG_TYPE
    assert refused(sr.check_order, order(invoice="later")).code == sr.NOT_A_CHOICE
    assert refused(sr.check_order, order(lines=["x"])).code == sr.NOT_A_ROW
    row = order()
    del row["lines"]
    assert refused(sr.check_order, row).code == sr.REQUIRED


def test_echo_carries_back_only_what_every_protocol_can():
    assert sr.echo(" C1 ") == "C1"
    assert sr.echo(7) == 7
    assert sr.echo(2**40) == str(2**40)
    for value in (None, True, {"a": 1}, ["x"], "a\x00b", 1.5):
        assert sr.echo(value) is False


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=10,
)


@settings(max_examples=300, deadline=None)
@given(field=st.sampled_from(sorted(sr.PARTNER)), value=JSON_VALUES)
def test_any_value_in_any_customer_field_is_checked_or_refused(field, value):
    try:
        values = sr.check_partner(partner(**{field: value}))
    except sr.RowError as error:
        assert error.field.startswith(field) or error.field == "row"
    else:
        assert set(values) <= set(sr.PARTNER)


@settings(max_examples=300, deadline=None)
@given(
    field=st.sampled_from([*sorted(sr.ORDER), *(f"line.{k}" for k in sr.LINE)]),
    value=JSON_VALUES,
)
def test_any_value_in_any_order_field_is_checked_or_refused(field, value):
    if field.startswith("line."):
        line = {"product": "TEA", "quantity": 2, "price_unit": 10}
        line[field[5:]] = value
        row = order(lines=[line])
    else:
        row = order(**{field: value})
    try:
        sr.check_order(row)
    except sr.RowError as error:
        assert isinstance(error.code, str)
