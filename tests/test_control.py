"""Control TusFacturas: the partner button, the customers overview and the run summary (issue 10)."""

import ast

from odoo import fields
from odoo.tests import tagged
from odoo.tools import html2plaintext

from ..sandbox.cuits import make_cuits
from .common import ADHOC_CUIT, TusFacturasCase, tf_row
from .optional import freeze_time, needs_freezegun


@tagged("post_install", "-at_install")
class TestControl(TusFacturasCase):
    def test_partner_button_shows_the_last_check(self):
        self.invoice(self.customer, 750.88)  # 908.56 with VAT
        self.env["res.lang"]._activate_lang("es_AR")
        self.env["ir.module.module"]._load_module_terms(["tusfacturas_cuenta_corriente"], ["es_AR"], overwrite=True)
        partner = self.customer.with_context(lang="es_AR")
        self.assertEqual(partner.with_user(self.billing_user).tusfacturas_button_label, "Sin controlar")
        self.sandbox.ledgers[ADHOC_CUIT] = []
        self.open_ledger()
        partner.invalidate_recordset()
        label = partner.with_user(self.billing_user).tusfacturas_button_label.replace("\N{NO-BREAK SPACE}", " ")
        self.assertEqual(label, "Con diferencias · $ -908,56")
        form = partner.with_user(self.billing_user).get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn('name="tusfacturas_button_label"', form)

    def test_customers_overview(self):
        cuits = make_cuits(2)
        partners = self.make_customer("Uno SA", cuits[0], user_id=self.billing_user.id) | self.make_customer(
            "Dos SA", cuits[1]
        )
        for partner in partners:
            self.invoice(partner, 100.0)
        self.sandbox.ledgers[cuits[0]] = []
        self.sandbox.ledgers[cuits[1]] = [tf_row("FACTURA A 0001-00000002", debe=121, resta=121, saldo=121)]
        partners.action_tusfacturas_reconcile()
        action = self.env.ref("tusfacturas_cuenta_corriente.action_tusfacturas_partner_status")
        Status = self.env["tusfacturas.partner.status"].with_user(self.billing_user)
        context = ast.literal_eval(action.context)

        self.assertEqual(context, {"search_default_mismatch": 1})
        [row] = Status.search_read([("state", "=", "mismatch")], ["partner_id", "difference", "user_id",
                                                                    "open_discrepancy_count"])  # fmt: skip
        self.assertEqual((row["partner_id"][1], row["difference"], row["user_id"][0], row["open_discrepancy_count"]),
                         ("Uno SA", -121.0, self.billing_user.id, 1))  # fmt: skip
        groups = Status.read_group([], ["difference:sum"], ["user_id"])
        self.assertIn(-121.0, [g["difference"] for g in groups])
        arch = Status.get_views([(False, "list")])["views"]["list"]["arch"]
        self.assertIn('name="counted_difference" string="Difference" sum=', arch)
        self.assertIn("billed", arch)
        # The row button: a fresh (billed) fetch of that customer.
        status = Status.search([("partner_id", "=", partners[0].id)])
        calls = len(self.sandbox.calls)
        opened = status.action_open_ledger()
        self.assertEqual(opened["res_model"], "tusfacturas.ledger")
        self.assertEqual(len(self.sandbox.calls), calls + 1)


@tagged("post_install", "-at_install")
class TestRunSummary(TusFacturasCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.cuits = make_cuits(4)
        cls.partners = cls.make_customers(cls.cuits, invoice=100.0)  # 121 each
        cls.Summary = cls.env["tusfacturas.control.summary"]

    def run_checks(self, run_key):
        """What a scheduled run does for its customers: check them; returns their statuses."""
        self.env["tusfacturas.reconciliation"]._reconcile_batch(self.partners, self.company)
        return self.env["tusfacturas.partner.status"].search(
            [("partner_id", "in", self.partners.ids), ("company_id", "=", self.company.id)]
        )

    def checked_summary(self, run_key):
        """Check the customers as a run does and post the run's summary: ``(summary, statuses)``."""
        statuses = self.run_checks(run_key)
        return self.Summary._post_run_summary(self.company, run_key, statuses=statuses), statuses

    def setUp(self):
        super().setUp()
        for index, (partner, cuit) in enumerate(zip(self.partners, self.cuits, strict=True)):
            number = partner.invoice_ids.sequence_number
            self.sandbox.ledgers[cuit] = [tf_row(f"FACTURA A 0001-{number:08d}", debe=121.0, resta=121, saldo=121)]
            if index == 1:  # a different total and a document Odoo lacks: 2 discrepancies, difference 1000
                self.sandbox.ledgers[cuit] = [
                    tf_row(f"FACTURA A 0001-{number:08d}", debe=1021.0, resta=1021, saldo=1021),
                    tf_row("FACTURA A 0001-00000999", debe=100.0, resta=100, saldo=1121),
                ]
        self.sandbox.cuit_modes = {self.cuits[3]: "http_500"}

    @needs_freezegun
    def test_summary_once_per_run_as_an_activity_for_the_responsible(self):
        self.company.tusfacturas_control_user_id = self.billing_user
        with freeze_time("2026-11-20 03:00:00"):
            summary, statuses = self.checked_summary("run-1")
        self.assertRecordValues(summary, [{
            "customer_count": 4, "ok_count": 2, "mismatch_count": 1, "mismatch_amount": 1000.0, "error_count": 1,
            "new_count": 2, "resolved_count": 0,
        }])  # fmt: skip
        activity = summary.activity_ids
        self.assertEqual(activity.user_id, self.billing_user)
        self.assertIn("4 customers, 2 in agreement, 1 with differences", activity.note)
        self.assertIn("2 new discrepancies, 0 resolved", activity.note)
        self.assertIn("action-tusfacturas_cuenta_corriente.action_tusfacturas_discrepancy", activity.note)
        # The run is resumed and ends again: nothing more is posted.
        self.assertEqual(self.Summary._post_run_summary(self.company, "run-1", statuses=statuses), summary)
        self.assertEqual(self.Summary.search_count([("company_id", "=", self.company.id)]), 1)
        self.assertEqual(len(summary.activity_ids), 1)
        # The billing user sees it.
        self.assertEqual(self.Summary.with_user(self.billing_user).search([]), summary)

        # The next run: the difference is corrected in TusFacturas, so both are resolved.
        number = self.partners[1].invoice_ids.sequence_number
        self.sandbox.ledgers[self.cuits[1]] = [tf_row(f"FACTURA A 0001-{number:08d}", debe=121.0, resta=121, saldo=121)]
        with freeze_time("2026-11-21 03:00:00"):
            statuses = self.run_checks("run-2")
            second = self.Summary._post_run_summary(self.company, "run-2", statuses=statuses)
        self.assertRecordValues(second, [{
            "customer_count": 4, "ok_count": 3, "mismatch_count": 0, "error_count": 1, "new_count": 0,
            "resolved_count": 2,
        }])  # fmt: skip

    @needs_freezegun
    def test_summary_of_the_statuses_given(self):
        """How the scheduled run posts it: the customers it checked and when it started."""
        with freeze_time("2026-11-20 03:00:00"):
            self.run_checks("run-1")
        statuses = self.env["tusfacturas.partner.status"].search([("partner_id", "in", self.partners[1:].ids)])
        summary = self.Summary._post_run_summary(
            self.company, "run 7", statuses=statuses, since=fields.Datetime.to_datetime("2026-11-20 03:00:00")
        )
        self.assertRecordValues(summary, [{
            "run_key": "run 7", "customer_count": 3, "ok_count": 1, "mismatch_count": 1, "error_count": 1,
            "new_count": 2, "resolved_count": 0,
        }])  # fmt: skip
        self.assertEqual(self.Summary._post_run_summary(self.company, "run 7", statuses=statuses), summary)

    def test_summary_counts_a_shared_current_account_once(self):
        """A second customer with the CUIT of the one with differences shares its current account:
        both are counted as customers, its balances and its difference once."""
        self.partners |= self.make_customer("Cliente 1 Sucursal", self.cuits[1])
        summary, _statuses = self.checked_summary("run-1")
        self.assertRecordValues(summary, [{
            "customer_count": 5, "ok_count": 2, "mismatch_count": 2, "mismatch_amount": 1000.0, "error_count": 1,
            "tusfacturas_balance": 1363.0, "odoo_balance": 363.0,
        }])  # fmt: skip

    def test_summary_counts_a_shared_current_account_once_checked_apart_since(self):
        """The customers of a CUIT checked together by the run, then one of them alone (the other
        archived meanwhile): each counts the figures of that check, the summary still counts their
        current account once."""
        branch = self.make_customer("Cliente 1 Sucursal", self.cuits[1])
        self.partners |= branch
        statuses = self.run_checks("run-1")
        self.partners[1].active = False
        self.env["tusfacturas.reconciliation"]._reconcile_batch(branch, self.company)
        self.assertEqual(statuses.filtered(lambda s: s.partner_id == branch).counted_tusfacturas_balance, 1121.0)
        summary = self.Summary._post_run_summary(self.company, "run-1", statuses=statuses)
        self.assertRecordValues(summary, [{"customer_count": 5, "tusfacturas_balance": 1363.0}])

    def test_summary_in_spanish_as_a_message_without_responsible(self):
        self.env["res.lang"]._activate_lang("es_AR")
        self.env["ir.module.module"]._load_module_terms(["tusfacturas_cuenta_corriente"], ["es_AR"], overwrite=True)
        self.company.partner_id.lang = "es_AR"
        statuses = self.run_checks("run-1")
        summary = self.Summary._post_run_summary(self.company, "run-1", statuses=statuses)
        self.assertFalse(summary.activity_ids)
        expected = (
            "Control TusFacturas: 4 clientes, 2 coinciden, 1 con diferencias ($ 1.000,00), 1 con error; "
            "saldo en TusFacturas $ 1.363,00, saldo en Odoo $ 363,00; 2 discrepancias nuevas, 0 resueltas."
        )
        self.assertEqual(summary.body.replace("\N{NO-BREAK SPACE}", " "), expected)
        message = summary.message_ids.filtered(lambda m: m.message_type == "comment")
        self.assertIn(expected, html2plaintext(message.body).replace("\N{NO-BREAK SPACE}", " "))
        self.Summary._post_run_summary(self.company, "run-1", statuses=statuses)
        self.assertEqual(len(summary.message_ids.filtered(lambda m: m.message_type == "comment")), 1)
