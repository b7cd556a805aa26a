from odoo import fields, models


class TusFacturasDiscrepancyDismiss(models.TransientModel):
    """Asks why the selected discrepancies are dismissed."""

    _name = "tusfacturas.discrepancy.dismiss"
    _inherit = "tusfacturas.discrepancy.wizard"
    _description = "Dismiss TusFacturas Discrepancies"

    reason = fields.Text(required=True, help="Kept on each discrepancy; it is reopened if its amounts change.")

    def action_confirm(self):
        self.ensure_one()
        self.discrepancy_ids.action_dismiss(self.reason)
        return {"type": "ir.actions.act_window_close"}
