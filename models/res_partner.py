from datetime import timedelta

from stdnum.ar import cuit as stdnum_cuit

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import formatLang

from .tusfacturas_check_run import BATCH_SIZE, request_budget
from .tusfacturas_partner_status import STATUS_FIELDS, STATUS_STATES

AFIP_CUIT_CODE = "80"
# "Check with TusFacturas" on selected customers: at most this many at once (each one is billed).
MANUAL_LIMIT = 100


def _status_field(field_type, status_field, string, **kwargs):
    """A partner field showing ``status_field`` of the current company's status, searchable."""

    def search(partners, operator, value):
        return partners._tusfacturas_status_domain(status_field, operator, value)

    search.__name__ = f"_search_tusfacturas_{status_field}"
    if field_type is fields.Monetary:
        kwargs["currency_field"] = "tusfacturas_currency_id"
    return field_type(
        string=string, compute="_compute_tusfacturas_status", search=search,
        groups="account.group_account_invoice", **kwargs,
    )  # fmt: skip


class ResPartner(models.Model):
    """A customer's last check with TusFacturas, its CUIT, and the ways to check it: the form
    button (its current account now), the list action (selected customers now) and the
    scheduled action (every customer in scope, see ``tusfacturas.check.run``)."""

    _inherit = "res.partner"

    # The last check with TusFacturas in the current company.
    tusfacturas_state = _status_field(fields.Selection, "state", "TusFacturas Status", selection=STATUS_STATES)
    tusfacturas_balance = _status_field(fields.Monetary, "tusfacturas_balance", "TusFacturas Balance")
    tusfacturas_odoo_balance = _status_field(fields.Monetary, "odoo_balance", "Odoo Balance (TusFacturas check)")
    tusfacturas_difference = _status_field(fields.Monetary, "difference", "TusFacturas Difference")
    tusfacturas_last_sync = _status_field(fields.Datetime, "last_check", "TusFacturas Figures From")
    tusfacturas_error = _status_field(fields.Text, "error_message", "TusFacturas Error")
    tusfacturas_currency_id = fields.Many2one(
        "res.currency", compute="_compute_tusfacturas_status", groups="account.group_account_invoice"
    )
    tusfacturas_button_label = fields.Char(
        string="TusFacturas Last Check Summary",
        compute="_compute_tusfacturas_button_label",
        groups="account.group_account_invoice",
    )

    @api.depends_context("company")
    def _compute_tusfacturas_status(self):
        company = self.env.company
        statuses = (
            self.env["tusfacturas.partner.status"]
            .sudo()
            .search([("partner_id", "in", self.commercial_partner_id.ids), ("company_id", "=", company.id)])
        )
        by_partner = {status.partner_id.id: status for status in statuses}
        for partner in self:
            status = by_partner.get(partner.commercial_partner_id.id)
            partner.tusfacturas_currency_id = company.currency_id
            for field_name, status_field in STATUS_FIELDS.items():
                value = status[status_field] if status else False
                partner[field_name] = value or ("not_checked" if field_name == "tusfacturas_state" else value)

    @api.depends_context("company", "lang")
    def _compute_tusfacturas_button_label(self):
        """The last check on the partner form button: "With differences · $ 908.56"."""
        labels = dict(self._fields["tusfacturas_state"]._description_selection(self.env))
        for partner in self:
            state = partner.tusfacturas_state or "not_checked"
            label = labels[state]
            if state == "mismatch":
                amount = formatLang(
                    self.env, partner.tusfacturas_difference, currency_obj=partner.tusfacturas_currency_id
                )
                label = f"{label} · {amount}"
            partner.tusfacturas_button_label = label

    def _tusfacturas_status_domain(self, status_field, operator, value):
        """Partners whose status in the current company satisfies the condition; for the
        state, a customer with no status yet counts as "not_checked"."""
        Status = self.env["tusfacturas.partner.status"].sudo()
        company = [("company_id", "=", self.env.company.id)]
        domain = [
            (
                "commercial_partner_id",
                "in",
                Status._search([*company, (status_field, operator, value)]).subselect("partner_id"),
            )
        ]
        if status_field == "state" and _satisfies("not_checked", operator, value):
            never_checked = [("commercial_partner_id", "not in", Status._search(company).subselect("partner_id"))]
            domain = ["|", *domain, *never_checked]
        return domain

    # ------------------------------------------------------------------
    # CUIT and company
    # ------------------------------------------------------------------

    def _tusfacturas_company(self):
        """The company whose credentials and books apply: the partner's, else the current one."""
        self.ensure_one()
        return self.company_id or self.env.company

    def _tusfacturas_vats(self):
        """``{partner id: l10n_ar_vat}`` of these partners, reading only the two fields it is
        computed from (reading ``l10n_ar_vat`` itself fetches every column of every partner)."""
        self.fetch(["vat", "l10n_latam_identification_type_id"])
        return {partner.id: partner.l10n_ar_vat for partner in self}

    def _tusfacturas_cuit(self):
        """The commercial partner's CUIT as 11 digits (``l10n_ar_vat``), or a clear error naming the partner."""
        self.ensure_one()
        partner = self.commercial_partner_id
        if not partner.vat:
            raise UserError(
                self.env._(
                    "The customer %(partner)s has no CUIT: set it in its Tax ID field.", partner=partner.display_name
                )
            )
        if not partner.l10n_ar_vat:
            raise UserError(
                self.env._(
                    "The identification type of %(partner)s is %(type)s: TusFacturas current accounts need a CUIT.",
                    partner=partner.display_name,
                    type=partner.l10n_latam_identification_type_id.name or "-",
                )
            )
        if not stdnum_cuit.is_valid(partner.l10n_ar_vat):
            raise UserError(
                self.env._(
                    "The CUIT %(vat)s of %(partner)s is not valid.", vat=partner.vat, partner=partner.display_name
                )
            )
        return partner.l10n_ar_vat

    def _tusfacturas_has_cuit(self):
        """Whether this commercial partner has a valid CUIT (no call without one)."""
        try:
            self._tusfacturas_cuit()
        except UserError:
            return False
        return True

    def _tusfacturas_cuit_groups(self, company):
        """Group these customers by CUIT, as TusFacturas keys current accounts.

        Returns ``({cuit: commercial partners}, {partner id: error message})``: each
        group holds every commercial partner of ``company`` (or shared) with that CUIT
        (branches created as companies, duplicates), found in one query; customers
        without a valid CUIT are in the errors.
        """
        groups, errors = {}, {}
        for partner in self.commercial_partner_id:
            try:
                cuit = partner._tusfacturas_cuit()
            except UserError as error:
                errors[partner.id] = str(error)
            else:
                groups[cuit] = groups.get(cuit, self.browse()) | partner
        if not groups:
            return groups, errors
        self.env["res.partner"].flush_model(
            ["vat", "commercial_partner_id", "active", "company_id", "l10n_latam_identification_type_id"]
        )
        self.env["l10n_latam.identification.type"].flush_model(["l10n_ar_afip_code"])
        # ``l10n_ar_vat``'s rule (the digits of a CUIT's vat), in SQL: it is not stored.
        self.env.cr.execute(
            """
            SELECT p.id, regexp_replace(p.vat, '[^0-9]', '', 'g')
              FROM res_partner p
              JOIN l10n_latam_identification_type t ON t.id = p.l10n_latam_identification_type_id
             WHERE p.vat IS NOT NULL
               AND regexp_replace(p.vat, '[^0-9]', '', 'g') = ANY(%s)
               AND p.id = p.commercial_partner_id
               AND p.active
               AND (p.company_id IS NULL OR p.company_id = %s)
               AND t.l10n_ar_afip_code = %s
             ORDER BY p.id
            """,
            [list(groups), company.id, AFIP_CUIT_CODE],
        )
        for partner_id, cuit in self.env.cr.fetchall():
            groups[cuit] |= self.browse(partner_id)
        return groups, errors

    @api.model
    def _tusfacturas_by_document(self, company, numbers):
        """``{document number: commercial partner id}`` for the CUITs or DNIs ``numbers`` (digits):
        the company's (or shared) active commercial partners whose tax ID has those digits, in
        one query; the first one, by id, when several have the same."""
        if not numbers:
            return {}
        self.flush_model(["vat", "commercial_partner_id", "active", "company_id"])
        self.env.cr.execute(
            """
            SELECT DISTINCT ON (digits) digits, id
              FROM (SELECT regexp_replace(p.vat, '[^0-9]', '', 'g') AS digits, p.id
                      FROM res_partner p
                     WHERE p.vat IS NOT NULL AND p.id = p.commercial_partner_id AND p.active
                       AND (p.company_id IS NULL OR p.company_id = %s)) found
             WHERE digits = ANY(%s)
             ORDER BY digits, id
            """,
            [company.id, list(numbers)],
        )
        return dict(self.env.cr.fetchall())

    @api.model
    def _tusfacturas_scope(self, company):
        """Commercial partners with a valid CUIT ``company``'s automatic check covers."""
        scope = company.tusfacturas_cron_scope
        if scope == "receivable":
            groups = self.env["account.move.line"]._read_group(
                [
                    ("company_id", "=", company.id),
                    ("account_type", "=", "asset_receivable"),
                    ("parent_state", "=", "posted"),
                    ("reconciled", "=", False),
                    ("amount_residual", "!=", 0),
                    ("partner_id", "!=", False),
                ],
                groupby=["partner_id"],
            )
            partners = self.browse(partner.id for [partner] in groups).commercial_partner_id
        elif scope == "recent":
            since = fields.Date.context_today(self) - timedelta(days=company.tusfacturas_cron_days)
            groups = self.env["account.move"]._read_group(
                [
                    ("company_id", "=", company.id),
                    ("move_type", "in", ("out_invoice", "out_refund")),
                    ("state", "=", "posted"),
                    ("invoice_date", ">=", since),
                ],
                groupby=["commercial_partner_id"],
            )
            partners = self.browse(partner.id for [partner] in groups)
        else:
            # Companies and individuals (monotributistas, autónomos): every commercial partner.
            partners = self.search(
                [
                    "|", ("is_company", "=", True), ("parent_id", "=", False),
                    ("customer_rank", ">", 0),
                    ("vat", "!=", False),
                    ("l10n_latam_identification_type_id.l10n_ar_afip_code", "=", AFIP_CUIT_CODE),
                    ("company_id", "in", (False, company.id)),
                ]
            )  # fmt: skip
        # A customer with a voucher lately, whatever Odoo's receivables say (the voucher check).
        since = fields.Date.context_today(self) - timedelta(days=company.tusfacturas_cron_days)
        seen = (
            self.env["tusfacturas.voucher.customer"]
            .sudo()
            .search([("company_id", "=", company.id), ("last_voucher_date", ">=", since)])
        )
        by_document = self._tusfacturas_by_document(company, set(seen.mapped("document_number")))
        partners |= self.browse(by_document.values())
        return partners.filtered(lambda partner: partner._tusfacturas_has_cuit())

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_open_tusfacturas_ledger(self):
        """Partner form button: fetch the TusFacturas current account and show it."""
        self.env["tusfacturas.partner.status"]._check_tusfacturas_access()  # before anything: calls are billed
        self.ensure_one()
        ledger = self.env["tusfacturas.ledger"]._open_for(self.commercial_partner_id, self._tusfacturas_company())
        return ledger._get_window_action()

    def action_tusfacturas_reconcile(self):
        """ "Check with TusFacturas" on selected customers, now."""
        Status = self.env["tusfacturas.partner.status"]
        Status._check_tusfacturas_access()  # before anything else: every call is billed
        partners = self.commercial_partner_id
        if len(partners) > MANUAL_LIMIT:
            raise UserError(
                self.env._(
                    "Select at most %(limit)s customers to check at once (you selected %(count)s): every "
                    "customer is a billed TusFacturas call. Use the automatic check in Settings for more.",
                    limit=MANUAL_LIMIT,
                    count=len(partners),
                )
            )
        by_company = partners.grouped(lambda p: p._tusfacturas_company())
        # All of them, before the first call: a company without a TusFacturas account, or a
        # customer someone else is checking, stops the action before anything is billed.
        timeouts = {}
        for company, company_partners in by_company.items():
            timeouts[company] = self.env["tusfacturas.service"]._ledger_account(company).timeout
            Status._lock_for_check(company_partners, company)
        budget = request_budget()
        engine = self.env["tusfacturas.reconciliation"]
        states, left = [], 0
        for company, company_partners in by_company.items():
            todo = company_partners
            while todo:
                size = budget.batch_size(company.tusfacturas_concurrency, timeouts[company], BATCH_SIZE)
                if not size:
                    break
                result = engine._reconcile_batch(todo[:size], company, timeout=budget.call_timeout(timeouts[company]))
                todo = todo[size:]
                states += [r if isinstance(r, str) else r.is_ok for r in result.results.values()]
                if result.credentials_refused:
                    break
            left += len(todo)
        agree, differ = states.count(True), states.count(False)
        errors = len(states) - agree - differ
        message = self.env._(
            "%(agree)s in agreement, %(differ)s with differences, %(errors)s with errors.",
            agree=agree, differ=differ, errors=errors,
        )  # fmt: skip
        if left:
            message += " " + self.env._("%(left)s not checked this time: check them again in a moment.", left=left)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "warning" if differ or errors or left else "success",
                "title": self.env._("TusFacturas check"),
                "message": message,
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    @api.model
    def _cron_tusfacturas_reconcile(self):
        """The scheduled action (``ir_cron_tusfacturas_reconcile``): see ``tusfacturas.check.run``."""
        return self.env["tusfacturas.check.run"]._cron_check()


def _satisfies(state, operator, value):
    """Whether ``state`` meets a selection condition (=, !=, in, not in)."""
    values = value if isinstance(value, list | tuple | set) else [value]
    if operator in ("=", "in"):
        return state in values
    if operator in ("!=", "not in"):
        return state not in values
    return False
