from odoo import fields, models

from ..tusfacturas.client import DEFAULT_URL
from ..tusfacturas.matching import BALANCES, DOCUMENTS


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

    # What is compared (see tusfacturas/matching.py).
    tusfacturas_compare_mode = fields.Selection(
        [(DOCUMENTS, "Documents"), (BALANCES, "Documents and balances")],
        string="TusFacturas: Compare",
        default=DOCUMENTS,
        required=True,
        help="Documents: each invoice and credit note, its total and its presence on both sides; open amounts "
        "and payments are shown but are not differences (for companies that record collections, withholdings "
        "and cheques in Odoo only). Documents and balances: also open amounts and the whole balance (for "
        "companies that record their collections in TusFacturas too).",
    )
    tusfacturas_compare_from = fields.Date(
        string="TusFacturas: Compare From",
        help="Documents and movements dated before this day are out of scope: shown apart, never a difference "
        "(for example, the day the company started invoicing with TusFacturas).",
    )
    tusfacturas_journal_ids = fields.Many2many(
        "account.journal",
        "res_company_tusfacturas_journal_rel",
        "company_id",
        "journal_id",
        string="TusFacturas: Sales Journals",
        domain="[('type', '=', 'sale'), ('company_id', 'parent_of', id)]",
        help="The sales journals (points of sale) TusFacturas issues for: Odoo documents of other journals are "
        "out of scope. Empty: every sales journal that uses documents.",
    )

    def _tusfacturas_scope_journals(self):
        """The sales journals whose documents TusFacturas can know about."""
        self.ensure_one()
        Journal = self.env["account.journal"]
        return self.tusfacturas_journal_ids or Journal.search(
            [("type", "=", "sale"), ("l10n_latam_use_documents", "=", True), *Journal._check_company_domain(self)]
        )

    def _tusfacturas_has_credentials(self):
        self.ensure_one()
        company = self.sudo()
        return bool(company.tusfacturas_usertoken and company.tusfacturas_apikey and company.tusfacturas_apitoken)
