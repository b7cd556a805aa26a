"""Match TusFacturas current-account rows to Odoo customer documents.

Plain Python: the Odoo layer hands in :class:`OdooDocument` values and an
``equal(a, b)`` function that compares amounts at the company currency's
precision, and gets back one :class:`Match` per row plus one per Odoo document
that TusFacturas does not list.
"""

from dataclasses import dataclass

MATCHED = "matched"
AMOUNT_MISMATCH = "amount_mismatch"
RESIDUAL_MISMATCH = "residual_mismatch"
MISSING_IN_ODOO = "missing_in_odoo"
NOT_A_DOCUMENT = "not_a_document"
MISSING_IN_TUSFACTURAS = "missing_in_tusfacturas"
STATES = (MATCHED, AMOUNT_MISMATCH, RESIDUAL_MISMATCH, MISSING_IN_ODOO, NOT_A_DOCUMENT, MISSING_IN_TUSFACTURAS)
PROBLEM_STATES = (AMOUNT_MISMATCH, RESIDUAL_MISMATCH, MISSING_IN_ODOO, MISSING_IN_TUSFACTURAS)

COMPANY_CURRENCY = "company"
DOCUMENT_CURRENCY = "document"


@dataclass(frozen=True)
class OdooDocument:
    """A posted customer invoice or credit note, as far as matching needs it.

    ``key`` is ``(afip_code, point_of_sale, number)`` or None when the document has
    no AFIP numbering. Totals and residuals are positive; ``signed_total`` is the
    company-currency effect on the receivable (negative for credit notes).
    """

    id: int
    key: tuple | None
    total: float
    residual: float
    total_company: float
    residual_company: float
    signed_total: float
    foreign_currency: bool


@dataclass(frozen=True)
class Match:
    row: object  # LedgerRow or None
    document: OdooDocument | None
    state: str
    currency: str | None = None  # which of the document's currencies the amounts agree in

    @property
    def odoo_amounts(self):
        """(total, residual) of the document in the currency the row was compared in."""
        if not self.document:
            return (0.0, 0.0)
        if self.currency == DOCUMENT_CURRENCY:
            return (self.document.total, self.document.residual)
        return (self.document.total_company, self.document.residual_company)

    @property
    def difference(self):
        """This row's share of (TusFacturas balance - Odoo documents balance)."""
        tusfacturas = self.row.amount if self.row else 0.0
        odoo = self.document.signed_total if self.document else 0.0
        return tusfacturas - odoo


def _compare(row, document, equal):
    total, residual = abs(row.amount), abs(row.residual)
    candidates = [(COMPANY_CURRENCY, document.total_company, document.residual_company)]
    if document.foreign_currency:
        candidates.append((DOCUMENT_CURRENCY, document.total, document.residual))
    same_total = [(cur, odoo_residual) for cur, odoo_total, odoo_residual in candidates if equal(total, odoo_total)]
    for currency, odoo_residual in same_total:
        if equal(residual, odoo_residual):
            return MATCHED, currency
    if same_total:
        return RESIDUAL_MISMATCH, same_total[0][0]
    return AMOUNT_MISMATCH, COMPANY_CURRENCY


def match_ledger(rows, documents, equal):
    """Return the matches of ``rows`` (in order) then of the unlisted ``documents``."""
    by_key = {doc.key: doc for doc in documents if doc.key}
    seen = set()
    matches = []
    for row in rows:
        ref = row.document
        if not ref or not ref.afip_code:
            matches.append(Match(row, None, NOT_A_DOCUMENT))
            continue
        document = by_key.get(ref.key)
        if not document:
            matches.append(Match(row, None, MISSING_IN_ODOO))
            continue
        seen.add(document.id)
        state, currency = _compare(row, document, equal)
        matches.append(Match(row, document, state, currency))
    matches.extend(Match(None, doc, MISSING_IN_TUSFACTURAS) for doc in documents if doc.id not in seen)
    return matches
