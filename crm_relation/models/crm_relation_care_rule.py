# Copyright 2026 crm_relation developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from collections import defaultdict
from datetime import date

from markupsafe import Markup, escape

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

from ..logic import care
from . import guards

KINDS = [
    (care.BIRTHDAY, "Birthday"),
    (care.AFTER_PURCHASE, "After a Purchase"),
    (care.VIP_EXPIRY, "VIP Card Expiry"),
    (care.HOLIDAY, "Holiday"),
    (care.PARTNER_TAG, "Customer Tag"),
]
MANAGER_GROUP = guards.MANAGER_GROUP
BATCH = 1000
# What the partner filter reads, and what each kind's query reads besides:
# flushed before the query runs.
PARTNER_FIELDS = [
    "active", "company_id", "customer_rank", "commercial_partner_id", "category_id",
]  # fmt: skip
DUE_FIELDS = {
    care.BIRTHDAY: {"res.partner": ["birthdate_date"]},
    care.AFTER_PURCHASE: {
        "account.move": [
            "move_type", "state", "company_id", "invoice_date", "commercial_partner_id",
        ],
        "account.move.line": ["move_id"],
        "sale.order.line": ["invoice_lines", "order_id"],
        "sale.order": ["partner_id"],
        "stock.picking": [
            "sale_id", "picking_type_id", "state", "date_done", "company_id",
        ],
        "stock.picking.type": ["code"],
    },
    care.VIP_EXPIRY: {
        "crm.relation.vip": ["partner_id", "company_id", "state", "date_end"],
    },
    care.HOLIDAY: {
        "calendar.public.holiday": ["country_id"],
        "calendar.public.holiday.line": [
            "name", "date", "public_holiday_id", "state_ids",
        ],
    },
    care.PARTNER_TAG: {},
}  # fmt: skip


class CrmRelationCareRule(models.Model):
    """A customer-care rule of one company (seed 003, L540-549).

    Every day the rule finds the causes due (a birthday, a purchase, a VIP
    card about to expire, a holiday, a customer tag), and schedules one
    activity on the customer for its account manager per cause, once: the
    care log keeps the causes fired, unique per rule and customer. See
    ``logic/care.py`` for the dates and the catch-up window.
    """

    _name = "crm.relation.care.rule"
    _description = "Customer Care Rule"
    _order = "company_id, sequence, id"

    # === FIELDS === #

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    kind = fields.Selection(KINDS, "Trigger", required=True, default=care.BIRTHDAY)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda s: s.env.company
    )
    days = fields.Integer(
        help="Birthday, holiday, VIP card expiry: days before the day. "
        "After a purchase: days after the purchase. Customer tag: repeat "
        "every so many days (0: once per customer, when first tagged).",
    )
    holiday_name = fields.Char(
        "Public Holiday",
        help="Holiday rules fire before the public holidays of the company's "
        "country (OCA's Public Holidays, in the Calendar's configuration). "
        "Only those of this name, in any language (e.g. Spring Festival or "
        "春节); empty: every public holiday.",
    )
    next_holiday = fields.Date(
        compute="_compute_next_holiday",
        help="The next public holiday of the company's country the rule greets.",
    )
    category_ids = fields.Many2many(
        "res.partner.category",
        "crm_relation_care_rule_category_rel",
        "rule_id",
        "category_id",
        "Customer Tags",
        help="Customer tag rules: the customers carrying one of these tags. "
        "Other rules: only these customers (empty: every customer).",
    )
    activity_type_id = fields.Many2one(
        "mail.activity.type",
        required=True,
        ondelete="restrict",
        domain="[('res_model', 'in', (False, 'res.partner'))]",
        default=lambda s: s.env.ref(
            "crm_relation.mail_activity_care", raise_if_not_found=False
        ),
    )
    summary = fields.Char(translate=True, help="The activity's summary.")
    note = fields.Html(
        "Message", translate=True, help="What to say or do: the activity's note."
    )
    user_id = fields.Many2one(
        "res.users",
        "Fallback Responsible",
        required=True,
        default=lambda s: s.env.user,
        domain="[('share', '=', False), ('company_ids', 'in', company_id)]",
        help="The activity goes to the customer's account manager (its "
        "salesperson); to this user when the customer has none, or one "
        "who does not work for the rule's company.",
    )
    log_ids = fields.One2many("crm.relation.care.log", "rule_id", "Care Log")
    log_count = fields.Integer("Fired", compute="_compute_log_count")

    # === COMPUTE METHODS === #

    @api.depends("kind", "holiday_name", "company_id")
    def _compute_next_holiday(self):
        today = fields.Date.context_today(self)
        for rule in self:
            rule.next_holiday = False
            if rule.kind == care.HOLIDAY and rule.company_id:
                days = rule._holidays(today, date.max)
                rule.next_holiday = days[0] if days else False

    def _compute_log_count(self):
        counts = dict(
            self.env["crm.relation.care.log"]._read_group(
                [("rule_id", "in", self.ids)], ["rule_id"], ["__count"]
            )
        )
        for rule in self:
            rule.log_count = counts.get(rule, 0)

    # === CONSTRAINT METHODS === #

    @api.constrains("kind", "days", "category_ids")
    def _check_rule(self):
        for rule in self:
            if not care.check_days(rule.kind, rule.days):
                raise ValidationError(
                    self.env._(
                        "Care rule %(rule)s: Days must be between 0 and "
                        "%(max)s, not %(days)s.",
                        rule=rule.name,
                        max=care.MAX_DAYS,
                        days=rule.days,
                    )
                )
            if rule.kind == care.PARTNER_TAG and not rule.category_ids:
                raise ValidationError(
                    self.env._(
                        "Care rule %(rule)s: a customer tag rule needs at "
                        "least one tag in Customer Tags.",
                        rule=rule.name,
                    )
                )

    # === CRUD METHODS === #

    @api.ondelete(at_uninstall=False)
    def _unlink_unless_fired(self):
        fired = self.filtered("log_ids")
        if fired:
            raise UserError(
                self.env._(
                    "Care rule %(rule)s has fired: archive it instead of "
                    "deleting it, the care log keeps its history.",
                    rule=fired[0].name,
                )
            )

    # === ACTION METHODS === #

    @guards.callers(MANAGER_GROUP)
    def action_run_now(self):
        """Fire these rules for today (managers)."""
        self.check_access("write")
        today = fields.Date.context_today(self)
        fired = sum(
            rule.sudo().with_company(rule.company_id)._fire(today)
            for rule in self.filtered("active")
        )
        return guards.notification(
            self.env._("%(count)s care activity(ies) scheduled.", count=fired)
        )

    @guards.callers(guards.USER_GROUP, guards.AUDITOR_GROUP)
    def action_view_logs(self):
        guards.ensure_one(self)
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "crm_relation.action_crm_relation_care_log"
        )
        action["domain"] = [("rule_id", "=", self.id)]
        action["context"] = {}
        return action

    # === BUSINESS METHODS === #

    def _fire(self, today):
        """Schedule the care activities this rule owes on ``today`` (with
        the catch-up window) and log them; returns how many."""
        self.ensure_one()
        first, last = care.window(today)
        causes = {}
        for partner_id, cause_date, ref in self._due(first, last, today):
            key = care.cause_key(self.kind, cause_date, ref)
            causes.setdefault(
                (partner_id, key),
                (cause_date, care.deadline(self.kind, cause_date, self.days, today)),
            )
        if not causes:
            return 0
        users = self._responsible({pid for pid, _key in causes})
        fired = 0
        items = sorted(causes.items())
        for start in range(0, len(items), BATCH):
            logged = self._insert_logs(items[start : start + BATCH], users, today)
            self._schedule(logged, causes, users)
            fired += len(logged)
        self.env["crm.relation.care.log"].invalidate_model()
        return fired

    # Finding the causes: one query a rule, set-based.

    def _partner_filter(self, customers=True):
        """The conditions on ``p`` (the partner cared for) and ``cp`` (its
        commercial partner): active, of no company or the rule's, a
        customer, carrying one of the rule's tags when it has some."""
        conditions = [
            SQL("p.active AND cp.active"),
            SQL(
                "(p.company_id IS NULL OR p.company_id = %(c)s) "
                "AND (cp.company_id IS NULL OR cp.company_id = %(c)s)",
                c=self.company_id.id,
            ),
        ]
        if customers:
            conditions.append(SQL("(cp.customer_rank > 0 OR p.customer_rank > 0)"))
        if self.category_ids:
            conditions.append(
                SQL(
                    "EXISTS (SELECT 1 FROM res_partner_res_partner_category_rel r "
                    "WHERE r.partner_id = cp.id AND r.category_id = ANY(%s))",
                    self.category_ids.ids,
                )
            )
        return SQL(" AND ").join(conditions)

    def _due(self, first, last, today):
        """``[(partner id, cause date, ref)]`` of the causes whose fire
        date lies in ``[first, last]``."""
        self.env["res.partner"].flush_model(PARTNER_FIELDS)
        for model, fnames in DUE_FIELDS[self.kind].items():
            self.env[model].flush_model(fnames)
        return getattr(self, f"_due_{self.kind}")(first, last, today)

    def _due_birthday(self, first, last, today):
        """Customers and their contacts whose birthday is due."""
        occurrences = care.birthday_occurrences(first, last, self.days)
        rows = self.env.execute_query(
            SQL(
                """
                SELECT p.id, to_char(p.birthdate_date, 'MM-DD')
                  FROM res_partner p
                  JOIN res_partner cp ON cp.id = p.commercial_partner_id
                 WHERE p.birthdate_date IS NOT NULL
                   AND to_char(p.birthdate_date, 'MM-DD') = ANY(%s)
                   AND %s
                """,
                list(occurrences),
                self._partner_filter(),
            )
        )
        return [(pid, occurrences[month_day], None) for pid, month_day in rows]

    def _due_after_purchase(self, first, last, today):
        """Customers who bought ``days`` before a day of the window.

        A sale order shipped from stock is a purchase on the day each of
        its deliveries is done, and its invoices are ignored (as soon as it
        has an outgoing delivery that is not cancelled, so an invoice made
        before the delivery never fires too). Every other posted customer
        invoice (services, invoices without an order) is a purchase on its
        invoice date. Refunds are no purchase. The cause is the customer
        and the day: several purchases a day are cared for once.
        """
        start, end = care.cause_range(care.AFTER_PURCHASE, first, last, self.days)
        tz = self.user_id.tz or self.env.user.tz or "UTC"
        return self.env.execute_query(
            SQL(
                """
                SELECT DISTINCT cp.id, m.invoice_date, NULL::integer
                  FROM account_move m
                  JOIN res_partner cp ON cp.id = m.commercial_partner_id
                  JOIN res_partner p ON p.id = cp.id
                 WHERE m.move_type = 'out_invoice'
                   AND m.state = 'posted'
                   AND m.company_id = %(company)s
                   AND m.invoice_date BETWEEN %(start)s AND %(end)s
                   AND NOT EXISTS (
                        SELECT 1
                          FROM account_move_line aml
                          JOIN sale_order_line_invoice_rel rel
                            ON rel.invoice_line_id = aml.id
                          JOIN sale_order_line sol ON sol.id = rel.order_line_id
                          JOIN stock_picking sp ON sp.sale_id = sol.order_id
                          JOIN stock_picking_type spt ON spt.id = sp.picking_type_id
                         WHERE aml.move_id = m.id
                           AND spt.code = 'outgoing'
                           AND sp.state != 'cancel')
                   AND %(partners)s
                UNION
                SELECT DISTINCT cp.id, d.day, NULL::integer
                  FROM (
                        SELECT so.partner_id,
                               ((sp.date_done AT TIME ZONE 'UTC')
                                   AT TIME ZONE %(tz)s)::date AS day
                          FROM stock_picking sp
                          JOIN stock_picking_type spt ON spt.id = sp.picking_type_id
                          JOIN sale_order so ON so.id = sp.sale_id
                         WHERE spt.code = 'outgoing'
                           AND sp.state = 'done'
                           AND sp.company_id = %(company)s
                           AND sp.date_done >= %(start)s::date - 1
                           AND sp.date_done < %(end)s::date + 2
                       ) d
                  JOIN res_partner sp_partner ON sp_partner.id = d.partner_id
                  JOIN res_partner cp ON cp.id = sp_partner.commercial_partner_id
                  JOIN res_partner p ON p.id = cp.id
                 WHERE d.day BETWEEN %(start)s AND %(end)s
                   AND %(partners)s
                """,
                company=self.company_id.id,
                start=start,
                end=end,
                tz=tz,
                partners=self._partner_filter(customers=False),
            )
        )

    def _due_vip_expiry(self, first, last, today):
        """Active VIP memberships of the company whose card expires."""
        start, end = care.cause_range(care.VIP_EXPIRY, first, last, self.days)
        return [
            (pid, date_end, vip_id)
            for pid, date_end, vip_id in self.env.execute_query(
                SQL(
                    """
                    SELECT p.id, v.date_end, v.id
                      FROM crm_relation_vip v
                      JOIN res_partner p ON p.id = v.partner_id
                      JOIN res_partner cp ON cp.id = p.commercial_partner_id
                     WHERE v.company_id = %s
                       AND v.state = 'active'
                       AND v.date_end BETWEEN %s AND %s
                       AND %s
                    """,
                    self.company_id.id,
                    start,
                    end,
                    self._partner_filter(customers=False),
                )
            )
        ]

    def _customers(self):
        """Ids of the customers (commercial partners) the rule cares for."""
        return [
            pid
            for (pid,) in self.env.execute_query(
                SQL(
                    """
                    SELECT p.id FROM res_partner p
                      JOIN res_partner cp ON cp.id = p.id
                     WHERE p.commercial_partner_id = p.id AND %s
                    """,
                    self._partner_filter(),
                )
            )
        ]

    def _holiday_lines(self, start, end):
        """SQL of the ids and dates of the public holidays (OCA's
        calendar_public_holiday) the rule greets between ``start`` and
        ``end``: those of the company's country and of no country, of the
        whole country or of the company's state, named ``holiday_name`` in
        some language when the rule has one."""
        company = self.company_id
        conditions = [
            SQL("l.date BETWEEN %s AND %s", start, end),
            SQL(
                "(h.country_id IS NULL OR h.country_id = %s)",
                company.country_id.id or None,
            ),
            SQL(
                """
                (NOT EXISTS (SELECT 1 FROM public_holiday_state_rel r
                              WHERE r.public_holiday_line_id = l.id)
                 OR EXISTS (SELECT 1 FROM public_holiday_state_rel r
                             WHERE r.public_holiday_line_id = l.id
                               AND r.state_id = %s))
                """,
                company.state_id.id or None,
            ),
        ]
        if self.holiday_name and self.holiday_name.strip():
            conditions.append(
                SQL(
                    "EXISTS (SELECT 1 FROM jsonb_each_text(l.name) n "
                    "WHERE lower(btrim(n.value)) = lower(%s))",
                    self.holiday_name.strip(),
                )
            )
        return SQL(
            """
            SELECT l.id, l.date
              FROM calendar_public_holiday_line l
              JOIN calendar_public_holiday h ON h.id = l.public_holiday_id
             WHERE %s
            """,
            SQL(" AND ").join(conditions),
        )

    def _holidays(self, start, end):
        """Sorted dates of the public holidays the rule greets between
        ``start`` and ``end``."""
        self.ensure_one()
        for model, fnames in DUE_FIELDS[care.HOLIDAY].items():
            self.env[model].flush_model(fnames)
        self.env["res.company"].flush_model(["country_id", "state_id"])
        rows = self.env.execute_query(
            SQL(
                "SELECT DISTINCT d.date FROM (%s) d ORDER BY d.date",
                self._holiday_lines(start, end),
            )
        )
        return [day for (day,) in rows]

    def _holiday_names(self, dates):
        """``{date: the names of its public holidays}`` in the context's
        language, for the activities' notes."""
        if not dates:
            return {}
        rows = self.env.execute_query(self._holiday_lines(min(dates), max(dates)))
        lines = (
            self.env["calendar.public.holiday.line"]
            .sudo()
            .browse([line_id for line_id, _day in rows])
        )
        names = defaultdict(list)
        for line in lines.sorted("name"):
            names[line.date].append(line.name)
        return {day: " / ".join(found) for day, found in names.items()}

    def _due_holiday(self, first, last, today):
        """Every customer, before each public holiday the rule greets."""
        start, end = care.cause_range(care.HOLIDAY, first, last, self.days)
        dates = self._holidays(start, end)
        if not dates:
            return []
        return [(pid, day, None) for pid in self._customers() for day in dates]

    def _due_partner_tag(self, first, last, today):
        period = care.tag_period(today, self.days)
        return [(pid, period, None) for pid in self._customers()]

    # Firing

    def _responsible(self, partner_ids):
        """``{partner id: user}``: the account manager of the partner (of a
        contact: its own, else its company's) when that user works for the
        rule's company, else the rule's fallback user."""
        partners = self.env["res.partner"].sudo().browse(sorted(partner_ids))
        result = {}
        for partner in partners:
            user = partner.user_id or partner.commercial_partner_id.user_id
            if not user.active or self.company_id not in user.company_ids:
                user = self.user_id
            result[partner.id] = user
        return result

    def _insert_logs(self, items, users, today):
        """Log ``items`` (``((partner id, key), (cause date, deadline))``)
        that were not fired before. The unique index decides: a concurrent
        run inserting the same cause waits, then skips it. Returns
        ``{log id: (partner id, key)}`` of the rows inserted."""
        values = SQL(", ").join(
            SQL(
                "(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, now() at time zone 'UTC', "
                "%s, now() at time zone 'UTC')",
                self.id,
                self.company_id.id,
                pid,
                self.kind,
                key,
                cause_date,
                deadline,
                users[pid].id,
                today,
                self.env.uid,
                self.env.uid,
            )
            for (pid, key), (cause_date, deadline) in items
        )
        rows = self.env.execute_query(
            SQL(
                """
                INSERT INTO crm_relation_care_log
                       (rule_id, company_id, partner_id, kind, cause_key,
                        cause_date, date_deadline, user_id, date_fired,
                        create_uid, create_date, write_uid, write_date)
                VALUES %s
                ON CONFLICT (rule_id, partner_id, cause_key) DO NOTHING
                RETURNING id, partner_id, cause_key
                """,
                values,
            )
        )
        return {log_id: (pid, key) for log_id, pid, key in rows}

    def _former_dates_note(self, dates):
        """The paragraph the 19.0.1.9.0 upgrade adds to the message of a
        holiday rule it archives: the dates it listed match no single public
        holiday (``dates``: the former Holiday Dates, as entered)."""
        return Markup("<p>%s</p>") % self.env._(
            "Archived by the upgrade to review: this rule greeted the dates "
            "%(dates)s, which are not the days of one public holiday of the "
            "company's country. Holiday rules now greet the public holidays "
            "(Calendar > Configuration > Public Holidays) of the name in "
            "Public Holiday, every one when it is empty: set it (or enter "
            "these dates as public holidays), delete this paragraph and "
            "restore the rule.",
            dates=dates,
        )

    def _cause_label(self, cause_date, partner, holidays=None):
        """The first line of the activity's note: what it is about
        (``holidays``: ``{date: name}`` of the public holidays greeted)."""
        name, day = partner.display_name, fields.Date.to_string(cause_date)
        if self.kind == care.BIRTHDAY:
            return self.env._("Birthday of %(name)s on %(date)s", name=name, date=day)
        if self.kind == care.AFTER_PURCHASE:
            return self.env._("Purchase of %(name)s on %(date)s", name=name, date=day)
        if self.kind == care.VIP_EXPIRY:
            return self.env._(
                "VIP card of %(name)s expires on %(date)s", name=name, date=day
            )
        if self.kind == care.HOLIDAY:
            return self.env._(
                "%(holiday)s on %(date)s",
                holiday=(holidays or {}).get(cause_date) or self.name,
                date=day,
            )
        return self.env._(
            "%(name)s carries the tag(s) %(tags)s",
            name=name,
            tags=", ".join(self.category_ids.mapped("name")),
        )

    def _schedule(self, logged, causes, users):
        """One activity per logged cause, in the responsible's language."""
        if not logged:
            return
        partners = self.env["res.partner"].browse(
            {pid for pid, _key in logged.values()}
        )
        partners.fetch(["display_name"])
        model_id = self.env["ir.model"]._get_id("res.partner")
        by_lang = defaultdict(list)
        for log_id, (pid, key) in logged.items():
            by_lang[users[pid].lang or "en_US"].append((log_id, pid, key))
        vals_list, log_ids = [], []
        for lang, entries in by_lang.items():
            rule = self.with_context(lang=lang)
            holidays = {}
            if rule.kind == care.HOLIDAY:
                holidays = rule._holiday_names(
                    {causes[(pid, key)][0] for _log_id, pid, key in entries}
                )
            for log_id, pid, key in entries:
                cause_date, deadline = causes[(pid, key)]
                label = rule._cause_label(cause_date, partners.browse(pid), holidays)
                note = Markup("<p>%s</p>") % escape(label)
                if rule.note:
                    note += Markup(rule.note)
                vals_list.append(
                    {
                        "res_model_id": model_id,
                        "res_id": pid,
                        "activity_type_id": rule.activity_type_id.id,
                        "summary": rule.summary or rule.name,
                        "note": note,
                        "user_id": users[pid].id,
                        "date_deadline": deadline,
                        "automated": True,
                    }
                )
                log_ids.append(log_id)
        activities = (
            self.env["mail.activity"]
            .sudo()
            .with_context(mail_activity_quick_update=True)
            .create(vals_list)
        )
        self.env.execute_query(
            SQL(
                """
                UPDATE crm_relation_care_log l
                   SET activity_id = v.activity_id, summary = v.summary
                  FROM (VALUES %s) AS v(log_id, activity_id, summary)
                 WHERE l.id = v.log_id
                """,
                SQL(", ").join(
                    SQL("(%s, %s, %s)", log_id, activity.id, activity.summary)
                    for log_id, activity in zip(log_ids, activities, strict=True)
                ),
            )
        )

    # === CRON METHODS === #

    @api.model
    def _cron_care(self, today=None):
        """Fire every active rule of every company."""
        today = fields.Date.to_date(today) or fields.Date.context_today(self)
        for rule in self.sudo().search([("active", "=", True)]):
            rule.with_company(rule.company_id)._fire(today)
