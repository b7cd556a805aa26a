import re

from stdnum.ar import cuit as stdnum_cuit

from odoo import api, fields, models
from odoo.exceptions import UserError

from .tusfacturas_partner_status import STATUS_FIELDS, STATUS_STATES

AFIP_CUIT_CODE = "80"


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

    def _tusfacturas_cuit(self):
        """The commercial partner's CUIT as 11 digits, or a clear error naming the partner."""
        self.ensure_one()
        partner = self.commercial_partner_id
        id_type = partner.l10n_latam_identification_type_id
        if not partner.vat:
            raise UserError(
                self.env._(
                    "The customer %(partner)s has no CUIT: set it in its Tax ID field.", partner=partner.display_name
                )
            )
        if id_type and id_type.l10n_ar_afip_code != AFIP_CUIT_CODE:
            raise UserError(
                self.env._(
                    "The identification type of %(partner)s is %(type)s: TusFacturas current accounts need a CUIT.",
                    partner=partner.display_name,
                    type=id_type.name,
                )
            )
        digits = re.sub(r"\D", "", partner.vat)
        if not stdnum_cuit.is_valid(digits):
            raise UserError(
                self.env._(
                    "The CUIT %(vat)s of %(partner)s is not valid.", vat=partner.vat, partner=partner.display_name
                )
            )
        return digits

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
        self.env.cr.execute(
            """
            SELECT p.id, regexp_replace(p.vat, '[^0-9]', '', 'g')
              FROM res_partner p
              LEFT JOIN l10n_latam_identification_type t ON t.id = p.l10n_latam_identification_type_id
             WHERE p.vat IS NOT NULL
               AND regexp_replace(p.vat, '[^0-9]', '', 'g') = ANY(%s)
               AND p.id = p.commercial_partner_id
               AND p.active
               AND (p.company_id IS NULL OR p.company_id = %s)
               AND (t.id IS NULL OR t.l10n_ar_afip_code = %s)
             ORDER BY p.id
            """,
            [list(groups), company.id, AFIP_CUIT_CODE],
        )
        for partner_id, cuit in self.env.cr.fetchall():
            groups[cuit] |= self.browse(partner_id)
        return groups, errors

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_open_tusfacturas_ledger(self):
        """Partner form button: fetch the TusFacturas current account and show it."""
        self.env["tusfacturas.partner.status"]._check_tusfacturas_access()  # before anything: calls are billed
        self.ensure_one()
        partner = self.commercial_partner_id
        ledger = self.env["tusfacturas.ledger"]._open_for(partner, self._tusfacturas_company())
        return ledger._get_window_action()


def _satisfies(state, operator, value):
    """Whether ``state`` meets a selection condition (=, !=, in, not in)."""
    values = value if isinstance(value, list | tuple | set) else [value]
    if operator in ("=", "in"):
        return state in values
    if operator in ("!=", "not in"):
        return state not in values
    return False
