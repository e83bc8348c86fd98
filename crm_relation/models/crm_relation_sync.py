# Copyright 2026 crm_relation developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import hashlib
import json
import logging
import re

import psycopg2

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from .sale_order import SYNC_CONFIRM, SYNC_CONFIRM_KEY

_logger = logging.getLogger(__name__)

MAX_ROWS = 5000
CALLERS = (
    "crm_relation.group_crm_relation_integration",
    "crm_relation.group_crm_relation_manager",
)
PARTNER_KEYS = {
    "source", "external_id", "name", "is_company", "parent_external_id",
    "email", "phone", "mobile", "street", "city", "zip", "country_code",
    "vat", "birthday", "tags", "lang", "account_manager_login",
}  # fmt: skip
ORDER_KEYS = {
    "source", "external_id", "customer_external_id", "date_order",
    "currency", "lines", "invoice",
}  # fmt: skip
LINE_KEYS = {"product", "quantity", "price_unit", "discount"}
INVOICE_MODES = ("none", "draft", "post")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class RowError(ValueError):
    """A row is refused: the message names the field and the value."""


def _payload_hash(row):
    return hashlib.sha256(
        json.dumps(row, sort_keys=True, ensure_ascii=False, default=str).encode()
    ).hexdigest()


class CrmRelationSyncMap(models.Model):
    """Which Odoo record an external system's (source, external id) is."""

    _name = "crm.relation.sync.map"
    _description = "External ID Mapping"
    _order = "source, external_id"

    source = fields.Char(required=True, index=True)
    external_id = fields.Char("External ID", required=True, index=True)
    model = fields.Selection(
        [("res.partner", "Customer"), ("sale.order", "Sale Order")], required=True
    )
    res_id = fields.Many2oneReference("Record ID", model_field="model", required=True)
    company_id = fields.Many2one("res.company", required=True, index=True)
    payload_hash = fields.Char(
        help="Hash of the last row applied: the same row again is unchanged."
    )
    last_sync = fields.Datetime("Last Synchronised")

    _external_uniq = models.Constraint(
        "UNIQUE(source, external_id, model, company_id)",
        "An external id is unique per source, kind of record and company.",
    )


class CrmRelationSync(models.AbstractModel):
    """The door other systems push customers and orders through (XML-RPC).

    Each public method takes up to ``MAX_ROWS`` dicts and returns one result
    per row, in order: ``{"external_id", "id", "status", "error"}`` with
    status ``created``, ``updated``, ``unchanged`` or ``error``. Each row is
    applied in its own savepoint: a bad row is reported and never blocks or
    half-writes the others. Rows apply in the caller's current company.
    """

    _name = "crm.relation.sync"
    _description = "Customer and Order Synchronisation"

    # -- public API ---------------------------------------------------------

    @api.model
    def sync_partners(self, rows):
        self._check_caller()
        self._check_rows(rows)
        return self._sync_partners(rows, self.env.company)

    @api.model
    def sync_orders(self, rows):
        results = self._sync(rows, "sale.order", ORDER_KEYS, self._apply_order)
        # Orders feed the customers' value now, audited as caused by sync.
        touched = [r["id"] for r in results if r["status"] in ("created", "updated")]
        if touched:
            orders = self.env["sale.order"].browse(touched)
            self.env["crm.relation.rfm.engine"].sudo().evaluate(
                self.env.company,
                partners=orders.partner_id.commercial_partner_id,
                trigger="sync",
            )
        return results

    # -- the frame ------------------------------------------------------------

    def _check_caller(self):
        if not any(self.env.user.has_group(group) for group in CALLERS):
            raise AccessError(
                self.env._(
                    "Only integration users and customer managers may synchronise "
                    "customers and orders."
                )
            )

    def _check_rows(self, rows):
        if not isinstance(rows, list):
            raise UserError(
                self.env._(
                    "rows must be a list of dicts, not %(kind)s.",
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
        for index, row in enumerate(rows):
            if not isinstance(row, dict):
                raise UserError(
                    self.env._(
                        "Row %(index)s is not a dict but %(kind)s: %(value)s. "
                        "Nothing was applied.",
                        index=index,
                        kind=type(row).__name__,
                        value=repr(row)[:80],
                    )
                )

    def _sync(self, rows, model, keys, apply):
        self._check_caller()
        self._check_rows(rows)
        company = self.env.company
        maps = self._maps(rows, model, company)
        results = []
        for row in rows:
            external_id = row.get("external_id")
            try:
                with self.env.cr.savepoint():
                    record, status = apply(row, keys, maps, company)
                    self.env.flush_all()
                results.append(
                    {"external_id": external_id, "id": record.id, "status": status,
                     "error": False}
                )  # fmt: skip
            except (RowError, UserError, ValidationError, AccessError) as error:
                self._forget(maps)
                results.append(self._error(external_id, str(error)))
            except psycopg2.Error as error:
                self._forget(maps)
                results.append(self._error(external_id, error.pgerror or str(error)))
        return results

    def _forget(self, maps):
        """After a row was rolled back: drop what it cached, including the
        mappings it had created."""
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

    @staticmethod
    def _error(external_id, message):
        return {"external_id": external_id, "id": False, "status": "error",
                "error": message}  # fmt: skip

    def _maps(self, rows, model, company):
        """Every mapping the rows may need, in one query: ``{(model, source,
        external id): map}`` (orders also need their customers')."""
        keys = set()
        for row in rows:
            source = row.get("source")
            source = source.strip() if isinstance(source, str) else source
            for key in ("external_id", "parent_external_id", "customer_external_id"):
                if row.get(key) is not None:
                    keys.add((source, str(row[key])))
        found = (
            self.env["crm.relation.sync.map"]
            .sudo()
            .search(
                [
                    ("company_id", "=", company.id),
                    ("source", "in", list({s for s, _e in keys})),
                    ("external_id", "in", list({e for _s, e in keys})),
                ]
            )
        )
        return {(m.model, m.source, m.external_id): m for m in found}

    def _key(self, row, field="external_id"):
        source, external_id = row.get("source"), row.get(field)
        if not isinstance(source, str) or not source.strip():
            raise RowError(
                self.env._(
                    "source is required (a text naming the system), got %(value)s",
                    value=repr(source),
                )
            )
        if external_id in (None, "", False) or not isinstance(external_id, (str, int)):
            raise RowError(
                self.env._(
                    "%(field)s is required (text or number), got %(value)s",
                    field=field,
                    value=repr(external_id),
                )
            )
        return source.strip(), str(external_id)

    def _check_keys(self, row, allowed):
        unknown = sorted(set(row) - allowed)
        if unknown:
            raise RowError(
                self.env._(
                    "Unknown field(s) %(fields)s; allowed: %(allowed)s",
                    fields=", ".join(unknown),
                    allowed=", ".join(sorted(allowed)),
                )
            )

    def _upsert(self, model, row, maps, company, vals_of):
        """Create or update the record ``row`` maps to; ``vals_of(row,
        record)`` gives the values to write (``record`` empty on create)."""
        source, external_id = self._key(row)
        digest = _payload_hash(row)
        mapping = maps.get((model, source, external_id))
        record = self.env[model].browse(mapping.res_id).exists() if mapping else None
        if record and mapping.payload_hash == digest:
            return record, "unchanged"
        if record:
            self._write(record, vals_of(row, record))
            mapping.write({"payload_hash": digest, "last_sync": fields.Datetime.now()})
            return record, "updated"
        vals = vals_of(row, self.env[model])
        [record] = self._new_records(
            model,
            [(None, (source, external_id), digest, vals, mapping)],
            maps,
            company,
            {"crm_relation_cause": "sync"},
        )
        return record, "created"

    def _write(self, record, vals):
        record.with_context(crm_relation_cause="sync").write(vals)

    # -- partners ---------------------------------------------------------------

    # Customers are created in one batch per wave (rows whose parent is
    # created in the same call wait for the next wave); updates row by row.
    # A batch that fails is retried row by row, each in its own savepoint.
    CREATE_CONTEXT = {
        "crm_relation_cause": "sync",
        "mail_create_nolog": True,
        "mail_create_nosubscribe": True,
        "tracking_disable": True,
    }

    def _sync_partners(self, rows, company):
        model = "res.partner"
        maps = self._maps(rows, model, company)
        alive = set(
            self.env[model]
            .browse([m.res_id for k, m in maps.items() if k[0] == model])
            .exists()
            .ids
        )
        lookup = {}
        results = [None] * len(rows)
        keys = {}
        first_seen = {}
        for index, row in enumerate(rows):
            try:
                self._check_keys(row, PARTNER_KEYS)
                key = self._key(row)
                if key in first_seen:
                    raise RowError(
                        self.env._(
                            "external_id %(value)s is already in row %(row)s of "
                            "this call",
                            value=repr(key[1]),
                            row=first_seen[key],
                        )
                    )
                first_seen[key] = index
                keys[index] = key
            except RowError as error:
                results[index] = self._error(row.get("external_id"), str(error))
        unmapped = {key for key in keys.values() if (model, *key) not in maps}
        waiting = sorted(keys)
        while waiting:
            creates, deferred = [], []
            for index in waiting:
                row, key = rows[index], keys[index]
                mapping = maps.get((model, *key))
                record = (
                    self.env[model].browse(mapping.res_id)
                    if mapping and mapping.res_id in alive
                    else None
                )
                digest = _payload_hash(row)
                if record and mapping.payload_hash == digest:
                    results[index] = self._ok(row, record, "unchanged")
                    continue
                parent = row.get("parent_external_id")
                if (
                    parent not in (None, False, "")
                    and (key[0], str(parent)) in unmapped
                    and (model, key[0], str(parent)) not in maps
                ):
                    deferred.append(index)
                    continue
                try:
                    vals = self._partner_vals(row, record, maps, lookup)
                except RowError as error:
                    results[index] = self._error(row.get("external_id"), str(error))
                    continue
                if record:
                    results[index] = self._update(
                        row, record, vals, mapping, digest, maps
                    )
                else:
                    creates.append((index, key, digest, vals, mapping))
            self._create_batch(model, rows, creates, maps, company, results, alive)
            if len(deferred) == len(waiting):
                break  # no progress: their parents failed or are not there
            waiting = deferred
        for index in waiting:
            if results[index] is None:
                results[index] = self._error(
                    rows[index].get("external_id"),
                    self._parent_missing(keys[index][0], rows[index]),
                )
        return results

    def _ok(self, row, record, status):
        return {"external_id": row.get("external_id"), "id": record.id,
                "status": status, "error": False}  # fmt: skip

    def _update(self, row, record, vals, mapping, digest, maps):
        try:
            with self.env.cr.savepoint():
                self._write(record, vals)
                mapping.write(
                    {"payload_hash": digest, "last_sync": fields.Datetime.now()}
                )
                self.env.flush_all()
        except (UserError, ValidationError, AccessError, psycopg2.Error) as error:
            self._forget(maps)
            return self._error(row.get("external_id"), self._message(error))
        return self._ok(row, record, "updated")

    def _create_batch(self, model, rows, creates, maps, company, results, alive):
        """Create ``creates`` in one go; on failure, one savepoint a row."""
        if not creates:
            return
        try:
            with self.env.cr.savepoint():
                records = self._new_records(model, creates, maps, company)
        except (UserError, ValidationError, AccessError, psycopg2.Error):
            self._forget(maps)
        else:
            for (index, *_rest), record in zip(creates, records, strict=True):
                results[index] = self._ok(rows[index], record, "created")
                alive.add(record.id)
            return
        for create in creates:
            index = create[0]
            try:
                with self.env.cr.savepoint():
                    [record] = self._new_records(model, [create], maps, company)
            except (UserError, ValidationError, AccessError, psycopg2.Error) as error:
                self._forget(maps)
                results[index] = self._error(
                    rows[index].get("external_id"), self._message(error)
                )
            else:
                results[index] = self._ok(rows[index], record, "created")
                alive.add(record.id)

    def _new_records(self, model, creates, maps, company, context=None):
        """Create the records and their mappings (inside a savepoint)."""
        records = (
            self.env[model]
            .with_context(**(context or self.CREATE_CONTEXT))
            .create([vals for _i, _k, _d, vals, _m in creates])
        )
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
        self.env.flush_all()
        return records

    @staticmethod
    def _message(error):
        if isinstance(error, psycopg2.Error):
            return error.pgerror or str(error)
        return str(error)

    def _partner_vals(self, row, record, maps, lookup):
        vals = {}
        if "name" in row or not record:
            name = row.get("name")
            if not isinstance(name, str) or not name.strip():
                raise RowError(
                    self.env._("name is required, got %(value)s", value=repr(name))
                )
            vals["name"] = name.strip()
        if not record:
            vals["customer_rank"] = 1
            vals["company_id"] = False
        for key in ("phone", "mobile", "street", "city", "zip", "vat"):
            if key in row:
                vals[key] = self._text(row, key)
        if "is_company" in row:
            if not isinstance(row["is_company"], bool):
                raise RowError(
                    self.env._(
                        "is_company must be true or false, got %(value)s",
                        value=repr(row["is_company"]),
                    )
                )
            vals["is_company"] = row["is_company"]
        if "email" in row:
            email = self._text(row, "email")
            if email and not EMAIL.match(email):
                raise RowError(
                    self.env._(
                        "email %(value)s is not an email address", value=repr(email)
                    )
                )
            vals["email"] = email
        if "country_code" in row:
            vals["country_id"] = self._cached(lookup, "country", row["country_code"],
                                              self._country)  # fmt: skip
        if "birthday" in row:
            vals["birthday"] = self._date(row, "birthday")
        if "lang" in row:
            vals["lang"] = self._cached(lookup, "lang", row["lang"], self._lang)
        if "account_manager_login" in row:
            vals["user_id"] = self._cached(
                lookup, "user", row["account_manager_login"], self._user
            )
        if "tags" in row:
            vals["category_id"] = [Command.set(self._tags(row["tags"], lookup))]
        if "parent_external_id" in row:
            vals["parent_id"] = self._parent(row, maps)
        return vals

    @staticmethod
    def _cached(lookup, kind, value, find):
        """``find(value)``, once per distinct value in a call."""
        cache = lookup.setdefault(kind, {})
        key = value if isinstance(value, (str, int, bool, type(None))) else repr(value)
        if key not in cache:
            cache[key] = find(value)
        return cache[key]

    def _text(self, row, key):
        value = row[key]
        if value in (None, False, ""):
            return False
        if not isinstance(value, (str, int)):
            raise RowError(
                self.env._(
                    "%(field)s must be text, got %(value)s",
                    field=key,
                    value=repr(value),
                )
            )
        return str(value).strip()

    def _date(self, row, key):
        value = row[key]
        if value in (None, False, ""):
            return False
        try:
            return fields.Date.to_date(value)
        except (TypeError, ValueError):
            raise RowError(
                self.env._(
                    "%(field)s %(value)s is not a date (YYYY-MM-DD)",
                    field=key,
                    value=repr(value),
                )
            ) from None

    def _country(self, code):
        if code in (None, False, ""):
            return False
        country = self.env["res.country"].search(
            [("code", "=", str(code).upper())], limit=1
        )
        if not country:
            raise RowError(
                self.env._(
                    "country_code %(value)s is not an ISO country code",
                    value=repr(code),
                )
            )
        return country.id

    def _lang(self, code):
        if code in (None, False, ""):
            return False
        if code not in dict(self.env["res.lang"].get_installed()):
            raise RowError(
                self.env._(
                    "lang %(value)s is not an installed language", value=repr(code)
                )
            )
        return code

    def _user(self, login):
        if login in (None, False, ""):
            return False
        user = self.env["res.users"].sudo().search([("login", "=", login)], limit=1)
        if not user:
            raise RowError(
                self.env._(
                    "account_manager_login %(value)s is not a user", value=repr(login)
                )
            )
        return user.id

    def _tags(self, tags, lookup):
        if tags in (None, False):
            return []
        if isinstance(tags, str):
            tags = [t for t in tags.split(";") if t.strip()]
        if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
            raise RowError(
                self.env._(
                    "tags must be a list of names, got %(value)s", value=repr(tags)
                )
            )
        names = [t.strip() for t in tags]
        by_name = lookup.setdefault("tag", {})
        missing = [n for n in dict.fromkeys(names) if n not in by_name]
        if missing:
            categories = self.env["res.partner.category"].sudo()
            for category in categories.search([("name", "in", missing)]):
                by_name.setdefault(category.name, category.id)
            new = [n for n in missing if n not in by_name]
            for category in categories.create([{"name": n} for n in new]):
                by_name[category.name] = category.id
        return [by_name[n] for n in names]

    def _parent(self, row, maps):
        if row["parent_external_id"] in (None, False, ""):
            return False
        source, parent = self._key(row, "parent_external_id")
        mapping = maps.get(("res.partner", source, parent))
        if not mapping:
            raise RowError(self._parent_missing(source, row))
        return mapping.res_id

    def _parent_missing(self, source, row):
        return self.env._(
            "parent_external_id %(parent)s is not a customer of source "
            "%(system)s yet: send the parent first",
            parent=repr(str(row.get("parent_external_id"))),
            system=repr(source),
        )

    # -- orders -----------------------------------------------------------------

    def _apply_order(self, row, keys, maps, company):
        self._check_keys(row, keys)
        invoice = row.get("invoice") or "none"
        if invoice not in INVOICE_MODES:
            raise RowError(
                self.env._(
                    "invoice must be one of %(modes)s, got %(value)s",
                    modes=", ".join(INVOICE_MODES),
                    value=repr(invoice),
                )
            )
        order, status = self._upsert(
            "sale.order",
            row,
            maps,
            company,
            lambda row, order: self._order_vals(row, order, maps),
        )
        if status == "unchanged":
            return order, status
        if order.state != "sale":
            order.with_context(
                crm_relation_cause="sync", **{SYNC_CONFIRM_KEY: SYNC_CONFIRM}
            ).action_confirm()
        # Confirmation stamps the order with now: put it back on its day.
        order.date_order = self._order_datetime(row)
        if invoice != "none" and not order.invoice_ids:
            moves = order._create_invoices()
            moves.invoice_date = order.date_order.date()
            if invoice == "post":
                moves.action_post()
        return order, status

    def _order_datetime(self, row):
        value = row.get("date_order")
        try:
            return fields.Datetime.to_datetime(value) or fields.Datetime.now()
        except (TypeError, ValueError):
            raise RowError(
                self.env._(
                    "date_order %(value)s is not a date or date-time", value=repr(value)
                )
            ) from None

    def _order_vals(self, row, order, maps):
        source, _external_id = self._key(row)
        customer_key = self._key(row, "customer_external_id")[1]
        mapping = maps.get(("res.partner", source, customer_key))
        if not mapping:
            raise RowError(
                self.env._(
                    "customer_external_id %(customer)s is not a customer of source "
                    "%(system)s: send it with sync_partners first",
                    customer=repr(customer_key),
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
        lines = row.get("lines")
        if not isinstance(lines, list) or not lines:
            raise RowError(
                self.env._(
                    "lines must be a non-empty list, got %(value)s", value=repr(lines)
                )
            )
        vals = {
            "partner_id": mapping.res_id,
            "company_id": self.env.company.id,
            "date_order": self._order_datetime(row),
        }
        pricelist = self._pricelist(row.get("currency"))
        if pricelist:
            vals["pricelist_id"] = pricelist
        vals["order_line"] = self._line_commands(
            order, [self._line_vals(index, line) for index, line in enumerate(lines)]
        )
        return vals

    def _line_commands(self, order, lines):
        """Commands turning the order's lines into ``lines``. A confirmed
        order's lines are amended as a salesperson would: same product →
        updated, new product → added, product gone → quantity 0 (confirmed
        lines cannot be deleted)."""
        existing = {}
        for line in order.order_line.filtered(lambda x: not x.display_type):
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
        if code in (None, False, ""):
            return False
        currency = self.env["res.currency"].search([("name", "=", str(code).upper())])
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

    def _line_vals(self, index, line):
        if not isinstance(line, dict):
            raise RowError(self.env._("lines[%(i)s] is not a dict", i=index))
        unknown = sorted(set(line) - LINE_KEYS)
        if unknown:
            raise RowError(
                self.env._(
                    "lines[%(i)s]: unknown field(s) %(fields)s",
                    i=index,
                    fields=", ".join(unknown),
                )
            )
        code = line.get("product")
        product = self.env["product.product"]
        if isinstance(code, str) and code:
            product = product.search(
                ["|", ("default_code", "=", code), ("barcode", "=", code)], limit=2
            )
        if len(product) != 1:
            raise RowError(
                self.env._(
                    "lines[%(i)s].product %(code)s matches %(count)s products by "
                    "internal reference or barcode; it must match one",
                    i=index,
                    code=repr(code),
                    count=len(product),
                )
            )
        numbers = {}
        for key, default, low, high in (
            ("quantity", None, 0, None),
            ("price_unit", None, 0, None),
            ("discount", 0.0, 0, 100),
        ):
            value = line.get(key, default)
            if (
                isinstance(value, bool)
                or not isinstance(value, (int, float))
                or value < low
                or (high is not None and value > high)
                or (key == "quantity" and value == 0)
            ):
                raise RowError(
                    self.env._(
                        "lines[%(i)s].%(field)s %(value)s is out of range",
                        i=index,
                        field=key,
                        value=repr(value),
                    )
                )
            numbers[key] = float(value)
        return {
            "product_id": product.id,
            "product_uom_qty": numbers["quantity"],
            "price_unit": numbers["price_unit"],
            "discount": numbers["discount"],
        }
