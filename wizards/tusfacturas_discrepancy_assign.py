from odoo import fields, models


class TusFacturasDiscrepancyAssign(models.TransientModel):
    """Makes a user responsible for the selected discrepancies."""

    _name = "tusfacturas.discrepancy.assign"
    _inherit = "tusfacturas.discrepancy.wizard"
    _description = "Assign TusFacturas Discrepancies"

    user_id = fields.Many2one(
        "res.users",
        string="Responsible",
        required=True,
        domain="[('share', '=', False)]",
        default=lambda self: self.env.user,
        help="Gets a to-do activity on each discrepancy.",
    )

    def action_confirm(self):
        self.ensure_one()
        self.discrepancy_ids.action_assign(self.user_id)
        return {"type": "ir.actions.act_window_close"}
