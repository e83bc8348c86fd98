# Copyright 2026 crm_relation developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import copy
import hashlib
import json
import logging
import random
import re
import time
from collections import defaultdict

import psycopg2
from psycopg2 import errors as pg_errors

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, ConcurrencyError, UserError, ValidationError
from odoo.tools import SQL

from ..logic import sync_changes, sync_rows
from . import crm_relation_audit, guards, post_commit
from .sale_order import SYNC_CONFIRM

_logger = logging.getLogger(__name__)

MAX_ROWS = 5000
CALLERS = (guards.INTEGRATION_GROUP, guards.MANAGER_GROUP)
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# Errors another transaction caused: the whole call is run again by Odoo
# (``odoo.service.model.retrying``), never reported as a row's error.
CONCURRENCY = (
    pg_errors.SerializationFailure,
    pg_errors.DeadlockDetected,
    pg_errors.LockNotAvailable,
)
# A row's own errors: reported on the row, the call goes on.
ROW_ERRORS = (UserError, ValidationError, AccessError, psycopg2.Error)
TAG = "res.partner.category"
# The customers whose orders a call changed, evaluated once it commits.
EVALUATE_LATER = "crm_relation.sync.evaluate"
EVALUATE_TRIES = 5


def _wait_before_retry(attempt):
    """Random back-off, as Odoo's own retries of concurrent transactions,
    but short: the call has committed and its client is waiting."""
    time.sleep(random.uniform(0.0, min(2**attempt, 2)))


class RowError(ValueError):
    """A row is refused: the message names the field and the value."""


def _payload_hash(values):
    return hashlib.sha256(
        json.dumps(values, sort_keys=True, ensure_ascii=False, default=str).encode()
    ).hexdigest()


class CrmRelationSync(models.AbstractModel):
    """The door other systems push customers and orders through (JSON-2,
    JSON-RPC, XML-RPC).

    Each public method takes up to ``MAX_ROWS`` rows and returns one result
    per row, in order: ``{"external_id", "id", "status", "error"}`` with
    status ``created``, ``updated``, ``unchanged`` or ``error``. Every field
    of a row is checked (``logic.sync_rows``); new records are made in one
    batch, retried row by row (each row in its own savepoint) when it
    fails, and changes are applied row by row, each in its own savepoint:
    a bad row is reported and never blocks or half-writes the others, tags
    included. Conflicts with concurrent transactions are
    not a row's fault: the call is run again by the server. Rows apply in
    the caller's current company.
    """

    _name = "crm.relation.sync"
    _description = "Customer and Order Synchronisation"

    # Records a sync creates log nothing in their chatter.
    CREATE_CONTEXT = {
        "mail_create_nolog": True,
        "mail_create_nosubscribe": True,
        "tracking_disable": True,
    }

    # === BUSINESS METHODS === #

    @guards.callers(*CALLERS)
    @api.model
    def sync_partners(self, rows):
        self._check_rows(rows)
        return self._sync_partners(rows, self.env.company)

    @guards.callers(*CALLERS)
    @api.model
    def sync_orders(self, rows):
        self._check_rows(rows)
        results = self._sync_orders(rows, self.env.company)
        # Orders feed the customers' value as soon as they are committed,
        # audited as caused by sync.
        touched = [r["id"] for r in results if r["status"] in ("created", "updated")]
        if touched:
            orders = self.env["sale.order"].browse(touched)
            self._evaluate_after_commit(orders.partner_id.commercial_partner_id)
        return results

    @api.readonly
    @guards.callers(*CALLERS)
    @api.model
    def changes(self, since=None, kinds=None, limit=None, source=None):
        """The customers whose tier, status, VIP state or block changed in
        the current company after the cursor ``since`` (none: from the
        start), under the caller's external ids (of ``source``, or of every
        source), at most ``limit`` changes read (500 by default, 5000 at
        most). Returns ``{"changes": [...], "cursor": next cursor, "more":
        whether to call again at once}``; each change gives the customer's
        current values (``logic.sync_changes`` explains the cursor)."""
        company = self.env.company
        try:
            after = sync_changes.parse_cursor(since, company.id)
            wanted = sync_changes.parse_kinds(kinds)
            limit = sync_changes.parse_limit(limit)
            source = sync_changes.parse_source(source)
        except sync_changes.ArgumentError as error:
            raise UserError(self._argument_message(error, company)) from None
        entries = self._change_entries(company, after, wanted, limit)
        next_position = entries[-1][0] if entries else after
        grouped = sync_changes.group_entries(entries, wanted)
        return {
            "changes": self._change_rows(company, grouped, source),
            "cursor": sync_changes.cursor(company.id, *next_position),
            "more": len(entries) == limit,
        }

    def _argument_message(self, error, company):
        value = guards.short_repr(error.value)
        if error.code == sync_changes.OTHER_COMPANY:
            return self.env._(
                "since %(value)s is a cursor of another company; in %(company)s "
                "start again without one.",
                value=value,
                company=company.name,
            )
        expected = {
            sync_changes.NOT_A_CURSOR: lambda: self.env._(
                "a cursor returned by changes (such as '%(example)s')",
                example=sync_changes.cursor(company.id, 0),
            ),
            sync_changes.NOT_KINDS: lambda: self.env._(
                "a list of %(kinds)s", kinds=", ".join(sync_changes.KINDS)
            ),
            sync_changes.NOT_A_LIMIT: lambda: self.env._(
                "a whole number from 1 to %(max)s", max=sync_changes.MAX_LIMIT
            ),
            sync_changes.NOT_A_SOURCE: lambda: self.env._(
                "the name of a source (text of at most 128 characters)"
            ),
        }[error.code]()
        return self.env._(
            "%(name)s must be %(expected)s, not %(value)s.",
            name=error.name,
            expected=expected,
            value=value,
        )

    def _change_entries(self, company, after, kinds, limit):
        """``[((position, row), partner id, kind, logged at)]``: the sealed
        audit entries of ``kinds`` after ``after`` (``(position, row)``), in
        chain order, at most ``limit`` (one query; a VIP entry names its
        customer; an evaluation's entry gives the tier and status changes
        of its history rows, in their order: ``row`` is ``2 * history id``,
        plus 1 for a status change, and 0 for other entries)."""
        Audit = self.env["crm.relation.audit"]
        Audit.flush_model(["company_id", "sequence", "model", "res_id",
                           "field_name", "logged_at"])  # fmt: skip
        self.env["crm.relation.vip"].flush_model(["partner_id"])
        History = self.env["crm.relation.tier.history"]
        partner_fields = [sync_changes.KINDS[k][1] for k in kinds if k != "vip"] or [""]
        position, row = after
        rows = self.env.execute_query(
            SQL(
                """
                SELECT a.sequence, 0,
                       CASE WHEN a.model = 'crm.relation.vip' THEN v.partner_id
                            ELSE a.res_id END,
                       CASE WHEN a.model = 'crm.relation.vip' THEN 'vip'
                            ELSE a.field_name END,
                       a.logged_at
                  FROM %(audit)s a
             LEFT JOIN %(vip)s v
                    ON a.model = 'crm.relation.vip' AND v.id = a.res_id
                 WHERE a.company_id = %(company)s
                   AND a.sequence > %(position)s
                   AND ((a.model = 'res.partner' AND a.field_name IN %(fields)s)
                        OR (%(vip_wanted)s AND a.model = 'crm.relation.vip'
                            AND a.field_name = 'state'))
                UNION ALL
                SELECT a.sequence, 2 * h.id + k.n, h.partner_id, k.field, a.logged_at
                  FROM %(audit)s a
                  JOIN %(history)s h ON h.audit_id = a.id
            CROSS JOIN LATERAL (VALUES
                           (0, 'relation_tier_id',
                            h.old_tier_id IS DISTINCT FROM h.new_tier_id),
                           (1, 'relation_status',
                            h.old_status IS DISTINCT FROM h.new_status)
                       ) AS k(n, field, changed)
                 WHERE a.company_id = %(company)s
                   AND a.model = %(evaluation_model)s
                   AND a.field_name = %(evaluation_field)s
                   AND (a.sequence > %(position)s
                        OR (a.sequence = %(position)s AND %(row)s > 0
                            AND 2 * h.id + k.n > %(row)s))
                   AND k.changed AND k.field IN %(fields)s
              ORDER BY 1, 2
                 LIMIT %(limit)s
                """,
                audit=SQL.identifier(Audit._table),
                vip=SQL.identifier(self.env["crm.relation.vip"]._table),
                history=SQL.identifier(History._table),
                company=company.id,
                position=position,
                row=row,
                evaluation_model=crm_relation_audit.EVALUATION_MODEL,
                evaluation_field=crm_relation_audit.EVALUATION_FIELD,
                fields=tuple(partner_fields),
                vip_wanted="vip" in kinds,
                limit=limit,
            )
        )
        fields_kind = {field: kind for kind, (_m, field) in sync_changes.KINDS.items()}
        return [
            ((position, row), partner_id, fields_kind.get(name, name), logged_at)
            for position, row, partner_id, name, logged_at in rows
        ]

    def _change_rows(self, company, grouped, source):
        """One row per mapping of each changed customer, with its current
        values in ``company`` (a few queries for the whole page)."""
        if not grouped:
            return []
        partner_ids = [partner_id for partner_id, *_rest in grouped]
        domain = [
            ("model", "=", "res.partner"),
            ("company_id", "=", company.id),
            ("res_id", "in", partner_ids),
        ]
        if source:
            domain.append(("source", "=", source))
        mappings = {}
        for mapping in self.env["crm.relation.sync.map"].sudo().search(domain):
            mappings.setdefault(mapping.res_id, []).append(mapping)
        partners = (
            self.env["res.partner"]
            .sudo()
            .with_company(company)
            .with_context(active_test=False)
            .browse([pid for pid in partner_ids if pid in mappings])
            .exists()
        )
        alive = {partner.id: partner for partner in partners}
        rows = []
        for partner_id, kinds, _position, logged_at in grouped:
            partner = alive.get(partner_id)
            if partner is None:
                continue
            tier = partner.relation_tier_id
            values = {
                "id": partner_id,
                "changed": kinds,
                "changed_at": fields.Datetime.to_string(logged_at),
                "tier": tier.code or False,
                "tier_name": tier.name or False,
                "status": partner.relation_status or False,
                "vip": partner.relation_is_vip,
                "vip_card": partner.relation_vip_card_number or False,
                "blocked": partner.relation_blocked,
            }
            for mapping in mappings[partner_id]:
                rows.append(
                    {"source": mapping.source, "external_id": mapping.external_id,
                     **values}
                )  # fmt: skip
        return rows

    # === EVALUATION AFTER THE COMMIT === #

    def _evaluate_after_commit(self, partners):
        """Re-evaluate ``partners`` in the current company right after this
        transaction commits, in a short transaction of its own.

        Evaluating them inside the call would update their rows at the end
        of a long transaction, which PostgreSQL refuses whenever someone
        else changed one of them meanwhile (a rename, another sync): under
        load the call would fail even after Odoo's retries. The separate
        transaction updates them right after reading them, and is itself
        retried; if it still fails, the customers keep their figures until
        the next evaluation, and a warning says so.
        """

        def evaluate(registry, pending):
            for (uid, company_id), (context, ids) in sorted(pending.items()):
                self._evaluate_in_own_transaction(
                    registry, uid, context, company_id, sorted(ids)
                )

        pending = post_commit.pending(self.env, EVALUATE_LATER, evaluate, dict)
        # The caller's language and time zone, for the to-dos it raises.
        context = {k: v for k, v in self.env.context.items() if k in ("lang", "tz")}
        key = (self.env.uid, self.env.company.id)
        pending.setdefault(key, (context, set()))[1].update(partners.ids)

    @api.model
    def _evaluate_in_own_transaction(
        self, registry, uid, context, company_id, partner_ids
    ):
        committed = []
        for attempt in range(1, EVALUATE_TRIES + 1):
            try:
                with registry.cursor() as cr:
                    # Runs first once committed: what fails after it (another
                    # hook of this transaction) is not a failed evaluation.
                    cr.postcommit.add(lambda: committed.append(True))
                    env = api.Environment(cr, uid, context)
                    company = env["res.company"].browse(company_id)
                    partners = env["res.partner"].browse(partner_ids).exists()
                    if partners:
                        env["crm.relation.rfm.engine"].sudo()._evaluate_company(
                            company, partners, trigger="sync"
                        )
                return True
            except Exception as error:
                if committed:
                    _logger.warning(
                        "After the evaluation that followed a sync: %s", error
                    )
                    return True
                if not isinstance(error, CONCURRENCY):
                    # The call has committed already: nothing may escape here.
                    failure = error
                    break
                if attempt == EVALUATE_TRIES:
                    failure = error
                    break
                _logger.info(
                    "Evaluation after sync: %s, trying again (%d tries left)",
                    error.__class__.__name__,
                    EVALUATE_TRIES - attempt,
                )
                _wait_before_retry(attempt)
        _logger.warning(
            "Customers %s of company %s could not be evaluated after their "
            "orders were synced (%s); the next evaluation will.",
            partner_ids,
            company_id,
            failure,
            exc_info=None if isinstance(failure, CONCURRENCY) else failure,
        )
        return False

    # === ROWS, MAPPINGS AND RESULTS === #

    def _check_rows(self, rows):
        if not isinstance(rows, (list, tuple)):
            raise UserError(
                self.env._(
                    "rows must be a list of rows (dicts), not %(kind)s.",
                    kind=type(rows).__name__,
                )
            )
        if len(rows) > MAX_ROWS:
            raise UserError(
                self.env._(
                    "A call takes at most %(max)s rows; this one has %(count)s. "
                    "Send them in batches.",
                    max=MAX_ROWS,
                    count=len(rows),
                )
            )

    def _row_message(self, error, index):
        """The sentence of a ``sync_rows.RowError``."""
        value = guards.short_repr(error.value)
        params = error.params
        messages = {
            sync_rows.NOT_A_ROW: lambda: self.env._(
                "Row %(index)s is not a dict but %(kind)s: %(value)s",
                index=index,
                kind=type(error.value).__name__,
                value=value,
            ),
            sync_rows.UNKNOWN_FIELDS: lambda: self.env._(
                "Unknown field(s) %(fields)s; allowed: %(allowed)s",
                fields=", ".join(guards.short_repr(f, 40) for f in error.value),
                allowed=", ".join(params["allowed"]),
            ),
            sync_rows.REQUIRED: lambda: self.env._(
                "%(field)s is required, got %(value)s", field=error.field, value=value
            ),
            sync_rows.WRONG_TYPE: lambda: self.env._(
                "%(field)s must be %(expected)s, got %(value)s",
                field=error.field,
                expected=params["expected"],
                value=value,
            ),
            sync_rows.TOO_LONG: lambda: self.env._(
                "%(field)s %(value)s is longer than %(max)s characters",
                field=error.field,
                value=value,
                max=params["max"],
            ),
            sync_rows.CONTROL: lambda: self.env._(
                "%(field)s %(value)s holds control characters (such as NUL), "
                "which are not text",
                field=error.field,
                value=value,
            ),
            sync_rows.NOT_FINITE: lambda: self.env._(
                "%(field)s %(value)s is not a finite number",
                field=error.field,
                value=value,
            ),
            sync_rows.OUT_OF_RANGE: lambda: self.env._(
                "%(field)s %(value)s is out of range (%(low)s to %(high)s)",
                field=error.field,
                value=value,
                low=f"{params['low']:g}",
                high=f"{params['high']:g}",
            ),
            sync_rows.NOT_A_DATE: lambda: self.env._(
                "%(field)s %(value)s is not a date (YYYY-MM-DD)",
                field=error.field,
                value=value,
            ),
            sync_rows.NOT_A_CHOICE: lambda: self.env._(
                "%(field)s must be one of %(choices)s, got %(value)s",
                field=error.field,
                choices=", ".join(params["choices"]),
                value=value,
            ),
            sync_rows.EMPTY_ITEM: lambda: self.env._(
                "%(field)s is an empty name", field=error.field
            ),
            sync_rows.TOO_MANY: lambda: self.env._(
                "%(field)s has more than %(max)s items",
                field=error.field,
                max=params["max"],
            ),
        }
        return messages[error.code]()

    def _checked(self, rows, check):
        """``[(index, checked values or None, error or None)]`` of the rows."""
        result = []
        for index, row in enumerate(rows):
            try:
                result.append((index, check(row), None))
            except sync_rows.RowError as error:
                result.append((index, None, self._row_message(error, index)))
        return result

    @staticmethod
    def _external_id(row):
        return sync_rows.echo(row.get("external_id") if isinstance(row, dict) else None)

    def _error(self, row, message):
        return {"external_id": self._external_id(row), "id": False,
                "status": "error", "error": message}  # fmt: skip

    def _ok(self, row, record, status):
        return {"external_id": self._external_id(row), "id": record.id,
                "status": status, "error": False}  # fmt: skip

    def _retry_if_concurrent(self, error):
        """Re-raise ``error`` for the server to run the call again when it
        comes from a concurrent transaction: a serialization failure, a
        deadlock, or another call creating the same external id."""
        if isinstance(error, CONCURRENCY):
            raise error
        if isinstance(error, pg_errors.UniqueViolation) and (
            error.diag.table_name == self.env["crm.relation.sync.map"]._table
        ):
            raise ConcurrencyError(
                "another call created the same external id meanwhile"
            ) from error

    def _message(self, error):
        if isinstance(error, psycopg2.Error):
            return error.diag.message_primary or error.pgerror or str(error)
        return str(error.args[0] if error.args else error)

    def _forget(self, maps, lookup):
        """After a row was rolled back: drop what it cached, including the
        mappings and tags it had created."""
        self.env.invalidate_all()
        alive = set(
            self.env["crm.relation.sync.map"]
            .sudo()
            .browse([m.id for m in maps.values()])
            .exists()
            .ids
        )
        for key in [k for k, m in maps.items() if m.id not in alive]:
            del maps[key]
        lookup.pop("new_tag", None)

    def _maps(self, keys, company):
        """Every mapping of ``keys`` (``(model, source, external id)``), in one
        query: ``{(model, source, external id): map}``."""
        if not keys:
            return {}
        found = (
            self.env["crm.relation.sync.map"]
            .sudo()
            .search(
                [
                    ("company_id", "=", company.id),
                    ("source", "in", list({k[1] for k in keys})),
                    ("external_id", "in", list({k[2] for k in keys})),
                ]
            )
        )
        return {(m.model, m.source, m.external_id): m for m in found}

    def _new_records(self, model, creates, maps, company, lookup, context=None):
        """Create the records of ``creates`` (``(index, key, digest, vals,
        mapping)``, tag names still to resolve) and their mappings (inside a
        savepoint, whose end flushes them: a failing row fails there)."""
        vals_list = [self._resolve(vals, key[0], company, lookup)
                     for _i, key, _d, vals, _m in creates]  # fmt: skip
        Model = self.env[model].with_context(**(context or self.CREATE_CONTEXT))
        if model == "res.partner":
            records = self._new_partners(Model, vals_list)
        else:
            records = Model.create(vals_list)
        self._map_records(model, creates, records, maps, company)
        return records

    @staticmethod
    def _new_partners(Partner, vals_list):
        """Create the partners of ``vals_list``, in its order. Odoo syncs
        each new partner's address and commercial fields with its parent and
        children, one partner at a time: a new partner without a parent has
        neither, so those skip it (as Odoo's own import does)."""
        alone = [i for i, vals in enumerate(vals_list) if not vals.get("parent_id")]
        children = [i for i, vals in enumerate(vals_list) if vals.get("parent_id")]
        quick = Partner.with_context(_partners_skip_fields_sync=True)
        ids = [None] * len(vals_list)
        for indexes, model in ((alone, quick), (children, Partner)):
            if indexes:
                created = model.create([vals_list[i] for i in indexes])
                for i, partner_id in zip(indexes, created.ids, strict=True):
                    ids[i] = partner_id
        return Partner.browse(ids)

    def _map_records(self, model, creates, records, maps, company):
        now = fields.Datetime.now()
        mapping_model = self.env["crm.relation.sync.map"].sudo()
        new_maps = []
        for (_i, key, digest, _v, mapping), record in zip(
            creates, records, strict=True
        ):
            values = {"res_id": record.id, "payload_hash": digest, "last_sync": now}
            if mapping:  # the record was deleted in Odoo: map the new one
                mapping.write(values)
            else:
                new_maps.append(
                    {"source": key[0], "external_id": key[1], "model": model,
                     "company_id": company.id, **values}
                )  # fmt: skip
        for mapping in mapping_model.create(new_maps):
            maps[(model, mapping.source, mapping.external_id)] = mapping

    def _resolve(self, vals, source, company, lookup):
        """``vals`` with its tag names turned into tags (made when missing,
        inside the row's savepoint)."""
        if "_tags" not in vals:
            return vals
        vals = dict(vals)
        names = vals.pop("_tags")
        vals["category_id"] = [
            Command.set(self._tag_ids(names, source, company, lookup))
        ]
        return vals

    # === PARTNERS === #

    # Customers are created in one batch per wave (rows whose parent is
    # created in the same call wait for the next wave); updates row by row.
    # A batch that fails is retried row by row, each in its own savepoint.
    def _sync_partners(self, rows, company):
        model = "res.partner"
        door = guards.trusted(self, cause="sync")
        results = [None] * len(rows)
        keys, checked = {}, {}
        first_seen = {}
        for index, values, error in door._checked(rows, sync_rows.check_partner):
            if error:
                results[index] = door._error(rows[index], error)
                continue
            key = (values["source"], values["external_id"])
            if key in first_seen:
                results[index] = door._error(
                    rows[index],
                    self.env._(
                        "external_id %(value)s is already in row %(row)s of this call",
                        value=repr(key[1]),
                        row=first_seen[key],
                    ),
                )
                continue
            first_seen[key] = index
            keys[index], checked[index] = key, values
        wanted = {(model, *key) for key in keys.values()}
        wanted |= {
            (model, values["source"], values["parent_external_id"])
            for values in checked.values()
            if values.get("parent_external_id")
        }
        maps = door._maps(wanted, company)
        alive = set(
            self.env[model]
            .browse([m.res_id for k, m in maps.items() if k[0] == model])
            .exists()
            .ids
        )
        lookup = {}
        unmapped = {key for key in keys.values() if (model, *key) not in maps}
        waiting = sorted(keys)
        while waiting:
            creates, deferred = [], []
            for index in waiting:
                values, key = checked[index], keys[index]
                mapping = maps.get((model, *key))
                record = (
                    self.env[model].browse(mapping.res_id)
                    if mapping and mapping.res_id in alive
                    else None
                )
                digest = _payload_hash(values)
                if record and mapping.payload_hash == digest:
                    results[index] = door._ok(rows[index], record, "unchanged")
                    continue
                parent = values.get("parent_external_id")
                if (
                    parent
                    and (key[0], parent) in unmapped
                    and (model, key[0], parent) not in maps
                ):
                    deferred.append(index)
                    continue
                try:
                    vals = door._partner_vals(values, record, maps, lookup)
                except RowError as error:
                    results[index] = door._error(rows[index], str(error))
                    continue
                if record:
                    results[index] = door._update(
                        rows[index], record, vals, mapping, digest, maps, lookup
                    )
                else:
                    creates.append((index, key, digest, vals, mapping))
            door._create_batch(model, rows, creates, maps, company, results, alive,
                               lookup)  # fmt: skip
            if len(deferred) == len(waiting):
                break  # no progress: their parents failed or are not there
            waiting = deferred
        for index in waiting:
            if results[index] is None:
                results[index] = door._error(
                    rows[index],
                    door._parent_missing(
                        keys[index][0], checked[index]["parent_external_id"]
                    ),
                )
        return results

    def _update(self, row, record, vals, mapping, digest, maps, lookup):
        try:
            with self.env.cr.savepoint():
                vals = self._resolve(vals, mapping.source, mapping.company_id, lookup)
                guards.trusted(record, cause="sync").write(vals)
                mapping.write(
                    {"payload_hash": digest, "last_sync": fields.Datetime.now()}
                )
        except ROW_ERRORS as error:
            self._retry_if_concurrent(error)
            self._forget(maps, lookup)
            return self._error(row, self._message(error))
        return self._ok(row, record, "updated")

    def _create_batch(self, model, rows, creates, maps, company, results, alive,
                      lookup):  # fmt: skip
        """Create ``creates`` in one go; on failure, one savepoint a row."""
        if not creates:
            return
        try:
            with self.env.cr.savepoint():
                records = self._new_records(model, creates, maps, company, lookup)
        except ROW_ERRORS as error:
            self._retry_if_concurrent(error)
            self._forget(maps, lookup)
        else:
            for (index, *_rest), record in zip(creates, records, strict=True):
                results[index] = self._ok(rows[index], record, "created")
                alive.add(record.id)
            return
        for create in creates:
            index = create[0]
            try:
                with self.env.cr.savepoint():
                    [record] = self._new_records(model, [create], maps, company, lookup)
            except ROW_ERRORS as error:
                self._retry_if_concurrent(error)
                self._forget(maps, lookup)
                results[index] = self._error(rows[index], self._message(error))
            else:
                results[index] = self._ok(rows[index], record, "created")
                alive.add(record.id)

    def _partner_vals(self, values, record, maps, lookup):
        vals = {}
        if "name" in values or not record:
            if not values.get("name"):
                raise RowError(
                    self.env._(
                        "name is required, got %(value)s",
                        value=repr(values.get("name")),
                    )
                )
            vals["name"] = values["name"]
        if not record:
            vals["customer_rank"] = 1
            vals["company_id"] = False
        for key in ("phone", "street", "city", "zip", "vat", "is_company"):
            if key in values:
                vals[key] = values[key]
        # Row keys are the door's published contract: "mobile" fills the
        # addon's relation_mobile, "birthday" OCA's birthdate_date
        # (partner_contact_birthdate).
        if "mobile" in values:
            vals["relation_mobile"] = values["mobile"]
        if values.get("email") and not EMAIL.match(values["email"]):
            raise RowError(
                self.env._(
                    "email %(value)s is not an email address",
                    value=repr(values["email"]),
                )
            )
        if "email" in values:
            vals["email"] = values["email"]
        if "country_code" in values:
            vals["country_id"] = self._cached(
                lookup, "country", values["country_code"], self._country
            )
        if "birthday" in values:
            vals["birthdate_date"] = values["birthday"]
        if "lang" in values:
            vals["lang"] = self._cached(lookup, "lang", values["lang"], self._lang)
        if "account_manager_login" in values:
            vals["user_id"] = self._cached(
                lookup, "user", values["account_manager_login"], self._user
            )
        if "tags" in values:
            vals["_tags"] = values["tags"]
        if "parent_external_id" in values:
            vals["parent_id"] = self._parent(values, maps)
        return vals

    @staticmethod
    def _cached(lookup, kind, value, find):
        """``find(value)``, once per distinct value in a call."""
        cache = lookup.setdefault(kind, {})
        if value not in cache:
            cache[value] = find(value)
        return cache[value]

    def _country(self, code):
        if not code:
            return False
        country = self.env["res.country"].search([("code", "=", code.upper())], limit=1)
        if not country:
            raise RowError(
                self.env._(
                    "country_code %(value)s is not an ISO country code",
                    value=repr(code),
                )
            )
        return country.id

    def _lang(self, code):
        if not code:
            return False
        if code not in dict(self.env["res.lang"].get_installed()):
            raise RowError(
                self.env._(
                    "lang %(value)s is not an installed language", value=repr(code)
                )
            )
        return code

    def _user(self, login):
        if not login:
            return False
        user = self.env["res.users"].sudo().search([("login", "=", login)], limit=1)
        if not user:
            raise RowError(
                self.env._(
                    "account_manager_login %(value)s is not a user", value=repr(login)
                )
            )
        return user.id

    def _tag_ids(self, names, source, company, lookup):
        """Ids of the tags ``names``: existing ones by name, else those this
        door made for ``source``, else new ones, each mapped so that two
        calls making the same tag at once never make two (the mapping's
        unique key makes the later call run again)."""
        if not names:
            return []
        found = lookup.setdefault("tag", {})
        new = lookup.setdefault("new_tag", {})
        missing = [n for n in names if n not in found and n not in new]
        if missing:
            categories = self.env[TAG].sudo().with_context(active_test=False)
            for category in categories.search([("name", "in", missing)]):
                found.setdefault(category.name, category.id)
            missing = [n for n in missing if n not in found]
        if missing:
            keys = {(TAG, source, name) for name in missing}
            for key, mapping in self._maps(keys, company).items():
                if key in keys:
                    found[key[2]] = mapping.res_id
            missing = [n for n in missing if n not in found]
        if missing:
            tags = self.env[TAG].sudo().create([{"name": n} for n in missing])
            creates = [(None, (source, n), None, {}, None) for n in missing]
            self._map_records(TAG, creates, tags, {}, company)
            new.update(zip(missing, tags.ids, strict=True))
        return [found.get(n) or new[n] for n in names]

    def _parent(self, values, maps):
        parent = values["parent_external_id"]
        if not parent:
            return False
        mapping = maps.get(("res.partner", values["source"], parent))
        if not mapping:
            raise RowError(self._parent_missing(values["source"], parent))
        return mapping.res_id

    def _parent_missing(self, source, parent):
        return self.env._(
            "parent_external_id %(parent)s is not a customer of source "
            "%(system)s yet: send the parent first",
            parent=repr(parent),
            system=repr(source),
        )

    # === ORDERS === #

    # Every lookup is made for the whole call (mappings, orders, products);
    # the new orders are created, confirmed and invoiced in one batch, in one
    # savepoint; a batch that fails is retried row by row, each in its own
    # savepoint. A row whose payload hash is the one its mapping stores is
    # unchanged and costs nothing more; changed orders are amended row by row.
    def _sync_orders(self, rows, company):
        door = guards.trusted(self, cause="sync", flags=[SYNC_CONFIRM])
        results = [None] * len(rows)
        valid, keys, seen = [], set(), {}
        for index, values, error in door._checked(rows, sync_rows.check_order):
            if error:
                results[index] = door._error(rows[index], error)
                continue
            key = (values["source"], values["external_id"])
            if key in seen:
                results[index] = door._error(
                    rows[index],
                    self.env._(
                        "external_id %(value)s is already in row %(row)s of this call",
                        value=repr(key[1]),
                        row=seen[key],
                    ),
                )
                continue
            seen[key] = index
            valid.append((index, values, key))
            keys.add(("sale.order", *key))
            keys.add(("res.partner", values["source"], values["customer_external_id"]))
        maps = door._maps(keys, company)
        orders = self.env["sale.order"]
        alive = set(
            orders.browse(
                [m.res_id for k, m in maps.items() if k[0] == "sale.order"]
            ).exists().ids
        )  # fmt: skip
        lookup = {}
        door._find_products(
            {line["product"] for _i, values, _k in valid for line in values["lines"]},
            lookup,
        )
        creates, changed = [], []
        for index, values, key in valid:
            digest = _payload_hash(values)
            mapping = maps.get(("sale.order", *key))
            if mapping and mapping.res_id in alive:
                if mapping.payload_hash == digest:
                    order = orders.browse(mapping.res_id)
                    results[index] = door._ok(rows[index], order, "unchanged")
                else:
                    changed.append((index, values))
                continue
            try:
                vals = door._order_vals(values, None, maps, lookup)
            except RowError as error:
                results[index] = door._error(rows[index], str(error))
                continue
            creates.append((index, key, digest, vals, mapping, values))
        door._create_orders(rows, creates, maps, company, lookup, results)
        for index, values in changed:
            try:
                with self.env.cr.savepoint():
                    order, status = door._apply_order(values, maps, company, lookup)
            except RowError as error:
                door._forget(maps, lookup)
                results[index] = door._error(rows[index], str(error))
            except ROW_ERRORS as error:
                door._retry_if_concurrent(error)
                door._forget(maps, lookup)
                results[index] = door._error(rows[index], door._message(error))
            else:
                results[index] = door._ok(rows[index], order, status)
        return results

    def _create_orders(self, rows, creates, maps, company, lookup, results):
        """Create, confirm and invoice the orders of ``creates`` (``(index,
        key, digest, vals, mapping, values)``) in one go; when that fails,
        one savepoint a row, so that a bad row costs only itself."""
        if not creates:
            return
        try:
            with self.env.cr.savepoint():
                orders = self._new_orders(creates, maps, company, lookup)
        except ROW_ERRORS as error:
            self._retry_if_concurrent(error)
            self._forget(maps, lookup)
        else:
            for create, order in zip(creates, orders, strict=True):
                results[create[0]] = self._ok(rows[create[0]], order, "created")
            return
        for create in creates:
            index = create[0]
            try:
                with self.env.cr.savepoint():
                    [order] = self._new_orders([create], maps, company, lookup)
            except ROW_ERRORS as error:
                self._retry_if_concurrent(error)
                self._forget(maps, lookup)
                results[index] = self._error(rows[index], self._message(error))
            else:
                results[index] = self._ok(rows[index], order, "created")

    def _new_orders(self, creates, maps, company, lookup):
        # The values are copied: a batch that fails is tried again row by row.
        orders = self._new_records(
            "sale.order",
            [(i, key, digest, copy.deepcopy(vals), mapping)
             for i, key, digest, vals, mapping, _values in creates],
            maps, company, lookup, context={},
        )  # fmt: skip
        orders.action_confirm()
        self._after_confirm(
            orders,
            [create[3]["date_order"] for create in creates],
            [create[5]["invoice"] for create in creates],
            [create[5]["external_id"] for create in creates],
        )
        return orders

    def _after_confirm(self, orders, dates, invoicing, external_ids):
        """Put each confirmed order back on its day (confirmation stamps it
        with now) and invoice those whose row asks for it (one invoice an
        order, dated on the order's day in the user's timezone, as Odoo shows
        the order's date; posted when asked). An order asked to be invoiced
        that has nothing to invoice fails, also in a batch, where Odoo
        invoices the others and skips it silently."""
        to_invoice, to_post = [], []
        by_date = defaultdict(list)
        external = dict(zip(orders.ids, external_ids, strict=True))
        for order, date, invoice in zip(orders, dates, invoicing, strict=True):
            by_date[date].append(order.id)
            if invoice != "none" and not order.invoice_ids:
                to_invoice.append(order.id)
                if invoice == "post":
                    to_post.append(order.id)
        for date, ids in by_date.items():
            orders.browse(ids).date_order = date
        if not to_invoice:
            return
        invoiced = orders.browse(to_invoice)
        for order in invoiced.filtered(lambda o: o.invoice_status != "to invoice"):
            self._raise_nothing_to_invoice(external[order.id])
        invoiced._create_invoices(grouped=True)
        for order in invoiced:
            if not order.invoice_ids:
                self._raise_nothing_to_invoice(external[order.id])
        by_day = defaultdict(list)
        for order in invoiced:
            day = fields.Date.context_today(order, order.date_order)
            by_day[day].append(order.id)
        for day, ids in by_day.items():
            orders.browse(ids).invoice_ids.invoice_date = day
        orders.browse(to_post).invoice_ids.action_post()

    def _raise_nothing_to_invoice(self, external_id):
        raise UserError(
            self.env._(
                "Order %(order)s has nothing to invoice (its products may be "
                "invoiced on delivered quantities): it cannot be invoiced as "
                "its row asks.",
                order=external_id,
            )
        )

    def _apply_order(self, values, maps, company, lookup):
        key = (values["source"], values["external_id"])
        digest = _payload_hash(values)
        mapping = maps.get(("sale.order", *key))
        order = (
            self.env["sale.order"].browse(mapping.res_id).exists() if mapping else None
        )
        if order and mapping.payload_hash == digest:
            return order, "unchanged"
        vals = self._order_vals(values, order, maps, lookup)
        if not order:
            [order] = self._new_orders(
                [(None, key, digest, vals, mapping, values)], maps, company, lookup
            )
            return order, "created"
        order.write(vals)
        mapping.write({"payload_hash": digest, "last_sync": fields.Datetime.now()})
        if order.state != "sale":
            order.action_confirm()
        self._after_confirm(
            order, [vals["date_order"]], [values["invoice"]], [values["external_id"]]
        )
        return order, "updated"

    def _order_vals(self, values, order, maps, lookup):
        source = values["source"]
        customer = values["customer_external_id"]
        mapping = maps.get(("res.partner", source, customer))
        if not mapping:
            raise RowError(
                self.env._(
                    "customer_external_id %(customer)s is not a customer of source "
                    "%(system)s: send it with sync_partners first",
                    customer=repr(customer),
                    system=repr(source),
                )
            )
        if order and (
            order.invoice_ids.filtered(lambda m: m.state == "posted")
            or order.picking_ids.filtered(lambda p: p.state == "done")
        ):
            raise RowError(
                self.env._(
                    "Order %(order)s is already delivered or invoiced: change it "
                    "in Odoo, not by sync",
                    order=order.name,
                )
            )
        vals = {
            "partner_id": mapping.res_id,
            "company_id": self.env.company.id,
            "date_order": values.get("date_order") or fields.Datetime.now(),
        }
        pricelist = self._cached(
            lookup, "pricelist", values.get("currency") or "", self._pricelist
        )
        if pricelist:
            vals["pricelist_id"] = pricelist
        products = self._products(values["lines"], lookup)
        vals["order_line"] = self._line_commands(
            order,
            [
                {
                    "product_id": products[index],
                    "product_uom_qty": line["quantity"],
                    "price_unit": line["price_unit"],
                    "discount": line["discount"],
                }
                for index, line in enumerate(values["lines"])
            ],
        )
        return vals

    def _find_products(self, codes, lookup):
        """The ``{code: [product ids]}`` cache of the call, with the codes
        not seen before in it looked up by one search."""
        cache = lookup.setdefault("product", {})
        codes = set(codes) - cache.keys()
        if codes:
            matches = {}
            for product in self.env["product.product"].search_fetch(
                [
                    "|",
                    ("default_code", "in", list(codes)),
                    ("barcode", "in", list(codes)),
                ],
                ["default_code", "barcode"],
            ):
                for code in {product.default_code, product.barcode} & codes:
                    matches.setdefault(code, []).append(product.id)
            for code in codes:
                cache[code] = matches.get(code, [])
        return cache

    def _products(self, lines, lookup):
        """``{line index: product id}``; one search for the codes not seen
        before in the call."""
        cache = self._find_products({line["product"] for line in lines}, lookup)
        result = {}
        for index, line in enumerate(lines):
            found = cache[line["product"]]
            if len(found) != 1:
                raise RowError(
                    self.env._(
                        "lines[%(i)s].product %(code)s matches %(count)s products "
                        "by internal reference or barcode; it must match one",
                        i=index,
                        code=repr(line["product"]),
                        count=len(found),
                    )
                )
            result[index] = found[0]
        return result

    def _line_commands(self, order, lines):
        """Commands turning the order's lines into ``lines``. A confirmed
        order's lines are amended as a salesperson would: same product →
        updated, new product → added, product gone → quantity 0 (confirmed
        lines cannot be deleted)."""
        existing = {}
        for line in (order or self.env["sale.order"]).order_line.filtered(
            lambda x: not x.display_type
        ):
            existing.setdefault(line.product_id.id, line)
        commands = []
        for vals in lines:
            line = existing.pop(vals["product_id"], None)
            commands.append(
                Command.update(line.id, vals) if line else Command.create(vals)
            )
        commands += [
            Command.update(line.id, {"product_uom_qty": 0})
            for line in existing.values()
        ]
        return commands

    def _pricelist(self, code):
        if not code:
            return False
        currency = self.env["res.currency"].search([("name", "=", code.upper())])
        if not currency:
            raise RowError(
                self.env._(
                    "currency %(value)s is not a currency code", value=repr(code)
                )
            )
        if currency == self.env.company.currency_id:
            return False
        pricelist = self.env["product.pricelist"].search(
            [
                ("currency_id", "=", currency.id),
                ("company_id", "in", (False, self.env.company.id)),
            ],
            limit=1,
        )
        if not pricelist:
            raise RowError(
                self.env._(
                    "currency %(code)s has no pricelist in %(company)s: create one",
                    code=currency.name,
                    company=self.env.company.name,
                )
            )
        return pricelist.id
