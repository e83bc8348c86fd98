from . import crm_relation_block_wizard
from . import crm_relation_vip_wizard
