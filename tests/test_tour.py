from odoo.tests import HttpCase, tagged

from .common import ADHOC_CUIT, TusFacturasCase, tf_row


@tagged("post_install", "-at_install")
class TestLedgerTour(TusFacturasCase, HttpCase):
    """In a real browser: customer form, button, TusFacturas rows beside Odoo's receivables."""

    def test_ledger_tour(self):
        invoice = self.invoice(self.customer, 1000.0)
        self.assertEqual(invoice.name, "FA-A 00001-00000001")
        self.sandbox.ledgers[ADHOC_CUIT] = [
            tf_row("FACTURA A 0001-00000001 (ADHOC SA)", debe=1210.0, resta=500.0, saldo=1210.0),
            tf_row("FACTURA A 0001-00000099 (ADHOC SA)", debe=100.0, resta=100.0, saldo=1310.0),
        ]
        url = f"/odoo/action-account.res_partner_action_customer/{self.customer.id}"
        self.start_tour(url, "tusfacturas_ledger_tour", login=self.env.user.login)
        self.assertEqual(self.sandbox.calls, [("clientes/cuenta-corriente", ADHOC_CUIT)])

    def test_follow_mismatch_tour(self):
        self.invoice(self.customer, 1000.0)
        self.sandbox.ledgers[ADHOC_CUIT] = [
            tf_row("FACTURA A 0001-00000001 (ADHOC SA)", debe=1210.0, resta=500.0, saldo=1210.0),
        ]
        url = f"/odoo/action-account.res_partner_action_customer/{self.customer.id}"
        self.start_tour(url, "tusfacturas_follow_mismatch_tour", login=self.env.user.login)
