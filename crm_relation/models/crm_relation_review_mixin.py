# Copyright 2026 crm_relation developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from ..logic import review
from . import guards

# The stamps the audit trail follows.
AUDITED_STAMPS = (
    "relation_review1_done",
    "relation_review1_user_id",
    "relation_review2_done",
    "relation_review2_user_id",
)
USER_GROUP = guards.USER_GROUP
MANAGER_GROUP = guards.MANAGER_GROUP


class CrmRelationReviewMixin(models.AbstractModel):
    """First and second review stamps (seed 000: 初审标记、复审标记、审核人).

    A Customer Relations user gives a record its first review; a customer
    manager other than the first reviewer gives the second. Editing one of
    the record's key fields (``crm.relation.review.policy``) clears both and
    says why. Registration and last-modified dates are Odoo's own
    ``create_date`` and ``write_date``.
    """

    _name = "crm.relation.review.mixin"
    _inherit = ["crm.relation.guarded"]
    _description = "Two-stage Review Stamps"

    relation_review1_done = fields.Boolean(
        "First Review", readonly=True, copy=False, guarded=True
    )
    relation_review1_user_id = fields.Many2one(
        "res.users", "First Reviewer", readonly=True, copy=False, guarded=True
    )
    relation_review1_date = fields.Datetime(
        "First Reviewed On", readonly=True, copy=False, guarded=True
    )
    relation_review2_done = fields.Boolean(
        "Second Review", readonly=True, copy=False, guarded=True
    )
    relation_review2_user_id = fields.Many2one(
        "res.users", "Second Reviewer", readonly=True, copy=False, guarded=True
    )
    relation_review2_date = fields.Datetime(
        "Second Reviewed On", readonly=True, copy=False, guarded=True
    )
    relation_review_state = fields.Selection(
        [
            ("none", "Not Reviewed"),
            ("first", "First Review Done"),
            ("second", "Fully Reviewed"),
        ],
        compute="_compute_review_state",
        store=True,
        string="Review",
        guarded=True,
    )
    relation_review_remarks = fields.Text(copy=False, string="Review Remarks")
    relation_review_reset_reason = fields.Char(
        "Reviews Cleared Because", readonly=True, copy=False, guarded=True
    )

    @api.depends("relation_review1_done", "relation_review2_done")
    def _compute_review_state(self):
        for record in self:
            record.relation_review_state = (
                "second"
                if record.relation_review2_done
                else "first"
                if record.relation_review1_done
                else "none"
            )

    def _guard_hint(self):
        return self.env._(
            "the First Review and Second Review actions, and the other actions "
            "of Customer Relations"
        )

    def write(self, vals):
        keys = [
            name
            for name in self.env["crm.relation.review.policy"]._key_fields(self._name)
            if name in vals
        ]
        reviewed = self.filtered("relation_review1_done") if keys else self.browse()
        if not reviewed:
            return super().write(vals)
        audit = self.env["crm.relation.audit"]
        before = audit._snapshot(reviewed, keys)
        result = super().write(vals)
        after = audit._snapshot(reviewed, keys)
        for record in reviewed:
            changed = review.changed_keys(keys, before[record.id], after[record.id])
            # Lines edited in place keep their ids: any command counts.
            changed += [
                name
                for name in keys
                if self._fields[name].type in ("one2many", "many2many")
                and name not in changed
            ]
            if changed:
                record._review_clear(changed)
        return result

    def _review_clear(self, fnames):
        """Clear both reviews of these records because ``fnames`` changed."""
        labels = ", ".join(
            self._fields[f].get_description(self.env)["string"] for f in fnames
        )
        reason = self.env._(
            "%(fields)s changed by %(user)s on %(date)s",
            fields=labels,
            user=self.env.user.name,
            date=fields.Datetime.to_string(fields.Datetime.now()),
        )
        self._review_stamp(
            {
                "relation_review1_done": False,
                "relation_review1_user_id": False,
                "relation_review1_date": False,
                "relation_review2_done": False,
                "relation_review2_user_id": False,
                "relation_review2_date": False,
                "relation_review_reset_reason": reason,
            },
            self.env._("Reviews cleared: %s", reason),
        )

    # Review actions (buttons, and server actions on a list's selection)

    @guards.callers(USER_GROUP)
    def action_review_first(self):
        self.check_access("read")
        for record in self:
            refusal = review.first_review_refusal(record.relation_review1_done)
            if refusal:
                raise UserError(self._review_refusal_message(record, refusal))
        self._review_stamp(
            {
                "relation_review1_done": True,
                "relation_review1_user_id": self.env.uid,
                "relation_review1_date": fields.Datetime.now(),
                "relation_review_reset_reason": False,
            },
            self.env._("First review done."),
        )
        return True

    @guards.callers(USER_GROUP)
    def action_review_second(self):
        is_manager = self.env.user.has_group(MANAGER_GROUP)
        self.check_access("read")
        for record in self:
            refusal = review.second_review_refusal(
                record.relation_review1_done,
                record.relation_review2_done,
                record.relation_review1_user_id.id,
                self.env.uid,
                is_manager,
            )
            if refusal == review.REFUSED_NOT_MANAGER:
                raise AccessError(
                    self.env._("Only customer managers may give a second review.")
                )
            if refusal:
                raise UserError(self._review_refusal_message(record, refusal))
        self._review_stamp(
            {
                "relation_review2_done": True,
                "relation_review2_user_id": self.env.uid,
                "relation_review2_date": fields.Datetime.now(),
            },
            self.env._("Second review done."),
        )
        return True

    def _review_refusal_message(self, record, refusal):
        messages = {
            review.REFUSED_ALREADY_FIRST: self.env._(
                "%(record)s already has its first review, by %(user)s.",
                record=record.display_name,
                user=record.relation_review1_user_id.name,
            ),
            review.REFUSED_NO_FIRST: self.env._(
                "%(record)s needs its first review before the second.",
                record=record.display_name,
            ),
            review.REFUSED_ALREADY_SECOND: self.env._(
                "%(record)s already has its second review, by %(user)s.",
                record=record.display_name,
                user=record.relation_review2_user_id.name,
            ),
            review.REFUSED_SAME_REVIEWER: self.env._(
                "You gave %(record)s its first review: the second review must "
                "come from another customer manager.",
                record=record.display_name,
            ),
        }
        return messages[refusal]

    def _review_stamp(self, vals, message):
        """Write stamps as superuser, log them in the audit trail and the
        chatter, in the user's name."""
        audit = self.env["crm.relation.audit"]
        before = audit._snapshot(self, AUDITED_STAMPS)
        guards.trusted(self.sudo(), fields=guards.ALL).write(vals)
        audit._log_changes(self, AUDITED_STAMPS, before)
        if hasattr(self, "message_post"):
            for record in self.sudo():
                record.message_post(
                    body=message,
                    author_id=self.env.user.partner_id.id,
                    message_type="comment",
                    subtype_xmlid="mail.mt_note",
                )

    def _review_by_manager(self):
        """Whether a customer manager has reviewed this record."""
        self.ensure_one()
        return self.relation_review2_done or (
            self.relation_review1_done
            and self.relation_review1_user_id.has_group(MANAGER_GROUP)
        )
