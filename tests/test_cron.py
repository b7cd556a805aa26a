import time
from unittest.mock import patch

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import new_test_user, tagged

from ..models import res_partner_reconciliation
from .common import TusFacturasCase, make_cuits, tf_row


@tagged("post_install", "-at_install")
class TestScheduledReconciliation(TusFacturasCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.cuits = make_cuits(12)
        cls.partners = cls.env["res.partner"].concat(
            *(cls.make_customer(f"Cliente {i:02d}", cuit) for i, cuit in enumerate(cls.cuits))
        )
        for partner in cls.partners:
            cls.invoice(partner, 100.0)  # 121 open in Odoo: in the default scope
        cls.cron = cls.env.ref("tusfacturas_cuenta_corriente.ir_cron_tusfacturas_reconcile")

    def setUp(self):
        super().setUp()
        # TusFacturas agrees with Odoo for everyone unless a test says otherwise.
        for partner, cuit in zip(self.partners, self.cuits, strict=True):
            number = partner.invoice_ids.sequence_number
            self.sandbox.ledgers[cuit] = [tf_row(f"FACTURA A 0001-{number:08d}", debe=121.0, resta=121.0, saldo=121.0)]

    def run_cron(self, lastcall="2026-11-23 03:00:00", batch_size=5):
        """Call the cron method as Odoo's cron runner does, until nothing remains."""
        calls = 0
        with patch.object(res_partner_reconciliation, "BATCH_SIZE", batch_size):
            while True:
                calls += 1
                if not self.env["res.partner"].with_context(lastcall=lastcall)._cron_tusfacturas_reconcile():
                    return calls

    def ledger_calls(self):
        return [cuit for method, cuit in self.sandbox.calls if method == "clientes/cuenta-corriente"]

    def test_shipped_inactive_and_activated_from_settings(self):
        self.assertFalse(self.cron.active)
        self.assertEqual(self.cron.code, "model._cron_tusfacturas_reconcile()")
        settings = self.env["res.config.settings"].create({"tusfacturas_cron_active": True})
        settings.execute()
        self.assertTrue(self.cron.active)
        self.assertTrue(self.env["res.config.settings"].create({}).tusfacturas_cron_active)

    def test_every_customer_once_in_batches_with_failures_isolated(self):
        self.sandbox.cuit_modes = {self.cuits[1]: "http_500", self.cuits[7]: "api_error"}
        self.sandbox.ledgers[self.cuits[3]] = [tf_row("FACTURA A 0001-00000999", debe=5, resta=5, saldo=5)]
        no_cuit = self.make_customer("Sin CUIT SA", False)
        self.invoice(no_cuit, 10.0)

        self.assertEqual(self.run_cron(), 3)  # 13 customers in batches of 5

        # Each customer called once; the HTTP 500 is retried twice (the client retries 5xx).
        self.assertCountEqual(self.ledger_calls(), [*self.cuits, self.cuits[1], self.cuits[1]])
        states = dict(zip(self.partners.ids, self.partners.mapped("tusfacturas_state"), strict=True))
        self.assertEqual(states[self.partners[1].id], "error")
        self.assertEqual(states[self.partners[7].id], "error")
        self.assertEqual(states[self.partners[3].id], "mismatch")
        self.assertEqual(list(states.values()).count("ok"), 9)
        self.assertIn("not available right now (HTTP 500)", self.partners[1].tusfacturas_error)
        self.assertIn("El CUIT no se encuentra habilitado", self.partners[7].tusfacturas_error)
        self.assertEqual(no_cuit.tusfacturas_state, "error")
        self.assertIn("has no CUIT", no_cuit.tusfacturas_error)

        # Called again within the same run (same lastcall): nothing more is billed.
        self.run_cron()
        self.assertEqual(len(self.ledger_calls()), 14)
        # The next scheduled run checks everyone again.
        self.run_cron(lastcall="2026-11-24 03:00:00")
        self.assertEqual(len(self.ledger_calls()), 28)

    def test_interrupted_run_resumes_without_billing_twice(self):
        with patch.object(res_partner_reconciliation, "BATCH_SIZE", 5):
            self.env["res.partner"].with_context(lastcall="L1")._cron_tusfacturas_reconcile()
        self.assertEqual(len(self.ledger_calls()), 5)
        # The worker dies after claiming the next batch (committed) and before its results.
        claimed = self.partners[5:10]
        self.env["tusfacturas.partner.status"].sudo()._get_or_create(claimed, self.company).write(
            {"last_run_key": "L1"}
        )
        self.run_cron(lastcall="L1")
        self.assertCountEqual(self.ledger_calls(), self.cuits[:5] + self.cuits[10:])
        self.assertEqual(set(claimed.mapped("tusfacturas_state")), {"not_checked"})

    def test_limit_per_run_and_scopes(self):
        self.company.tusfacturas_cron_limit = 4
        self.run_cron()
        self.assertCountEqual(self.ledger_calls(), self.cuits[:4])
        # Customers invoiced recently: none in the last 10 days (invoices are dated 2026-03-01).
        self.company.write({"tusfacturas_cron_scope": "recent", "tusfacturas_cron_days": 10})
        self.assertFalse(self.env["res.partner"]._tusfacturas_scope(self.company))
        self.company.tusfacturas_cron_days = 100000
        self.assertEqual(self.env["res.partner"]._tusfacturas_scope(self.company), self.partners)
        # Every customer with a CUIT, open receivables or not.
        paid_up = self.make_customer("Sin deuda SA", make_cuits(1, prefix="33")[0], customer_rank=1)
        self.company.tusfacturas_cron_scope = "all"
        self.assertIn(paid_up, self.env["res.partner"]._tusfacturas_scope(self.company))
        self.company.tusfacturas_cron_scope = "receivable"
        self.assertNotIn(paid_up, self.env["res.partner"]._tusfacturas_scope(self.company))

    def test_concurrent_calls(self):
        self.company.tusfacturas_concurrency = 4
        self.sandbox.delay = 0.3
        start = time.monotonic()
        self.run_cron(batch_size=12)
        elapsed = time.monotonic() - start
        self.assertEqual(len(self.ledger_calls()), 12)
        self.assertGreater(self.sandbox.max_in_flight, 1)
        self.assertLessEqual(self.sandbox.max_in_flight, 4)
        self.assertLess(elapsed, 12 * 0.3, "calls overlapped")
        self.assertEqual(set(self.partners.mapped("tusfacturas_state")), {"ok"})

    def test_two_companies_each_with_its_credentials_and_books(self):
        other_data = self.setup_other_company(name="Otra Empresa AR")
        other = other_data["company"]
        self.configure_company(other, apikey="5678")
        customer = self.partners[0]
        self.invoice(
            customer, 1000.0, company=other, taxes=other_data["default_tax_sale"]
        )  # 1210 open in the other company only
        self.sandbox.ledgers[self.cuits[0]] = [tf_row("FACTURA A 0001-00000001", debe=1210, resta=1210, saldo=1210)]
        self.run_cron(batch_size=50)
        self.assertEqual(self.sandbox.apikeys.count("5678"), 1)
        self.assertEqual(self.sandbox.apikeys.count("1234"), 12)
        statuses = self.env["tusfacturas.partner.status"].search([("partner_id", "=", customer.id)])
        by_company = {s.company_id: s for s in statuses}
        self.assertEqual(by_company[other].odoo_balance, 1210.0)
        self.assertEqual(by_company[other].state, "ok")
        self.assertEqual(by_company[self.company].odoo_balance, 121.0)
        self.assertEqual(by_company[self.company].state, "mismatch")  # TusFacturas says 1210
        self.assertEqual(customer.with_company(other).tusfacturas_state, "ok")
        self.assertEqual(customer.with_company(self.company).tusfacturas_state, "mismatch")

    def test_refused_credentials_stop_the_company_at_once(self):
        other_data = self.setup_other_company(name="Otra Empresa AR")
        other = other_data["company"]
        self.configure_company(other, apikey="5678")
        self.invoice(self.partners[0], 1000.0, company=other, taxes=other_data["default_tax_sale"])
        self.company.tusfacturas_apitoken = "revoked"
        self.company.tusfacturas_concurrency = 1
        with self.assertLogs(res_partner_reconciliation.__name__, "ERROR") as logs:
            self.run_cron()
        self.assertEqual(self.sandbox.apikeys.count("1234"), 1, "one refused call, then no more billed calls")
        self.assertEqual(self.sandbox.apikeys.count("5678"), 1, "the other company goes on")
        self.assertIn("refused the credentials of company", logs.output[0])
        self.assertEqual(self.partners[0].tusfacturas_state, "error")
        self.assertEqual(set(self.partners[1:].mapped("tusfacturas_state")), {"not_checked"})

    def test_partner_filter_and_search(self):
        self.sandbox.ledgers[self.cuits[2]] = []
        self.sandbox.cuit_modes = {self.cuits[4]: "http_503"}
        self.run_cron()
        Partner = self.env["res.partner"]
        self.assertEqual(Partner.search([("tusfacturas_state", "=", "mismatch")]), self.partners[2])
        self.assertEqual(Partner.search([("tusfacturas_state", "=", "error")]), self.partners[4])
        self.assertEqual(Partner.search([("tusfacturas_difference", "<", 0)]), self.partners[2])
        never = self.make_customer("Nunca SA", "30500010912")
        not_checked = Partner.search([("tusfacturas_state", "=", "not_checked")])
        self.assertIn(never, not_checked)
        self.assertFalse(not_checked & self.partners)
        self.assertIn(never, Partner.search([("tusfacturas_state", "!=", "ok")]))
        # The customer list's filter, as the web client applies it.
        arch = Partner.get_views([(False, "search")])["views"]["search"]["arch"]
        self.assertIn('string="TusFacturas: with differences"', arch)
        self.assertIn("tusfacturas_mismatch", arch)

    def test_constant_queries_per_customer(self):
        engine = self.env["tusfacturas.reconciliation"]

        def count(partners):
            self.env.invalidate_all()
            start = self.env.cr.sql_log_count
            engine._reconcile_batch(partners, self.company)
            return self.env.cr.sql_log_count - start

        count(self.partners)  # warm up caches; every customer has a status and balances to replace
        per_4 = count(self.partners[:4])
        per_8 = count(self.partners[4:12])
        self.assertGreater(per_4, 0)
        # One UPDATE of its status per customer; everything else is per batch.
        self.assertLessEqual(per_8 - per_4, 4 * 2, (per_4, per_8))


@tagged("post_install", "-at_install")
class TestReconcileListAction(TusFacturasCase):
    def test_billing_user_reconciles_selected_customers(self):
        cuits = make_cuits(3)
        partners = self.env["res.partner"].concat(*(self.make_customer(f"C{i}", c) for i, c in enumerate(cuits)))
        self.sandbox.ledgers[cuits[0]] = [tf_row("FACTURA A 0001-00000123", debe=5, resta=5, saldo=5)]
        self.sandbox.cuit_modes = {cuits[2]: "http_500"}
        action = self.env.ref("tusfacturas_cuenta_corriente.action_tusfacturas_reconcile_partners")
        self.assertEqual(action.name, "Reconcile with TusFacturas")
        result = (
            action.with_user(self.billing_user).with_context(active_model="res.partner", active_ids=partners.ids).run()
        )
        self.assertEqual(result["params"]["message"], "1 in agreement, 1 with differences, 1 with errors.")
        self.assertEqual(partners.mapped("tusfacturas_state"), ["mismatch", "ok", "error"])

    def test_bounded(self):
        partners = self.env["res.partner"].create([{"name": f"P{i}", "is_company": True} for i in range(101)])
        with self.assertRaisesRegex(UserError, "Select at most 100 customers"):
            partners.action_tusfacturas_reconcile()
        self.assertFalse(self.sandbox.calls)

    def test_not_offered_without_billing_rights(self):
        salesman = new_test_user(self.env, login="tf_sales2", groups="base.group_user",
                                 company_ids=[Command.set(self.company.ids)], company_id=self.company.id)  # fmt: skip
        bindings = self.env["ir.actions.actions"].with_user(salesman).get_bindings("res.partner")
        names = [a["name"] for a in bindings.get("action", [])]
        self.assertNotIn("Reconcile with TusFacturas", names)
        billing = self.env["ir.actions.actions"].with_user(self.billing_user).get_bindings("res.partner")
        self.assertIn("Reconcile with TusFacturas", [a["name"] for a in billing.get("action", [])])
