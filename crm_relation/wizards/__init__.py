from . import crm_relation_block_wizard
from . import crm_relation_vip_wizard
from . import crm_relation_visit_handover
from . import crm_relation_visit_week_return
from . import helpdesk_ticket_duplicate_wizard
from . import crm_relation_complaint_ack_wizard
from . import crm_relation_audit_verify
from . import base_partner_merge
