from odoo import fields, models

from ..tusfacturas.client import DEFAULT_URL


class ResCompany(models.Model):
    _inherit = "res.company"

    # Credentials of the company's TusFacturas CUIT + point of sale. Administrators
    # only: no other user can read them through any route (form, RPC, export).
    tusfacturas_usertoken = fields.Char(string="TusFacturas User Token", copy=False, groups="base.group_system")
    tusfacturas_apikey = fields.Char(string="TusFacturas API Key", copy=False, groups="base.group_system")
    tusfacturas_apitoken = fields.Char(string="TusFacturas API Token", copy=False, groups="base.group_system")
    tusfacturas_api_url = fields.Char(string="TusFacturas API URL", default=DEFAULT_URL, groups="base.group_system")
    tusfacturas_timeout = fields.Integer(
        string="TusFacturas Timeout (s)",
        default=30,
        help="Seconds to wait for TusFacturas before giving up.",
    )

    # Scheduled reconciliation (see res.partner._cron_tusfacturas_reconcile).
    tusfacturas_cron_scope = fields.Selection(
        [
            ("receivable", "Customers with open receivables"),
            ("recent", "Customers invoiced recently"),
            ("all", "Every customer with a CUIT"),
        ],
        string="TusFacturas Reconciliation Scope",
        default="receivable",
        required=True,
    )
    tusfacturas_cron_days = fields.Integer(
        string="TusFacturas Invoiced Within (days)",
        default=90,
        help='With the scope "Customers invoiced recently": how far back to look.',
    )
    tusfacturas_cron_limit = fields.Integer(
        string="TusFacturas Customers per Run",
        default=500,
        help="At most this many customers are reconciled per run: each one is a billed TusFacturas call.",
    )
    tusfacturas_concurrency = fields.Integer(
        string="TusFacturas Parallel Calls",
        default=4,
        help="How many TusFacturas calls may run at the same time.",
    )
    # The scheduled run in progress, so that an interrupted run resumes where it stopped.
    tusfacturas_cron_run_key = fields.Char(copy=False, readonly=True)
    tusfacturas_cron_run_done = fields.Boolean(copy=False, readonly=True)

    def _tusfacturas_has_credentials(self):
        self.ensure_one()
        company = self.sudo()
        return bool(company.tusfacturas_usertoken and company.tusfacturas_apikey and company.tusfacturas_apitoken)
