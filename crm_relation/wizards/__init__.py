from . import crm_relation_block_wizard
from . import crm_relation_vip_wizard
from . import crm_relation_complaint_ack_wizard
