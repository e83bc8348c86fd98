# Copyright 2026 crm_relation developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..logic import selling
from . import guards
from .res_partner import RELATION_STATUSES

# Statuses of a customer who has not bought yet (or not been evaluated).
NEW_STATUSES = (False, "prospect", "new")
# Trust flag: the sync door confirms orders without a person to acknowledge
# open complaints, and logs them instead.
SYNC_CONFIRM = "sync_confirm"
SALESMAN_GROUP = "sales_team.group_sale_salesman"


class SaleOrder(models.Model):
    _name = "sale.order"
    _inherit = ["sale.order", "crm.relation.review.mixin", "crm.relation.vip.badge"]

    # === FIELDS === #

    # The customer's grade today, in the order's company. Not stored: a draft
    # must show the current grade after each evaluation, and the grade at any
    # past date is in the tier history.
    relation_tier_id = fields.Many2one(
        "crm.relation.tier",
        "Customer Tier",
        compute="_compute_relation_grade",
        help="The customer's tier in the order's company, as of its last evaluation.",
    )
    relation_status = fields.Selection(
        RELATION_STATUSES, "Customer Status", compute="_compute_relation_grade"
    )
    relation_open_ticket_count = fields.Integer(
        "Open Tickets",
        compute="_compute_open_tickets",
        help="Helpdesk tickets of the customer and its contacts, in the "
        "order's company, in a stage that is not closed.",
    )
    relation_open_complaint_count = fields.Integer(
        "Open Complaints", compute="_compute_open_tickets"
    )
    relation_complaint_ack_ticket_ids = fields.Many2many(
        "helpdesk.ticket",
        "crm_relation_sale_order_complaint_ack_rel",
        "order_id",
        "ticket_id",
        string="Acknowledged Complaints",
        copy=False,
        readonly=True,
        help="Open complaints of the customer a salesperson acknowledged "
        "before confirming (set by the acknowledgement only).",
        guarded=True,
    )

    # === COMPUTE METHODS === #

    @api.depends("partner_id", "company_id")
    def _compute_relation_grade(self):
        # sudo: sales users without a Customer Relations group see the grade.
        for company, orders in self.grouped(
            lambda o: o.company_id or self.env.company
        ).items():
            customers = orders.partner_id.commercial_partner_id.sudo().with_company(
                company
            )
            grade = {
                c.id: (c.relation_tier_id.id, c.relation_status) for c in customers
            }
            for order in orders:
                tier, status = grade.get(
                    order.partner_id.commercial_partner_id.id, (False, False)
                )
                order.relation_tier_id = tier
                order.relation_status = status

    @api.depends("partner_id", "company_id")
    def _compute_open_tickets(self):
        counts = {}
        customers = self.partner_id.commercial_partner_id
        if customers:
            groups = (
                self.env["helpdesk.ticket"]
                .sudo()
                ._read_group(
                    self._crm_relation_open_ticket_domain(customers),
                    ["commercial_partner_id", "company_id", "relation_is_complaint"],
                    ["__count"],
                )
            )
            for customer, company, complaint, count in groups:
                tickets, complaints = counts.get((customer.id, company.id), (0, 0))
                counts[customer.id, company.id] = (
                    tickets + count,
                    complaints + (count if complaint else 0),
                )
        for order in self:
            company = order.company_id or self.env.company
            tickets, complaints = counts.get(
                (order.partner_id.commercial_partner_id.id, company.id), (0, 0)
            )
            order.relation_open_ticket_count = tickets
            order.relation_open_complaint_count = complaints

    def _compute_pricelist_id(self):
        res = super()._compute_pricelist_id()
        for order in self:
            company = order.company_id or self.env.company
            if (
                order.state != "draft"
                or not order.partner_id
                or not company.relation_tier_pricelist
            ):
                continue
            customer = order.partner_id.commercial_partner_id.sudo().with_company(
                company
            )
            tier = customer.relation_tier_id.with_company(company)
            vip_pricelist = company.sudo().relation_vip_pricelist_id
            default = order.pricelist_id
            chosen, _reason = selling.grade_pricelist(
                True,
                company.currency_id,
                default,
                default.currency_id,
                order.relation_is_vip,
                vip_pricelist,
                vip_pricelist.currency_id,
                tier.pricelist_id,
                tier.pricelist_id.currency_id,
            )
            order.pricelist_id = chosen
        return res

    # === ACTION METHODS === #

    @guards.callers(SALESMAN_GROUP)
    def action_crm_relation_confirm(self):
        """The Confirm button: asks to acknowledge the customers' open
        complaints first, if any, else confirms."""
        self._crm_relation_check_confirmable()
        if self._crm_relation_unacknowledged_complaints():
            return self.env["crm.relation.complaint.ack.wizard"]._action_open(self)
        return self.action_confirm()

    @guards.callers("helpdesk_mgmt.group_helpdesk_user_own")
    def action_view_open_tickets(self):
        guards.ensure_one(self)
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "helpdesk_mgmt.helpdesk_ticket_action"
        )
        customer = self.partner_id.commercial_partner_id
        action.update(
            name=self.env._("Open Tickets of %(customer)s", customer=customer.name),
            domain=self._crm_relation_open_ticket_domain(customer)
            + [("company_id", "=", self.company_id.id)],
            context={
                "default_partner_id": self.partner_id.id,
                "default_company_id": self.company_id.id,
            },
        )
        return action

    @guards.callers(SALESMAN_GROUP)
    def action_confirm(self):
        self._crm_relation_check_confirmable()
        self._crm_relation_check_complaints()
        return super().action_confirm()

    # === BUSINESS METHODS === #

    def _guard_hint(self):
        return self.env._(
            "acknowledging the customer's open complaints when confirming, and "
            "the review actions"
        )

    def _crm_relation_open_ticket_domain(self, customers):
        companies = self.company_id | self.env.company
        return [
            ("commercial_partner_id", "in", customers.ids),
            ("company_id", "in", companies.ids),
            ("stage_id.closed", "=", False),
        ]

    def _crm_relation_open_complaints(self):
        """``{order: tickets}`` of the orders whose customer has open
        complaints in the order's company (tickets as superuser), one query."""
        customers = self.partner_id.commercial_partner_id
        if not customers:
            return {}
        tickets = (
            self.env["helpdesk.ticket"]
            .sudo()
            .search(
                self._crm_relation_open_ticket_domain(customers)
                + [("relation_is_complaint", "=", True)],
                order="number, id",
            )
        )
        by_key = tickets.grouped(
            lambda t: (t.commercial_partner_id.id, t.company_id.id)
        )
        result = {}
        for order in self:
            key = (order.partner_id.commercial_partner_id.id, order.company_id.id)
            if key in by_key:
                result[order] = by_key[key]
        return result

    def _crm_relation_unacknowledged_complaints(self):
        """Like ``_crm_relation_open_complaints``, without the complaints
        already acknowledged on each order."""
        result = {}
        for order, tickets in self._crm_relation_open_complaints().items():
            pending = tickets - order.sudo().relation_complaint_ack_ticket_ids
            if pending:
                result[order] = pending
        return result

    @api.model
    def _crm_relation_complaint_lines(self, tickets):
        return selling.complaint_lines(
            (t.number, t.name, t.stage_id.name) for t in tickets.sudo()
        )

    def _crm_relation_complaint_body(self, intro, tickets, remarks=None):
        items = Markup("").join(
            Markup("<li>%s</li>") % line
            for line in self._crm_relation_complaint_lines(tickets)
        )
        body = Markup("<p>%s</p><ul>%s</ul>") % (intro, items)
        if remarks:
            body += Markup("<p>%s</p>") % remarks
        return body

    def _crm_relation_acknowledge(self, complaints, remarks=None):
        """Record and log that the current user acknowledged ``complaints``
        (``{order: tickets}``) of these orders."""
        self.check_access("write")
        for order, tickets in complaints.items():
            guards.trusted(
                order.sudo(), fields=["relation_complaint_ack_ticket_ids"]
            ).write(
                {
                    "relation_complaint_ack_ticket_ids": [
                        fields.Command.link(t.id) for t in tickets
                    ]
                }
            )
            order.message_post(
                body=self._crm_relation_complaint_body(
                    self.env._(
                        "%(user)s acknowledged the customer's open complaints "
                        "before confirming:",
                        user=self.env.user.name,
                    ),
                    tickets,
                    remarks,
                ),
                message_type="comment",
                subtype_xmlid="mail.mt_note",
            )

    def _crm_relation_check_complaints(self):
        """Seed 002: don't sell over unresolved complaints unnoticed.

        A person confirms only after acknowledging them (the wizard); the sync
        door and superuser flows (portal signature, online payment) confirm
        and log the complaints in the order's chatter instead."""
        pending = self._crm_relation_unacknowledged_complaints()
        if not pending:
            return
        if self.env.su or guards.has_flag(self.env, SYNC_CONFIRM):
            for order, tickets in pending.items():
                order.sudo().message_post(
                    body=self._crm_relation_complaint_body(
                        self.env._(
                            "Confirmed by %(user)s without acknowledgement while "
                            "the customer has %(count)s open complaint(s):",
                            user=self.env.user.name,
                            count=len(tickets),
                        ),
                        tickets,
                    ),
                    message_type="comment",
                    subtype_xmlid="mail.mt_note",
                )
            return
        details = []
        for order, tickets in pending.items():
            customer = order.partner_id.commercial_partner_id.display_name
            details.append(f"{order.name} ({customer}):")
            details += [
                f"  - {line}" for line in self._crm_relation_complaint_lines(tickets)
            ]
        raise UserError(
            self.env._(
                "The customer has open complaints that nobody acknowledged yet:\n"
                "%(details)s\nConfirm with the Confirm button to acknowledge them "
                "(over XML-RPC: crm.relation.complaint.ack.wizard, action_confirm).",
                details="\n".join(details),
            )
        )

    def _crm_relation_check_confirmable(self):
        """Refuse orders of customers that are blocked, or new and not yet
        reviewed by a customer manager."""
        for order in self:
            customer = order.partner_id.commercial_partner_id.with_company(
                order.company_id
            )
            if (
                order.company_id.relation_review_new_customers
                and customer.relation_status in NEW_STATUSES
                and not customer._review_by_manager()
            ):
                raise UserError(
                    self.env._(
                        "Customer %(customer)s is new and no customer manager has "
                        "reviewed it yet. Ask a customer manager to review the "
                        "customer before confirming %(order)s.",
                        customer=customer.display_name,
                        order=order.name,
                    )
                )
            if customer.relation_blocked:
                raise UserError(
                    self.env._(
                        "Customer %(customer)s is blocked in %(company)s: "
                        "%(reason)s\nOrder %(order)s cannot be confirmed until a "
                        "customer manager unblocks the customer.",
                        customer=customer.display_name,
                        company=order.company_id.name,
                        reason=customer.relation_block_reason or "-",
                        order=order.name,
                    )
                )

    # === MEMBERS' POINTS: ONLY MEMBERS EARN (sale_loyalty) === #
    # Odoo's sale_loyalty computes, for each programme, whether an order
    # earns and how many points; this keeps that computation and only turns a
    # members' programme (a company's relation_loyalty_program_id) into an
    # error for an order whose customer is not a member: the order's customer
    # itself is an active VIP of the order's company and holds a card in the
    # programme (given at activation). Odoo then gives no points and opens no
    # card, on quotations and at confirmation alike.

    def _program_check_compute_points(self, programs):
        result = super()._program_check_compute_points(programs)
        members_only = (
            self.env["res.company"]
            .sudo()
            .search([("relation_loyalty_program_id", "in", programs.ids)])
            .relation_loyalty_program_id
        )
        for program in members_only:
            if "error" not in result.get(program, {}) and not (
                self._crm_relation_loyalty_member(program)
            ):
                result[program] = {
                    "error": self.env._(
                        "Only the company's active VIP members earn points in "
                        "%(program)s.",
                        program=program.name,
                    )
                }
        return result

    def _crm_relation_loyalty_member(self, program):
        """Whether this order's customer earns in the members' ``program``."""
        self.ensure_one()
        company = self.company_id
        customer = self.partner_id
        if not customer or company.sudo().relation_loyalty_program_id != program:
            return False
        if customer.id not in customer._vip_cards(company):
            return False  # not an active VIP, or a contact of one
        return bool(
            self.env["loyalty.card"]
            .sudo()
            .search_count(
                [("program_id", "=", program.id), ("partner_id", "=", customer.id)],
                limit=1,
            )
        )
