"""Models of Customer Relations.

Field names: every field this addon adds to another addon's model
(res.partner, res.users, res.company, res.config.settings, sale.order,
helpdesk.ticket, helpdesk.ticket.category, helpdesk.ticket.team, ...) starts
with ``rfm_`` when it belongs to the RFM evaluation (its figures and
settings) and with ``relation_`` otherwise, so that it cannot collide with a
field of Odoo or of another addon: ``rfm_score``, ``rfm_window_days``,
``relation_tier_id``, ``relation_mobile``, ``relation_vip_min_orders``,
``relation_is_complaint``. The fields of the mixins the addon puts on those
models (``crm.relation.review.mixin``, ``crm.relation.vip.badge``) follow the
rule too, on every model that inherits them. The fields of the addon's own
models (``crm.relation.*``) carry no prefix. The names changed in 19.0.1.7.0
are listed in ``migrations/19.0.1.7.0/pre-migrate.py``.
"""

from . import crm_relation_guarded
from . import crm_relation_append_only
from . import crm_relation_audit
from . import crm_relation_review_policy
from . import crm_relation_review_mixin
from . import crm_relation_vip
from . import crm_relation_vip_period
from . import crm_relation_vip_badge
from . import crm_relation_visit_plan
from . import crm_relation_visit
from . import crm_relation_visit_week
from . import res_partner
from . import crm_relation_tier
from . import crm_relation_rfm_band
from . import crm_relation_tier_history
from . import res_company
from . import res_config_settings
from . import crm_relation_rfm_engine
from . import crm_relation_winback
from . import sale_order
from . import res_partner_bank
from . import helpdesk_ticket_category
from . import helpdesk_ticket
from . import helpdesk_ticket_team
from . import res_partner_service
from . import crm_relation_complaint_summary
from . import crm_relation_complaint_summary_line
from . import crm_relation_sync_map
from . import crm_relation_sync
from . import crm_relation_care_rule
from . import crm_relation_care_log
from . import mail_followers
from . import calendar_event
from . import calendar_public_holiday_line
from . import calendar_public_holiday
