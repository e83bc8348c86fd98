# Copyright 2026 crm_relation developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging

from odoo import api, models

_logger = logging.getLogger(__name__)


class CalendarPublicHoliday(models.Model):
    """OCA's public holidays of a year and country (calendar_public_holiday),
    which allows one set per year and country: the addon's data creates
    China's through :meth:`_crm_relation_load_holidays`, which leaves a year
    the database already has alone."""

    _inherit = "calendar.public.holiday"

    @api.model
    def _crm_relation_load_holidays(self, country_xmlid, year, xmlid, lines):
        """Create the public holidays of ``year`` in the country of
        ``country_xmlid`` with the addon's xml id ``xmlid`` (its lines
        ``{xmlid}_{key}``; ``lines``: ``(key, date, name)``), once; skip a
        year and country that already has a set of its own (OCA's
        ``_check_year``). Return the set created, else an empty one."""
        data = self.env["ir.model.data"]
        if data._xmlid_to_res_id(f"crm_relation.{xmlid}", raise_if_not_found=False):
            return self.browse()
        country = self.env.ref(country_xmlid)
        if self.with_context(active_test=False).search_count(
            [("year", "=", year), ("country_id", "=", country.id)]
        ):
            _logger.info(
                "crm_relation: the public holidays of %s in %s are already "
                "there: the addon's are not loaded, the holiday care rules "
                "greet those",
                country.code,
                year,
            )
            return self.browse()
        holiday = self.create({"year": year, "country_id": country.id})
        days = self.env["calendar.public.holiday.line"].create(
            [
                {"public_holiday_id": holiday.id, "date": day, "name": name}
                for _key, day, name in lines
            ]
        )
        data._update_xmlids(
            [{"xml_id": f"crm_relation.{xmlid}", "record": holiday, "noupdate": True}]
            + [
                {
                    "xml_id": f"crm_relation.{xmlid}_{key}",
                    "record": line,
                    "noupdate": True,
                }
                for (key, _day, _name), line in zip(lines, days, strict=True)
            ]
        )
        return holiday
