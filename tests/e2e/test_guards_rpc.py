"""Over JSON-2 (and XML-RPC for portal users), as every role: every public
method of the addon refuses the roles it is not for with nothing written,
answers the others without a traceback, and every guarded field is refused
to everyone, administrators included. Methods and fields come from the
server's own registry (``guard_inventory``), not from a list."""

import pytest
import rpc

ROLES = ("user", "manager", "auditor", "integration", "outsider", "portal")
FORGED_CONTEXT = {
    "crm_relation_trust": {"cause": "scheduled", "fields": True},
    "crm_relation_cause": "scheduled",
    "crm_relation_today": "2020-01-01",
}


@pytest.fixture(scope="module")
def members(server, role_users):
    """``{group xmlid: set of user ids}`` of every group a method is for."""
    admin = server.connect("admin", "admin")
    cache = {}

    def of(xmlid):
        if xmlid not in cache:
            group = admin.env.ref(xmlid)
            cache[xmlid] = set(group.all_user_ids.ids)
        return cache[xmlid]

    return of


@pytest.fixture(scope="module")
def samples(inventory, json2):
    """A record id of each concrete model (the demo's), as the admin sees it."""
    result = {}
    for name, info in inventory["models"].items():
        if info["abstract"] or info["transient"]:
            result[name] = []
            continue
        result[name] = json2["admin"].ok(
            name, "search", domain=[], limit=1, order="id desc"
        )
    return result


def _refused(status, body):
    return status == 403 and body.get("name") == "odoo.exceptions.AccessError"


def _clear_error(status, body):
    """A refusal a user can read: an Odoo UserError and its kin, never a
    traceback (HTTP 500) nor a malformed call (HTTP 422 without an Odoo
    error)."""
    return status == 200 or (
        400 <= status < 500 and str(body.get("name", "")).startswith("odoo.")
    )


def test_the_inventory_finds_what_the_addon_guards(inventory):
    assert len(inventory["methods"]) > 40
    assert len(inventory["guarded"]) > 60
    assert inventory["unguarded"] == [], "read-only stored fields without guarded="
    missing = [m for m in inventory["methods"] if not m["callers"]]
    assert missing == [], "public methods without @guards.callers"


def test_reports_are_written_by_no_one(inventory, json2, fingerprint):
    """Report models (SQL views) carry no guard, since no code sets them:
    no access rule lets anyone create, write or delete, administrators
    included."""
    views = {spec["model"]: spec for spec in inventory["views"]}
    assert {
        "crm.relation.manager.evaluation.report",
        "crm.relation.visit.week.report",
    } <= set(views)
    problems = []
    for model, spec in sorted(views.items()):
        if spec["write_access"] or spec["writable_fields"]:
            problems.append(f"{model}: {spec}")
        ids = json2["admin"].ok(model, "search", domain=[], limit=1)
        assert ids, f"a row of {model} to try"
        for role in ("admin", "manager", "auditor", "user"):
            before = fingerprint()
            for method, kwargs in (
                ("write", {"ids": ids, "vals": {"user_id": False}}),
                ("unlink", {"ids": ids}),
                ("create", {"vals_list": [{"user_id": False}]}),
            ):
                status, body = json2[role].call(model, method, **kwargs)
                if not _refused(status, body):
                    problems.append(f"{model}.{method} as {role}: {status} {body}")
            if fingerprint() != before:
                problems.append(f"{model} as {role}: wrote something")
    assert problems == []


def test_every_public_method_checks_its_caller(
    inventory, json2, xmlrpc_clients, role_users, members, samples, fingerprint
):
    problems = []
    for spec in inventory["methods"]:
        model, method = spec["model"], spec["method"]
        allowed = set().union(*(members(g) for g in spec["callers"]))
        kwargs = dict.fromkeys(spec["required"], "x")
        for role in ROLES:
            uid = role_users[role]
            # Refused roles get a real record; allowed ones an empty
            # selection or odd arguments, so that nothing runs for real here
            # (the Odoo tests run every method for every allowed role).
            if uid not in allowed:
                ids = [] if spec["api_model"] else samples[model]
                before = fingerprint()
                if role == "portal":
                    args = [ids] if not spec["api_model"] else []
                    ok, result = xmlrpc_clients["portal"].call(
                        model, method, *args, *kwargs.values()
                    )
                    refused = not ok and "may run" in result
                else:
                    status, body = json2[role].call(
                        model, method, ids=ids or None, context=FORGED_CONTEXT,
                        **kwargs,
                    )  # fmt: skip
                    refused = _refused(status, body) and "may run" in body["message"]
                    result = (status, body.get("message"))
                if not refused:
                    problems.append(f"{model}.{method} as {role}: not refused {result}")
                if fingerprint() != before:
                    problems.append(f"{model}.{method} as {role}: wrote something")
            elif role != "portal":
                odd = [["x", 1], {"a": 1}, 10**12] if spec["required"] else [None]
                for value in odd:
                    args = dict.fromkeys(spec["required"], value)
                    status, body = json2[role].call(
                        model, method, ids=[] if not spec["api_model"] else None,
                        **args,
                    )  # fmt: skip
                    if not _clear_error(status, body):
                        problems.append(
                            f"{model}.{method} as {role} with {value!r}: "
                            f"HTTP {status} {body.get('name')}: "
                            f"{str(body.get('message'))[:200]}"
                        )
    assert problems == []


def test_guarded_fields_are_refused_to_everyone(
    inventory, json2, samples, fingerprint, database
):
    problems = []
    for spec in inventory["guarded"]:
        model, field = spec["model"], spec["field"]
        if inventory["models"][model]["abstract"] or not samples.get(model):
            continue
        ids = samples[model]
        [current] = json2["admin"].ok(model, "read", ids=ids, fields=[field])
        value = rpc.to_write(current[field])
        for role in ("admin", "manager", "integration"):
            before = fingerprint()
            status, body = json2[role].call(
                model, "write", ids=ids, vals={field: value}, context=FORGED_CONTEXT
            )
            if status == 200 or (
                status == 422
                and "cannot be set" not in body.get("message", "")
                and body.get("name") != "odoo.exceptions.AccessError"
            ):
                problems.append(f"{model}.{field} written by {role}: {status} {body}")
            if fingerprint() != before:
                problems.append(f"{model}.{field}: {role}'s write left something")
        if spec["kind"] is True:
            status, body = json2["admin"].call(
                model, "copy", ids=ids, default={field: value}
            )
            if status == 200 or status >= 500:
                problems.append(f"{model}.{field}: copy with it: {status} {body}")
    assert problems == []


def test_the_auditor_writes_nothing(json2, samples, fingerprint, role_users):
    """No message, activity or follower on anything of the addon: even on
    weekly schedules, whose discussion account managers may join."""
    auditor = json2["auditor"]
    [me] = auditor.ok(
        "res.users", "read", ids=[role_users["auditor"]], fields=["partner_id"]
    )
    if not samples["crm.relation.complaint.summary"]:
        [team] = json2["admin"].ok("helpdesk.ticket.team", "search", domain=[], limit=1)
        samples["crm.relation.complaint.summary"] = [
            json2["manager"].ok(
                "crm.relation.complaint.summary",
                "create",
                vals_list=[{"team_id": team, "date_from": "2026-01-01"}],
            )[0]
        ]
    problems = []
    for model in (
        "crm.relation.visit.week", "crm.relation.visit", "crm.relation.vip",
        "crm.relation.visit.plan", "crm.relation.complaint.summary", "res.partner",
        "sale.order", "helpdesk.ticket",
    ):  # fmt: skip
        ids = samples.get(model)
        assert ids, f"a {model} to try"
        for method, kwargs in (
            ("message_post", {"body": "auditor was here", "message_type": "comment"}),
            ("activity_schedule", {"summary": "auditor's to-do"}),
            ("message_subscribe", {"partner_ids": [me["partner_id"][0]]}),
        ):
            before = fingerprint()
            status, body = auditor.call(model, method, ids=ids, **kwargs)
            if fingerprint() != before:
                problems.append(f"{model}.{method}: wrote something ({status})")
            elif status == 200 and body not in (False, None):
                problems.append(f"{model}.{method}: accepted: {body}")
    assert problems == []
