# Copyright 2026 crm_relation developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging
from collections import defaultdict
from datetime import datetime, time, timedelta

from odoo import Command, api, fields, models

from ..logic import demo_plan
from ..logic import visit as visit_rules
from ..models import guards

_logger = logging.getLogger(__name__)


class CrmRelationDemo(models.AbstractModel):
    """Books the demo sales history through Odoo's own sales and invoicing.

    Called once from the demo data. Orders are created, confirmed, delivered
    and invoiced in batches; every figure comes from ``logic.demo_plan``.
    """

    _name = "crm.relation.demo"
    _description = "Customer Relations demo data loader"

    @api.model
    def _load_demo_sales(self):
        # The demo lives in the Chinese company (l10n_cn's demo company, see
        # res_company_demo.xml): every record below is booked in it, in yuan.
        company = self.env.ref("base.demo_company_cn")
        self = self.with_company(company)
        # Demo data loads before the installation's post_init_hook: set the
        # demo company up first (the same set-up, which skips what is there).
        company._crm_relation_set_up()
        self._load_demo_warehouse(company)
        self._load_demo_care_rules(company)
        today = fields.Date.context_today(self)
        cny = self.env.ref("base.CNY")
        products = {
            key: self.env.ref(f"crm_relation.demo_product_{key}")
            for key in demo_plan.PRODUCT_KEYS
        }
        # The products' cost is per company: the catalogue's (set in the
        # main company by product_demo.xml) is the Chinese company's too.
        main = self.env.ref("base.main_company")
        for product in products.values():
            if not product.standard_price:
                product.standard_price = product.with_company(main).standard_price
        customers = {}
        company_contacts = set()
        for index in range(1, sum(p.count for p in demo_plan.PROFILES) + 1):
            partner = self.env.ref(f"crm_relation.demo_customer_{index:02d}")
            customers[index] = partner
            if partner.child_ids:
                company_contacts.add(index)
        plans = demo_plan.build_plan(company_contacts=company_contacts)

        def to_company_currency(amount, day):
            return cny._convert(amount, company.currency_id, company, day)

        vals_list, specs = [], []
        for plan in plans:
            partner = customers[plan.index]
            for spec in plan.orders:
                day = today - timedelta(days=spec.days_ago)
                customer = partner.child_ids[:1] if spec.by_contact else partner
                vals_list.append(
                    {
                        "partner_id": customer.id,
                        "company_id": company.id,
                        "user_id": partner.user_id.id,
                        "order_line": [
                            Command.create(
                                {
                                    "product_id": products[line.product].id,
                                    "product_uom_qty": line.qty,
                                    "price_unit": to_company_currency(
                                        line.price_unit, day
                                    ),
                                }
                            )
                            for line in spec.lines
                        ],
                    }
                )
                specs.append((spec, day))
        orders = self.env["sale.order"].create(vals_list)
        orders.action_confirm()
        for order, (_spec, day) in zip(orders, specs, strict=True):
            # Confirmation stamps today's date: put each order back in its day.
            order.date_order = datetime.combine(day, time(10, 0))
        self._deliver(orders, specs)
        self._invoice(orders, specs, to_company_currency)
        _logger.info("crm_relation demo: %d sale orders booked", len(orders))
        # Two monthly evaluations, three months apart, give the dashboard
        # some tier movement; then a manager blocks one prospect.
        engine = self.env["crm.relation.rfm.engine"]
        engine._evaluate_company(
            company, trigger="scheduled", date=today - timedelta(days=90)
        )
        engine._evaluate_company(company, trigger="scheduled", date=today)
        blocked = customers[max(customers)]
        guards.trusted(blocked.with_company(company), fields=guards.ALL).write(
            {
                "relation_blocked": True,
                "relation_block_reason": self.env._(
                    "Repeated fake orders, refused deliveries"
                ),
            }
        )
        engine._evaluate_company(
            company, partners=blocked, trigger="manual", date=today
        )
        self._load_demo_vips(company, today, customers, to_company_currency)
        self._load_demo_loyalty(company, today, cny)
        self._load_demo_visits(company, today, customers)
        self._load_demo_second_company(today, products, cny)

    def _load_demo_warehouse(self, company):
        """Stock gives a warehouse to the database's first company only, and
        l10n_cn's demo company may be made before stock is installed."""
        Warehouse = self.env["stock.warehouse"].with_company(company)
        if not Warehouse.search_count([("company_id", "=", company.id)]):
            Warehouse.create(
                {"name": "上海仓库", "code": "SH", "company_id": company.id}
            )

    def _load_demo_care_rules(self, company):
        """The care rules of the addon's data belong to the main company:
        the Chinese company gets its own copies."""
        Rule = self.env["crm.relation.care.rule"].with_context(active_test=False)
        if Rule.search_count([("company_id", "=", company.id)]):
            return
        main = self.env.ref("base.main_company")
        rules = Rule.search([("company_id", "=", main.id)])
        names = rules.get_external_id()
        # Named like demo data, so that uninstalling deletes them with the
        # rest (they name the addon's activity types, which cannot go first).
        self.env["ir.model.data"].create(
            [
                {
                    "module": "crm_relation",
                    "name": "demo_cn_"
                    + (names[rule.id] or f"care_rule_{rule.id}").split(".")[-1],
                    "model": rule._name,
                    "res_id": rule.copy({"company_id": company.id}).id,
                    "noupdate": True,
                }
                for rule in rules
            ]
        )

    def _load_demo_second_company(self, today, products, cny):
        """The English-speaking company, in US dollars: a few customers of its
        own and a year of their orders, priced at the yuan catalogue price
        converted at the demo's rate, then scored (its bands stay in yuan: the
        engine converts its dollars)."""
        company = self.env.ref("base.main_company")
        self = self.with_company(company)
        company._crm_relation_set_up()
        customers = [
            self.env.ref(f"crm_relation.demo_us_customer_{index}")
            for index in range(1, 5)
        ]
        # (customer, days ago, product, quantity): the first buys often and
        # much, the last once, long ago.
        keys = sorted(products)
        rows = [
            (customer, days_ago, keys[(number + step) % len(keys)], 2 + step)
            for number, customer in enumerate(customers)
            for step, days_ago in enumerate(
                [(20, 75, 130, 200, 290), (45, 160, 310), (100, 250), (330,)][number]
            )
        ]
        vals_list, specs = [], []
        for customer, days_ago, key, qty in rows:
            day = today - timedelta(days=days_ago)
            product = products[key]
            vals_list.append(
                {
                    "partner_id": customer.id,
                    "company_id": company.id,
                    "user_id": customer.user_id.id,
                    "order_line": [
                        Command.create(
                            {
                                "product_id": product.id,
                                "product_uom_qty": qty,
                                "price_unit": cny._convert(
                                    product.list_price,
                                    company.currency_id,
                                    company,
                                    day,
                                ),
                            }
                        )
                    ],
                }
            )
            specs.append((None, day))
        orders = self.env["sale.order"].create(vals_list)
        orders.action_confirm()
        for order, (_spec, day) in zip(orders, specs, strict=True):
            order.date_order = datetime.combine(day, time(10, 0))
        self._deliver(orders, specs)
        invoices = self.env["account.move"]
        for order, (_spec, day) in sorted(
            zip(orders, specs, strict=True), key=lambda row: row[1][1]
        ):
            invoice = order._create_invoices()
            invoice.invoice_date = day
            invoices |= invoice
        invoices.action_post()
        self.env["crm.relation.rfm.engine"]._evaluate_company(
            company, trigger="scheduled", date=today
        )
        _logger.info("crm_relation demo: %d orders in %s", len(orders), company.name)

    def _load_demo_vips(self, company, today, customers, to_company_currency):
        """The yearly VIP evaluation, then the lifecycle a year of work left:
        the biggest customers invited, three of them registered (one card
        about to expire), the rest candidates."""
        # The seed's ¥10,000, in the demo company's currency.
        company.relation_vip_min_amount = round(to_company_currency(10000, today), 2)
        vips = self.env["crm.relation.vip"].with_company(company)
        vips._evaluate_candidates(company, None, today)
        ours = vips.search(
            [
                ("company_id", "=", company.id),
                ("state", "=", "candidate"),
                ("partner_id", "in", [p.id for p in customers.values()]),
            ],
            order="qualified_amount desc, id",
        )
        ours[:4].action_send_invitation()
        for record, days_ago in zip(ours[:3], (340, 30, 7), strict=False):
            record._vip_register(
                today - timedelta(days=days_ago),
                self.env._("Registered from the customer's reply form."),
            )
        _logger.info("crm_relation demo: %d VIP candidates", len(ours))

    def _load_demo_loyalty(self, company, today, cny):
        """The members' points programme (Odoo's loyalty): one point per yuan
        spent, 5% off for 1,000 points. Linking it gives the active VIPs
        their cards; each then places an order, and Odoo's sale_loyalty
        books its points on the card at confirmation."""
        # Odoo's own "Loyalty Cards" template, with the members' rule: the
        # rule counts points per unit of the company currency.
        per_unit = company.currency_id._convert(1.0, cny, company, today)
        Program = self.env["loyalty.program"].with_company(company)
        program = Program.create(
            {
                **Program._get_template_values()["loyalty"],
                "name": self.env._("VIP Points"),
                "company_id": company.id,
                "rule_ids": [
                    Command.clear(),
                    Command.create(
                        {
                            "reward_point_mode": "money",
                            "reward_point_amount": round(per_unit, 2),
                        }
                    ),
                ],
                "reward_ids": [
                    Command.clear(),
                    Command.create({"discount": 5, "required_points": 1000}),
                ],
            }
        )
        company.relation_loyalty_program_id = program
        members = self.env["crm.relation.vip"].search(
            [("company_id", "=", company.id), ("state", "=", "active")]
        )
        teaset = self.env.ref("crm_relation.demo_product_porcelain_teaset")
        orders = self.env["sale.order"].create(
            [
                {
                    "partner_id": record.partner_id.id,
                    "company_id": company.id,
                    "user_id": record.partner_id.user_id.id,
                    "order_line": [
                        Command.create({"product_id": teaset.id, "product_uom_qty": 2})
                    ],
                }
                for record in members
            ]
        )
        orders.action_confirm()
        _logger.info("crm_relation demo: %d members earned points", len(orders))

    def _load_demo_visits(self, company, today, customers):
        """Visit plans of twelve customers started three weeks ago: the past
        visits mostly done (some late, some commented by the supervisor), the
        rest missed; last week's schedules approved, this week's submitted,
        and last week's reports sent."""
        Plan = self.env["crm.relation.visit.plan"].with_company(company)
        cadences = [(1, "week"), (2, "week"), (1, "month")]
        channels = ["phone", "onsite", "video", "phone", "email", "sms"]
        purposes = ["satisfaction", "behaviour", "cross_sell", "follow_up"]
        plans = Plan.create(
            [
                {
                    "partner_id": customers[index].id,
                    "user_id": customers[index].user_id.id,
                    "company_id": company.id,
                    "interval": cadences[index % 3][0],
                    "interval_unit": cadences[index % 3][1],
                    "channel": channels[index % len(channels)],
                    "purpose": purposes[index % len(purposes)],
                    "next_date": today - timedelta(days=21 - index % 7),
                }
                for index in sorted(customers)[:12]
            ]
        )
        visits = plans._generate_visits(today)
        outcomes = [
            (self.env._("Customer is happy with the last delivery."), "5"),
            (self.env._("Asked for samples of the new tea range."), "4"),
            (self.env._("Complained about slow delivery; promised a follow-up."), "2"),
        ]
        past = visits.filtered(lambda v: v.planned_date < today)
        for number, visit in enumerate(past):
            if number % 4 == 3:
                continue  # left to be marked missed
            outcome, satisfaction = outcomes[number % len(outcomes)]
            visit.write(
                {
                    "outcome": outcome,
                    "satisfaction": satisfaction,
                    "customer_needs": outcome if satisfaction != "5" else False,
                }
            )
            late = 1 if number % 5 == 4 else 0
            guards.trusted(visit.sudo(), fields=guards.ALL).write(
                {
                    "state": "done",
                    "done_date": min(visit.planned_date + timedelta(days=late), today),
                }
            )
            if number % 3 == 0:
                visit.supervisor_comment = self.env._(
                    "Good record. Next time ask about their yearly budget."
                )
        self.env["crm.relation.visit"]._mark_missed(today)
        Week = self.env["crm.relation.visit.week"]
        weeks = Week.search([("company_id", "=", company.id)])
        last_week, _end = visit_rules.previous_week(today)
        past = weeks.filtered(lambda w: w.date_start <= last_week)
        past.action_submit()
        past.action_approve()
        weeks.filtered(
            lambda w: w.date_start == visit_rules.week_start(today)
        ).action_submit()
        Week._cron_weekly_report(today=today)
        _logger.info("crm_relation demo: %d visits", len(visits))

    def _deliver(self, orders, specs):
        """Validate the deliveries, each on its day (two days after the
        order), with the goods on hand: an inventory count before the
        history put them in stock.

        stock_account values each delivery at the product's cost on the day
        it is validated (today, for the whole history). The plan draws each
        order's prices on its own, so one catalogue cost would give margins
        of any sign; each delivery is therefore valued the way its history
        would have: at the product's cost-to-price ratio (its cost over its
        sales price) applied to the price it was sold at.
        """
        now = fields.Datetime.now()
        pickings = self.env["stock.picking"]
        done_on = {}
        for order, (_spec, day) in zip(orders, specs, strict=True):
            done = min(datetime.combine(day + timedelta(days=2), time(16, 0)), now)
            for picking in order.picking_ids:
                picking.scheduled_date = datetime.combine(day, time(14, 0))
                pickings |= picking
                done_on[picking] = done
        self._stock_up(pickings, min(day for _spec, day in specs))
        for move in pickings.move_ids:
            move.quantity = move.product_uom_qty
        pickings.move_ids.picked = True
        pickings.with_context(skip_backorder=True, skip_sms=True).button_validate()
        for picking, done in done_on.items():
            picking.date_done = done
            picking.move_ids.date = done
            picking.move_ids.move_line_ids.date = done
        for move in pickings.move_ids.filtered("sale_line_id"):
            product = move.product_id
            if product.list_price:
                move.value = move.company_id.currency_id.round(
                    move.quantity
                    * move.sale_line_id.price_unit
                    * product.standard_price
                    / product.list_price
                )

    def _stock_up(self, pickings, first_day):
        """Count the goods to deliver (and a few more) into the warehouse of
        the pickings, the day before ``first_day``."""
        needed = defaultdict(float)
        for move in pickings.move_ids.filtered("product_id.is_storable"):
            needed[move.product_id, move.location_id] += move.product_uom_qty
        # What an inventory count books (stock.quant._apply_inventory).
        moves = self.env["stock.move"].create(
            [
                {
                    "product_id": product.id,
                    "product_uom": product.uom_id.id,
                    "product_uom_qty": quantity + 10,
                    "company_id": location.company_id.id,
                    "location_id": product.property_stock_inventory.id,
                    "location_dest_id": location.id,
                    "is_inventory": True,
                    "picked": True,
                    "move_line_ids": [
                        Command.create(
                            {
                                "product_id": product.id,
                                "product_uom_id": product.uom_id.id,
                                "quantity": quantity + 10,
                                "location_id": product.property_stock_inventory.id,
                                "location_dest_id": location.id,
                                "company_id": location.company_id.id,
                            }
                        )
                    ],
                }
                for (product, location), quantity in needed.items()
            ]
        )
        moves._action_done()
        moves.date = datetime.combine(first_day - timedelta(days=1), time(8, 0))

    def _return_goods(self, invoice, day):
        """The goods behind a partial credit note: one unit of the credited
        product comes back from the customer, through Odoo's return wizard,
        valued by stock_account from the delivery it returns."""
        product = invoice.invoice_line_ids[:1].product_id
        orders = invoice.invoice_line_ids.sale_line_ids.order_id
        delivery = orders.picking_ids.filtered(
            lambda p: p.state == "done" and product in p.move_ids.product_id
        )[:1]
        if not delivery or not product.is_storable:
            return self.env["stock.picking"]
        wizard = (
            self.env["stock.return.picking"]
            .with_context(active_id=delivery.id, active_model="stock.picking")
            .create({"picking_id": delivery.id})
        )
        wizard.product_return_moves.filtered(
            lambda line: line.product_id == product
        ).quantity = 1
        returned = wizard._create_return()
        for move in returned.move_ids:
            move.quantity = move.product_uom_qty
        returned.move_ids.picked = True
        returned.with_context(skip_backorder=True, skip_sms=True).button_validate()
        done = datetime.combine(day, time(11, 0))
        returned.date_done = done
        returned.move_ids.date = done
        returned.move_ids.move_line_ids.date = done
        return returned

    def _invoice(self, orders, specs, to_company_currency):
        to_invoice = [
            (order, spec, day)
            for order, (spec, day) in zip(orders, specs, strict=True)
            if spec.invoiced
        ]
        # Post in date order, as an accountant would have.
        to_invoice.sort(key=lambda row: row[2])
        invoices = self.env["account.move"]
        refunds = []
        for order, spec, day in to_invoice:
            invoice = order._create_invoices()
            invoice.invoice_date = day
            invoices |= invoice
            if spec.refund_ratio:
                refunds.append((invoice, spec, day))
        invoices.action_post()
        credit_notes = self.env["account.move"]
        for invoice, spec, day in refunds:
            # A partial return: one line worth the refunded share, untaxed.
            line = invoice.invoice_line_ids[:1]
            refund_day = min(day + timedelta(days=3), fields.Date.context_today(self))
            credit_notes |= credit_notes.create(
                {
                    "move_type": "out_refund",
                    "partner_id": invoice.partner_id.id,
                    "invoice_date": refund_day,
                    "reversed_entry_id": invoice.id,
                    "ref": self.env._("Partial return on %s", invoice.name),
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "product_id": line.product_id.id,
                                "quantity": 1,
                                "price_unit": to_company_currency(
                                    round(spec.amount * spec.refund_ratio, 2), day
                                ),
                                "tax_ids": [Command.set(line.tax_ids.ids)],
                            }
                        )
                    ],
                }
            )
        credit_notes.action_post()
        # The first partial credit note of goods also gets its goods back.
        for credit_note in credit_notes.sorted("invoice_date"):
            if self._return_goods(
                credit_note.reversed_entry_id, credit_note.invoice_date
            ):
                break
