from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    tusfacturas_control_user_id = fields.Many2one(related="company_id.tusfacturas_control_user_id", readonly=False)
