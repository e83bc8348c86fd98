# Copyright 2026 crm_relation developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models
from odoo.tools import SQL

from .res_partner import RELATION_STATUSES

TRIGGERS = [("scheduled", "Scheduled"), ("manual", "Manual"), ("sync", "Sync")]


class CrmRelationTierHistory(models.Model):
    """A change of a customer's tier or status, written by the evaluation.

    Warnings (seed 004, 中高端客户预警): a downgrade, or a P/G customer
    turning dormant, is flagged here and gets an activity for the customer's
    account manager.

    Append-only: the evaluation inserts the rows in SQL, and seals each
    evaluation's rows with one audit entry (``audit_id``) carrying their
    count and digest (:meth:`_digest_query`); the audit trail's verification
    recomputes it, so that a row changed, removed or added in SQL is found
    without a second copy of the rows in the trail. A customer with history
    cannot be deleted (archive it), nor a tier it names.
    """

    _name = "crm.relation.tier.history"
    _inherit = ["crm.relation.append.only"]
    _description = "Customer Tier Change"
    _order = "date desc, id desc"
    _rec_name = "partner_id"

    partner_id = fields.Many2one(
        "res.partner", "Customer", required=True, index=True, ondelete="restrict"
    )
    company_id = fields.Many2one("res.company", required=True, index=True)
    date = fields.Datetime(required=True, default=fields.Datetime.now, index=True)
    old_tier_id = fields.Many2one(
        "crm.relation.tier", "Previous Tier", ondelete="restrict"
    )
    new_tier_id = fields.Many2one("crm.relation.tier", ondelete="restrict")
    old_status = fields.Selection(RELATION_STATUSES, "Previous Status")
    new_status = fields.Selection(RELATION_STATUSES)
    r_score = fields.Integer("R")
    f_score = fields.Integer("F")
    m_score = fields.Integer("M")
    score = fields.Integer()
    trigger = fields.Selection(TRIGGERS, required=True, default="manual")
    movement = fields.Selection(
        [("up", "Upgrade"), ("down", "Downgrade"), ("same", "Same tier")],
        required=True,
        default="same",
    )
    is_warning = fields.Boolean("At Risk", index=True)
    warning_reason = fields.Char()
    user_id = fields.Many2one(
        "res.users", "Account Manager", related="partner_id.user_id"
    )
    audit_id = fields.Many2one(
        "crm.relation.audit",
        "Sealed By",
        readonly=True,
        index=True,
        ondelete="restrict",
        help="The audit entry of the evaluation that wrote this change: it "
        "carries the count and digest of the evaluation's changes.",
    )

    # The customer the evaluation wrote the row for, kept without a foreign
    # key: merging customers moves ``partner_id`` to the one kept (in SQL),
    # never this, so that the digest still fits; verification checks that
    # ``partner_id`` differs from it only when that customer is gone.
    original_partner_id = fields.Integer("Original Customer ID", readonly=True)

    # What a row's digest covers, in this order.
    DIGESTED = (
        "id", "original_partner_id", "company_id", "date", "old_tier_id", "new_tier_id",
        "old_status", "new_status", "r_score", "f_score", "m_score", "score",
        "trigger", "movement", "is_warning", "warning_reason",
    )  # fmt: skip

    def _digest_query(self, table, group_by=None, where=None):
        """SQL giving ``(count, digest)`` of the rows of ``table`` (this
        model's table or the evaluation's staging table), one row per value
        of the column ``group_by`` when given (then first), filtered by the
        SQL condition ``where``: the digest is SHA-256 over the SHA-256 of
        each row's content as a JSON array, in the order of the rows' ids.
        Writer and verifier both use it: the same SQL, the same text."""
        row = SQL(
            "jsonb_build_array(%s)::text",
            SQL(", ").join(SQL.identifier(name) for name in self.DIGESTED),
        )
        digest = SQL(
            "encode(sha256(convert_to(COALESCE(string_agg("
            "encode(sha256(convert_to(%s, 'UTF8')), 'hex'), '' ORDER BY id), ''), "
            "'UTF8')), 'hex')",
            row,
        )
        if group_by:
            return SQL(
                "SELECT %(key)s, count(*), %(digest)s FROM %(table)s "
                "WHERE %(where)s GROUP BY %(key)s",
                key=SQL.identifier(group_by),
                digest=digest,
                table=table,
                where=where or SQL("true"),
            )
        return SQL(
            "SELECT count(*), %(digest)s FROM %(table)s WHERE %(where)s",
            digest=digest,
            table=table,
            where=where or SQL("true"),
        )
