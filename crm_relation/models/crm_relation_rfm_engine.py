# Copyright 2026 crm_relation developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import json
import logging
from datetime import datetime, time, timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..logic import churn, rfm
from . import guards
from .sql_rows import column_types, insert_rows

_logger = logging.getLogger(__name__)

# The scores the evaluation stages, a row a customer: its id, then the
# fields it writes on res.partner (all company-dependent), with their types.
VALUES = {
    "id": "int4",
    "rfm_last_purchase_date": "date",
    "rfm_frequency": "int4",
    "rfm_monetary": "float8",
    "rfm_avg_order": "float8",
    "rfm_item_count": "float8",
    "rfm_r_score": "int4",
    "rfm_f_score": "int4",
    "rfm_m_score": "int4",
    "rfm_score": "int4",
    "relation_tier_id": "int4",
    "relation_status": "varchar",
    "rfm_evaluated_at": "varchar",
    "relation_churn_risk": "int4",
    "relation_churn_at_risk": "bool",
    "relation_churn_reason_data": "text",
}
WRITTEN = tuple(VALUES)[1:]
# What a re-evaluation compares with the stored values: a customer none of
# these changed for is not written (its evaluation stamp stays).
COMPARED = tuple(name for name in WRITTEN if name != "rfm_evaluated_at")
# The columns of the facts query, a row a customer.
FACTS = (
    "id", "freq", "last_date", "monetary", "items", "first_date", "before",
    "open_orders", "old_tier", "old_status", "old_eval", "blocked",
    # The stock valuation of the goods delivered in the window, where the
    # company scores M on the margin (else 0): the VIP rules read the amount.
    "cogs",
    # Churn: purchase days and the last one over the whole history, orders
    # and amount in the churn window ending on the day and the one before.
    "churn_days", "churn_last", "orders_now", "orders_before", "amount_now",
    "amount_before",
)  # fmt: skip
# What the facts query reads, flushed before it runs.
FACTS_FIELDS = {
    "res.partner": [
        "commercial_partner_id", "active", "company_id", "customer_rank",
        "relation_tier_id", "relation_status", "rfm_evaluated_at", "relation_blocked",
    ],
    "sale.order": [
        "partner_id", "company_id", "state", "date_order", "amount_untaxed",
        "currency_rate",
    ],
    "sale.order.line": ["order_id", "product_uom_qty", "display_type"],
    "account.move": [
        "commercial_partner_id", "company_id", "state", "move_type", "invoice_date",
        "amount_untaxed_signed",
    ],
    "account.move.line": ["move_id", "quantity", "display_type"],
}  # fmt: skip
WARNED_TIERS = ("P", "G")
# The longest horizon a churn backtest looks ahead (ten years).
MAX_HORIZON_DAYS = 3650
# Tier history triggers, which are also the audit causes of the changes.
TRIGGERS = ("manual", "scheduled", "sync")


class CrmRelationRfmEngine(models.AbstractModel):
    """Set-based RFM evaluation of a company's whole customer population.

    One SQL statement aggregates every customer's figures (posted invoices
    net of credit notes, or confirmed orders) into a temporary table, read
    back ``BATCH`` customers at a time; each batch is scored by
    ``logic.rfm`` and staged in temporary tables in one statement; one
    UPDATE of res.partner and one INSERT of history then apply them. Python
    memory stays bounded by the batch.

    What is stored does not drift from day to day (the last purchase date,
    not the days since it), and a whole-company evaluation writes only the
    customers whose figures changed: the UPDATE compares the staged values
    with the stored ones in SQL. The evaluation's history rows are sealed by
    one audit entry carrying their count and digest
    (``crm.relation.tier.history``), which verification recomputes.
    """

    _name = "crm.relation.rfm.engine"
    _description = "Customer RFM evaluation"

    BATCH = 5000
    # The history rows staged, then inserted at once.
    HISTORY_COLUMNS = (
        "partner_id", "company_id", "date", "old_tier_id", "new_tier_id",
        "old_status", "new_status", "r_score", "f_score", "m_score", "score",
        "trigger", "movement", "is_warning", "warning_reason",
        "original_partner_id", "create_uid", "create_date", "write_uid", "write_date",
    )  # fmt: skip

    # === BUSINESS METHODS === #

    @guards.callers(guards.MANAGER_GROUP)
    @api.model
    def evaluate(self, company_id=None, partner_ids=None):
        """Evaluate ``partner_ids`` (default: every customer) of ``company_id``
        (default: the current company) now, as a manual evaluation (managers;
        callable over RPC). Returns ``{"evaluated": n, "changed": n,
        "warnings": n, "written": n}`` (``changed``: tier or status changes;
        ``written``: customers whose stored figures were written)."""
        env = self.env
        company = self._arg_company(company_id)
        partners = None
        if partner_ids not in (None, False):
            ids = guards.arg_ids(env, partner_ids, "partner_ids")
            partners = env["res.partner"].browse(ids)
            missing = set(ids) - set(partners.exists().ids)
            if missing:
                raise UserError(
                    env._(
                        "partner_ids %(ids)s: no such customer.",
                        ids=", ".join(map(str, sorted(missing))),
                    )
                )
            partners.check_access("read")
            if not partners:
                return {"evaluated": 0, "changed": 0, "warnings": 0, "written": 0}
        return self.sudo()._evaluate_company(company, partners, trigger="manual")

    @guards.callers(guards.MANAGER_GROUP, guards.AUDITOR_GROUP)
    @api.model
    def churn_backtest(self, company_id=None, as_of=None, horizon_days=None, k=None):
        """How well the churn risk predicted who stopped buying (managers and
        auditors; callable over RPC; writes nothing).

        The customers of ``company_id`` (default: the current company) who
        bought in the evaluation window before ``as_of`` (default: the
        horizon ending yesterday) are ranked by their churn risk as of that day,
        computed from the same facts as the evaluation but not stored, and
        by recency alone; the churners are those of them with no purchase in
        the ``horizon_days`` after ``as_of`` (default: two churn windows).
        Returns ``{"customers", "churners", "k", "risk_precision",
        "risk_recall", "recency_precision", "recency_recall", "at_risk",
        "company_id", "as_of", "horizon_days"}``; ``k`` defaults to a tenth
        of the customers."""
        env = self.env
        company = self._arg_company(company_id)
        today = fields.Date.context_today(self)
        # None or False (over RPC) is the default; 0 is refused.
        if horizon_days is None or horizon_days is False:
            horizon_days = 2 * company.relation_churn_window_days
        elif (
            isinstance(horizon_days, bool)
            or not isinstance(horizon_days, int)
            or not 1 <= horizon_days <= MAX_HORIZON_DAYS
        ):
            raise UserError(
                env._(
                    "horizon_days must be a number of days from 1 to %(max)s, "
                    "not %(value)s.",
                    max=MAX_HORIZON_DAYS,
                    value=guards.short_repr(horizon_days),
                )
            )
        if as_of is None or as_of is False:
            # The latest day whose horizon has passed: it ends yesterday.
            as_of = today - timedelta(days=horizon_days + 1)
        else:
            given = as_of
            try:
                as_of = fields.Date.to_date(as_of)
            except (TypeError, ValueError):
                as_of = None
            # Days before the window, the horizon or the facts could reach
            # are no evaluation day (nor computable ones).
            if not as_of or as_of.year < 1900:
                raise UserError(
                    env._(
                        "as_of must be a date (YYYY-MM-DD) from 1900 on, not "
                        "%(value)s.",
                        value=guards.short_repr(given),
                    )
                )
        if as_of >= today or as_of + timedelta(days=horizon_days) >= today:
            raise UserError(
                env._(
                    "as_of %(date)s plus the horizon of %(days)s days does not end "
                    "before today: who stopped buying is not known yet.",
                    date=as_of,
                    days=horizon_days,
                )
            )
        if k is not None and k is not False:
            k = guards.arg_id(env, k, "k")
        return (
            self.sudo()
            .with_company(company)
            ._churn_backtest(company, as_of, horizon_days, k)
        )

    def _arg_company(self, company_id):
        """The company ``company_id`` (default: the current one), one of the
        user's; UserError otherwise."""
        env = self.env
        if company_id in (None, False):
            return env.company
        company_id = guards.arg_id(env, company_id, "company_id")
        company = env["res.company"].browse(company_id).exists()
        if not company or company not in env.user.company_ids:
            raise UserError(
                env._(
                    "company_id %(company)s is not one of your companies.",
                    company=company_id,
                )
            )
        return company

    def _churn_backtest(self, company, as_of, horizon_days, k=None):
        """:meth:`churn_backtest` without its checks: the risks as of
        ``as_of`` from the facts query (nothing is written), the churners
        from one query of the purchases in the horizon."""
        params = company._crm_relation_churn_params()
        start = rfm.window_start(as_of, company.rfm_window_days)
        assessments = {}
        for rows in self._facts_batches(company, start, as_of):
            for row in rows:
                first_date, extra = row[5], row[len(FACTS) - 6 :]
                facts = self._churn_facts(first_date, extra)
                if facts.last_date and facts.last_date >= start:
                    assessments[row[0]] = churn.assess(params, facts, as_of)
        buyers = self._buyers(company, as_of, as_of + timedelta(days=horizon_days))
        churners = set(assessments) - buyers
        result = churn.backtest(assessments, churners, k)
        result.update(
            company_id=company.id,
            as_of=fields.Date.to_string(as_of),
            horizon_days=horizon_days,
        )
        return result

    def _buyers(self, company, after, until):
        """Ids of the customers (commercial partners) of ``company`` who
        bought after the day ``after`` up to ``until`` included, from the
        company's RFM source."""
        if company.rfm_source == "sale_order":
            self.env["sale.order"].flush_model(
                ["partner_id", "company_id", "state", "date_order"]
            )
            self.env["res.partner"].flush_model(["commercial_partner_id"])
            query = SQL(
                """
                SELECT DISTINCT sp.commercial_partner_id
                  FROM sale_order so
                  JOIN res_partner sp ON sp.id = so.partner_id
                 WHERE so.company_id = %s AND so.state = 'sale'
                   AND so.date_order >= %s AND so.date_order < %s
                """,
                company.id,
                after + timedelta(days=1),
                until + timedelta(days=1),
            )
        else:
            self.env["account.move"].flush_model(
                ["commercial_partner_id", "company_id", "state", "move_type",
                 "invoice_date"]
            )  # fmt: skip
            query = SQL(
                """
                SELECT DISTINCT m.commercial_partner_id
                  FROM account_move m
                 WHERE m.company_id = %s AND m.state = 'posted'
                   AND m.move_type = 'out_invoice'
                   AND m.invoice_date > %s AND m.invoice_date <= %s
                """,
                company.id,
                after,
                until,
            )
        return {row[0] for row in self.env.execute_query(query)}

    @api.model
    def _evaluate_company(self, company, partners=None, trigger="manual", date=None):
        """Evaluate ``partners`` (default: every customer) in ``company`` as of
        ``date`` (default: today); ``trigger`` is recorded in the history and
        is the audit cause. The addon's own code paths alone call this."""
        if trigger not in TRIGGERS:
            raise ValueError(f"unknown evaluation trigger {trigger!r}")
        engine = self.with_company(company)
        return engine._evaluate(engine.env.company, partners, trigger, date)

    def _evaluate(self, company, partners, trigger, date):
        today = fields.Date.context_today(self)
        date = date or today
        scoring = company._crm_relation_scoring()
        churn_params = company._crm_relation_churn_params()
        start = rfm.window_start(date, company.rfm_window_days)
        cny = self.env.ref("base.CNY")
        to_cny = company.currency_id._get_conversion_rate(
            company.currency_id, cny, company, date
        )
        tiers = self.env["crm.relation.tier"].with_context(active_test=False)
        tiers = tiers.search([])  # pylint: disable=no-search-all
        tier_ids = {t.code: t.id for t in tiers}
        # An evaluation "as of" another day is stamped with that day.
        now = fields.Datetime.now() if date == today else datetime.combine(date, time())
        stamp = fields.Datetime.to_string(now)
        self._create_staging()
        history_types = column_types(
            self.env["crm.relation.tier.history"], self.HISTORY_COLUMNS
        )
        evaluated = changed = 0
        for rows in self._facts_batches(company, start, date, partners):
            values, changes = [], []
            for row in rows:
                value, change = self._score_row(
                    row, scoring, start, date, to_cny, tier_ids, stamp, churn_params
                )
                values.append(value)
                if change:
                    changes.append(change)
            insert_rows(self.env, "crm_rfm_values", VALUES, values)
            insert_rows(
                self.env,
                "crm_rfm_history",
                history_types,
                self._history_rows(company, changes, trigger, stamp, tiers),
            )
            evaluated += len(values)
            changed += len(changes)
        # History, audit entries and warnings first, the customers' figures
        # last: their rows stay locked from this UPDATE to the commit only,
        # so users editing customers meanwhile are not held up.
        warning_ids = self._insert_history(company, trigger)
        self.env["crm.relation.tier.history"].invalidate_model()
        self._warn_account_managers(
            self.env["crm.relation.tier.history"].sudo().browse(warning_ids)
        )
        # A partial evaluation (a sync, a block, a manager's pick) stamps
        # every customer it evaluated; a whole-company one writes only the
        # customers whose figures changed.
        written = self._write(company, only_changed=not partners)
        self.env["crm.relation.winback"]._after_evaluation(company, partners, now, date)
        self.env["res.partner"].invalidate_model(list(WRITTEN))
        if not partners:
            # A partial evaluation (a sync, a block) leaves the company's row
            # alone: concurrent ones would otherwise all update it.
            guards.trusted(company.sudo(), fields=guards.ALL).rfm_last_evaluation = now
        _logger.info(
            "RFM evaluation of %s: %d customers, %d changes, %d warnings, "
            "%d customers written",
            company.name,
            evaluated,
            changed,
            len(warning_ids),
            written,
        )
        return {
            "evaluated": evaluated,
            "changed": changed,
            "warnings": len(warning_ids),
            "written": written,
        }

    def _score_row(
        self, row, scoring, start, date, to_cny, tier_ids, stamp, churn_params
    ):
        (
            pid,
            freq,
            last_date,
            monetary,
            items,
            first_date,
            before,
            open_orders,
            old_tier,
            old_status,
            old_eval,
            blocked,
            cogs,
            *churn_facts,
        ) = row
        # M on the margin: the amount less the cost of the goods delivered.
        monetary = float(monetary) - float(cogs)
        avg = monetary / freq if freq else 0.0
        recency = (date - last_date).days if last_date else None
        result = rfm.evaluate(scoring, recency, freq, monetary * to_cny, avg * to_cny)
        previous = datetime.fromisoformat(old_eval).date() if old_eval else None
        status = rfm.customer_status(
            blocked=blocked,
            invoices_in_window=freq,
            invoices_before_window=before,
            orders_in_window=open_orders,
            first_invoice_date=first_date,
            window_start=start,
            previous_evaluation=previous,
        )
        tier_id = tier_ids.get(result.tier) if result else None
        r, f, m, score = (
            (result.r, result.f, result.m, result.score) if result else (0, 0, 0, 0)
        )
        risk = churn.assess(
            churn_params, self._churn_facts(first_date, churn_facts), date
        )
        value = (
            pid, last_date, freq, round(monetary, 2), round(avg, 2), float(items),
            r, f, m, score, tier_id, status, stamp,
            risk.risk, risk.at_risk,
            json.dumps(churn.stored_reasons(risk.reasons, date))
            if risk.reasons
            else None,
        )  # fmt: skip
        change = None
        if tier_id != old_tier or status != old_status:
            change = {
                "partner_id": pid,
                "old_tier_id": old_tier,
                "new_tier_id": tier_id,
                "old_status": old_status,
                "new_status": status,
                "r_score": r,
                "f_score": f,
                "m_score": m,
                "score": score,
            }
        return value, change

    @staticmethod
    def _churn_facts(first_date, churn_facts):
        """The churn columns of a facts row as :class:`churn.Facts`."""
        days, last, orders_now, orders_before, amount_now, amount_before = churn_facts
        return churn.Facts(
            purchases=days,
            first_date=first_date,
            last_date=last,
            orders_now=orders_now,
            orders_before=orders_before,
            amount_now=float(amount_now),
            amount_before=float(amount_before),
        )

    def _history_rows(self, company, changes, trigger, stamp, tiers):
        """History rows of one batch's changes, flagging the warnings
        (seed 004: 中高端客户预警)."""
        rank = {t.id: t.score_min for t in tiers}
        code = {t.id: t.code for t in tiers}
        rows = []
        for change in changes:
            old, new = change["old_tier_id"], change["new_tier_id"]
            if old and (not new or rank[new] < rank[old]):
                movement = "down"
            elif new and (not old or rank[new] > rank[old]):
                movement = "up"
            else:
                movement = "same"
            reason = None
            if movement == "down":
                reason = self.env._(
                    "Tier down from %(old)s to %(new)s",
                    old=code[old],
                    new=code.get(new, "-"),
                )
            if (
                code.get(old) in WARNED_TIERS
                and change["new_status"] == rfm.STATUS_DORMANT
            ):
                reason = self.env._("%(tier)s customer turned dormant", tier=code[old])
            rows.append(
                (
                    change["partner_id"], company.id, stamp,
                    change["old_tier_id"], change["new_tier_id"],
                    change["old_status"], change["new_status"],
                    change["r_score"], change["f_score"], change["m_score"],
                    change["score"], trigger, movement, bool(reason), reason,
                    change["partner_id"], self.env.uid, stamp, self.env.uid, stamp,
                )
            )  # fmt: skip
        return rows

    def _warn_account_managers(self, warnings):
        if not warnings:
            return
        todo = self.env.ref("mail.mail_activity_data_todo")
        model = self.env["ir.model"]._get_id("res.partner")
        self.env["mail.activity"].sudo().create(
            [
                {
                    "res_model_id": model,
                    "res_id": entry.partner_id.id,
                    "activity_type_id": todo.id,
                    "summary": self.env._("At-risk customer: %s", entry.warning_reason),
                    "user_id": (entry.partner_id.user_id or self.env.user).id,
                    "date_deadline": fields.Date.context_today(self),
                }
                for entry in warnings
            ]
        )

    # === FACTS: ONE AGGREGATE, READ A BATCH AT A TIME === #

    def _facts_batches(self, company, start, date, partners=None):
        """The rows of :meth:`_facts_query`, ``BATCH`` at a time in customer
        order. The query runs once, into a temporary table that is then read
        by keyset (the customer's id): one aggregation, and Python memory
        bounded by the batch."""
        for model, fnames in FACTS_FIELDS.items():
            self.env[model].flush_model(fnames)
        columns = SQL(", ").join(SQL.identifier(column) for column in FACTS)
        self.env.execute_query(
            SQL(
                """
                DROP TABLE IF EXISTS crm_rfm_facts;
                CREATE TEMP TABLE crm_rfm_facts (%(columns)s) ON COMMIT DROP AS
                    %(query)s;
                ALTER TABLE crm_rfm_facts ADD PRIMARY KEY (id);
                """,
                columns=columns,
                query=self._facts_query(company, start, date, partners),
            )
        )
        last = 0
        while rows := self.env.execute_query(
            SQL(
                "SELECT %s FROM crm_rfm_facts WHERE id > %s ORDER BY id LIMIT %s",
                columns,
                last,
                self.BATCH,
            )
        ):
            yield rows
            last = rows[-1][0]
        self.env.execute_query(SQL("DROP TABLE crm_rfm_facts"))

    def _facts_query(self, company, start, date, partners):
        """One row per customer: ``(id, frequency, last date, net amount,
        items, first purchase, purchases before the window, orders in the
        window, old tier, old status, last evaluation, blocked, cost of the goods
        delivered (M on the margin only), then the churn
        facts: purchase days and the last one over the whole history, orders
        and amount in the churn window ending on ``date`` and in the one
        before it)``."""
        cid = company.id
        now_start, before_start = churn.windows(
            date, company.relation_churn_window_days
        )
        # Orders carry a timestamp: the window ends with the evaluation day.
        end = fields.Date.add(date, days=1)
        key = str(cid)
        if company.rfm_source == "sale_order":
            facts = SQL(
                """
                SELECT sp.commercial_partner_id AS pid,
                       COUNT(*) FILTER (WHERE so.date_order >= %(start)s) AS freq,
                       MAX(so.date_order::date)
                           FILTER (WHERE so.date_order >= %(start)s) AS last_date,
                       SUM(so.amount_untaxed / COALESCE(NULLIF(so.currency_rate, 0), 1))
                           FILTER (WHERE so.date_order >= %(start)s) AS monetary,
                       MIN(so.date_order::date) AS first_date,
                       COUNT(*) FILTER (WHERE so.date_order < %(start)s) AS before,
                       COUNT(DISTINCT so.date_order::date) AS churn_days,
                       MAX(so.date_order::date) AS churn_last,
                       COUNT(*) FILTER (WHERE so.date_order >= %(now_start)s)
                           AS orders_now,
                       COUNT(*) FILTER (WHERE so.date_order >= %(before_start)s
                                          AND so.date_order < %(now_start)s)
                           AS orders_before,
                       SUM(so.amount_untaxed / COALESCE(NULLIF(so.currency_rate, 0), 1))
                           FILTER (WHERE so.date_order >= %(now_start)s) AS amount_now,
                       SUM(so.amount_untaxed / COALESCE(NULLIF(so.currency_rate, 0), 1))
                           FILTER (WHERE so.date_order >= %(before_start)s
                                     AND so.date_order < %(now_start)s)
                           AS amount_before
                  FROM sale_order so
                  JOIN res_partner sp ON sp.id = so.partner_id
                 WHERE so.company_id = %(cid)s AND so.state = 'sale'
                   AND so.date_order < %(end)s
                 GROUP BY sp.commercial_partner_id
                """,
                start=start,
                end=end,
                cid=cid,
                now_start=now_start,
                before_start=before_start,
            )
            items = SQL(
                """
                SELECT sp.commercial_partner_id AS pid,
                       SUM(sol.product_uom_qty) AS items
                  FROM sale_order_line sol
                  JOIN sale_order so ON so.id = sol.order_id
                  JOIN res_partner sp ON sp.id = so.partner_id
                 WHERE so.company_id = %(cid)s AND so.state = 'sale'
                   AND so.date_order >= %(start)s AND so.date_order < %(end)s
                   AND sol.display_type IS NULL
                 GROUP BY sp.commercial_partner_id
                """,
                start=start,
                end=end,
                cid=cid,
            )
            # Scored on orders, an order is a purchase: no "no sale" status.
            orders = SQL("SELECT NULL::int AS pid, 0 AS open_orders WHERE false")
        else:
            facts = SQL(
                """
                SELECT m.commercial_partner_id AS pid,
                       COUNT(*) FILTER (WHERE m.move_type = 'out_invoice'
                                          AND m.invoice_date >= %(start)s) AS freq,
                       MAX(m.invoice_date) FILTER (WHERE m.move_type = 'out_invoice'
                                          AND m.invoice_date >= %(start)s) AS last_date,
                       SUM(m.amount_untaxed_signed)
                           FILTER (WHERE m.invoice_date >= %(start)s) AS monetary,
                       MIN(m.invoice_date)
                           FILTER (WHERE m.move_type = 'out_invoice') AS first_date,
                       COUNT(*) FILTER (WHERE m.move_type = 'out_invoice'
                                          AND m.invoice_date < %(start)s) AS before,
                       COUNT(DISTINCT m.invoice_date)
                           FILTER (WHERE m.move_type = 'out_invoice') AS churn_days,
                       MAX(m.invoice_date)
                           FILTER (WHERE m.move_type = 'out_invoice') AS churn_last,
                       COUNT(*) FILTER (WHERE m.move_type = 'out_invoice'
                                          AND m.invoice_date >= %(now_start)s)
                           AS orders_now,
                       COUNT(*) FILTER (WHERE m.move_type = 'out_invoice'
                                          AND m.invoice_date >= %(before_start)s
                                          AND m.invoice_date < %(now_start)s)
                           AS orders_before,
                       SUM(m.amount_untaxed_signed)
                           FILTER (WHERE m.invoice_date >= %(now_start)s) AS amount_now,
                       SUM(m.amount_untaxed_signed)
                           FILTER (WHERE m.invoice_date >= %(before_start)s
                                     AND m.invoice_date < %(now_start)s)
                           AS amount_before
                  FROM account_move m
                 WHERE m.company_id = %(cid)s AND m.state = 'posted'
                   AND m.move_type IN ('out_invoice', 'out_refund')
                   AND m.invoice_date <= %(date)s
                 GROUP BY m.commercial_partner_id
                """,
                start=start,
                date=date,
                cid=cid,
                now_start=now_start,
                before_start=before_start,
            )
            items = SQL(
                """
                SELECT m.commercial_partner_id AS pid,
                       SUM(CASE WHEN m.move_type = 'out_refund'
                                THEN -l.quantity ELSE l.quantity END) AS items
                  FROM account_move_line l
                  JOIN account_move m ON m.id = l.move_id
                 WHERE m.company_id = %(cid)s AND m.state = 'posted'
                   AND m.move_type IN ('out_invoice', 'out_refund')
                   AND m.invoice_date BETWEEN %(start)s AND %(date)s
                   AND l.display_type = 'product'
                 GROUP BY m.commercial_partner_id
                """,
                start=start,
                date=date,
                cid=cid,
            )
            orders = SQL(
                """
                SELECT sp.commercial_partner_id AS pid, COUNT(*) AS open_orders
                  FROM sale_order so
                  JOIN res_partner sp ON sp.id = so.partner_id
                 WHERE so.company_id = %(cid)s AND so.state = 'sale'
                   AND so.date_order >= %(start)s AND so.date_order < %(end)s
                 GROUP BY sp.commercial_partner_id
                """,
                start=start,
                end=end,
                cid=cid,
            )
        # M on the gross margin: less the stock valuation of the goods
        # delivered in the window (returns deducted), as the profitability
        # report counts it.
        costs = SQL("SELECT NULL::int AS pid, 0::numeric AS cogs WHERE false")
        if company.rfm_monetary_margin:
            report = self.env["crm.relation.profitability.report"]
            for model, fnames in report._depends.items():
                self.env[model].flush_model(fnames)
            costs = SQL(
                """
                SELECT e.partner_id AS pid, SUM(e.cogs) AS cogs
                  FROM (%(moves)s) e
                 WHERE e.company_id = %(cid)s
                   AND e.day BETWEEN %(start)s AND %(date)s
                 GROUP BY e.partner_id
                """,
                moves=report._cogs_events_query(),
                cid=cid,
                start=start,
                date=date,
            )
        only = (
            SQL("AND p.id = ANY(%s)", list(partners.commercial_partner_id.ids))
            if partners
            else SQL()
        )
        return SQL(
            """
            WITH facts AS (%(facts)s), items AS (%(items)s), orders AS (%(orders)s),
                 costs AS (%(costs)s)
            SELECT p.id,
                   COALESCE(f.freq, 0),
                   f.last_date,
                   COALESCE(f.monetary, 0),
                   COALESCE(i.items, 0),
                   f.first_date,
                   COALESCE(f.before, 0),
                   COALESCE(o.open_orders, 0),
                   (p.relation_tier_id ->> %(key)s)::int,
                   p.relation_status ->> %(key)s,
                   p.rfm_evaluated_at ->> %(key)s,
                   COALESCE((p.relation_blocked ->> %(key)s)::boolean, false),
                   COALESCE(c.cogs, 0),
                   COALESCE(f.churn_days, 0),
                   f.churn_last,
                   COALESCE(f.orders_now, 0),
                   COALESCE(f.orders_before, 0),
                   COALESCE(f.amount_now, 0),
                   COALESCE(f.amount_before, 0)
              FROM res_partner p
              LEFT JOIN facts f ON f.pid = p.id
              LEFT JOIN items i ON i.pid = p.id
              LEFT JOIN orders o ON o.pid = p.id
              LEFT JOIN costs c ON c.pid = p.id
             WHERE p.id = p.commercial_partner_id
               AND p.active
               AND (p.company_id IS NULL OR p.company_id = %(cid)s)
               AND (p.customer_rank > 0 OR f.pid IS NOT NULL OR o.pid IS NOT NULL
                    OR p.relation_status ->> %(key)s IS NOT NULL)
               %(only)s
             ORDER BY p.id
            """,
            facts=facts,
            items=items,
            orders=orders,
            costs=costs,
            key=key,
            cid=cid,
            only=only,
        )

    # === STAGING AND WRITING === #

    def _create_staging(self):
        """Temporary tables, dropped at the end of the transaction."""
        self.env.execute_query(
            SQL(
                """
                CREATE TEMP TABLE IF NOT EXISTS crm_rfm_values (%(values)s)
                    ON COMMIT DROP;
                CREATE TEMP TABLE IF NOT EXISTS crm_rfm_history ON COMMIT DROP AS
                    SELECT id, %(history)s FROM crm_relation_tier_history
                      WITH NO DATA;
                ALTER TABLE crm_rfm_history
                    ALTER COLUMN id SET DEFAULT nextval(%(sequence)s::regclass);
                TRUNCATE crm_rfm_values, crm_rfm_history;
                """,
                sequence=SQL(
                    "pg_get_serial_sequence('crm_relation_tier_history', 'id')"
                ),
                values=SQL(", ").join(
                    SQL("%s %s", SQL.identifier(name), SQL(sql_type))
                    for name, sql_type in VALUES.items()
                ),
                history=SQL(", ").join(SQL.identifier(c) for c in self.HISTORY_COLUMNS),
            )
        )

    def _write(self, company, only_changed=False):
        """Apply the staged scores in one UPDATE of the jsonb columns; with
        ``only_changed``, of the customers whose stored values differ from
        the staged ones alone (compared in SQL). Returns the number of
        customers written."""
        key = str(company.id)
        sets = SQL(", ").join(
            # A null is no value: drop the company's key (Odoo's reads cast
            # the stored value and cannot cast a JSON null).
            SQL(
                "%(col)s = (COALESCE(p.%(col)s, '{}'::jsonb) - %(key)s) "
                "|| jsonb_strip_nulls(jsonb_build_object(%(key)s, v.%(col)s))",
                col=SQL.identifier(name),
                key=key,
            )
            for name in WRITTEN
        )
        changed = SQL()
        if only_changed:
            # jsonb compares numbers by value (1.0 = 1); a null staged value
            # is a missing key, as the UPDATE stores it.
            changed = SQL(
                "AND (%s)",
                SQL(" OR ").join(
                    SQL(
                        "p.%(col)s -> %(key)s IS DISTINCT FROM to_jsonb(v.%(col)s)",
                        col=SQL.identifier(name),
                        key=key,
                    )
                    for name in COMPARED
                ),
            )
        # Pending changes of these fields would overwrite the UPDATE.
        self.env["res.partner"].flush_model(WRITTEN)
        return self.env.execute_query(
            SQL(
                "WITH updated AS (UPDATE res_partner p SET %s FROM crm_rfm_values v "
                "WHERE p.id = v.id %s RETURNING 1) SELECT count(*) FROM updated",
                sets,
                changed,
            )
        )[0][0]

    def _insert_history(self, company, trigger):
        """Insert the staged history, sealed by one audit entry of
        ``company`` carrying the rows' count and digest (the rows point to
        it); return the ids of the warnings."""
        History = self.env["crm.relation.tier.history"]
        [(count, digest)] = self.env.execute_query(
            History._digest_query(SQL.identifier("crm_rfm_history"))
        )
        if not count:
            return []
        entry_id = (
            self.env["crm.relation.audit"]
            .sudo()
            ._append_evaluation(company, count, digest, trigger)
        )
        columns = SQL(", ").join(
            SQL.identifier(c) for c in ("id", *self.HISTORY_COLUMNS)
        )
        rows = self.env.execute_query(
            SQL(
                """
                WITH inserted AS (
                    INSERT INTO crm_relation_tier_history (%(columns)s, audit_id)
                    SELECT %(columns)s, %(entry)s FROM crm_rfm_history
                    RETURNING id, is_warning
                )
                SELECT id FROM inserted WHERE is_warning
                """,
                columns=columns,
                entry=entry_id,
            )
        )
        return [row[0] for row in rows]
