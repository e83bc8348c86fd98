# Copyright 2026 crm_relation developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models

from ..models import guards
from ..models.crm_relation_audit import VERIFIERS


class CrmRelationAuditVerify(models.TransientModel):
    """Verify the audit trail of a company, against an anchor kept outside
    the database if one is given; shows the anchor of the chain as it ends
    now, to keep. Writes nothing but this dialog."""

    _name = "crm.relation.audit.verify"
    _description = "Verify the Audit Trail"

    company_id = fields.Many2one(
        "res.company",
        required=True,
        default=lambda s: s.env.company,
        domain=lambda s: [("id", "in", s.env.user.company_ids.ids)],
    )
    anchor = fields.Char(
        help="An anchor line kept outside Odoo (mailed every day, or copied "
        "from this dialog earlier): the chain must still hold it."
    )
    verified = fields.Boolean(readonly=True)
    intact = fields.Boolean(readonly=True)
    result = fields.Text(readonly=True)
    current_anchor = fields.Char("Anchor Now", readonly=True)

    @guards.callers(*VERIFIERS)
    def action_verify(self):
        guards.ensure_one(self)
        audit = self.env["crm.relation.audit"]
        result = audit.verify_chain(self.company_id.id, self.anchor or None)
        notice = audit._verification_notice(result)["params"]["message"]
        [line] = audit.export_anchor(self.company_id.id)
        self.write(
            {
                "verified": True,
                "intact": result["intact"],
                "result": notice,
                "current_anchor": line,
            }
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
            "name": self.env._("Verify the Audit Trail"),
        }
