import datetime
import time
from unittest.mock import patch

from odoo.tests import tagged
from odoo.tools import config

from ..models import tusfacturas_check_run, tusfacturas_voucher_run
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


class ScheduledVoucherCase(TusFacturasCase):
    """A voucher a day, the last week, none in Odoo; the account's daily check on."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.cron = cls.env.ref(tusfacturas_voucher_run.CRON_XMLID)
        cls.today = cls.env["tusfacturas.voucher.run"]._today(cls.account)  # where the company is

    def setUp(self):
        super().setUp()
        self.sandbox.vouchers.clear()
        # A voucher each day of the last week, none of them in Odoo.
        for days in range(7):
            day = self.today - datetime.timedelta(days=days)
            self.sandbox.vouchers.add(make_voucher("FACTURA A", 1, 7 - days, day, 121.0, customer=ADHOC))
        self.account.write(
            {"voucher_check_active": True, "voucher_check_from": self.today - datetime.timedelta(days=4)}
        )

    def run_pass(self):
        """One pass of Odoo's cron runner: up to ten calls while the action reports progress."""
        tusfacturas_check_run._PASS_STARTED.pop(self.env.cr, None)
        for _call in range(10):
            cron, progress = self.cron._add_progress()
            self.env["tusfacturas.voucher.run"].with_context(
                cron_id=self.cron.id, **cron.env.context
            )._cron_check_vouchers()
            if not progress.remaining or not progress.done:
                break

    def runs(self):
        return self.env["tusfacturas.voucher.run"].sudo().search([("account_id", "=", self.account.id)])

    def next_day(self):
        for run in self.runs():
            run.started -= datetime.timedelta(days=1, minutes=1)

    def missing(self):
        return (
            self.env["tusfacturas.discrepancy"]
            .search([("account_id", "=", self.account.id), ("kind", "=", "missing_in_odoo")])
            .mapped("document_number")
        )


@tagged("post_install", "-at_install")
class TestScheduledVoucherCheck(ScheduledVoucherCase):
    """The daily voucher check: incremental, in passes within Odoo's time limits, free (issue 19)."""

    def test_on_while_an_account_wants_it(self):
        self.assertTrue(self.cron.active)
        self.assertEqual(self.cron.code, "model._cron_check_vouchers()")
        self.account.voucher_check_active = False
        self.assertFalse(self.cron.active)

    def test_first_run_from_the_first_day_then_from_the_last_day_checked(self):
        self.run_pass()
        [run] = self.runs()
        self.assertRecordValues(run, [{
            "state": "done", "date_from": self.today - datetime.timedelta(days=4), "date_to": self.today,
            "days_checked": 5, "voucher_count": 5,
        }])  # fmt: skip
        self.assertEqual(sorted(self.missing()), [3, 4, 5, 6, 7])
        self.assertEqual(self.account.voucher_checked_until, self.today - datetime.timedelta(days=1), "today goes on")
        # Today is the run's last day: facturacion/numeracion once per type (billed), the rest free.
        numbering = [method for method, _cuit in self.sandbox.calls if method == "facturacion/numeracion"]
        self.assertEqual(len(numbering), 1)
        self.assertEqual(run.billed_calls, 1)
        self.assertNotIn("clientes/cuenta-corriente", {method for method, _cuit in self.sandbox.calls})
        # Not again the same day; the next day, from the last day checked (and its window) on.
        self.run_pass()
        self.assertEqual(len(self.runs()), 1)
        self.next_day()
        self.account.voucher_recheck_days = 2
        self.run_pass()
        newest = self.runs()[0]
        self.assertEqual((newest.date_from, newest.date_to), (self.today - datetime.timedelta(days=2), self.today))
        self.assertEqual(sorted(self.missing()), [3, 4, 5, 6, 7], "found again, not twice")

    def test_passes_within_the_time_limit_resume_the_run(self):
        """limit_time_real_cron 20 s (the voucher check's share: 3.5 s of calls per pass), 1 s per
        answer and a 2 s timeout: a pass checks what fits, the next one goes on; each day is read
        once, whole."""
        self.account.timeout = 2
        self.sandbox.delay = 1.0
        with patch.dict(config.options, {"limit_time_real_cron": 20}):
            for _pass in range(6):
                start = time.monotonic()
                self.run_pass()
                self.assertLess(time.monotonic() - start, 20 * 0.2 + 1)
                if self.runs().state == "done":
                    break
        self.assertGreater(_pass, 0, "more than one pass")
        self.assertEqual(self.runs().state, "done")
        self.assertEqual(sorted(self.missing()), [3, 4, 5, 6, 7])
        searches = [page for method, page in self.sandbox.voucher_calls if method == "facturacion/consulta_avanzada"]
        self.assertEqual(len(searches), 5, "each day read once")

    def test_refused_credentials_stop_the_account(self):
        self.sandbox.mode = "http_401"
        self.run_pass()
        self.assertEqual(self.runs().state, "stopped")
        self.assertIn("refused the credentials", self.runs().stop_reason)
        self.assertTrue(self.account.credentials_refused)
        self.sandbox.mode = "ok"
        self.next_day()
        self.run_pass()
        self.assertEqual(len(self.runs()), 1, "no run until the credentials change")
        self.account.apitoken = self.sandbox.accounts[0]["apitoken"]
        self.run_pass()
        self.assertEqual(self.runs()[0].state, "done")

    def test_a_summary_when_the_run_ends(self):
        self.company.tusfacturas_control_user_id = self.billing_user
        self.run_pass()
        [summary] = self.env["tusfacturas.control.summary"].search([("source", "=", "voucher")])
        self.assertEqual(
            summary.body,
            f"TusFacturas voucher check of {self.account.display_name}: vouchers read: 5; open discrepancies: 5 "
            "(new: 5, resolved: 0); billed calls: 1.",
        )

    def test_neutralized_database_never_calls(self):
        self.env["ir.config_parameter"].set_param("database.is_neutralized", True)
        self.run_pass()
        self.assertFalse(self.sandbox.calls)


@tagged("post_install", "-at_install")
class TestVoucherCheckLimits(ScheduledVoucherCase):
    """What the review of issue 19 found: gaps across runs, time limits, runs by hand, types TusFacturas
    does not know."""

    def test_a_gap_between_two_days_stays_open_when_the_window_moves(self):
        self.sandbox.vouchers.clear()
        self.sandbox.vouchers.add(
            make_voucher("FACTURA A", 1, 1, self.today - datetime.timedelta(days=3), 121.0, customer=ADHOC),
            make_voucher("FACTURA A", 1, 3, self.today - datetime.timedelta(days=2), 121.0, customer=ADHOC),
        )
        self.run_pass()
        gap = self.env["tusfacturas.discrepancy"].search([("kind", "=", "numbering_gap")])
        self.assertEqual((gap.gap_first, gap.gap_last, gap.state), (2, 2, "open"))
        # The next day's run starts on the gap's day: the day before is no longer read.
        self.next_day()
        self.account.voucher_recheck_days = 2
        self.run_pass()
        self.assertEqual(self.runs()[0].date_from, self.today - datetime.timedelta(days=2))
        self.assertEqual(gap.state, "open", "found again from the numbers the first run kept")
        # Numbers the account forgot: the check cannot see the gap, and does not resolve it either.
        self.next_day()
        self.account.sudo().voucher_numbers = {}
        self.run_pass()
        self.assertEqual(gap.state, "open")
        # Voucher 2 appears: the gap is resolved.
        self.sandbox.vouchers.add(
            make_voucher("FACTURA A", 1, 2, self.today - datetime.timedelta(days=2), 121.0, customer=ADHOC)
        )
        self.next_day()
        self.account.voucher_recheck_days = 3
        self.run_pass()
        self.assertEqual(gap.state, "resolved")

    def test_a_time_limit_too_short_for_any_call_says_so(self):
        with patch.dict(config.options, {"limit_time_real_cron": 10}):  # 1.5 s, less than a 5 s call needs
            self.run_pass()
            self.run_pass()
        self.assertFalse(self.sandbox.calls)
        self.assertEqual(self.runs().state, "stopped")
        self.assertIn("limit_time_real_cron", self.runs().stop_reason)

    def test_a_day_that_never_fits_a_pass_stops_the_run_saying_why(self):
        """Five pages of one voucher at 1 s each: more than the 3.5 s a pass has."""
        self.sandbox.vouchers.clear()
        for number in range(1, 6):
            self.sandbox.vouchers.add(make_voucher("FACTURA A", 1, number, self.today, 121.0, customer=ADHOC))
        self.account.write({"timeout": 2, "voucher_check_from": self.today})
        self.sandbox.delay = 1.0
        with (
            patch.object(tusfacturas_voucher_run, "PAGE_SIZE", 1),
            patch.dict(config.options, {"limit_time_real_cron": 20}),
        ):
            for _pass in range(5):
                self.run_pass()
        run = self.runs()
        self.assertEqual(run.state, "stopped")
        self.assertIn("could not be read whole", run.stop_reason)
        self.assertEqual(run.billed_calls, 0, "numeracion is asked after a whole day only")
        self.assertFalse(self.missing(), "nothing of a half-read day")

    def test_a_check_by_hand_goes_on_in_the_background(self):
        self.account.voucher_check_active = False
        self.assertFalse(self.cron.active)
        with patch.dict(config.options, {"limit_time_real": 20}):  # 9.5 s of this request: 2 days at 4 s
            self.sandbox.delay = 2.0
            run = self.env["tusfacturas.voucher.run"]._check_by_hand(
                self.account, self.today - datetime.timedelta(days=4), self.today - datetime.timedelta(days=1)
            )
        self.assertEqual(run.state, "running")
        self.assertTrue(self.cron.active, "on while the check goes on")
        self.sandbox.delay = 0
        self.run_pass()
        self.assertEqual(run.state, "done")
        self.assertFalse(self.cron.active, "off again: no account wants it")

    def test_types_tusfacturas_does_not_know_are_not_asked(self):
        run = self.env["tusfacturas.voucher.run"].sudo()._start(self.account, self.today, self.today)
        run.highest_numbers = {"39": 5, "1": 6}  # 39: a type of AFIP's TusFacturas does not issue
        self.run_pass()
        self.assertEqual(run.state, "done")
        asked = [body for body in self.sandbox.received if b"facturacion/numeracion" in body]
        self.assertEqual(len(asked), 1, "FACTURA A only")
