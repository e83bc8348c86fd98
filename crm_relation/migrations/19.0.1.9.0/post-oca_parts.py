# Copyright 2026 crm_relation developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""19.0.1.9.0: birthdays and holidays come from OCA's modules.

* Birthdays: the addon's ``relation_birthday`` gives way to OCA
  ``partner_contact_birthdate``'s ``birthdate_date`` (a new dependency,
  installed before the addon is updated). Each birthday is copied where the
  OCA field is empty (a value already there wins, the other one is
  logged), then the former column goes.
* Holidays: the holiday care rules no longer list their dates
  (``holiday_dates``): they greet the public holidays of the company's
  country (OCA ``calendar_public_holiday``, China's 2026 and 2027 holidays
  shipped as data). The two default rules get the name of the holiday they
  greet (their dates are logged when they differ from the shipped ones).
  Another rule without a holiday name would now greet every public
  holiday: when its dates are all the days of one public holiday of its
  company's country, it gets that name; otherwise it is archived and its
  message says which dates it listed, for an administrator to review. The
  dates of every rule other than the defaults are logged, then the former
  column goes.

Runs after the addon's models are loaded and before the update removes the
former fields' records (which would drop their columns without copying).
"""

import json
import logging
from datetime import date

from markupsafe import Markup

from odoo import SUPERUSER_ID, api
from odoo.tools import SQL
from odoo.tools.sql import column_exists

_logger = logging.getLogger(__name__)

DEFAULT_HOLIDAY_RULES = {
    "care_rule_spring_festival": "Spring Festival",
    "care_rule_mid_autumn": "Mid-Autumn Festival",
}
# The dates the default rules shipped with before 19.0.1.9.0.
DEFAULT_HOLIDAY_DATES = {
    "care_rule_spring_festival": "2026-02-17, 2027-02-06, 2028-01-26, "
    "2029-02-13, 2030-02-03",
    "care_rule_mid_autumn": "2026-09-25, 2027-09-15, 2028-10-03, "
    "2029-09-22, 2030-09-12",
}


def parse_dates(text):
    """The former Holiday Dates as ``(year or None, month, day)``, or
    ``None`` when an entry is not ``YYYY-MM-DD`` or ``MM-DD``."""
    entries = []
    for raw in (text or "").replace(";", ",").replace("\n", ",").split(","):
        entry = raw.strip()
        if not entry:
            continue
        parts = entry.split("-")
        try:
            numbers = [int(part) for part in parts]
            if len(parts) == 3 and len(parts[0]) == 4:
                date(*numbers)
                entries.append(tuple(numbers))
            elif len(parts) == 2:
                date(2000, *numbers)  # a leap year: 02-29 is valid
                entries.append((None, *numbers))
            else:
                return None
        except (TypeError, ValueError):
            return None
    return entries


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
            SELECT id, relation_birthday, birthdate_date
              FROM res_partner
             WHERE relation_birthday IS NOT NULL
               AND birthdate_date IS NOT NULL
               AND relation_birthday != birthdate_date
             ORDER BY id
            """
        )
    )
    for partner_id, former, kept in cr.fetchall():
        _logger.warning(
            "crm_relation: partner %s had the birthday %s and the birthdate "
            "%s (partner_contact_birthdate): the birthdate is kept",
            partner_id,
            former,
            kept,
        )
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
    """Name the default holiday rules' holiday, give another rule without a
    holiday name the name of the public holiday its dates are the days of
    (else archive it, the dates in its message), log the dates of the rules
    other than the defaults (and the defaults' when changed) and drop
    ``crm_relation_care_rule.holiday_dates``; return ``{rule id: former
    dates}`` of the rules other than the defaults (``None`` when there is
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
            """,
            SQL(", ").join(
                SQL("(%s, %s)", xmlid, holiday)
                for xmlid, holiday in DEFAULT_HOLIDAY_RULES.items()
            ),
        )
    )
    cr.execute(
        SQL(
            """
            SELECT rule.id, rule.holiday_dates, rule.holiday_name,
                   partner.country_id, data.name
              FROM crm_relation_care_rule rule
              JOIN res_company company ON company.id = rule.company_id
              JOIN res_partner partner ON partner.id = company.partner_id
              LEFT JOIN ir_model_data data
                ON data.module = 'crm_relation'
               AND data.model = 'crm.relation.care.rule'
               AND data.res_id = rule.id
               AND data.name IN %s
             WHERE rule.kind = 'holiday'
               AND rule.holiday_dates IS NOT NULL
               AND btrim(rule.holiday_dates) != ''
             ORDER BY rule.id
            """,
            tuple(DEFAULT_HOLIDAY_RULES),
        )
    )
    rules = cr.fetchall()
    former = {}
    unmapped = {}
    for rule_id, dates, name, country_id, xmlid in rules:
        if xmlid:
            if parse_dates(dates) != parse_dates(DEFAULT_HOLIDAY_DATES[xmlid]):
                _logger.warning(
                    "crm_relation: the default care rule %s (%s) listed the "
                    "holiday dates %s: it now greets the %s public holidays "
                    "of the company's country (Calendar > Configuration > "
                    "Public Holidays); enter other dates there",
                    rule_id,
                    xmlid,
                    dates,
                    name,
                )
            continue
        former[rule_id] = dates
        mapped = None
        if not (name and name.strip()):
            mapped = _holiday_of(cr, parse_dates(dates), country_id)
            if mapped:
                cr.execute(
                    SQL(
                        "UPDATE crm_relation_care_rule SET holiday_name = %s "
                        "WHERE id = %s",
                        mapped,
                        rule_id,
                    )
                )
            else:
                unmapped[rule_id] = dates
        if mapped:
            now = f"it now greets the public holiday {mapped}"
        elif rule_id in unmapped:
            now = "archived, to review (see its message)"
        else:
            now = f"it now greets the public holidays named {name}"
        _logger.warning(
            "crm_relation: care rule %s listed the holiday dates %s: %s "
            "(public holidays of the company's country: Calendar > "
            "Configuration > Public Holidays)",
            rule_id,
            dates,
            now,
        )
    if unmapped:
        _archive(cr, unmapped)
    cr.execute(SQL("ALTER TABLE crm_relation_care_rule DROP COLUMN holiday_dates"))
    return former


def _holiday_of(cr, entries, country_id):
    """The English name of the one public holiday of ``country_id`` (or of
    no country: those the rules greet) whose days are every date of
    ``entries`` (``MM-DD``: that day of any year), else ``None``."""
    if not entries:
        return None
    cr.execute(
        SQL(
            """
            SELECT l.date, l.name->>'en_US'
              FROM calendar_public_holiday_line l
              JOIN calendar_public_holiday h ON h.id = l.public_holiday_id
             WHERE h.country_id IS NULL OR h.country_id = %s
            """,
            country_id or None,
        )
    )
    lines = cr.fetchall()
    names = set()
    for year, month, day in entries:
        found = {
            name
            for when, name in lines
            if (when.month, when.day) == (month, day) and year in (None, when.year)
        }
        if not found:
            return None
        names |= found
    return names.pop() if len(names) == 1 else None


def _archive(cr, unmapped):
    """Archive the rules of ``unmapped`` (``{rule id: former dates}``) and
    add to their message, in each language, the paragraph saying so."""
    env = api.Environment(cr, SUPERUSER_ID, {})
    Rule = env["crm.relation.care.rule"]
    langs = env["res.lang"].search([]).mapped("code")
    cr.execute(
        SQL(
            "SELECT id, note FROM crm_relation_care_rule WHERE id IN %s",
            tuple(unmapped),
        )
    )
    for rule_id, note in cr.fetchall():
        note = note or {}
        base = note.get("en_US") or ""
        values = {
            lang: Markup(note.get(lang) or base)
            + Rule.with_context(lang=lang)._former_dates_note(unmapped[rule_id])
            for lang in sorted(set(note) | set(langs) | {"en_US"})
        }
        cr.execute(
            SQL(
                "UPDATE crm_relation_care_rule SET active = FALSE, note = %s "
                "WHERE id = %s",
                SQL("%s::jsonb", json.dumps(values)),
                rule_id,
            )
        )
    Rule.invalidate_model(["active", "note"])


def migrate(cr, version):
    if not version:
        return
    copied = copy_birthdays(cr)
    if copied is not None:
        _logger.info("crm_relation: %d birthdays copied to birthdate_date", copied)
    migrate_holiday_rules(cr)
