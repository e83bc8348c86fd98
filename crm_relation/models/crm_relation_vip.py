# Copyright 2026 crm_relation developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..logic import rfm, vip
from . import guards

STATES = [
    (vip.CANDIDATE, "Candidate"),
    (vip.INVITED, "Invited"),
    (vip.ACTIVE, "Active"),
    (vip.LAPSED, "Lapsed"),
    (vip.REFUSED, "Refused"),
    (vip.SUSPENDED, "Suspended"),
]
MANAGER_GROUP = guards.MANAGER_GROUP


class CrmRelationVip(models.Model):
    """One customer's VIP membership in one company (seed 003, L486-508).

    The annual evaluation (or a person, with a reason) makes a candidate;
    a manager sends the invitation with the gold card, registers the
    customer's reply (one year of validity), and may suspend or refuse; at
    expiry the customer is evaluated again and renewed or lapses.
    """

    _name = "crm.relation.vip"
    _description = "VIP Customer"
    _inherit = ["mail.thread", "mail.activity.mixin", "crm.relation.guarded"]
    _order = "state, date_end desc, id desc"
    _check_company_auto = True

    # === FIELDS === #

    partner_id = fields.Many2one(
        "res.partner",
        "Customer",
        required=True,
        index=True,
        tracking=True,
        domain="[('parent_id', '=', False)]",
        check_company=True,
        guarded="create",
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda s: s.env.company,
        guarded="create",
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    user_id = fields.Many2one(
        "res.users",
        "Account Manager",
        compute="_compute_user_id",
        store=True,
        readonly=False,
        tracking=True,
    )
    state = fields.Selection(
        STATES,
        required=True,
        default=vip.CANDIDATE,
        readonly=True,
        tracking=True,
        guarded=True,
    )
    card_number = fields.Char(
        readonly=True, copy=False, index=True, tracking=True, guarded=True
    )
    origin = fields.Selection(
        [("evaluation", "Annual Evaluation"), ("nomination", "Nominated")],
        required=True,
        default="nomination",
        readonly=True,
        guarded=True,
    )
    reason = fields.Text(
        tracking=True,
        help="Why the customer was nominated, suspended or refused.",
    )
    qualified_orders = fields.Integer("Orders in Window", readonly=True, guarded=True)
    qualified_items = fields.Float(
        "Items in Window", readonly=True, digits="Product Unit", guarded=True
    )
    qualified_amount = fields.Monetary(
        "Amount in Window", readonly=True, currency_field="currency_id", guarded=True
    )
    date_evaluated = fields.Date("Evaluated On", readonly=True, guarded=True)
    date_invited = fields.Date("Invited On", readonly=True, copy=False, guarded=True)
    date_reply = fields.Date(
        "Reply Received On", readonly=True, copy=False, guarded=True
    )
    details = fields.Text(
        "VIP Details", help="What the customer's reply registered: contacts, "
        "preferences, delivery address for the card."
    )  # fmt: skip
    date_start = fields.Date(
        "Valid From", readonly=True, copy=False, tracking=True, guarded=True
    )
    date_end = fields.Date(
        "Valid Until", readonly=True, copy=False, tracking=True, guarded=True
    )
    date_reminded = fields.Date(
        "Expiry Reminder Sent For", readonly=True, copy=False, guarded=True
    )
    period_ids = fields.One2many("crm.relation.vip.period", "vip_id", "Periods")

    _open_record_uniq = models.UniqueIndex(
        "(partner_id, company_id) WHERE state IN "
        "('candidate', 'invited', 'active', 'suspended')",
        "A customer has one open VIP record per company.",
    )

    # === COMPUTE METHODS === #

    @api.depends("partner_id")
    def _compute_user_id(self):
        for record in self:
            record.user_id = record.partner_id.user_id or record.user_id

    @api.depends("partner_id", "card_number")
    def _compute_display_name(self):
        for record in self:
            record.display_name = " · ".join(
                filter(None, [record.card_number, record.partner_id.display_name])
            )

    # === CONSTRAINT METHODS === #

    @api.constrains("partner_id")
    def _check_partner(self):
        for record in self:
            partner = record.partner_id
            if partner != partner.commercial_partner_id:
                raise ValidationError(
                    self.env._(
                        "%(contact)s is a contact of %(customer)s: make the "
                        "customer itself a VIP.",
                        contact=partner.display_name,
                        customer=partner.commercial_partner_id.display_name,
                    )
                )

    # === CRUD METHODS === #

    def _guard_hint(self):
        return self.env._(
            "the VIP actions (evaluate, invite, register, suspend, resume, "
            "refuse) and the expiry run"
        )

    @api.model_create_multi
    def create(self, vals_list):
        self.check_access("create")  # rights first, then what is missing
        for vals in vals_list:
            if (
                vals.get("origin", "nomination") == "nomination"
                and not (vals.get("reason") or "").strip()
            ):
                raise ValidationError(
                    self.env._(
                        "A VIP nomination needs a reason (field Reason): say "
                        "why this customer should be a VIP."
                    )
                )
        records = super().create(vals_list)
        records._log_state({record.id: {"state": None} for record in records})
        return records

    # === ACTION METHODS === #

    @guards.callers(MANAGER_GROUP)
    def action_send_invitation(self):
        """Assign the gold card's number, move to invited and print the
        invitation letter, application form and card."""
        self._check_records()
        today = fields.Date.context_today(self)
        self._move("invite", {"date_invited": today})
        sequence = self.env["ir.sequence"].sudo()
        for record in self.filtered(lambda r: not r.card_number):
            number = sequence.with_company(record.company_id).next_by_code(
                "crm.relation.vip.card"
            )
            guards.trusted(record.sudo(), fields=["card_number"]).card_number = number
        return self.env.ref("crm_relation.action_report_vip_invitation").report_action(
            self
        )

    @guards.callers(guards.USER_GROUP, guards.AUDITOR_GROUP)
    def action_print_card(self):
        self._check_records()
        return self.env.ref("crm_relation.action_report_vip_invitation").report_action(
            self
        )

    @guards.callers(MANAGER_GROUP)
    def action_suspend(self, reason=None):
        return self._with_reason("suspend", reason)

    @guards.callers(MANAGER_GROUP)
    def action_resume(self, reason=None):
        return self._with_reason("resume", reason)

    @guards.callers(MANAGER_GROUP)
    def action_refuse(self, reason=None):
        return self._with_reason("refuse", reason)

    @guards.callers(MANAGER_GROUP)
    @api.model
    def evaluate_candidates(self, partner_ids=None):
        """Make candidates of the qualifying customers of the current company
        (all, or ``partner_ids``) that have no open VIP record, each with an
        activity for the account manager: phone the customer. Managers only;
        callable over RPC. Returns ``{"qualified": n, "created": n}``."""
        partners = None
        if partner_ids not in (None, False):
            ids = guards.arg_ids(self.env, partner_ids, "partner_ids")
            partners = self.env["res.partner"].browse(ids).exists()
            partners.check_access("read")
            if not partners:
                return {"qualified": 0, "created": 0}
        return self._evaluate_candidates(
            self.env.company, partners, fields.Date.context_today(self)
        )

    @guards.callers(MANAGER_GROUP)
    @api.model
    def action_evaluate_candidates(self):
        """Menu action: evaluate every customer of the current company now."""
        result = self.evaluate_candidates()
        return guards.notification(
            self.env._(
                "%(qualified)s customer(s) qualify; %(created)s new candidate(s).",
                qualified=result["qualified"],
                created=result["created"],
            )
        )

    # === BUSINESS METHODS === #

    def _log_state(self, before):
        self.env["crm.relation.audit"]._log_changes(self, ["state"], before)

    def _move(self, action, vals=None, message=None):
        """Apply ``action`` to every record (all or none), as superuser,
        logging the state change in the audit trail and the chatter."""
        for record in self:
            try:
                vip.next_state(record.state, action)
            except vip.TransitionError as error:
                raise UserError(
                    self.env._(
                        "%(vip)s is %(state)s: it cannot be %(action)s.",
                        vip=record.display_name,
                        state=dict(STATES)[record.state],
                        action=self._action_label(action),
                    )
                ) from error
        audit = self.env["crm.relation.audit"]
        before = audit._snapshot(self, ["state"])
        for record in self:
            guards.trusted(record.sudo(), fields=guards.ALL).write(
                {"state": vip.next_state(record.state, action), **(vals or {})}
            )
        audit._log_changes(self, ["state"], before)
        if message:
            for record in self.sudo():
                record.message_post(body=message, author_id=self.env.user.partner_id.id)

    def _action_label(self, action):
        return {
            "invite": self.env._("invited"),
            "register": self.env._("registered"),
            "renew": self.env._("renewed"),
            "lapse": self.env._("lapsed"),
            "suspend": self.env._("suspended"),
            "resume": self.env._("resumed"),
            "refuse": self.env._("refused"),
        }[action]

    def _vip_register(self, date_reply, details):
        """The customer's reply came back: the VIP is active for a year."""
        guards.check_caller(self, [MANAGER_GROUP], "register")
        if not date_reply:
            raise ValidationError(
                self.env._("Register the date the customer's reply was received.")
            )
        end = vip.validity_end(date_reply)
        self._move(
            "register",
            {"date_reply": date_reply, "date_start": date_reply, "date_end": end},
            self.env._("VIP registered, valid until %s.", end),
        )
        if details:
            self.sudo().details = details
        self._add_period("registration")
        self._loyalty_enrol()

    def _add_period(self, kind):
        self.env["crm.relation.vip.period"].sudo().create(
            [
                {
                    "vip_id": record.id,
                    "date_start": record.date_start,
                    "date_end": record.date_end,
                    "kind": kind,
                }
                for record in self
            ]
        )

    def _loyalty_enrol(self):
        """Give each active VIP of these records its card in its company's
        members' points programme (Odoo's ``loyalty.card``), unless it has
        one: one search and one create for all of them. Cards are never
        removed: a VIP who lapses or is suspended keeps the card and its
        points, and earns again on the same card once active again."""
        active = self.sudo().filtered(
            lambda r: r.state == vip.ACTIVE and r.company_id.relation_loyalty_program_id
        )
        if not active:
            return self.env["loyalty.card"]
        Card = self.env["loyalty.card"].sudo()
        programs = active.company_id.relation_loyalty_program_id
        have = {
            (card.program_id.id, card.partner_id.id)
            for card in Card.with_context(active_test=False).search(
                [
                    ("program_id", "in", programs.ids),
                    ("partner_id", "in", active.partner_id.ids),
                ]
            )
        }
        todo = []
        for record in active:
            key = (
                record.company_id.relation_loyalty_program_id.id,
                record.partner_id.id,
            )
            if key not in have:
                have.add(key)
                todo.append({"program_id": key[0], "partner_id": key[1], "points": 0})
        return Card.create(todo)

    def _with_reason(self, action, reason):
        self._check_records()
        reason = guards.arg_text(self.env, reason, "reason", required=False)
        if not reason:
            raise ValidationError(
                self.env._("Give a reason (field Reason) to %s a VIP.", action)
            )
        self._move(action, {}, reason)
        self.sudo().reason = reason
        if action == "resume":
            self._loyalty_enrol()
        return True

    def _check_records(self):
        """The records exist and the user may change them (RPC callers pass
        any ids)."""
        if not self:
            raise UserError(self.env._("Select at least one VIP record."))
        missing = self - self.exists()
        if missing:
            raise UserError(
                self.env._(
                    "VIP records %(ids)s do not exist.",
                    ids=", ".join(map(str, missing.ids)),
                )
            )
        self.check_access("read")

    @api.model
    def _active_member_ids(self, companies):
        """``{company id: [commercial partner ids]}`` of the customers with
        an active VIP card in each of ``companies`` (one grouped query)."""
        groups = self.sudo()._read_group(
            [("company_id", "in", companies.ids), ("state", "=", "active")],
            ["company_id"],
            ["partner_id:array_agg"],
        )
        return {company.id: partner_ids for company, partner_ids in groups}

    @api.model
    def _thresholds(self, company):
        return vip.Thresholds(
            orders=company.relation_vip_min_orders,
            items=company.relation_vip_min_items,
            amount=company.relation_vip_min_amount,
        )

    @api.model
    def _qualification(self, company, date, partners=None):
        """``{partner id: (orders, items, amount)}`` over the VIP window for
        every customer of ``company`` (or ``partners``) that qualifies, from
        the same set-based facts query as the RFM evaluation."""
        thresholds = self._thresholds(company)
        start = rfm.window_start(date, company.relation_vip_window_days)
        engine = self.env["crm.relation.rfm.engine"].with_company(company)
        found = {}
        # Read a batch at a time: only the qualifying customers are kept.
        for rows in engine._facts_batches(company, start, date, partners):
            for row in rows:
                pid, orders, amount, items, blocked = (
                    row[0], row[1], float(row[3]), float(row[4]), row[11]
                )  # fmt: skip
                if not blocked and vip.qualifies(thresholds, orders, items, amount):
                    found[pid] = (orders, items, amount)
        return found

    def _evaluate_candidates(self, company, partners, date):
        qualified = self._qualification(company, date, partners)
        open_records = self.sudo().search(
            [
                ("company_id", "=", company.id),
                ("state", "in", vip.OPEN_STATES),
                ("partner_id", "in", list(qualified)),
            ]
        )
        new = sorted(set(qualified) - set(open_records.partner_id.ids))
        records = guards.trusted(self.sudo(), fields=guards.ALL).create(
            [
                {
                    "partner_id": pid,
                    "company_id": company.id,
                    "origin": "evaluation",
                    "qualified_orders": qualified[pid][0],
                    "qualified_items": qualified[pid][1],
                    "qualified_amount": qualified[pid][2],
                    "date_evaluated": date,
                }
                for pid in new
            ]
        )
        todo = self.env.ref("crm_relation.mail_activity_vip_call")
        for record in records:
            record.activity_schedule(
                activity_type_id=todo.id,
                summary=self.env._("Phone the customer: VIP qualification"),
                user_id=(record.user_id or self.env.user).id,
                date_deadline=date,
            )
        return {"qualified": len(qualified), "created": len(records)}

    def _care_reminds_expiry(self, company):
        """Whether an active VIP card expiry care rule of ``company``, not
        limited to tags, already reminds the account managers."""
        return bool(
            self.env["crm.relation.care.rule"]
            .sudo()
            .search_count(
                [
                    ("company_id", "=", company.id),
                    ("kind", "=", "vip_expiry"),
                    ("category_ids", "=", False),
                ],
                limit=1,
            )
        )

    def _expire_and_remind(self, company, today):
        days = company.relation_vip_reminder_days
        active = self.search(
            [
                ("company_id", "=", company.id),
                ("state", "=", vip.ACTIVE),
                ("date_end", "<=", today + timedelta(days=days)),
            ]
        )
        remind = active.filtered(
            lambda r: (
                vip.reminder_due(r.date_end, today, days)
                and r.date_reminded != r.date_end
            )
        )
        if self._care_reminds_expiry(company):
            # An active care rule calls every VIP's customer before expiry
            # (the account manager's renewal call): one reminder, not two.
            remind = self.browse()
        reminder = self.env.ref("crm_relation.mail_activity_vip_expiry")
        for record in remind:
            record.activity_schedule(
                activity_type_id=reminder.id,
                summary=self.env._("VIP card expires on %s", record.date_end),
                user_id=(record.user_id or self.env.user).id,
                date_deadline=record.date_end,
            )
            guards.trusted(
                record, fields=["date_reminded"]
            ).date_reminded = record.date_end
        due = active.filtered(lambda r: vip.expired(r.date_end, today))
        if not due:
            return
        qualified = self._qualification(company, today, due.partner_id)
        renewed = due.filtered(lambda r: r.partner_id.id in qualified)
        for record in renewed:
            orders, items, amount = qualified[record.partner_id.id]
            record._move(
                "renew",
                {
                    "date_start": record.date_end,
                    "date_end": vip.validity_end(record.date_end),
                    "qualified_orders": orders,
                    "qualified_items": items,
                    "qualified_amount": amount,
                    "date_evaluated": today,
                },
                self.env._("Re-evaluated at expiry: still qualified, renewed."),
            )
        renewed._add_period("renewal")
        renewed._loyalty_enrol()
        (due - renewed)._move(
            "lapse",
            {"date_evaluated": today},
            self.env._("Re-evaluated at expiry: no longer qualified, lapsed."),
        )

    # === CRON METHODS === #

    @api.model
    def _cron_evaluate_candidates(self):
        today = fields.Date.context_today(self)
        for company in self.env["res.company"].sudo().search([]):  # pylint: disable=no-search-all
            vips = guards.trusted(self.sudo().with_company(company), cause="scheduled")
            vips._evaluate_candidates(company, None, today)

    @api.model
    def _cron_lifecycle(self, today=None):
        """Card-expiry reminders, and renewal or lapse at expiry."""
        today = fields.Date.to_date(today) or fields.Date.context_today(self)
        for company in self.env["res.company"].sudo().search([]):  # pylint: disable=no-search-all
            vips = guards.trusted(self.sudo().with_company(company), cause="scheduled")
            vips._expire_and_remind(company, today)
