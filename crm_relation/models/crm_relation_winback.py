# Copyright 2026 crm_relation developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import SUPERUSER_ID, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..logic import visit as visit_rules
from . import guards

OPEN, WON, LOST = "open", "won", "lost"
STATES = [(OPEN, "Open"), (WON, "Won Back"), (LOST, "Lost")]
PRIORITIES = [("0", "Normal"), ("1", "High"), ("2", "Top 20%")]
CLOSINGS = [("purchase", "Bought Again"), ("hand", "Marked by Hand")]
# A customer's value (rfm_monetary) at or above these shares of the company's
# customers (percent rank) makes the episode's priority.
PRIORITY_RANKS = (("2", 0.8), ("1", 0.5))
USER_GROUP = guards.USER_GROUP


class CrmRelationWinback(models.Model):
    """One win-back episode (seed 001, L93-101): a customer whose churn risk
    reached the company's threshold, the visit planned for the account
    manager to win them back, and the outcome.

    An episode is one silence of the customer: the evaluation opens it when
    the risk reaches the threshold and closes it as won when the customer
    buys again; the account manager or a manager may close it as won or
    lost, with a reason. The same silence never opens a second episode, even
    after a lost one: only a purchase after the last episode opened lets a
    new one open.
    """

    _name = "crm.relation.winback"
    _description = "Win-back Episode"
    _inherit = ["mail.thread", "mail.activity.mixin", "crm.relation.guarded"]
    _order = "priority desc, monetary desc, date_open desc, id desc"
    _check_company_auto = True

    # === FIELDS === #

    partner_id = fields.Many2one(
        "res.partner",
        "Customer",
        required=True,
        readonly=True,
        index=True,
        check_company=True,
        ondelete="cascade",
        guarded=True,
    )
    company_id = fields.Many2one(
        "res.company", required=True, readonly=True, index=True, guarded=True
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    user_id = fields.Many2one(
        "res.users",
        "Account Manager",
        required=True,
        index=True,
        tracking=True,
        check_company=True,
        help="Who wins the customer back: the customer's salesperson, else "
        "the salesperson of their latest order, else whoever ran the "
        "evaluation.",
    )
    state = fields.Selection(
        STATES,
        required=True,
        default=OPEN,
        readonly=True,
        index=True,
        tracking=True,
        guarded=True,
    )
    priority = fields.Selection(
        PRIORITIES,
        default="0",
        readonly=True,
        guarded=True,
        help="The customer's value among the company's customers when the "
        "episode opened: top 20%, above the median, or below.",
    )
    risk = fields.Integer(
        "Risk at Opening", readonly=True, aggregator="avg", guarded=True
    )
    reason_data = fields.Text(
        readonly=True,
        guarded=True,
        help="The customer's churn reasons when the episode opened, as data: "
        "shown in words in each reader's language.",
    )
    reasons = fields.Text(
        "Why at Risk",
        compute="_compute_reasons",
        help="The risk and its reasons when the episode opened.",
    )
    monetary = fields.Monetary(
        "Value at Opening",
        readonly=True,
        currency_field="currency_id",
        guarded=True,
        help="What the customer bought in the evaluation window (untaxed, net "
        "of credit notes, company currency) when the episode opened.",
    )
    visit_id = fields.Many2one(
        "crm.relation.visit",
        "Win-back Visit",
        readonly=True,
        index="btree_not_null",
        ondelete="set null",
        guarded=True,
    )
    visit_state = fields.Selection(related="visit_id.state", string="Visit Status")
    date_open = fields.Datetime(
        "Opened On", required=True, readonly=True, index=True, guarded=True
    )
    date_closed = fields.Datetime(
        "Closed On", readonly=True, copy=False, tracking=True, guarded=True
    )
    closing = fields.Selection(
        CLOSINGS, "Closed By", readonly=True, copy=False, guarded=True
    )
    closed_uid = fields.Many2one(
        "res.users", "Closed By User", readonly=True, copy=False, guarded=True
    )
    lost_reason = fields.Text(readonly=True, copy=False, tracking=True, guarded=True)
    note = fields.Text("Notes")

    _open_episode_uniq = models.UniqueIndex(
        "(partner_id, company_id) WHERE state = 'open'",
        "A customer has one open win-back episode per company.",
    )

    # === COMPUTE METHODS === #

    @api.depends("partner_id", "date_open")
    def write(self, vals):
        if "user_id" in vals:
            closed = self.filtered(lambda episode: episode.state != OPEN)
            if closed:
                raise UserError(
                    self.env._(
                        "Account Manager: %(episodes)s closed already; only an "
                        "open episode changes hands.",
                        episodes=", ".join(closed.mapped("display_name")),
                    )
                )
        result = super().write(vals)
        if "user_id" in vals:
            # The planned win-back visit follows its account manager.
            planned = self.visit_id.filtered(
                lambda visit: visit.state == visit_rules.PLANNED
            )
            planned.write({"user_id": vals["user_id"]})
        return result

    @api.depends("risk", "reason_data")
    @api.depends_context("lang")
    def _compute_reasons(self):
        Partner = self.env["res.partner"]
        for episode in self:
            lines = [self.env._("Churn risk %(risk)s", risk=episode.risk)]
            # The silence as of the episode's opening, as its risk.
            lines += Partner._churn_reason_words(
                episode.reason_data,
                episode.currency_id,
                (episode.date_open or fields.Datetime.now()).date(),
            )
            episode.reasons = "\n".join(lines)

    def _compute_display_name(self):
        for record in self:
            record.display_name = " · ".join(
                filter(
                    None,
                    [
                        record.partner_id.display_name,
                        record.date_open
                        and fields.Date.to_string(record.date_open.date()),
                    ],
                )
            )

    # === CRUD METHODS === #

    def _guard_hint(self):
        return self.env._(
            "the customer evaluation and the win-back actions (won back, lost)"
        )

    # === ACTION METHODS === #

    def _check_open(self):
        if not self:
            raise UserError(self.env._("Select at least one win-back episode."))
        self.check_access("write")
        closed = self.filtered(lambda r: r.state != OPEN)
        if closed:
            raise UserError(
                self.env._(
                    "Win-back episodes %(episodes)s are closed already: only "
                    "open ones can be marked won back or lost.",
                    episodes=", ".join(closed.mapped("display_name")),
                )
            )

    @guards.callers(USER_GROUP)
    def action_won(self):
        """The customer is won back (marked by hand)."""
        self._check_open()
        return self._close(WON, closing="hand")

    @guards.callers(USER_GROUP)
    def action_lost(self):
        """Open the dialog asking why the customer is lost."""
        self._check_open()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "crm_relation.action_crm_relation_winback_lost"
        )
        action["context"] = {
            "active_model": self._name,
            "active_ids": self.ids,
        }
        return action

    def _mark_lost(self, reason):
        """Close as lost with ``reason`` (the lost dialog's path); a planned
        win-back visit is cancelled."""
        self._check_open()
        self._close(LOST, closing="hand", lost_reason=reason)
        visits = self.sudo().visit_id.filtered(lambda v: v.state == visit_rules.PLANNED)
        if visits:
            guards.trusted(visits, fields=["state"]).write(
                {"state": visit_rules.CANCELLED}
            )
            visits.week_id._reopen_changed()
        return True

    def _close(self, state, closing, lost_reason=False):
        return guards.trusted(self.sudo(), fields=guards.ALL).write(
            {
                "state": state,
                "closing": closing,
                "closed_uid": self.env.uid,
                "date_closed": fields.Datetime.now(),
                "lost_reason": lost_reason,
            }
        )

    # === BUSINESS METHODS === #

    @api.model
    def _after_evaluation(self, company, partners=None, now=None, date=None):
        """Called by the RFM evaluation of ``company`` (``partners``, default
        all its customers) right after it wrote the customers' scores:
        set-based, closes as won the open episodes of customers who bought
        again since they opened, then opens one for each customer at risk
        (churn risk at or above the company's threshold) without an episode
        in their current silence, highest value first, and plans their
        win-back visits. ``now`` and ``date``: the evaluation's time and day
        (default: now, today), for an evaluation as of a past day: episodes
        open then, their visits are planned that day, and only purchases
        until then count. Returns ``{"won": n, "opened": episodes}``."""
        Winback = self.sudo().with_company(company)
        now = now or fields.Datetime.now()
        date = date or fields.Date.context_today(self)
        Winback._stage_scope(company, partners, now)
        won = Winback._close_bought_again(company, now)
        opened = Winback._open_episodes(company, now)
        Winback.invalidate_model()
        if opened:
            Winback._plan_actions(opened, date)
        return {"won": won, "opened": opened.with_env(self.env)}

    def _stage_scope(self, company, partners, now):
        """The customers at risk or with an open episode, with the time of
        their last purchase in ``company`` until ``now`` and the salesperson
        of their last order, into the temporary table ``crm_winback_scope``."""
        self.env["res.partner"].flush_model(
            ["commercial_partner_id", "active", "company_id", "relation_churn_risk"]
        )
        self.env["sale.order"].flush_model(
            ["partner_id", "company_id", "state", "date_order", "user_id"]
        )
        self.env["account.move"].flush_model(
            [
                "commercial_partner_id",
                "company_id",
                "state",
                "move_type",
                "invoice_date",
            ]
        )
        self.flush_model()
        cid, key = company.id, str(company.id)
        only = (
            SQL("AND p.id = ANY(%s)", list(partners.commercial_partner_id.ids))
            if partners
            else SQL()
        )
        # An invoice counts at the time it was recorded, kept within its
        # date: one dated on the opening day and recorded after the opening
        # is a purchase after it; one dated before the opening day never is.
        self.env.execute_query(
            SQL(
                """
                DROP TABLE IF EXISTS crm_winback_scope;
                CREATE TEMP TABLE crm_winback_scope ON COMMIT DROP AS
                WITH scope AS (
                    SELECT p.id
                      FROM res_partner p
                     WHERE p.id = p.commercial_partner_id
                       AND p.active
                       AND (p.company_id IS NULL OR p.company_id = %(cid)s)
                       AND ((p.relation_churn_risk ->> %(key)s)::int >= %(threshold)s
                            OR EXISTS (SELECT 1 FROM crm_relation_winback w
                                        WHERE w.partner_id = p.id
                                          AND w.company_id = %(cid)s
                                          AND w.state = 'open'))
                       %(only)s
                ), orders AS (
                    SELECT sp.commercial_partner_id AS pid,
                           MAX(so.date_order) AS at,
                           (ARRAY_AGG(so.user_id ORDER BY so.date_order DESC)
                                FILTER (WHERE so.user_id IS NOT NULL))[1] AS seller_id
                      FROM sale_order so
                      JOIN res_partner sp ON sp.id = so.partner_id
                     WHERE so.company_id = %(cid)s AND so.state = 'sale'
                       AND so.date_order <= %(now)s
                       AND sp.commercial_partner_id IN (SELECT id FROM scope)
                     GROUP BY sp.commercial_partner_id
                ), invoices AS (
                    SELECT m.commercial_partner_id AS pid,
                           MAX(GREATEST(m.invoice_date::timestamp, LEAST(
                               m.create_date,
                               m.invoice_date::timestamp
                                   + interval '1 day' - interval '1 second'
                           ))) AS at
                      FROM account_move m
                     WHERE m.company_id = %(cid)s AND m.state = 'posted'
                       AND m.move_type = 'out_invoice'
                       AND m.invoice_date::timestamp <= %(now)s
                       AND m.commercial_partner_id IN (SELECT id FROM scope)
                     GROUP BY m.commercial_partner_id
                )
                SELECT s.id, GREATEST(o.at, i.at) AS last_at, o.seller_id
                  FROM scope s
                  LEFT JOIN orders o ON o.pid = s.id
                  LEFT JOIN invoices i ON i.pid = s.id;
                """,
                cid=cid,
                key=key,
                threshold=company.relation_churn_threshold,
                only=only,
                now=now,
            )
        )

    def _close_bought_again(self, company, now):
        """Open episodes whose customer bought after they opened: won."""
        rows = self.env.execute_query(
            SQL(
                """
                UPDATE crm_relation_winback w
                   SET state = 'won', closing = 'purchase', date_closed = %(now)s,
                       closed_uid = %(uid)s, write_uid = %(uid)s, write_date = %(now)s
                  FROM crm_winback_scope s
                 WHERE w.partner_id = s.id AND w.company_id = %(cid)s
                   AND w.state = 'open' AND s.last_at > w.date_open
                RETURNING w.id
                """,
                now=now,
                uid=self.env.uid,
                cid=company.id,
            )
        )
        return len(rows)

    def _fallback_user(self):
        """Whoever runs the evaluation; for the scheduled one (the superuser),
        the administrator."""
        if self.env.uid != SUPERUSER_ID:
            return self.env.user
        return (
            self.env.ref("base.user_admin", raise_if_not_found=False) or self.env.user
        )

    def _open_episodes(self, company, now):
        """One episode per customer at risk without one in their current
        silence, highest value first. ``ON CONFLICT DO NOTHING`` on the
        unique open episode: a concurrent evaluation that got there first
        wins, this one inserts nothing for that customer (or, under
        repeatable read, fails to serialize and is retried by Odoo, then
        sees it). Returns the episodes opened."""
        key = str(company.id)
        value = SQL("COALESCE((p.rfm_monetary ->> %s)::float8, 0)", key)
        (top, top_rank), (high, high_rank) = PRIORITY_RANKS
        rows = self.env.execute_query(
            SQL(
                """
                WITH ranked AS (
                    SELECT p.id,
                           PERCENT_RANK() OVER (ORDER BY %(value)s) AS share
                      FROM res_partner p
                     WHERE p.id = p.commercial_partner_id
                       AND p.rfm_monetary ->> %(key)s IS NOT NULL
                )
                INSERT INTO crm_relation_winback
                       (partner_id, company_id, user_id, state, priority, risk,
                        monetary, date_open, create_uid, create_date, write_uid,
                        write_date)
                SELECT p.id, %(cid)s, COALESCE(pu.id, su.id, %(fallback)s), 'open',
                       CASE WHEN r.share >= %(top_rank)s THEN %(top)s
                            WHEN r.share >= %(high_rank)s THEN %(high)s
                            ELSE '0' END,
                       (p.relation_churn_risk ->> %(key)s)::int,
                       %(value)s, %(now)s, %(uid)s, %(now)s, %(uid)s, %(now)s
                  FROM crm_winback_scope s
                  JOIN res_partner p ON p.id = s.id
                  LEFT JOIN ranked r ON r.id = p.id
                  LEFT JOIN res_users pu ON pu.id = p.user_id AND pu.active
                  LEFT JOIN res_users su ON su.id = s.seller_id AND su.active
                 WHERE (p.relation_churn_risk ->> %(key)s)::int >= %(threshold)s
                   AND NOT EXISTS (
                        SELECT 1 FROM crm_relation_winback e
                         WHERE e.partner_id = p.id AND e.company_id = %(cid)s
                           AND (e.state = 'open' OR s.last_at IS NULL
                                OR e.date_open >= s.last_at))
                 ORDER BY %(value)s DESC, p.id
                    ON CONFLICT (partner_id, company_id) WHERE state = 'open'
                    DO NOTHING
                RETURNING id
                """,
                value=value,
                key=key,
                cid=company.id,
                fallback=self._fallback_user().id,
                top=top,
                top_rank=top_rank,
                high=high,
                high_rank=high_rank,
                threshold=company.relation_churn_threshold,
                now=now,
                uid=self.env.uid,
            )
        )
        return self.browse(sorted(row[0] for row in rows))

    def _plan_actions(self, episodes, date):
        """The win-back actions of new episodes: their reasons, and a visit
        with the purpose win back for the account manager on ``date`` (a
        bridge to Odoo's CRM would add an opportunity here)."""
        # Planned in bulk by an evaluation (thousands on a first one): no
        # chatter work a visit (an "assigned to you" mail, a creation note,
        # tracking); the account managers follow their visits, added at
        # once below.
        visits = (
            self.env["crm.relation.visit"]
            .sudo()
            .with_context(tracking_disable=True)
            .create(
                [
                    {
                        "partner_id": episode.partner_id.id,
                        "user_id": episode.user_id.id,
                        "company_id": episode.company_id.id,
                        "planned_date": date,
                        "channel": "phone",
                        "purpose": "win_back",
                    }
                    for episode in episodes
                ]
            )
        )
        Followers = self.env["mail.followers"].sudo()
        for user, planned in visits.grouped("user_id").items():
            if user.partner_id:
                Followers._insert_followers(
                    planned._name, planned.ids, user.partner_id.ids, check_existing=True
                )
        # The reasons as the evaluation has just written them.
        company = episodes.company_id[:1]
        self.env["res.partner"].flush_model(["relation_churn_reason_data"])
        self.env.execute_query(
            SQL(
                """
                UPDATE crm_relation_winback w
                   SET visit_id = v.visit_id,
                       reason_data = p.relation_churn_reason_data ->> %(key)s
                  FROM (VALUES %(rows)s) AS v(id, visit_id), res_partner p
                 WHERE w.id = v.id AND p.id = w.partner_id
                """,
                key=str(company.id),
                rows=SQL(", ").join(
                    SQL("(%s, %s)", episode.id, visit.id)
                    for episode, visit in zip(episodes, visits, strict=True)
                ),
            )
        )
        episodes.invalidate_recordset(["visit_id", "reason_data"])
        return visits
