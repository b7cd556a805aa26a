import re

from stdnum.ar import cuit as stdnum_cuit

from odoo import models
from odoo.exceptions import UserError

AFIP_CUIT_CODE = "80"


class ResPartner(models.Model):
    _inherit = "res.partner"

    def _tusfacturas_company(self):
        """The company whose credentials and books apply: the partner's, else the current one."""
        self.ensure_one()
        return self.company_id or self.env.company

    def _tusfacturas_cuit(self):
        """The commercial partner's CUIT as 11 digits, or a clear error naming the partner."""
        self.ensure_one()
        partner = self.commercial_partner_id
        id_type = partner.l10n_latam_identification_type_id
        if not partner.vat:
            raise UserError(
                self.env._(
                    "The customer %(partner)s has no CUIT: set it in its Tax ID field.", partner=partner.display_name
                )
            )
        if id_type and id_type.l10n_ar_afip_code != AFIP_CUIT_CODE:
            raise UserError(
                self.env._(
                    "The identification type of %(partner)s is %(type)s: TusFacturas current accounts need a CUIT.",
                    partner=partner.display_name,
                    type=id_type.name,
                )
            )
        digits = re.sub(r"\D", "", partner.vat)
        if not stdnum_cuit.is_valid(digits):
            raise UserError(
                self.env._(
                    "The CUIT %(vat)s of %(partner)s is not valid.", vat=partner.vat, partner=partner.display_name
                )
            )
        return digits

    def action_open_tusfacturas_ledger(self):
        """Partner form button: fetch the TusFacturas current account and show it."""
        self.ensure_one()
        partner = self.commercial_partner_id
        ledger = self.env["tusfacturas.ledger"]._open_for(partner, self._tusfacturas_company())
        return ledger._get_window_action()
