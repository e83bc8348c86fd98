# Copyright 2026 crm_relation developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import itertools
import logging

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL

from ..domain import audit_chain
from .guards import notification
from .sql_copy import copy_rows

_logger = logging.getLogger(__name__)

CAUSES = [
    ("manual", "Manual"),
    ("scheduled", "Scheduled"),
    ("sync", "Synchronisation"),
]
# Context key naming the cause of the changes being made.
CAUSE_KEY = "crm_relation_cause"
HEAD_TABLE = "crm_relation_audit_head"
VERIFIERS = (
    "crm_relation.group_crm_relation_auditor",
    "crm_relation.group_crm_relation_manager",
    "base.group_system",
)


class CrmRelationAudit(models.Model):
    """Append-only, hash-chained log of changes to key customer data.

    Entries are only ever added by :meth:`_append`, in SQL, one chain per
    company: each stores a SHA-256 over its content and the previous entry's
    hash (``domain.audit_chain``). The ORM refuses to create, change or
    delete them, for everyone; a change made in SQL behind Odoo's back is
    found by :meth:`verify_chain`. The last position and hash of each chain
    are kept in ``crm_relation_audit_head``, whose row lock serialises the
    writers of one company and which lets verification see a cut-off tail.
    """

    _name = "crm.relation.audit"
    _inherit = ["crm.relation.append.only"]
    _description = "Customer Relations Audit Entry"
    _order = "id desc"
    _rec_name = "field_name"
    # Who and when are part of the entry itself (user_id, logged_at).
    _log_access = False

    company_id = fields.Many2one(
        "res.company", required=True, readonly=True, index=True, ondelete="restrict"
    )
    sequence = fields.Integer("Position in Chain", readonly=True)
    model = fields.Char(required=True, readonly=True, index=True)
    res_id = fields.Many2oneReference(
        "Record ID", model_field="model", readonly=True, index=True
    )
    record_name = fields.Char("Record", compute="_compute_labels")
    field_name = fields.Char("Field", required=True, readonly=True)
    field_label = fields.Char(compute="_compute_labels")
    old_value = fields.Text(readonly=True)
    new_value = fields.Text(readonly=True)
    user_id = fields.Many2one("res.users", "Changed By", readonly=True)
    cause = fields.Selection(CAUSES, required=True, readonly=True)
    logged_at = fields.Datetime("Changed On", required=True, readonly=True)
    prev_hash = fields.Char("Previous Hash", readonly=True)
    entry_hash = fields.Char("Hash", readonly=True)

    _company_sequence_uniq = models.Constraint(
        "UNIQUE(company_id, sequence)",
        "Two audit entries cannot share a position in a company's chain.",
    )

    def init(self):
        self.env.cr.execute(
            SQL(
                """
                CREATE TABLE IF NOT EXISTS %s (
                    company_id integer PRIMARY KEY
                        REFERENCES res_company(id) ON DELETE RESTRICT,
                    sequence integer NOT NULL,
                    entry_hash varchar NOT NULL
                )
                """,
                SQL.identifier(HEAD_TABLE),
            )
        )

    @api.depends("model", "res_id", "field_name")
    def _compute_labels(self):
        fields_model = self.env["ir.model.fields"].sudo()
        # One read per model, not per entry.
        names = {}
        for model in set(self.mapped("model")):
            if model in self.env:
                ids = self.filtered(lambda e, m=model: e.model == m).mapped("res_id")
                records = self.env[model].sudo().browse(ids).exists()
                names.update({(model, r.id): r.display_name for r in records})
        for entry in self:
            field = fields_model._get(entry.model, entry.field_name)
            entry.field_label = field.field_description or entry.field_name
            entry.record_name = names.get((entry.model, entry.res_id)) or self.env._(
                "%(model)s #%(id)s (deleted)", model=entry.model, id=entry.res_id
            )

    # Appending

    @api.model
    def _append(self, company, entries, cause=None):
        """Append ``entries`` to ``company``'s chain, in order.

        ``entries`` is an iterable (a generator is fine: it is consumed in
        batches) of ``(model, res_id, field_name, old_value, new_value)``
        with text or ``None`` values. Returns the number appended.
        """
        cause = cause or self.env.context.get(CAUSE_KEY) or "manual"
        if cause not in dict(CAUSES):
            raise ValueError(f"unknown audit cause {cause!r}")
        entries = iter(entries)
        first_entry = next(entries, None)
        if first_entry is None:
            return 0  # nothing to log: leave the chain's head unlocked
        entries = itertools.chain([first_entry], entries)
        cr = self.env.cr
        # Lock the company's chain head (and create it on first use). Under
        # REPEATABLE READ, a head moved by a concurrent transaction fails
        # this statement with a serialization error, which Odoo retries: two
        # writers never fork the chain.
        cr.execute(
            SQL(
                """
                INSERT INTO %(head)s (company_id, sequence, entry_hash)
                VALUES (%(cid)s, 0, %(genesis)s)
                ON CONFLICT (company_id) DO UPDATE SET company_id = EXCLUDED.company_id
                RETURNING sequence, entry_hash
                """,
                head=SQL.identifier(HEAD_TABLE),
                cid=company.id,
                genesis=audit_chain.GENESIS,
            )
        )
        sequence, prev_hash = cr.fetchone()
        first = sequence
        stamp = str(cr.now().replace(microsecond=0, tzinfo=None))
        uid = self.env.uid
        columns = (*audit_chain.CONTENT, "prev_hash", "entry_hash")
        batch = []
        for model, res_id, field_name, old_value, new_value in entries:
            sequence += 1
            content = {
                "company_id": company.id,
                "sequence": sequence,
                "model": model,
                "res_id": res_id,
                "field_name": field_name,
                "old_value": old_value,
                "new_value": new_value,
                "user_id": uid,
                "cause": cause,
                "logged_at": stamp,
            }
            entry_hash = audit_chain.link(prev_hash, content)
            batch.append(
                (*(content[key] for key in audit_chain.CONTENT), prev_hash, entry_hash)
            )
            prev_hash = entry_hash
            if len(batch) >= 5000:
                copy_rows(cr, self._table, columns, batch)
                batch = []
        copy_rows(cr, self._table, columns, batch)
        cr.execute(
            SQL(
                "UPDATE %s SET sequence = %s, entry_hash = %s WHERE company_id = %s",
                SQL.identifier(HEAD_TABLE),
                sequence,
                prev_hash,
                company.id,
            )
        )
        self.invalidate_model()
        return sequence - first

    # Recording changes made through the ORM

    @api.model
    def _text(self, record, fname):
        """A field's value as the audit log writes it."""
        field = record._fields[fname]
        value = record[fname]
        if field.type == "boolean":
            return str(bool(value))
        if field.type == "many2one":
            return f"{value.display_name} [{value.id}]" if value else None
        if field.type in ("one2many", "many2many"):
            return ", ".join(f"{r.display_name} [{r.id}]" for r in value) or None
        if value is False or value is None:
            return None
        return str(value)

    @api.model
    def _snapshot(self, records, fnames):
        """``{record id: {field: audit text}}`` of ``records``."""
        return {
            record.id: {fname: self._text(record, fname) for fname in fnames}
            for record in records
        }

    @api.model
    def _audited_write(self, records, fnames, vals, write):
        """``write(vals)`` on ``records``, logging those of ``fnames`` it
        changes."""
        audited = [fname for fname in fnames if fname in vals]
        if not audited:
            return write(vals)
        before = self._snapshot(records, audited)
        result = write(vals)
        self._log_changes(records, audited, before)
        return result

    @api.model
    def _log_changes(self, records, fnames, before, after=None, cause=None):
        """Append one entry per field whose audit text differs between the
        ``before`` and ``after`` snapshots (``after`` defaults to now)."""
        if after is None:
            after = self._snapshot(records, fnames)
        per_company = {}
        for record in records:
            old, new = before.get(record.id, {}), after.get(record.id, {})
            for fname in fnames:
                if old.get(fname) == new.get(fname):
                    continue
                # A company-dependent value belongs to the current company.
                company = (
                    not record._fields[fname].company_dependent
                    and "company_id" in record._fields
                    and record.company_id
                ) or self.env.company
                per_company.setdefault(company, []).append(
                    (record._name, record.id, fname, old.get(fname), new.get(fname))
                )
        for company, entries in per_company.items():
            if entries:
                self.sudo()._append(company, entries, cause=cause)

    # Verification

    @api.model
    def _check_verifier(self):
        if not any(self.env.user.has_group(group) for group in VERIFIERS):
            raise AccessError(
                self.env._(
                    "Only auditors and customer managers may verify the audit chain."
                )
            )

    @api.model
    def verify_chain(self, company_id=None):
        """Check every entry of one company's chain (default: all the
        user's companies). Returns ``{"intact": bool, "entries": N,
        "first_broken_id": id or False}``."""
        self._check_verifier()
        allowed = self.env.user.company_ids
        if company_id:
            companies = self.env["res.company"].browse(int(company_id)).exists()
            if not companies or companies not in allowed:
                raise AccessError(
                    self.env._(
                        "You may not verify the audit chain of company %(company)s.",
                        company=company_id,
                    )
                )
        else:
            companies = allowed
        results = [self._verify_company(company) for company in companies]
        broken = [r.first_broken_id for r in results if not r.intact]
        return {
            "intact": not broken,
            "entries": sum(r.entries for r in results),
            "first_broken_id": min((b for b in broken if b), default=False),
        }

    def _verify_company(self, company):
        self.env.flush_all()
        cr = self.env.cr
        cr.execute(
            SQL(
                "SELECT sequence, entry_hash FROM %s WHERE company_id = %s",
                SQL.identifier(HEAD_TABLE),
                company.id,
            )
        )
        head = cr.fetchone()
        query = SQL(
            """
            SELECT id, %(content)s, prev_hash, entry_hash
              FROM crm_relation_audit
             WHERE company_id = %(cid)s
             ORDER BY sequence, id
            """,
            content=SQL(", ").join(SQL.identifier(c) for c in audit_chain.CONTENT),
            cid=company.id,
        )
        cursor = cr._cnx.cursor(name="crm_relation_audit_verify")
        try:
            cursor.itersize = 5000
            cursor.execute(query.code, query.params)
            result = audit_chain.verify(self._rows(cursor), head=head or None)
        finally:
            cursor.close()
        if not result.intact:
            _logger.warning(
                "Audit chain of %s is broken at entry %s",
                company.name,
                result.first_broken_id,
            )
        return result

    @staticmethod
    def _rows(cursor):
        width = len(audit_chain.CONTENT)
        for row in cursor:
            entry = dict(zip(audit_chain.CONTENT, row[1 : width + 1], strict=True))
            entry["logged_at"] = entry["logged_at"] and str(entry["logged_at"])
            yield row[0], entry, row[width + 1], row[width + 2]

    @api.model
    def action_verify_chain(self):
        """Menu action: verify the chains and tell the result."""
        result = self.verify_chain()
        if result["intact"]:
            kind, message = (
                "success",
                self.env._(
                    "Audit chain intact: %(count)s entries verified.",
                    count=result["entries"],
                ),
            )
        else:
            kind, message = (
                "danger",
                self.env._(
                    "Audit chain BROKEN: %(count)s entries checked, the first that "
                    "does not fit is entry %(entry)s. Someone changed the log "
                    "outside Customer Relations.",
                    count=result["entries"],
                    entry=result["first_broken_id"] or "-",
                ),
            )
        return notification(message, kind, reload=False)
