from odoo.tests import tagged

from .common import ADHOC_CUIT, TusFacturasCase, tf_row


@tagged("post_install", "-at_install")
class TestMatching(TusFacturasCase):
    """Every TusFacturas row against Odoo's posted documents, on a real AR company."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.journal_5_digits = cls.env["account.journal"].create({
            "name": "Ventas 12345", "type": "sale", "code": "V1234", "company_id": cls.company.id,
            "l10n_latam_use_documents": True, "l10n_ar_afip_pos_number": 12345,
            "l10n_ar_afip_pos_system": "RAW_MAW", "l10n_ar_afip_pos_partner_id": cls.company.partner_id.id,
        })  # fmt: skip

    def pay(self, invoice, amount):
        self.env["account.payment.register"].with_context(active_model="account.move", active_ids=invoice.ids).create(
            {"amount": amount}
        )._create_payments()

    def line(self, ledger, concept):
        return ledger.line_ids.filtered(lambda line: line.concept == concept)

    def test_every_state(self):
        # Documents and balances: payment rows and Odoo's payments are part of the balances.
        self.company.tusfacturas_compare_mode = "balances"
        open_invoice = self.invoice(self.customer, 1000.0)  # FA-A 00001-00000001, 1210
        partly_paid = self.invoice(self.customer, 2000.0)  # FA-A 00001-00000002, 2420
        self.pay(partly_paid, 1000.0)
        other_total = self.invoice(self.customer, 100.0)  # FA-A 00001-00000003, 121
        odoo_only = self.invoice(self.customer, 10.0)  # FA-A 00001-00000004, 12.1
        refund = self.invoice(self.customer, 100.0, move_type="out_refund")  # NC-A 00001-00000001, 121
        five_digits = self.invoice(self.customer, 50.0, journal=self.journal_5_digits)  # FA-A 12345-00000001
        other_customer = self.make_customer("Otro SA", "30500010912")
        self.invoice(other_customer, 500.0)  # another customer's FA-A 00001-00000006: never listed
        draft = self.invoice(self.customer, 70.0, post=False)
        self.assertEqual(
            (open_invoice | partly_paid | other_total | odoo_only | refund | five_digits).mapped("name"),
            ["FA-A 00001-00000001", "FA-A 00001-00000002", "FA-A 00001-00000003", "FA-A 00001-00000004",
             "NC-A 00001-00000001", "FA-A 12345-00000001"],
        )  # fmt: skip
        self.sandbox.ledgers[ADHOC_CUIT] = [
            tf_row("FACTURA A 0001-00000001 (ADHOC SA)", debe=1210.0, resta=1210.0, saldo=1210.0),
            tf_row("FACTURA A 0001-00000002 (ADHOC SA)", debe=2420.0, resta=2420.0, saldo=3630.0),
            tf_row("FACTURA A 0001-00000003 (ADHOC SA)", debe=150.0, resta=150.0, saldo=3780.0),
            tf_row("NOTA DE CREDITO A 0001-00000001", haber=121.0, resta=121.0, saldo=3659.0),
            tf_row("FACTURA A 12345-00000001", debe=60.5, resta=60.5, saldo=3719.5),
            tf_row("FACTURA A 0001-00000099 (ADHOC SA)", debe=100.0, resta=100.0, saldo=3819.5),
            tf_row("PAGO RECIBIDO", haber=1000.0, saldo=2819.5),
            tf_row("FACTURA NO VALIDA EN AFIP 0001-00000004", debe=5.0, resta=5.0, saldo=2824.5),
        ]

        ledger = self.open_ledger()

        self.assertEqual(
            [(line.concept, line.match_state, line.move_id, line.difference) for line in ledger.line_ids],
            [
                ("FACTURA A 0001-00000001 (ADHOC SA)", "matched", open_invoice, 0.0),
                ("FACTURA A 0001-00000002 (ADHOC SA)", "residual_mismatch", partly_paid, 0.0),
                ("FACTURA A 0001-00000003 (ADHOC SA)", "amount_mismatch", other_total, 29.0),
                ("NOTA DE CREDITO A 0001-00000001", "matched", refund, 0.0),
                ("FACTURA A 12345-00000001", "matched", five_digits, 0.0),
                ("FACTURA A 0001-00000099 (ADHOC SA)", "missing_in_odoo", self.env["account.move"], 100.0),
                ("PAGO RECIBIDO", "not_a_document", self.env["account.move"], -1000.0),
                ("FACTURA NO VALIDA EN AFIP 0001-00000004", "not_a_document", self.env["account.move"], 5.0),
                ("FA-A 00001-00000004", "missing_in_tusfacturas", odoo_only, -12.1),
            ],
        )
        self.assertRecordValues(self.line(ledger, "FACTURA A 0001-00000002 (ADHOC SA)"), [
            {"match_currency": "company", "odoo_amount": 2420.0, "odoo_residual": 1420.0, "residual": 2420.0},
        ])  # fmt: skip
        self.assertRecordValues(self.line(ledger, "FACTURA A 12345-00000001"), [
            {"point_of_sale": 12345, "document_number": 1, "document_type_id": self.env.ref("l10n_ar.dc_a_f").id},
        ])  # fmt: skip
        self.assertRecordValues(self.line(ledger, "FA-A 00001-00000004"), [
            {"debit": 12.1, "credit": 0.0, "residual": 12.1, "point_of_sale": 1, "document_number": 4},
        ])  # fmt: skip
        self.assertNotIn(draft, ledger.line_ids.move_id)
        self.assertEqual(
            (ledger.matched_count, ledger.amount_mismatch_count, ledger.residual_mismatch_count,
             ledger.missing_in_odoo_count, ledger.missing_in_tusfacturas_count, ledger.not_a_document_count),
            (3, 1, 1, 1, 1, 2),
        )  # fmt: skip
        # The header's difference is explained by the rows and Odoo's payments.
        self.assertAlmostEqual(ledger.odoo_other_balance, -1000.0)
        self.assertAlmostEqual(ledger.tusfacturas_balance, 2824.5)
        self.assertAlmostEqual(ledger.difference, ledger.tusfacturas_balance - ledger.odoo_balance)
        self.assertAlmostEqual(ledger.difference, sum(ledger.line_ids.mapped("difference")) - ledger.odoo_other_balance)
        # The header counters open the rows filtered on their state.
        action = ledger.with_context(tusfacturas_state="residual_mismatch").action_open_lines()
        rows = self.env["tusfacturas.ledger.line"].with_context(**action["context"]).search(action["domain"])
        self.assertEqual(len(rows), 9)
        self.assertEqual(action["context"], {"search_default_residual_mismatch": 1})
        # A matched row opens its document.
        opened = self.line(ledger, "FACTURA A 0001-00000002 (ADHOC SA)").action_open_move()
        self.assertEqual((opened["res_model"], opened["res_id"]), ("account.move", partly_paid.id))

    def test_documents_compare_as_numbers_and_by_type(self):
        invoice = self.invoice(self.customer, 1000.0)  # FA-A 00001-00000001
        self.sandbox.ledgers[ADHOC_CUIT] = [
            tf_row("FACTURA A 00001-00000001", debe=1210.0, resta=1210.0, saldo=1210.0),  # 5-digit POS too
            tf_row("FACTURA B 0001-00000001", debe=1210.0, resta=1210.0, saldo=2420.0),  # other type: not it
            tf_row("NOTA DE DEBITO A 0001-00000001", debe=10.0, resta=10.0, saldo=2430.0),
        ]
        ledger = self.open_ledger()
        self.assertEqual(ledger.line_ids.mapped("match_state"), ["matched", "missing_in_odoo", "missing_in_odoo"])
        self.assertEqual(ledger.line_ids[0].move_id, invoice)

    def test_foreign_currency_matches_in_either_currency(self):
        usd = self.setup_other_currency("USD", rates=[("2000-01-01", 0.001)])  # 1 USD = 1000 ARS
        in_usd = self.invoice(self.customer, 100.0, currency=usd)  # 121 USD = 121,000 ARS
        in_usd_2 = self.invoice(self.customer, 100.0, currency=usd)
        in_usd_3 = self.invoice(self.customer, 100.0, currency=usd)
        self.assertEqual((in_usd.amount_total, in_usd.amount_total_signed), (121.0, 121000.0))
        self.sandbox.ledgers[ADHOC_CUIT] = [
            tf_row(f"FACTURA A 0001-0000000{in_usd.sequence_number}", debe=121.0, resta=121.0, saldo=121.0),
            tf_row(f"FACTURA A 0001-0000000{in_usd_2.sequence_number}", debe=121000.0, resta=121000.0, saldo=1),
            tf_row(f"FACTURA A 0001-0000000{in_usd_3.sequence_number}", debe=130.0, resta=130.0, saldo=2),
        ]
        ledger = self.open_ledger()
        usd_id, ars_id = usd.id, self.company.currency_id.id
        # Each row's difference is in the currency it was compared in: USD 130 vs USD 121.
        self.assertRecordValues(ledger.line_ids, [
            {"match_state": "matched", "match_currency": "document", "odoo_amount": 121.0, "difference": 0.0,
             "currency_id": usd_id},
            {"match_state": "matched", "match_currency": "company", "odoo_amount": 121000.0, "difference": 0.0,
             "currency_id": ars_id},
            {"match_state": "amount_mismatch", "match_currency": "document", "odoo_amount": 121.0,
             "difference": 9.0, "currency_id": usd_id},
        ])  # fmt: skip

    def test_status_and_chatter_note(self):
        self.invoice(self.customer, 1000.0)
        self.sandbox.ledgers[ADHOC_CUIT] = [tf_row("FACTURA A 0001-00000001", debe=1210.0, resta=1210.0, saldo=1210.0)]
        self.open_ledger()
        self.assertRecordValues(self.customer, [{
            "tusfacturas_state": "ok", "tusfacturas_balance": 1210.0, "tusfacturas_odoo_balance": 1210.0,
            "tusfacturas_difference": 0.0, "tusfacturas_error": False,
        }])  # fmt: skip
        self.assertTrue(self.customer.tusfacturas_last_sync)
        notes_before = len(self.customer.message_ids)

        self.sandbox.ledgers[ADHOC_CUIT] = [
            tf_row("FACTURA A 0001-00000001", debe=1210.0, resta=1000.0, saldo=1210.0),
            tf_row("PAGO RECIBIDO", haber=210.0, saldo=1000.0),  # a collection Odoo does not have
        ]
        self.company.tusfacturas_compare_mode = "balances"  # open amounts and collections count
        self.open_ledger()
        self.customer.invalidate_recordset()
        self.assertEqual(self.customer.tusfacturas_state, "mismatch")
        self.assertEqual(self.customer.tusfacturas_difference, -210.0)
        note = self.customer.message_ids[0]
        self.assertEqual(len(self.customer.message_ids), notes_before + 1)
        self.assertIn("difference", note.body)
        self.assertIn("Different open amount: 1", note.body)
        self.open_ledger()  # still with differences: no second note
        self.assertEqual(len(self.customer.message_ids), notes_before + 1)

    def test_queries_do_not_grow_with_rows(self):
        for number in range(1, 4):
            self.invoice(self.customer, 100.0 * number)

        def queries(rows):
            self.sandbox.ledgers[ADHOC_CUIT] = [
                tf_row(f"FACTURA A 0001-{n:08d}", debe=121.0 * n, resta=121.0 * n, saldo=1) for n in range(1, rows + 1)
            ]
            self.env.invalidate_all()
            start = self.env.cr.sql_log_count
            ledger = self.open_ledger()
            ledger.line_ids.mapped("move_id.name")
            self.assertEqual(len(ledger.line_ids), rows)
            return self.env.cr.sql_log_count - start

        queries(3)  # warm up: the first check creates the status,
        queries(4)  # the second replaces its balances
        few = queries(5)
        self.assertGreater(few, 0)
        self.assertEqual(queries(60), few)
