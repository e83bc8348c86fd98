# Copyright 2026 crm_relation developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from collections import defaultdict
from datetime import datetime, time, timedelta

from markupsafe import Markup

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools.misc import clean_context

from ..logic import visit as rules
from . import guards

CHANNELS = [
    ("onsite", "On-site"),
    ("phone", "Phone"),
    ("video", "Video Call"),
    ("email", "Email"),
    ("sms", "SMS"),
]
PURPOSES = [
    ("satisfaction", "Satisfaction Survey"),
    ("behaviour", "Buying-behaviour Survey"),
    ("cross_sell", "Cross-sell / Up-sell"),
    ("follow_up", "Problem Follow-up"),
    ("win_back", "Win Back"),
]
UNITS = [(rules.DAY, "Days"), (rules.WEEK, "Weeks"), (rules.MONTH, "Months")]
STATES = [
    (rules.PLANNED, "Planned"),
    (rules.DONE, "Done"),
    (rules.MISSED, "Missed"),
    (rules.CANCELLED, "Cancelled"),
]
SATISFACTION = [
    ("1", "1 - Very dissatisfied"),
    ("2", "2 - Dissatisfied"),
    ("3", "3 - Neutral"),
    ("4", "4 - Satisfied"),
    ("5", "5 - Very satisfied"),
]
MANAGER_GROUP = guards.MANAGER_GROUP
USER_GROUP = guards.USER_GROUP
# Changing these changes the schedule a manager approved.
SCHEDULE_FIELDS = ("planned_date", "user_id", "company_id", "partner_id")
# What a visit's meeting in Odoo's Calendar shows (see _sync_calendar_events).
CALENDAR_FIELDS = (
    "planned_date",
    "user_id",
    "partner_id",
    "purpose",
    "channel",
    "state",
    "outcome",
)
# Of those, what the meeting's name and description show.
CALENDAR_TEXT_FIELDS = ("partner_id", "purpose", "channel", "state", "outcome")
# Trust flag of the addon's own writes on visit meetings (calendar.event
# refuses the others' deletions and syncs their moves back to the visit).
VISIT_CALENDAR = "visit_calendar"
# All-day meetings: Odoo stores their start and stop as 08:00 and 18:00 of
# the day, in no time zone (calendar.event._inverse_dates).
ALLDAY_START = time(8)
ALLDAY_STOP = time(18)


class CrmRelationVisit(models.Model):
    """One return visit (seed 000): planned, then done (with outcome, the
    customer's needs and opinions, satisfaction and the next step) or missed;
    the supervisor reviews the record and comments."""

    _name = "crm.relation.visit"
    _description = "Customer Visit"
    _inherit = ["mail.thread", "mail.activity.mixin", "crm.relation.review.mixin"]
    _order = "planned_date desc, id desc"
    _check_company_auto = True

    # === FIELDS === #

    plan_id = fields.Many2one(
        "crm.relation.visit.plan", "Visit Plan", index=True, ondelete="set null"
    )
    partner_id = fields.Many2one(
        "res.partner",
        "Customer",
        required=True,
        index=True,
        tracking=True,
        domain="[('parent_id', '=', False)]",
        check_company=True,
    )
    user_id = fields.Many2one(
        "res.users",
        "Account Manager",
        required=True,
        index=True,
        tracking=True,
        default=lambda s: s.env.user,
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda s: s.env.company
    )
    planned_date = fields.Date(
        required=True, index=True, tracking=True, default=fields.Date.context_today
    )
    done_date = fields.Date(readonly=True, copy=False, tracking=True, guarded=True)
    state = fields.Selection(
        STATES,
        required=True,
        default=rules.PLANNED,
        readonly=True,
        tracking=True,
        guarded=True,
    )
    channel = fields.Selection(CHANNELS, required=True, default="phone")
    purpose = fields.Selection(PURPOSES, required=True, default="satisfaction")
    outcome = fields.Text()
    customer_needs = fields.Text("Customer Needs and Opinions")
    satisfaction = fields.Selection(SATISFACTION, tracking=True)
    next_step = fields.Text()
    supervisor_comment = fields.Text(
        "Supervisor's Comment",
        tracking=True,
        help="The supervisor's review of the visit record and guidance; "
        "customer managers write it.",
    )
    supervisor_id = fields.Many2one(
        "res.users", "Commented By", readonly=True, guarded=True
    )
    week_id = fields.Many2one(
        "crm.relation.visit.week", readonly=True, index=True, copy=False, guarded=True
    )
    handover_from_id = fields.Many2one(
        "res.users",
        "Handed Over From",
        readonly=True,
        copy=False,
        guarded=True,
        help="The account manager who handed this visit over, e.g. before a holiday.",
    )
    calendar_event_id = fields.Many2one(
        "calendar.event",
        "Meeting",
        readonly=True,
        copy=False,
        index="btree_not_null",
        ondelete="set null",
        guarded=True,
        help="The visit as an all-day meeting in its account manager's Odoo "
        "Calendar. It follows the visit: moved, handed over, done (marked "
        "in its name) or cancelled (archived). Moving the meeting in the "
        "Calendar moves the visit.",
    )
    is_late = fields.Boolean(compute="_compute_is_late")
    is_supervisor = fields.Boolean(compute="_compute_is_supervisor")

    _plan_date_uniq = models.UniqueIndex(
        "(plan_id, planned_date) WHERE plan_id IS NOT NULL",
        "A visit plan has one visit a day.",
    )

    # === COMPUTE METHODS === #

    @api.depends("partner_id", "purpose")
    def _compute_display_name(self):
        purposes = dict(self._fields["purpose"]._description_selection(self.env))
        for record in self:
            record.display_name = " · ".join(
                filter(
                    None,
                    [record.partner_id.display_name, purposes.get(record.purpose)],
                )
            )

    @api.depends_context("uid")
    def _compute_is_supervisor(self):
        self.is_supervisor = self.env.user.has_group(MANAGER_GROUP)

    @api.depends("state", "planned_date")
    def _compute_is_late(self):
        today = fields.Date.context_today(self)
        for record in self:
            record.is_late = (
                record.state == rules.PLANNED
                and record.planned_date
                and record.planned_date < today
            )

    # === ONCHANGE METHODS === #

    @api.onchange("plan_id")
    def _onchange_plan_id(self):
        if self.plan_id:
            self.partner_id = self.plan_id.partner_id
            self.user_id = self.plan_id.user_id
            self.channel = self.plan_id.channel
            self.purpose = self.plan_id.purpose

    # === CONSTRAINT METHODS === #

    @api.constrains("partner_id", "plan_id")
    def _check_plan_partner(self):
        for record in self:
            if record.plan_id and record.plan_id.partner_id != record.partner_id:
                raise ValidationError(
                    self.env._(
                        "Visit of %(customer)s cannot belong to plan %(plan)s "
                        "of another customer.",
                        customer=record.partner_id.display_name,
                        plan=record.plan_id.display_name,
                    )
                )

    # === CRUD METHODS === #

    def _guard_hint(self):
        return self.env._(
            "the visit actions (done, missed, cancel, hand over), the "
            "supervisor's comment and the review actions"
        )

    def _check_supervisor_comment(self, vals):
        if "supervisor_comment" in vals and not (
            self.env.su or self.env.user.has_group(MANAGER_GROUP)
        ):
            raise AccessError(
                self.env._(
                    "Only a customer manager writes the supervisor's comment "
                    "on a visit."
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        # What the caller sent, before the commenter is filled in.
        self._check_guarded(vals_list, creating=True)
        commented = False
        for vals in vals_list:
            self._check_supervisor_comment(vals)
            if vals.get("supervisor_comment"):
                vals["supervisor_id"] = self.env.uid
                commented = True
        visits = guards.trusted(self, fields=["supervisor_id"]) if commented else self
        visits = super(CrmRelationVisit, visits).create(vals_list).with_env(self.env)
        visits._assign_weeks()
        visits.week_id._reopen_changed()
        visits._create_calendar_events()
        return visits

    def write(self, vals):
        self._check_supervisor_comment(vals)
        visits = self
        if "supervisor_comment" in vals:
            # The commenter is the user writing the comment, never sent.
            self._check_guarded([vals], creating=False)
            vals = {**vals, "supervisor_id": self.env.uid}
            visits = guards.trusted(self, fields=["supervisor_id"])
        schedule_changed = any(f in vals for f in SCHEDULE_FIELDS)
        old_weeks = (
            self.week_id if schedule_changed else self.env["crm.relation.visit.week"]
        )
        result = super(CrmRelationVisit, visits).write(vals)
        if schedule_changed:
            self._assign_weeks()
            (old_weeks | self.week_id)._reopen_changed()
        changed = {f for f in CALENDAR_FIELDS if f in vals}
        if changed:
            self._sync_calendar_events(changed)
        return result

    def unlink(self):
        events = self.sudo().calendar_event_id
        result = super().unlink()
        guards.trusted(events.sudo(), flags=[VISIT_CALENDAR]).unlink()
        return result

    def _assign_weeks(self):
        """Put each visit in its account manager's Saturday-to-Friday week of
        its company, creating the weeks that do not exist yet."""
        if not self:
            return
        Week = self.env["crm.relation.visit.week"].sudo()
        # Ids first, recordsets once: a union a visit would cost the square
        # of a week's visits (an evaluation plans thousands in one week).
        ids = defaultdict(list)
        for record in self:
            start = rules.week_start(record.planned_date)
            ids[(record.user_id.id, record.company_id.id, start)].append(record.id)
        keys = {key: self.browse(record_ids) for key, record_ids in ids.items()}
        weeks = Week._get_or_create(keys)
        for key, records in keys.items():
            week = weeks[key]
            stale = records.filtered(lambda r, w=week: r.week_id != w)
            if stale:
                guards.trusted(stale.sudo(), fields=["week_id"]).write(
                    {"week_id": week.id}
                )

    # === CALENDAR === #

    def _calendar_event_env(self):
        """``calendar.event`` as the addon's own visit paths write it: as
        superuser (the visit's rights were checked), vouched for, without a
        client's defaults, and sending no mail to anyone: Odoo's calendar
        mails every attendee an invitation or a change of date by default;
        the customer's invitation is sent on purpose when the company says
        so (``_send_customer_invitations``)."""
        context = clean_context(self.env.context)
        for key in ("active_id", "active_ids", "active_model"):
            context.pop(key, None)
        context.update(
            active_model=self._name,
            no_mail_to_attendees=True,
            skip_attendee_notification=True,
            skip_contact_description=True,
            calendar_no_videocall=True,
            mail_create_nolog=True,
            mail_create_nosubscribe=True,
            mail_notrack=True,
        )
        return guards.trusted(
            self.env(context=context, su=True)["calendar.event"],
            flags=[VISIT_CALENDAR],
        )

    def _calendar_event_texts(self):
        """``{visit: {"name": ..., "description": ...}}`` of the visits'
        meetings, in each account manager's language."""
        texts = {}
        for lang, visits in self.grouped(lambda v: v.user_id.lang or "").items():
            visits = visits.with_context(lang=lang or None)
            env = visits.env
            channels = dict(self._fields["channel"]._description_selection(env))
            purposes = dict(self._fields["purpose"]._description_selection(env))
            for visit in visits:
                name = visit.display_name
                if visit.state == rules.DONE:
                    name = env._("%(visit)s (done)", visit=name)
                lines = [
                    env._("Customer visit: %(channel)s, %(purpose)s.",
                          channel=channels.get(visit.channel, ""),
                          purpose=purposes.get(visit.purpose, ""))
                ]  # fmt: skip
                # The outcome stays on the visit: the meeting is read by its
                # attendees, who may include the customer.
                texts[visit] = {
                    "name": name,
                    "description": Markup("<p>%s</p>") % Markup("<br>").join(lines),
                }
        return texts

    def _calendar_event_times(self):
        """The visit's day as Odoo stores an all-day meeting: visits are
        planned by the day, so are their meetings."""
        self.ensure_one()
        return {
            "allday": True,
            "start": datetime.combine(self.planned_date, ALLDAY_START),
            "stop": datetime.combine(self.planned_date, ALLDAY_STOP),
        }

    def _create_calendar_events(self):
        """Give the visits that have none a meeting in their account
        manager's calendar, all in one ``create``. Cancelled visits get
        none. The account manager is the organizer and an attendee; the
        customer is one only when the company invites customers, and never
        to a win-back visit. The meetings are private: colleagues see the
        account manager busy, not whom they visit."""
        visits = self.sudo().filtered(
            lambda v: not v.calendar_event_id and v.state != rules.CANCELLED
        )
        if not visits:
            return
        model_id = self.env["ir.model"]._get_id(self._name)
        texts = visits._calendar_event_texts()
        vals_list = []
        for visit in visits:
            manager = visit.user_id.partner_id
            attendees = [
                Command.create({"partner_id": manager.id, "state": "accepted"})
            ]
            partners = [manager.id]
            if (
                visit.company_id.relation_visit_invite_customers
                and visit.purpose != "win_back"
                and visit.partner_id != manager
            ):
                attendees.append(Command.create({"partner_id": visit.partner_id.id}))
                partners.append(visit.partner_id.id)
            vals_list.append(
                {
                    **texts[visit],
                    **visit._calendar_event_times(),
                    "user_id": visit.user_id.id,
                    "privacy": "private",
                    "partner_ids": [Command.set(partners)],
                    "attendee_ids": attendees,
                    "res_model_id": model_id,
                    "res_id": visit.id,
                }
            )
        events = visits._calendar_event_env().create(vals_list)
        linking = guards.trusted(visits, fields=["calendar_event_id"])
        for visit, event in zip(linking, events, strict=True):
            visit.calendar_event_id = event
        visits._send_customer_invitations(
            "calendar.calendar_template_meeting_invitation"
        )

    def _customer_attendees(self):
        """The customers' attendees of the visits' meetings."""
        attendees = self.env["calendar.attendee"]
        for visit in self.sudo():
            attendees |= visit.calendar_event_id.attendee_ids.filtered(
                lambda a, v=visit: a.partner_id == v.partner_id
            )
        return attendees

    def _send_customer_invitations(self, template_xmlid):
        """Mail the customers who are attendees of the visits' meetings to
        come (``template_xmlid``: Odoo's invitation or change of date). Only
        companies that invite customers have them as attendees."""
        visits = self.sudo().filtered(
            lambda v: (
                v.state == rules.PLANNED
                and v.company_id.relation_visit_invite_customers
                and v.calendar_event_id.active
                and v.calendar_event_id.start > fields.Datetime.now()
            )
        )
        attendees = visits._customer_attendees()
        template = self.env.ref(template_xmlid, raise_if_not_found=False)
        if attendees and template:
            attendees.with_context(no_mail_to_attendees=False)._notify_attendees(
                template, force_send=True
            )

    def _sync_calendar_events(self, changed):
        """Bring the visits' meetings in step after ``changed`` (names of
        ``CALENDAR_FIELDS``) changed: the day, the account manager (organizer
        and attendee), the name and description, archived while cancelled.
        Meetings needing the same change are written together."""
        visits = self.sudo()
        # A planned visit without its meeting (made before the visits had
        # meetings, or planned again) gets it now; past ones get none, nor
        # do overdue ones still planned (until planned again for a coming day).
        today = fields.Date.context_today(self)
        (visits - visits.filtered("calendar_event_id")).filtered(
            lambda v: v.state == rules.PLANNED and v.planned_date >= today
        )._create_calendar_events()
        visits = visits.filtered("calendar_event_id")
        if not visits:
            return
        texts = {}
        if changed & set(CALENDAR_TEXT_FIELDS):
            texts = visits._calendar_event_texts()
        groups = {}
        handed_over = self.env["calendar.event"]
        moved = self.browse()
        for visit in visits:
            event = visit.calendar_event_id
            vals = {}
            active = visit.state != rules.CANCELLED
            if event.active != active:
                vals["active"] = active
            if not (
                event.allday
                and event.start_date == visit.planned_date
                and event.stop_date == visit.planned_date
            ):
                vals.update(visit._calendar_event_times())
                moved |= visit
            for key, value in texts.get(visit, {}).items():
                if event[key] != value:
                    vals[key] = value
            if event.user_id != visit.user_id:
                vals["user_id"] = visit.user_id.id
                commands = [Command.link(visit.user_id.partner_id.id)]
                if event.user_id.partner_id != visit.user_id.partner_id:
                    commands.insert(0, Command.unlink(event.user_id.partner_id.id))
                vals["partner_ids"] = commands
                handed_over |= event
            if vals:
                key = repr(sorted(vals.items()))
                groups.setdefault(key, (vals, []))[1].append(event.id)
        Event = visits._calendar_event_env()
        for vals, event_ids in groups.values():
            Event.browse(event_ids).write(vals)
        if handed_over:
            # The visit is the account manager's own: accepted, as when the
            # meeting was made for them.
            handed_over.attendee_ids.filtered(
                lambda a: (
                    a.partner_id == a.event_id.user_id.partner_id
                    and a.state != "accepted"
                )
            ).sudo().write({"state": "accepted"})
        moved._send_customer_invitations(
            "calendar.calendar_template_meeting_changedate"
        )

    def _sync_from_calendar_events(self, events):
        """The meetings ``events`` of these visits were moved in Odoo's
        Calendar (or by a calendar sync): move the visits to the meetings'
        day, as the current user, then put the meetings back in step (all
        day on the visit's day). Only planned visits move; visits moved to
        the same day are written together."""
        by_day = defaultdict(list)
        for visit in self:
            event = events.browse(visit.sudo().calendar_event_id.id)
            day = event._crm_relation_day()
            if day == visit.planned_date:
                continue
            if visit.state != rules.PLANNED:
                raise UserError(
                    self.env._(
                        "Meeting %(meeting)s is visit %(visit)s, which is "
                        "%(state)s: only a planned visit moves to another day.",
                        meeting=event.sudo().name,
                        visit=visit.display_name,
                        state=dict(
                            self._fields["state"]._description_selection(self.env)
                        )[visit.state],
                    )
                )
            by_day[day].append(visit.id)
        for day, ids in by_day.items():
            self.browse(ids).planned_date = day
        self._sync_calendar_events({"planned_date"})

    # === ACTION METHODS === #

    def _act(self, vals):
        """Write action fields after checking the user may edit the visits."""
        if not self:
            raise UserError(self.env._("Select at least one visit."))
        self.check_access("write")
        return guards.trusted(self.sudo(), fields=guards.ALL).write(vals)

    @guards.callers(USER_GROUP)
    def action_done(self):
        for record in self:
            if record.state not in (rules.PLANNED, rules.MISSED):
                raise UserError(
                    self.env._(
                        "Visit %(visit)s is %(state)s: only planned or missed "
                        "visits can be marked done.",
                        visit=record.display_name,
                        state=dict(STATES)[record.state],
                    )
                )
            if not (record.outcome or "").strip():
                raise UserError(
                    self.env._(
                        "Visit %(visit)s: write its outcome before marking it done.",
                        visit=record.display_name,
                    )
                )
        return self._act(
            {"state": rules.DONE, "done_date": fields.Date.context_today(self)}
        )

    @guards.callers(USER_GROUP)
    def action_cancel(self):
        done = self.filtered(lambda r: r.state == rules.DONE)
        if done:
            raise UserError(
                self.env._(
                    "Visits %(visits)s are done: a done visit cannot be cancelled.",
                    visits=", ".join(done.mapped("display_name")),
                )
            )
        result = self._act({"state": rules.CANCELLED})
        self.week_id._reopen_changed()
        return result

    @guards.callers(USER_GROUP)
    def action_reset(self):
        """Plan a missed or cancelled visit again."""
        self.check_access("write")
        again = self.filtered(lambda r: r.state in (rules.MISSED, rules.CANCELLED))
        if again:
            again._act({"state": rules.PLANNED, "done_date": False})
        return True

    # === BUSINESS METHODS === #

    @api.model
    def _mark_missed(self, today=None):
        """Mark every planned visit overdue past its company's grace days."""
        today = today or fields.Date.context_today(self)
        Visit = self.sudo().browse()
        missed = Visit
        for [company] in Visit._read_group(
            [("state", "=", rules.PLANNED)], ["company_id"]
        ):
            limit = today - timedelta(days=company.relation_visit_missed_days)
            missed |= Visit.search(
                [
                    ("company_id", "=", company.id),
                    ("state", "=", rules.PLANNED),
                    ("planned_date", "<", limit),
                ]
            )
        guards.trusted(missed, fields=["state"]).write({"state": rules.MISSED})
        return missed
