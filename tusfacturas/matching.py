"""Compare TusFacturas current-account rows with Odoo customer documents, and the balances.

Plain Python: the Odoo layer hands in :class:`OdooDocument` values, Odoo's other receivable
entries (:class:`~.receivables.OdooEntry`) and an ``equal(a, b)`` function that compares
amounts at the currencies' precision, and gets back a :class:`Comparison`: one
:class:`Match` per row, then one per Odoo document that no row names, the totals of both
sides **per currency**, and the :class:`Statement` of the balances in the company currency.

Amounts are signed: an invoice is a debit (positive), a credit note a credit
(negative). A row is compared in the company currency or, for a foreign-currency
document, in the document's currency, whichever the amounts agree in; its
difference is in that currency.

Two modes say what makes a customer "with differences":

- ``documents``: document by document, totals and presence on both sides. Open
  amounts and payments are shown for information; what is compared is the total of the
  in-scope documents on each side.
- ``balances``: also open amounts and the overall balance: TusFacturas' saldo against Odoo's
  receivable, less the items TusFacturas cannot hold (withholdings, cheques, advances,
  exchange differences, write-offs: see :mod:`.receivables`). What is left is the
  unexplained difference.

Scope: rows and documents dated before ``since`` are out of scope (shown apart, compared as
one opening balance in ``balances``), and so are Odoo documents of journals TusFacturas
does not issue for (``OdooDocument.in_scope``) unless a row names them. Rows, documents and
entries dated after ``until`` are left out altogether (a balance at that date).
"""

from collections import defaultdict
from dataclasses import dataclass, field

from . import concept
from .receivables import COLLECTION, OPENING

MATCHED = "matched"
ROUNDING = "rounding"
AMOUNT_MISMATCH = "amount_mismatch"
RESIDUAL_MISMATCH = "residual_mismatch"
MISSING_IN_ODOO = "missing_in_odoo"
OTHER_CUSTOMER = "other_customer"
MISSING_IN_TUSFACTURAS = "missing_in_tusfacturas"
DUPLICATE_IN_TUSFACTURAS = "duplicate_in_tusfacturas"
DUPLICATE_IN_ODOO = "duplicate_in_odoo"
UNRECOGNIZED = "unrecognized"
NOT_A_DOCUMENT = "not_a_document"
ANNULLED = "annulled"
OUT_OF_SCOPE = "out_of_scope"
STATES = (
    MATCHED, ROUNDING, AMOUNT_MISMATCH, RESIDUAL_MISMATCH, MISSING_IN_ODOO, OTHER_CUSTOMER, MISSING_IN_TUSFACTURAS,
    DUPLICATE_IN_TUSFACTURAS, DUPLICATE_IN_ODOO, UNRECOGNIZED, NOT_A_DOCUMENT, ANNULLED, OUT_OF_SCOPE,
)  # fmt: skip

DOCUMENTS = "documents"
BALANCES = "balances"
MODES = (DOCUMENTS, BALANCES)
_DOCUMENT_PROBLEMS = frozenset(
    {AMOUNT_MISMATCH, MISSING_IN_ODOO, OTHER_CUSTOMER, MISSING_IN_TUSFACTURAS, DUPLICATE_IN_TUSFACTURAS,
     DUPLICATE_IN_ODOO}
)  # fmt: skip
# Rows whose amount is not one more document on TusFacturas' side.
_NOT_DOCUMENT_ROWS = frozenset({NOT_A_DOCUMENT, DUPLICATE_IN_TUSFACTURAS, ANNULLED})
# Matches whose Odoo document is not one of these customers' documents compared.
_NOT_ODOO_DOCUMENTS = frozenset({NOT_A_DOCUMENT, DUPLICATE_IN_TUSFACTURAS, ANNULLED, OTHER_CUSTOMER, OUT_OF_SCOPE})

COMPANY_CURRENCY = "company"
DOCUMENT_CURRENCY = "document"
COMPANY_CURRENCY_CODE = "PES"  # AFIP's code of the peso (vouchers)

# What explains the difference between the balances (Statement.items), besides the
# categories of Odoo's entries (receivables.CATEGORIES).
OTHER_JOURNALS = "other_journals"  # Odoo documents of journals TusFacturas does not issue for
ROUNDING_ITEM = "rounding"  # rows within the company's rounding tolerance
FOREIGN_CURRENCY = "foreign_currency"  # TusFacturas adds foreign-currency rows as they are
TUSFACTURAS_MOVEMENTS = "tusfacturas_movements"  # TusFacturas' rows that are not documents
OPENING_BALANCE = OPENING  # the balances before ``since`` (out of scope in ``documents``)
# What is compared in ``balances`` rather than explained: collections on both sides and
# the opening balance.
_COMPARED_IN_BALANCES = frozenset({COLLECTION, TUSFACTURAS_MOVEMENTS, OPENING_BALANCE})


def problem_states(mode):
    """The states that make a customer "with differences" in ``mode``."""
    return _DOCUMENT_PROBLEMS | {RESIDUAL_MISMATCH} if mode == BALANCES else _DOCUMENT_PROBLEMS


def explains(kind, mode):
    """Whether the statement item ``kind`` explains the difference in ``mode``."""
    return mode == DOCUMENTS or kind not in _COMPARED_IN_BALANCES


@dataclass(frozen=True, slots=True)
class OdooDocument:
    """A posted customer invoice or credit note, as far as matching needs it.

    ``key`` is ``(afip_code, point_of_sale, number)`` or None when the document has
    no AFIP numbering. Totals and residuals are positive, in the document currency
    (``total``, ``residual``) and in the company currency at the document's own rate
    (``total_company``, ``residual_company``); ``sign`` is 1 for an invoice or debit
    note, -1 for a credit note. ``date`` is the invoice date (what a row is compared
    with, and what puts it before ``since``), ``accounting_date`` the date of its receivable
    (Odoo's balance at ``until``).
    ``name``, ``partner_id`` (None for a document of another customer: see ``elsewhere``)
    and ``document_type_id`` are carried for the Odoo layer (what it shows and records),
    matching ignores them.
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
    accounting_date: object = None

    def amounts(self, currency):
        """(total, residual) in ``COMPANY_CURRENCY`` or ``DOCUMENT_CURRENCY``."""
        if currency == DOCUMENT_CURRENCY:
            return (self.total, self.residual)
        return (self.total_company, self.residual_company)

    def signed_total(self, currency):
        return self.sign * self.amounts(currency)[0]

    @property
    def rate(self):
        """Company currency per unit of the document's currency, at the document's own rate."""
        return self.total_company / self.total if self.foreign_currency and self.total else 1.0

    @property
    def booked_on(self):
        return self.accounting_date or self.date


@dataclass(frozen=True, slots=True)
class Voucher:
    """What TusFacturas' list of vouchers says of a document, when the Odoo layer knows it:
    its currency (AFIP code: ``PES``, ``DOL``, ...), its rate (pesos per unit), its total (in
    that currency, positive) and the customer's document number."""

    currency: str
    rate: float
    total: float
    customer_document: str | None = None


@dataclass(frozen=True, slots=True)
class Match:
    """A row and the document it names (either may be None), compared in ``currency``.

    ``currency_id`` is the currency of the comparison, and of ``difference``: this
    match's share of (TusFacturas balance - Odoo balance) in that currency; ``rate`` turns
    that currency into the company's. ``other_period``: the row is dated in another month
    than the document's invoice date (another IVA period); ``unrecognized``: the row's
    concept is not understood, the document was found by its number.
    """

    row: object  # LedgerRow or None
    document: OdooDocument | None
    state: str
    currency: str | None
    currency_id: int
    difference: float = 0.0
    rate: float = 1.0
    other_period: bool = False
    unrecognized: bool = False

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
    (counted in ``odoo`` in the ``balances`` mode only). A payment counts in the currency of
    the documents it settles (as they were compared)."""

    currency_id: int
    tusfacturas: float = 0.0
    odoo: float = 0.0
    other: float = 0.0

    @property
    def difference(self):
        return self.tusfacturas - self.odoo


@dataclass
class Statement:
    """The balances in the company currency, and what explains their difference.

    ``tusfacturas`` is TusFacturas' saldo (its last row's, up to the date compared),
    ``odoo`` Odoo's receivable of the customers; the opening balances are both at
    ``since``. ``items``: the amounts that explain the difference in this mode, by kind
    (:data:`OTHER_JOURNALS`, ... and the categories of :mod:`.receivables`), each what
    TusFacturas' saldo holds that Odoo's does not: ``tusfacturas - explained = odoo ±
    unexplained``.
    """

    mode: str
    tusfacturas: float = 0.0
    odoo: float = 0.0
    since: object = None
    tusfacturas_opening: float = 0.0
    odoo_opening: float = 0.0
    tusfacturas_documents: float = 0.0
    odoo_documents: float = 0.0
    odoo_entries: float = 0.0  # Odoo's payments and other entries in scope
    rounding: float = 0.0
    items: dict = field(default_factory=dict)

    @property
    def explained(self):
        return sum(self.items.values())

    @property
    def unexplained(self):
        return self.tusfacturas - self.odoo - self.explained

    @property
    def documents_difference(self):
        """The documents' difference, rounding differences aside: what ``documents`` compares."""
        return self.tusfacturas_documents - self.odoo_documents - self.rounding

    @property
    def difference(self):
        """The difference the mode compares: the documents' or the unexplained one."""
        return self.documents_difference if self.mode == DOCUMENTS else self.unexplained

    def add(self, kind, amount):
        if amount and explains(kind, self.mode):
            self.items[kind] = self.items.get(kind, 0.0) + amount


@dataclass
class Comparison:
    mode: str
    matches: list
    totals: dict = field(default_factory=dict)  # currency id -> Totals
    statement: Statement | None = None

    def counts(self):
        counts = dict.fromkeys(STATES, 0)
        for match in self.matches:
            counts[match.state] += 1
        return counts

    @property
    def difference(self):
        return self.statement.difference


def _within(difference, tolerance):
    return bool(tolerance) and round(abs(difference), 6) <= tolerance


def _compare(row, document, equal, tolerance, currencies, explained=(0.0, 0.0)):
    """State and currency of a row naming ``document``: signed totals, then open amounts.

    ``explained``: what settled the document that TusFacturas cannot hold (withholdings,
    cheques...), in the company currency and the document's: TusFacturas' open amount
    still holds it.
    """
    same_total = [cur for cur in currencies if equal(row.amount, document.signed_total(cur))]
    for currency in same_total:
        held = explained[1] if currency == DOCUMENT_CURRENCY else explained[0]
        if equal(abs(row.residual), document.amounts(currency)[1] + held):
            return MATCHED, currency
    if same_total:
        return RESIDUAL_MISMATCH, same_total[0]
    # The amounts differ: compare in the currency they are closest in.
    currency = min(currencies, key=lambda cur: abs(row.amount - document.signed_total(cur)))
    if _within(row.amount - document.signed_total(currency), tolerance):
        return ROUNDING, currency
    return AMOUNT_MISMATCH, currency


class _Matcher:
    """One comparison's state: what is compared, what the rows took, the matches so far."""

    def __init__(self, documents, equal, company_currency_id, tolerance, vouchers, currency_ids, elsewhere, explained):
        self.equal = equal
        self.explained = explained
        self.elsewhere = elsewhere or {}
        self.all = documents
        self.company_currency_id = company_currency_id
        self.tolerance = tolerance
        self.vouchers = vouchers or {}
        self.currency_ids = currency_ids or {}
        self.by_key = defaultdict(list)
        for doc in documents:
            if doc.key:
                self.by_key[doc.key].append(doc)
        self._by_number = None
        self._by_id = None
        self.taken = set()  # ids of documents a row has named
        self.compared = {}  # key compared with a row -> that row's amount
        self.pairs = []  # (row or None, document or None, state, currency or None, other period, unrecognized)

    @property
    def by_number(self):
        """(point of sale, number) -> documents, for the few concepts that say no type."""
        if self._by_number is None:
            self._by_number = defaultdict(list)
            for doc in self.all:
                if doc.key:
                    self._by_number[doc.key[1:]].append(doc)
        return self._by_number

    @property
    def documents(self):
        """id -> document, for the entries that settle them."""
        if self._by_id is None:
            self._by_id = {doc.id: doc for doc in self.all}
        return self._by_id

    def currencies(self, row, document):
        """The currencies ``row`` may be in: a voucher of the document says which."""
        if not document.foreign_currency:
            return [COMPANY_CURRENCY]
        voucher = self.vouchers.get(document.key)
        if voucher and self.currency_ids.get(voucher.currency) == document.currency_id:
            if self.equal(abs(row.amount), voucher.total):
                return [DOCUMENT_CURRENCY]
            if self.equal(abs(row.amount), voucher.total * voucher.rate):
                return [COMPANY_CURRENCY]
        return [COMPANY_CURRENCY, DOCUMENT_CURRENCY]

    def add(self, row, document, state, currency=None, other_period=False, unrecognized=False):
        self.pairs.append((row, document, state, currency, other_period, unrecognized))

    def compare(self, row, document, unrecognized=False):
        """``row`` compared with ``document``, which it takes (found by its number only if
        ``unrecognized``)."""
        self.taken.add(document.id)
        compared, currency = _compare(
            row, document, self.equal, self.tolerance, self.currencies(row, document),
            self.explained.get(document.id, (0.0, 0.0)),
        )  # fmt: skip
        if unrecognized:
            self.compared.setdefault(document.key, row.amount)
            compared = UNRECOGNIZED if compared == MATCHED else compared
        dates = row.date, document.date
        other_period = dates[0].month != dates[1].month or dates[0].year != dates[1].year
        self.add(row, document, compared, currency, other_period, unrecognized)

    def row(self, row, since):
        ref = row.document
        if since is not None and row.date < since:
            named = self.by_key.get(ref.key, []) if ref and ref.afip_code and ref.kind == concept.DOCUMENT else []
            self.taken.update(doc.id for doc in named)
            self.add(row, named[0] if named else None, OUT_OF_SCOPE)
        elif not ref:
            self.add(row, None, NOT_A_DOCUMENT)
        elif ref.kind == concept.ANNULLED:
            self.add(row, None, ANNULLED)
        elif ref.kind == concept.MOVEMENT:
            self.add(row, self.named(ref), NOT_A_DOCUMENT)  # a movement about that document, if Odoo has it
        elif ref.kind == concept.UNRECOGNIZED:
            free = [doc for doc in self.by_number.get((ref.point_of_sale, ref.number), ()) if doc.id not in self.taken]
            if free:
                # Linked by its number: the document if the amounts agree, else a different total.
                self.compare(row, free[0], unrecognized=True)
            else:
                self.add(row, None, NOT_A_DOCUMENT)
        elif not ref.afip_code:  # a document TusFacturas issued outside AFIP
            self.add(row, None, NOT_A_DOCUMENT)
        else:
            self.document_row(row, ref)

    def named(self, ref):
        """The one Odoo document a movement's ``ref`` is about (by its key, or by its number only
        when it says no type), if any: a receipt's own number is not an invoice's."""
        if ref.afip_code:
            named = self.by_key.get(ref.key)
        else:
            named = None if ref.doc_type else self.by_number.get((ref.point_of_sale, ref.number))
        return named[0] if named and len(named) == 1 else None

    def document_row(self, row, ref):
        named = self.by_key.get(ref.key, [])
        if not named:
            if ref.is_receipt and row.amount < 0:  # a receipt TusFacturas wrote: a collection
                self.add(row, None, NOT_A_DOCUMENT)
            elif ref.key in self.elsewhere:
                other = self.elsewhere[ref.key]
                currencies = [COMPANY_CURRENCY, DOCUMENT_CURRENCY] if other.foreign_currency else [COMPANY_CURRENCY]
                self.add(row, other, OTHER_CUSTOMER, _compare(row, other, self.equal, 0.0, currencies)[1])
            else:
                self.add(row, None, MISSING_IN_ODOO)
            return
        if ref.key in self.compared:
            first = self.compared[ref.key]
            if row.amount and first and (row.amount > 0) != (first > 0):
                self.add(row, named[0], NOT_A_DOCUMENT)  # the other side of that document: a movement of it
            else:
                self.add(row, named[0], DUPLICATE_IN_TUSFACTURAS)
            return
        self.compared[ref.key] = row.amount
        if len(named) > 1:
            self.taken.update(doc.id for doc in named)
            self.add(row, named[0], DUPLICATE_IN_ODOO, self.currency_of(row, named[0]))
            for extra in named[1:]:
                self.add(None, extra, DUPLICATE_IN_ODOO)
            return
        self.compare(row, named[0])

    def currency_of(self, row, document):
        return _compare(row, document, self.equal, self.tolerance, self.currencies(row, document))[1]


def match_ledger(
    rows, documents, equal, *, company_currency_id, mode=DOCUMENTS, since=None, until=None, entries=(),
    elsewhere=None, tolerance=0.0, vouchers=None, currency_ids=None,
):  # fmt: skip
    """Compare ``rows`` (TusFacturas, in API order) with ``documents`` (Odoo).

    ``entries``: Odoo's other receivable entries (:class:`~.receivables.OdooEntry`);
    ``elsewhere``: ``{key: OdooDocument}`` of the documents the rows name that Odoo has on
    other customers; ``tolerance``: the largest difference of totals that is rounding;
    ``vouchers``: ``{key: Voucher}`` TusFacturas' vouchers known, with ``currency_ids``
    mapping their AFIP currency codes to currency ids.
    Returns a :class:`Comparison` whose matches are in chronological order (rows in
    their order, Odoo-only documents among them by date).
    """
    if mode not in MODES:
        raise ValueError(mode)
    all_documents = documents
    if until:
        rows = [row for row in rows if row.date <= until]
        documents = [doc for doc in documents if doc.date <= until]
        all_documents = [doc for doc in all_documents if doc.booked_on <= until]
        entries = [entry for entry in entries if entry.date <= until]
    explained = _explained(entries, documents)
    matcher = _Matcher(documents, equal, company_currency_id, tolerance, vouchers, currency_ids, elsewhere, explained)
    for row in rows:
        matcher.row(row, since)
    for doc in documents:
        if doc.id not in matcher.taken:
            out = not doc.in_scope or (since is not None and doc.date < since)
            matcher.add(None, doc, OUT_OF_SCOPE if out else MISSING_IN_TUSFACTURAS)

    comparison = Comparison(mode, [], statement=Statement(mode, since=since))
    builder = _Builder(comparison, matcher)
    for pair in matcher.pairs:
        comparison.matches.append(builder.match(*pair))
    builder.balances(rows, all_documents, entries, since)
    comparison.matches.sort(key=lambda match: match.date)  # stable: rows keep the API's order
    return comparison


def _explained(entries, documents):
    """``{document id: (company amount, document-currency amount)}``: what settled each document
    that TusFacturas cannot hold (the entries that explain a difference in ``balances``),
    positive, as it adds to the document's open amount in TusFacturas."""
    signs = {doc.id: doc.sign for doc in documents}
    explained = {}
    for entry in entries:
        if entry.category in _COMPARED_IN_BALANCES:
            continue
        for doc_id, company, currency in entry.settles:
            if doc_id in signs:
                held = explained.get(doc_id, (0.0, 0.0))
                explained[doc_id] = (held[0] - signs[doc_id] * company, held[1] - signs[doc_id] * currency)
    return explained


class _Builder:
    """The matches of a :class:`_Matcher`'s pairs, their totals per currency and the statement."""

    def __init__(self, comparison, matcher):
        self.comparison = comparison
        self.statement = comparison.statement
        self.company_currency_id = matcher.company_currency_id
        self.matcher = matcher
        # The currency each Odoo document was compared in: movements and payments follow it.
        self.compared_in = {pair[1].id: pair[3] for pair in matcher.pairs if pair[1] and pair[3]}

    def bucket(self, document):
        """(currency, currency id, rate) of what belongs to ``document``'s comparison."""
        if document and self.compared_in.get(document.id) == DOCUMENT_CURRENCY:
            return DOCUMENT_CURRENCY, document.currency_id, document.rate
        return COMPANY_CURRENCY, self.company_currency_id, 1.0

    def totals(self, currency_id):
        totals = self.comparison.totals.get(currency_id)
        if totals is None:
            totals = self.comparison.totals[currency_id] = Totals(currency_id)
        return totals

    def match(self, row, document, state, currency, other_period, unrecognized):
        """The :class:`Match`, its difference, and its share of the totals and the statement."""
        mode, statement = self.comparison.mode, self.statement
        amount = row.amount if row else 0.0
        if document and not currency:
            if state in (NOT_A_DOCUMENT, DUPLICATE_IN_TUSFACTURAS):  # about a document: as it was compared
                currency = self.bucket(document)[0]
            else:
                currency = DOCUMENT_CURRENCY if document.foreign_currency else COMPANY_CURRENCY
        if currency == DOCUMENT_CURRENCY:
            currency_id, rate = document.currency_id, document.rate
        else:
            currency_id, rate = self.company_currency_id, 1.0
        if state == MISSING_IN_ODOO:
            currency_id, rate, amount = self.voucher_amount(row)
        tusfacturas = odoo = 0.0
        if state != OUT_OF_SCOPE:
            if row and (mode == BALANCES or state not in _NOT_DOCUMENT_ROWS):
                tusfacturas = amount
            if document and state not in _NOT_ODOO_DOCUMENTS:
                odoo = document.signed_total(currency)
        totals = self.totals(currency_id)
        totals.tusfacturas += tusfacturas
        totals.odoo += odoo
        if state != OUT_OF_SCOPE:
            if row:
                if state not in _NOT_DOCUMENT_ROWS:
                    statement.tusfacturas_documents += amount * rate
                elif state != DUPLICATE_IN_TUSFACTURAS:
                    statement.add(TUSFACTURAS_MOVEMENTS, amount * rate)
                if rate != 1.0:
                    statement.add(FOREIGN_CURRENCY, row.amount - amount * rate)
            statement.odoo_documents += odoo * rate
        difference = tusfacturas - odoo
        if state == ROUNDING:
            statement.rounding += difference * rate
            statement.add(ROUNDING_ITEM, difference * rate)
        return Match(row, document, state, currency, currency_id, difference, rate, other_period, unrecognized)

    def voucher_amount(self, row):
        """(currency id, rate, amount) of a row naming a document Odoo lacks: in the currency
        and for the total of TusFacturas' voucher if it is known, else the row's, in pesos."""
        voucher = self.matcher.vouchers.get(row.document.key)
        currency_id = voucher and self.matcher.currency_ids.get(voucher.currency)
        if not currency_id or currency_id == self.company_currency_id:
            return self.company_currency_id, 1.0, row.amount
        if self.matcher.equal(abs(row.amount), voucher.total * voucher.rate):  # listed in pesos
            return self.company_currency_id, 1.0, row.amount
        return currency_id, voucher.rate, voucher.total if row.amount >= 0 else -voucher.total

    def balances(self, rows, documents, entries, since):
        """Both saldos, the opening balances at ``since``, Odoo's entries by what they are and,
        in ``balances``, those entries in the totals per currency."""
        statement, mode = self.statement, self.comparison.mode
        statement.tusfacturas = rows[-1].balance if rows else 0.0
        if since is not None:
            before = [row for row in rows if row.date < since]
            statement.tusfacturas_opening = before[-1].balance if before else 0.0
        for doc in documents:
            amount = doc.signed_total(COMPANY_CURRENCY)
            statement.odoo += amount
            if since is not None and doc.date < since:  # as its rows: by its invoice date
                statement.odoo_opening += amount
            elif not doc.in_scope and doc.id not in self.matcher.taken:
                statement.add(OTHER_JOURNALS, -amount)
        for entry in entries:
            statement.odoo += entry.amount
            if entry.category == OPENING or (since is not None and entry.date < since):
                statement.odoo_opening += entry.amount
                continue
            statement.odoo_entries += entry.amount
            statement.add(entry.category, -entry.amount)
            self.entry_totals(entry, mode)
        if since is not None:
            statement.add(OPENING_BALANCE, statement.tusfacturas_opening - statement.odoo_opening)

    def entry_totals(self, entry, mode):
        """``entry`` in the totals per currency: under the currency of the documents it
        settles, as they were compared; the rest in the company currency."""
        rest = entry.amount
        for doc_id, company_amount, currency_amount in entry.settles:
            currency, currency_id, _rate = self.bucket(self.matcher.documents.get(doc_id))
            self.other(currency_id, currency_amount if currency == DOCUMENT_CURRENCY else company_amount, mode)
            rest -= company_amount
        if abs(rest) > 1e-9:
            self.other(self.company_currency_id, rest, mode)

    def other(self, currency_id, amount, mode):
        totals = self.totals(currency_id)
        totals.other += amount
        if mode == BALANCES:
            totals.odoo += amount
