from odoo import Command, api, fields, models


class TusFacturasDiscrepancyDismiss(models.TransientModel):
    """Asks why the selected discrepancies are dismissed."""

    _name = "tusfacturas.discrepancy.dismiss"
    _description = "Dismiss TusFacturas Discrepancies"

    discrepancy_ids = fields.Many2many("tusfacturas.discrepancy", string="Discrepancies", required=True)
    reason = fields.Text(required=True, help="Kept on each discrepancy; it is reopened if its amounts change.")

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        if self.env.context.get("active_model") == "tusfacturas.discrepancy" and "discrepancy_ids" in fields_list:
            values["discrepancy_ids"] = [Command.set(self.env.context.get("active_ids", []))]
        return values

    def action_confirm(self):
        self.ensure_one()
        self.discrepancy_ids.action_dismiss(self.reason)
        return {"type": "ir.actions.act_window_close"}
