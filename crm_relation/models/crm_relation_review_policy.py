# Copyright 2026 crm_relation developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models, tools
from odoo.exceptions import ValidationError


class CrmRelationReviewPolicy(models.Model):
    """The key fields of one reviewed model: editing any of them on a
    reviewed record clears its reviews."""

    _name = "crm.relation.review.policy"
    _description = "Review Key Fields"
    _order = "model"

    model_id = fields.Many2one(
        "ir.model",
        required=True,
        ondelete="cascade",
        domain=[
            (
                "model",
                "in",
                ("res.partner", "sale.order", "helpdesk.ticket", "crm.relation.visit"),
            )
        ],
    )
    model = fields.Char("Model Name", related="model_id.model", store=True)
    field_ids = fields.Many2many(
        "ir.model.fields",
        string="Key Fields",
        domain="[('model_id', '=', model_id), ('store', '=', True)]",
    )

    _model_uniq = models.Constraint(
        "UNIQUE(model_id)", "Each model has one list of key fields."
    )

    @api.constrains("model_id", "field_ids")
    def _check_fields(self):
        for policy in self:
            model = self.env.get(policy.model)
            if model is None or "relation_review1_done" not in model._fields:
                raise ValidationError(
                    self.env._(
                        "Model %(model)s carries no review stamps.",
                        model=policy.model_id.name,
                    )
                )
            foreign = policy.field_ids.filtered(lambda f, p=policy: f.model != p.model)
            stamps = policy.field_ids.filtered(
                lambda f: f.name.startswith("relation_review")
            )
            if foreign or stamps:
                raise ValidationError(
                    self.env._(
                        "Key fields of %(model)s must be its own data fields, "
                        "not %(fields)s.",
                        model=policy.model_id.name,
                        fields=", ".join((foreign | stamps).mapped("name")),
                    )
                )

    @api.model
    @tools.ormcache("model_name")
    def _key_fields(self, model_name):
        policy = self.sudo().search([("model", "=", model_name)], limit=1)
        return tuple(policy.field_ids.mapped("name"))

    @api.model_create_multi
    def create(self, vals_list):
        self.env.registry.clear_cache()
        return super().create(vals_list)

    def write(self, vals):
        self.env.registry.clear_cache()
        return super().write(vals)

    def unlink(self):
        self.env.registry.clear_cache()
        return super().unlink()
