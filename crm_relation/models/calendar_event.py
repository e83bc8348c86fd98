# Copyright 2026 crm_relation developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import pytz

from odoo import models
from odoo.exceptions import UserError

from . import guards
from .crm_relation_visit import VISIT_CALENDAR

# Changing these moves a meeting.
TIME_FIELDS = ("start", "stop", "start_date", "stop_date", "allday")
# What ties a meeting to its visit, and keeps it in the calendar.
LINK_FIELDS = ("res_model_id", "res_model", "res_id", "recurrency")


class CalendarEvent(models.Model):
    """A planned visit is a meeting of its account manager
    (``crm.relation.visit.calendar_event_id``), as a time off or an
    opportunity has its meetings. The visit leads: the addon's own paths
    (flag ``VISIT_CALENDAR``) write its meeting. From the Calendar, or a
    phone or calendar sync, a user who may edit the visit may move its
    meeting to another day, which moves the visit; nobody else edits it, and
    nobody deletes or archives it (cancel the visit)."""

    _inherit = "calendar.event"

    def _get_activity_excluded_models(self):
        # The visit is the account manager's to-do already: its meeting
        # schedules no "Meeting" activity on it.
        return [*super()._get_activity_excluded_models(), "crm.relation.visit"]

    def _crm_relation_visits(self):
        """The visits whose meetings these are."""
        if not self.ids:
            return self.env["crm.relation.visit"]
        return (
            self.env["crm.relation.visit"]
            .sudo()
            .search([("calendar_event_id", "in", self.ids)])
        )

    def _crm_relation_day(self):
        """The day of this meeting: its date when all day, else the day of
        its start in its time zone (or its organizer's)."""
        self.ensure_one()
        event = self.sudo()
        if event.allday:
            return event.start_date
        tz = pytz.timezone(event.event_tz or event.user_id.tz or "UTC")
        return pytz.utc.localize(event.start).astimezone(tz).date()

    def _crm_relation_refuse(self, visits):
        """Refuse what only the visit decides (deleting, archiving,
        unlinking or repeating its meeting), naming the visits."""
        raise UserError(
            self.env._(
                "Meetings %(meetings)s are customer visits %(visits)s: cancel "
                "the visit rather than delete or archive its meeting, and "
                "move the visit or its meeting to change its day.",
                meetings=", ".join(visits.calendar_event_id.mapped("name")),
                visits=", ".join(visits.mapped("display_name")),
            )
        )

    def write(self, vals):
        if guards.has_flag(self.env, VISIT_CALENDAR):
            return super().write(vals)
        visits = self._crm_relation_visits()
        if not visits:
            return super().write(vals)
        # Who may not edit the visit edits its meeting neither (the auditor,
        # colleagues without the visit). A sudo write comes from server code
        # only (RPC never runs as superuser), which has decided access
        # itself (Odoo's calendar and its synchronisations act for the
        # organizer); checking it would be a no-op, as the superuser passes
        # every check. Sudo or not, archiving and unlinking are still refused
        # below, and a move still moves the visit: only the addon's own path
        # (the VISIT_CALENDAR trust flag above) skips those.
        if not self.env.su:
            visits.with_env(self.env).check_access("write")
        if vals.get("active") is False or any(f in vals for f in LINK_FIELDS):
            self._crm_relation_refuse(visits)
        result = super().write(vals)
        if any(f in vals for f in TIME_FIELDS):
            visits.with_env(self.env)._sync_from_calendar_events(self)
        return result

    def unlink(self):
        if not guards.has_flag(self.env, VISIT_CALENDAR):
            visits = self._crm_relation_visits()
            if visits:
                self._crm_relation_refuse(visits)
        return super().unlink()
