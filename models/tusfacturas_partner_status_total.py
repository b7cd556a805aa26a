from odoo import fields, models


class TusFacturasPartnerStatusTotal(models.Model):
    _name = "tusfacturas.partner.status.total"
    _inherit = "tusfacturas.currency.totals"
    _description = "TusFacturas Check Balances per Currency"
    _owner_field = "status_id"

    status_id = fields.Many2one("tusfacturas.partner.status", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="status_id.company_id", store=True)
