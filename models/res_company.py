from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..tusfacturas.matching import BALANCES, DOCUMENTS
from .tusfacturas_account import check_limits

# Sane bounds of the settings: (field, lowest, highest).
LIMITS = [
    ("tusfacturas_concurrency", 1, 10),
    ("tusfacturas_cron_limit", 1, 100000),
    ("tusfacturas_cron_days", 1, 3660),
]
# A rounding difference is a few cents (or pesos), never an amount worth comparing.
MAX_ROUNDING_TOLERANCE = 1000


class ResCompany(models.Model):
    _inherit = "res.company"

    # The company's TusFacturas accounts: one per CUIT + point of sale, each with its credentials.
    tusfacturas_account_ids = fields.One2many("tusfacturas.account", "company_id", string="TusFacturas Accounts")

    # Automatic check (see res.partner._cron_tusfacturas_reconcile): administrators only.
    tusfacturas_check_active = fields.Boolean(
        string="TusFacturas Automatic Check",
        copy=False,
        groups="base.group_system",
        help="Check this company's customers with TusFacturas every night. Every customer is a billed call.",
    )
    tusfacturas_cron_scope = fields.Selection(
        [
            ("receivable", "Customers with open receivables"),
            ("recent", "Customers invoiced recently"),
            ("all", "Every customer with a CUIT"),
        ],
        string="TusFacturas Check Scope",
        default="receivable",
        required=True,
        groups="base.group_system",
    )
    tusfacturas_cron_days = fields.Integer(
        string="TusFacturas Recent Within (days)",
        default=90,
        help='How far back a customer counts as recent: invoiced in Odoo (the scope "Customers invoiced '
        'recently") or with a voucher TusFacturas issued (the voucher check), whatever the scope.',
        groups="base.group_system",
    )
    tusfacturas_cron_limit = fields.Integer(
        string="TusFacturas Customers per Run",
        default=500,
        help="At most this many customers are checked per run: each one is a billed TusFacturas call.",
        groups="base.group_system",
    )
    tusfacturas_concurrency = fields.Integer(
        string="TusFacturas Parallel Calls",
        default=4,
        help="How many TusFacturas calls may run at the same time.",
    )
    tusfacturas_control_user_id = fields.Many2one(
        "res.users",
        string="TusFacturas Control Responsible",
        domain="[('share', '=', False), ('company_ids', 'in', id)]",
        help="Gets an activity with the summary of each scheduled check; without one, the summary is "
        "posted as a message.",
    )

    @api.constrains("tusfacturas_rounding_tolerance")
    def _check_tusfacturas_rounding_tolerance(self):
        for company in self:
            if not 0 <= company.tusfacturas_rounding_tolerance <= MAX_ROUNDING_TOLERANCE:
                raise ValidationError(
                    self.env._("The rounding tolerance must be between 0 and %(high)s.", high=MAX_ROUNDING_TOLERANCE)
                )

    @api.constrains("tusfacturas_concurrency", "tusfacturas_cron_limit", "tusfacturas_cron_days")
    def _check_tusfacturas_limits(self):
        check_limits(self, LIMITS)

    def write(self, vals):
        result = super().write(vals)
        if "tusfacturas_check_active" in vals:
            # One scheduled action serves every company: it runs while one of them wants it
            # (never turned back on in a neutralized database).
            cron = self.env.ref("tusfacturas_cuenta_corriente.ir_cron_tusfacturas_reconcile", raise_if_not_found=False)
            if cron:
                cron.sudo().toggle("res.company", [("tusfacturas_check_active", "=", True)])
        return result

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
    tusfacturas_rounding_tolerance = fields.Monetary(
        string="TusFacturas: Rounding Tolerance",
        currency_field="currency_id",
        default=0.01,
        help="A document whose totals differ by at most this much (in the currency compared) is a rounding "
        "difference, not a different total: it explains the difference between the balances.",
    )
    tusfacturas_journal_ids = fields.Many2many(
        "account.journal",
        "res_company_tusfacturas_journal_rel",
        "company_id",
        "journal_id",
        string="TusFacturas: Sales Journals",
        domain="[('type', '=', 'sale'), ('company_id', 'parent_of', id)]",
        help="The sales journals (points of sale) TusFacturas issues for: in the customers' current accounts, "
        "Odoo documents of other journals are out of scope. Empty: every sales journal that uses documents.",
    )

    def _tusfacturas_scope_journals(self):
        """The sales journals whose documents the customers' current accounts can name."""
        self.ensure_one()
        Journal = self.env["account.journal"]
        return self.tusfacturas_journal_ids or Journal.search(
            [("type", "=", "sale"), ("l10n_latam_use_documents", "=", True), *Journal._check_company_domain(self)]
        )

    def _tusfacturas_ledger_account(self):
        """The account whose credentials read the customers' current accounts: TusFacturas keeps
        one per customer for the company's CUIT, whatever the point of sale; the company's first
        active account (by sequence) with its three credentials, or nothing."""
        self.ensure_one()
        accounts = self.env["tusfacturas.account"].sudo().search([("company_id", "=", self.id)])
        return accounts.filtered("has_credentials")[:1].with_env(self.env)
