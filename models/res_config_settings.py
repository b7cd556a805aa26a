from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import format_datetime


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
    tusfacturas_check_active = fields.Boolean(
        related="company_id.tusfacturas_check_active", readonly=False, groups="base.group_system"
    )
    tusfacturas_cron_scope = fields.Selection(
        related="company_id.tusfacturas_cron_scope", readonly=False, groups="base.group_system"
    )
    tusfacturas_cron_days = fields.Integer(
        related="company_id.tusfacturas_cron_days", readonly=False, groups="base.group_system"
    )
    tusfacturas_cron_limit = fields.Integer(
        related="company_id.tusfacturas_cron_limit", readonly=False, groups="base.group_system"
    )
    tusfacturas_concurrency = fields.Integer(related="company_id.tusfacturas_concurrency", readonly=False)
    tusfacturas_compare_mode = fields.Selection(related="company_id.tusfacturas_compare_mode", readonly=False)
    tusfacturas_compare_from = fields.Date(related="company_id.tusfacturas_compare_from", readonly=False)
    tusfacturas_journal_ids = fields.Many2many(related="company_id.tusfacturas_journal_ids", readonly=False)
    tusfacturas_rounding_tolerance = fields.Monetary(
        related="company_id.tusfacturas_rounding_tolerance", readonly=False, currency_field="currency_id"
    )
    tusfacturas_control_user_id = fields.Many2one(related="company_id.tusfacturas_control_user_id", readonly=False)
    tusfacturas_last_run = fields.Text(
        string="Last automatic check", compute="_compute_tusfacturas_last_run", groups="base.group_system"
    )
    tusfacturas_credentials_refused = fields.Text(
        string="TusFacturas refusal", compute="_compute_tusfacturas_last_run", groups="base.group_system"
    )

    @api.depends("company_id")
    def _compute_tusfacturas_last_run(self):
        for settings in self:
            run = (
                self.env["tusfacturas.check.run"].sudo().search([("company_id", "=", settings.company_id.id)], limit=1)
            )
            settings.tusfacturas_last_run = run and self._tusfacturas_run_summary(run)
            settings.tusfacturas_credentials_refused = run.credentials_refused and run.stop_reason

    def _tusfacturas_run_summary(self, run):
        started = format_datetime(self.env, run.started)
        if run.state == "running":
            return self.env._(
                "Started %(started)s, in progress: %(count)s customers checked so far.",
                started=started,
                count=run.checked_count,
            )
        if run.state == "stopped":
            summary = self.env._(
                "Started %(started)s, stopped %(finished)s after %(count)s customers.",
                started=started,
                finished=format_datetime(self.env, run.finished),
                count=run.checked_count,
            )
            # Refused credentials have an alert of their own.
            return summary if run.credentials_refused else f"{summary} {run.stop_reason or ''}".strip()
        return self.env._(
            "Started %(started)s, finished %(finished)s: %(count)s customers checked.",
            started=started,
            finished=format_datetime(self.env, run.finished),
            count=run.checked_count,
        )

    def action_tusfacturas_test_connection(self):
        """Call ``micuenta/consumo`` with the saved credentials and say what came back."""
        if not self.env.is_admin():  # before anything else: the call is billed
            raise AccessError(self.env._("Only administrators can test the TusFacturas connection."))
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
