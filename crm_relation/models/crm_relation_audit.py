# Copyright 2026 crm_relation developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import itertools
import logging

import psycopg2

from odoo import SUPERUSER_ID, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

from ..logic import audit_chain
from . import crm_relation_audit_key as audit_key
from . import guards, post_commit
from .sql_rows import column_types, insert_rows

_logger = logging.getLogger(__name__)

CAUSES = [
    ("manual", "Manual"),
    ("scheduled", "Scheduled"),
    ("sync", "Synchronisation"),
]
HEAD_TABLE = "crm_relation_audit_head"
VERIFIERS = (guards.AUDITOR_GROUP, guards.MANAGER_GROUP, "base.group_system")
# pg_try_advisory_xact_lock(SEAL_LOCK, company id): one sealer a company.
# Sealed entries keep the field name they were written with: the review
# stamps were named without their relation_ prefix before 19.0.1.7.0.
FORMER_FIELD_NAMES = {
    "review1_done": "relation_review1_done",
    "review1_user_id": "relation_review1_user_id",
    "review2_done": "relation_review2_done",
    "review2_user_id": "relation_review2_user_id",
}
SEAL_LOCK = 0x43524D41
# An evaluation's entry: the company's last evaluation, its new value the
# count and digest of the tier history rows it wrote.
EVALUATION_MODEL = "res.company"
EVALUATION_FIELD = "rfm_last_evaluation"
BATCH = 5000
# The columns an appended entry is written with.
APPEND_COLUMNS = (
    *audit_chain.APPENDED,
    "mac_key_id",
    "entry_mac",
)


class CrmRelationAudit(models.Model):
    """Append-only, authenticated log of changes to key customer data.

    Entries are added by :meth:`_append` alone, in SQL, without any lock
    shared between writers: each carries a MAC of its content. A short
    sealing step (:meth:`_seal`, right after the writer's commit and by a
    scheduled action) then chains them in order, one chain per company:
    each sealed entry stores its position and an HMAC-SHA256 over its
    content and the previous entry's hash (``logic.audit_chain``), keyed
    from the server's environment (``crm_relation_audit_key``). The ORM
    refuses to create, change or delete entries, for everyone; a change
    made in SQL is found by :meth:`verify_chain`. The last sealed position
    and hash of each chain are kept in ``crm_relation_audit_head``, which
    lets verification see a cut-off tail; an anchor kept outside the
    database proves the chain up to it.
    """

    _name = "crm.relation.audit"
    _inherit = ["crm.relation.append.only"]
    _description = "Customer Relations Audit Entry"
    _order = "id desc"
    _rec_name = "field_name"
    # Who and when are part of the entry itself (user_id, logged_at).
    _log_access = False

    # === FIELDS === #

    company_id = fields.Many2one(
        "res.company", required=True, readonly=True, index=True, ondelete="restrict"
    )
    sequence = fields.Integer(
        "Position in Chain",
        readonly=True,
        help="Given when the entry is sealed into its company's chain.",
    )
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
    mac_key_id = fields.Char("Appended With Key", readonly=True)
    entry_mac = fields.Char("Entry MAC", readonly=True)
    prev_hash = fields.Char("Previous Hash", readonly=True)
    entry_hash = fields.Char("Hash", readonly=True)
    key_id = fields.Char("Sealed With Key", readonly=True)
    sealed_at = fields.Datetime("Sealed On", readonly=True)
    is_sealed = fields.Boolean("Sealed", compute="_compute_is_sealed")

    _company_sequence_uniq = models.Constraint(
        "UNIQUE(company_id, sequence)",
        "Two audit entries cannot share a position in a company's chain.",
    )
    _unsealed_idx = models.Index("(company_id, id) WHERE sequence IS NULL")

    # === SCHEMA === #

    def init(self):
        self.env.execute_query(
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

    # === COMPUTE METHODS === #

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
            name = FORMER_FIELD_NAMES.get(entry.field_name, entry.field_name)
            field = fields_model._get(entry.model, name)
            entry.field_label = field.field_description or entry.field_name
            entry.record_name = names.get((entry.model, entry.res_id)) or self.env._(
                "%(model)s #%(id)s (deleted)", model=entry.model, id=entry.res_id
            )

    @api.depends("sequence")
    def _compute_is_sealed(self):
        for entry in self:
            entry.is_sealed = bool(entry.sequence)

    # === ACTION METHODS === #

    @api.readonly
    @guards.callers(*VERIFIERS)
    @api.model
    def verify_chain(self, company_id=None, anchor=None):
        """Check every sealed entry of one company's chain (default: all the
        user's companies), and the MAC of every entry not sealed yet.

        ``anchor``: an anchor line kept outside the database (mailed by the
        scheduled action, or exported): the chain must hold it. Returns
        ``{"intact", "entries", "first_broken_id", "reason", "unsealed",
        "keyed", "unkeyed", "anchored", "companies": [...]}``; writes
        nothing.
        """
        anchor = self._parse_anchor(anchor)
        if anchor and company_id in (None, False):
            company_id = anchor[0]
        companies = self._verifiable_companies(company_id)
        if anchor and companies.id != anchor[0]:
            raise UserError(
                self.env._(
                    "The anchor is of company %(anchor)s, not %(company)s.",
                    anchor=anchor[0],
                    company=companies.id,
                )
            )
        key, known = audit_key.keys()
        results = [
            self._verify_company(company, known, anchor and anchor[1:])
            for company in companies
        ]
        broken = [r for r in results if not r["intact"]]
        return {
            "intact": not broken,
            "entries": sum(r["entries"] for r in results),
            "first_broken_id": min(
                (r["first_broken_id"] for r in broken if r["first_broken_id"]),
                default=False,
            ),
            "reason": broken[0]["reason"] if broken else False,
            "unsealed": sum(r["unsealed"] for r in results),
            "keyed": bool(key),
            "unkeyed": sum(r["unkeyed"] for r in results),
            "anchored": bool(anchor) and all(r["anchored"] for r in results),
            "companies": results,
        }

    @guards.callers(*VERIFIERS)
    @api.model
    def action_verify_chain(self):
        """Menu action: verify the chains and tell the result."""
        return self._verification_notice(self.verify_chain())

    @api.readonly
    @guards.callers(*VERIFIERS)
    @api.model
    def export_anchor(self, company_id=None):
        """The anchor line of each of the user's companies (or of
        ``company_id``): the head of its sealed chain. Keep it outside the
        database, and verify against it later."""
        companies = self._verifiable_companies(company_id)
        return self._anchor_lines(companies)

    # === BUSINESS METHODS === #

    # Appending: no lock shared between writers.

    @api.model
    def _append_evaluation(self, company, count, digest, cause):
        """Append the entry that seals an evaluation's ``count`` tier history
        rows of ``company`` by their ``digest``; return its id (the rows
        point to it)."""
        [(entry_id,)] = self.env.execute_query(
            SQL("SELECT nextval(pg_get_serial_sequence(%s, 'id'))", self._table)
        )
        entry = (
            EVALUATION_MODEL,
            company.id,
            EVALUATION_FIELD,
            None,
            audit_chain.evaluation_value(count, digest),
        )
        self._append(company, [entry], cause=cause, entry_ids=[entry_id])
        return entry_id

    @api.model
    def _seal_legacy_history(self):
        """Seal the tier history rows no evaluation sealed (written before
        19.0.1.9.0) by one evaluation entry a company carrying their count
        and digest, as an evaluation does; return the number of rows sealed.
        The 19.0.1.9.0 migration alone calls this: afterwards a row of no
        evaluation fails verification."""
        History = self.env["crm.relation.tier.history"].sudo()
        History.flush_model()
        table = SQL.identifier(History._table)
        self.env.execute_query(
            SQL(
                "UPDATE %s SET original_partner_id = partner_id "
                "WHERE audit_id IS NULL AND original_partner_id IS NULL",
                table,
            )
        )
        sealed = 0
        groups = self.env.execute_query(
            History._digest_query(
                table, group_by="company_id", where=SQL("audit_id IS NULL")
            )
        )
        for company_id, count, digest in groups:
            company = self.env["res.company"].browse(company_id)
            entry_id = self._append_evaluation(company, count, digest, "manual")
            self.env.execute_query(
                SQL(
                    "UPDATE %s SET audit_id = %s "
                    "WHERE company_id = %s AND audit_id IS NULL",
                    table,
                    entry_id,
                    company_id,
                )
            )
            sealed += count
        History.invalidate_model(["audit_id", "original_partner_id"])
        return sealed

    @api.model
    def _append(self, company, entries, cause=None, entry_ids=None):
        """Append ``entries`` to ``company``'s log, in order, unsealed.

        ``entries`` is an iterable (a generator is fine: it is consumed in
        batches) of ``(model, res_id, field_name, old_value, new_value)``
        with text or ``None`` values. The cause is ``cause``, else the one a
        trusted path of the addon put in the context, else manual. Returns
        the number appended; they are sealed once the transaction commits.
        ``entry_ids``: the ids the entries get, taken from the log's sequence
        by the caller (default: taken here).
        """
        cause = cause or guards.cause(self.env)
        if cause not in dict(CAUSES):
            raise ValueError(f"unknown audit cause {cause!r}")
        entries = iter(entries)
        first_entry = next(entries, None)
        if first_entry is None:
            return 0
        entries = itertools.chain([first_entry], entries)
        key, _known = audit_key.keys()
        mac_key_id = audit_chain.key_id(key) if key else None
        stamp = str(self.env.cr.now().replace(microsecond=0, tzinfo=None))
        uid = self.env.uid
        types = column_types(self, APPEND_COLUMNS)
        count = 0
        while batch := list(itertools.islice(entries, BATCH)):
            if entry_ids is not None:
                ids, entry_ids = entry_ids[: len(batch)], entry_ids[len(batch) :]
            else:
                ids = [
                    entry_id
                    for (entry_id,) in self.env.execute_query(
                        SQL(
                            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) "
                            "FROM generate_series(1, %s)",
                            self._table,
                            len(batch),
                        )
                    )
                ]
            rows = []
            for entry_id, (model, res_id, field_name, old, new) in zip(
                ids, batch, strict=True
            ):
                content = {
                    "id": entry_id,
                    "company_id": company.id,
                    "model": model,
                    "res_id": res_id,
                    "field_name": field_name,
                    "old_value": old,
                    "new_value": new,
                    "user_id": uid,
                    "cause": cause,
                    "logged_at": stamp,
                }
                mac = audit_chain.entry_mac(entry_id, content, key) if key else None
                rows.append(
                    (*(content[c] for c in audit_chain.APPENDED), mac_key_id, mac)
                )
            insert_rows(self.env, self._table, types, rows)
            count += len(rows)
        self._seal_after_commit(company.id)
        self.invalidate_model()
        return count

    def _seal_after_commit(self, company_id):
        """Seal ``company_id``'s new entries right after this transaction
        commits, in a transaction of its own."""

        def seal(registry, company_ids):
            try:
                with registry.cursor() as seal_cr:
                    env = api.Environment(seal_cr, SUPERUSER_ID, {})
                    env["crm.relation.audit"]._seal(sorted(company_ids))
            except psycopg2.Error as error:
                # Another sealer moved the head meanwhile: it, or the
                # scheduled action, seals what is left.
                _logger.info("Audit sealing deferred: %s", error)

        post_commit.pending(self.env, "crm_relation.audit.seal", seal, set).add(
            company_id
        )

    # Sealing: short, one sealer a company at a time, nobody waits for it.

    @api.model
    def _seal(self, company_ids=None):
        """Chain the unsealed entries of ``company_ids`` (default: every
        company with some), oldest first, in the current transaction.

        A company another transaction is sealing is skipped, not waited for.
        An unsealed entry whose MAC no longer fits its content was changed
        behind the addon's back: sealing stops before it (and verification
        reports it), so that no forged entry is ever sealed.
        Returns the number of entries sealed.
        """
        if company_ids is None:
            rows = self.env.execute_query(
                SQL(
                    "SELECT DISTINCT company_id FROM %s WHERE sequence IS NULL",
                    SQL.identifier(self._table),
                )
            )
            company_ids = sorted(row[0] for row in rows)
        key, known = audit_key.keys()
        seal_key_id = audit_chain.key_id(key) if key else None
        sealed = 0
        for company_id in company_ids:
            [(locked,)] = self.env.execute_query(
                SQL("SELECT pg_try_advisory_xact_lock(%s, %s)", SEAL_LOCK, company_id)
            )
            if not locked:
                continue
            [(sequence, prev_hash)] = self.env.execute_query(
                SQL(
                    """
                    INSERT INTO %(head)s (company_id, sequence, entry_hash)
                    VALUES (%(cid)s, 0, %(genesis)s) ON CONFLICT DO NOTHING;
                    SELECT sequence, entry_hash FROM %(head)s
                     WHERE company_id = %(cid)s FOR UPDATE
                    """,
                    head=SQL.identifier(HEAD_TABLE),
                    cid=company_id,
                    genesis=audit_chain.GENESIS,
                )
            )
            start = sequence
            while True:
                rows = self._unsealed_rows(company_id)
                links = []
                forged = None
                for entry_id, entry, mac_key_id, mac in rows:
                    if not audit_chain.mac_fits(
                        entry_id, entry, mac, mac_key_id, known
                    ):
                        forged = entry_id
                        break
                    sequence += 1
                    chained = dict(entry, sequence=sequence)
                    entry_hash = audit_chain.link(prev_hash, chained, key)
                    links.append((entry_id, sequence, prev_hash, entry_hash))
                    prev_hash = entry_hash
                self._write_seals(links, seal_key_id)
                if forged:
                    _logger.error(
                        "Audit entry %s no longer fits its MAC: it was changed "
                        "outside Customer Relations; sealing of company %s stops "
                        "before it.",
                        forged,
                        company_id,
                    )
                    break
                if len(rows) < BATCH:
                    break
            if sequence != start:
                self.env.execute_query(
                    SQL(
                        "UPDATE %s SET sequence = %s, entry_hash = %s "
                        "WHERE company_id = %s",
                        SQL.identifier(HEAD_TABLE),
                        sequence,
                        prev_hash,
                        company_id,
                    )
                )
                sealed += sequence - start
        if sealed:
            self.invalidate_model()
        return sealed

    def _unsealed_rows(self, company_id, after_id=0):
        """``[(id, entry, mac key id, mac)]`` of the oldest unsealed entries
        after ``after_id``, a batch at most."""
        columns = SQL(", ").join(SQL.identifier(c) for c in audit_chain.APPENDED)
        rows = self.env.execute_query(
            SQL(
                """
                SELECT %(columns)s, mac_key_id, entry_mac FROM %(table)s
                 WHERE company_id = %(cid)s AND sequence IS NULL AND id > %(after)s
                 ORDER BY id LIMIT %(limit)s
                """,
                columns=columns,
                table=SQL.identifier(self._table),
                cid=company_id,
                after=after_id,
                limit=BATCH,
            )
        )
        width = len(audit_chain.APPENDED)
        result = []
        for row in rows:
            entry = dict(zip(audit_chain.APPENDED, row[:width], strict=True))
            entry["logged_at"] = entry["logged_at"] and str(entry["logged_at"])
            entry_id = entry.pop("id")
            result.append((entry_id, entry, row[width], row[width + 1]))
        return result

    def _write_seals(self, links, seal_key_id):
        if not links:
            return
        self.env.execute_query(
            SQL(
                """
                UPDATE %(table)s a
                   SET sequence = v.sequence, prev_hash = v.prev_hash,
                       entry_hash = v.entry_hash, key_id = %(key_id)s,
                       sealed_at = now() AT TIME ZONE 'UTC'
                  FROM (VALUES %(values)s) AS v(id, sequence, prev_hash, entry_hash)
                 WHERE a.id = v.id
                """,
                table=SQL.identifier(self._table),
                key_id=seal_key_id,
                values=SQL(", ").join(
                    SQL("(%s, %s, %s, %s)", *link_row) for link_row in links
                ),
            )
        )

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

    def _verifiable_companies(self, company_id):
        """The companies to verify: ``company_id``, or all of the user's."""
        allowed = self.env.user.company_ids
        if company_id in (None, False):
            return allowed
        company_id = guards.arg_id(self.env, company_id, "company_id")
        companies = self.env["res.company"].browse(company_id).exists()
        if not companies or companies not in allowed:
            raise AccessError(
                self.env._(
                    "company_id %(company)s is not a company you may verify the "
                    "audit chain of.",
                    company=company_id,
                )
            )
        return companies

    def _parse_anchor(self, anchor):
        if anchor in (None, False, ""):
            return None
        if not isinstance(anchor, str):
            raise UserError(
                self.env._(
                    "anchor must be the anchor line as mailed or exported, not "
                    "%(value)s.",
                    value=guards.short_repr(anchor),
                )
            )
        try:
            return audit_chain.parse_anchor(anchor)
        except audit_chain.AnchorError:
            raise UserError(
                self.env._(
                    "anchor %(value)s is not an audit anchor line (it reads "
                    "“crm_relation-audit-anchor v1 company=… sequence=… "
                    "hash=… at=…”).",
                    value=guards.short_repr(anchor),
                )
            ) from None

    def _verify_company(self, company, known, anchor=None):
        heads = self.env.execute_query(
            SQL(
                "SELECT sequence, entry_hash FROM %s WHERE company_id = %s",
                SQL.identifier(HEAD_TABLE),
                company.id,
            )
        )
        head = heads[0] if heads and heads[0][0] else None
        result = audit_chain.verify(
            self._sealed_rows(company),
            head=head,
            keys=known,
            anchor=anchor,
        )
        unsealed, unsealed_broken = self._check_unsealed(company, known)
        history_broken, history_reason = self._check_history(company)
        report = result.as_dict()
        report.update(
            company_id=company.id,
            unsealed=unsealed,
            unsealed_broken_id=unsealed_broken or False,
            history_broken_id=history_broken or False,
        )
        if unsealed_broken and report["intact"]:
            report.update(
                intact=False,
                first_broken_id=unsealed_broken,
                reason=audit_chain.BROKEN_CONTENT,
            )
        if history_reason and report["intact"]:
            report.update(
                intact=False,
                first_broken_id=history_broken or False,
                reason=history_reason,
            )
        if not report["intact"]:
            _logger.warning(
                "Audit chain of %s is broken at entry %s (%s)",
                company.name,
                report["first_broken_id"],
                report["reason"],
            )
        return report

    def _check_history(self, company):
        """``(evaluation entry id, reason)`` of the first evaluation of
        ``company`` whose tier history rows no longer give the count and
        digest its entry carries (a row changed, removed, or added pointing
        to it, or moved to another customer than the one it was written for
        while that one exists), or of the last evaluation before a row no
        evaluation seals (every row is sealed: it was added; the first
        evaluation when none is before it, ``None`` when the company has
        none); ``(None, None)`` when all match.
        Set-based: one query digests every evaluation's rows."""
        History = self.env["crm.relation.tier.history"].sudo()
        History.flush_model()
        self.flush_model()
        rows = self.env.execute_query(
            SQL(
                "SELECT id, new_value FROM %s WHERE company_id = %s AND model = %s "
                "AND field_name = %s",
                SQL.identifier(self._table),
                company.id,
                EVALUATION_MODEL,
                EVALUATION_FIELD,
            )
        )
        expected = {
            entry_id: audit_chain.parse_evaluation_value(value)
            for entry_id, value in rows
        }
        table = SQL.identifier(History._table)
        actual = {
            entry_id: (count, digest)
            for entry_id, count, digest in self.env.execute_query(
                History._digest_query(
                    table,
                    group_by="audit_id",
                    where=SQL(
                        "(company_id = %(cid)s OR audit_id = ANY(%(ids)s)) "
                        "AND audit_id IS NOT NULL",
                        cid=company.id,
                        ids=list(expected),
                    ),
                )
            )
        }
        broken = audit_chain.history_breaks(expected, actual)
        if broken:
            return broken, audit_chain.BROKEN_HISTORY
        # A row moved to another customer while the one it was written for
        # still exists (merging customers deletes the ones merged away).
        [(moved,)] = self.env.execute_query(
            SQL(
                """
                SELECT min(h.audit_id) FROM %(table)s h
                 WHERE h.company_id = %(cid)s AND h.audit_id IS NOT NULL
                   AND h.partner_id IS DISTINCT FROM h.original_partner_id
                   AND EXISTS (SELECT 1 FROM res_partner p
                                WHERE p.id = h.original_partner_id)
                """,
                table=table,
                cid=company.id,
            )
        )
        if moved:
            return moved, audit_chain.BROKEN_HISTORY
        # Every row is sealed by an evaluation (those from before 19.0.1.9.0
        # by the migration's one entry a company): a row of none was added.
        # It is reported at the evaluation before it, else the first one.
        added = self.env.execute_query(
            SQL(
                """
                SELECT COALESCE(
                         (SELECT s.audit_id FROM %(table)s s
                           WHERE s.company_id = %(cid)s AND s.audit_id IS NOT NULL
                             AND s.id < h.id
                           ORDER BY s.id DESC LIMIT 1),
                         (SELECT min(s.audit_id) FROM %(table)s s
                           WHERE s.company_id = %(cid)s AND s.audit_id IS NOT NULL))
                  FROM %(table)s h
                 WHERE h.company_id = %(cid)s AND h.audit_id IS NULL
                 ORDER BY h.id LIMIT 1
                """,
                table=table,
                cid=company.id,
            )
        )
        if added:
            return added[0][0], audit_chain.BROKEN_HISTORY_ADDED
        return None, None

    def _check_unsealed(self, company, known):
        """``(count, first id whose MAC does not fit)`` of the entries not
        sealed yet."""
        count, broken, last = 0, None, 0
        while True:
            rows = self._unsealed_rows(company.id, last)
            for entry_id, entry, mac_key_id, mac in rows:
                count += 1
                last = entry_id
                if broken is None and not audit_chain.mac_fits(
                    entry_id, entry, mac, mac_key_id, known
                ):
                    broken = entry_id
            if len(rows) < BATCH:
                return count, broken

    def _sealed_rows(self, company):
        """``(id, entry, prev hash, hash, key id)`` of the sealed entries of
        ``company``'s chain in order, read a batch at a time (keyset on the
        position, then the id)."""
        width = len(audit_chain.CONTENT)
        position = 1 + audit_chain.CONTENT.index("sequence")
        after = SQL("sequence IS NOT NULL")
        while rows := self.env.execute_query(
            SQL(
                """
                SELECT id, %(content)s, prev_hash, entry_hash, key_id
                  FROM %(table)s
                 WHERE company_id = %(cid)s AND %(after)s
                 ORDER BY sequence, id
                 LIMIT %(limit)s
                """,
                content=SQL(", ").join(SQL.identifier(c) for c in audit_chain.CONTENT),
                table=SQL.identifier(self._table),
                cid=company.id,
                after=after,
                limit=BATCH,
            )
        ):
            for row in rows:
                entry = dict(zip(audit_chain.CONTENT, row[1 : width + 1], strict=True))
                entry["logged_at"] = entry["logged_at"] and str(entry["logged_at"])
                yield row[0], entry, row[width + 1], row[width + 2], row[width + 3]
            last = rows[-1]
            after = SQL(
                "sequence >= %(seq)s AND (sequence, id) > (%(seq)s, %(id)s)",
                seq=last[position],
                id=last[0],
            )

    def _reason_text(self, reason):
        texts = {
            audit_chain.BROKEN_CONTENT: self.env._("no longer gives its stored hash"),
            audit_chain.BROKEN_LINK: self.env._("does not follow the previous entry"),
            audit_chain.BROKEN_SEQUENCE: self.env._("is not at the next position"),
            audit_chain.BROKEN_UNKNOWN_KEY: self.env._(
                "was sealed with a key this server does not hold"
            ),
            audit_chain.BROKEN_UNKEYED: self.env._(
                "was sealed without a key after keyed entries"
            ),
            audit_chain.BROKEN_TAIL: self.env._(
                "is the last one left: entries after it were removed"
            ),
            audit_chain.BROKEN_ANCHOR: self.env._(
                "does not hold the anchor given, or the chain ends before it"
            ),
            audit_chain.BROKEN_HISTORY: self.env._(
                "no longer matches the tier changes of its evaluation: one was "
                "changed, removed or added"
            ),
            audit_chain.BROKEN_HISTORY_ADDED: self.env._(
                "is followed by tier changes that no evaluation wrote"
            ),
        }
        return texts.get(reason, reason or "")

    def _verification_notice(self, result):
        if result["intact"]:
            kind = "success" if result["keyed"] else "warning"
            message = self.env._(
                "Audit chain intact: %(count)s sealed entries verified, "
                "%(unsealed)s not sealed yet.",
                count=result["entries"],
                unsealed=result["unsealed"],
            )
            if result["anchored"]:
                message += " " + self.env._("The anchor given is held.")
            if not result["keyed"]:
                message += " " + self.env._(
                    "This server holds no audit key: the chain finds accidents, "
                    "not someone who rewrites the database (see the README)."
                )
        else:
            kind = "danger"
            message = self.env._(
                "Audit chain BROKEN: %(count)s entries checked; entry %(entry)s "
                "%(reason)s. Someone changed the log outside Customer Relations.",
                count=result["entries"] + result["unsealed"],
                entry=result["first_broken_id"] or "-",
                reason=self._reason_text(result["reason"]),
            )
        return guards.notification(message, kind, reload=False)

    def _anchor_lines(self, companies):
        rows = self.env.execute_query(
            SQL(
                "SELECT company_id, sequence, entry_hash FROM %s "
                "WHERE company_id = ANY(%s) ORDER BY company_id",
                SQL.identifier(HEAD_TABLE),
                companies.ids,
            )
        )
        heads = {cid: (seq, h) for cid, seq, h in rows}
        stamp = fields.Datetime.to_string(fields.Datetime.now())
        return [
            audit_chain.anchor_line(
                company.id, *heads.get(company.id, (0, audit_chain.GENESIS)), stamp
            )
            for company in companies
        ]

    # === CRON METHODS === #

    @api.model
    def _cron_seal(self):
        """Seal what the sealing after each commit left (it never waits)."""
        return self._seal()

    @api.model
    def _cron_mail_anchor(self):
        """Seal, then mail each company's anchor to its anchor recipients
        (else its auditors), so that the head lives outside the database."""
        self._seal()
        companies = self.env["res.company"].sudo().search([])  # pylint: disable=no-search-all
        auditors = self.env.ref(guards.AUDITOR_GROUP).sudo().all_user_ids
        mails = []
        for company, line in zip(companies, self._anchor_lines(companies), strict=True):
            recipients = company.relation_audit_anchor_email or ",".join(
                user.email
                for user in auditors
                if user.email and company in user.company_ids
            )
            if not recipients:
                continue
            mails.append(
                {
                    "subject": self.env._(
                        "Audit anchor of %(company)s", company=company.name
                    ),
                    "body_html": self.env["ir.qweb"]._render(
                        "crm_relation.audit_anchor_mail",
                        {"company": company, "line": line},
                    ),
                    "email_to": recipients,
                    "email_from": company.email_formatted
                    or self.env.user.email_formatted,
                    "auto_delete": True,
                }
            )
        return self.env["mail.mail"].sudo().create(mails)
