# Copyright 2026 crm_relation developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""19.0.1.7.0: consistent names for the fields the addon adds to other
addons' models.

Field names: every field crm_relation adds to another addon's model
(res.partner, res.users, res.company, res.config.settings, sale.order,
helpdesk.ticket, helpdesk.ticket.category, helpdesk.ticket.team, ...) starts
with ``rfm_`` when it belongs to the RFM evaluation (its figures and
settings) and with ``relation_`` otherwise. Fields that already did keep
their names (``rfm_score``, ``relation_tier_id``, ``rfm_window_days``); the
fields of the mixins the addon puts on those models (review stamps, VIP
badge) follow the rule on every model that inherits them; the fields of the
addon's own models keep their names.

Before the new code loads, each renamed field gets, under its new name:

* its column (company-dependent fields are jsonb columns: the rename keeps
  every company's value) and the column's index;
* its ``ir_model_fields`` row, so that what refers to the row by id keeps
  referring to it: labels and their translations, tracked values, defaults,
  the review key fields;
* the row's xmlid ``field_<model>__<name>`` and its selection values'
  ``selection__<model>__<name>__<value>``, so that the upgrade finds them
  and removes nothing;
* its name in the addon's views of its model (reloaded from their files
  right after, but validated with the views loaded before them), and in
  saved filters and export lists of its model.

Audit trail entries keep the field name they were written with: they are
sealed, and the audit model reads the review stamps' former names.
"""

import logging

from odoo.tools import SQL
from odoo.tools.sql import column_exists, index_exists, make_index_name, rename_column

_logger = logging.getLogger(__name__)

PARTNER = {
    "mobile": "relation_mobile",
    "birthday": "relation_birthday",
    "vip_ids": "relation_vip_ids",
    "is_vip": "relation_is_vip",
    "vip_card_number": "relation_vip_card_number",
    "visit_count": "relation_visit_count",
    "next_visit_date": "relation_next_visit_date",
    "service_ticket_count": "relation_service_ticket_count",
    "service_complaint_count": "relation_service_complaint_count",
    "service_avg_satisfaction": "relation_service_avg_satisfaction",
    "service_avg_resolution_hours": "relation_service_avg_resolution_hours",
}
REVIEW_STAMPS = {
    "review1_done": "relation_review1_done",
    "review1_user_id": "relation_review1_user_id",
    "review1_date": "relation_review1_date",
    "review2_done": "relation_review2_done",
    "review2_user_id": "relation_review2_user_id",
    "review2_date": "relation_review2_date",
    "review_state": "relation_review_state",
    "review_remarks": "relation_review_remarks",
    "review_reset_reason": "relation_review_reset_reason",
}
VIP_BADGE = {
    "is_vip": "relation_is_vip",
    "vip_card_number": "relation_vip_card_number",
}
COMPANY = {
    "vip_window_days": "relation_vip_window_days",
    "vip_min_orders": "relation_vip_min_orders",
    "vip_min_items": "relation_vip_min_items",
    "vip_min_amount": "relation_vip_min_amount",
    "vip_reminder_days": "relation_vip_reminder_days",
    "crm_relation_review_new_customers": "relation_review_new_customers",
    "crm_relation_visit_horizon_days": "relation_visit_horizon_days",
    "crm_relation_visit_missed_days": "relation_visit_missed_days",
    "crm_relation_visit_kpi": "relation_visit_kpi",
    "crm_relation_complaint_tier_ids": "relation_complaint_tier_ids",
    "crm_relation_followup_days": "relation_followup_days",
    "crm_relation_tier_pricelist": "relation_tier_pricelist",
    "crm_relation_vip_pricelist_id": "relation_vip_pricelist_id",
    "crm_relation_audit_anchor_email": "relation_audit_anchor_email",
}
SALE_ORDER = {
    "open_ticket_count": "relation_open_ticket_count",
    "open_complaint_count": "relation_open_complaint_count",
    "complaint_ack_ticket_ids": "relation_complaint_ack_ticket_ids",
}
TICKET = {
    "is_complaint": "relation_is_complaint",
    "intake_tier_id": "relation_intake_tier_id",
    "routing_grade": "relation_routing_grade",
    "satisfaction": "relation_satisfaction",
    "resolution_note": "relation_resolution_note",
    "resolution_hours": "relation_resolution_hours",
    "followup_date": "relation_followup_date",
}
# {model: {former name: name}}
RENAMES = {
    "res.partner": PARTNER | REVIEW_STAMPS,
    # res.partner's fields, reflected on res.users through _inherits.
    "res.users": PARTNER | REVIEW_STAMPS,
    "res.company": COMPANY,
    "res.config.settings": COMPANY,
    "sale.order": SALE_ORDER | VIP_BADGE | REVIEW_STAMPS,
    "helpdesk.ticket": TICKET | VIP_BADGE | REVIEW_STAMPS,
    "helpdesk.ticket.category": {"crm_relation_complaint": "relation_complaint"},
    "helpdesk.ticket.team": {
        "crm_relation_leader_id": "relation_leader_id",
        "crm_relation_leader_group_id": "relation_leader_group_id",
    },
    "crm.relation.review.mixin": REVIEW_STAMPS,
    "crm.relation.vip.badge": VIP_BADGE,
    "crm.relation.visit": REVIEW_STAMPS,
}
MODULE = "crm_relation"


def rename_field(cr, model, old, new):
    """Rename field ``old`` of ``model`` to ``new`` in the database; return
    whether there was anything to rename."""
    cr.execute(
        SQL(
            "SELECT id FROM ir_model_fields WHERE model = %s AND name = %s",
            model,
            old,
        )
    )
    row = cr.fetchone()
    cr.execute(
        SQL(
            "SELECT 1 FROM ir_model_fields WHERE model = %s AND name = %s",
            model,
            new,
        )
    )
    if not row or cr.rowcount:
        return False
    table = model.replace(".", "_")
    if column_exists(cr, table, old) and not column_exists(cr, table, new):
        rename_column(cr, table, old, new)
        old_index, new_index = make_index_name(table, old), make_index_name(table, new)
        if index_exists(cr, old_index) and not index_exists(cr, new_index):
            cr.execute(
                SQL(
                    "ALTER INDEX %s RENAME TO %s",
                    SQL.identifier(old_index),
                    SQL.identifier(new_index),
                )
            )
    cr.execute(SQL("UPDATE ir_model_fields SET name = %s WHERE id = %s", new, row[0]))
    xmodel = model.replace(".", "_")
    cr.execute(
        SQL(
            """
            UPDATE ir_model_data
               SET name = %s
             WHERE module = %s AND model = 'ir.model.fields' AND name = %s
            """,
            f"field_{xmodel}__{new}",
            MODULE,
            f"field_{xmodel}__{old}",
        )
    )
    old_prefix = f"selection__{xmodel}__{old}__"
    cr.execute(
        SQL(
            """
            UPDATE ir_model_data
               SET name = %s || substr(name, %s)
             WHERE module = %s
               AND model = 'ir.model.fields.selection'
               AND starts_with(name, %s)
            """,
            f"selection__{xmodel}__{new}__",
            len(old_prefix) + 1,
            MODULE,
            old_prefix,
        )
    )
    # The addon's views of the model, as the database holds them until their
    # files are loaded again: a view loaded earlier is validated with those
    # inheriting it, which must name the field as the registry does.
    word = rf"\m{old}\M"
    cr.execute(
        SQL(
            """
            UPDATE ir_ui_view view
               SET arch_db = regexp_replace(
                       view.arch_db::text, %(word)s, %(new)s, 'g'
                   )::jsonb
              FROM ir_model_data data
             WHERE data.model = 'ir.ui.view'
               AND data.res_id = view.id
               AND data.module = %(module)s
               AND view.model = %(model)s
               AND view.arch_db::text ~ %(word)s
            """,
            word=word,
            new=new,
            module=MODULE,
            model=model,
        )
    )
    # Saved filters and export lists of the model name fields as text.
    for column in ("domain", "context", "sort"):
        cr.execute(
            SQL(
                """
                UPDATE ir_filters
                   SET %(column)s = regexp_replace(%(column)s, %(word)s, %(new)s, 'g')
                 WHERE model_id = %(model)s AND %(column)s ~ %(word)s
                """,
                column=SQL.identifier(column),
                word=word,
                new=new,
                model=model,
            )
        )
    cr.execute(
        SQL(
            """
            UPDATE ir_exports_line line
               SET name = regexp_replace(line.name, %(head)s, %(new)s)
              FROM ir_exports export
             WHERE export.id = line.export_id
               AND export.resource = %(model)s
               AND line.name ~ %(head)s
            """,
            head=rf"^{old}(?=/|$)",
            new=new,
            model=model,
        )
    )
    return True


def migrate(cr, version):
    if not version:
        return
    renamed = [
        f"{model}.{old}"
        for model, names in RENAMES.items()
        for old, new in names.items()
        if rename_field(cr, model, old, new)
    ]
    _logger.info("crm_relation: %d fields renamed", len(renamed))
