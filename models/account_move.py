from odoo import api, fields, models

# Where Odoo Enterprise's l10n_ar_edi keeps the authorization of an electronic document: filled
# too when that module is installed, so that its printed invoice, QR code and VAT books have it.
EDI_AUTHORIZATION_FIELDS = ("l10n_ar_afip_auth_mode", "l10n_ar_afip_auth_code", "l10n_ar_afip_auth_code_due")


class AccountMove(models.Model):
    """A customer document Odoo booked from a voucher TusFacturas issued (issue 21): where it
    came from and the authorization AFIP gave it.

    Its own rate is TusFacturas' (``tusfacturas_rate``, the voucher's cotización), not a rate of
    the day added to the currency, which would change every other document of that day.

    Odoo 18 Community's ``l10n_ar`` keeps no CAE: it is kept here (``tusfacturas_cae``,
    ``tusfacturas_cae_due``), shown on the document's form; with Enterprise's ``l10n_ar_edi``
    installed, its own fields get it too (:meth:`_tusfacturas_authorization_values`)."""

    _inherit = "account.move"

    tusfacturas_account_id = fields.Many2one(
        "tusfacturas.account", string="Issued by TusFacturas Account", readonly=True, copy=False,
        index="btree_not_null", ondelete="set null", groups="account.group_account_invoice",
        help="The document was issued in TusFacturas by this account, and created in Odoo from its voucher.",
    )  # fmt: skip
    tusfacturas_cae = fields.Char(
        string="CAE", readonly=True, copy=False,
        help="The electronic authorization code AFIP gave this document when TusFacturas issued it.",
    )  # fmt: skip
    tusfacturas_cae_due = fields.Date(string="CAE Due Date", readonly=True, copy=False)
    tusfacturas_rate = fields.Float(
        string="TusFacturas Rate", digits=(16, 6), readonly=True, copy=False,
        help="Pesos per unit of the document's currency, as TusFacturas issued it (cotización): the document's "
        "own rate in Odoo.",
    )  # fmt: skip
    tusfacturas_currency_id = fields.Many2one(
        "res.currency", string="TusFacturas Currency", readonly=True, copy=False,
        help="The currency TusFacturas issued the document in, at TusFacturas Rate.",
    )  # fmt: skip

    @api.depends("tusfacturas_rate", "tusfacturas_currency_id")
    def _compute_invoice_currency_rate(self):
        """A document TusFacturas issued in a foreign currency keeps the rate it was issued at (its
        cotización), as long as it stays in that currency, rather than Odoo's rate of its date."""
        result = super()._compute_invoice_currency_rate()
        for move in self:
            if (
                move.tusfacturas_rate
                and move.currency_id == move.tusfacturas_currency_id
                and move.currency_id != move.company_currency_id
                and move.is_invoice(include_receipts=True)
            ):
                move.invoice_currency_rate = 1 / move.tusfacturas_rate
        return result

    def _tusfacturas_authorization_values(self, cae, cae_due):
        """The values that record AFIP's authorization ``cae`` (due ``cae_due``) on a document: this
        addon's fields, and l10n_ar_edi's where that module is installed."""
        values = {"tusfacturas_cae": cae or False, "tusfacturas_cae_due": cae_due or False}
        edi = dict(zip(EDI_AUTHORIZATION_FIELDS, ("CAE", cae or False, cae_due or False), strict=True))
        if cae:
            values.update({name: value for name, value in edi.items() if name in self._fields})
        return values
