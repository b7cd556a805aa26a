from . import res_company
from . import res_config_settings
from . import tusfacturas_service
from . import tusfacturas_ledger
from . import tusfacturas_ledger_line
from . import res_partner
