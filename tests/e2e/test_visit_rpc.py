"""Visits over RPC: an account manager plans, visits and submits the week;
a customer manager approves it and reads the evaluation and the weekly
reports; others are refused."""

import datetime

import odoorpc.error
import pytest


def _own_customer(client):
    partners = client.env["res.partner"]
    [customer] = partners.search(
        [("user_id", "=", client.env.uid), ("parent_id", "=", False)], limit=1
    )
    return customer


def test_account_manager_plans_visits_and_manager_approves_the_week(server):
    user = server.connect("crm_user")
    customer = _own_customer(user)
    plans = user.env["crm.relation.visit.plan"]
    today = datetime.date.today()
    plan = plans.create(
        {
            "partner_id": customer,
            "interval": 1,
            "interval_unit": "week",
            "channel": "onsite",
            "purpose": "cross_sell",
            "next_date": (today + datetime.timedelta(days=1)).isoformat(),
        }
    )
    plans.browse(plan).action_generate_visits()
    visits = user.env["crm.relation.visit"]
    ids = visits.search([("plan_id", "=", plan)])
    assert len(ids) >= 2, ids
    # Generating again makes no duplicates.
    plans.browse(plan).action_generate_visits()
    assert visits.search_count([("plan_id", "=", plan)]) == len(ids)
    # A visit done needs its outcome.
    first = visits.browse(ids[-1])
    with pytest.raises(odoorpc.error.RPCError, match="outcome"):
        first.action_done()
    first.write({"outcome": "Tasted the new oolong", "satisfaction": "4"})
    first.action_done()
    assert visits.read([ids[-1]], ["state"])[0]["state"] == "done"
    # The calendar the web client opens.
    views = visits.get_views([[False, "calendar"]])
    assert "calendar" in views["views"]
    # The week: submitted by its account manager, approved by the manager.
    [week_id] = visits.read([ids[-1]], ["week_id"])[0]["week_id"][:1]
    weeks = user.env["crm.relation.visit.week"]
    week = weeks.browse(week_id)
    if weeks.read([week_id], ["state"])[0]["state"] in ("draft", "returned"):
        week.action_submit()
    with pytest.raises(odoorpc.error.RPCError, match="Manager may run"):
        week.action_approve()
    manager = server.connect("crm_manager")
    manager.env["crm.relation.visit.week"].browse(week_id).action_approve()
    assert weeks.read([week_id], ["state"])[0]["state"] == "approved"


def test_users_see_their_own_visits_and_auditors_write_none(server):
    user = server.connect("crm_user")
    mine = user.env["crm.relation.visit"].search([])
    assert mine
    rows = user.env["crm.relation.visit"].read(mine, ["user_id"])
    assert {row["user_id"][0] for row in rows} == {user.env.uid}
    manager = server.connect("crm_manager")
    everyone = manager.env["crm.relation.visit"].search([])
    assert len(everyone) > len(mine)
    auditor = server.connect("crm_auditor")
    assert auditor.env["crm.relation.visit"].search_count([]) == len(everyone)
    with pytest.raises(odoorpc.error.RPCError, match="not allowed"):
        auditor.env["crm.relation.visit"].write(everyone[:1], {"outcome": "x"})


def test_account_manager_evaluation_for_managers_and_auditors(server):
    today = datetime.date.today()
    period = [
        ("date", ">=", (today - datetime.timedelta(days=60)).isoformat()),
        ("date", "<=", today.isoformat()),
    ]
    manager = server.connect("crm_manager")
    report = manager.env["crm.relation.manager.evaluation.report"]
    # As the pivot and the grouped list read it: one line per account manager.
    rows = report.formatted_read_group(
        period,
        groupby=["user_id"],
        aggregates=["visits_planned:sum", "visits_done:sum", "on_time_rate:avg"],
    )
    assert rows and sum(r["visits_done:sum"] for r in rows) > 0, rows
    assert all(0 <= r["on_time_rate:avg"] <= 100 for r in rows), rows
    auditor = server.connect("crm_auditor")
    audited = auditor.env["crm.relation.manager.evaluation.report"]
    assert {
        r["user_id"][0]: r["visits_done:sum"]
        for r in audited.formatted_read_group(
            period, groupby=["user_id"], aggregates=["visits_done:sum"]
        )
    } == {r["user_id"][0]: r["visits_done:sum"] for r in rows}
    [row] = report.search(period, limit=1)
    with pytest.raises(odoorpc.error.RPCError, match="not allowed"):
        report.browse(row).write({"visits_done": 99})
    with pytest.raises(odoorpc.error.RPCError, match="not allowed"):
        audited.create({"user_id": auditor.env.uid})
    user = server.connect("crm_user")
    with pytest.raises(odoorpc.error.RPCError, match="not allowed"):
        user.env["crm.relation.manager.evaluation.report"].search(period)


def test_weekly_report_for_account_managers_managers_and_auditors(server):
    manager = server.connect("crm_manager")
    everyone = manager.env["crm.relation.visit.week.report"].search_read(
        [], ["user_id", "date", "order_count", "visit_done_count"]
    )
    assert everyone and sum(r["visit_done_count"] for r in everyone) > 0
    assert {datetime.date.fromisoformat(r["date"]).isoweekday() for r in everyone} == {
        6
    }, "weeks start on Saturdays"
    user = server.connect("crm_user")
    own = user.env["crm.relation.visit.week.report"].search_read([], ["user_id"])
    assert own and {r["user_id"][0] for r in own} == {user.env.uid}
    assert len(own) < len(everyone)
    auditor = server.connect("crm_auditor")
    assert auditor.env["crm.relation.visit.week.report"].search_count([]) == len(
        everyone
    )
    with pytest.raises(odoorpc.error.RPCError, match="not allowed"):
        auditor.env["crm.relation.visit.week.report"].browse(everyone[0]["id"]).unlink()
