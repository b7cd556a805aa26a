import json
import os
import subprocess
import sys
import time
from datetime import timedelta
from unittest.mock import patch

import odoo
from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.modules.neutralize import neutralize_database
from odoo.tests import Form, HttpCase, new_test_user, tagged
from odoo.tools import config

from ..models import tusfacturas_check_run
from ..sandbox.cuits import make_cuits
from ..tusfacturas.budget import TimeBudget
from .common import TusFacturasCase, tf_row

CRON_XMLID = "tusfacturas_cuenta_corriente.ir_cron_tusfacturas_reconcile"


def batch_size(budget, company):
    timeout = company._tusfacturas_ledger_account().timeout
    return budget.batch_size(company.tusfacturas_concurrency, timeout, tusfacturas_check_run.BATCH_SIZE)


class CronCase(TusFacturasCase):
    """Twelve customers with an open invoice each; the company's automatic check is on."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.cuits = make_cuits(12)
        cls.partners = cls.make_customers(cls.cuits, "Cliente {i:02d}", invoice=100.0)  # 121 open: in the default scope
        cls.cron = cls.env.ref(CRON_XMLID)
        cls.company.tusfacturas_check_active = True
        cls.dni = cls.env.ref("l10n_ar.it_dni")

    def setUp(self):
        super().setUp()
        # TusFacturas agrees with Odoo for everyone unless a test says otherwise.
        for partner, cuit in zip(self.partners, self.cuits, strict=True):
            number = partner.invoice_ids.sequence_number
            self.sandbox.ledgers[cuit] = [tf_row(f"FACTURA A 0001-{number:08d}", debe=121.0, resta=121.0, saldo=121.0)]

    def run_pass(self):
        """One pass of Odoo's cron runner (``ir.cron._run_job``): up to ten calls, each with
        its progress record, while the action reports work done and work remaining.
        Returns the progress records of the calls."""
        tusfacturas_check_run._PASS_STARTED.pop(self.env.cr, None)  # a new pass
        progresses = []
        for _call in range(10):
            cron, progress = self.cron._add_progress()
            cron = cron.with_context(lastcall=self.cron.lastcall, cron_id=self.cron.id)
            self.env["res.partner"].with_context(**cron.env.context)._cron_tusfacturas_reconcile()
            progresses.append(progress)
            if not progress.remaining or not progress.done:
                break
        return progresses

    def run_to_the_end(self, max_passes=20):
        """Passes until the company's current run is over."""
        for _pass in range(max_passes):
            self.run_pass()
            if not self.runs().filtered(lambda run: run.state == "running"):
                return
        self.fail("the run never ended")

    def runs(self, company=None):
        return self.env["tusfacturas.check.run"].sudo().search([("company_id", "=", (company or self.company).id)])

    def next_day(self):
        """As if every run and check so far had happened a day earlier: the next call starts a new run."""
        for record in self.env["tusfacturas.check.run"].sudo().search([]):
            record.write({"started": record.started - timedelta(days=1, minutes=1)})
        for record in self.env["tusfacturas.partner.status"].sudo().search([("last_check", "!=", False)]):
            record.write({"last_check": record.last_check - timedelta(days=1, minutes=1)})

    def ledger_calls(self):
        return [cuit for method, cuit in self.sandbox.calls if method == "clientes/cuenta-corriente"]


@tagged("post_install", "-at_install")
class TestScheduledCheck(CronCase):
    def test_shipped_at_night_as_superuser_and_active_only_when_a_company_wants_it(self):
        self.assertTrue(self.cron.active, "this company's check is on")
        self.env["res.company"].search([]).write({"tusfacturas_check_active": False})
        self.assertFalse(self.cron.active)
        self.assertEqual(self.cron.name, "TusFacturas: check customer current accounts")
        self.assertEqual(self.cron.code, "model._cron_tusfacturas_reconcile()")
        self.assertEqual(self.cron.user_id, self.env.ref("base.user_root"))
        # 06:00 UTC is 03:00 in Argentina, whatever the time the module was installed.
        self.assertEqual((self.cron.nextcall.hour, self.cron.nextcall.minute), (6, 0))
        self.assertEqual((self.cron.interval_number, self.cron.interval_type), (1, "days"))

    def test_every_customer_once_per_run_with_failures_isolated(self):
        self.sandbox.cuit_modes = {self.cuits[1]: "http_500", self.cuits[7]: "api_error"}
        self.sandbox.ledgers[self.cuits[3]] = [tf_row("FACTURA A 0001-00000999", debe=5, resta=5, saldo=5)]
        no_cuit = self.make_customer("Sin CUIT SA", False)
        self.invoice(no_cuit, 10.0)
        bad_cuit = self.make_customer("Con DNI SA", "12345678", l10n_latam_identification_type_id=self.dni.id)
        self.invoice(bad_cuit, 10.0)

        self.run_to_the_end()

        # Each customer with a CUIT called once, the one answering HTTP 500 too: it may have been billed.
        self.assertCountEqual(self.ledger_calls(), self.cuits)
        states = dict(zip(self.partners.ids, self.partners.mapped("tusfacturas_state"), strict=True))
        self.assertEqual(states[self.partners[1].id], "error")
        self.assertEqual(states[self.partners[7].id], "error")
        self.assertEqual(states[self.partners[3].id], "mismatch")
        self.assertEqual(list(states.values()).count("ok"), 9)
        self.assertIn("not available right now (HTTP 500)", self.partners[1].tusfacturas_error)
        self.assertIn("El CUIT no se encuentra habilitado", self.partners[7].tusfacturas_error)
        # Customers without a valid CUIT are no candidates: no status, no error filling the run.
        self.assertEqual((no_cuit | bad_cuit).mapped("tusfacturas_state"), ["not_checked", "not_checked"])
        run = self.runs()
        self.assertEqual((len(run), run.state, run.checked_count), (1, "done", 12))

        # Called again the same day: the run is over, nothing more is billed.
        self.run_pass()
        self.cron.method_direct_trigger()
        self.assertEqual(len(self.ledger_calls()), 12)
        # The next day's run checks everyone again.
        self.next_day()
        self.run_to_the_end()
        self.assertEqual(len(self.ledger_calls()), 24)
        self.assertEqual(len(self.runs()), 2)

    def test_runs_rotate_over_every_customer(self):
        """Above the limit per run, each run takes the least recently checked customers."""
        self.company.tusfacturas_cron_limit = 5
        order = []
        for _day in range(3):
            self.sandbox.reset()
            self.run_to_the_end()
            order.append(self.ledger_calls())
            self.next_day()
        self.assertEqual([len(set(calls)) for calls in order], [5, 5, 5], "5 different customers per run")
        never = set(self.cuits) - set(order[0]) - set(order[1])
        self.assertEqual(len(never), 2)
        self.assertLessEqual(never, set(order[2]), "every customer reached")
        self.assertLessEqual(set(order[2]) - never, set(order[0]), "then the ones checked longest ago")
        self.assertEqual(self.runs().mapped("checked_count"), [5, 5, 5])

    def test_a_run_per_occurrence_of_the_scheduled_action(self):
        """Scheduled every 6 hours: a run of an hour ago is this occurrence's, one of 7 hours ago is
        the previous one's, and the next pass starts a new run."""
        self.cron.write({"interval_number": 6, "interval_type": "hours"})
        self.run_to_the_end()
        [run] = self.runs()
        run.write({"started": run.started - timedelta(hours=1)})
        self.run_pass()
        self.assertEqual(len(self.runs()), 1, "the same occurrence: no second run")
        run.write({"started": run.started - timedelta(hours=6)})
        self.run_pass()
        self.assertEqual(len(self.runs()), 2, "the next occurrence starts a run")

    def test_scope_every_commercial_partner_with_a_cuit(self):
        self.company.tusfacturas_cron_scope = "all"
        individual_cuit, contact_cuit = make_cuits(2, prefix="20")
        individual = self.make_customer("Juana Monotributista", individual_cuit, is_company=False, customer_rank=1)
        company = self.make_customer("Sin Deuda SA", make_cuits(1, prefix="33")[0], customer_rank=1)
        contact = self.make_customer("Contacto", contact_cuit, is_company=False, parent_id=company.id, customer_rank=1)
        invalid = self.make_customer(
            "Con DNI", "12345678", customer_rank=1, l10n_latam_identification_type_id=self.dni.id
        )
        scope = self.env["res.partner"]._tusfacturas_scope(self.company)
        self.assertIn(individual, scope)
        self.assertIn(company, scope)
        self.assertNotIn(contact, scope, "a contact is checked through its company")
        self.assertNotIn(invalid, scope)
        # Customers with open receivables (the default), or invoiced recently.
        self.company.tusfacturas_cron_scope = "receivable"
        self.assertEqual(self.env["res.partner"]._tusfacturas_scope(self.company), self.partners)
        self.company.write({"tusfacturas_cron_scope": "recent", "tusfacturas_cron_days": 10})
        self.assertFalse(self.env["res.partner"]._tusfacturas_scope(self.company))  # invoices of 2026-03-01
        self.company.tusfacturas_cron_days = 3660
        self.assertEqual(self.env["res.partner"]._tusfacturas_scope(self.company), self.partners)

    def test_run_manually_continues_the_same_run(self):
        """ "Run Manually" calls once and sets a new ``lastcall``: the run goes on where it
        was, and nobody is billed twice."""
        self.account.timeout = 1
        self.company.tusfacturas_concurrency = 1
        self.sandbox.delay = 0.3
        lastcall = self.cron.lastcall
        with patch.dict(config.options, {"limit_time_real_cron": 7}):  # 1.6 s of calls per pass
            tusfacturas_check_run._PASS_STARTED.pop(self.env.cr, None)
            self.cron.method_direct_trigger()
            first = len(self.ledger_calls())
            self.assertNotEqual(self.cron.lastcall, lastcall)
            self.assertTrue(0 < first < 12, first)
            self.assertEqual(self.runs().state, "running")
            triggers = self.env["ir.cron.trigger"].search([("cron_id", "=", self.cron.id)])
            self.assertTrue(triggers, "the rest of the run is scheduled at once")
            for _call in range(12):
                tusfacturas_check_run._PASS_STARTED.pop(self.env.cr, None)  # another request
                self.cron.method_direct_trigger()
        self.assertCountEqual(self.ledger_calls(), self.cuits, "each customer called exactly once")
        self.assertEqual(len(self.runs()), 1)
        self.assertEqual(self.runs().state, "done")

    def test_a_pass_ends_within_the_time_limit_and_nothing_is_lost(self):
        """limit_time_real_cron 8 s: the worker would be killed past it, so a pass only
        claims what can end in this check's share of it (2.4 s), even if every call times out."""
        self.account.timeout = 1
        self.company.tusfacturas_concurrency = 2
        self.sandbox.delay = 0.6  # slow but within the timeout (which bounds the whole call)
        passes = []
        with patch.dict(config.options, {"limit_time_real_cron": 8}):
            while self.runs().state != "done" and len(passes) < 10:
                start = time.monotonic()
                progresses = self.run_pass()
                passes.append((time.monotonic() - start, sum(progress.done for progress in progresses)))
        self.assertTrue(all(elapsed < 8 for elapsed, _done in passes), passes)
        self.assertGreater(len(passes), 1, "the run took several passes")
        self.assertTrue(all(done for _elapsed, done in passes), passes)
        # Each pass ended on a call with no time left, which Odoo's runner takes as the end of
        # the job: the action scheduled its continuation.
        triggers = self.env["ir.cron.trigger"].search([("cron_id", "=", self.cron.id)])
        self.assertEqual(len(triggers), len(passes) - 1, "one continuation per interrupted pass")
        self.assertCountEqual(self.ledger_calls(), self.cuits, "each customer called exactly once")
        self.assertEqual(set(self.partners.mapped("tusfacturas_state")), {"ok"}, "every call's result stored")

    def test_odoo_cron_runner_passes_continue_the_same_run(self):
        """Through Odoo's own runner (``ir.cron._process_job``): a pass that runs out of time
        ends the job for the runner, which moves ``nextcall`` to tomorrow; the action's
        continuation makes the next pass go on with the same run, nobody billed twice."""
        self.account.timeout = 1
        self.company.tusfacturas_concurrency = 2
        self.sandbox.delay = 0.6
        self.cron.write({"active": True, "nextcall": fields.Datetime.now() - timedelta(minutes=1)})  # due now
        nextcall = self.cron.nextcall
        with patch.dict(config.options, {"limit_time_real_cron": 8}):
            for _pass in range(6):
                self.env.flush_all()
                self.registry.enter_test_mode(self.cr)
                try:
                    job = {**self.cron.read(load=None)[0], "done": 0, "remaining": 0, "timed_out_counter": 0}
                    start = time.monotonic()
                    self.registry["ir.cron"]._process_job(self.registry.db_name, self.registry.cursor(), job)
                    self.assertLess(time.monotonic() - start, 8, "the pass ended within limit_time_real_cron")
                finally:
                    self.registry.leave_test_mode()
                self.env.invalidate_all()
                if self.runs().state == "done":
                    break
                self.assertTrue(self.env["ir.cron.trigger"].search([("cron_id", "=", self.cron.id)]))
        self.assertGreater(_pass, 0, "several passes")
        self.assertGreater(self.cron.nextcall, nextcall)
        self.assertCountEqual(self.ledger_calls(), self.cuits, "each customer called exactly once")
        self.assertEqual(len(self.runs()), 1)
        self.assertEqual(set(self.partners.mapped("tusfacturas_state")), {"ok"})

    def test_a_summary_when_the_run_ends_once(self):
        """The scheduled run posts its summary when it ends, once, whatever the passes."""
        self.sandbox.ledgers[self.cuits[2]] = []  # Odoo's invoice is missing in TusFacturas
        self.company.tusfacturas_control_user_id = self.billing_user
        Summary = self.env["tusfacturas.control.summary"]
        with patch.object(TimeBudget, "batch_size", lambda budget, parallel, timeout, cap: 5):
            self.run_to_the_end()  # three batches
        self.env.invalidate_all()  # what the team reads afterwards, in a request of its own
        [summary] = Summary.search([("company_id", "=", self.company.id)])  # not one per batch
        self.assertRecordValues(summary, [{
            "run_key": f"check-run-{self.runs().id}", "customer_count": 12, "ok_count": 11, "mismatch_count": 1,
            "new_count": 1,
        }])  # fmt: skip
        activities = (
            self.env["mail.activity"].sudo().search([("res_model", "=", summary._name), ("res_id", "=", summary.id)])
        )
        self.assertEqual(activities.user_id, self.billing_user)
        self.runs()._post_summary()  # a resumed run that ends again
        self.run_pass()
        self.assertEqual(Summary.search_count([("company_id", "=", self.company.id)]), 1)
        # The next day's run posts its own.
        self.next_day()
        self.run_to_the_end()
        self.assertEqual(Summary.search_count([("company_id", "=", self.company.id)]), 2)

    def test_batch_sizes_fit_the_budget(self):
        budget = TimeBudget(time.monotonic(), 40)  # 20 s to spend
        self.account.timeout = 5
        self.company.tusfacturas_concurrency = 4
        self.assertEqual(batch_size(budget, self.company), 12)  # 3 rounds of 4 calls of at most 5 s
        self.account.timeout = 30
        self.assertEqual(batch_size(budget, self.company), 4, "not even one round fits: one round, calls cut")
        self.assertEqual(budget.call_timeout(30), 19, "to the 19.5 s left")
        self.assertEqual(budget.call_timeout(5), 5)
        self.assertEqual(batch_size(TimeBudget(time.monotonic(), 10), self.company), 0, "4.5 s left: no call")
        self.account.timeout = 1
        self.assertEqual(batch_size(budget, self.company), 48, "the cap (50) in whole rounds of 4 calls")
        with patch.dict(config.options, {"limit_time_real": 0, "limit_time_real_cron": -1}):
            self.assertEqual(tusfacturas_check_run.time_limit(for_request=False), (120, "limit_time_real"))
        with patch.dict(config.options, {"limit_time_real": 300, "limit_time_real_cron": -1}):
            self.assertEqual(tusfacturas_check_run.time_limit(for_request=False), (300, "limit_time_real"))
        with patch.dict(config.options, {"limit_time_real": 300, "limit_time_real_cron": 60}):
            self.assertEqual(tusfacturas_check_run.time_limit(for_request=False), (60, "limit_time_real_cron"))
            self.assertEqual(tusfacturas_check_run.time_limit(for_request=True), (300, "limit_time_real"))

    def test_batches_are_whole_rounds_of_parallel_calls(self):
        """A last round with idle call slots costs the batch a whole round for a few calls:
        the cap is lowered to whole rounds of the company's parallel calls."""
        budget = TimeBudget(time.monotonic(), 600)
        self.account.timeout = 1
        for parallel, size in [(1, 50), (3, 48), (4, 48), (7, 49), (8, 48), (10, 50)]:
            with self.subTest(parallel=parallel):
                self.company.tusfacturas_concurrency = parallel
                self.assertEqual(batch_size(budget, self.company), size)
        # Below the cap, the time budget gives whole rounds: 3 rounds of 8 calls of at most 5 s.
        self.account.timeout = 5
        self.company.tusfacturas_concurrency = 8
        budget = TimeBudget(time.monotonic(), 34)
        self.assertEqual(batch_size(budget, self.company), 24)

    def test_first_results_stored_while_the_batch_still_calls(self):
        """A batch's database work overlaps its calls: results are compared and stored by
        groups as the calls complete, so the next calls do not wait for it; only the last
        round of calls (2 customers here) is stored after the last call."""
        self.company.write({"tusfacturas_concurrency": 2, "tusfacturas_cron_scope": "all"})
        everyone = self.partners | self.make_settled_customers(8)
        last = everyone[-1]  # the last one called
        held = self.sandbox.hold(last.vat)  # TusFacturas answers it when the test says so
        Status = self.registry["tusfacturas.partner.status"]
        store, stored = Status._store, []

        def spy(statuses, partners, company, results):
            stored.append(partners.ids)
            held.set()  # the first results are being stored: now TusFacturas may answer
            return store(statuses, partners, company, results)

        # 60 s of a pass: batches of up to 22 (11 rounds of 2 calls of at most 5 s), whatever the configuration.
        with patch.object(Status, "_store", spy), patch.dict(config.options, {"limit_time_real_cron": 200}):
            self.run_pass()
        self.assertCountEqual([pid for ids in stored for pid in ids], everyone.ids, "one batch of 20, each stored once")
        self.assertNotIn(last.id, stored[0], "the first results were stored while its call was held")
        self.assertIn(last.id, stored[-1])
        self.assertLessEqual(len(stored[-1]), 2, "after the last call: one round's results")
        # Answered once the first group was being stored, and still part of the batch.
        self.assertEqual(last.tusfacturas_state, "ok")
        self.assertEqual(set(everyone.mapped("tusfacturas_state")), {"ok"})
        self.assertCountEqual(self.ledger_calls(), everyone.mapped("vat"), "each customer called once")
        self.assertEqual((self.runs().state, self.runs().checked_count), ("done", 20))

    def test_concurrent_calls(self):
        self.company.tusfacturas_concurrency = 4
        self.sandbox.delay = 0.3
        start = time.monotonic()
        self.run_pass()
        elapsed = time.monotonic() - start
        self.assertEqual(len(self.ledger_calls()), 12)
        self.assertGreater(self.sandbox.max_in_flight, 1)
        self.assertLessEqual(self.sandbox.max_in_flight, 4)
        self.assertLess(elapsed, 12 * 0.3, "calls overlapped")
        self.assertEqual(set(self.partners.mapped("tusfacturas_state")), {"ok"})

    def test_on_or_off_per_company(self):
        other_data = self.setup_other_company(name="Otra Empresa AR")
        other = other_data["company"]
        self.configure_company(other, apikey="5678")
        customer = self.partners[0]
        self.invoice(customer, 1000.0, company=other, taxes=other_data["default_tax_sale"])
        self.sandbox.ledgers[self.cuits[0]] = [tf_row("FACTURA A 0001-00000001", debe=1210, resta=1210, saldo=1210)]
        self.company.tusfacturas_check_active = False
        # Settings of the other company turn its check on, and the scheduled action with it.
        self.env["res.config.settings"].with_company(other).create({"tusfacturas_check_active": True}).execute()
        self.assertTrue(other.tusfacturas_check_active)
        self.assertFalse(self.company.tusfacturas_check_active)
        self.assertTrue(self.cron.active)
        self.run_to_the_end_of(other)
        self.assertEqual(self.sandbox.apikeys, ["5678"], "only the company whose check is on")
        self.assertEqual(customer.with_company(other).tusfacturas_state, "ok")
        self.assertEqual(customer.with_company(self.company).tusfacturas_state, "not_checked")
        # Both on: each company with its credentials and its books.
        self.company.tusfacturas_check_active = True
        self.run_to_the_end()
        self.env.invalidate_all()
        self.assertEqual(self.sandbox.apikeys.count("1234"), 12)
        self.assertEqual(customer.with_company(self.company).tusfacturas_state, "mismatch")  # TusFacturas: 1210
        # All off: the scheduled action stops.
        (self.company | other).write({"tusfacturas_check_active": False})
        self.assertFalse(self.cron.active)

    def run_to_the_end_of(self, company):
        for _pass in range(5):
            self.run_pass()
            if self.runs(company).state == "done":
                return
        self.fail("the run never ended")

    def test_refused_credentials_stop_the_company_until_fixed(self):
        other_data = self.setup_other_company(name="Otra Empresa AR")
        other = other_data["company"]
        self.configure_company(other, apikey="5678")
        other.tusfacturas_check_active = True
        self.invoice(self.partners[0], 1000.0, company=other, taxes=other_data["default_tax_sale"])
        self.account.apitoken = "revoked"
        self.company.tusfacturas_concurrency = 1
        with self.assertLogs(tusfacturas_check_run.__name__, "ERROR") as logs:
            self.run_pass()
        self.assertEqual(self.sandbox.apikeys.count("1234"), 1, "one refused call, then no more billed calls")
        self.assertEqual(self.sandbox.apikeys.count("5678"), 1, "the other company goes on")
        self.assertIn("refused the credentials of company", logs.output[0])
        self.assertEqual(self.runs().state, "stopped")
        self.assertTrue(self.account.credentials_refused)
        # Settings and the account show it to administrators...
        settings = self.env["res.config.settings"].with_company(self.company).create({})
        self.assertIn("refused the credentials", settings.tusfacturas_credentials_refused)
        self.assertIn("stopped", settings.tusfacturas_last_run)
        view = self.env["res.config.settings"].get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn("TusFacturas refused this company's credentials", view)
        # ...and no run starts again, even the next day...
        self.next_day()
        self.run_pass()
        self.assertEqual(self.sandbox.apikeys.count("1234"), 1)
        # ...until an administrator changes them.
        form = Form(self.account)
        form.apitoken = self.sandbox.accounts[0]["apitoken"]
        form.save()
        self.assertFalse(
            self.env["res.config.settings"].with_company(self.company).create({}).tusfacturas_credentials_refused
        )
        self.run_to_the_end()
        self.assertEqual(self.sandbox.apikeys.count("1234"), 13)

    def test_a_bad_night_stops_that_run_only(self):
        """Three 503 at 03:00 open the circuit breaker: that night's run stops, saying why,
        and the next day's run checks every customer as usual (issue 17)."""
        self.company.tusfacturas_concurrency = 1
        self.sandbox.mode = "http_503"
        self.run_to_the_end()
        run = self.runs()
        self.assertEqual(len(self.ledger_calls()), 3, "three identical failures, then no more billed calls")
        self.assertRecordValues(run, [{"state": "stopped", "credentials_refused": False}])
        self.assertIn("The first 3 calls to TusFacturas failed with this same error", run.stop_reason)
        settings = self.env["res.config.settings"].with_company(self.company).create({})
        self.assertFalse(settings.tusfacturas_credentials_refused, "not shown as refused credentials")
        self.assertIn("same error", settings.tusfacturas_last_run)
        self.run_pass()
        self.assertEqual(len(self.ledger_calls()), 3, "not again the same night")
        # TusFacturas answers again; the next scheduled occurrence runs normally.
        self.sandbox.mode = "ok"
        self.next_day()
        self.run_to_the_end()
        self.assertEqual(self.runs()[0].state, "done")
        self.env.invalidate_all()
        self.assertEqual(set(self.partners.mapped("tusfacturas_state")), {"ok"})
        self.assertEqual(len(self.ledger_calls()), 3 + 12)

    def test_customers_that_always_fail_never_silence_the_nightly_check(self):
        """Three customers answering HTTP 500 every night: they stop one night's run, not every
        night's; the others are checked the next night (issue 17)."""
        self.company.tusfacturas_concurrency = 1
        failing = self.cuits[:3]
        self.sandbox.cuit_modes = dict.fromkeys(failing, "http_500")
        self.run_to_the_end()
        self.next_day()
        self.run_to_the_end()
        self.env.invalidate_all()
        states = dict(zip(self.cuits, self.partners.mapped("tusfacturas_state"), strict=True))
        self.assertEqual({cuit for cuit, state in states.items() if state == "ok"}, set(self.cuits[3:]))
        self.assertEqual(self.ledger_calls().count(failing[0]), 2, "once a night, never retried")

    def test_every_timeout_settings_accept_checks_every_customer(self):
        """The longest timeout Settings accept (120 s), with Odoo's default time limits
        (limit_time_real 120 s, limit_time_real_cron -1): every customer is checked, each
        call given the time the pass has left (issue 17)."""
        self.account.timeout = 120
        self.company.tusfacturas_concurrency = 4
        with patch.dict(config.options, {"limit_time_real": 120, "limit_time_real_cron": -1}):
            self.run_to_the_end(max_passes=3)
        self.assertEqual(self.runs().state, "done")
        self.assertCountEqual(self.ledger_calls(), self.cuits, "each customer called exactly once")
        self.env.invalidate_all()
        self.assertEqual(set(self.partners.mapped("tusfacturas_state")), {"ok"})

    def test_a_time_limit_too_short_for_any_call_says_so(self):
        """limit_time_real_cron of 4 s leaves 0.7 s per pass: no call can be made. The run
        says why, in Settings too, instead of coming back every minute for nothing."""
        with patch.dict(config.options, {"limit_time_real_cron": 4}):
            self.run_pass()
            self.run_pass()
        self.assertFalse(self.sandbox.calls)
        run = self.runs()
        self.assertEqual(run.state, "stopped")
        self.assertIn("limit_time_real_cron", run.stop_reason)
        settings = self.env["res.config.settings"].with_company(self.company).create({})
        self.assertIn("limit_time_real_cron", settings.tusfacturas_last_run)
        self.assertFalse(
            self.env["ir.cron.trigger"].search([("cron_id", "=", self.cron.id)]), "no continuation scheduled"
        )

    def test_neutralized_database_never_calls(self):
        self.env["ir.config_parameter"].set_param("database.is_neutralized", True)
        self.run_pass()
        self.cron.method_direct_trigger()
        self.assertFalse(self.sandbox.calls)
        self.assertFalse(self.runs())

    def test_neutralize_clears_credentials_and_turns_the_check_off(self):
        # What `odoo-bin neutralize` runs on this database includes this module's SQL...
        odoo_bin = os.path.join(os.path.dirname(odoo.__path__[0]), "odoo-bin")
        command = [sys.executable, odoo_bin, "neutralize", "--stdout", "-d", self.env.cr.dbname]
        if config.rcfile and os.path.exists(config.rcfile):
            command += ["-c", config.rcfile]
        if config["addons_path"]:
            command += ["--addons-path", config["addons_path"]]
        output = subprocess.run(command, capture_output=True, text=True, check=True, timeout=120).stdout
        self.assertIn("apitoken = NULL", output)
        # ...and running it (the same function, in this test's transaction) leaves no way to call.
        self.cron.active = True
        self.env.flush_all()
        neutralize_database(self.env.cr)
        self.env.invalidate_all()
        self.assertFalse(self.company._tusfacturas_ledger_account(), "no account has its credentials")
        self.assertFalse(self.company.tusfacturas_check_active)
        self.assertFalse(self.cron.active)
        self.company.tusfacturas_check_active = True
        self.assertFalse(self.cron.active, "not turned back on in a neutralized database")
        self.run_pass()
        self.assertFalse(self.sandbox.calls)

    def test_scheduled_run_writes_in_the_company_language(self):
        self.env["res.lang"]._activate_lang("es_AR")
        self.env["ir.module.module"]._load_module_terms(["tusfacturas_cuenta_corriente"], ["es_AR"], overwrite=True)
        self.company.partner_id.lang = "es_AR"
        self.sandbox.cuit_modes = {self.cuits[0]: "http_503"}
        self.sandbox.ledgers[self.cuits[1]] = [tf_row("FACTURA A 0001-00000999", debe=5, resta=5, saldo=5)]
        self.run_to_the_end()
        self.assertEqual(
            self.partners[0].tusfacturas_error,
            "TusFacturas no está disponible en este momento (HTTP 503). Intente de nuevo más tarde.",
        )
        note = self.partners[1].message_ids[:1]
        self.assertIn("TusFacturas y Odoo", note.body)

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

    def test_queries_per_customer_bounded_in_large_batches(self):
        """A batch costs a few queries per group of customers, none per customer: at 8 parallel
        calls, checking 32 or 48 customers costs at most half a query per customer more than 16."""
        engine = self.env["tusfacturas.reconciliation"]
        self.company.tusfacturas_concurrency = 8
        everyone = self.make_settled_customers(48)

        def count(partners):
            self.env.invalidate_all()
            start = self.env.cr.sql_log_count
            engine._reconcile_batch(partners, self.company)
            return self.env.cr.sql_log_count - start

        count(everyone)  # warm up caches; every customer has a status and balances to replace
        one_group = count(everyone[:16])
        for size in (32, 48):
            self.assertLessEqual((count(everyone[:size]) - one_group) / (size - 16), 0.5, size)


@tagged("post_install", "-at_install")
class TestCheckSettings(CronCase):
    def test_limits_have_sane_bounds(self):
        for field, value in [
            ("tusfacturas_concurrency", 0),
            ("tusfacturas_concurrency", 50),
            ("tusfacturas_cron_limit", 0),
            ("tusfacturas_cron_days", 0),
        ]:
            with self.subTest(field=field, value=value), self.assertRaises(ValidationError):
                self.company.write({field: value})
        with self.assertRaisesRegex(ValidationError, "entre 1 y 120"):
            self.env["res.lang"]._activate_lang("es_AR")
            self.env["ir.module.module"]._load_module_terms(["tusfacturas_cuenta_corriente"], ["es_AR"], overwrite=True)
            self.account.with_context(lang="es_AR").write({"timeout": 0})

    def test_only_administrators_see_and_change_the_automatic_check(self):
        company = self.company.with_user(self.billing_user)
        for field in ("tusfacturas_check_active", "tusfacturas_cron_limit", "tusfacturas_cron_scope"):
            with self.subTest(field=field), self.assertRaises(AccessError):
                company.read([field])
        with self.assertRaises(AccessError):
            self.env["tusfacturas.check.run"].with_user(self.billing_user).search([])
        settings_fields = self.env["res.config.settings"].with_user(self.billing_user).fields_get()
        self.assertNotIn("tusfacturas_check_active", settings_fields)
        self.assertNotIn("tusfacturas_last_run", settings_fields)
        # The check's own bookkeeping is read-only, even for administrators.
        self.run_pass()
        with self.assertRaises(AccessError):
            self.runs().with_user(self.env.ref("base.user_admin")).write({"state": "done"})


@tagged("post_install", "-at_install")
class TestCheckListAction(TusFacturasCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.action = cls.env.ref("tusfacturas_cuenta_corriente.action_tusfacturas_reconcile_partners")
        cls.salesman = new_test_user(cls.env, login="tf_sales2", groups="base.group_user",
                                     company_ids=[Command.set(cls.company.ids)], company_id=cls.company.id)  # fmt: skip
        cls.portal = new_test_user(cls.env, login="tf_portal", groups="base.group_portal",
                                   company_ids=[Command.set(cls.company.ids)], company_id=cls.company.id)  # fmt: skip

    def run_action(self, partners, user):
        return self.action.with_user(user).with_context(active_model="res.partner", active_ids=partners.ids).run()

    def test_billing_user_checks_selected_customers(self):
        cuits = make_cuits(3)
        partners = self.make_customers(cuits, "C{i}")
        self.sandbox.ledgers[cuits[0]] = [tf_row("FACTURA A 0001-00000123", debe=5, resta=5, saldo=5)]
        self.sandbox.cuit_modes = {cuits[2]: "http_500"}
        self.assertEqual(self.action.name, "Check with TusFacturas")
        result = self.run_action(partners, self.billing_user)
        self.assertEqual(result["params"]["title"], "TusFacturas check")
        self.assertEqual(result["params"]["message"], "1 in agreement, 1 with differences, 1 with errors.")
        self.assertEqual(partners.mapped("tusfacturas_state"), ["mismatch", "ok", "error"])

    def test_bounded_in_number(self):
        partners = self.env["res.partner"].create([{"name": f"P{i}", "is_company": True} for i in range(101)])
        with self.assertRaisesRegex(UserError, "Select at most 100 customers"):
            partners.action_tusfacturas_reconcile()
        self.assertFalse(self.sandbox.calls)

    def test_bounded_in_time(self):
        """limit_time_real 6 s: the action claims only what ends within its share (3 s)."""
        cuits = make_cuits(10)
        partners = self.make_customers(cuits, "C{i}")
        self.account.timeout = 1
        self.company.tusfacturas_concurrency = 2
        self.sandbox.delay = 0.5
        start = time.monotonic()
        with patch.dict(config.options, {"limit_time_real": 6}):
            result = self.run_action(partners, self.billing_user)
        self.assertLess(time.monotonic() - start, 6)
        called = len(self.sandbox.calls)
        self.assertTrue(0 < called < 10, called)
        self.assertIn(f"{10 - called} not checked this time", result["params"]["message"])
        self.assertEqual(len(partners.filtered(lambda p: p.tusfacturas_state == "ok")), called, "nothing lost")

    def test_refused_before_any_call_without_billing_rights(self):
        partners = self.customer | self.make_customer("Otro SA", make_cuits(1)[0])
        for user in (self.salesman, self.portal):
            with self.subTest(user=user.login):
                with self.assertRaises(AccessError):
                    partners.with_user(user).action_tusfacturas_reconcile()
                with self.assertRaises(AccessError):
                    self.customer.with_user(user).action_open_tusfacturas_ledger()
                with self.assertRaises(AccessError):
                    self.account.with_user(user).action_test_connection()
        self.assertFalse(self.sandbox.calls)

    def test_not_offered_without_billing_rights(self):
        bindings = self.env["ir.actions.actions"].with_user(self.salesman).get_bindings("res.partner")
        names = [a["name"] for a in bindings.get("action", [])]
        self.assertNotIn("Check with TusFacturas", names)
        billing = self.env["ir.actions.actions"].with_user(self.billing_user).get_bindings("res.partner")
        self.assertIn("Check with TusFacturas", [a["name"] for a in billing.get("action", [])])


@tagged("post_install", "-at_install")
class TestCheckOverRpc(TusFacturasCase, HttpCase):
    """What a user without Billing rights gets by calling the methods over JSON-RPC."""

    def call_kw(self, login, model, method, ids):
        self.authenticate(login, login)
        return self.url_open(
            "/web/dataset/call_kw",
            data=json.dumps(
                {"jsonrpc": "2.0", "method": "call",
                 "params": {"model": model, "method": method, "args": [ids], "kwargs": {}}}
            ),
            headers={"Content-Type": "application/json"},
        ).json()  # fmt: skip

    def test_internal_and_portal_users_refused_before_any_call(self):
        new_test_user(self.env, login="tf_rpc_sales", groups="base.group_user",
                      company_ids=[Command.set(self.company.ids)], company_id=self.company.id)  # fmt: skip
        new_test_user(self.env, login="tf_rpc_portal", groups="base.group_portal",
                      company_ids=[Command.set(self.company.ids)], company_id=self.company.id)  # fmt: skip
        for login in ("tf_rpc_sales", "tf_rpc_portal"):
            for method in ("action_tusfacturas_reconcile", "action_open_tusfacturas_ledger"):
                with self.subTest(login=login, method=method):
                    answer = self.call_kw(login, "res.partner", method, self.customer.ids)
                    self.assertEqual(answer["error"]["data"]["name"], "odoo.exceptions.AccessError")
        self.assertEqual(self.sandbox.calls, [], "no billed call")
        answer = self.call_kw("tf_billing", "res.partner", "action_tusfacturas_reconcile", self.customer.ids)
        self.assertNotIn("error", answer)
        self.assertEqual(len(self.sandbox.calls), 1)
