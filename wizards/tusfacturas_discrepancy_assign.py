from odoo import Command, api, fields, models


class TusFacturasDiscrepancyAssign(models.TransientModel):
    """Makes a user responsible for the selected discrepancies."""

    _name = "tusfacturas.discrepancy.assign"
    _description = "Assign TusFacturas Discrepancies"

    discrepancy_ids = fields.Many2many("tusfacturas.discrepancy", string="Discrepancies", required=True)
    user_id = fields.Many2one(
        "res.users",
        string="Responsible",
        required=True,
        domain="[('share', '=', False)]",
        default=lambda self: self.env.user,
        help="Gets a to-do activity on each discrepancy.",
    )

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        if self.env.context.get("active_model") == "tusfacturas.discrepancy" and "discrepancy_ids" in fields_list:
            values["discrepancy_ids"] = [Command.set(self.env.context.get("active_ids", []))]
        return values

    def action_confirm(self):
        self.ensure_one()
        self.discrepancy_ids.action_assign(self.user_id)
        return {"type": "ir.actions.act_window_close"}
