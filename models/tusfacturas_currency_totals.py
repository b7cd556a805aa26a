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

    # The many2one to the record (a ledger, a status) whose balances these are.
    _owner_field = None

    def _replace(self, totals_by_owner):
        """Make ``{owner: {currency: Totals}}`` the balances of those owners: a currency's row
        that is there already is updated (if anything changed), the others are created, and
        the rows of currencies no longer there deleted."""
        if not totals_by_owner:
            return
        owner_ids = [owner.id for owner in totals_by_owner]
        existing = self.search([(self._owner_field, "in", owner_ids)])
        rows = {(total[self._owner_field].id, total.currency_id.id): total for total in existing}
        to_create = []
        for owner, totals in totals_by_owner.items():
            for values in self._values(totals):
                currency_id = values.pop("currency_id")
                total = rows.pop((owner.id, currency_id), None)
                if total is None:
                    to_create.append(dict(values, currency_id=currency_id, **{self._owner_field: owner.id}))
                    continue
                changed = {name: value for name, value in values.items() if total[name] != value}
                if changed:
                    total.write(changed)
        self.browse([total.id for total in rows.values()]).unlink()
        self.create(to_create)

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
