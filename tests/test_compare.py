"""Comparisons an accountant can trust on real books: currencies, one CUIT, scope,
modes, stored results and the ledger screen (issue 7)."""

from datetime import date
from unittest.mock import patch

from odoo import Command, fields
from odoo.exceptions import AccessError
from odoo.tests import tagged

from ..sandbox.cuits import make_cuits
from .common import ADHOC_CUIT, TusFacturasCase, tf_row


@tagged("post_install", "-at_install")
class TestCompare(TusFacturasCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.usd = cls.setup_other_currency("USD", rates=[("2000-01-01", 0.001)])  # 1 USD = 1,000 ARS
        cls.Status = cls.env["tusfacturas.partner.status"]

    def status(self, partner=None, company=None):
        return self.Status.search(
            [("partner_id", "=", (partner or self.customer).id), ("company_id", "=", (company or self.company).id)]
        )

    def pay(self, invoice, amount):
        self.env["account.payment.register"].with_context(active_model="account.move", active_ids=invoice.ids).create(
            {"amount": amount}
        )._create_payments()

    # ------------------------------------------------------------------
    # 1. Currencies
    # ------------------------------------------------------------------

    def test_usd_invoice_matched_in_dollars_is_in_agreement(self):
        invoice = self.invoice(self.customer, 100.0, currency=self.usd)  # USD 121 = ARS 121,000
        self.sandbox.ledgers[ADHOC_CUIT] = [
            tf_row(f"FACTURA A 0001-{invoice.sequence_number:08d}", debe=121.0, resta=121.0, saldo=121.0)
        ]
        ledger = self.open_ledger()
        self.assertRecordValues(ledger.line_ids, [
            {"match_state": "matched", "match_currency": "document", "currency_id": self.usd.id, "difference": 0.0},
        ])  # fmt: skip
        self.assertTrue(ledger.is_ok)
        self.assertTrue(ledger.has_foreign_totals)
        self.assertRecordValues(ledger.total_ids, [
            {"currency_id": self.usd.id, "tusfacturas_balance": 121.0, "odoo_balance": 121.0, "difference": 0.0},
        ])  # fmt: skip
        self.assertEqual(ledger.difference, 0.0)
        status = self.status()
        self.assertEqual((status.state, status.difference), ("ok", 0.0))
        self.assertRecordValues(status.total_ids, [
            {"currency_id": self.usd.id, "tusfacturas_balance": 121.0, "odoo_balance": 121.0, "difference": 0.0},
        ])  # fmt: skip
        self.assertEqual(self.customer.tusfacturas_state, "ok")

    def test_foreign_document_in_pesos_at_its_own_rate(self):
        invoice = self.invoice(self.customer, 100.0, currency=self.usd, invoice_date="2026-03-01")
        self.pay(invoice, 21.0)  # USD 100 left
        # The dollar doubles afterwards: today's rate must not move the document's pesos.
        self.env["res.currency.rate"].create(
            {"currency_id": self.usd.id, "name": fields.Date.today(), "rate": 0.0005, "company_id": self.company.id}
        )
        self.sandbox.ledgers[ADHOC_CUIT] = [
            tf_row(f"FACTURA A 0001-{invoice.sequence_number:08d}", debe=121000.0, resta=100000.0, saldo=1)
        ]
        ledger = self.open_ledger()
        self.assertRecordValues(ledger.line_ids, [{
            "match_state": "matched", "match_currency": "company", "currency_id": self.company.currency_id.id,
            "odoo_amount": 121000.0, "odoo_residual": 100000.0, "difference": 0.0,
        }])  # fmt: skip

    def test_factura_e_export_in_dollars(self):
        expo = self.env["account.journal"].create({
            "name": "Exportación", "type": "sale", "code": "EXPO", "company_id": self.company.id,
            "l10n_latam_use_documents": True, "l10n_ar_afip_pos_number": 2, "l10n_ar_afip_pos_system": "FEERCEL",
            "l10n_ar_afip_pos_partner_id": self.company.partner_id.id, "refund_sequence": False,
            "default_account_id": self.journal_sale.default_account_id.id,
        })  # fmt: skip
        [foreign_cuit] = make_cuits(1, prefix="55")
        importer = self.make_customer(
            "Barcelona Food", foreign_cuit, country_id=self.env.ref("base.es").id,
            l10n_ar_afip_responsibility_type_id=self.env.ref("l10n_ar.res_EXT").id,
        )  # fmt: skip
        exempt = self.env["account.tax"].search(
            [("company_id", "=", self.company.id), ("type_tax_use", "=", "sale"),
             ("tax_group_id.l10n_ar_vat_afip_code", "=", "2")], limit=1,
        )  # fmt: skip
        invoice = self.invoice(importer, 1000.0, currency=self.usd, journal=expo, taxes=exempt)
        self.assertEqual((invoice.name, invoice.l10n_latam_document_type_id.code), ("FA-E 00002-00000001", "19"))
        self.sandbox.ledgers[foreign_cuit] = [
            tf_row("FACTURA E 0002-00000001 (BARCELONA FOOD)", debe=1000.0, resta=1000.0, saldo=1000.0),
        ]
        ledger = self.open_ledger(importer)
        self.assertRecordValues(ledger.line_ids, [
            {"match_state": "matched", "move_id": invoice.id, "currency_id": self.usd.id, "difference": 0.0},
        ])  # fmt: skip
        self.assertTrue(ledger.is_ok)
        self.assertEqual(ledger.total_ids.mapped("currency_id"), self.usd)
        self.assertEqual(importer.tusfacturas_state, "ok")

    # ------------------------------------------------------------------
    # 2. One customer is one CUIT
    # ------------------------------------------------------------------

    def test_two_partners_one_cuit(self):
        branch = self.make_customer("ADHOC SA (Sucursal Córdoba)", "30-71429569-8")
        at_head_office = self.invoice(self.customer, 100.0)
        at_branch = self.invoice(branch, 200.0)
        self.sandbox.ledgers[ADHOC_CUIT] = [
            tf_row("FACTURA A 0001-00000001", debe=121.0, resta=121.0, saldo=121.0),
            tf_row("FACTURA A 0001-00000002", debe=242.0, resta=242.0, saldo=363.0),
        ]
        ledger = self.open_ledger(branch)
        self.assertEqual(ledger.line_ids.move_id, at_head_office | at_branch)
        self.assertEqual(set(ledger.line_ids.mapped("match_state")), {"matched"})
        self.assertEqual(ledger.partner_ids, self.customer | branch)
        self.assertEqual(ledger.receivable_line_ids.move_id, at_head_office | at_branch)
        self.assertEqual((self.customer | branch).mapped("tusfacturas_state"), ["ok", "ok"])

        # A batch calls the CUIT once, whichever of its customers it is given.
        self.sandbox.reset()
        self.env["tusfacturas.reconciliation"]._reconcile_batch(self.customer | branch, self.company)
        self.assertEqual(self.sandbox.calls, [("clientes/cuenta-corriente", ADHOC_CUIT)])
        self.assertEqual(self.status(branch).state, "ok")

    # ------------------------------------------------------------------
    # 3. Scope
    # ------------------------------------------------------------------

    def test_since_date_and_journal_scope(self):
        other_journal = self.env["account.journal"].create({
            "name": "Ventas mostrador", "type": "sale", "code": "MOS", "company_id": self.company.id,
            "l10n_latam_use_documents": True, "l10n_ar_afip_pos_number": 7, "l10n_ar_afip_pos_system": "RAW_MAW",
            "l10n_ar_afip_pos_partner_id": self.company.partner_id.id,
            "default_account_id": self.journal_sale.default_account_id.id,
        })  # fmt: skip
        before = self.invoice(self.customer, 10.0, invoice_date="2025-12-01")  # FA-A 00001-00000001
        compared = self.invoice(self.customer, 20.0, invoice_date="2026-02-01")  # FA-A 00001-00000002
        manual = self.invoice(self.customer, 30.0, invoice_date="2026-02-01", journal=other_journal)
        self.company.write({"tusfacturas_compare_from": "2026-01-01", "tusfacturas_journal_ids": self.journal_sale.ids})
        self.sandbox.ledgers[ADHOC_CUIT] = [
            tf_row("FACTURA A 0001-00000099", debe=5.0, resta=5.0, saldo=5.0, fecha="15/11/2025"),
            tf_row("FACTURA A 0001-00000002", debe=24.2, resta=24.2, saldo=29.2, fecha="01/02/2026"),
        ]
        ledger = self.open_ledger()
        self.assertEqual(
            [(line.concept, line.match_state) for line in ledger.line_ids],
            [("FACTURA A 0001-00000099", "out_of_scope"), (before.name, "out_of_scope"),
             ("FACTURA A 0001-00000002", "matched"), (manual.name, "out_of_scope")],
        )  # fmt: skip
        self.assertEqual(ledger.line_ids[2].move_id, compared)
        self.assertTrue(ledger.is_ok)
        self.assertEqual(ledger.out_of_scope_count, 3)
        self.assertEqual(
            ledger.scope_description,
            "Compared from 01/01/2026, points of sale 0001. Documents are compared; open amounts and payments are "
            "shown for information.",
        )
        self.assertEqual(self.customer.tusfacturas_state, "ok")

    def test_until_date_recomputes_without_a_new_call(self):
        self.company.tusfacturas_compare_mode = "balances"
        february = self.invoice(self.customer, 100.0, invoice_date="2026-02-10")
        self.invoice(self.customer, 200.0, invoice_date="2026-04-10")
        self.sandbox.ledgers[ADHOC_CUIT] = [
            tf_row("FACTURA A 0001-00000001", debe=121.0, resta=121.0, saldo=121.0, fecha="10/02/2026"),
            tf_row("FACTURA A 0001-00000002", debe=999.0, resta=999.0, saldo=1120.0, fecha="10/04/2026"),
        ]
        ledger = self.open_ledger()
        self.assertFalse(ledger.is_ok)
        ledger.date_to = date(2026, 3, 31)  # the form saves the date before the button runs
        ledger.action_apply_date_to()
        self.assertEqual(len(self.sandbox.calls), 1, "no new billed call")
        self.assertRecordValues(ledger.line_ids, [{"move_id": february.id, "match_state": "matched"}])
        self.assertRecordValues(ledger, [{"tusfacturas_balance": 121.0, "odoo_balance": 121.0, "is_ok": True}])
        self.assertEqual(ledger.receivable_line_ids.move_id, february)
        self.assertIn("up to 03/31/2026", ledger.scope_description)
        # The stored status is still today's.
        self.assertEqual(self.customer.tusfacturas_state, "mismatch")
        ledger.date_to = False
        ledger.action_apply_date_to()
        self.assertEqual(len(ledger.line_ids), 2)

    def test_rows_are_kept_apart_only_when_an_until_date_leaves_some_out(self):
        """Opening writes the rows once, as lines (no second copy of a large ledger); an "Until" date
        keeps them apart first, so that a later date, or none, finds every row as fetched."""
        self.company.tusfacturas_compare_mode = "balances"
        self.invoice(self.customer, 100.0, invoice_date="2026-02-10")
        april = self.invoice(self.customer, 200.0, invoice_date="2026-04-10")
        self.sandbox.ledgers[ADHOC_CUIT] = [
            tf_row("FACTURA A 0001-00000001", debe=121.0, resta=121.0, saldo=121.0, fecha="10/02/2026"),
            tf_row("PAGO RECIBIDO", haber=21.0, saldo=100.0, fecha="20/03/2026"),
            tf_row("FACTURA A 0001-00000002", debe=242.0, resta=242.0, saldo=342.0, fecha="10/04/2026"),
        ]
        ledger = self.open_ledger()
        everything = [
            ("FACTURA A 0001-00000001", "matched", 1),
            ("PAGO RECIBIDO", "not_a_document", 2),
            ("FACTURA A 0001-00000002", "matched", 3),
        ]
        self.assertEqual(self.seen(ledger), everything)
        self.assertFalse(self.kept(ledger), "the lines hold every row: no second copy")

        for until, expected in (
            (date(2026, 2, 28), everything[:1]),
            (date(2026, 4, 30), everything),  # a later date finds the rows the first one left out
            (date(2026, 3, 31), everything[:2]),
            (False, everything),
        ):
            with self.subTest(until=until):
                ledger.date_to = until
                ledger.action_apply_date_to()
                self.assertEqual(self.seen(ledger), expected)
                self.assertTrue(self.kept(ledger))
        self.assertEqual(ledger.line_ids[2].move_id, april)
        self.assertEqual(len(self.sandbox.calls), 1, "no new billed call")

        # A refresh with no date: the new rows are all in the lines, those kept before are stale.
        self.sandbox.ledgers[ADHOC_CUIT] = self.sandbox.ledgers[ADHOC_CUIT][:1]
        ledger.action_refresh()
        refreshed = [everything[0], (april.name, "missing_in_tusfacturas", 0)]
        self.assertEqual(self.seen(ledger), refreshed)
        self.assertFalse(self.kept(ledger))
        ledger.date_to = date(2026, 12, 31)
        ledger.action_apply_date_to()
        self.assertEqual(self.seen(ledger), refreshed)

    def test_balances_per_currency_updated_in_place(self):
        """A check rewrites only the balances that changed, in the rows already there."""
        self.invoice(self.customer, 100.0)
        self.sandbox.ledgers[ADHOC_CUIT] = [tf_row("FACTURA A 0001-00000001", debe=121.0, resta=121.0, saldo=121.0)]
        ledger = self.open_ledger()
        status = self.env["tusfacturas.partner.status"].search([("partner_id", "=", self.customer.id)])
        before = status.total_ids
        self.assertRecordValues(before, [{"tusfacturas_balance": 121.0, "odoo_balance": 121.0, "difference": 0.0}])
        self.sandbox.ledgers[ADHOC_CUIT] = [tf_row("FACTURA A 0001-00000001", debe=100.0, resta=100.0, saldo=100.0)]
        ledger.action_refresh()
        status.invalidate_recordset()
        self.assertEqual(status.total_ids, before, "the same row")
        self.assertRecordValues(status.total_ids, [{"tusfacturas_balance": 100.0, "difference": -21.0}])
        self.assertRecordValues(ledger.total_ids, [{"tusfacturas_balance": 100.0, "difference": -21.0}])

    def test_refresh_with_an_until_date_reads_odoo_documents_once(self):
        """Refresh with an "Until" date compares twice (the lines up to the date, the status today)."""
        self.invoice(self.customer, 100.0, invoice_date="2026-02-10")
        self.sandbox.ledgers[ADHOC_CUIT] = [
            tf_row("FACTURA A 0001-00000001", debe=121.0, resta=121.0, saldo=121.0, fecha="10/02/2026"),
        ]
        ledger = self.open_ledger()
        ledger.date_to = date(2026, 1, 31)
        Engine = type(self.env["tusfacturas.reconciliation"])
        reads, original = [], Engine._odoo_documents

        def spy(engine, partners, company):
            reads.append(partners)
            return original(engine, partners, company)

        with patch.object(Engine, "_odoo_documents", spy):
            ledger.action_refresh()
        self.assertEqual(reads, [self.customer])
        self.assertFalse(ledger.line_ids, "nothing up to January")
        self.assertEqual(self.customer.tusfacturas_state, "ok", "today's status")

    def test_rows_with_more_decimals_are_kept_as_fetched(self):
        """The lines show amounts rounded in their currency: rows with more decimals are kept apart
        at once, and an "Until" date compares them as TusFacturas gave them."""
        self.invoice(self.customer, 100.0, invoice_date="2026-02-10")  # 121.00
        self.sandbox.ledgers[ADHOC_CUIT] = [
            tf_row("FACTURA A 0001-00000001", debe=121.004, resta=121.004, saldo=121.004, fecha="10/02/2026"),
            tf_row("NOTA DE DEBITO INTERNA", debe=0.004, saldo=121.008, fecha="11/02/2026"),
        ]
        ledger = self.open_ledger()
        self.assertEqual(ledger.line_ids.mapped("debit"), [121.0, 0.0])
        self.assertTrue(self.kept(ledger))
        self.company.tusfacturas_compare_mode = "balances"
        ledger.date_to = date(2026, 12, 31)
        ledger.action_apply_date_to()
        # 121.008 in all: 121.01 against Odoo's 121.00 (the rounded lines would say 121.00).
        self.assertRecordValues(ledger, [{"tusfacturas_balance": 121.01, "odoo_balance": 121.0, "difference": 0.01}])

    def kept(self, ledger):
        """Whether the ledger keeps its rows apart from its lines."""
        ledger.flush_recordset()
        self.env.cr.execute("SELECT fetched_rows IS NOT NULL FROM tusfacturas_ledger WHERE id = %s", [ledger.id])
        return self.env.cr.fetchone()[0]

    def seen(self, ledger):
        return [(line.concept, line.match_state, line.row_number) for line in ledger.line_ids]

    # ------------------------------------------------------------------
    # 4. Modes
    # ------------------------------------------------------------------

    def test_collections_only_odoo_knows(self):
        invoice = self.invoice(self.customer, 1000.0)  # 1,210
        self.pay(invoice, 1000.0)  # collected and recorded in Odoo only
        self.sandbox.ledgers[ADHOC_CUIT] = [tf_row("FACTURA A 0001-00000001", debe=1210.0, resta=1210.0, saldo=1210.0)]

        ledger = self.open_ledger()  # default: documents
        self.assertEqual(ledger.line_ids.match_state, "residual_mismatch")  # shown, for information
        # Both balances as they are; the documents are what is compared.
        self.assertRecordValues(ledger, [
            {"is_ok": True, "tusfacturas_balance": 1210.0, "odoo_balance": 210.0, "odoo_other_balance": -1000.0,
             "tusfacturas_documents_total": 1210.0, "odoo_documents_total": 1210.0, "difference": 0.0,
             "unexplained_difference": 0.0, "compare_mode": "documents"},
        ])  # fmt: skip
        self.assertEqual({item.kind: item.amount for item in ledger.item_ids}, {"collection": 1000.0})
        self.assertEqual(self.customer.tusfacturas_state, "ok")
        self.assertFalse(self.env["res.partner"].search([("tusfacturas_state", "=", "mismatch")]))

        self.company.tusfacturas_compare_mode = "balances"
        ledger = self.open_ledger()
        self.assertRecordValues(ledger, [
            {"is_ok": False, "tusfacturas_balance": 1210.0, "odoo_balance": 210.0, "difference": 1000.0,
             "unexplained_difference": 1000.0},
        ])  # fmt: skip
        self.assertFalse(ledger.item_ids, "a collection TusFacturas lacks is not explained")
        self.customer.invalidate_recordset()
        self.assertEqual(self.customer.tusfacturas_state, "mismatch")
        self.assertEqual(self.env["res.partner"].search([("tusfacturas_state", "=", "mismatch")]), self.customer)

    # ------------------------------------------------------------------
    # 5. Signs and duplicates, on Odoo's books
    # ------------------------------------------------------------------

    def test_credit_note_on_the_debit_side_is_not_a_match(self):
        self.invoice(self.customer, 100.0, move_type="out_refund")  # NC-A 00001-00000001, 121
        self.sandbox.ledgers[ADHOC_CUIT] = [tf_row("NOTA DE CREDITO A 0001-00000001", debe=121.0, resta=121.0)]
        ledger = self.open_ledger()
        self.assertRecordValues(ledger.line_ids, [{"match_state": "amount_mismatch", "difference": 242.0}])
        self.assertEqual(self.customer.tusfacturas_state, "mismatch")

    def test_repeated_and_annulled_rows(self):
        invoice = self.invoice(self.customer, 100.0)
        self.sandbox.ledgers[ADHOC_CUIT] = [
            tf_row("FACTURA A 0001-00000001 (ADHOC SA)", debe=121.0, resta=121.0, saldo=121.0),
            tf_row("FACTURA A 0001-00000001 (ADHOC SA)", debe=121.0, resta=121.0, saldo=242.0),
            tf_row("FACTURA A 0001-00000001 - PAGO", haber=21.0, saldo=221.0),
            tf_row("FACTURA A 0001-00000002 ANULADA", debe=0.0, saldo=221.0),
        ]
        ledger = self.open_ledger()
        self.assertRecordValues(ledger.line_ids, [
            {"match_state": "matched", "move_id": invoice.id, "difference": 0.0},
            {"match_state": "duplicate_in_tusfacturas", "move_id": invoice.id, "difference": 0.0},
            {"match_state": "not_a_document", "move_id": invoice.id, "difference": 0.0},  # a movement of it
            {"match_state": "annulled", "move_id": False, "difference": 0.0},
        ])  # fmt: skip
        self.assertRecordValues(ledger, [{
            "tusfacturas_balance": 221.0, "odoo_balance": 121.0, "tusfacturas_documents_total": 121.0,
            "odoo_documents_total": 121.0, "is_ok": False,
        }])  # fmt: skip
        self.assertEqual((ledger.duplicate_in_tusfacturas_count, ledger.annulled_count), (1, 1))
        self.assertEqual(self.status().duplicate_in_tusfacturas_count, 1)
        self.assertEqual(self.customer.tusfacturas_state, "mismatch")

    # ------------------------------------------------------------------
    # 6. Stored results
    # ------------------------------------------------------------------

    def test_an_error_keeps_the_last_figures_apart(self):
        self.invoice(self.customer, 100.0)
        self.sandbox.ledgers[ADHOC_CUIT] = [tf_row("FACTURA A 0001-00000001", debe=150.0, resta=150.0, saldo=150.0)]
        self.open_ledger()
        status = self.status()
        checked_at = status.last_check
        self.assertEqual((status.state, status.difference, status.last_attempt), ("mismatch", 29.0, checked_at))
        self.sandbox.mode = "http_500"
        later = fields.Datetime.add(checked_at, hours=1)
        with self.patch_now(later):
            self.env["tusfacturas.reconciliation"]._reconcile_batch(self.customer, self.company)
        self.assertRecordValues(status, [{
            "state": "error", "last_check": checked_at, "last_attempt": later, "difference": 29.0,
            "tusfacturas_balance": 150.0, "odoo_balance": 121.0,
        }])  # fmt: skip
        self.assertIn("not available right now", status.error_message)
        self.assertEqual(status._fields["last_check"].string, "Figures From")

    def patch_now(self, moment):
        return patch.object(fields.Datetime, "now", return_value=moment)

    def test_note_when_the_differences_change_and_without_figures(self):
        self.invoice(self.customer, 100.0)
        engine = self.env["tusfacturas.reconciliation"]

        def check(debe=None, mode="ok"):
            self.sandbox.mode = mode
            if debe:
                self.sandbox.ledgers[ADHOC_CUIT] = [tf_row("FACTURA A 0001-00000001", debe=debe, resta=debe)]
            engine._reconcile_batch(self.customer, self.company)
            return self.customer.message_ids.filtered(lambda m: "TusFacturas" in (m.body or ""))

        self.assertEqual(len(check(150.0)), 1)
        self.assertEqual(len(check(mode="http_500")), 1, "an error posts nothing")
        self.assertEqual(len(check(150.0)), 1, "the same differences after an error: no second note")
        notes = check(175.5)
        self.assertEqual(len(notes), 2, "other differences: a new note")
        self.assertIn("Different total: 1", notes[0].body)
        for figure in ("175", "121", "54"):
            self.assertNotIn(figure, notes[0].body, "no balances in the partner's chatter")

    def test_shared_partner_note_shows_no_company_figures(self):
        other_data = self.setup_other_company(name="Otra Empresa AR")
        other = other_data["company"]
        self.configure_company(other, apikey="5678")
        self.invoice(self.customer, 1000.0, company=other, taxes=other_data["default_tax_sale"])
        self.sandbox.ledgers[ADHOC_CUIT] = [tf_row("FACTURA A 0001-00000001", debe=1500.0, resta=1500.0)]
        self.env["tusfacturas.reconciliation"].with_company(other)._reconcile_batch(self.customer, other)
        [note] = self.customer.message_ids.filtered(lambda m: "TusFacturas" in (m.body or ""))
        self.assertIn("Otra Empresa AR", note.body)
        for figure in ("1.500", "1,500", "1500", "1.210", "1,210", "1210", "290"):
            self.assertNotIn(figure, note.body)

    # ------------------------------------------------------------------
    # 7. The screen
    # ------------------------------------------------------------------

    def test_more_than_a_page_of_rows_totals_from_the_server(self):
        self.sandbox.ledgers[ADHOC_CUIT] = [
            tf_row(f"FACTURA A 0001-{n:08d}", debe=10.0, resta=10.0, saldo=10.0 * n) for n in range(1, 61)
        ]
        ledger = self.open_ledger(user=self.billing_user)
        [data] = ledger.web_read({"tusfacturas_balance": {}, "difference": {}, "line_ids": {"fields": {"debit": {}}}})
        self.assertEqual((data["tusfacturas_balance"], data["difference"]), (600.0, 600.0))
        self.assertEqual(len(data["line_ids"]), 60)
        views = self.env["tusfacturas.ledger"].get_views([(False, "form")])["views"]["form"]["arch"]
        lines = self.env["tusfacturas.ledger.line"].get_views([(False, "list")])["views"]["list"]["arch"]
        self.assertNotIn("sum=", views + lines, "no page sums that contradict the totals")

    def test_both_sides_in_chronological_order(self):
        first = self.invoice(self.customer, 10.0, invoice_date="2026-01-10")
        odoo_only = self.invoice(self.customer, 20.0, invoice_date="2026-02-10")
        third = self.invoice(self.customer, 30.0, invoice_date="2026-03-10")
        self.sandbox.ledgers[ADHOC_CUIT] = [
            tf_row("FACTURA A 0001-00000001", debe=12.1, resta=12.1, fecha="10/01/2026"),
            tf_row("FACTURA A 0001-00000003", debe=36.3, resta=36.3, fecha="10/03/2026"),
        ]
        ledger = self.open_ledger()
        self.assertEqual(ledger.line_ids.move_id.ids, [first.id, odoo_only.id, third.id])
        self.assertEqual(ledger.receivable_line_ids.move_id.ids, [first.id, odoo_only.id, third.id])
        # Odoo's running balance runs the same way: oldest first.
        [data] = ledger.web_read({"receivable_line_ids": {"fields": {"cumulated_balance": {}}}})
        self.assertEqual([line["cumulated_balance"] for line in data["receivable_line_ids"]], [12.1, 36.3, 72.6])

    def test_ledger_is_read_only_for_users(self):
        self.sandbox.ledgers[ADHOC_CUIT] = []
        ledger = self.open_ledger(user=self.billing_user)
        other = self.make_customer("Otro SA", "30500010912")
        with self.assertRaises(AccessError):
            ledger.write({"partner_ids": [Command.set(other.ids)]})
        with self.assertRaises(AccessError):
            ledger.create({"partner_id": other.id, "company_id": self.company.id})
        ledger.write({"date_to": "2026-01-01"})
