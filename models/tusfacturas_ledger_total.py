from odoo import fields, models


class TusFacturasLedgerTotal(models.TransientModel):
    _name = "tusfacturas.ledger.total"
    _inherit = "tusfacturas.currency.totals"
    _description = "TusFacturas Current Account Balances per Currency"
    _owner_field = "ledger_id"

    ledger_id = fields.Many2one("tusfacturas.ledger", required=True, index=True, ondelete="cascade")
