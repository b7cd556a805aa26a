from odoo.tests import HttpCase, tagged

from .common import ADHOC_CUIT, TusFacturasCase, tf_row


@tagged("post_install", "-at_install")
class TestControlTour(TusFacturasCase, HttpCase):
    """In a real browser: Invoicing → TusFacturas Control → Discrepancies, filter, open one, dismiss it."""

    browser_size = "1920x1080"  # every Invoicing menu in the navbar

    def test_dismiss_tour(self):
        self.invoice(self.customer, 1000.0)
        self.sandbox.ledgers[ADHOC_CUIT] = [
            tf_row("FACTURA A 0001-00000001 (ADHOC SA)", debe=1000.0, resta=1000.0, saldo=1000.0),
            tf_row("FACTURA A 0001-00000099 (ADHOC SA)", debe=100.0, resta=100.0, saldo=1100.0),
        ]
        self.customer.action_tusfacturas_reconcile()
        missing = self.env["tusfacturas.discrepancy"].search([("kind", "=", "missing_in_odoo")])
        self.assertEqual(missing.name, "FACTURA A 0001-00000099 (ADHOC SA)")
        self.start_tour("/odoo", "tusfacturas_dismiss_tour", login=self.env.user.login)
        self.assertRecordValues(missing, [{"state": "dismissed", "dismiss_reason": "Nota de crédito pendiente"}])
        self.assertEqual(self.env["tusfacturas.discrepancy"].search([("kind", "=", "amount_mismatch")]).state, "open")
