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
    tusfacturas_cron_active = fields.Boolean(
        string="Automatic reconciliation",
        compute="_compute_tusfacturas_cron_active",
        inverse="_inverse_tusfacturas_cron_active",
        groups="base.group_system",
    )
    tusfacturas_cron_scope = fields.Selection(related="company_id.tusfacturas_cron_scope", readonly=False)
    tusfacturas_cron_days = fields.Integer(related="company_id.tusfacturas_cron_days", readonly=False)
    tusfacturas_cron_limit = fields.Integer(related="company_id.tusfacturas_cron_limit", readonly=False)
    tusfacturas_concurrency = fields.Integer(related="company_id.tusfacturas_concurrency", readonly=False)
    tusfacturas_compare_mode = fields.Selection(related="company_id.tusfacturas_compare_mode", readonly=False)
    tusfacturas_compare_from = fields.Date(related="company_id.tusfacturas_compare_from", readonly=False)
    tusfacturas_journal_ids = fields.Many2many(related="company_id.tusfacturas_journal_ids", readonly=False)

    def _tusfacturas_cron(self):
        return self.env.ref("tusfacturas_cuenta_corriente.ir_cron_tusfacturas_reconcile", raise_if_not_found=False)

    def _compute_tusfacturas_cron_active(self):
        cron = self._tusfacturas_cron()
        for settings in self:
            settings.tusfacturas_cron_active = bool(cron and cron.sudo().active)

    def _inverse_tusfacturas_cron_active(self):
        cron = self._tusfacturas_cron()
        for settings in self:
            if cron and cron.sudo().active != settings.tusfacturas_cron_active:
                cron.sudo().active = settings.tusfacturas_cron_active

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
