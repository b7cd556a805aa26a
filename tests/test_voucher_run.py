import datetime
from unittest.mock import patch

from odoo.tests import tagged

from ..models import tusfacturas_voucher_run
from ..sandbox.vouchers import make_voucher
from .common import ADHOC_CUIT, TusFacturasCase

DAY = datetime.date(2026, 3, 2)
ADHOC = ("CUIT", ADHOC_CUIT, "ADHOC SA")
PEREZ = ("DNI", "12345678", "PEREZ JUAN")  # a consumidor final Odoo does not have
FAILED = "ENVIADO A PROCESAR - CON ERROR"


@tagged("post_install", "-at_install")
class TestVoucherCheck(TusFacturasCase):
    """Every voucher TusFacturas issued, against Odoo's documents of its point of sale (issue 19),
    through the real run and the sandbox over real sockets, two vouchers a page."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.usd = cls.setup_other_currency("USD", rates=[("2000-01-01", 1 / 900)])  # Odoo: 1 USD = 900 ARS
        cls.without_debt = cls.make_customer("Sin Deuda SA", "30500010912")
        cls.invoice(cls.customer, 100.0, invoice_date="2026-03-02")  # FA-A 00001-00000001, 121,00
        cls.invoice(cls.customer, 100.0, invoice_date="2026-03-02")  # FA-A 00001-00000002, 121,00
        cls.invoice(cls.customer, 100.0, invoice_date="2026-02-27")  # FA-A 00001-00000003: February in Odoo
        cls.invoice(cls.customer, 100.0, invoice_date="2026-03-02", currency=cls.usd)  # FA-A 00001-00000004, USD 121

    def setUp(self):
        super().setUp()
        self.sandbox.vouchers.clear()
        self.sandbox.vouchers.add(
            make_voucher("FACTURA A", 1, 1, "02/03/2026", 121.0, customer=ADHOC),  # agrees
            make_voucher("FACTURA A", 1, 2, "02/03/2026", 150.0, customer=ADHOC),  # another total
            make_voucher("FACTURA A", 1, 3, "02/03/2026", 121.0, customer=ADHOC),  # another month
            make_voucher("FACTURA A", 1, 4, "02/03/2026", 121.0, "DOL", 1000, customer=ADHOC),  # another rate
            make_voucher("FACTURA A", 1, 5, "02/03/2026", 605.0, customer=("CUIT", "30500010912", "SIN DEUDA SA")),
            make_voucher("FACTURA B", 1, 1, "02/03/2026", 2000.0, customer=PEREZ),  # Odoo has no FACTURA B
            make_voucher("FACTURA B", 1, 3, "02/03/2026", 500.0, customer=PEREZ),  # ...and B 2 was never issued
            make_voucher("FACTURA A", 1, 0, "02/03/2026", 99.0, customer=ADHOC, status=FAILED),
        )
        patcher = patch.object(tusfacturas_voucher_run, "PAGE_SIZE", 2)  # more than one page a day
        patcher.start()
        self.addCleanup(patcher.stop)

    def check(self, date_from=DAY - datetime.timedelta(days=1), date_to=DAY + datetime.timedelta(days=1)):
        return self.env["tusfacturas.voucher.run"]._check_by_hand(self.account, date_from, date_to)

    def found(self):
        discrepancies = self.env["tusfacturas.discrepancy"].search(
            [("account_id", "=", self.account.id), ("state", "=", "open")]
        )
        return sorted((d.kind, d.name) for d in discrepancies)

    def test_every_voucher_checked_whoever_the_customer(self):
        run = self.check()
        self.assertRecordValues(run, [{"state": "done", "days_checked": 3, "voucher_count": 8, "billed_calls": 0}])
        self.assertGreater(run.pages, 3, "the day's eight vouchers came in pages of two")
        self.assertEqual(
            self.found(),
            [
                ("amount_mismatch", "FACTURA A 00001-00000002"),
                ("currency_mismatch", "FACTURA A 00001-00000004"),
                ("date_mismatch", "FACTURA A 00001-00000003"),
                ("failed", "FACTURA A 2026-03-02/CUIT/30714295698/PES/99.00"),
                ("missing_in_odoo", "FACTURA A 00001-00000005"),
                ("missing_in_odoo", "FACTURA B 00001-00000001"),
                ("missing_in_odoo", "FACTURA B 00001-00000003"),
                ("numbering_gap", "FACTURA B 00001-00000002 to 00001-00000002"),
            ],
        )
        Discrepancy = self.env["tusfacturas.discrepancy"]
        date = Discrepancy.search([("kind", "=", "date_mismatch")])
        self.assertRecordValues(date, [{
            "other_period": True, "tusfacturas_date": DAY, "odoo_date": datetime.date(2026, 2, 27),
            "partner_id": self.customer.id, "cuit": ADHOC_CUIT, "source": "voucher",
        }])  # fmt: skip
        rate = Discrepancy.search([("kind", "=", "currency_mismatch")])
        self.assertRecordValues(rate, [{"voucher_currency": "DOL", "voucher_rate": 1000.0, "odoo_rate": 900.0}])
        perez = Discrepancy.search([("kind", "=", "missing_in_odoo"), ("cuit", "=", "12345678")])
        self.assertEqual(len(perez), 2)
        self.assertFalse(perez.partner_id, "a customer Odoo does not have")
        self.assertEqual(set(perez.mapped("voucher_customer")), {"DNI 12345678 PEREZ JUAN"})
        total = Discrepancy.search([("kind", "=", "amount_mismatch")])
        self.assertRecordValues(total, [{"tusfacturas_amount": 150.0, "odoo_amount": 121.0, "difference": 29.0}])
        # Free methods only: no current account, nothing billed.
        methods = {method for method, _cuit in self.sandbox.calls}
        self.assertEqual(methods, {"facturacion/consulta_avanzada"})
        self.assertEqual(run.free_calls, len(self.sandbox.calls))

    def test_checked_again_without_duplicates_and_corrected_ones_resolved(self):
        self.check()
        first = self.found()
        self.check()
        self.assertEqual(self.found(), first, "a second run creates no duplicate")
        self.assertEqual(self.env["tusfacturas.discrepancy"].search_count([("account_id", "=", self.account.id)]), 8)
        # TusFacturas' total corrected: the next check resolves it.
        [second] = [v for v in self.sandbox.vouchers[1] if v["comprobante"]["numero"] == 2]
        second["comprobante"]["total"] = 121.0
        self.check()
        resolved = self.env["tusfacturas.discrepancy"].search([("kind", "=", "amount_mismatch")])
        self.assertEqual((resolved.state, bool(resolved.resolved_date)), ("resolved", True))
        self.assertEqual(len(self.found()), 7)

    def test_a_bad_page_stores_nothing_of_its_day(self):
        self.sandbox.voucher_page_modes = {2: "bad_voucher"}
        run = self.check()
        self.assertEqual(run.state, "stopped")
        self.assertIn("invalid answer", run.stop_reason)
        self.assertEqual(run.days_checked, 1, "the day before; the day of the bad page is not stored")
        self.assertFalse(self.found())

    def test_customers_with_vouchers_are_in_the_scope_of_the_current_accounts_check(self):
        self.company.tusfacturas_cron_days = 3660
        self.assertNotIn(self.without_debt, self.env["res.partner"]._tusfacturas_scope(self.company))
        self.check()
        self.assertIn(
            self.without_debt, self.env["res.partner"]._tusfacturas_scope(self.company), "a voucher, no receivable"
        )
        [missing] = self.env["tusfacturas.discrepancy"].search([("name", "=", "FACTURA A 00001-00000005")])
        self.assertEqual(missing.partner_id, self.without_debt)

    def test_only_administrators_check_by_hand(self):
        with self.assertRaisesRegex(Exception, "Only administrators"):
            self.env["tusfacturas.voucher.run"].with_user(self.billing_user)._check_by_hand(self.account, DAY, DAY)
        self.assertFalse(self.sandbox.calls)
