# Copyright 2026 crm_relation developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models

from ..models import guards
from ..models.crm_relation_visit import MANAGER_GROUP


class CrmRelationVisitWeekReturn(models.TransientModel):
    """Send weekly schedules back to their account managers, with a reason."""

    _name = "crm.relation.visit.week.return"
    _description = "Send Back Weekly Schedule"

    week_ids = fields.Many2many(
        "crm.relation.visit.week", string="Weekly Schedules", required=True
    )
    reason = fields.Text(required=True)

    @api.model
    def default_get(self, fields_list):
        res = super().default_get(fields_list)
        if self.env.context.get("active_model") == "crm.relation.visit.week":
            res["week_ids"] = [
                fields.Command.set(self.env.context.get("active_ids", []))
            ]
        return res

    @guards.callers(MANAGER_GROUP)
    def action_return(self):
        guards.ensure_one(self)
        self.week_ids.action_return(self.reason)
        return {"type": "ir.actions.act_window_close"}
