from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError

from ..tusfacturas.client import DEFAULT_URL

CREDENTIALS = ("usertoken", "apikey", "apitoken")
# Days of highest numbers kept (voucher_numbers): the re-checked days and more.
NUMBERS_KEPT = 120
# Sane bounds of an account's settings: (field, lowest, highest).
LIMITS = [
    ("timeout", 1, 120),
    ("point_of_sale", 1, 99999),
    ("voucher_recheck_days", 0, 90),
]


class TusFacturasAccount(models.Model):
    """One TusFacturas account: a CUIT + point of sale of the company, with its own three
    credentials (TusFacturas: *Mi espacio de trabajo > Cuits + PDV*), as Odoo keeps one
    ``payment.provider`` per account. Its vouchers are those of its point of sale; the
    company's first account (by sequence) also reads the customers' current accounts.

    The credentials are for administrators only (``groups``): no other user reads them by
    any route, they are never copied, logged or posted, and a neutralized database has none.
    """

    _name = "tusfacturas.account"
    _description = "TusFacturas Account"
    _order = "company_id, sequence, point_of_sale, id"
    _check_company_auto = True

    name = fields.Char(help="How users see this account; by default, the company and its point of sale.")
    active = fields.Boolean(default=True)
    sequence = fields.Integer(default=10)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company, ondelete="cascade"
    )
    point_of_sale = fields.Integer(
        string="Point of Sale", required=True, default=1, help="The AFIP point of sale of this TusFacturas account."
    )
    journal_ids = fields.Many2many(
        "account.journal",
        "tusfacturas_account_journal_rel",
        "account_id",
        "journal_id",
        string="Sales Journals",
        compute="_compute_journal_ids",
        store=True,
        readonly=False,
        precompute=True,
        check_company=True,
        domain="[('type', '=', 'sale'), ('company_id', 'parent_of', company_id)]",
        help="The Odoo sales journals whose documents this account issues (by default, those of its point of "
        "sale): their documents are compared with TusFacturas'.",
    )
    usertoken = fields.Char(string="User Token", copy=False, groups="base.group_system")
    apikey = fields.Char(string="API Key", copy=False, groups="base.group_system")
    apitoken = fields.Char(string="API Token", copy=False, groups="base.group_system")
    api_url = fields.Char(string="API URL", default=DEFAULT_URL, required=True, groups="base.group_system")
    timeout = fields.Integer(
        string="Timeout (s)", default=30, required=True, help="Seconds to wait for TusFacturas before giving up."
    )
    has_credentials = fields.Boolean(compute="_compute_has_credentials")
    credentials_refused = fields.Boolean(
        readonly=True,
        copy=False,
        help="TusFacturas refused these credentials: no scheduled check uses them until an administrator changes them.",
    )
    refusal_message = fields.Text(string="Refusal", readonly=True, copy=False)

    # The voucher check (see tusfacturas.voucher.run): free TusFacturas methods, administrators only.
    voucher_check_active = fields.Boolean(
        string="Daily Voucher Check",
        copy=False,
        groups="base.group_system",
        help="Every day, check every voucher this account issued in TusFacturas against Odoo's documents "
        "(free TusFacturas methods: no billed call).",
    )
    voucher_check_from = fields.Date(
        string="Check Vouchers From",
        groups="base.group_system",
        help="The first day the voucher check reads (default: the company's TusFacturas Compare From, else "
        "the first day of last month).",
    )
    voucher_recheck_days = fields.Integer(
        string="Days Checked Again",
        default=7,
        groups="base.group_system",
        help="Each daily check reads again this many days before the last day fully checked: late changes, "
        "vouchers queued in TusFacturas.",
    )
    voucher_checked_until = fields.Date(
        string="Vouchers Checked Until", readonly=True, copy=False, help="The last day fully checked."
    )
    voucher_numbers = fields.Json(
        readonly=True,
        copy=False,
        help="Per day checked, the highest number listed so far of each AFIP document type: a later run's first "
        "day goes on from them (numbering gaps).",
    )
    voucher_run_ids = fields.One2many("tusfacturas.voucher.run", "account_id", string="Voucher Checks")

    _sql_constraints = [
        ("point_of_sale_uniq", "unique(company_id, point_of_sale)", "One TusFacturas account per point of sale."),
    ]

    @api.depends("name", "point_of_sale", "company_id")
    def _compute_display_name(self):
        for account in self:
            point_of_sale = str(account.point_of_sale or 0).zfill(5)
            account.display_name = account.name or self.env._(
                "%(company)s, point of sale %(pos)s", company=account.company_id.name, pos=point_of_sale
            )

    @api.depends("point_of_sale", "company_id")
    def _compute_journal_ids(self):
        Journal = self.env["account.journal"]
        for account in self:
            account.journal_ids = Journal.search(
                [
                    ("type", "=", "sale"),
                    ("l10n_latam_use_documents", "=", True),
                    ("l10n_ar_afip_pos_number", "=", account.point_of_sale),
                    *Journal._check_company_domain(account.company_id),
                ]
            )

    @api.depends(*CREDENTIALS)
    def _compute_has_credentials(self):
        for account, secrets in zip(self, self.sudo(), strict=True):
            account.has_credentials = all(secrets[name] for name in CREDENTIALS)

    @api.constrains("journal_ids", "point_of_sale")
    def _check_journals_point_of_sale(self):
        """An account's vouchers are those of its point of sale: so are its journals' documents."""
        for account in self:
            pos = account.point_of_sale
            others = account.journal_ids.filtered(lambda journal, pos=pos: journal.l10n_ar_afip_pos_number != pos)
            if others:
                raise ValidationError(
                    self.env._(
                        "The journal %(journal)s is of point of sale %(journal_pos)s, not of this TusFacturas "
                        "account's (%(pos)s): each point of sale has a TusFacturas account of its own.",
                        journal=others[0].display_name,
                        journal_pos=others[0].l10n_ar_afip_pos_number,
                        pos=account.point_of_sale,
                    )
                )

    @api.constrains(*(name for name, _low, _high in LIMITS))
    def _check_limits(self):
        check_limits(self, LIMITS)

    @api.model_create_multi
    def create(self, vals_list):
        accounts = super().create(vals_list)
        if any(vals.get("voucher_check_active") for vals in vals_list):
            accounts._toggle_voucher_cron()
        return accounts

    def write(self, vals):
        if set(CREDENTIALS) & set(vals) and "credentials_refused" not in vals:
            # New credentials: the scheduled checks may use them again.
            vals = dict(vals, credentials_refused=False, refusal_message=False)
        result = super().write(vals)
        if "voucher_check_active" in vals or "active" in vals:
            self._toggle_voucher_cron()
        return result

    def _toggle_voucher_cron(self):
        """One scheduled action checks every account's vouchers: it runs while one of them wants
        it (never turned back on in a neutralized database)."""
        cron = self.env.ref("tusfacturas_cuenta_corriente.ir_cron_tusfacturas_voucher_check", raise_if_not_found=False)
        if cron:
            # ...or while a check an administrator started by hand goes on in the background.
            cron.sudo().toggle(
                "tusfacturas.account",
                [
                    "|",
                    ("voucher_check_active", "=", True),
                    ("voucher_run_ids", "any", [("manual", "=", True), ("state", "=", "running")]),
                ],
            )

    # ------------------------------------------------------------------
    # What the checks use
    # ------------------------------------------------------------------

    def _client_settings(self):
        """The account's credentials and API settings, for the TusFacturas client only."""
        self.ensure_one()
        secrets = self.sudo()
        return {
            **{name: secrets[name] for name in CREDENTIALS},
            "base_url": secrets.api_url,
        }

    def _keep_numbers(self, day, highest, fully_checked):
        """After a voucher check of ``day``: the highest number listed so far per document type
        (kept for the last days only), and ``day`` as the last day fully checked, if it is."""
        numbers = dict(self.voucher_numbers or {})
        numbers[str(day)] = highest
        for old in sorted(numbers)[:-NUMBERS_KEPT]:
            del numbers[old]
        values = {"voucher_numbers": numbers}
        if fully_checked and (not self.voucher_checked_until or day > self.voucher_checked_until):
            values["voucher_checked_until"] = day
        self.sudo().write(values)

    def _mark_refused(self, message):
        """TusFacturas refused these credentials: the scheduled checks stop using them."""
        self.sudo().write({"credentials_refused": True, "refusal_message": message})

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_check_vouchers(self):
        """ "Check vouchers now": for a period, administrators only (see tusfacturas.voucher.run)."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Check vouchers"),
            "res_model": "tusfacturas.voucher.check",
            "view_mode": "form",
            "target": "new",
            "context": {"default_account_id": self.id},
        }

    def action_open_voucher_runs(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "tusfacturas_cuenta_corriente.action_tusfacturas_voucher_run"
        )
        action["domain"] = [("account_id", "=", self.id)]
        return action

    def action_test_connection(self):
        """Call ``micuenta/consumo`` with the saved credentials and say what came back."""
        if not self.env.is_system():  # before anything else: the call is billed
            raise AccessError(self.env._("Only administrators can test the TusFacturas connection."))
        self.ensure_one()
        usage = self.env["tusfacturas.service"]._account_usage(self)
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
            },
        }


def check_limits(records, limits):
    """Refuse a value of ``records`` outside its bounds (``limits``: ``(field, lowest, highest)``)."""
    for record in records.sudo():
        for field_name, low, high in limits:
            if not low <= record[field_name] <= high:
                raise ValidationError(
                    records.env._(
                        "%(field)s must be between %(low)s and %(high)s.",
                        field=records._fields[field_name]._description_string(records.env),
                        low=low,
                        high=high,
                    )
                )
