from odoo import fields, models


class TusFacturasCurrencyTotals(models.AbstractModel):
    """One currency's balances in a comparison: TusFacturas' and Odoo's, and what Odoo
    records beyond its documents (payments, withholdings, journal entries)."""

    _name = "tusfacturas.currency.totals"
    _description = "TusFacturas Balances per Currency"
    _order = "currency_id"

    currency_id = fields.Many2one("res.currency", required=True, readonly=True)
    tusfacturas_balance = fields.Monetary(string="TusFacturas Balance", readonly=True)
    odoo_balance = fields.Monetary(readonly=True)
    odoo_other_balance = fields.Monetary(string="Odoo Payments and Other Entries", readonly=True)
    difference = fields.Monetary(readonly=True, help="TusFacturas balance minus Odoo balance.")

    def _values(self, totals):
        """Values for the rounded :class:`~..tusfacturas.matching.Totals` of each currency."""
        return [
            {
                "currency_id": currency.id,
                "tusfacturas_balance": total.tusfacturas,
                "odoo_balance": total.odoo,
                "odoo_other_balance": total.other,
                "difference": currency.round(total.difference),
            }
            for currency, total in sorted(totals.items(), key=lambda item: item[0].name)
        ]
