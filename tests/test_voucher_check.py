"""The voucher check (plain Python): TusFacturas' vouchers of a period against Odoo's posted
documents of that point of sale, kind by kind, then end to end against the sandbox over real
sockets (its cost beside ``json.loads`` of the same pages is tools/bench_voucher_check.py's)."""

import datetime
import random
import weakref

from odoo.tests import BaseCase, tagged

from ..sandbox.vouchers import make_voucher
from ..tusfacturas import voucher_api
from ..tusfacturas.methods import VOUCHER_SEARCH, billed_calls
from ..tusfacturas.voucher_check import (
    AMOUNT_MISMATCH,
    CURRENCY_MISMATCH,
    CUSTOMER_MISMATCH,
    DATE_MISMATCH,
    DUPLICATE_IN_ODOO,
    DUPLICATE_IN_TUSFACTURAS,
    FAILED_VOUCHER,
    KINDS,
    MISSING_IN_ODOO,
    MISSING_IN_TUSFACTURAS,
    NUMBERING_GAP,
    QUEUED_VOUCHER,
    OdooVoucherDocument,
    _Numbers,
    check_vouchers,
    documents_from_rows,
)
from ..tusfacturas.vouchers import parse_voucher
from .common import VoucherSandboxCase

DAY = datetime.date(2026, 3, 1)
ADHOC = ("CUIT", "30714295698", "ADHOC SA")
QUEUED_TEXT = "EN COLA, ESPERANDO APROBACION"
FAILED_TEXT = "ENVIADO A PROCESAR - CON ERROR"


def equal(a, b):
    return abs(a - b) < 0.005


def voucher(number=1, **values):
    """A listed voucher, parsed from the sandbox's fixture as the listing is."""
    values.setdefault("date", DAY)
    return parse_voucher(make_voucher(number=number, **values), detail=False)


def document(number=1, *, code="1", date=DAY, currency="PES", rate=1.0, total=121.0, customer=ADHOC[:2], **values):
    values.setdefault("id", number)
    return OdooVoucherDocument(
        key=(code, 1, number),
        date=date,
        currency=currency,
        rate=rate,
        total=total,
        customer_type=customer[0],
        customer_number=customer[1],
        **values,
    )


def check(pages, documents=(), **options):
    options.setdefault("point_of_sale", 1)
    return check_vouchers(iter(pages), list(documents), equal, **options)


def kinds(result):
    """The ``(kind, key)`` of the findings, as a set (they are unique)."""
    found = [(f.kind, f.key) for f in result.findings]
    assert len(set(found)) == len(found), found
    return set(found)


@tagged("post_install", "-at_install")
class TestVoucherCheck(BaseCase):
    def test_everything_agrees(self):
        vouchers = [voucher(n) for n in (3, 2, 1)]
        result = check([vouchers[:2], vouchers[2:]], [document(n) for n in (1, 2, 3)])
        self.assertEqual(result.findings, [])
        self.assertEqual(
            (result.pages, result.vouchers, result.issued, result.matched, result.documents, result.highest),
            (2, 3, 3, 3, 3, {"1": 3}),
        )
        self.assertEqual(result.counts(), dict.fromkeys(KINDS, 0))

    def test_missing_on_either_side(self):
        dni = voucher(1, customer=("DNI", "12345678", "Juan Pérez"), type_name="FACTURA B")
        final = voucher(2, customer=("OTRO", "", "Consumidor final"), type_name="FACTURA B")
        foreign = voucher(
            1, customer=("PASAPORTE", "X1234567", "John Smith"), type_name="FACTURA E", currency="DOL", rate=1000
        )
        result = check([[dni, final, foreign]], [document(5, code="6"), document(4, code="6")])
        self.assertEqual(
            kinds(result),
            {
                (MISSING_IN_ODOO, ("19", 1, 1)),
                (MISSING_IN_ODOO, ("6", 1, 1)),
                (MISSING_IN_ODOO, ("6", 1, 2)),
                (MISSING_IN_TUSFACTURAS, ("6", 1, 4)),
                (MISSING_IN_TUSFACTURAS, ("6", 1, 5)),
            },
        )
        missing = {f.key: f for f in result.findings}
        self.assertIs(missing["6", 1, 1].voucher, dni)
        self.assertIsNone(missing["6", 1, 1].document)
        self.assertEqual((missing["6", 1, 4].voucher, missing["6", 1, 4].document.key), (None, ("6", 1, 4)))
        self.assertEqual((missing["6", 1, 5].key_text, missing["6", 1, 5].date), ("6-00001-00000005", DAY))
        self.assertEqual(result.counts()[MISSING_IN_ODOO], 3)

    def test_amounts(self):
        result = check(
            [[voucher(1, total=121.0), voucher(2, total=150.0), voucher(3, total=100.0, currency="DOL", rate=1000.0)]],
            [document(1, total=121.004), document(2, total=121.0), document(3, total=100000.0)],
        )
        self.assertEqual(kinds(result), {(AMOUNT_MISMATCH, ("1", 1, 2)), (CURRENCY_MISMATCH, ("1", 1, 3))})
        self.assertEqual(result.findings[0].difference, 29.0)
        # Another currency: compared in pesos (USD 100 at 1,000 = $ 100,000: the same total).
        self.assertEqual(result.findings[1].difference, 0.0)
        other = check([[voucher(3, total=100.0, currency="DOL", rate=1000.0)]], [document(3, total=90000.0)])
        self.assertEqual(kinds(other), {(AMOUNT_MISMATCH, ("1", 1, 3)), (CURRENCY_MISMATCH, ("1", 1, 3))})
        self.assertEqual(other.findings[0].difference, 10000.0)

    def test_dates(self):
        result = check(
            [[voucher(1), voucher(2), voucher(3), voucher(4)]],
            [
                document(1),
                document(2, date=datetime.date(2026, 3, 2)),
                document(3, date=datetime.date(2026, 2, 28)),
                document(4, date=datetime.date(2025, 3, 1)),
            ],
        )
        self.assertEqual(
            [(f.kind, f.key[2], f.other_period) for f in result.findings],
            [(DATE_MISMATCH, 2, False), (DATE_MISMATCH, 3, True), (DATE_MISMATCH, 4, True)],
        )

    def test_currencies_and_rates(self):
        rate = 1045.5
        result = check(
            [
                [
                    voucher(1, currency="DOL", rate=rate, total=100.0),
                    voucher(2, currency="DOL", rate=rate, total=100.0),
                    voucher(3, currency="DOL", rate=rate, total=100.0),
                    voucher(4, currency="DOL", rate=rate, total=100.0),
                    voucher(5, currency="060", rate=1150.0, total=100.0),
                ]
            ],
            [
                # Odoo keeps invoice_currency_rate (units per peso): its inverse, rounded by floats.
                document(1, currency="DOL", rate=1 / (1 / rate), total=100.0),
                document(2, currency="DOL", rate=rate + 4e-7, total=100.0),  # within half of AFIP's 6th decimal
                document(3, currency="DOL", rate=rate + 1e-6, total=100.0),  # another rate
                document(4, currency="DOL", rate=1000.0, total=100.0),
                document(5, currency="DOL", rate=1150.0, total=100.0),  # another currency, same pesos
            ],
        )
        self.assertEqual(
            kinds(result),
            {(CURRENCY_MISMATCH, ("1", 1, 3)), (CURRENCY_MISMATCH, ("1", 1, 4)), (CURRENCY_MISMATCH, ("1", 1, 5))},
        )
        finding = result.findings[1]
        self.assertEqual((finding.voucher.rate, finding.document.rate), (rate, 1000.0))

    def test_customers(self):
        cases = [
            (("CUIT", "30714295698", "X"), ("CUIT", "30714295698"), True),
            (("CUIT", "30714295698", "X"), ("CUIT", "30500010912"), False),
            (("DNI", "012345678", "X"), ("DNI", "12345678"), True),  # leading zeros
            (("DNI", "12345678", "X"), ("CUIT", "20123456786"), True),  # the CUIT of that DNI
            (("CUIT", "20123456786", "X"), ("DNI", "12345678"), True),
            (("DNI", "12345678", "X"), ("CUIT", "30714295698"), False),
            (("DNI", "12345678", "X"), (None, None), True),  # Odoo's anonymous consumidor final: nothing to compare
            (("DNI", "12345678", "X"), ("OTRO", None), True),
            (("PASAPORTE", "ab123", "X"), ("PASAPORTE", "AB123"), True),
            (("OTRO", "", "Consumidor final"), ("CUIT", "30714295698"), True),  # nothing to compare
            (("DNI", "0", "Consumidor final"), ("CUIT", "30714295698"), True),
            (("DNI", "99999999", "X"), ("CUIT", "20999999992"), True),
        ]
        vouchers = [voucher(n, customer=tf) for n, (tf, _odoo, _same) in enumerate(cases, start=1)]
        documents = [document(n, customer=odoo) for n, (_tf, odoo, _same) in enumerate(cases, start=1)]
        result = check([vouchers], documents)
        flagged = {f.key[2] for f in result.findings if f.kind == CUSTOMER_MISMATCH}
        self.assertEqual(flagged, {n for n, (_tf, _odoo, same) in enumerate(cases, start=1) if not same})
        self.assertEqual(len(result.findings), len(flagged))

    def test_several_kinds_on_one_voucher(self):
        listed = voucher(1, currency="DOL", rate=1045.5, total=110.0, customer=("CUIT", "30500010912", "Otro"))
        odoo = document(1, currency="DOL", rate=1000.0, total=100.0, date=datetime.date(2026, 4, 1))
        result = check([[listed]], [odoo])
        self.assertEqual(
            [(f.kind, f.key) for f in result.findings],
            [(kind, ("1", 1, 1)) for kind in (AMOUNT_MISMATCH, DATE_MISMATCH, CURRENCY_MISMATCH, CUSTOMER_MISMATCH)],
        )
        self.assertTrue(all(f.voucher is listed and f.document is odoo for f in result.findings))
        self.assertTrue(result.findings[1].other_period)

    def test_queued_and_failed(self):
        queued = voucher(0, status=QUEUED_TEXT, total=500.0)
        twin = voucher(0, status=QUEUED_TEXT, total=500.0)
        scheduled = voucher(0, status="APROBADO Y EN COLA. SE EMITE EL 05/03/2026", customer=("DNI", "12345678", "J"))
        failed = voucher(7, status=FAILED_TEXT)
        failed_again = voucher(5, status=FAILED_TEXT)
        issued = [voucher(n) for n in (6, 5, 4)]
        pages = [[queued, twin, scheduled, failed], [failed_again, *issued]]
        documents = [document(n) for n in (4, 5, 6, 7)]
        result = check(pages, documents)
        fingerprint = "2026-03-01/CUIT/30714295698/PES/500.00"
        self.assertEqual(
            kinds(result),
            {
                (QUEUED_VOUCHER, ("1", 1, None, "2026-03-01/DNI/12345678/PES/121.00")),
                (QUEUED_VOUCHER, ("1", 1, None, fingerprint)),
                (QUEUED_VOUCHER, ("1", 1, None, f"{fingerprint}#2")),
                (FAILED_VOUCHER, ("1", 1, 5)),
                (FAILED_VOUCHER, ("1", 1, 7)),
            },
            "never missing in Odoo; Odoo's 7 is the failed voucher's, not missing in TusFacturas",
        )
        by_key = {f.key: f for f in result.findings}
        self.assertEqual(by_key["1", 1, 7].document, documents[3], "Odoo has a posted document with that number")
        self.assertIsNone(by_key["1", 1, 5].document, "Odoo's 5 is the issued voucher's")
        self.assertEqual(by_key["1", 1, None, fingerprint].key_text, f"1-00001-{fingerprint}")
        self.assertEqual((result.queued, result.failed, result.issued, result.matched), (3, 2, 3, 3))
        # The keys are stable: the same vouchers give the same keys in a later run.
        self.assertEqual(kinds(check(pages, documents)), kinds(result))

    def test_numbering_gaps(self):
        listed = [voucher(n) for n in (10, 7, 6, 3, 2, 1)]
        result = check([listed[:3], listed[3:]], [document(n) for n in (1, 2, 3, 6, 7, 10)])
        self.assertEqual([(f.kind, f.key, f.first, f.last) for f in result.findings], [
            (NUMBERING_GAP, ("1", 1, 4), 4, 5), (NUMBERING_GAP, ("1", 1, 8), 8, 9),
        ])  # fmt: skip
        self.assertEqual(result.highest, {"1": 10})
        # To the last number (numeracion), from the previous period's last; other types alike.
        result = check(
            [[voucher(n) for n in (5, 4, 3)], [voucher(2, type_name="FACTURA B")]],
            [document(n) for n in (3, 4, 5)] + [document(2, code="6")],
            last_numbers={"1": 8, "6": 2, "3": 4},
            previous_numbers={"1": 1, "6": 1, "3": 2, "2": 5},
        )
        self.assertEqual(
            [(f.key, f.first, f.last) for f in result.findings],
            [(("1", 1, 2), 2, 2), (("1", 1, 6), 6, 8), (("3", 1, 3), 3, 4)],
            "one finding per range; none where the numbers follow; none without both ends",
        )
        self.assertEqual(result.findings[1].key_text, "1-00001-00000006")

    def test_duplicates(self):
        first = voucher(2, total=150.0)
        result = check(
            [[first, voucher(1)], [voucher(2), voucher(2, total=121.0)]],
            [document(1), document(2), document(2, id=99)],
        )
        self.assertEqual(
            kinds(result),
            {(AMOUNT_MISMATCH, ("1", 1, 2)), (DUPLICATE_IN_TUSFACTURAS, ("1", 1, 2)), (DUPLICATE_IN_ODOO, ("1", 1, 2))},
        )
        by_kind = {f.kind: f for f in result.findings}
        self.assertIs(by_kind[AMOUNT_MISMATCH].voucher, first, "the first listed is the one compared")
        self.assertEqual(by_kind[DUPLICATE_IN_TUSFACTURAS].count, 3)
        self.assertEqual(by_kind[DUPLICATE_IN_ODOO].document.id, 99)

    def test_other_periods_are_looked_up(self):
        asked = {}

        def find_documents(keys):
            asked.setdefault("documents", []).append(sorted(keys))
            return [document(2, date=datetime.date(2026, 2, 28))]

        def find_vouchers(keys):
            asked.setdefault("vouchers", []).append(sorted(keys))
            return [voucher(9, date=datetime.date(2026, 4, 1)), voucher(8, status=FAILED_TEXT)]

        result = check(
            [[voucher(3), voucher(2), voucher(1)]],
            [document(1), document(3), document(9), document(8)],
            find_documents=find_documents,
            find_vouchers=find_vouchers,
        )
        self.assertEqual(asked, {"documents": [[("1", 1, 2)]], "vouchers": [[("1", 1, 8), ("1", 1, 9)]]})
        self.assertEqual(
            [(f.kind, f.key, f.other_period) for f in result.findings],
            [
                (DATE_MISMATCH, ("1", 1, 2), True),
                (DATE_MISMATCH, ("1", 1, 9), True),
                (MISSING_IN_TUSFACTURAS, ("1", 1, 8), False),  # failed there: still not issued
            ],
        )
        asked.clear()
        check([[voucher(1)]], [document(1)], find_documents=find_documents, find_vouchers=find_vouchers)
        self.assertEqual(asked, {}, "nothing to look up, no call")

    def test_vouchers_outside_afip(self):
        result = check([[voucher(1, type_name="FACTURA NO VALIDA EN AFIP"), voucher(1)]], [document(1)])
        self.assertEqual((result.findings, result.not_afip, result.issued), ([], 1, 1))

    def test_documents_from_rows(self):
        rows = [(7, "1", 1, 3, DAY, "DOL", 1045.5, 100.0, "CUIT", "30714295698", "FA-A 00001-00000003", 42)]
        (built,) = documents_from_rows(rows)
        self.assertEqual(
            built,
            document(3, id=7, currency="DOL", rate=1045.5, total=100.0, name="FA-A 00001-00000003", partner_id=42),
        )

    def test_pages_are_not_kept(self):
        """The check holds a page at a time: when page k is made, pages before k - 1 are gone."""

        class Page(list):
            pass

        alive = []

        def pages():
            number = 40
            for _ in range(10):
                alive.append([ref() is not None for ref in refs[:-1]])
                page = Page(voucher(number - i) for i in range(4))
                number -= 4
                refs.append(weakref.ref(page))
                yield page

        refs = []
        result = check(pages(), [document(n) for n in range(1, 41)])
        self.assertEqual((result.pages, result.vouchers, result.findings), (10, 40, []))
        self.assertFalse(any(flag for flags in alive for flag in flags), alive)

    def test_numbers_against_a_set(self):
        rng = random.Random(19)
        for _ in range(300):
            numbers = [rng.randint(1, 60) for _ in range(rng.randint(1, 80))]
            if rng.random() < 0.5:
                numbers.sort(reverse=True)  # as listed, newest first
            runs, seen = _Numbers(), set()
            for number in numbers:
                self.assertEqual(runs.add(number), number not in seen, numbers)
                seen.add(number)
            expected = [(n, n) for n in range(min(seen), max(seen) + 1) if n not in seen]
            got = [(n, n) for first, last in runs.gaps() for n in range(first, last + 1)]
            self.assertEqual(got, expected, numbers)
            self.assertEqual((runs.firsts[0], runs.lasts[-1]), (min(seen), max(seen)))
            self.assertTrue(all(b - a > 1 for a, b in zip(runs.lasts, runs.firsts[1:], strict=False)), "disjoint runs")


@tagged("post_install", "-at_install")
class TestVoucherCheckSandbox(VoucherSandboxCase):
    """Issue 19's "Done when", on the plain-Python side: a day read from the sandbox across pages."""

    def run_check(self, documents):
        client, elsewhere = self.client, self.other_documents
        return check_vouchers(
            voucher_api.vouchers_of_day(client, DAY, page_size=3, point_of_sale=1),
            documents,
            equal,
            point_of_sale=1,
            last_numbers={"1": voucher_api.last_number(client, "FACTURA A", 1)},
            find_documents=lambda keys: [d for d in elsewhere if d.key in set(keys)],
            find_vouchers=lambda keys: voucher_api.find_vouchers(client, keys, page_size=3),
        )

    def test_each_case_once_across_pages(self):
        add = self.sandbox.vouchers.add
        add(*(make_voucher(number=n, date=DAY) for n in (1, 2, 7, 10)))
        add(make_voucher(number=3, date=DAY, type_name="FACTURA A", customer=("DNI", "12345678", "Juan Pérez")))
        add(make_voucher(number=4, date=DAY, total=150.0))  # another total
        add(make_voucher(number=5, date=DAY))  # dated in another month in Odoo
        add(make_voucher(number=6, date=DAY, currency="DOL", rate=1045.5, total=100.0))  # USD at another rate
        add(make_voucher(number=0, date=DAY, status=FAILED_TEXT, total=99.0))  # failed
        # 8 and 9 were never listed: a gap. What Odoo has outside the period (find_documents):
        self.other_documents = [document(5, date=datetime.date(2026, 2, 27))]
        documents = [document(n) for n in (1, 2, 4, 7, 10)] + [document(6, currency="DOL", rate=1000.0, total=100.0)]

        result = self.run_check(documents)

        self.assertGreater(result.pages, 2, "read across more than one page")
        self.assertEqual(
            [(f.kind, f.key_text) for f in result.findings],
            [
                (CURRENCY_MISMATCH, "1-00001-00000006"),
                (AMOUNT_MISMATCH, "1-00001-00000004"),
                (DATE_MISMATCH, "1-00001-00000005"),
                (MISSING_IN_ODOO, "1-00001-00000003"),
                (FAILED_VOUCHER, "1-00001-2026-03-01/CUIT/30714295698/PES/99.00"),
                (NUMBERING_GAP, "1-00001-00000008"),
            ],
        )
        self.assertEqual((result.findings[-1].first, result.findings[-1].last), (8, 9))
        self.assertTrue(result.findings[2].other_period)
        self.assertEqual(result.findings[3].voucher.customer.doc_type, "DNI")
        # No billed call but numeracion's one; no current account.
        methods = [method for method, _cuit in self.sandbox.calls]
        self.assertNotIn("clientes/cuenta-corriente", methods)
        self.assertEqual(billed_calls(methods), 1)
        self.assertEqual({page for method, page in self.sandbox.voucher_calls if method == VOUCHER_SEARCH}, {0, 1, 2})
        # Again: the same findings, the same keys.
        again = self.run_check(documents)
        self.assertEqual([(f.kind, f.key) for f in again.findings], [(f.kind, f.key) for f in result.findings])
        # Corrected in Odoo: that finding is gone.
        documents[2] = document(4, total=150.0)
        corrected = self.run_check(documents)
        self.assertNotIn(AMOUNT_MISMATCH, [f.kind for f in corrected.findings])
        self.assertEqual(len(corrected.findings), len(result.findings) - 1)
