# Copyright 2026 crm_relation developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Every public method checks its caller, every guarded field refuses
everyone: found by walking the registry (``guard_inventory``), so that a new
method or field that forgets its guard fails here without being listed."""

import contextlib
from datetime import date
from unittest.mock import patch

import psycopg2

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import TransactionCase, tagged
from odoo.tools import mute_logger

from . import guard_inventory
from .common import make_role_users, trusted

ROLES = ("user", "manager", "auditor", "integration", "outsider", "portal")
# Tables a refused call must leave as they were.
WATCHED = (
    "mail_message",
    "mail_activity",
    "mail_followers",
    "crm_relation_audit",
    "crm_relation_tier_history",
    "crm_relation_care_log",
)
# Values a careless client sends where an argument belongs.
ODD_VALUES = ("x", ["x", 1], {"a": 1}, None, 10**12, float("nan"))


@tagged("post_install", "-at_install", "crm_relation")
class TestGuards(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.users = make_role_users(cls.env, portal=True)
        cls.admin = cls.env.ref("base.user_admin")
        cls.records = cls._one_record_of_each_model()

    @classmethod
    def _one_record_of_each_model(cls):
        """A record of every model with public methods or guarded fields:
        the demo's, else one made here."""
        env = cls.env
        customer = env["res.partner"].create(
            {"name": "守卫 Guard Test", "customer_rank": 1}
        )
        team = env["helpdesk.ticket.team"].create({"name": "Guard desk"})
        env["helpdesk.ticket"].create(
            {"name": "Guard complaint", "description": "x", "team_id": team.id,
             "partner_id": customer.id, "relation_is_complaint": True}
        )  # fmt: skip
        env["crm.relation.complaint.summary"].create(
            {"team_id": team.id, "date_from": fields.Date.context_today(team)}
        )
        env["crm.relation.vip"].create({"partner_id": customer.id, "reason": "Guard"})
        plan = env["crm.relation.visit.plan"].create(
            {"partner_id": customer.id, "next_date": date.today()}
        )
        plan.action_generate_visits()
        trusted(customer.with_company(env.company)).relation_churn_risk = 100
        env["crm.relation.winback"]._after_evaluation(env.company, customer)
        customer.write({"city": "Guard City"})
        env["crm.relation.audit"]._seal()
        records = {}
        models = {m for m, _ in guard_inventory.public_methods(env)}
        models |= {m for m, _ in guard_inventory.guarded_fields(env)}
        for name in models:
            model = env[name]
            if model._abstract:
                records[name] = model.browse()
                continue
            if model._transient:
                continue  # made per role, below
            records[name] = model.search([], limit=1, order="id desc")
        return records

    def _record(self, model_name, user):
        model = self.env[model_name].with_user(user)
        if model._transient:
            try:
                with self.env.cr.savepoint():
                    wizard = model.create({})
                    self.env.flush_all()
                return wizard, True
            except Exception:
                # A dialog the role may not open, or one with required
                # fields: its action is called on an empty selection.
                self.env.invalidate_all()
                return model.browse(), True
        return model.browse(self.records[model_name].ids), False

    def _fingerprint(self):
        self.env.flush_all()
        counts = []
        for table in WATCHED:
            self.env.cr.execute(f"SELECT count(*), max(id) FROM {table}")
            counts.append(self.env.cr.fetchone())
        return counts

    def _allowed(self, user, callers):
        return any(user.has_group(group) for group in callers)

    # -- declarations -------------------------------------------------------

    def test_every_public_method_declares_its_callers(self):
        methods = guard_inventory.public_methods(self.env)
        self.assertGreater(len(methods), 40, "the walk finds the addon's methods")
        missing = sorted(
            f"{model}.{name}"
            for (model, name), function in methods.items()
            if not getattr(function, "_crm_relation_callers", None)
        )
        self.assertFalse(missing, "public methods without @guards.callers")

    def test_every_action_only_field_is_guarded(self):
        self.assertGreater(
            len(guard_inventory.must_be_guarded(self.env)), 60, "the walk finds them"
        )
        unguarded = [
            f"{model}.{field}"
            for model, field in guard_inventory.must_be_guarded(self.env)
            if not getattr(self.env[model]._fields[field], "guarded", False)
        ]
        self.assertFalse(unguarded, "read-only stored fields without guarded=")
        for (model, field), _kind in guard_inventory.guarded_fields(self.env).items():
            with self.subTest(field=f"{model}.{field}"):
                self.assertTrue(
                    self.env[model]._fields[field].readonly
                    or self.env[model]._fields[field].guarded == "create",
                    "a guarded field is read-only in the views",
                )

    def test_reports_are_sql_views_no_one_writes(self):
        """Report models carry no guard: no code sets their fields, the
        database computes them. Instead: every field read-only, no access
        rule lets anyone create, write or delete, and the database itself
        refuses the superuser."""
        views = guard_inventory.sql_views(self.env)
        for name in (
            "crm.relation.manager.evaluation.report",
            "crm.relation.visit.week.report",
            "crm.relation.churn.report",
        ):
            self.assertIn(name, views)
        for name in views:
            with self.subTest(model=name):
                model = self.env[name]
                self.assertEqual(guard_inventory.view_write_access(self.env, name), [])
                self.assertEqual(
                    [f for f, field in model._fields.items() if not field.readonly],
                    [],
                )
                self.assertFalse(
                    [
                        m
                        for m, _f in guard_inventory.must_be_guarded(self.env)
                        if m == name
                    ]
                )
                sudo = model.sudo()
                record = sudo.search([], limit=1)
                self.assertTrue(record, f"a row of {name} to try")
                # Every report has a company: change it (the ORM skips a
                # write of the same value), create a row with one.
                company = {"company_id": record.company_id.id}
                for write in (
                    lambda r=record: r.write({"company_id": False}),
                    lambda r=record: r.unlink(),
                    lambda s=sudo, v=company: s.create(v),
                ):
                    with (
                        self.assertRaises(psycopg2.Error),
                        self.env.cr.savepoint(),
                        mute_logger("odoo.sql_db"),
                    ):
                        write()
                        self.env.flush_all()
                    self.env.invalidate_all(flush=False)

    def test_the_walk_still_catches_a_missing_guard(self):
        """Leaving SQL views out does not let an ordinary model through."""
        env = self.env
        week = env["crm.relation.visit.week"]
        self.assertFalse(guard_inventory.is_sql_view(week))
        self.assertIn(
            ("crm.relation.visit.week", "report_order_count"),
            guard_inventory.must_be_guarded(env),
        )
        field = week._fields["report_order_count"]
        with patch.object(field, "guarded", False):
            unguarded = [
                (model, fname)
                for model, fname in guard_inventory.must_be_guarded(env)
                if not getattr(env[model]._fields[fname], "guarded", False)
            ]
        self.assertEqual(unguarded, [("crm.relation.visit.week", "report_order_count")])
        # A model not created by the ORM yet backed by a real table is
        # walked like any other: only views are left out.
        with patch.object(type(week), "_auto", False):
            self.assertFalse(guard_inventory.is_sql_view(week))
            self.assertIn(
                ("crm.relation.visit.week", "report_order_count"),
                guard_inventory.must_be_guarded(env),
            )

    # -- methods: refused to the other roles, no traceback for the right ones

    def test_every_public_method_refuses_other_roles_and_writes_nothing(self):
        methods = guard_inventory.public_methods(self.env)
        for (model_name, name), function in sorted(methods.items()):
            callers = getattr(function, "_crm_relation_callers", ())
            required = guard_inventory.required_params(function)
            for role in ROLES:
                user = self.users[role]
                if self._allowed(user, callers):
                    continue
                with (
                    self.subTest(method=f"{model_name}.{name}", role=role),
                    self.env.cr.savepoint() as savepoint,
                ):
                    records, _transient = self._record(model_name, user)
                    before = self._fingerprint()
                    with self.assertRaisesRegex(AccessError, "Only .* may run"):
                        getattr(records, name)(*["x"] * len(required))
                    self.assertEqual(self._fingerprint(), before)
                    savepoint.rollback()

    @mute_logger("odoo.sql_db", "odoo.models", "odoo.addons.crm_relation")
    def test_allowed_roles_get_results_or_clear_errors(self):
        methods = guard_inventory.public_methods(self.env)
        for (model_name, name), function in sorted(methods.items()):
            callers = getattr(function, "_crm_relation_callers", ())
            required = guard_inventory.required_params(function)
            argument_sets = [["x"] * len(required)]
            argument_sets += [[value] * len(required) for value in ODD_VALUES]
            for role in ROLES:
                user = self.users[role]
                if not self._allowed(user, callers):
                    continue
                for args in argument_sets[: 1 + bool(required) * len(ODD_VALUES)]:
                    with (
                        self.subTest(
                            method=f"{model_name}.{name}", role=role, args=args
                        ),
                        self.env.cr.savepoint() as savepoint,
                    ):
                        records, _transient = self._record(model_name, user)
                        # A result, or a clear refusal (UserError and its
                        # kin: AccessError, ValidationError...): no crash.
                        with contextlib.suppress(UserError):
                            getattr(records, name)(*args)
                        savepoint.rollback()
                        self.env.invalidate_all()

    # -- fields: refused to everyone, administrators and superuser included

    def test_guarded_fields_are_refused_to_everyone(self):
        guarded = guard_inventory.guarded_fields(self.env)
        self.assertGreater(len(guarded), 60)
        envs = {
            "admin": self.env(user=self.admin),
            "superuser": self.env(su=True),
            "manager": self.env(user=self.users["manager"]),
        }
        forged_contexts = (
            {},
            {"crm_relation_trust": True},
            {"crm_relation_trust": {"fields": True}},
            {"crm_relation_cause": "scheduled", "crm_relation_vip_lifecycle": True},
        )
        for (model_name, fname), kind in sorted(guarded.items()):
            record = self.records.get(model_name)
            if not record:
                continue  # abstract mixins: checked on the models using them
            vals = record._convert_to_write({fname: record[fname]})
            for who, env in envs.items():
                for context in forged_contexts:
                    with (
                        self.subTest(
                            field=f"{model_name}.{fname}", who=who, ctx=context
                        ),
                        self.env.cr.savepoint() as savepoint,
                    ):
                        target = record.with_env(env).with_context(**context)
                        # A manager may not even read some models (tickets,
                        # companies), nor an administrator write some (weekly
                        # schedules): refused either way. The superuser has
                        # every right: the guard itself refuses it.
                        refusal = "cannot be set" if who == "superuser" else ""
                        with self.assertRaisesRegex(UserError, refusal):
                            target.write(vals)
                        if kind is True and who == "superuser":
                            # Creating with it, or with it as a context default.
                            copied = record.with_env(env).copy_data()[0]
                            with self.assertRaisesRegex(UserError, "cannot be set"):
                                target.create({**copied, **vals})
                            with self.assertRaisesRegex(UserError, "cannot be set"):
                                target.with_context(
                                    **{f"default_{fname}": vals[fname]}
                                ).create(copied)
                        savepoint.rollback()
