from odoo import fields, models

from ..tusfacturas.client import DEFAULT_URL


class ResCompany(models.Model):
    _inherit = "res.company"

    # Credentials of the company's TusFacturas CUIT + point of sale. Administrators
    # only: no other user can read them through any route (form, RPC, export).
    tusfacturas_usertoken = fields.Char(string="TusFacturas User Token", copy=False, groups="base.group_system")
    tusfacturas_apikey = fields.Char(string="TusFacturas API Key", copy=False, groups="base.group_system")
    tusfacturas_apitoken = fields.Char(string="TusFacturas API Token", copy=False, groups="base.group_system")
    tusfacturas_api_url = fields.Char(string="TusFacturas API URL", default=DEFAULT_URL, groups="base.group_system")
    tusfacturas_timeout = fields.Integer(
        string="TusFacturas Timeout (s)",
        default=30,
        help="Seconds to wait for TusFacturas before giving up.",
    )

    def _tusfacturas_has_credentials(self):
        self.ensure_one()
        company = self.sudo()
        return bool(company.tusfacturas_usertoken and company.tusfacturas_apikey and company.tusfacturas_apitoken)
