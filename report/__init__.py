from . import report_tusfacturas_ledger
