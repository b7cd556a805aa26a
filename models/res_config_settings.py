from odoo import api, fields, models
from odoo.tools import format_datetime


class ResConfigSettings(models.TransientModel):
    """Settings > Invoicing > TusFacturas: the company's accounts (a link), what is compared,
    and the automatic check of the customers' current accounts."""

    _inherit = "res.config.settings"

    tusfacturas_account_count = fields.Integer(
        string="TusFacturas Accounts", compute="_compute_tusfacturas_account_count", groups="base.group_system"
    )
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
    def _compute_tusfacturas_account_count(self):
        for settings in self:
            settings.tusfacturas_account_count = self.env["tusfacturas.account"].search_count(
                [("company_id", "=", settings.company_id.id)]
            )

    @api.depends("company_id")
    def _compute_tusfacturas_last_run(self):
        for settings in self:
            run = (
                self.env["tusfacturas.check.run"].sudo().search([("company_id", "=", settings.company_id.id)], limit=1)
            )
            settings.tusfacturas_last_run = run and self._tusfacturas_run_summary(run)
            account = settings.company_id._tusfacturas_ledger_account()
            settings.tusfacturas_credentials_refused = account.credentials_refused and account.refusal_message

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

    def action_tusfacturas_accounts(self):
        return self.env["ir.actions.act_window"]._for_xml_id("tusfacturas_cuenta_corriente.action_tusfacturas_account")
