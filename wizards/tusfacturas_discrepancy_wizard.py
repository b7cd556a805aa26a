from odoo import Command, api, fields, models


class TusFacturasDiscrepancyWizard(models.AbstractModel):
    """What the list actions on discrepancies share: the discrepancies selected."""

    _name = "tusfacturas.discrepancy.wizard"
    _description = "TusFacturas Discrepancies Action"

    discrepancy_ids = fields.Many2many("tusfacturas.discrepancy", string="Discrepancies", required=True)

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        if self.env.context.get("active_model") == "tusfacturas.discrepancy" and "discrepancy_ids" in fields_list:
            values["discrepancy_ids"] = [Command.set(self.env.context.get("active_ids", []))]
        return values
