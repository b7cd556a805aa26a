"""What a cold review found untested: a document both checks report, the run summaries' sources, a voucher
check that meets an HTTP 503 in the middle of a day or an in-band refusal of its credentials. Through the
public methods, the sandbox over real sockets and the real database."""

import datetime
import json
from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo.tests import tagged

from ..models import tusfacturas_check_run, tusfacturas_voucher_run
from ..sandbox.vouchers import make_voucher
from .common import ADHOC_CUIT, TusFacturasCase, tf_row
from .test_voucher_run import ADHOC, ScheduledVoucherCase

DAY = datetime.date(2026, 3, 2)
LEDGER_CRON = "tusfacturas_cuenta_corriente.ir_cron_tusfacturas_reconcile"


@tagged("post_install", "-at_install")
class TestBothChecks(TusFacturasCase):
    """ADHOC's FACTURA A 00001-00000001 is in Odoo; TusFacturas issued 00001-00000002 too, which Odoo lacks."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.invoice(cls.customer, 100.0, invoice_date="2026-03-02")  # FA-A 00001-00000001, 121,00
        cls.Discrepancy = cls.env["tusfacturas.discrepancy"]

    def setUp(self):
        super().setUp()
        self.sandbox.vouchers.add(
            make_voucher("FACTURA A", 1, 1, DAY, 121.0, customer=ADHOC),
            make_voucher("FACTURA A", 1, 2, DAY, 242.0, customer=ADHOC),  # missing in Odoo
        )
        self.sandbox.ledgers[ADHOC_CUIT] = [
            tf_row("FACTURA A 0001-00000001 (ADHOC SA)", debe=121.0, resta=121.0, saldo=121.0, fecha="02/03/2026"),
            tf_row("FACTURA A 0001-00000002 (ADHOC SA)", debe=242.0, resta=242.0, saldo=363.0, fecha="02/03/2026"),
        ]

    def check_vouchers(self):
        return self.env["tusfacturas.voucher.run"]._check_by_hand(self.account, DAY, DAY)

    def check_ledger(self):
        """Customers list > Action > Check with TusFacturas, as a billing user."""
        self.customer.with_user(self.billing_user).action_tusfacturas_reconcile()
        self.env.invalidate_all()

    def about_second(self, state=("open", "dismissed")):
        """What the worklist has about FACTURA A 00001-00000002, in these states."""
        return self.Discrepancy.search(
            [("company_id", "=", self.company.id), ("point_of_sale", "=", 1), ("document_number", "=", 2),
             ("kind", "=", "missing_in_odoo"), ("state", "in", list(state))]
        )  # fmt: skip

    def test_review_a_document_both_checks_report_is_the_voucher_checks_work_item(self):
        self.check_vouchers()
        [item] = self.about_second()
        self.assertRecordValues(item, [{"source": "voucher", "account_id": self.account.id, "state": "open"}])
        self.check_ledger()
        self.assertEqual(self.customer.tusfacturas_state, "mismatch", "the ledger check did see the document")
        self.assertEqual(self.about_second(), item, "one work item, the voucher check's")
        self.assertFalse(
            self.Discrepancy.search([("company_id", "=", self.company.id), ("source", "=", "ledger")]),
            "the ledger check keeps nothing of its own about it",
        )
        # Dismissed, it stays the one work item: the ledger check does not bring it back as its own.
        item.action_dismiss("Se carga mañana")
        self.check_ledger()
        self.assertEqual(self.about_second(), item)
        self.assertEqual(item.state, "dismissed")

    def test_review_the_ledger_checks_own_item_goes_once_the_voucher_check_reports_it(self):
        self.check_ledger()
        ledger_item = self.about_second()
        self.assertEqual(ledger_item.source, "ledger")
        self.check_vouchers()
        self.check_ledger()
        [item] = self.about_second()
        self.assertEqual(item.source, "voucher")
        self.assertEqual(ledger_item.state, "resolved", "the voucher check's work item replaces it")

    def run_ledger_pass(self):
        """One pass of Odoo's cron runner on the scheduled check of current accounts."""
        cron = self.env.ref(LEDGER_CRON)
        tusfacturas_check_run._PASS_STARTED.pop(self.env.cr, None)
        for _call in range(10):
            job, progress = cron._add_progress()
            self.env["res.partner"].with_context(
                **job.env.context, cron_id=cron.id, lastcall=cron.lastcall
            )._cron_tusfacturas_reconcile()
            if not progress.remaining or not progress.done:
                break

    def test_review_each_run_summary_counts_its_own_checks_discrepancies(self):
        """While the nightly check of current accounts runs, the voucher check finds two vouchers and
        resolves one: the current accounts' summary counts only what its own check found, and the
        voucher check's summary only what the voucher check found."""
        self.company.write({"tusfacturas_check_active": True, "tusfacturas_control_user_id": self.billing_user.id})
        # TusFacturas' current account lists another document Odoo lacks, not FACTURA A 00001-00000002.
        self.sandbox.ledgers[ADHOC_CUIT] = [
            tf_row("FACTURA A 0001-00000001 (ADHOC SA)", debe=121.0, resta=121.0, saldo=121.0, fecha="02/03/2026"),
            tf_row("FACTURA A 0001-00000009 (ADHOC SA)", debe=50.0, resta=50.0, saldo=171.0, fecha="02/03/2026"),
        ]
        first = self.sandbox.vouchers[1][0]
        first["comprobante"]["total"] = 150.0  # another total than Odoo's
        # The nightly run of current accounts started an hour ago and goes on in the next pass.
        run = (
            self.env["tusfacturas.check.run"]
            .sudo()
            .create(
                {"company_id": self.company.id, "account_id": self.account.id,
                 "started": fields.Datetime.now() - timedelta(hours=1)}
            )
        )  # fmt: skip
        self.check_vouchers()  # two new: another total, missing in Odoo
        first["comprobante"]["total"] = 121.0
        self.check_vouchers()  # the other total resolved
        self.assertEqual(
            self.Discrepancy.search_count([("source", "=", "voucher"), ("first_seen", ">=", run.started)]), 2
        )
        self.assertEqual(self.Discrepancy.search_count([("source", "=", "voucher"), ("state", "=", "resolved")]), 1)

        self.run_ledger_pass()
        self.assertEqual(run.state, "done")
        Summary = self.env["tusfacturas.control.summary"]
        [summary] = Summary.search([("run_key", "=", f"check-run-{run.id}")])
        self.assertRecordValues(summary, [{
            "source": "ledger", "customer_count": 1, "mismatch_count": 1, "new_count": 1, "resolved_count": 0,
        }])  # fmt: skip
        self.assertIn("1 new discrepancies, 0 resolved.", summary.body)

        # The other way: the current accounts' open discrepancy is no voucher check's.
        self.assertEqual(self.Discrepancy.search_count([("source", "=", "ledger"), ("state", "=", "open")]), 1)
        voucher_run = self.check_vouchers()
        [voucher_summary] = Summary.search([("run_key", "=", f"voucher-run-{voucher_run.id}")])
        self.assertRecordValues(voucher_summary, [{
            "source": "voucher", "account_id": self.account.id, "voucher_count": 2, "mismatch_count": 1,
            "new_count": 0, "resolved_count": 0,
        }])  # fmt: skip
        # Nor is another account's: the company's point of sale 2 issued a voucher Odoo lacks too.
        other = self.configure_company(self.company, apikey="5678", point_of_sale=2)
        self.sandbox.points_of_sale["5678"] = 2
        self.sandbox.vouchers.add(make_voucher("FACTURA A", 2, 1, DAY, 121.0, customer=ADHOC))
        self.env["tusfacturas.voucher.run"]._check_by_hand(other, DAY, DAY)
        self.assertEqual(self.Discrepancy.search_count([("account_id", "=", other.id), ("state", "=", "open")]), 1)
        voucher_run = self.check_vouchers()
        [voucher_summary] = Summary.search([("run_key", "=", f"voucher-run-{voucher_run.id}")])
        self.assertEqual((voucher_summary.mismatch_count, voucher_summary.new_count), (1, 0))


@tagged("post_install", "-at_install")
class TestVoucherCheckFailures(ScheduledVoucherCase):
    """The daily voucher check meets a failure: a bad night is one run, a refusal of the credentials
    stops the account until they change."""

    def open_discrepancies(self):
        return self.env["tusfacturas.discrepancy"].search(
            [("account_id", "=", self.account.id), ("state", "=", "open")]
        )

    def test_review_http_503_in_the_middle_of_a_day_stops_that_run_only(self):
        busy_day = self.today - timedelta(days=2)  # FACTURA A 00001-00000005, and three FACTURA B
        self.sandbox.vouchers.add(
            *(make_voucher("FACTURA B", 1, number, busy_day, 500.0, customer=ADHOC) for number in (1, 2, 3))
        )
        patcher = patch.object(tusfacturas_voucher_run, "PAGE_SIZE", 2)  # that day in two pages
        patcher.start()
        self.addCleanup(patcher.stop)
        self.run_pass()
        [first] = self.runs()
        self.assertEqual(first.state, "done")
        found = self.open_discrepancies()
        missing = found.filtered(lambda d: d.kind == "missing_in_odoo")
        self.assertEqual(
            sorted(missing.mapped("name")),
            [*(f"FACTURA A 00001-{n:08d}" for n in range(3, 8)), *(f"FACTURA B 00001-{n:08d}" for n in (1, 2, 3))],
        )

        # The next night (from the day before the busy day on), the busy day's second page answers HTTP 503.
        self.next_day()
        self.account.voucher_recheck_days = 3
        self.sandbox.voucher_page_modes = {1: "http_503"}
        self.run_pass()
        failed = self.runs()[0]
        self.assertNotEqual(failed, first)
        self.assertEqual(failed.state, "stopped")
        self.assertIn("not available right now (HTTP 503)", failed.stop_reason)
        self.assertEqual(failed.next_day, busy_day, "stopped on the busy day, the days before it checked")
        self.assertIn(("facturacion/consulta_avanzada", 1), self.sandbox.voucher_calls)
        self.assertEqual(self.open_discrepancies(), found, "nothing of the half-read day stored, nothing resolved")
        self.assertFalse(self.env["tusfacturas.discrepancy"].search([("state", "=", "resolved")]))
        self.assertFalse(self.account.credentials_refused, "a bad night is no refusal of the credentials")

        # The night after, the next run reads the busy day again, whole.
        self.next_day()
        self.sandbox.voucher_page_modes = {}
        self.run_pass()
        self.assertEqual(len(self.runs()), 3)
        self.assertEqual(self.runs()[0].state, "done")
        self.assertGreater(self.runs()[0].date_to, busy_day)
        self.assertEqual(self.open_discrepancies(), found)

    def answer_in_band(self, message):
        """Every call answered HTTP 200 with ``"error": "S"`` and ``message``."""
        body = json.dumps({"error": "S", "errores": [message], "rta": ""}).encode()
        self.sandbox.raw = (200, {"Content-Type": "application/json"}, body)
        self.sandbox.mode = "raw"

    def test_review_an_in_band_refusal_of_the_token_refuses_the_account(self):
        self.answer_in_band("El apitoken ingresado no es válido")
        self.run_pass()
        self.assertEqual(self.runs().state, "stopped")
        self.assertIn("El apitoken ingresado no es válido", self.runs().stop_reason)
        self.assertTrue(self.account.credentials_refused)
        self.assertIn("El apitoken ingresado no es válido", self.account.refusal_message)
        calls = len(self.sandbox.calls)
        # Answering again, TusFacturas is not asked until an administrator changes the credentials.
        self.sandbox.mode = "ok"
        self.next_day()
        self.run_pass()
        self.assertEqual(len(self.runs()), 1, "no run with refused credentials")
        self.assertEqual(len(self.sandbox.calls), calls)
        self.account.apitoken = self.sandbox.accounts[0]["apitoken"]
        self.assertFalse(self.account.credentials_refused)
        self.run_pass()
        self.assertEqual(self.runs()[0].state, "done")

    def test_review_an_in_band_error_about_afip_refuses_nothing(self):
        self.answer_in_band("Acceso denegado al WSFE de AFIP: el certificado está vencido")
        self.run_pass()
        self.assertEqual(self.runs().state, "stopped")
        self.assertIn("WSFE de AFIP", self.runs().stop_reason)
        self.assertFalse(self.account.credentials_refused, "AFIP refused the account's certificate, not TusFacturas")
