# Copyright 2026 crm_relation developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, models
from odoo.exceptions import AccessError, UserError

from . import guards

# ``guarded=True``: only the addon's own actions set the field.
# ``guarded="create"``: given when the record is created, then only changed
# by the addon's own actions (e.g. a VIP membership's customer).
ON_CREATE = "create"
# Trust flag: a partner merge writes the merged partners' values on the one
# kept; guarded values among them are left out, not refused.
MERGE = "merge"


class CrmRelationGuarded(models.AbstractModel):
    """Fields that only the addon's own code paths set, for every caller:
    users, administrators and the superuser alike, over every protocol.

    A model declares them on the fields themselves (``guarded=True`` or
    ``guarded="create"``) and inherits this mixin; ``create`` and ``write``
    refuse them unless the context carries a ``guards.Trust`` allowing them
    (see ``guards.trusted``). Copies leave them out. Auditors (without a
    Customer Relations role) post no message, schedule no activity and
    follow nothing on these models.
    """

    _name = "crm.relation.guarded"
    _description = "Fields Set by Customer Relations Alone"

    def _valid_field_parameter(self, field, name):
        return name == "guarded" or super()._valid_field_parameter(field, name)

    @api.model
    def _guarded_fields(self, creating=False):
        """Names of the fields ``create`` (``creating``) or ``write`` refuse."""
        return {
            name
            for name, field in self._fields.items()
            if getattr(field, "guarded", False)
            and not (creating and field.guarded == ON_CREATE)
        }

    def _guard_hint(self):
        """How the guarded fields of this model do change, for the refusal."""
        return self.env._("its own actions")

    def _check_guarded(self, vals_list, creating):
        trust = guards.trust(self.env)
        if trust.fields is guards.ALL:
            return
        guarded = self._guarded_fields(creating)
        touched = {}
        for vals in vals_list:
            for name in guarded & vals.keys():
                if not trust.allows(name):
                    touched.setdefault(name, vals[name])
        if creating:
            # Defaults a client put in the context would set them too.
            for name in guarded:
                key = f"default_{name}"
                if key in self.env.context and not trust.allows(name):
                    touched.setdefault(name, self.env.context[key])
        if not touched:
            return
        labels = ", ".join(
            f"{self._fields[name].get_description(self.env)['string']} ({name}) "
            f"= {guards.short_repr(value, 40)}"
            for name, value in sorted(touched.items())
        )
        raise UserError(
            self.env._(
                "%(fields)s of %(model)s cannot be set by hand or over RPC, by "
                "anyone: they change through %(how)s.",
                fields=labels,
                model=self._description,
                how=self._guard_hint(),
            )
        )

    @api.model_create_multi
    def create(self, vals_list):
        self._check_guarded(vals_list, creating=True)
        return super().create(vals_list)

    def write(self, vals):
        if (
            guards.has_flag(self.env, MERGE)
            and guards.trust(self.env).fields is not guards.ALL
        ):
            guarded = self._guarded_fields()
            vals = {k: v for k, v in vals.items() if k not in guarded}
        self._check_guarded([vals], creating=False)
        return super().write(vals)

    def copy_data(self, default=None):
        # A copy starts without what the addon's actions set on the original;
        # a value for one of them in ``default`` is refused by ``create``.
        dropped = {
            name
            for name, field in self._fields.items()
            if getattr(field, "guarded", False) is True
        } - set(default or ())
        return [
            {k: v for k, v in vals.items() if k not in dropped}
            for vals in super().copy_data(default)
        ]

    # The auditor writes nothing: no message, activity or follower.

    def _crm_relation_auditor_only(self):
        env = self.env
        return (
            not env.su
            and env.user.has_group(guards.AUDITOR_GROUP)
            and not env.user.has_group(guards.USER_GROUP)
        )

    def _mail_get_operation_for_mail_message_operation(self, message_operation):
        operations = super()._mail_get_operation_for_mail_message_operation(
            message_operation
        )
        if message_operation != "read" and self._crm_relation_auditor_only():
            # Auditors hold no write right here: posting, scheduling and
            # following need one.
            return dict.fromkeys(operations, "write")
        return operations

    def _crm_relation_refuse_auditor(self):
        if self._crm_relation_auditor_only():
            raise AccessError(
                self.env._(
                    "Auditors read %(model)s; they post, schedule and follow "
                    "nothing on it.",
                    model=self._description,
                )
            )
