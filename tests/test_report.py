"""The printable check: a real PDF from wkhtmltopdf, its text read back with pdftotext (issue 10)."""

import os
import subprocess
import tempfile
import unittest

from odoo.tests import HttpCase, tagged

from .common import ADHOC_CUIT, TusFacturasCase, tf_row
from .optional import PDFTOTEXT_MISSING, has_pdftotext

REPORT = "tusfacturas_cuenta_corriente.action_report_tusfacturas_ledger"


def pdf_text(pdf):
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "report.pdf")
        with open(path, "wb") as out:
            out.write(pdf)
        return (
            subprocess.run(["pdftotext", "-layout", path, "-"], check=True, capture_output=True, text=True)
            .stdout.replace("\N{NO-BREAK SPACE}", " ")
            .replace("\N{ZERO WIDTH SPACE}", "")
        )


@tagged("post_install", "-at_install")
class TestLedgerReport(TusFacturasCase, HttpCase):
    """HttpCase: wkhtmltopdf loads the report's assets from this Odoo's HTTP server."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("es_AR")
        cls.env["ir.module.module"]._load_module_terms(["tusfacturas_cuenta_corriente"], ["es_AR"], overwrite=True)

    def printed(self, ledger):
        """The text of ``ledger``'s PDF, printed by a billing user in Spanish."""
        pdf, kind = (
            self.env["ir.actions.report"]
            .with_user(self.billing_user)
            .with_context(force_report_rendering=True, lang="es_AR")
            ._render_qweb_pdf(REPORT, ledger.ids)
        )
        self.assertEqual(kind, "pdf")
        self.assertTrue(pdf.startswith(b"%PDF"))
        return pdf_text(pdf)

    @unittest.skipUnless(has_pdftotext(), PDFTOTEXT_MISSING)
    def test_pdf_in_spanish_with_searchable_text(self):
        first = self.invoice(self.customer, 1000.0)  # FA-A 00001-00000001: 1.210,00
        self.invoice(self.customer, 100.0)  # FA-A 00001-00000002: 121,00, not in TusFacturas
        self.env["account.payment.register"].with_context(active_model="account.move", active_ids=first.ids).create(
            {"amount": 210.0}
        )._create_payments()
        self.sandbox.ledgers[ADHOC_CUIT] = [
            tf_row("FACTURA A 0001-00000001 (ADHOC SA)", debe=1210.0, resta=1000.0, saldo=1210.0),
            tf_row("FACTURA A 0001-00000099 (ADHOC SA)", debe=5000.0, resta=5000.0, saldo=6210.0),
        ]
        text = self.printed(self.open_ledger(user=self.billing_user))
        for expected in [
            "Control de cuenta corriente TusFacturas",
            self.company.name,
            "ADHOC SA",
            "30-71429569-8",
            "Saldo en TusFacturas",
            "$ 6.210,00",  # TusFacturas balance
            "$ 1.331,00",  # Odoo's balance: its documents
            "$ 4.879,00",  # the difference
            "TusFacturas y Odoo no coinciden para este cliente",
            "FACTURA A 0001-00000099 (ADHOC SA)",
            "Falta en Odoo",
            "Coincide",
            "FA-A 00001-00000001",
            "Documentos de Odoo que TusFacturas no lista",
            "FA-A 00001-00000002",
            "Falta en TusFacturas",
            "Pagos y otros asientos de Odoo",
            "-210,00",
        ]:
            self.assertIn(expected, text)

    @unittest.skipUnless(has_pdftotext(), PDFTOTEXT_MISSING)
    def test_pdf_shows_both_balances_and_what_explains_them(self):
        self.company.tusfacturas_compare_mode = "balances"
        invoice = self.invoice(self.customer, 1000.0)  # FA-A 00001-00000001: 1.210,00
        withholding = (
            self.env["account.chart.template"].with_company(self.company).ref("base_retencion_iibb_ba_sufrida")
        )
        self.env["account.payment.register"].with_context(active_model="account.move", active_ids=invoice.ids).create(
            {"amount": 1150.0, "payment_difference_handling": "reconcile", "writeoff_account_id": withholding.id}
        )._create_payments()
        other = self.make_customer("Otro SA", "30500010912")
        self.invoice(other, 100.0)  # FA-A 00001-00000002, on another customer
        self.sandbox.ledgers[ADHOC_CUIT] = [
            tf_row("FACTURA A 0001-00000001 (ADHOC SA)", debe=1210.0, resta=60.0, saldo=1210.0),
            tf_row("RECIBO X 0001-00000001", haber=1150.0, saldo=60.0),
            tf_row("FACTURA A 0001-00000002 (ADHOC SA)", debe=121.0, resta=121.0, saldo=181.0, fecha="01/04/2026"),
        ]
        text = self.printed(self.open_ledger(user=self.billing_user))
        for expected in [
            "Saldo en TusFacturas",
            "$ 181,00",
            "Saldo en Odoo",
            "Total de comprobantes en TusFacturas",
            "$ 1.331,00",
            "Partidas que explican la diferencia",
            "menos: Retenciones de Ingresos Brutos sufridas",
            "60,00",
            "Diferencia sin explicar",
            "$ 121,00",  # the invoice on the other customer
            "En Odoo, en otro cliente",
            "(Otro SA)",
            "Totales de todas las filas",
            "Retenciones de Ingresos Brutos sufridas, Cobranzas",  # the payment's kinds (the cell wraps)
        ]:
            self.assertIn(expected, text)

    def test_offered_in_the_print_menu_and_the_ledger_header(self):
        bindings = self.env["ir.actions.actions"].with_user(self.billing_user).get_bindings("tusfacturas.ledger")
        self.assertIn(self.env.ref(REPORT).id, [report["id"] for report in bindings.get("report", [])])
        arch = self.env["tusfacturas.ledger"].get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn(f'<button name="{self.env.ref(REPORT).id}" type="action" string="Print"/>', arch)
