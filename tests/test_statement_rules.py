"""The statement of the balances in plain Python (issue 20): Odoo's entries by what they are,
what explains the difference in each mode, currencies, and TusFacturas' vouchers."""

import datetime

from odoo.tests import BaseCase, tagged

from ..tusfacturas import parse_concept
from ..tusfacturas.ledger import LedgerRow
from ..tusfacturas.matching import (
    BALANCES,
    DOCUMENT_CURRENCY,
    DOCUMENTS,
    FOREIGN_CURRENCY,
    MATCHED,
    MISSING_IN_ODOO,
    OTHER_JOURNALS,
    OdooDocument,
    Voucher,
    match_ledger,
)
from ..tusfacturas.receivables import (
    ADVANCE,
    COLLECTION,
    EXCHANGE,
    LIQUIDITY,
    OPENING,
    OTHER,
    THIRD_PARTY_CHECKS,
    WITHHOLDING_IIBB,
    WITHHOLDING_IVA,
    WRITEOFF,
    MoveFacts,
    OdooEntry,
    classify,
)

ARS, USD = 1, 2
DAY = datetime.date(2026, 3, 1)
CURRENCY_IDS = {"PES": ARS, "DOL": USD}


def rows(*specs):
    """Rows ``(concept, amount[, residual])`` with TusFacturas' running balance."""
    result, balance = [], 0.0
    for concept, amount, *residual in specs:
        balance += amount
        result.append(LedgerRow(DAY, concept, max(amount, 0.0), max(-amount, 0.0), residual[0] if residual else 0.0,
                                balance, parse_concept(concept)))  # fmt: skip
    return result


def doc(id_, number, total, residual=None, currency=ARS, rate=1.0, in_scope=True):
    residual = total if residual is None else residual
    return OdooDocument(
        id=id_, key=("1", 1, number), date=DAY, currency_id=currency, sign=1, total=total, residual=residual,
        total_company=total * rate, residual_company=residual * rate, foreign_currency=currency != ARS,
        in_scope=in_scope,
    )  # fmt: skip


def compare(ledger_rows, documents, **kwargs):
    return match_ledger(
        ledger_rows, documents, lambda a, b: abs(a - b) < 0.005, company_currency_id=ARS, **kwargs
    )  # fmt: skip


def parts(facts):
    return {entry.category: round(entry.amount, 2) for entry in classify(facts)}


@tagged("post_install", "-at_install")
class TestClassify(BaseCase):
    def test_a_collection_net_of_withholdings(self):
        facts = MoveFacts(1, DAY, -1210.0, counterparts={LIQUIDITY: 1090.0, WITHHOLDING_IIBB: 60.0,
                                                          WITHHOLDING_IVA: 60.0}, collection=True)  # fmt: skip
        self.assertEqual(parts(facts), {COLLECTION: -1090.0, WITHHOLDING_IIBB: -60.0, WITHHOLDING_IVA: -60.0})

    def test_the_customers_share_of_an_entry_of_several(self):
        # A deposit of 300 for two customers: this one's 100 is all money received.
        facts = MoveFacts(1, DAY, -100.0, counterparts={LIQUIDITY: 300.0}, collection=True)
        self.assertEqual(parts(facts), {COLLECTION: -100.0})
        # A transfer to another customer: an adjustment.
        self.assertEqual(parts(MoveFacts(2, DAY, -100.0, counterparts={OTHER: 100.0})), {WRITEOFF: -100.0})
        self.assertEqual(parts(MoveFacts(3, DAY, -100.0)), {WRITEOFF: -100.0})

    def test_cheques_advances_and_exchange(self):
        cheque = MoveFacts(1, DAY, -1210.0, -1210.0, {LIQUIDITY: 1210.0}, collection=True, check=True)
        self.assertEqual(parts(cheque), {THIRD_PARTY_CHECKS: -1210.0}, "a cheque stays a cheque, applied or not")
        partly = MoveFacts(
            2, DAY, -5000.0, -2000.0, {LIQUIDITY: 5000.0}, collection=True, settles=((7, -3000.0, -3000.0),)
        )
        entries = {entry.category: entry for entry in classify(partly)}
        self.assertEqual((entries[COLLECTION].amount, entries[ADVANCE].amount), (-3000.0, -2000.0))
        self.assertEqual((entries[COLLECTION].settles, entries[ADVANCE].settles), (((7, -3000.0, -3000.0),), ()))
        # A dollar invoice of $ 1,000,000 collected with $ 1,050,000: collected at its own value.
        pesos = MoveFacts(3, DAY, -1050000.0, 0.0, {LIQUIDITY: 1050000.0}, collection=True,
                          settles=((7, -1000000.0, -1000.0),), exchange=-50000.0)  # fmt: skip
        self.assertEqual(parts(pesos), {COLLECTION: -1000000.0, EXCHANGE: -50000.0})
        self.assertEqual(parts(MoveFacts(4, DAY, 50000.0, counterparts={EXCHANGE: -50000.0})), {EXCHANGE: 50000.0})

    def test_an_opening_entry_is_the_opening_balance(self):
        facts = MoveFacts(1, DAY, 3000.0, counterparts={OTHER: -3000.0}, opening=True)
        self.assertEqual(parts(facts), {OPENING: 3000.0})


@tagged("post_install", "-at_install")
class TestStatement(BaseCase):
    def test_what_explains_the_difference_in_each_mode(self):
        ledger = rows(("FACTURA A 0001-00000001", 1210.0, 60.0), ("PAGO", -1150.0))
        documents = [doc(1, 1, 1210.0, residual=0.0)]
        entries = [
            OdooEntry(9, DAY, COLLECTION, -1150.0, ((1, -1150.0, -1150.0),)),
            OdooEntry(9, DAY, WITHHOLDING_IIBB, -60.0, ((1, -60.0, -60.0),)),
        ]
        balances = compare(ledger, documents, entries=entries, mode=BALANCES)
        self.assertEqual(balances.matches[0].state, MATCHED, "TusFacturas' open amount holds the withholding")
        self.assertEqual(balances.statement.items, {WITHHOLDING_IIBB: 60.0})
        self.assertEqual(
            (balances.statement.tusfacturas, balances.statement.odoo, balances.difference), (60.0, 0.0, 0.0)
        )
        documents_mode = compare(ledger, documents, entries=entries, mode=DOCUMENTS)
        self.assertEqual(documents_mode.statement.items,
                         {WITHHOLDING_IIBB: 60.0, COLLECTION: 1150.0, "tusfacturas_movements": -1150.0})  # fmt: skip
        self.assertEqual((documents_mode.statement.unexplained, documents_mode.difference), (0.0, 0.0))

    def test_documents_of_other_journals_and_the_opening(self):
        since = datetime.date(2026, 2, 1)
        before, after = "FACTURA A 0001-00000009", "FACTURA A 0001-00000001"
        ledger = [
            LedgerRow(datetime.date(2026, 1, 5), before, 500.0, 0.0, 500.0, 500.0, parse_concept(before)),
            LedgerRow(DAY, after, 100.0, 0.0, 100.0, 600.0, parse_concept(after)),
        ]
        documents = [doc(1, 1, 100.0), doc(2, 2, 40.0, in_scope=False)]
        entries = [OdooEntry(9, since, OPENING, 500.0)]
        comparison = compare(ledger, documents, entries=entries, mode=BALANCES, since=since)
        statement = comparison.statement
        self.assertEqual((statement.tusfacturas_opening, statement.odoo_opening), (500.0, 500.0))
        self.assertEqual(statement.items, {OTHER_JOURNALS: -40.0})
        self.assertEqual((statement.tusfacturas, statement.odoo, comparison.difference), (600.0, 640.0, 0.0))


@tagged("post_install", "-at_install")
class TestVouchers(BaseCase):
    """What TusFacturas' list of vouchers says, when the Odoo layer knows it, over the text."""

    def test_a_dollar_voucher_odoo_lacks_is_missing_in_dollars(self):
        ledger = rows(("FACTURA E 0001-00000005 (IMPORT CO)", 20000.0))
        vouchers = {("19", 1, 5): Voucher("DOL", 1000.0, 20000.0, "55000000018")}
        without = compare(ledger, [])
        self.assertEqual((without.matches[0].currency_id, without.matches[0].difference), (ARS, 20000.0))
        comparison = compare(ledger, [], vouchers=vouchers, currency_ids=CURRENCY_IDS)
        [match] = comparison.matches
        self.assertEqual((match.state, match.currency_id, match.difference), (MISSING_IN_ODOO, USD, 20000.0))
        self.assertEqual(comparison.totals[USD].difference, 20000.0)
        statement = comparison.statement
        # In pesos: USD 20,000 at 1,000; TusFacturas' balance adds 20,000 as they are.
        self.assertEqual(statement.items, {FOREIGN_CURRENCY: 20000.0 - 20000000.0})
        self.assertEqual(comparison.difference, 20000000.0)

    def test_listed_in_pesos_it_stays_in_pesos(self):
        ledger = rows(("FACTURA E 0001-00000005 (IMPORT CO)", 20000000.0))
        vouchers = {("19", 1, 5): Voucher("DOL", 1000.0, 20000.0)}
        [match] = compare(ledger, [], vouchers=vouchers, currency_ids=CURRENCY_IDS).matches
        self.assertEqual((match.currency_id, match.difference), (ARS, 20000000.0))

    def test_the_voucher_says_which_currency_a_row_is_in(self):
        # USD 1,000 at 1 peso per dollar (an odd rate): the amounts alone cannot tell.
        document = OdooDocument(
            id=1, key=("19", 1, 5), date=DAY, currency_id=USD, sign=1, total=1000.0, residual=1000.0,
            total_company=1000.0, residual_company=1000.0, foreign_currency=True,
        )  # fmt: skip
        ledger = rows(("FACTURA E 0001-00000005", 1000.0, 1000.0))
        vouchers = {("19", 1, 5): Voucher("DOL", 1.0, 1000.0)}
        guessed = compare(ledger, [document]).matches[0]
        told = compare(ledger, [document], vouchers=vouchers, currency_ids=CURRENCY_IDS).matches[0]
        self.assertEqual(guessed.currency_id, ARS)
        self.assertEqual((told.state, told.currency, told.currency_id), (MATCHED, DOCUMENT_CURRENCY, USD))
