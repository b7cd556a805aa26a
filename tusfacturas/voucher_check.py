"""Compare the vouchers TusFacturas lists for a point of sale with Odoo's posted documents.

Plain Python: the Odoo layer hands in the pages of vouchers of a period (any iterable of
lists of :class:`.vouchers.Voucher`, e.g. :func:`.voucher_api.vouchers_of_day` for each day),
Odoo's posted documents of that point of sale and period as :class:`OdooVoucherDocument`
values, and an ``equal(a, b)`` function comparing two amounts of one currency (at the
precision it chooses, as :func:`.matching.match_ledger` takes); it gets back a
:class:`VoucherCheck`: the :class:`Finding` values and the figures of a run summary.

The pages are consumed one by one and not kept: besides one page, the check holds Odoo's
documents not matched yet, the findings, and per document type the runs of consecutive
numbers listed (one pair of integers per run, so as many as the gaps found plus one). An
error raised by the pages (a bad page) propagates: there is no result of a half-read period.

Findings, each keyed by ``(afip_code, point_of_sale, number)`` (see :attr:`Finding.key`);
``(kind, key)`` is unique in one result. For an issued voucher that Odoo has:

- ``amount_mismatch`` ("Total distinto"): the totals differ, compared in the voucher's
  currency, or in pesos (total x rate on each side) when the currencies differ;
- ``date_mismatch`` ("Fecha distinta"): another day; ``other_period`` when it is another
  month (another IVA period);
- ``currency_mismatch`` ("Moneda o cotización distinta"): another currency, or, in the same
  foreign currency, Odoo's rate differs from ``cotizacion`` by more than
  :data:`RATE_TOLERANCE` (half of the sixth decimal AFIP keeps) plus a trillionth of it
  (float rounding of Odoo's ``1 / invoice_currency_rate``);
- ``customer_mismatch`` ("Cliente distinto"): the voucher's document number is not that of
  Odoo's customer. Leading zeros do not count, and a DNI is the CUIT whose eight middle
  digits it is (a consumidor final invoiced by DNI, known in Odoo by CUIT, or the reverse).
  Not checked when the voucher has no number (``OTRO``, an anonymous consumidor final, zeros).

One voucher gets one finding per kind that applies (a USD voucher with another total and
another rate: ``amount_mismatch`` and ``currency_mismatch``). Then:

- ``missing_in_odoo``: an issued voucher without a posted Odoo document (whoever the customer);
- ``missing_in_tusfacturas``: an Odoo document TusFacturas did not list;
- ``duplicate_in_tusfacturas``: a key listed more than once (``count`` times); the first
  listed is the one compared;
- ``duplicate_in_odoo``: a second Odoo document with a key already given (the first is the
  one compared);
- ``queued`` and ``failed``: vouchers TusFacturas has not issued (status ``queued`` or
  ``error``), never reported as missing in Odoo. One without a number is keyed
  ``(afip_code, point_of_sale, None, fingerprint)``, the fingerprint being its date, customer
  document, currency and total (``"2026-03-01/CUIT/30714295698/PES/121.00"``), with ``#2``,
  ``#3``... for identical ones in listing order; it stays the same from one run to the next
  while the voucher does. An Odoo document with the number of a queued or failed voucher
  (that no issued voucher has) is given in that finding (``document``), and is not also
  reported missing in TusFacturas;
- ``numbering_gap``: numbers of an AFIP type never listed as issued, one finding per range
  ``first..last``, keyed by its first number: between the lowest and the highest listed; from
  the highest listed to the type's last number ``last_numbers`` gives (``facturacion/numeracion``:
  give it only for a period that ends at the last day TusFacturas issued on, else the numbers
  issued after it are gaps); from the last number of the previous period
  (``previous_numbers``, e.g. the previous run's :attr:`VoucherCheck.highest`) to the lowest
  listed (or to the last number, when the type has none in the period).

Vouchers of types TusFacturas issues outside AFIP ("NO VALIDA EN AFIP") are counted
(``not_afip``) and left out. A voucher dated in another period than its Odoo document is
only found when the other side is at hand: ``find_documents(keys)`` (Odoo's documents with
those keys, any date) is asked once for the vouchers missing in Odoo, ``find_vouchers(keys)``
(issued vouchers with those keys, any date, e.g. :func:`.voucher_api.find_vouchers`) once for
the documents missing in TusFacturas; what they find is compared as above instead.
"""

import datetime
from bisect import bisect_right
from dataclasses import dataclass, field
from typing import NamedTuple

from .matching import (
    AMOUNT_MISMATCH,
    DUPLICATE_IN_ODOO,
    DUPLICATE_IN_TUSFACTURAS,
    MISSING_IN_ODOO,
    MISSING_IN_TUSFACTURAS,
)
from .vouchers import ISSUED, QUEUED, Voucher

DATE_MISMATCH = "date_mismatch"
CURRENCY_MISMATCH = "currency_mismatch"
CUSTOMER_MISMATCH = "customer_mismatch"
QUEUED_VOUCHER = "queued"
FAILED_VOUCHER = "failed"
NUMBERING_GAP = "numbering_gap"
KINDS = (
    MISSING_IN_ODOO,
    MISSING_IN_TUSFACTURAS,
    AMOUNT_MISMATCH,
    DATE_MISMATCH,
    CURRENCY_MISMATCH,
    CUSTOMER_MISMATCH,
    QUEUED_VOUCHER,
    FAILED_VOUCHER,
    NUMBERING_GAP,
    DUPLICATE_IN_TUSFACTURAS,
    DUPLICATE_IN_ODOO,
)

# Two rates agree within half of AFIP's sixth decimal, plus a trillionth of the rate (float rounding).
RATE_TOLERANCE = 5e-7
RATE_RELATIVE_TOLERANCE = 1e-12
PESOS = "PES"


class OdooVoucherDocument(NamedTuple):
    """A posted Odoo customer invoice, debit or credit note, as the voucher check needs it.

    ``key`` is ``(afip_code, point_of_sale, number)`` as :attr:`.vouchers.Voucher.key`;
    ``currency`` the AFIP code of its currency (``"PES"``, ``"DOL"``, l10n_ar's
    ``l10n_ar_afip_code``); ``rate`` pesos per unit (``1 / invoice_currency_rate``, 1 in
    pesos); ``total`` positive, in the document currency; ``customer_type`` and
    ``customer_number`` the customer's document as TusFacturas names it (``"CUIT"``, digits),
    None when it has none. ``name`` and ``partner_id`` are for the Odoo layer.
    """

    id: int
    key: tuple
    date: datetime.date
    currency: str
    rate: float
    total: float
    customer_type: str | None = None
    customer_number: str | None = None
    name: str | None = None
    partner_id: int | None = None


def documents_from_rows(rows):
    """:class:`OdooVoucherDocument` values from rows as one SQL read returns them:
    ``(id, afip_code, point_of_sale, number, date, currency, rate, total, customer_type,
    customer_number, name, partner_id)`` (a generator)."""
    for row in rows:
        yield OdooVoucherDocument(row[0], (row[1], row[2], row[3]), *row[4:])


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing a worklist shows: ``kind`` (:data:`KINDS`), its stable ``key``, the voucher
    and/or the Odoo document it is about, and, by kind: ``other_period`` (``date_mismatch``),
    ``first`` and ``last`` (``numbering_gap``: the missing numbers), ``count`` (times listed:
    ``duplicate_in_tusfacturas``, ``queued``, ``failed``)."""

    kind: str
    key: tuple
    voucher: Voucher | None = None
    document: OdooVoucherDocument | None = None
    other_period: bool = False
    first: int | None = None
    last: int | None = None
    count: int = 1

    @property
    def key_text(self):
        """The key as one string: ``"1-00002-00000012"``, ``"1-00002-<fingerprint>"``."""
        code, point_of_sale, number = self.key[:3]
        return f"{code}-{point_of_sale:05d}-" + (f"{number:08d}" if number is not None else self.key[3])

    @property
    def date(self):
        """The voucher's date, else the document's (None for a gap)."""
        source = self.voucher or self.document
        return source.date if source else None

    @property
    def difference(self):
        """TusFacturas' total minus Odoo's, in the voucher's currency (in pesos when the
        currencies differ); None unless both are there."""
        voucher, document = self.voucher, self.document
        if not (voucher and document):
            return None
        if voucher.currency == document.currency:
            return voucher.total - document.total
        return voucher.total * voucher.rate - document.total * document.rate


@dataclass
class VoucherCheck:
    """A check's findings (vouchers in listing order, then what the end of the period shows:
    documents, queued and failed vouchers, gaps) and its run summary: ``pages`` and
    ``vouchers`` read, ``issued`` / ``queued`` / ``failed`` / ``not_afip`` vouchers among them,
    ``matched`` (issued vouchers found in Odoo, differences or not), ``documents`` (Odoo's
    given), and ``highest``: per AFIP code, the highest number listed as issued (the next
    period's ``previous_numbers``)."""

    findings: list = field(default_factory=list)
    pages: int = 0
    vouchers: int = 0
    issued: int = 0
    queued: int = 0
    failed: int = 0
    not_afip: int = 0
    matched: int = 0
    documents: int = 0
    highest: dict = field(default_factory=dict)
    lowest: dict = field(default_factory=dict)  # per AFIP code, the lowest number listed as issued
    last_numbers: dict = field(default_factory=dict)  # what ``last_numbers`` gave

    def covers(self, code, first, last, previous_numbers=None):
        """Whether this check could have found a gap ``first..last`` of ``code``: the numbers
        just before and after it were known (listed, the previous period's last one, or the
        last number ``facturacion/numeracion`` gave). A gap it could not see is not resolved
        by its not being found."""
        below = self.lowest.get(code)
        before = (previous_numbers or {}).get(code)
        known_below = [n for n in (below, before) if n is not None]
        above = [n for n in (self.highest.get(code), self.last_numbers.get(code)) if n is not None]
        return bool(known_below and above) and min(known_below) < first and last < max(above)

    def counts(self):
        """Findings per kind (every kind, 0 included)."""
        counts = dict.fromkeys(KINDS, 0)
        for finding in self.findings:
            counts[finding.kind] += 1
        return counts


class _Numbers:
    """The numbers of one document type listed so far, as sorted disjoint runs
    ``firsts[i]..lasts[i]``. A listing comes newest first, so the run last touched (``at``)
    is nearly always the one the next number extends."""

    __slots__ = ("at", "firsts", "lasts")

    def __init__(self):
        self.firsts, self.lasts, self.at = [], [], 0

    def add(self, number):
        """Add ``number``; False if it was there already."""
        firsts, lasts, at = self.firsts, self.lasts, self.at
        if not (at < len(firsts) and firsts[at] - 1 <= number <= lasts[at] + 1):
            at = bisect_right(firsts, number) - 1  # the run starting at or below number, or -1
            if at < 0 or number > lasts[at] + 1:
                if at + 1 < len(firsts) and firsts[at + 1] == number + 1:
                    at += 1
                else:  # a run of its own
                    firsts.insert(at + 1, number)
                    lasts.insert(at + 1, number)
                    self.at = at + 1
                    return True
        first, last = firsts[at], lasts[at]
        if first <= number <= last:
            self.at = at
            return False
        if number == first - 1:
            firsts[at] = number
            if at and lasts[at - 1] == number - 1:  # it joins the run below
                firsts[at] = firsts[at - 1]
                del firsts[at - 1], lasts[at - 1]
                at -= 1
        else:
            lasts[at] = number
            if at + 1 < len(firsts) and firsts[at + 1] == number + 1:  # it joins the run above
                lasts[at] = lasts[at + 1]
                del firsts[at + 1], lasts[at + 1]
        self.at = at
        return True

    def gaps(self):
        """``(first, last)`` of each range of numbers missing between two runs."""
        firsts, lasts = self.firsts, self.lasts
        return [(lasts[i] + 1, firsts[i + 1] - 1) for i in range(len(firsts) - 1)]


def _same_rate(a, b):
    return abs(a - b) <= RATE_TOLERANCE + RATE_RELATIVE_TOLERANCE * max(abs(a), abs(b))


def _dni(number):
    """The DNI in a CUIT/CUIL (its eight middle digits), else the number, without leading zeros."""
    if len(number) == 11 and number.isdigit():
        return number[2:10].lstrip("0")
    return number.lstrip("0")


def _same_customer(customer, document):
    """Whether the voucher's customer document is the Odoo document's customer's (True when
    the voucher names none)."""
    number = customer.number
    if not number or customer.doc_type == "OTRO" or not number.strip("0"):
        return True
    theirs = document.customer_number
    if number == theirs:
        return True
    if not theirs or document.customer_type == "OTRO" or not theirs.strip("0"):
        return True  # Odoo's customer has no document (an anonymous consumidor final): nothing to compare
    number, theirs = number.upper(), theirs.upper()
    if number.lstrip("0") == theirs.lstrip("0"):
        return True
    # A DNI against a CUIT/CUIL, never two CUITs: 20-12345678-6 and 30-12345678-? differ.
    return (len(number) == 11) != (len(theirs) == 11) and _dni(number) == _dni(theirs)


def _fingerprint(voucher):
    customer = voucher.customer
    return (
        f"{voucher.date.isoformat()}/{customer.doc_type}/{customer.number or ''}/{voucher.currency}/{voucher.total:.2f}"
    )


class _Check:
    """One check's state; :func:`check_vouchers` drives it."""

    def __init__(self, documents, equal, point_of_sale):
        self.equal = equal
        self.point_of_sale = point_of_sale
        self.result = VoucherCheck()
        self.findings = self.result.findings
        self.index = {}  # key -> Odoo document not matched yet
        for document in documents:
            self.result.documents += 1
            if document.key in self.index:
                self.findings.append(Finding(DUPLICATE_IN_ODOO, document.key, None, document))
            else:
                self.index[document.key] = document
        self.numbers = {}  # (afip_code, point of sale) -> _Numbers
        self.duplicates = {}  # key -> [first duplicate voucher, times listed]
        self.missing = []  # issued vouchers not in the documents given
        self.unissued = {}  # (kind, key) -> [voucher, times listed]
        self.fingerprints = {}  # fingerprint key -> identical vouchers seen

    def consume(self, pages):
        result, index, numbers, compare = self.result, self.index, self.numbers, self.compare
        pop, missing, duplicates = index.pop, self.missing, self.duplicates
        equal = self.equal
        for page in pages:
            result.pages += 1
            result.vouchers += len(page)
            for voucher in page:
                code = voucher.afip_code
                if code is None:
                    result.not_afip += 1
                    continue
                if voucher.status != ISSUED:
                    self.unissued_voucher(voucher)
                    continue
                result.issued += 1
                point_of_sale, number = voucher.point_of_sale, voucher.number
                runs = numbers.get((code, point_of_sale))
                if runs is None:
                    runs = numbers[code, point_of_sale] = _Numbers()
                key = (code, point_of_sale, number)
                if not runs.add(number):
                    duplicate = duplicates.get(key)
                    if duplicate:
                        duplicate[1] += 1
                    else:
                        duplicates[key] = [voucher, 2]
                    continue
                document = pop(key, None)
                if document is None:
                    missing.append(voucher)
                    continue
                result.matched += 1
                # Most vouchers agree: one test of everything, the details only when not.
                if (
                    voucher.date == document.date
                    and voucher.currency == document.currency
                    and equal(voucher.total, document.total)
                    and (voucher.currency == PESOS or _same_rate(voucher.rate, document.rate))
                    and (voucher.customer.number == document.customer_number or voucher.customer.number is None)
                ):
                    continue
                compare(voucher, document)

    def compare(self, voucher, document):
        """The findings of an issued voucher and its Odoo document."""
        key, findings = voucher.key, self.findings
        same_currency = voucher.currency == document.currency
        if same_currency:
            same_total = self.equal(voucher.total, document.total)
        else:
            same_total = self.equal(voucher.total * voucher.rate, document.total * document.rate)
        if not same_total:
            findings.append(Finding(AMOUNT_MISMATCH, key, voucher, document))
        if voucher.date != document.date:
            other_period = (voucher.date.year, voucher.date.month) != (document.date.year, document.date.month)
            findings.append(Finding(DATE_MISMATCH, key, voucher, document, other_period))
        if not same_currency or (voucher.currency != PESOS and not _same_rate(voucher.rate, document.rate)):
            findings.append(Finding(CURRENCY_MISMATCH, key, voucher, document))
        if not _same_customer(voucher.customer, document):
            findings.append(Finding(CUSTOMER_MISMATCH, key, voucher, document))

    def unissued_voucher(self, voucher):
        if voucher.status == QUEUED:
            kind = QUEUED_VOUCHER
            self.result.queued += 1
        else:  # ERROR: the parser knows no other status
            kind = FAILED_VOUCHER
            self.result.failed += 1
        if voucher.number:
            key = voucher.key
        else:
            key = (voucher.afip_code, voucher.point_of_sale, None, _fingerprint(voucher))
            seen = self.fingerprints[key] = self.fingerprints.get(key, 0) + 1
            if seen > 1:
                key = (*key[:3], f"{key[3]}#{seen}")
        entry = self.unissued.get((kind, key))
        if entry:
            entry[1] += 1
        else:
            self.unissued[kind, key] = [voucher, 1]

    def finish(self, last_numbers, previous_numbers, find_documents, find_vouchers):
        findings, index = self.findings, self.index
        found = {}
        if self.missing and find_documents:
            found = {document.key: document for document in find_documents([v.key for v in self.missing])}
        for voucher in self.missing:
            document = found.get(voucher.key)
            if document:
                self.result.matched += 1
                self.compare(voucher, document)
            else:
                findings.append(Finding(MISSING_IN_ODOO, voucher.key, voucher))
        findings.extend(
            Finding(DUPLICATE_IN_TUSFACTURAS, key, voucher, count=count)
            for key, (voucher, count) in self.duplicates.items()
        )
        for (kind, key), (voucher, count) in self.unissued.items():
            document = index.pop(key, None) if len(key) == 3 else None
            findings.append(Finding(kind, key, voucher, document, count=count))
        if index and find_vouchers:
            for voucher in find_vouchers(list(index)):
                document = index.pop(voucher.key, None) if voucher.status == ISSUED else None
                if document:
                    self.compare(voucher, document)
        findings.extend(Finding(MISSING_IN_TUSFACTURAS, key, None, document) for key, document in index.items())
        if callable(last_numbers):  # asked now, for the types listed (see check_vouchers)
            codes = {code for code, pos in self.numbers if pos == self.point_of_sale} | set(previous_numbers or {})
            last_numbers = last_numbers(sorted(codes))
        self.result.last_numbers = dict(last_numbers or {})
        self.gaps(dict(last_numbers or {}), dict(previous_numbers or {}))
        return self.result

    def gaps(self, last_numbers, previous_numbers):
        findings, highest = self.findings, self.result.highest
        point_of_sale = self.point_of_sale
        for (code, pos), runs in self.numbers.items():
            ranges = runs.gaps()
            if pos == point_of_sale:
                highest[code] = runs.lasts[-1]
                self.result.lowest[code] = runs.firsts[0]
                previous, last = previous_numbers.pop(code, None), last_numbers.pop(code, None)
                if previous is not None and previous + 1 < runs.firsts[0]:
                    ranges.insert(0, (previous + 1, runs.firsts[0] - 1))
                if last is not None and last > runs.lasts[-1]:
                    ranges.append((runs.lasts[-1] + 1, last))
            findings.extend(
                Finding(NUMBERING_GAP, (code, pos, first), first=first, last=last) for first, last in ranges
            )
        # Types with no voucher in the period: a gap only between two known numbers.
        for code, previous in previous_numbers.items():
            last = last_numbers.get(code)
            if previous is not None and last is not None and last > previous:
                findings.append(
                    Finding(NUMBERING_GAP, (code, point_of_sale, previous + 1), first=previous + 1, last=last)
                )


def check_vouchers(
    pages,
    documents,
    equal,
    *,
    point_of_sale,
    last_numbers=None,
    previous_numbers=None,
    find_documents=None,
    find_vouchers=None,
):
    """Compare the vouchers of ``pages`` with Odoo's ``documents`` of ``point_of_sale``.

    ``pages``: an iterable of lists of :class:`.vouchers.Voucher`, read once, page by page;
    ``documents``: :class:`OdooVoucherDocument` values; ``equal(a, b)``: whether two amounts
    of one currency are equal. ``last_numbers`` and ``previous_numbers`` map AFIP codes to the
    last number ``facturacion/numeracion`` gives and to the last one of the previous period,
    at ``point_of_sale`` (both optional); ``last_numbers`` may also be a function, given the
    AFIP codes listed (and those of ``previous_numbers``) once the pages are read, that returns
    that mapping (a billed call per type: asked only after a whole period was read);
    ``find_documents`` and ``find_vouchers`` look up the
    other side of what one side lacks (optional; see the module's docstring).
    Returns a :class:`VoucherCheck`.
    """
    check = _Check(documents, equal, point_of_sale)
    check.consume(pages)
    return check.finish(last_numbers, previous_numbers, find_documents, find_vouchers)
