# Copyright 2026 crm_relation developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""19.0.1.9.0: birthdays and holidays come from OCA's modules.

* Birthdays: the addon's ``relation_birthday`` gives way to OCA
  ``partner_contact_birthdate``'s ``birthdate_date`` (a new dependency,
  installed before the addon is updated). Each birthday is copied where the
  OCA field is empty (a value already there wins), then the former column
  goes.
* Holidays: the holiday care rules no longer list their dates
  (``holiday_dates``): they greet the public holidays of the company's
  country (OCA ``calendar_public_holiday``, China's 2026 and 2027 holidays
  shipped as data). The two default rules get the name of the holiday they
  greet; the dates other holiday rules listed are logged, to be entered as
  public holidays, then the former column goes.

Runs after the addon's models are loaded and before the update removes the
former fields' records (which would drop their columns without copying).
"""

import logging

from odoo.tools import SQL
from odoo.tools.sql import column_exists

_logger = logging.getLogger(__name__)

DEFAULT_HOLIDAY_RULES = {
    "care_rule_spring_festival": "Spring Festival",
    "care_rule_mid_autumn": "Mid-Autumn Festival",
}


def copy_birthdays(cr):
    """Copy ``res_partner.relation_birthday`` into ``birthdate_date`` where
    that is empty and drop the former column; return how many were copied
    (``None`` when there is nothing to migrate)."""
    if not column_exists(cr, "res_partner", "relation_birthday"):
        return None
    if not column_exists(cr, "res_partner", "birthdate_date"):
        _logger.warning(
            "crm_relation: partner_contact_birthdate is not installed, "
            "res_partner.relation_birthday is kept"
        )
        return None
    cr.execute(
        SQL(
            """
            UPDATE res_partner
               SET birthdate_date = relation_birthday
             WHERE birthdate_date IS NULL
               AND relation_birthday IS NOT NULL
            """
        )
    )
    copied = cr.rowcount
    cr.execute(SQL("ALTER TABLE res_partner DROP COLUMN relation_birthday"))
    return copied


def migrate_holiday_rules(cr):
    """Name the default holiday rules' holiday, log the dates other holiday
    rules listed and drop ``crm_relation_care_rule.holiday_dates``; return
    ``{rule id: former dates}`` of the rules logged (``None`` when there is
    nothing to migrate)."""
    if not column_exists(cr, "crm_relation_care_rule", "holiday_dates"):
        return None
    cr.execute(
        SQL(
            """
            UPDATE crm_relation_care_rule rule
               SET holiday_name = v.holiday
              FROM ir_model_data data,
                   (VALUES %s) AS v(xmlid, holiday)
             WHERE data.module = 'crm_relation'
               AND data.model = 'crm.relation.care.rule'
               AND data.name = v.xmlid
               AND data.res_id = rule.id
               AND rule.holiday_name IS NULL
            RETURNING rule.id
            """,
            SQL(", ").join(
                SQL("(%s, %s)", xmlid, holiday)
                for xmlid, holiday in DEFAULT_HOLIDAY_RULES.items()
            ),
        )
    )
    named = {row[0] for row in cr.fetchall()}
    cr.execute(
        SQL(
            """
            SELECT id, holiday_dates
              FROM crm_relation_care_rule
             WHERE kind = 'holiday'
               AND holiday_dates IS NOT NULL
               AND btrim(holiday_dates) != ''
            """
        )
    )
    former = {
        rule_id: dates for rule_id, dates in cr.fetchall() if rule_id not in named
    }
    for rule_id, dates in sorted(former.items()):
        _logger.warning(
            "crm_relation: care rule %s listed the holiday dates %s: enter "
            "them as public holidays of the company's country "
            "(Calendar > Configuration > Public Holidays); the rule now "
            "greets those",
            rule_id,
            dates,
        )
    cr.execute(SQL("ALTER TABLE crm_relation_care_rule DROP COLUMN holiday_dates"))
    return former


def migrate(cr, version):
    if not version:
        return
    copied = copy_birthdays(cr)
    if copied is not None:
        _logger.info("crm_relation: %d birthdays copied to birthdate_date", copied)
    migrate_holiday_rules(cr)
