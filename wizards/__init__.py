from . import tusfacturas_discrepancy_wizard
from . import tusfacturas_discrepancy_dismiss
from . import tusfacturas_discrepancy_assign
from . import tusfacturas_voucher_check
from . import tusfacturas_discrepancy_invoice
