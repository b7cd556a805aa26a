from odoo import fields, models

from ..tusfacturas.matching import COMPANY_CURRENCY, DOCUMENT_CURRENCY


class TusFacturasLedgerLine(models.TransientModel):
    _name = "tusfacturas.ledger.line"
    _description = "TusFacturas Current Account Row"
    _order = "ledger_id, sequence, id"

    ledger_id = fields.Many2one("tusfacturas.ledger", required=True, ondelete="cascade", index=True)
    currency_id = fields.Many2one(related="ledger_id.currency_id")
    sequence = fields.Integer()
    date = fields.Date()
    concept = fields.Char()
    debit = fields.Monetary()
    credit = fields.Monetary()
    residual = fields.Monetary(string="Open Amount")
    balance = fields.Monetary(string="Running Balance")
    document_type_id = fields.Many2one("l10n_latam.document.type")
    point_of_sale = fields.Integer()
    document_number = fields.Integer()
    move_id = fields.Many2one("account.move", string="Odoo Document")
    match_state = fields.Selection(
        [
            ("matched", "Matched"),
            ("amount_mismatch", "Different total"),
            ("residual_mismatch", "Different open amount"),
            ("missing_in_odoo", "Missing in Odoo"),
            ("missing_in_tusfacturas", "Missing in TusFacturas"),
            ("not_a_document", "Not a document"),
        ],
        string="Match",
    )
    match_currency = fields.Selection(
        [(COMPANY_CURRENCY, "Company currency"), (DOCUMENT_CURRENCY, "Document currency")],
        string="Compared In",
        help="The currency in which TusFacturas and Odoo amounts were compared.",
    )
    odoo_amount = fields.Float(string="Odoo Total", digits=(16, 2))
    odoo_residual = fields.Float(string="Odoo Open Amount", digits=(16, 2))
    difference = fields.Monetary(
        help="This row's share of the difference between the TusFacturas balance and Odoo's "
        "customer documents: its TusFacturas movement minus the Odoo document's total.",
    )

    def action_open_move(self):
        self.ensure_one()
        return self.move_id._get_records_action()
