from . import crm_relation_block_wizard
