from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    tusfacturas_control_user_id = fields.Many2one(
        "res.users",
        string="TusFacturas Control Responsible",
        domain="[('share', '=', False), ('company_ids', 'in', id)]",
        help="Gets an activity with the summary of each scheduled check; without one, the summary is "
        "posted as a message.",
    )
