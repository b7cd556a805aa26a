from odoo import fields, models

from ..tusfacturas.matching import (
    FOREIGN_CURRENCY,
    OPENING_BALANCE,
    OTHER_JOURNALS,
    ROUNDING_ITEM,
    TUSFACTURAS_MOVEMENTS,
)
from ..tusfacturas.receivables import (
    ADVANCE,
    COLLECTION,
    EXCHANGE,
    THIRD_PARTY_CHECKS,
    WITHHOLDING_GANANCIAS,
    WITHHOLDING_IIBB,
    WITHHOLDING_IVA,
    WITHHOLDING_OTHER,
    WITHHOLDING_SUSS,
    WRITEOFF,
)

# What explains the difference between TusFacturas' balance and Odoo's, in the order shown.
ITEM_KINDS = [
    (WITHHOLDING_IVA, "VAT withholdings suffered"),
    (WITHHOLDING_GANANCIAS, "Income tax withholdings suffered"),
    (WITHHOLDING_IIBB, "Gross income tax withholdings suffered"),
    (WITHHOLDING_SUSS, "SUSS withholdings suffered"),
    (WITHHOLDING_OTHER, "Other withholdings suffered"),
    (THIRD_PARTY_CHECKS, "Third-party cheques received"),
    (ADVANCE, "Advances and collections not applied"),
    (EXCHANGE, "Exchange differences"),
    (WRITEOFF, "Write-offs and adjustments"),
    (OTHER_JOURNALS, "Documents of journals TusFacturas does not issue for"),
    (ROUNDING_ITEM, "Rounding differences"),
    (FOREIGN_CURRENCY, "Foreign-currency rows, added by TusFacturas in their currency"),
    (COLLECTION, "Collections recorded in Odoo"),
    (TUSFACTURAS_MOVEMENTS, "TusFacturas movements that are not documents"),
    (OPENING_BALANCE, "Balances before the comparison date"),
]
_SEQUENCE = {kind: sequence for sequence, (kind, _label) in enumerate(ITEM_KINDS, start=1)}


class TusFacturasLedgerItem(models.TransientModel):
    """One item that explains the difference between a ledger's balances: what TusFacturas'
    balance holds that Odoo's does not, by kind, in the company currency. Written with its
    ledger, read by users (see ir.model.access.csv)."""

    _name = "tusfacturas.ledger.item"
    _description = "TusFacturas Current Account Explaining Item"
    _order = "ledger_id, sequence, id"
    # Not vacuumed on their own age: deleted with their ledger (which is), never before it.
    _transient_max_hours = 0

    ledger_id = fields.Many2one("tusfacturas.ledger", required=True, ondelete="cascade", index=True)
    sequence = fields.Integer()
    kind = fields.Selection(ITEM_KINDS, string="Item", required=True)
    currency_id = fields.Many2one(related="ledger_id.currency_id")
    amount = fields.Monetary(
        help="What TusFacturas' balance holds that Odoo's does not (negative: what Odoo's holds that TusFacturas' "
        "does not)."
    )

    def _replace(self, ledger, items):
        """Make ``items`` (``{kind: amount}``, rounded) the explaining items of ``ledger``."""
        Item = self.sudo()
        Item.search([("ledger_id", "=", ledger.id)]).unlink()
        Item.create([
            {"ledger_id": ledger.id, "sequence": _SEQUENCE[kind], "kind": kind, "amount": amount}
            for kind, amount in sorted(items.items(), key=lambda item: _SEQUENCE[item[0]])
        ])  # fmt: skip
