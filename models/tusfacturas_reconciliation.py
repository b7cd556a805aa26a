import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from odoo import api, models
from odoo.exceptions import UserError

from ..tusfacturas import TusFacturasError, parse_ledger
from ..tusfacturas.matching import PROBLEM_STATES, STATES, OdooDocument, match_ledger

_logger = logging.getLogger(__name__)


@dataclass
class Reconciliation:
    """One customer's reconciliation, in company currency (already rounded)."""

    matches: list
    tusfacturas_balance: float
    odoo_balance: float
    difference: float
    odoo_other_balance: float
    counts: dict = field(default_factory=dict)

    @property
    def is_ok(self):
        return not self.difference and not any(self.counts.get(state) for state in PROBLEM_STATES)


@dataclass
class BatchResult:
    """What a batch did: partner id -> Reconciliation or error message, and whether the
    company's credentials were refused (the run must stop for that company)."""

    results: dict = field(default_factory=dict)
    credentials_refused: bool = False


class TusFacturasReconciliation(models.AbstractModel):
    """Matches TusFacturas current accounts to Odoo's books, for one customer (the
    ledger window) or a batch of them (list action, scheduled action)."""

    _name = "tusfacturas.reconciliation"
    _description = "TusFacturas reconciliation"

    # ------------------------------------------------------------------
    # Odoo's side, one query per batch
    # ------------------------------------------------------------------

    @api.model
    def _receivable_domain(self, partners, company):
        return [
            ("partner_id.commercial_partner_id", "in", tuple(partners.ids)),
            ("company_id", "=", company.id),
            ("account_type", "=", "asset_receivable"),
            ("parent_state", "=", "posted"),
        ]

    @api.model
    def _odoo_documents(self, partners, company):
        """Posted customer invoices and credit notes of ``partners`` in ``company``:
        ``{commercial partner id: [OdooDocument, ...]}``."""
        moves = self.env["account.move"].search_fetch(
            [
                ("commercial_partner_id", "in", partners.ids),
                ("company_id", "=", company.id),
                ("move_type", "in", ("out_invoice", "out_refund")),
                ("state", "=", "posted"),
            ],
            ["name", "commercial_partner_id", "currency_id", "l10n_latam_document_type_id", "amount_total",
             "amount_residual", "amount_total_signed", "amount_residual_signed", "invoice_date", "date"],
            order="invoice_date, id",
        )  # fmt: skip
        documents = {partner.id: [] for partner in partners}
        for move in moves:
            documents[move.commercial_partner_id.id].append(
                OdooDocument(
                    id=move.id,
                    key=_document_key(move),
                    total=move.amount_total,
                    residual=move.amount_residual,
                    total_company=abs(move.amount_total_signed),
                    residual_company=abs(move.amount_residual_signed),
                    signed_total=move.amount_total_signed,
                    foreign_currency=move.currency_id != company.currency_id,
                )
            )
        return documents

    @api.model
    def _odoo_balances(self, partners, company):
        """Receivable balance of each of ``partners`` in ``company``, in one query."""
        groups = self.env["account.move.line"]._read_group(
            self._receivable_domain(partners, company),
            groupby=["partner_id"],
            aggregates=["balance:sum"],
        )
        balances = dict.fromkeys(partners.ids, 0.0)
        for partner, balance in groups:
            commercial = partner.commercial_partner_id.id
            balances[commercial] = balances.get(commercial, 0.0) + balance
        return {pid: company.currency_id.round(balance) for pid, balance in balances.items()}

    @api.model
    def _reconcile(self, company, rows, documents, odoo_balance):
        """Match ``rows`` (TusFacturas) to ``documents`` (Odoo) and sum up."""
        currency = company.currency_id
        matches = match_ledger(rows, documents, lambda a, b: currency.compare_amounts(a, b) == 0)
        tusfacturas_balance = currency.round(rows[-1].balance) if rows else 0.0
        documents_total = sum(m.document.signed_total for m in matches if m.document)
        counts = dict.fromkeys(STATES, 0)
        for match in matches:
            counts[match.state] += 1
        return Reconciliation(
            matches=matches,
            tusfacturas_balance=tusfacturas_balance,
            odoo_balance=odoo_balance,
            difference=currency.round(tusfacturas_balance - odoo_balance),
            odoo_other_balance=currency.round(odoo_balance - documents_total),
            counts=counts,
        )

    # ------------------------------------------------------------------
    # Batches
    # ------------------------------------------------------------------

    @api.model
    def _reconcile_batch(self, partners, company):
        """Reconcile commercial ``partners`` with ``company``'s credentials and books and
        store every outcome in their status. One partner's failure does not stop the
        others; refused credentials stop the batch before any further billed call.

        The HTTP calls run in a bounded thread pool; all ORM work stays here.
        """
        self.env["tusfacturas.partner.status"]._lock_for_check(partners, company)  # before any call
        service = self.env["tusfacturas.service"]
        result = BatchResult()
        cuits = {}
        for partner in partners:
            try:
                cuits[partner.id] = partner._tusfacturas_cuit()
            except UserError as error:
                result.results[partner.id] = str(error)
        client = service._client(company)
        fetched = self._fetch_all(client, cuits, company.tusfacturas_concurrency)
        to_match = self.env["res.partner"].browse(pid for pid, rows in fetched.items() if isinstance(rows, list))
        documents = self._odoo_documents(to_match, company)
        balances = self._odoo_balances(to_match, company)
        for partner_id, rows in fetched.items():
            if isinstance(rows, TusFacturasError):
                result.credentials_refused |= rows.is_credential_error
                result.results[partner_id] = service._error_message(rows, company)
            else:
                result.results[partner_id] = self._reconcile(company, rows, documents[partner_id], balances[partner_id])
        not_called = partners.filtered(lambda p: p.id not in result.results)
        self.env["tusfacturas.partner.status"]._store(partners - not_called, company, result.results)
        return result

    @api.model
    def _fetch_all(self, client, cuits, concurrency):
        """``{partner id: rows or TusFacturasError}``, at most ``concurrency`` calls at once.

        Once TusFacturas refuses the credentials, calls not yet started are cancelled:
        they would be refused too, and every call is billed.
        """
        refused = threading.Event()

        def fetch(cuit):  # plain Python only: runs outside the cron's thread
            if refused.is_set():
                return None
            try:
                return parse_ledger(client.customer_ledger(cuit))
            except TusFacturasError as error:
                if error.is_credential_error:
                    refused.set()
                return error

        with ThreadPoolExecutor(max_workers=max(1, concurrency or 1), thread_name_prefix="tusfacturas") as pool:
            futures = {pid: pool.submit(fetch, cuit) for pid, cuit in cuits.items()}
        results = {pid: future.result() for pid, future in futures.items()}
        return {pid: rows for pid, rows in results.items() if rows is not None}


def _document_key(move):
    """(AFIP code, point of sale, number) of a move named like ``FA-A 00002-00000001``."""
    code = move.l10n_latam_document_type_id.code
    pos, sep, number = (move.l10n_latam_document_number or "").rpartition("-")
    if not (code and sep and pos.isdigit() and number.isdigit()):
        return None
    return (code, int(pos), int(number))
