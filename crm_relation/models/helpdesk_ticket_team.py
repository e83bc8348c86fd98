# Copyright 2026 crm_relation developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class HelpdeskTicketTeam(models.Model):
    _inherit = "helpdesk.ticket.team"

    relation_leader_id = fields.Many2one(
        "res.users",
        "Complaint Leader",
        domain=[("share", "=", False)],
        help="Complaints of high-value and VIP customers are assigned to this "
        "user (customer-service leadership handles them).",
    )
    relation_leader_group_id = fields.Many2one(
        "res.groups",
        "Complaint Leadership Group",
        help="Without a complaint leader, high-value and VIP customers' "
        "complaints go to the member of this group with the fewest open "
        "tickets. The monthly complaint summary is sent to the leader, this "
        "group and the team leader.",
    )

    def _crm_relation_leadership(self):
        """Every user of the team's complaint leadership: the complaint
        leader, the leadership group's internal users and the team leader."""
        self.ensure_one()
        users = (
            self.relation_leader_id
            | self.relation_leader_group_id.sudo().all_user_ids
            | self.user_id
        )
        return users.filtered(lambda u: u.active and not u.share)

    def _crm_relation_pick_leader(self, load=None, counts=None):
        """The user a routed complaint goes to: the complaint leader; else
        the leadership group's member with the fewest open tickets; else the
        team leader. Empty if nothing is configured.

        ``load`` counts the tickets the caller assigned in the current batch;
        ``counts`` caches the members' open tickets across calls of a batch
        (one grouped query for the members not in it yet)."""
        if not self:
            return self.env["res.users"]
        self.ensure_one()
        if self.relation_leader_id:
            return self.relation_leader_id
        members = self.relation_leader_group_id.sudo().all_user_ids.filtered(
            lambda u: u.active and not u.share
        )
        if self.company_id:
            members = members.filtered(lambda u: self.company_id in u.company_ids)
        if not members:
            return self.user_id
        load = load or {}
        counts = {} if counts is None else counts
        uncounted = members.filtered(lambda u: u not in counts)
        if uncounted:
            open_counts = dict(
                self.env["helpdesk.ticket"]
                .sudo()
                ._read_group(
                    [
                        ("user_id", "in", uncounted.ids),
                        ("stage_id.closed", "=", False),
                    ],
                    ["user_id"],
                    ["__count"],
                )
            )
            for user in uncounted:
                counts[user] = open_counts.get(user, 0)
        return min(members, key=lambda u: (counts[u] + load.get(u, 0), u.id))
