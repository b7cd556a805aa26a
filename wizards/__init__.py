from . import tusfacturas_discrepancy_dismiss
from . import tusfacturas_discrepancy_assign
