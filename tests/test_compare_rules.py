"""The comparison rules in plain Python: signs, duplicates, annulled documents, scope,
modes and the arithmetic of differences, without Odoo's books in the way."""

import datetime

from odoo.tests import BaseCase, tagged

from ..tusfacturas import parse_concept
from ..tusfacturas.concept import DOCUMENT, MOVEMENT
from ..tusfacturas.ledger import LedgerRow
from ..tusfacturas.matching import (
    AMOUNT_MISMATCH,
    ANNULLED,
    BALANCES,
    DOCUMENT_CURRENCY,
    DOCUMENTS,
    DUPLICATE_IN_ODOO,
    DUPLICATE_IN_TUSFACTURAS,
    MATCHED,
    MISSING_IN_ODOO,
    MISSING_IN_TUSFACTURAS,
    NOT_A_DOCUMENT,
    OUT_OF_SCOPE,
    RESIDUAL_MISMATCH,
    TUSFACTURAS_MOVEMENTS,
    OdooDocument,
    match_ledger,
)
from ..tusfacturas.receivables import COLLECTION, OdooEntry

ARS, USD = 1, 2
DAY = datetime.date(2026, 3, 1)


def row(concept, debit=0.0, credit=0.0, residual=0.0, date=DAY, balance=0.0):
    return LedgerRow(date, concept, debit, credit, residual, balance, parse_concept(concept))


def doc(id_, number, total, residual=None, sign=1, code="1", date=DAY, currency=ARS, rate=1.0, in_scope=True):
    residual = total if residual is None else residual
    return OdooDocument(
        id=id_, key=(code, 1, number), date=date, currency_id=currency, sign=sign, total=total, residual=residual,
        total_company=round(total / rate, 2), residual_company=round(residual / rate, 2),
        foreign_currency=currency != ARS, in_scope=in_scope,
    )  # fmt: skip


def with_balances(rows):
    """``rows`` with TusFacturas' running balance."""
    balance, result = 0.0, []
    for each in rows:
        balance += each.amount
        result.append(
            LedgerRow(each.date, each.concept, each.debit, each.credit, each.residual, balance, each.document)
        )
    return result


def collection(amount, date=DAY, settles=()):
    return OdooEntry(90, date, COLLECTION, amount, settles)


def equal(a, b):
    return abs(a - b) < 0.005


def compare(rows, documents, **kwargs):
    return match_ledger(rows, documents, equal, company_currency_id=ARS, **kwargs)


def states(comparison):
    return [(m.row.concept if m.row else m.document.id, m.state) for m in comparison.matches]


@tagged("post_install", "-at_install")
class TestConceptSuffixes(BaseCase):
    def test_after_the_number_only_explicit_words_make_a_movement(self):
        self.assertEqual(parse_concept("FACTURA A 0001-00000001 (ACME (AR) SA)").key, ("1", 1, 1))
        for concept, kind in (
            ("FACTURA A 0001-00000001 - PAGO", MOVEMENT),
            ("FACTURA A 0001-00000001 PAGO PARCIAL", MOVEMENT),
            ("FACTURA A 0001-00000001 (ACME) - (PAGO)", MOVEMENT),
            ("FACTURA A 0001-00000001 (ACME", DOCUMENT),  # a name TusFacturas cut short
            ("FACTURA A 0001-00000001 - ACME SA", DOCUMENT),
        ):
            with self.subTest(concept=concept):
                self.assertEqual(parse_concept(concept).kind, kind)

    def test_annulled_documents(self):
        for concept in (
            "FACTURA A 0001-00000001 ANULADA",
            "FACTURA A 0001-00000001 (ACME SA) ANULADA",
            "NOTA DE CREDITO A 0001-00000001 (ANULADO)",
        ):
            with self.subTest(concept=concept):
                ref = parse_concept(concept)
                self.assertTrue(ref.annulled)
        self.assertFalse(parse_concept("FACTURA A 0001-00000001 (ACME SA)").annulled)


@tagged("post_install", "-at_install")
class TestCompareRules(BaseCase):
    def test_signed_amounts(self):
        invoice, refund = doc(1, 1, 121.0), doc(2, 1, 121.0, sign=-1, code="3")
        comparison = compare(
            [row("FACTURA A 0001-00000001", credit=121.0, residual=121.0),  # an invoice on the credit side
             row("NOTA DE CREDITO A 0001-00000001", debit=121.0, residual=121.0)],  # a credit note on debe
            [invoice, refund],
        )  # fmt: skip
        self.assertEqual([m.state for m in comparison.matches], [AMOUNT_MISMATCH, AMOUNT_MISMATCH])
        self.assertEqual([m.difference for m in comparison.matches], [-242.0, 242.0])
        comparison = compare(
            [row("FACTURA A 0001-00000001", debit=121.0, residual=121.0),
             row("NOTA DE CREDITO A 0001-00000001", credit=121.0, residual=121.0)],
            [invoice, refund],
        )  # fmt: skip
        self.assertEqual([m.state for m in comparison.matches], [MATCHED, MATCHED])
        self.assertEqual(comparison.totals[ARS].difference, 0.0)

    def test_duplicates_on_either_side(self):
        comparison = compare(
            [row("FACTURA A 0001-00000001", debit=100.0, residual=100.0),
             row("FACTURA A 0001-00000001 (ACME)", debit=100.0, residual=100.0),
             row("FACTURA A 0001-00000002", debit=50.0, residual=50.0)],
            [doc(1, 1, 100.0), doc(2, 2, 50.0), doc(3, 2, 50.0)],
        )  # fmt: skip
        self.assertEqual(
            states(comparison),
            [("FACTURA A 0001-00000001", MATCHED), ("FACTURA A 0001-00000001 (ACME)", DUPLICATE_IN_TUSFACTURAS),
             ("FACTURA A 0001-00000002", DUPLICATE_IN_ODOO), (3, DUPLICATE_IN_ODOO)],
        )  # fmt: skip
        # The repeated row is not counted twice; both Odoo documents are.
        self.assertEqual([m.difference for m in comparison.matches], [0.0, 0.0, 0.0, -50.0])
        self.assertEqual((comparison.totals[ARS].tusfacturas, comparison.totals[ARS].odoo), (150.0, 200.0))

    def test_annulled_row_does_not_take_the_document(self):
        comparison = compare([row("FACTURA A 0001-00000001 ANULADA", debit=100.0)], [doc(1, 1, 100.0)])
        self.assertEqual(
            states(comparison), [("FACTURA A 0001-00000001 ANULADA", ANNULLED), (1, MISSING_IN_TUSFACTURAS)]
        )
        self.assertEqual(comparison.totals[ARS].difference, -100.0)

    def test_payment_rows_and_open_amounts_per_mode(self):
        rows = [
            row("FACTURA A 0001-00000001", debit=100.0, residual=100.0, balance=100.0),
            row("RECIBO X 0001-1", credit=60.0, balance=40.0),
        ]
        documents = [doc(1, 1, 100.0, residual=40.0)]
        entries = [collection(-60.0, settles=((1, -60.0, -60.0),))]  # the payment, recorded in Odoo too
        by_documents = compare(rows, documents, entries=entries)
        self.assertEqual([m.state for m in by_documents.matches], [RESIDUAL_MISMATCH, NOT_A_DOCUMENT])
        self.assertEqual((by_documents.totals[ARS].tusfacturas, by_documents.totals[ARS].odoo), (100.0, 100.0))
        self.assertEqual(by_documents.totals[ARS].other, -60.0)
        statement = by_documents.statement
        self.assertEqual((statement.tusfacturas, statement.odoo), (40.0, 40.0), "the balances, in either mode")
        self.assertEqual(statement.items, {COLLECTION: 60.0, TUSFACTURAS_MOVEMENTS: -60.0})
        by_balances = compare(rows, documents, entries=entries, mode=BALANCES)
        self.assertEqual((by_balances.totals[ARS].tusfacturas, by_balances.totals[ARS].odoo), (40.0, 40.0))
        self.assertEqual(by_balances.mode, BALANCES)
        self.assertEqual((by_balances.statement.items, by_balances.difference), ({}, 0.0))

    def test_scope_since_journals_and_until(self):
        old, new = datetime.date(2024, 12, 31), datetime.date(2025, 3, 1)
        comparison = compare(
            [row("FACTURA A 0001-00000001", debit=10.0, residual=10.0, date=old),
             row("FACTURA A 0001-00000002", debit=20.0, residual=20.0, date=new),
             row("FACTURA A 0001-00000009", debit=99.0, residual=99.0, date=datetime.date(2025, 6, 1))],
            [doc(1, 1, 10.0, date=old), doc(2, 2, 20.0, date=new), doc(3, 3, 30.0, date=old),
             doc(4, 4, 40.0, date=new, in_scope=False), doc(5, 5, 50.0, date=datetime.date(2025, 6, 1))],
            since=datetime.date(2025, 1, 1), until=datetime.date(2025, 5, 31),
        )  # fmt: skip
        self.assertEqual(
            states(comparison),
            [("FACTURA A 0001-00000001", OUT_OF_SCOPE), (3, OUT_OF_SCOPE), ("FACTURA A 0001-00000002", MATCHED),
             (4, OUT_OF_SCOPE)],
        )  # fmt: skip
        self.assertEqual(comparison.totals[ARS].difference, 0.0)

    def test_foreign_currency_differences_in_the_currency_compared(self):
        # USD 121 at 1,000 ARS/USD, matched in dollars: no difference, and none in pesos either.
        comparison = compare(
            [row("FACTURA E 0001-00000001", debit=121.0, residual=121.0),
             row("FACTURA E 0001-00000002", debit=130.0, residual=130.0)],
            [doc(1, 1, 121.0, code="19", currency=USD, rate=0.001),
             doc(2, 2, 121.0, code="19", currency=USD, rate=0.001)],
        )  # fmt: skip
        self.assertEqual([(m.state, m.currency, m.currency_id) for m in comparison.matches], [
            (MATCHED, DOCUMENT_CURRENCY, USD), (AMOUNT_MISMATCH, DOCUMENT_CURRENCY, USD),
        ])  # fmt: skip
        self.assertEqual([m.difference for m in comparison.matches], [0.0, 9.0])
        self.assertEqual(set(comparison.totals), {USD})
        self.assertAlmostEqual(comparison.totals[USD].difference, 9.0)

    def test_row_differences_add_up_to_the_totals(self):
        rows = [
            row("FACTURA A 0001-00000001", debit=100.0, residual=100.0),
            row("FACTURA A 0001-00000002", debit=70.0, residual=70.0),
            row("FACTURA A 0001-00000002", debit=70.0, residual=70.0),
            row("FACTURA A 0001-00000007", debit=5.0, residual=5.0),
            row("PAGO", credit=30.0),
            row("FACTURA A 0001-00000008 ANULADA", debit=8.0),
        ]
        rows = with_balances(rows)
        documents = [doc(1, 1, 100.0), doc(2, 2, 60.0), doc(3, 3, 12.0), doc(4, 4, 7.0, sign=-1, code="3")]
        repeated = 70.0  # TusFacturas' balance counts the repeated row; compared by documents, it does not
        for mode in (DOCUMENTS, BALANCES):
            with self.subTest(mode=mode):
                comparison = compare(rows, documents, mode=mode, entries=[collection(-25.0)])
                differences = sum(m.difference for m in comparison.matches)
                statement = comparison.statement
                self.assertAlmostEqual(statement.tusfacturas - statement.explained - statement.odoo,
                                       statement.unexplained)  # fmt: skip
                if mode == DOCUMENTS:
                    self.assertAlmostEqual(comparison.difference, differences)
                    self.assertAlmostEqual(statement.unexplained, differences + repeated)
                else:  # every row counts, and Odoo's collection TusFacturas lacks
                    self.assertAlmostEqual(comparison.difference, differences + 25.0)
                self.assertIn(MISSING_IN_ODOO, [m.state for m in comparison.matches])
