"""Compare TusFacturas current-account rows with Odoo customer documents.

Plain Python: the Odoo layer hands in :class:`OdooDocument` values and an
``equal(a, b)`` function that compares amounts at the currencies' precision, and
gets back a :class:`Comparison`: one :class:`Match` per row, then one per Odoo
document that no row names, and the totals of both sides **per currency**.

Amounts are signed: an invoice is a debit (positive), a credit note a credit
(negative). A row is compared in the company currency or, for a foreign-currency
document, in the document's currency, whichever the amounts agree in; its
difference is in that currency.

Two modes say what makes a customer "with differences":

- ``documents``: document by document, totals and presence on both sides. Open
  amounts and payments are shown for information; each side's balance is the sum
  of its in-scope documents.
- ``balances``: also open amounts and the overall balance (every in-scope row on
  TusFacturas' side; documents plus payments and other entries on Odoo's).

Scope: rows and documents dated before ``since`` are out of scope (shown apart,
never a difference), and so are Odoo documents of journals TusFacturas does not
issue for (``OdooDocument.in_scope``) unless a row names them. Rows and documents
dated after ``until`` are left out altogether (a balance at that date).
"""

from collections import defaultdict
from dataclasses import dataclass, field

MATCHED = "matched"
AMOUNT_MISMATCH = "amount_mismatch"
RESIDUAL_MISMATCH = "residual_mismatch"
MISSING_IN_ODOO = "missing_in_odoo"
MISSING_IN_TUSFACTURAS = "missing_in_tusfacturas"
DUPLICATE_IN_TUSFACTURAS = "duplicate_in_tusfacturas"
DUPLICATE_IN_ODOO = "duplicate_in_odoo"
NOT_A_DOCUMENT = "not_a_document"
ANNULLED = "annulled"
OUT_OF_SCOPE = "out_of_scope"
STATES = (
    MATCHED, AMOUNT_MISMATCH, RESIDUAL_MISMATCH, MISSING_IN_ODOO, MISSING_IN_TUSFACTURAS,
    DUPLICATE_IN_TUSFACTURAS, DUPLICATE_IN_ODOO, NOT_A_DOCUMENT, ANNULLED, OUT_OF_SCOPE,
)  # fmt: skip

DOCUMENTS = "documents"
BALANCES = "balances"
MODES = (DOCUMENTS, BALANCES)
_DOCUMENT_PROBLEMS = frozenset(
    {AMOUNT_MISMATCH, MISSING_IN_ODOO, MISSING_IN_TUSFACTURAS, DUPLICATE_IN_TUSFACTURAS, DUPLICATE_IN_ODOO}
)
# Rows whose amount is not one more document on TusFacturas' side.
_NOT_DOCUMENT_ROWS = frozenset({NOT_A_DOCUMENT, DUPLICATE_IN_TUSFACTURAS, ANNULLED})

COMPANY_CURRENCY = "company"
DOCUMENT_CURRENCY = "document"


def problem_states(mode):
    """The states that make a customer "with differences" in ``mode``."""
    return _DOCUMENT_PROBLEMS | {RESIDUAL_MISMATCH} if mode == BALANCES else _DOCUMENT_PROBLEMS


@dataclass(frozen=True, slots=True)
class OdooDocument:
    """A posted customer invoice or credit note, as far as matching needs it.

    ``key`` is ``(afip_code, point_of_sale, number)`` or None when the document has
    no AFIP numbering. Totals and residuals are positive, in the document currency
    (``total``, ``residual``) and in the company currency at the document's own rate
    (``total_company``, ``residual_company``); ``sign`` is 1 for an invoice or debit
    note, -1 for a credit note. ``name``, ``partner_id`` and ``document_type_id`` are
    carried for the Odoo layer (what it shows and records), matching ignores them.
    """

    id: int
    key: tuple | None
    date: object
    currency_id: int
    sign: int
    total: float
    residual: float
    total_company: float
    residual_company: float
    foreign_currency: bool = False
    in_scope: bool = True
    name: str | None = None
    partner_id: int | None = None
    document_type_id: int | None = None

    def amounts(self, currency):
        """(total, residual) in ``COMPANY_CURRENCY`` or ``DOCUMENT_CURRENCY``."""
        if currency == DOCUMENT_CURRENCY:
            return (self.total, self.residual)
        return (self.total_company, self.residual_company)

    def signed_total(self, currency):
        return self.sign * self.amounts(currency)[0]


@dataclass(frozen=True, slots=True)
class Match:
    """A row and the document it names (either may be None), compared in ``currency``.

    ``currency_id`` is the currency of the comparison, and of ``difference``: this
    match's share of (TusFacturas balance - Odoo balance) in that currency.
    """

    row: object  # LedgerRow or None
    document: OdooDocument | None
    state: str
    currency: str | None
    currency_id: int
    difference: float = 0.0

    @property
    def odoo_amounts(self):
        """(total, residual) of the document in the currency the row was compared in."""
        if not self.document:
            return (0.0, 0.0)
        return self.document.amounts(self.currency or COMPANY_CURRENCY)

    @property
    def date(self):
        return self.row.date if self.row else self.document.date


@dataclass
class Totals:
    """One currency's balances: TusFacturas', Odoo's and Odoo's payments and other entries
    (counted in ``odoo`` in the ``balances`` mode only)."""

    currency_id: int
    tusfacturas: float = 0.0
    odoo: float = 0.0
    other: float = 0.0

    @property
    def difference(self):
        return self.tusfacturas - self.odoo


@dataclass
class Comparison:
    mode: str
    matches: list
    totals: dict = field(default_factory=dict)  # currency id -> Totals

    def counts(self):
        counts = dict.fromkeys(STATES, 0)
        for match in self.matches:
            counts[match.state] += 1
        return counts


def _compare(row, document, equal):
    """State and currency of a row naming ``document``: signed totals, then open amounts."""
    currencies = [COMPANY_CURRENCY, DOCUMENT_CURRENCY] if document.foreign_currency else [COMPANY_CURRENCY]
    same_total = [cur for cur in currencies if equal(row.amount, document.signed_total(cur))]
    for currency in same_total:
        if equal(abs(row.residual), document.amounts(currency)[1]):
            return MATCHED, currency
    if same_total:
        return RESIDUAL_MISMATCH, same_total[0]
    # The amounts differ: compare in the currency they are closest in.
    return AMOUNT_MISMATCH, min(currencies, key=lambda cur: abs(row.amount - document.signed_total(cur)))


def match_ledger(rows, documents, equal, *, company_currency_id, mode=DOCUMENTS, since=None, until=None, other=None):
    """Compare ``rows`` (TusFacturas, in API order) with ``documents`` (Odoo).

    ``other`` maps currency ids to Odoo's payments and other receivable entries.
    Returns a :class:`Comparison` whose matches are in chronological order (rows in
    their order, Odoo-only documents among them by date).
    """
    if mode not in MODES:
        raise ValueError(mode)
    if until:
        rows = [row for row in rows if row.date <= until]
        documents = [doc for doc in documents if doc.date <= until]
    by_key = defaultdict(list)
    for doc in documents:
        if doc.key:
            by_key[doc.key].append(doc)
    taken = set()  # ids of documents a row has named
    compared = set()  # keys already compared with a row
    pairs = []  # (row or None, document or None, state, currency)
    for row in rows:
        ref = row.document
        out = since is not None and row.date < since
        if not ref or not ref.afip_code:
            pairs.append((row, None, OUT_OF_SCOPE if out else NOT_A_DOCUMENT, None))
            continue
        named = by_key.get(ref.key, [])
        if ref.annulled:
            pairs.append((row, None, OUT_OF_SCOPE if out else ANNULLED, None))
            continue
        document = named[0] if named else None
        if out:
            taken.update(doc.id for doc in named)
            pairs.append((row, document, OUT_OF_SCOPE, None))
        elif not document:
            pairs.append((row, None, MISSING_IN_ODOO, None))
        elif ref.key in compared:
            pairs.append((row, document, DUPLICATE_IN_TUSFACTURAS, None))
        else:
            compared.add(ref.key)
            taken.update(doc.id for doc in named)
            state, currency = _compare(row, document, equal)
            pairs.append((row, document, DUPLICATE_IN_ODOO if len(named) > 1 else state, currency))
            pairs.extend((None, extra, DUPLICATE_IN_ODOO, None) for extra in named[1:])
    for doc in documents:
        if doc.id not in taken:
            out = not doc.in_scope or (since is not None and doc.date < since)
            pairs.append((None, doc, OUT_OF_SCOPE if out else MISSING_IN_TUSFACTURAS, None))

    comparison = Comparison(mode, [])
    for row, document, state, currency in pairs:
        comparison.matches.append(_match(comparison, row, document, state, currency, company_currency_id))
    for currency_id, amount in (other or {}).items():
        totals = comparison.totals.setdefault(currency_id, Totals(currency_id))
        totals.other += amount
        if mode == BALANCES:
            totals.odoo += amount
    comparison.matches.sort(key=lambda match: match.date)  # stable: rows keep the API's order
    return comparison


def _match(comparison, row, document, state, currency, company_currency_id):
    """The :class:`Match`, its difference, and its share of the totals."""
    if document and not currency:
        currency = DOCUMENT_CURRENCY if document.foreign_currency else COMPANY_CURRENCY
    currency_id = document.currency_id if currency == DOCUMENT_CURRENCY else company_currency_id
    tusfacturas = odoo = 0.0
    if state != OUT_OF_SCOPE:
        if row and (comparison.mode == BALANCES or state not in _NOT_DOCUMENT_ROWS):
            tusfacturas = row.amount
        if document and state not in (DUPLICATE_IN_TUSFACTURAS, ANNULLED):
            odoo = document.signed_total(currency)
    totals = comparison.totals.setdefault(currency_id, Totals(currency_id))
    totals.tusfacturas += tusfacturas
    totals.odoo += odoo
    return Match(row, document, state, currency, currency_id, tusfacturas - odoo)
