from . import crm_relation_demo
