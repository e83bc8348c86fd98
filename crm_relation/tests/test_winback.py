# Copyright 2026 crm_relation developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import json
from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import TransactionCase, new_test_user, tagged
from odoo.tools import SQL

from .common import make_role_users, trusted


@tagged("post_install", "-at_install", "crm_relation")
class TestWinback(TransactionCase):
    """Win-back episodes (seed 001, L93-101): opened once per silence of a
    customer at risk, highest value first, with a visit for the account
    manager; closed as won back (a purchase, or by hand) or lost, counted in
    the account managers' evaluation."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.users = make_role_users(cls.env, portal=True)
        cls.user = cls.users["user"]
        cls.manager = cls.users["manager"]
        cls.colleague = new_test_user(
            cls.env, "t_crm_wb_colleague", groups="crm_relation.group_crm_relation_user"
        )
        cls.company = cls.env.company
        cls.company.relation_churn_threshold = 60
        cls.Winback = cls.env["crm.relation.winback"]
        cls.product = cls.env["product.product"].create(
            {"name": "Win-back Tea", "list_price": 100.0}
        )
        Partner = cls.env["res.partner"]
        cls.small = Partner.create({"name": "小客户 Small", "user_id": cls.user.id})
        cls.big = Partner.create({"name": "大客户 Big", "user_id": cls.user.id})
        cls.mid = Partner.create({"name": "中客户 Mid", "user_id": cls.user.id})
        cls.safe = Partner.create({"name": "Safe", "user_id": cls.user.id})
        cls.theirs = Partner.create(
            {"name": "Colleague's Customer", "user_id": cls.colleague.id}
        )
        cls.customers = cls.small | cls.big | cls.mid | cls.safe | cls.theirs
        cls._figures(cls.small, 85, 100.0)
        cls._figures(cls.big, 70, 5000.0)
        cls._figures(cls.mid, 60, 900.0)  # at the threshold: at risk
        cls._figures(cls.safe, 59, 9000.0)  # below it
        cls._figures(cls.theirs, 90, 300.0)

    @classmethod
    def _figures(cls, partner, risk, monetary):
        """What the evaluation would have written (the churn risk and the
        value in the window), through the addon's trusted path."""
        trusted(partner.with_company(cls.company)).write(
            {"relation_churn_risk": risk, "rfm_monetary": monetary}
        )

    def _after_evaluation(self, partners=None):
        return self.Winback._after_evaluation(self.company, partners or self.customers)

    def _episodes(self, partners=None):
        return self.Winback.search(
            [("partner_id", "in", (partners or self.customers).ids)]
        )

    def _order(self, partner, when):
        order = self.env["sale.order"].create(
            {
                "partner_id": partner.id,
                "order_line": [
                    fields.Command.create(
                        {"product_id": self.product.id, "product_uom_qty": 1}
                    )
                ],
            }
        )
        order.action_confirm()
        order.date_order = when
        return order

    def _backdate(self, episodes, days=1):
        """Open ``episodes`` ``days`` earlier (datetimes have no fraction of a
        second: an order confirmed in the same second is not after)."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "UPDATE crm_relation_winback SET date_open = date_open - %s "
                "WHERE id = ANY(%s)",
                timedelta(days=days),
                episodes.ids,
            )
        )
        episodes.invalidate_recordset(["date_open"])

    # -- opening -------------------------------------------------------------

    def test_opened_once_per_episode_across_evaluations(self):
        result = self._after_evaluation()
        episodes = self._episodes()
        self.assertEqual(
            set(episodes.partner_id.ids),
            {self.small.id, self.big.id, self.mid.id, self.theirs.id},
            "risk at or above the threshold; the one below is left alone",
        )
        self.assertEqual(result["opened"], episodes)
        self.assertEqual(set(episodes.mapped("state")), {"open"})
        visits = episodes.visit_id
        self.assertEqual(len(visits), 4)
        # Evaluated again (and again): nothing new, no second visit.
        self.assertFalse(self._after_evaluation()["opened"])
        self.assertFalse(self._after_evaluation(self.big)["opened"])
        self.assertEqual(self._episodes(), episodes)
        self.assertEqual(
            self.env["crm.relation.visit"].search_count(
                [("partner_id", "in", self.customers.ids), ("purpose", "=", "win_back")]
            ),
            4,
        )

    def test_a_lost_silence_is_not_reopened_a_new_one_is(self):
        self._after_evaluation(self.big)
        episode = self._episodes(self.big)
        episode.with_user(self.user)._mark_lost("Moved to a competitor")
        self._after_evaluation(self.big)
        self.assertEqual(self._episodes(self.big), episode, "the same silence")
        # The customer buys again, then falls silent again: a new episode.
        self._backdate(episode)
        self._order(self.big, fields.Datetime.now() - timedelta(hours=1))
        opened = self._after_evaluation(self.big)["opened"]
        self.assertEqual(len(opened), 1)
        self.assertEqual(len(self._episodes(self.big)), 2)

    def test_highest_value_first_with_priority(self):
        episodes = self._after_evaluation()["opened"]
        by_insertion = episodes.sorted("id")
        self.assertEqual(
            by_insertion.partner_id.ids,
            [self.big.id, self.mid.id, self.theirs.id, self.small.id],
        )
        listed = self._episodes()
        self.assertEqual(listed.partner_id, by_insertion.partner_id, "list order")
        self.assertEqual(listed.mapped("monetary"), [5000.0, 900.0, 300.0, 100.0])
        # The priority follows the value among all the company's customers.
        self.assertGreaterEqual(
            self._episodes(self.big).priority, self._episodes(self.small).priority
        )
        self.assertEqual(self._episodes(self.big).risk, 70)
        self.assertIn("70", self._episodes(self.big).reasons)

    def test_reasons_kept_from_the_opening_in_the_readers_language(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        silence = [{"code": "silence", "days": 94, "usual": 21}]
        trusted(self.big.with_company(self.company)).write(
            {"relation_churn_reason_data": json.dumps(silence)}
        )
        self._after_evaluation()
        episode = self._episodes(self.big)
        self.assertEqual(json.loads(episode.reason_data), silence)
        self.assertIn(
            "No purchase for 94 days, usually every 21 days",
            episode.with_context(lang="en_US").reasons,
        )
        chinese = episode.with_context(lang="zh_CN").reasons
        self.assertIn("已 94 天未购买，平常每 21 天购买一次", chinese)
        # The customer's reasons change; the episode keeps those it opened on.
        trusted(self.big.with_company(self.company)).write(
            {"relation_churn_reason_data": "[]"}
        )
        episode.invalidate_recordset()
        self.assertIn("94", episode.reasons)

    def test_visit_planned_for_the_account_manager(self):
        self._after_evaluation()
        episode = self._episodes(self.big)
        visit = episode.visit_id
        self.assertEqual(visit.purpose, "win_back")
        self.assertEqual(visit.user_id, self.user)
        self.assertEqual(episode.user_id, self.user)
        self.assertEqual(visit.partner_id, self.big)
        self.assertEqual(visit.planned_date, fields.Date.context_today(visit))
        self.assertEqual(visit.state, "planned")
        self.assertTrue(visit.week_id, "in the account manager's weekly schedule")
        # The account manager sees the episode and its visit.
        self.assertIn(episode, self.Winback.with_user(self.user).search([]))
        visit.with_user(self.user).read(["purpose"])

    def test_account_manager_fallbacks(self):
        """No salesperson on the customer: the salesperson of its last order;
        none either: the administrator for the scheduled (superuser) run."""
        seller = new_test_user(
            self.env, "t_crm_wb_seller", groups="crm_relation.group_crm_relation_user"
        )
        Partner = self.env["res.partner"]
        ordered = Partner.create({"name": "Ordered Without Salesperson"})
        orphan = Partner.create({"name": "Nobody's"})
        self._figures(ordered, 80, 10.0)
        self._figures(orphan, 80, 10.0)
        order = self._order(ordered, fields.Datetime.now() - timedelta(days=200))
        order.user_id = seller
        self._after_evaluation(ordered | orphan)
        self.assertEqual(self._episodes(ordered).user_id, seller)
        self.assertEqual(self._episodes(ordered).visit_id.user_id, seller)
        self.assertEqual(
            self._episodes(orphan).user_id, self.env.ref("base.user_admin")
        )

    def test_the_engine_calls_it_after_writing_the_scores(self):
        Winback = type(self.Winback)
        original = Winback._after_evaluation
        calls = []

        def spy(model, company, partners=None, now=None, date=None):
            calls.append((company, partners, date))
            return original(model, company, partners, now, date)

        day = fields.Date.context_today(self.Winback) - timedelta(days=30)
        with patch.object(Winback, "_after_evaluation", spy):
            self.env["crm.relation.rfm.engine"]._evaluate_company(
                self.company, partners=self.big, trigger="manual", date=day
            )
        self.assertEqual(calls, [(self.company, self.big, day)])

    def test_an_evaluation_as_of_a_past_day(self):
        """Episodes open at the evaluation's time, their visits are planned
        that day, and only purchases until then count."""
        day = fields.Date.context_today(self.Winback) - timedelta(days=30)
        then = fields.Datetime.to_datetime(day)
        self._order(self.big, then + timedelta(days=10))
        opened = self.Winback._after_evaluation(self.company, self.big, then, day)[
            "opened"
        ]
        self.assertEqual(opened.date_open, then)
        self.assertEqual(opened.visit_id.planned_date, day)
        self.assertEqual(opened.state, "open", "a later order does not count then")
        # Evaluated today, the order ten days after the opening wins it back.
        self.assertEqual(self._after_evaluation(self.big)["won"], 1)
        self.assertEqual(opened.state, "won")

    def test_the_customer_form_shows_the_open_episode(self):
        self._after_evaluation()
        episode = self._episodes(self.big)
        big = self.big.with_user(self.user)
        self.assertEqual(big.relation_winback_id, episode)
        action = big.action_view_winback()
        self.assertEqual(action["res_id"], episode.id)
        # Not a colleague's; nothing for a user without the addon.
        self.assertFalse(self.theirs.with_user(self.user).relation_winback_id)
        self.assertFalse(self.big.with_user(self.users["outsider"]).relation_winback_id)
        self.assertEqual(
            self.theirs.with_user(self.users["auditor"]).relation_winback_id,
            self._episodes(self.theirs),
        )
        episode._mark_lost("Gone")
        big.invalidate_recordset(["relation_winback_id"])
        self.assertFalse(big.relation_winback_id)
        with self.assertRaisesRegex(UserError, "no open win-back episode"):
            big.action_view_winback()

    # -- outcome -------------------------------------------------------------

    def test_won_when_the_customer_buys_again(self):
        self._after_evaluation()
        episode = self._episodes(self.big)
        other = self._episodes(self.small)
        self._backdate(episode | other)
        # An order from before the episode opened does not count.
        self._order(self.small, episode.date_open - timedelta(days=3))
        self._order(self.big, fields.Datetime.now() - timedelta(hours=1))
        result = self._after_evaluation()
        self.assertEqual(result["won"], 1)
        self.assertEqual(episode.state, "won")
        self.assertEqual(episode.closing, "purchase")
        self.assertTrue(episode.date_closed)
        self.assertEqual(other.state, "open")

    def test_won_on_an_invoice_of_the_opening_day_recorded_after_it(self):
        """Opened in the small hours of a day; an invoice dated that day and
        recorded later is a purchase after the opening, one dated the day
        before is not."""
        self._after_evaluation()
        episode = self._episodes(self.big)
        other = self._episodes(self.small)

        def invoice(partner, day):
            move = self.env["account.move"].create(
                {
                    "move_type": "out_invoice",
                    "partner_id": partner.id,
                    "invoice_date": day,
                    "invoice_line_ids": [
                        fields.Command.create(
                            {"product_id": self.product.id, "price_unit": 100.0}
                        )
                    ],
                }
            )
            move.action_post()
            return move

        # Records are stamped with the transaction's time (cr.now()).
        opened = self.env.cr.now() - timedelta(minutes=1)
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "UPDATE crm_relation_winback SET date_open = %s WHERE id = ANY(%s)",
                opened,
                (episode | other).ids,
            )
        )
        (episode | other).invalidate_recordset(["date_open"])
        recorded = invoice(self.big, opened.date())
        invoice(self.small, opened.date() - timedelta(days=1))
        self.assertGreater(recorded.create_date, opened)
        result = self._after_evaluation()
        self.assertEqual(result["won"], 1)
        self.assertEqual(episode.state, "won")
        self.assertEqual(other.state, "open")

    def test_won_by_hand(self):
        self._after_evaluation()
        episode = self._episodes(self.mid)
        episode.with_user(self.user).action_won()
        self.assertEqual(episode.state, "won")
        self.assertEqual(episode.closing, "hand")
        self.assertEqual(episode.closed_uid, self.user)
        with self.assertRaisesRegex(UserError, "closed already"):
            episode.with_user(self.user).action_won()

    def test_lost_with_a_reason_by_the_account_manager(self):
        self._after_evaluation()
        episode = self._episodes(self.big)
        action = episode.with_user(self.user).action_lost()
        Wizard = self.env["crm.relation.winback.lost"].with_user(self.user)
        wizard = Wizard.with_context(**action["context"]).create({"reason": "  "})
        self.assertEqual(wizard.winback_ids, episode)
        with self.assertRaisesRegex(UserError, "reason"):
            wizard.action_apply()
        wizard.reason = "Closed their shop"
        wizard.action_apply()
        self.assertEqual(episode.state, "lost")
        self.assertEqual(episode.lost_reason, "Closed their shop")
        self.assertEqual(episode.visit_id.state, "cancelled", "no visit left to do")
        # A manager closes any episode.
        mid = self._episodes(self.theirs)
        Wizard.with_user(self.manager).with_context(
            active_model=mid._name, active_ids=mid.ids
        ).create({"reason": "No answer"}).action_apply()
        self.assertEqual(mid.state, "lost")

    def test_outcomes_counted_in_the_evaluation_report(self):
        self._after_evaluation()
        self._backdate(self._episodes(self.big))
        self._order(self.big, fields.Datetime.now() - timedelta(hours=1))
        self._after_evaluation()
        self._episodes(self.mid).with_user(self.user).action_won()
        self._episodes(self.small).with_user(self.user)._mark_lost("Gone")
        self.env.flush_all()
        # Counted on the day the episode closed (UTC, as the other events).
        today = self._episodes(self.mid).date_closed.date()
        Report = self.env["crm.relation.manager.evaluation.report"]
        rows = Report._read_group(
            [("user_id", "=", self.user.id), ("company_id", "=", self.company.id)],
            [],
            ["winback_won:sum", "winback_lost:sum"],
        )
        self.assertEqual(rows, [(2, 1)])
        [row] = Report.search([("user_id", "=", self.user.id), ("date", "=", today)])
        self.assertEqual((row.winback_won, row.winback_lost), (2, 1))
        self.assertFalse(
            Report.search(
                [("user_id", "=", self.colleague.id), ("winback_won", ">", 0)]
            )
        )

    # -- access --------------------------------------------------------------

    def test_access_per_group(self):
        self._after_evaluation()
        mine = self._episodes(self.big)
        theirs = self._episodes(self.theirs)
        user, auditor = self.user, self.users["auditor"]
        # Account managers read their own episodes, not a colleague's, and
        # cannot close a colleague's.
        self.assertNotIn(theirs, self.Winback.with_user(user).search([]))
        with self.assertRaises(AccessError):
            theirs.with_user(user).action_won()
        with self.assertRaises(AccessError):
            theirs.with_user(user)._mark_lost("Not mine")
        self.assertEqual(theirs.state, "open")
        mine.with_user(user).note = "Called twice"
        # Managers and auditors read every episode; auditors write nothing.
        for role in ("manager", "auditor"):
            seen = self.Winback.with_user(self.users[role]).search([])
            self.assertIn(theirs, seen)
        as_auditor = mine.with_user(auditor)
        as_auditor.read(["state", "risk", "reasons", "visit_id"])
        with self.assertRaises(AccessError):
            as_auditor.write({"note": "x"})
        with self.assertRaisesRegex(AccessError, "Only .* may run"):
            as_auditor.action_won()
        with self.assertRaisesRegex(AccessError, "Only .* may run"):
            as_auditor.action_lost()
        with self.assertRaises(AccessError):
            self.env["crm.relation.winback.lost"].with_user(auditor).create(
                {"winback_ids": [fields.Command.set(mine.ids)], "reason": "x"}
            )
        with self.assertRaises(AccessError):
            as_auditor.message_post(body="x")
        with self.assertRaises(AccessError):
            as_auditor.unlink()
        self.assertEqual(mine.state, "open")
        # Nobody creates or deletes episodes by hand: the evaluation opens them.
        for role in ("user", "manager"):
            with self.assertRaises(AccessError):
                self.Winback.with_user(self.users[role]).create(
                    {"user_id": user.id, "note": "x"}
                )
            with self.assertRaises(AccessError):
                mine.with_user(self.users[role]).unlink()
        # Guarded: the state changes through the actions alone.
        with self.assertRaisesRegex(UserError, "cannot be set"):
            mine.with_user(self.manager).write({"state": "won"})
        for role in ("outsider", "portal"):
            with self.assertRaises(AccessError):
                self.Winback.with_user(self.users[role]).search_count([])

    def test_handed_over_while_open_with_its_visit(self):
        self._after_evaluation()
        episode = self._episodes(self.big)
        episode.with_user(self.manager).user_id = self.colleague
        self.assertEqual(episode.visit_id.user_id, self.colleague)
        episode.with_user(self.manager).action_won()
        with self.assertRaisesRegex(UserError, "Account Manager: .* closed already"):
            episode.with_user(self.manager).user_id = self.user
        self.assertEqual(episode.user_id, self.colleague)

    def test_companies_apart(self):
        self._after_evaluation()
        other = self.env["res.company"].create({"name": "Win-back Other Co"})
        self.manager.write({"company_ids": [fields.Command.set(other.ids)],
                            "company_id": other.id})  # fmt: skip
        self.assertFalse(
            self.Winback.with_user(self.manager).search(
                [("partner_id", "in", self.customers.ids)]
            )
        )
