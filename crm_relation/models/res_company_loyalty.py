# Copyright 2026 crm_relation developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    """The members' points programme: one of Odoo's own loyalty programmes
    (module ``loyalty``), chosen per company. Its active VIPs get a card in
    it and only they earn points (see ``crm.relation.vip._loyalty_enrol``
    and ``sale.order._program_check_compute_points``)."""

    _inherit = "res.company"

    relation_loyalty_program_id = fields.Many2one(
        "loyalty.program",
        "Members' Points Programme",
        check_company=True,
        domain="[('program_type', '=', 'loyalty')]",
        help="A loyalty card programme of Sales: every active VIP gets a card "
        "in it and earns points by its rules on confirmed orders; other "
        "customers earn nothing in it.",
    )

    @api.constrains("relation_loyalty_program_id")
    def _check_crm_relation_loyalty_program(self):
        # res.company does not check its fields' companies by itself.
        self._check_company(["relation_loyalty_program_id"])
        for company in self:
            program = company.sudo().relation_loyalty_program_id
            if program and program.program_type != "loyalty":
                raise ValidationError(
                    self.env._(
                        'Members\' Points Programme: "%(program)s" is not a '
                        "loyalty card programme (it is of type %(type)s).",
                        program=program.display_name,
                        type=dict(
                            program._fields["program_type"]._description_selection(
                                self.env
                            )
                        )[program.program_type],
                    )
                )

    def write(self, vals):
        res = super().write(vals)
        if vals.get("relation_loyalty_program_id"):
            # VIPs already active when the programme is chosen get their card.
            self.env["crm.relation.vip"].sudo().search(
                [("company_id", "in", self.ids), ("state", "=", "active")]
            )._loyalty_enrol()
        return res
