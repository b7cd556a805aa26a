import logging
from dataclasses import dataclass

from markupsafe import Markup

from odoo import Command, api, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL, float_compare, format_amount, format_date

from ..tusfacturas import TusFacturasError, voucher_api
from ..tusfacturas.files import MAX_PDF_BYTES, download_pdf
from ..tusfacturas.invoice import (
    DISCOUNT,
    EXEMPT,
    EXEMPT_REST,
    IIBB_PERCEPTION,
    JURISDICTIONS,
    NOT_TAXED,
    NOT_TAXED_REST,
    PROVINCES,
    VAT_RATES,
    plan_document,
)
from ..tusfacturas.matching import MISSING_IN_ODOO
from ..tusfacturas.vouchers import ISSUED, type_name_of
from .tusfacturas_check_run import request_budget

_logger = logging.getLogger(__name__)

# At most this many discrepancies per list action: each is a TusFacturas call and a PDF.
MAX_DOCUMENTS = 50
# TusFacturas' customer document types -> the AFIP codes of l10n_ar's identification types.
IDENTIFICATION_CODES = {"CUIT": ("80", "86"), "DNI": ("96",), "PASAPORTE": ("94",), "OTRO": ()}
# ...and the identification type a customer created from a voucher gets.
NEW_CUSTOMER_TYPES = {
    "CUIT": "l10n_ar.it_cuit",
    "DNI": "l10n_ar.it_dni",
    "PASAPORTE": "l10n_latam_base.it_pass",
    "OTRO": "l10n_latam_base.it_fid",
}
# TusFacturas' condicion_iva -> l10n_ar's AFIP responsibility.
RESPONSIBILITIES = {
    "CF": "l10n_ar.res_CF",
    "RI": "l10n_ar.res_IVARI",
    "M": "l10n_ar.res_RM",
    "E": "l10n_ar.res_IVAE",
    "CDEX": "l10n_ar.res_EXT",
    "IVNA": "l10n_ar.res_IVA_NO_ALC",
}
FOREIGN_RESPONSIBILITY = "l10n_ar.res_EXT"
# A voucher to "OTRO" without a number: l10n_ar's anonymous final consumer.
ANONYMOUS_CUSTOMER = "l10n_ar.par_cfa"
# The first digits of the CUIT of a legal entity (the others: people).
COMPANY_CUIT_PREFIXES = ("30", "33", "34")


class _NotCreatedError(Exception):
    """A voucher this company's configuration cannot book: the message says why."""


@dataclass(eq=False)
class _Job:
    """One voucher to bring into Odoo, and what is found about it along the way."""

    discrepancies: object  # the selected tusfacturas.discrepancy records about it
    account: object  # tusfacturas.account
    document_type: object  # l10n_latam.document.type
    point_of_sale: int
    number: int
    name: str  # "FACTURA A 00001-00000005"
    existing: object = None  # account.move already in Odoo
    voucher: object = None  # tusfacturas.vouchers.Voucher
    error: str | None = None
    partner: object = None  # res.partner
    new_partner: dict | None = None  # values of the customer to create
    new_partner_text: str = ""
    values: dict | None = None  # of the account.move
    plan: object = None
    taxes: dict | None = None  # plan tax index -> account.tax
    associated_missing: str | None = None
    pdf: bytes | None = None
    move: object = None  # account.move created

    @property
    def company(self):
        return self.account.company_id

    @property
    def document_number(self):
        return f"{self.point_of_sale:05d}-{self.number:08d}"

    @property
    def move_name(self):
        return f"{self.document_type.doc_code_prefix} {self.document_number}"


class TusFacturasVoucherImport(models.AbstractModel):
    """Creates in Odoo, as drafts, the vouchers TusFacturas issued and Odoo lacks (issue 21): the
    "Create Draft in Odoo" button of a *Missing in Odoo* discrepancy and its list action.

    Each voucher is fetched with its detail (``facturacion/consulta``, free) and becomes a draft
    customer invoice, debit or credit note in the sales journal of its TusFacturas account's point
    of sale: its customer (found by CUIT/DNI, or created once the user confirms), its document type
    and number as issued, dates, currency and its own rate, one line per voucher line with its VAT,
    its perceptions and other taxes, the document it refers to, the CAE and the PDF. Nothing is
    kept unless Odoo's total equals TusFacturas'. A voucher Odoo already has (draft or posted) is
    opened instead; two users at once make one document; each voucher is created in a savepoint.
    """

    _name = "tusfacturas.voucher.import"
    _description = "Create Odoo Documents from TusFacturas Vouchers"

    @api.model
    def _create_documents(self, discrepancies, create_customers=False):
        """Bring the vouchers of ``discrepancies`` into Odoo; with ``create_customers``, create the
        customers Odoo lacks (else the user is asked first). Returns the action to show."""
        self._check_rights(discrepancies, create_customers)
        if len(discrepancies) > MAX_DOCUMENTS:
            raise UserError(self.env._("Select at most %(count)s discrepancies at a time.", count=MAX_DOCUMENTS))
        single = len(discrepancies) == 1
        jobs, skipped = self._jobs(discrepancies)
        if single and skipped:
            raise UserError(skipped[0])
        self._find_existing(jobs)
        budget = request_budget()
        pending = [job for job in jobs if not job.existing]
        self._fetch(pending, budget)
        self._prepare([job for job in pending if not job.error])
        to_create = [job for job in pending if not job.error]
        if not create_customers and any(job.new_partner for job in to_create):
            return self._confirm_customers_action(discrepancies, [job for job in to_create if job.new_partner])
        created_partners = {}
        for job in to_create:
            self._download(job, budget)
            if not job.error:
                self._create(job, created_partners)
        return self._result_action(jobs, skipped, single)

    # ------------------------------------------------------------------
    # Who may, and what
    # ------------------------------------------------------------------

    @api.model
    def _check_rights(self, discrepancies, create_customers):
        """Before anything else: users who may create invoices, on discrepancies they may read."""
        if not self.env.su and not self.env.user.has_group("account.group_account_invoice"):
            raise AccessError(
                self.env._("Only users who may create invoices create documents from TusFacturas vouchers.")
            )
        self.env["account.move"].check_access("create")
        if create_customers:
            self.env["res.partner"].check_access("create")
        discrepancies.check_access("read")

    @api.model
    def _jobs(self, discrepancies):
        """``(jobs, messages)``: a job per voucher of the discrepancies that are about one, and why
        the others are not."""
        companies = discrepancies.company_id
        accounts = self.env["tusfacturas.account"].search(
            [
                ("company_id", "in", companies.ids),
                ("point_of_sale", "in", list(set(discrepancies.mapped("point_of_sale")))),
            ]
        )
        by_point_of_sale = {(account.company_id.id, account.point_of_sale): account for account in accounts}
        jobs, skipped = {}, []
        for discrepancy in discrepancies:
            message = None
            if discrepancy.kind != MISSING_IN_ODOO:
                message = self.env._(
                    "%(document)s: only a voucher missing in Odoo can be created in Odoo.", document=discrepancy.name
                )
            elif discrepancy.state != "open":
                message = self.env._("%(document)s: the discrepancy is not open.", document=discrepancy.name)
            elif not (discrepancy.document_type_id and discrepancy.point_of_sale and discrepancy.document_number):
                message = self.env._(
                    "%(document)s does not name an AFIP document type, point of sale and number.",
                    document=discrepancy.name,
                )
            if message:
                skipped.append(message)
                continue
            account = discrepancy.account_id or by_point_of_sale.get(
                (discrepancy.company_id.id, discrepancy.point_of_sale)
            )
            key = (discrepancy.company_id.id, discrepancy.document_type_id.id, discrepancy.point_of_sale,
                   discrepancy.document_number)  # fmt: skip
            if key in jobs:
                jobs[key].discrepancies |= discrepancy
                continue
            document_type = discrepancy.document_type_id
            name = self._voucher_name(document_type.code, discrepancy.point_of_sale, discrepancy.document_number)
            job = jobs[key] = _Job(
                discrepancy, account, document_type, discrepancy.point_of_sale, discrepancy.document_number, name
            )
            if not account:
                job.error = self.env._(
                    "%(document)s: the company %(company)s has no TusFacturas account for point of sale %(pos)s.",
                    document=name,
                    company=discrepancy.company_id.name,
                    pos=str(discrepancy.point_of_sale).zfill(5),
                )
            elif not account.has_credentials:
                job.error = self.env._(
                    "%(document)s: the TusFacturas account %(account)s has no credentials.",
                    document=name,
                    account=account.display_name,
                )
        return list(jobs.values()), skipped

    @api.model
    def _voucher_name(self, code, point_of_sale, number):
        type_name = type_name_of(code) or code
        return f"{type_name} {point_of_sale:05d}-{number:08d}"

    @api.model
    def _find_existing(self, jobs):
        """The documents Odoo already has for the jobs' vouchers, draft or posted (one search)."""
        jobs = [job for job in jobs if not job.error]
        if not jobs:
            return
        moves = self.env["account.move"].search(
            [
                ("company_id", "in", list({job.company.id for job in jobs})),
                ("move_type", "in", ("out_invoice", "out_refund")),
                ("state", "!=", "cancel"),
                ("l10n_latam_document_type_id", "in", list({job.document_type.id for job in jobs})),
                ("name", "in", list({job.move_name for job in jobs})),
            ],
            order="state desc, id",  # posted before draft
        )
        found = {}
        for move in moves:
            found.setdefault((move.company_id.id, move.l10n_latam_document_type_id.id, move.name), move)
        for job in jobs:
            job.existing = found.get((job.company.id, job.document_type.id, job.move_name))

    # ------------------------------------------------------------------
    # The vouchers, and what they need in Odoo
    # ------------------------------------------------------------------

    @api.model
    def _fetch(self, jobs, budget):
        """Each job's voucher with its detail (``facturacion/consulta``: free), while time allows."""
        service = self.env["tusfacturas.service"]
        for job in jobs:
            if job.error:
                continue
            account = job.account
            if budget.left() < budget.call_needs(account.timeout):
                job.error = self._not_processed_message(job)
                continue
            client = service._client(account, timeout=budget.call_timeout(account.timeout))
            try:
                voucher = voucher_api.voucher(client, job.document_type.code, job.point_of_sale, job.number)
            except TusFacturasError as error:
                job.error = self.env._(
                    "%(document)s: %(error)s", document=job.name, error=service._error_message(error, account)
                )
                continue
            if voucher.status != ISSUED:
                job.error = self.env._(
                    "%(document)s: TusFacturas has not issued it (%(status)s).",
                    document=job.name,
                    status=voucher.status_text,
                )
                continue
            job.voucher = voucher

    def _not_processed_message(self, job):
        return self.env._(
            "%(document)s: not processed, Odoo's time limit for this request was reached. Run it again.",
            document=job.name,
        )

    @api.model
    def _prepare(self, jobs):
        """What each voucher becomes in Odoo (``job.values``), or why it cannot (``job.error``):
        everything it refers to read for all the jobs at once."""
        if not jobs:
            return
        references = self._references(jobs)
        for job in jobs:
            try:
                self._prepare_job(job, references)
            except _NotCreatedError as refusal:
                job.error = str(refusal)

    @api.model
    def _references(self, jobs):
        companies = self.env["res.company"].union(*(job.company for job in jobs))
        vouchers = [job.voucher for job in jobs]
        associated = [item for voucher in vouchers for item in voucher.associated if item.afip_code]
        types = self.env["l10n_latam.document.type"].search(
            [("code", "in", list({item.afip_code for item in associated})), ("country_id.code", "=", "AR")]
        )
        taxes = self.env["account.tax"].search(
            [("company_id", "in", companies.ids), ("type_tax_use", "=", "sale")], order="sequence, id"
        )
        groups = taxes.tax_group_id
        jurisdictions = {}  # IIBB perception tax group id -> its province's suffix (see JURISDICTIONS)
        suffixes = {suffix for suffix, _state in JURISDICTIONS.values()}
        for data in (
            self.env["ir.model.data"]
            .sudo()
            .search_read(
                [("model", "=", "account.tax.group"), ("module", "=", "account"), ("res_id", "in", groups.ids)],
                ["name", "res_id"],
            )
        ):
            suffix = data["name"].rpartition("_tax_group_percepcion_iibb_")[2]
            if "_tax_group_percepcion_iibb_" in data["name"] and suffix in suffixes:
                jurisdictions[data["res_id"]] = suffix
        return {
            "currencies": {
                currency.l10n_ar_afip_code: currency
                for currency in self.env["res.currency"]
                .with_context(active_test=False)
                .search([("l10n_ar_afip_code", "in", list({voucher.currency for voucher in vouchers}))])
            },
            "taxes": taxes,
            "jurisdictions": jurisdictions,
            "partners": self._find_partners(jobs),
            "associated": self._find_associated(jobs, types),
            "types": {doc_type.code: doc_type for doc_type in types},
        }

    @api.model
    def _find_partners(self, jobs):
        """``{job: res.partner}``: the customer of each job's voucher among the company's (or
        shared) active commercial partners, by its document number, in one query: with the
        identification type l10n_ar gives that document first, then the same number under another
        type, then, for a DNI, the CUIT/CUIL it is the middle of (as the voucher check compares
        customers)."""
        wanted = [job for job in jobs if job.voucher.customer.number]
        if not wanted:
            return {}
        numbers = sorted({job.voucher.customer.number.strip().upper() for job in wanted})
        dnis = sorted(
            {job.voucher.customer.number.zfill(8) for job in wanted if job.voucher.customer.doc_type == "DNI"}
        )
        self.env["res.partner"].flush_model(["vat", "active", "company_id", "commercial_partner_id",
                                             "l10n_latam_identification_type_id"])  # fmt: skip
        rows = self.env.execute_query(
            SQL(
                """
                SELECT p.id, p.company_id, found.digits, found.text, it.l10n_ar_afip_code
                  FROM res_partner p
                  JOIN LATERAL (SELECT regexp_replace(p.vat, '[^0-9]', '', 'g') AS digits,
                                       upper(btrim(p.vat)) AS text) found ON TRUE
                  LEFT JOIN l10n_latam_identification_type it ON it.id = p.l10n_latam_identification_type_id
                 WHERE p.vat IS NOT NULL AND p.active AND p.id = p.commercial_partner_id
                   AND (p.company_id IS NULL OR p.company_id = ANY(%(companies)s))
                   AND (found.digits = ANY(%(numbers)s) OR found.text = ANY(%(numbers)s)
                        OR (length(found.digits) = 11 AND substr(found.digits, 3, 8) = ANY(%(dnis)s)))
                 ORDER BY p.id
                """,
                companies=list({job.company.id for job in wanted}),
                numbers=numbers,
                dnis=dnis,
            )
        )
        found = {}
        for job in wanted:
            customer = job.voucher.customer
            number = customer.number.strip().upper()
            digits = customer.doc_type in ("CUIT", "DNI")
            best = None
            for partner_id, company_id, partner_digits, text, code in rows:
                if company_id not in (None, job.company.id):
                    continue
                same = (partner_digits == number) if digits else (text == number)
                if same and code in IDENTIFICATION_CODES[customer.doc_type]:
                    rank = 0
                elif same:
                    rank = 1
                elif (
                    customer.doc_type == "DNI" and len(partner_digits) == 11 and partner_digits[2:10] == number.zfill(8)
                ):
                    rank = 2
                else:
                    continue
                if best is None or rank < best[0]:
                    best = (rank, partner_id)
            if best:
                found[job] = best[1]
        partners = self.env["res.partner"].browse(set(found.values()))
        return {job: partners.browse(partner_id) for job, partner_id in found.items()}

    @api.model
    def _find_associated(self, jobs, types):
        """``{(company id, AFIP code, point of sale, number): account.move}``: the documents Odoo
        has that the jobs' credit and debit notes refer to (one search; posted ones first)."""
        codes = {doc_type.code: doc_type for doc_type in types}
        names = {
            f"{codes[item.afip_code].doc_code_prefix} {item.point_of_sale:05d}-{item.number:08d}"
            for job in jobs
            for item in job.voucher.associated
            if item.afip_code in codes
        }
        if not names:
            return {}
        moves = self.env["account.move"].search(
            [
                ("company_id", "in", list({job.company.id for job in jobs})),
                ("move_type", "in", ("out_invoice", "out_refund")),
                ("state", "!=", "cancel"),
                ("l10n_latam_document_type_id", "in", types.ids),
                ("name", "in", list(names)),
            ],
            order="state desc, id",
        )
        found = {}
        for move in moves:
            parts = move.l10n_latam_document_number.split("-")
            if len(parts) == 2 and all(part.isdigit() for part in parts):
                key = (move.company_id.id, move.l10n_latam_document_type_id.code, int(parts[0]), int(parts[1]))
                found.setdefault(key, move)
        return found

    @api.model
    def _prepare_job(self, job, references):
        voucher, company, document_type = job.voucher, job.company, job.document_type
        # What the company's configuration lacks first: nobody is asked to create a customer for
        # a voucher that cannot be booked anyway.
        journal = self._journal(job)
        currency = self._currency(job, references["currencies"])
        job.plan = plan_document(voucher)
        lines, job.taxes = self._lines(job, references)
        partner = references["partners"].get(job)
        if not partner and voucher.customer.doc_type == "OTRO" and not voucher.customer.number:
            partner = self.env.ref(ANONYMOUS_CUSTOMER, raise_if_not_found=False)
        responsibility = partner.l10n_ar_afip_responsibility_type_id if partner else self._responsibility(job)
        self._check_letter(job, journal, partner, responsibility)
        if partner:
            job.partner = partner
        else:
            job.new_partner = self._new_customer_values(job, responsibility)
            job.new_partner_text = self._new_customer_text(job, responsibility)
        move_type = "out_refund" if document_type.internal_type == "credit_note" else "out_invoice"
        values = {
            "move_type": move_type,
            "company_id": company.id,
            "journal_id": journal.id,
            "partner_id": partner.id if partner else False,
            "invoice_date": voucher.date,
            "invoice_payment_term_id": False,
            "invoice_date_due": voucher.due_date or voucher.date,
            "currency_id": currency.id,
            "l10n_latam_document_type_id": document_type.id,
            "l10n_latam_document_number": job.document_number,
            "invoice_line_ids": lines,
            "tusfacturas_account_id": job.account.id,
            "ref": voucher.external_reference or False,
            **self.env["account.move"]._tusfacturas_authorization_values(voucher.cae, voucher.cae_due),
        }
        if currency != company.currency_id:  # the voucher's own rate, not Odoo's of the day
            values.update(tusfacturas_rate=voucher.rate, tusfacturas_currency_id=currency.id)
        if voucher.detail.service_from and voucher.detail.service_to:
            values["l10n_ar_afip_service_start"] = voucher.detail.service_from
            values["l10n_ar_afip_service_end"] = voucher.detail.service_to
        values.update(self._associated_values(job, references, document_type))
        job.values = values

    @api.model
    def _journal(self, job):
        """The sales journal of the account's point of sale that issues the voucher's document type."""
        document_type = job.document_type
        journals = job.account.journal_ids.filtered(
            lambda journal: (
                journal.type == "sale"
                and journal.l10n_latam_use_documents
                and journal.l10n_ar_afip_pos_number == job.point_of_sale
            )
        )
        if not journals:
            raise _NotCreatedError(
                self.env._(
                    "%(document)s: the TusFacturas account %(account)s has no sales journal of point of sale "
                    "%(pos)s that uses documents. Add it to the account's Sales Journals.",
                    document=job.name,
                    account=job.account.display_name,
                    pos=str(job.point_of_sale).zfill(5),
                )
            )
        for journal in journals:
            if document_type.filtered_domain(journal._get_journal_codes_domain()):
                return journal
        raise _NotCreatedError(
            self.env._(
                "%(document)s: the sales journal %(journal)s has no document type %(type)s (its AFIP POS system "
                "does not issue it).",
                document=job.name,
                journal=journals[0].display_name,
                type=document_type.display_name,
            )
        )

    @api.model
    def _responsibility(self, job):
        """The AFIP responsibility of the voucher's customer Odoo does not have: TusFacturas'
        ``condicion_iva``; without one, a foreign customer for an E voucher, a final consumer for a B
        or C voucher to a DNI or no document."""
        customer = job.voucher.customer
        xmlid = RESPONSIBILITIES.get((customer.vat_condition or "").upper())
        letter = job.document_type.l10n_ar_letter
        if not xmlid and letter == "E":
            xmlid = FOREIGN_RESPONSIBILITY
        elif not xmlid and letter in ("B", "C") and customer.doc_type != "CUIT":
            xmlid = "l10n_ar.res_CF"
        if not xmlid:
            raise _NotCreatedError(
                self.env._(
                    "%(document)s: TusFacturas does not say the VAT condition of %(customer)s, whom Odoo does not "
                    "have. Create the customer in Odoo with its AFIP responsibility, then try again.",
                    document=job.name,
                    customer=self._customer_label(customer),
                )
            )
        return self.env.ref(xmlid)

    @api.model
    def _customer_label(self, customer):
        return " ".join(filter(None, (customer.name, customer.doc_type, customer.number)))

    @api.model
    def _check_letter(self, job, journal, partner, responsibility):
        """The customer's AFIP responsibility may receive the voucher's letter from this company."""
        letter = job.document_type.l10n_ar_letter
        if not letter:
            return
        if letter not in journal._get_journal_letter():
            raise _NotCreatedError(
                self.env._(
                    "%(document)s: the company %(company)s, %(responsibility)s, does not issue documents of letter "
                    "%(letter)s.",
                    document=job.name,
                    company=job.company.name,
                    responsibility=job.company.l10n_ar_afip_responsibility_type_id.name,
                    letter=letter,
                )
            )
        customer = partner.display_name if partner else self._customer_label(job.voucher.customer)
        if not responsibility:
            raise _NotCreatedError(
                self.env._(
                    "%(document)s: the customer %(customer)s has no AFIP responsibility in Odoo. Set it, then try "
                    "again.",
                    document=job.name,
                    customer=customer,
                )
            )
        counterpart = self.env["res.partner"].new({"l10n_ar_afip_responsibility_type_id": responsibility.id})
        if letter not in journal._get_journal_letter(counterpart_partner=counterpart):
            raise _NotCreatedError(
                self.env._(
                    "%(document)s: the customer %(customer)s is %(responsibility)s in Odoo, who cannot receive a "
                    "document of letter %(letter)s from this company. Check the customer's AFIP responsibility.",
                    document=job.name,
                    customer=customer,
                    responsibility=responsibility.name,
                    letter=letter,
                )
            )

    @api.model
    def _new_customer_values(self, job, responsibility):
        customer = job.voucher.customer
        foreign = responsibility == self.env.ref(FOREIGN_RESPONSIBILITY)
        values = {
            "name": customer.name or self._customer_label(customer),
            "is_company": customer.doc_type == "CUIT" and customer.number.startswith(COMPANY_CUIT_PREFIXES),
            "vat": customer.number or False,
            "l10n_latam_identification_type_id": self.env.ref(NEW_CUSTOMER_TYPES[customer.doc_type]).id,
            "l10n_ar_afip_responsibility_type_id": responsibility.id,
            "email": customer.email or False,
            "street": customer.address or False,
            "customer_rank": 1,
        }
        if not foreign and customer.doc_type in ("CUIT", "DNI"):
            country = self.env.ref("base.ar")
            values["country_id"] = country.id
            state_code = JURISDICTIONS.get(PROVINCES.get(customer.province), (None, None))[1]
            if state_code:
                state = self.env["res.country.state"].search(
                    [("country_id", "=", country.id), ("code", "=", state_code)], limit=1
                )
                values["state_id"] = state.id or False
        return values

    @api.model
    def _new_customer_text(self, job, responsibility):
        return self.env._(
            "%(customer)s, %(responsibility)s (for %(document)s)",
            customer=self._customer_label(job.voucher.customer),
            responsibility=responsibility.name,
            document=job.name,
        )

    @api.model
    def _currency(self, job, currencies):
        code = job.voucher.currency
        currency = currencies.get(code)
        if not currency:
            raise _NotCreatedError(
                self.env._(
                    "%(document)s: TusFacturas issued it in a currency Odoo does not know (AFIP code %(code)s).",
                    document=job.name,
                    code=code,
                )
            )
        if not currency.active:
            raise _NotCreatedError(
                self.env._(
                    "%(document)s: TusFacturas issued it in %(currency)s (AFIP code %(code)s), which is not active "
                    "in Odoo. Activate it, then try again.",
                    document=job.name,
                    currency=currency.name,
                    code=code,
                )
            )
        return currency

    @api.model
    def _lines(self, job, references):
        """``(invoice_line_ids commands, {plan tax index: account.tax})``; every tax the plan needs must
        be an active sale tax of the company: VAT by its group's AFIP VAT code, the others by their
        group's AFIP tribute code and rate (IIBB perceptions: and the jurisdiction's l10n_ar group)."""
        plan, company = job.plan, job.company
        taxes = references["taxes"].filtered(lambda tax: tax.company_id == company and not tax.price_include)
        requires_vat = company.l10n_ar_company_requires_vat
        missing, vat_taxes = [], {}
        for code in plan.vat_codes() if requires_vat else ():
            vat_taxes[code] = taxes.filtered(lambda tax, code=code: tax.tax_group_id.l10n_ar_vat_afip_code == code)[:1]
            if not vat_taxes[code]:
                missing.append(self._vat_label(code))
        other_taxes = {}
        for index, plan_tax in enumerate(plan.taxes):
            other_taxes[index] = self._other_tax(plan_tax, taxes, references["jurisdictions"])
            if not other_taxes[index]:
                missing.append(self._tax_label(plan_tax))
        if missing:
            raise _NotCreatedError(
                self.env._(
                    "%(document)s: the company %(company)s has no active sale tax for %(taxes)s. Add it (Accounting "
                    "> Configuration > Taxes), then try again.",
                    document=job.name,
                    company=company.name,
                    taxes=", ".join(missing),
                )
            )
        names = {
            DISCOUNT: self.env._("General discount"),
            EXEMPT_REST: self.env._("Exempt amount"),
            NOT_TAXED_REST: self.env._("Not taxed amount"),
        }
        commands = []
        for line in plan.lines:
            tax_ids = (vat_taxes[line.vat].ids if requires_vat else []) + [other_taxes[i].id for i in line.taxes]
            commands.append(
                Command.create(
                    {
                        "display_type": "product",
                        "name": line.description or names.get(line.kind) or job.name,
                        "quantity": line.quantity,
                        "price_unit": line.unit_price,
                        "discount": line.discount,
                        "tax_ids": [Command.set(tax_ids)],
                    }
                )
            )
        return commands, other_taxes

    @api.model
    def _other_tax(self, plan_tax, taxes, jurisdictions):
        def fits(tax):
            group = tax.tax_group_id
            if group.l10n_ar_tribute_afip_code != plan_tax.tribute or tax.amount_type != "percent":
                return False
            if float_compare(tax.amount, plan_tax.rate, precision_digits=4):
                return False
            return not plan_tax.province or jurisdictions.get(group.id) == plan_tax.iibb_group

        return taxes.filtered(fits)[:1]

    def _percent(self, rate):
        point = self.env["res.lang"]._get_data(code=self.env.lang or "en_US").decimal_point or "."
        return f"{rate:g}".replace(".", point) + " %"

    def _vat_label(self, code):
        if code == EXEMPT:
            return self.env._("VAT exempt (AFIP VAT code %(code)s)", code=code)
        if code == NOT_TAXED:
            return self.env._("VAT not taxed (AFIP VAT code %(code)s)", code=code)
        return self.env._("VAT %(rate)s (AFIP VAT code %(code)s)", rate=self._percent(VAT_RATES[code]), code=code)

    def _tax_label(self, plan_tax):
        description = plan_tax.description or self.env._("AFIP tribute %(code)s", code=plan_tax.tribute)
        if plan_tax.tribute == IIBB_PERCEPTION and plan_tax.province and plan_tax.province not in description.upper():
            description = f"{description} {plan_tax.province}"
        return self.env._(
            "%(tax)s at %(rate)s (AFIP tribute %(code)s)",
            tax=description,
            rate=self._percent(plan_tax.rate),
            code=plan_tax.tribute,
        )

    @api.model
    def _associated_values(self, job, references, document_type):
        """The document a credit or debit note refers to, when Odoo has it."""
        if document_type.internal_type not in ("credit_note", "debit_note"):
            return {}
        for item in job.voucher.associated:
            move = references["associated"].get((job.company.id, item.afip_code, item.point_of_sale, item.number))
            if move:
                field = "reversed_entry_id" if document_type.internal_type == "credit_note" else "debit_origin_id"
                return {field: move.id}
        if job.voucher.associated:
            item = job.voucher.associated[0]
            job.associated_missing = f"{item.type_name} {item.point_of_sale:05d}-{item.number:08d}"
        return {}

    # ------------------------------------------------------------------
    # The PDF, and the document
    # ------------------------------------------------------------------

    @api.model
    def _download(self, job, budget):
        """The voucher's PDF (see tusfacturas/files.py), before anything is created."""
        url = job.voucher.pdf_url
        if not url:
            return
        if budget.left() < budget.call_needs(job.account.timeout):
            job.error = self._not_processed_message(job)
            return
        try:
            job.pdf = download_pdf(url, timeout=budget.call_timeout(job.account.timeout))
        except TusFacturasError as error:
            job.error = self.env._(
                "%(document)s: its PDF could not be downloaded from TusFacturas (%(reason)s), so nothing was "
                "created. Try again later.",
                document=job.name,
                reason=self._pdf_error(error, job.account),
            )

    def _pdf_error(self, error, account):
        code, detail = error.code, error.detail
        if code == "invalid_settings" and detail == "credentials":
            return self.env._("its link carries a user name or password")
        if code == "invalid_settings" and detail == "insecure":
            return self.env._("its link is not https://")
        if code == "invalid_settings":
            return self.env._("its link is not valid")
        if code == "redirect" and detail == "too_many":
            return self.env._("its link redirects too many times")
        if code == "redirect":
            return self.env._("its link redirects to an address that is not https://")
        if code == "timeout":
            return self.env._("no answer within %(seconds)s seconds", seconds=account.timeout)
        if code == "too_large":
            return self.env._("it is larger than %(size)s MB", size=MAX_PDF_BYTES // (1024 * 1024))
        if code == "invalid_file":
            return self.env._("what came back is not a PDF")
        if code == "connection":
            return self.env._("could not connect to its server")
        if error.status:
            return self.env._("HTTP %(status)s: the link may have expired", status=error.status)
        return self.env._("the download failed")

    @api.model
    def _create(self, job, created_partners):
        """Create the job's draft in a savepoint: all of it (customer, document, PDF, links) or
        nothing. One document per voucher whoever clicks: the discrepancies about the voucher are
        locked (NOWAIT) and written, so a second transaction fails as a concurrent update, which
        Odoo retries, and its retry finds the document."""
        try:
            with self.env.cr.savepoint():
                discrepancies = self._lock(job)
                values = dict(job.values)
                if job.new_partner:
                    partner = created_partners.get(self._new_partner_key(job))
                    if not partner:
                        partner = self.env["res.partner"].create(job.new_partner)
                    values["partner_id"] = partner.id
                move = self.env["account.move"].with_company(job.company).create(values)
                self._check_totals(job, move)
                self._record(job, move, discrepancies)
        except _NotCreatedError as refusal:
            job.error = str(refusal)
            return
        except (UserError, ValidationError, AccessError) as error:
            job.error = self.env._("%(document)s: %(error)s", document=job.name, error=error.args[0])
            return
        if job.new_partner:
            created_partners[self._new_partner_key(job)] = move.partner_id
        job.move = move
        _logger.info("TusFacturas: %s created as draft %s (move %s)", job.name, move.name, move.id)

    def _new_partner_key(self, job):
        customer = job.voucher.customer
        return (job.company.id, customer.doc_type, customer.number)

    @api.model
    def _lock(self, job):
        """The open "Missing in Odoo" discrepancies of the job's voucher, locked without waiting
        (a transaction holding them makes this one fail, to be retried by Odoo)."""
        Discrepancy = self.env["tusfacturas.discrepancy"]
        Discrepancy.flush_model(["company_id", "kind", "document_type_id", "point_of_sale", "document_number"])
        rows = self.env.execute_query(
            SQL(
                """
                SELECT id FROM tusfacturas_discrepancy
                 WHERE company_id = %s AND kind = %s AND document_type_id = %s AND point_of_sale = %s
                   AND document_number = %s
                   FOR UPDATE NOWAIT
                """,
                job.company.id,
                MISSING_IN_ODOO,
                job.document_type.id,
                job.point_of_sale,
                job.number,
            )
        )
        return Discrepancy.sudo().browse([row[0] for row in rows]) | job.discrepancies.sudo()

    @api.model
    def _check_totals(self, job, move):
        """Odoo's total of the draft must be TusFacturas': else nothing is kept, and the message
        says which amounts differ."""
        currency = move.currency_id
        if not currency.compare_amounts(move.amount_total, job.voucher.total):
            return
        expected, actual, labels = self._amounts(job, move)
        differing = [
            self.env._(
                "%(amount)s: TusFacturas %(tusfacturas)s, Odoo %(odoo)s",
                amount=labels[key],
                tusfacturas=format_amount(self.env, expected[key], currency),
                odoo=format_amount(self.env, actual.get(key, 0.0), currency),
            )
            for key in expected
            if currency.compare_amounts(expected[key], actual.get(key, 0.0))
        ]
        raise _NotCreatedError(
            self.env._(
                "%(document)s was not created: Odoo's total for it differs from TusFacturas'. %(amounts)s. Check the "
                "rates of the company's taxes and their rounding, then try again.",
                document=job.name,
                amounts="; ".join(differing),
            )
        )

    @api.model
    def _amounts(self, job, move):
        """``(expected, actual, labels)``: what each part of the total comes to by TusFacturas'
        figures and in Odoo's draft, total first."""
        plan = job.plan
        planned = plan.expected()
        expected = {"total": planned["total"]}
        labels = {"total": self.env._("Total")}
        vat_of = {}
        for line in move.invoice_line_ids:
            vat = line.tax_ids.filtered("tax_group_id.l10n_ar_vat_afip_code")[:1]
            vat_of[line.id] = vat.tax_group_id.l10n_ar_vat_afip_code
        for code in plan.vat_codes():
            if ("net", code) in planned:
                expected["net", code] = planned["net", code]
                expected["vat", code] = planned["vat", code]
                labels["net", code] = self.env._("Taxed net at %(vat)s", vat=self._vat_label(code))
                labels["vat", code] = self._vat_label(code)
        for key, label in (("exempt", self.env._("Exempt")), ("not_taxed", self.env._("Not taxed"))):
            if planned[key]:
                expected[key], labels[key] = planned[key], label
        for index, tax in job.taxes.items():
            expected["tax", tax.id] = expected.get(("tax", tax.id), 0.0) + planned["tax", index]
            labels["tax", tax.id] = tax.name
        actual = {"total": move.amount_total}
        for line in move.invoice_line_ids:
            code = vat_of[line.id]
            key = "exempt" if code == EXEMPT else "not_taxed" if code == NOT_TAXED else ("net", code)
            actual[key] = actual.get(key, 0.0) + line.price_subtotal
        for line in move.line_ids.filtered(lambda line: line.display_type == "tax"):
            amount = line.amount_currency * move.direction_sign
            tax = line.tax_line_id
            if tax.tax_group_id.l10n_ar_vat_afip_code:
                key = ("vat", tax.tax_group_id.l10n_ar_vat_afip_code)
            else:
                key = ("tax", tax.id)
            actual[key] = actual.get(key, 0.0) + amount
        return expected, actual, labels

    @api.model
    def _record(self, job, move, discrepancies):
        """The PDF attached, the story told on the document and the discrepancies, which point to it."""
        voucher = job.voucher
        attachment_ids = []
        if job.pdf:
            attachment_ids = (
                self.env["ir.attachment"]
                .create(
                    {
                        "name": f"{move.name}.pdf".replace("/", "-"),
                        "raw": job.pdf,
                        "mimetype": "application/pdf",
                        "res_model": "account.move",
                        "res_id": move.id,
                    }
                )
                .ids
            )
        parts = [
            self.env._(
                "Created from the voucher %(voucher)s that TusFacturas issued (TusFacturas account %(account)s).",
                voucher=job.name,
                account=job.account.display_name,
            )
        ]
        if voucher.cae:
            parts.append(
                self.env._(
                    "CAE %(cae)s, due %(due)s.",
                    cae=voucher.cae,
                    due=format_date(self.env, voucher.cae_due) if voucher.cae_due else "-",
                )
            )
        parts.append(self.env._("Its PDF is attached.") if job.pdf else self.env._("TusFacturas gave no PDF of it."))
        if job.associated_missing:
            parts.append(
                self.env._("It refers to %(document)s, which Odoo does not have.", document=job.associated_missing)
            )
        parts.append(self.env._("Review the draft and confirm it: the next voucher check will find it in Odoo."))
        # The PDF is TusFacturas', not an e-invoice to read lines from (no_new_invoice).
        move.with_context(no_new_invoice=True).message_post(
            body=Markup("<p>%s</p>") % " ".join(parts), attachment_ids=attachment_ids
        )
        discrepancies.write({"created_move_id": move.id})
        for discrepancy in discrepancies:
            discrepancy.message_post(
                body=Markup("%s %s") % (self.env._("Created in Odoo as a draft:"), move._get_html_link(title=move.name))
            )

    # ------------------------------------------------------------------
    # What the user sees
    # ------------------------------------------------------------------

    @api.model
    def _confirm_customers_action(self, discrepancies, jobs):
        customers = {}
        for job in jobs:
            customers.setdefault(self._new_partner_key(job), job.new_partner_text)
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Create the customers in Odoo?"),
            "res_model": "tusfacturas.discrepancy.invoice",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {
                "active_model": "tusfacturas.discrepancy",
                "active_ids": discrepancies.ids,
                "default_new_customers": "\n".join(customers.values()),
            },
        }

    @api.model
    def _result_action(self, jobs, skipped, single):
        if single:
            job = jobs[0]
            if job.error:
                raise UserError(job.error)
            move = job.move or job.existing
            if job.move:
                message = self.env._(
                    "%(document)s created as a draft from TusFacturas: review it and confirm it.", document=move.name
                )
            else:
                message = self.env._(
                    "%(document)s is already in Odoo (%(state)s): it was opened.",
                    document=move.name,
                    state=dict(move._fields["state"]._description_selection(self.env))[move.state],
                )
            return self._notification(message, "success" if job.move else "info", move._get_records_action(context={}))
        moves = self.env["account.move"].union(*(job.move or job.existing for job in jobs if job.move or job.existing))
        created = sum(1 for job in jobs if job.move)
        existing = sum(1 for job in jobs if job.existing)
        failures = [job.error for job in jobs if job.error] + skipped
        message = self.env._(
            "%(created)s drafts created, %(existing)s already in Odoo, %(failed)s not created.",
            created=created,
            existing=existing,
            failed=len(failures),
        )
        if failures:
            message = " ".join([message, *failures[:5]])
            if len(failures) > 5:
                message += " " + self.env._("And %(count)s more.", count=len(failures) - 5)
        next_action = None
        if moves:
            next_action = moves._get_records_action(name=self.env._("Documents from TusFacturas"), context={})
        return self._notification(message, "warning" if failures else "success", next_action, sticky=bool(failures))

    @api.model
    def _notification(self, message, kind, next_action, sticky=False):
        params = {"type": kind, "title": self.env._("TusFacturas"), "message": message, "sticky": sticky}
        if next_action:
            params["next"] = next_action
        return {"type": "ir.actions.client", "tag": "display_notification", "params": params}
