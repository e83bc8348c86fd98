from . import crm_relation_manager_evaluation_report
from . import crm_relation_pareto_report
from . import crm_relation_profitability_report
from . import crm_relation_visit_week_report
from . import crm_relation_churn_report
