"""Rows read as TusFacturas means them (issue 20, point 3), on Odoo's real books: references
anywhere in the concept, concepts not understood, receipts and movements, documents on
another customer, another VAT period, rounding within the company's tolerance."""

from unittest.mock import patch

from odoo.tests import tagged

from ..tusfacturas.matching import Voucher
from .common import ADHOC_CUIT, TusFacturasCase, tf_row


@tagged("post_install", "-at_install")
class TestRowsReadRight(TusFacturasCase):
    def seen(self, ledger):
        return [(line.concept, line.match_state, line.move_id) for line in ledger.line_ids]

    def test_references_anywhere_in_the_concept(self):
        first, second = self.invoice(self.customer, 100.0), self.invoice(self.customer, 200.0)
        self.sandbox.ledgers[ADHOC_CUIT] = [
            tf_row("Comprobante FACTURA A N° 0001-00000001 (ADHOC SOCIEDAD ANON", debe=121.0, resta=121.0, saldo=121.0),
            tf_row("FACTURA A 0001-00000002 ((ADHOC SA))", debe=242.0, resta=242.0, saldo=363.0),
        ]
        ledger = self.open_ledger()
        self.assertEqual([line.match_state for line in ledger.line_ids], ["matched", "matched"])
        self.assertEqual(ledger.line_ids.move_id, first | second)
        self.assertTrue(ledger.is_ok)

    def test_a_concept_not_understood_is_linked_by_its_number(self):
        first, second = self.invoice(self.customer, 100.0), self.invoice(self.customer, 200.0)
        self.sandbox.ledgers[ADHOC_CUIT] = [
            tf_row("FC A 0001-00000001", debe=121.0, resta=121.0, saldo=121.0),
            tf_row("FACT. ELECTR. 0001-00000002 ADHOC", debe=250.0, resta=250.0, saldo=371.0),
            tf_row("Pago recibido 0001-00000002", haber=250.0, saldo=121.0),
        ]
        ledger = self.open_ledger()
        self.assertRecordValues(ledger.line_ids, [
            {"match_state": "unrecognized", "move_id": first.id, "unrecognized_concept": True, "difference": 0.0},
            {"match_state": "amount_mismatch", "move_id": second.id, "unrecognized_concept": True, "difference": 8.0},
            {"match_state": "not_a_document", "move_id": second.id, "unrecognized_concept": False, "difference": 0.0},
        ])  # fmt: skip
        self.assertFalse(ledger.missing_in_odoo_count or ledger.missing_in_tusfacturas_count)
        self.assertEqual(ledger.unrecognized_count, 1)

    def test_receipts_and_the_other_side_of_a_document_are_movements(self):
        invoice = self.invoice(self.customer, 100.0)
        self.sandbox.ledgers[ADHOC_CUIT] = [
            tf_row("FACTURA A 0001-00000001 (ADHOC SA)", debe=121.0, resta=0.0, saldo=121.0),
            # TusFacturas' own receipt of a collection (facturacion/pagar), and the invoice's
            # cancellation on the other side.
            tf_row("RECIBO C 0001-00000009 (ADHOC SA)", haber=21.0, saldo=100.0),
            tf_row("FACTURA A 0001-00000001 (ADHOC SA)", haber=100.0, saldo=0.0),
        ]
        ledger = self.open_ledger()
        self.assertEqual(self.seen(ledger), [
            ("FACTURA A 0001-00000001 (ADHOC SA)", "residual_mismatch", invoice),
            ("RECIBO C 0001-00000009 (ADHOC SA)", "not_a_document", self.env["account.move"]),
            ("FACTURA A 0001-00000001 (ADHOC SA)", "not_a_document", invoice),
        ])  # fmt: skip
        self.assertFalse(ledger.duplicate_in_tusfacturas_count or ledger.missing_in_odoo_count)
        self.assertTrue(ledger.is_ok, "collections are not compared document by document")

    def test_a_document_on_another_customer_or_an_archived_duplicate(self):
        other = self.make_customer("Otro SA", "30500010912")
        duplicate = self.make_customer("ADHOC S.A. (duplicado)", ADHOC_CUIT)
        own = self.invoice(self.customer, 100.0)  # FA-A 00001-00000001
        wrong = self.invoice(other, 200.0)  # FA-A 00001-00000002, booked on the wrong customer
        archived = self.invoice(duplicate, 300.0)  # FA-A 00001-00000003
        duplicate.active = False
        self.sandbox.ledgers[ADHOC_CUIT] = [
            tf_row("FACTURA A 0001-00000001 (ADHOC SA)", debe=121.0, resta=121.0, saldo=121.0),
            tf_row("FACTURA A 0001-00000002 (ADHOC SA)", debe=242.0, resta=242.0, saldo=363.0),
            tf_row("FACTURA A 0001-00000003 (ADHOC SA)", debe=363.0, resta=363.0, saldo=726.0),
        ]
        ledger = self.open_ledger()
        self.assertRecordValues(ledger.line_ids, [
            {"match_state": "matched", "move_id": own.id, "other_partner_id": False, "difference": 0.0},
            {"match_state": "other_customer", "move_id": wrong.id, "other_partner_id": other.id, "difference": 242.0},
            {"match_state": "other_customer", "move_id": archived.id, "other_partner_id": duplicate.id,
             "difference": 363.0},
        ])  # fmt: skip
        self.assertEqual((ledger.missing_in_odoo_count, ledger.other_customer_count), (0, 2))
        self.assertFalse(ledger.is_ok)
        discrepancies = self.env["tusfacturas.discrepancy"].search([("cuit", "=", ADHOC_CUIT)])
        self.assertEqual(discrepancies.mapped("kind"), ["other_customer", "other_customer"])
        self.assertEqual(discrepancies.partner_id, self.customer, "the customer checked, not the one Odoo has")

    def test_another_vat_period_is_flagged(self):
        invoice = self.invoice(self.customer, 100.0, invoice_date="2026-03-31")
        self.sandbox.ledgers[ADHOC_CUIT] = [
            tf_row("FACTURA A 0001-00000001 (ADHOC SA)", debe=121.0, resta=121.0, saldo=121.0, fecha="01/04/2026"),
        ]
        ledger = self.open_ledger()
        self.assertRecordValues(
            ledger.line_ids, [{"match_state": "matched", "move_id": invoice.id, "other_period": True}]
        )
        self.assertEqual(ledger.other_period_count, 1)
        action = ledger.with_context(tusfacturas_state="other_period").action_open_lines()
        self.assertEqual(action["context"], {"search_default_other_period": 1})

    def test_rounding_within_the_company_tolerance(self):
        self.invoice(self.customer, 100.0)  # 121.00
        self.invoice(self.customer, 200.0)  # 242.00
        self.sandbox.ledgers[ADHOC_CUIT] = [
            tf_row("FACTURA A 0001-00000001 (ADHOC SA)", debe=121.01, resta=121.01, saldo=121.01),
            tf_row("FACTURA A 0001-00000002 (ADHOC SA)", debe=242.05, resta=242.05, saldo=363.06),
        ]
        self.assertEqual(self.company.tusfacturas_rounding_tolerance, 0.01, "one cent by default")
        ledger = self.open_ledger()
        self.assertEqual(ledger.line_ids.mapped("match_state"), ["rounding", "amount_mismatch"])
        self.assertEqual({item.kind: item.amount for item in ledger.item_ids}.get("rounding"), 0.01)
        self.company.tusfacturas_rounding_tolerance = 0.05
        ledger.action_refresh()
        self.assertEqual(ledger.line_ids.mapped("match_state"), ["rounding", "rounding"])
        self.assertRecordValues(ledger, [{"is_ok": True, "difference": 0.0}])
        self.company.tusfacturas_compare_mode = "balances"
        ledger.action_refresh()
        self.assertRecordValues(ledger, [{"is_ok": True, "difference": 0.0, "explained_amount": 0.06}])


@tagged("post_install", "-at_install")
class TestKnownVouchers(TusFacturasCase):
    """The comparison's input for what TusFacturas' list of vouchers knows (issue 19 feeds it)."""

    def test_a_dollar_voucher_odoo_lacks_is_missing_in_dollars(self):
        usd = self.setup_other_currency("USD", rates=[("2000-01-01", 0.001)])
        self.sandbox.ledgers[ADHOC_CUIT] = [
            tf_row("FACTURA E 0001-00000005 (ADHOC SA)", debe=20000.0, resta=20000.0, saldo=20000.0)
        ]
        Engine = type(self.env["tusfacturas.reconciliation"])
        known = {("19", 1, 5): Voucher("DOL", 1000.0, 20000.0, ADHOC_CUIT)}

        def known_vouchers(engine, company, keys):
            return {key: voucher for key, voucher in known.items() if key in keys}

        with patch.object(Engine, "_known_vouchers", known_vouchers):
            ledger = self.open_ledger()
        self.assertRecordValues(ledger.line_ids, [
            {"match_state": "missing_in_odoo", "currency_id": usd.id, "debit": 20000.0, "difference": 20000.0},
        ])  # fmt: skip
        self.assertRecordValues(ledger.total_ids, [{"currency_id": usd.id, "difference": 20000.0}])
        self.assertEqual(ledger.difference, 20000000.0, "in pesos, at the voucher's rate")
