from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    tusfacturas_usertoken = fields.Char(
        related="company_id.tusfacturas_usertoken", readonly=False, groups="base.group_system"
    )
    tusfacturas_apikey = fields.Char(
        related="company_id.tusfacturas_apikey", readonly=False, groups="base.group_system"
    )
    tusfacturas_apitoken = fields.Char(
        related="company_id.tusfacturas_apitoken", readonly=False, groups="base.group_system"
    )
    tusfacturas_api_url = fields.Char(
        related="company_id.tusfacturas_api_url", readonly=False, groups="base.group_system"
    )
    tusfacturas_timeout = fields.Integer(related="company_id.tusfacturas_timeout", readonly=False)

    def action_tusfacturas_test_connection(self):
        """Call ``micuenta/consumo`` with the saved credentials and say what came back."""
        self.ensure_one()
        self.execute()  # save what was typed, as every settings button does
        usage = self.env["tusfacturas.service"]._account_usage(self.company_id)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "title": self.env._("TusFacturas connection works"),
                "message": self.env._(
                    "Documents this month: %(generated)s issued of %(quota)s, %(available)s available; "
                    "%(pending)s scheduled subscriptions pending.",
                    generated=usage.get("comprobantes_generados"),
                    quota=usage.get("comprobantes_cupo"),
                    available=usage.get("comprobantes_disponibles"),
                    pending=usage.get("abonos_pendientes"),
                ),
                "sticky": False,
                "next": {"type": "ir.actions.act_window_close"},
            },
        }
