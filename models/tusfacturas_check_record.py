from odoo import api, models
from odoo.exceptions import AccessError


class TusFacturasCheckRecord(models.AbstractModel):
    """What a check with TusFacturas found (a ledger, a discrepancy): only checks
    create and write it, as superuser; users read it and write at most what
    :meth:`_user_may_write` allows."""

    _name = "tusfacturas.check.record"
    _description = "Found by a TusFacturas Check"

    def _user_may_write(self, fnames):
        return False

    def _create_denied_message(self):
        return self._write_denied_message()

    def _write_denied_message(self):
        return self.env._("The TusFacturas current account is read-only: refresh it instead.")

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            raise AccessError(self._create_denied_message())
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su and not self._user_may_write(set(vals)):
            raise AccessError(self._write_denied_message())
        return super().write(vals)
