"""What a misbehaving TusFacturas does to the Odoo side: one poisonous answer costs one
customer, a refusal stops the batch, every failure reads as a clear message."""

from unittest.mock import patch

from odoo.exceptions import UserError
from odoo.tests import BaseCase, tagged

from ..sandbox.cuits import make_cuits
from ..sandbox.server import REFERENCE_ROWS
from ..tusfacturas import TusFacturasClient, TusFacturasError, batch
from ..tusfacturas.breaker import CircuitBreaker
from .common import ADHOC_CUIT, TusFacturasCase


class BuggyClient(TusFacturasClient):
    """A client with a bug that shows for one CUIT only."""

    def __init__(self, bad_cuit, **kwargs):
        super().__init__(**kwargs)
        self.bad_cuit = bad_cuit

    def customer_ledger(self, cuit, **options):
        if cuit == self.bad_cuit:
            raise RuntimeError("a bug")
        return super().customer_ledger(cuit, **options)


@tagged("post_install", "-at_install")
class TestBatchSurvivesHostileAnswers(TusFacturasCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.cuits = make_cuits(6)
        cls.partners = cls.make_customers(cls.cuits)
        cls.company.tusfacturas_concurrency = 1

    def setUp(self):
        super().setUp()
        for cuit in self.cuits:
            self.sandbox.ledgers[cuit] = []  # nothing owed on either side: "ok"

    def reconcile(self):
        return self.env["tusfacturas.reconciliation"]._reconcile_batch(self.partners, self.company)

    def ledger_calls(self):
        return [cuit for method, cuit in self.sandbox.calls if method == "clientes/cuenta-corriente"]

    def test_poisonous_answers_cost_one_customer_each(self):
        poison = {self.cuits[1]: "nested_json", self.cuits[3]: "huge_integer", self.cuits[5]: "nan"}
        self.sandbox.cuit_modes = poison
        result = self.reconcile()
        self.assertFalse(result.credentials_refused)
        states = self.partners.mapped("tusfacturas_state")
        self.assertEqual(states, ["ok", "error", "ok", "error", "ok", "error"])
        self.assertIn("not valid JSON", self.partners[1].tusfacturas_error)
        self.assertIn('the field "debe" of row 1', self.partners[3].tusfacturas_error)

    def test_unexpected_exception_costs_one_customer(self):
        cuits = dict(zip(self.partners.ids, self.cuits, strict=True))
        client = BuggyClient(self.cuits[2], base_url=self.sandbox.url, timeout=5, **self.credentials())
        with (
            self.assertLogs(batch.__name__, "ERROR"),
            batch.fetching_ledgers(client, cuits, 2) as fetch,
        ):
            fetched = dict(fetch.completed())
        self.assertEqual(len(fetched), 6)
        error = fetched[self.partners[2].id]
        self.assertIsInstance(error, TusFacturasError)
        self.assertEqual((error.code, error.detail), ("unexpected", "RuntimeError"))
        self.assertEqual(sum(isinstance(rows, list) for rows in fetched.values()), 5)
        message = self.env["tusfacturas.service"]._error_message(error, self.company)
        self.assertIn("The other customers were not affected", message)

    def credentials(self):
        account = self.account.sudo()
        return {"usertoken": account.usertoken, "apikey": account.apikey, "apitoken": account.apitoken}

    def test_in_band_refusal_stops_the_batch_at_once(self):
        self.sandbox.mode = "refused_in_band"  # HTTP 200, "error": "S": a refusal of the account in disguise
        result = self.reconcile()
        self.assertEqual(len(self.ledger_calls()), 1, "a refusal of the credentials: no more billed calls")
        self.assertTrue(result.credentials_refused, "the scheduled run stops for this company")
        self.assertEqual(self.partners.mapped("tusfacturas_state"), ["error"] + ["not_checked"] * 5)
        message = self.partners[0].tusfacturas_error
        self.assertIn("no tiene acceso a la API desde la IP", message)
        self.assertNotIn("failed with this same error", message)

    def test_three_identical_failures_stop_the_batch_for_this_run(self):
        self.sandbox.mode = "api_error"  # the same "error": "S" for everyone: the service, not the customers
        result = self.reconcile()
        self.assertEqual(len(self.ledger_calls()), 3, "three identical failures, then no more billed calls")
        self.assertFalse(result.credentials_refused, "not a refusal of the credentials")
        self.assertTrue(result.stop_reason)
        self.assertEqual(self.partners.mapped("tusfacturas_state"), ["error"] * 3 + ["not_checked"] * 3)
        self.assertIn(
            "The first 3 calls to TusFacturas failed with this same error", self.partners[2].tusfacturas_error
        )
        # The next batch starts again.
        self.sandbox.reset()
        result = self.reconcile()
        self.assertFalse(result.stop_reason)
        self.assertEqual(len(self.ledger_calls()), 6)
        self.env.invalidate_all()
        self.assertEqual(set(self.partners.mapped("tusfacturas_state")), {"ok"})

    def test_failures_after_a_success_do_not_stop_the_batch(self):
        self.sandbox.cuit_modes = dict.fromkeys(self.cuits[1:], "api_error")
        result = self.reconcile()
        self.assertFalse(result.credentials_refused or result.stop_reason)
        self.assertEqual(len(self.ledger_calls()), 6)

    def test_a_batch_that_fails_stops_calling(self):
        """Results are stored while the batch still calls: if storing fails (the whole
        batch is rolled back), the calls not started yet are not made (each is billed)."""
        everyone = self.partners | self.make_settled_customers(14)
        self.account.timeout = 1
        self.sandbox.hold(everyone[16].vat)  # the 17th call is still waiting when the first group is stored
        Status = self.registry["tusfacturas.partner.status"]

        def failing_store(statuses, partners, company, results):
            raise RuntimeError("the database went away")

        with patch.object(Status, "_store", failing_store), self.assertRaisesRegex(RuntimeError, "went away"):
            self.env["tusfacturas.reconciliation"]._reconcile_batch(everyone, self.company)
        self.assertLessEqual(len(self.ledger_calls()), 17, "16 answered, at most one in flight; 3 never made")

    def test_refused_credentials_stop_at_once(self):
        self.sandbox.mode = "http_401"
        result = self.reconcile()
        self.assertTrue(result.credentials_refused)
        self.assertEqual(len(self.ledger_calls()), 1)
        self.assertNotIn("The first", self.partners[0].tusfacturas_error)

    def test_messages_for_the_new_failures(self):
        self.sandbox.ledgers[ADHOC_CUIT] = REFERENCE_ROWS
        for mode, expected in [
            ("redirect_308", "redirect (HTTP 308), which is never followed"),
            ("huge_declared", "larger than 50 MB"),
            ("double_gzip", "unsupported or corrupt compression"),
            ("nested_json", "not valid JSON"),
        ]:
            with self.subTest(mode=mode):
                self.sandbox.mode = mode
                self.sandbox.redirect_to = "http://127.0.0.1:9/app/api/v2/clientes/cuenta-corriente"
                with self.assertRaises(UserError) as caught:
                    self.open_ledger()
                self.assertIn(expected, str(caught.exception))
        # Settings refuse it now; a value stored before that (or by SQL) is still caught.
        self.env.cr.execute("UPDATE tusfacturas_account SET timeout = -5 WHERE id = %s", [self.account.id])
        self.account.invalidate_recordset(["timeout"])
        with self.assertRaisesRegex(UserError, "positive number of seconds"):
            self.open_ledger()


@tagged("post_install", "-at_install")
class TestHostileAnswersInSpanish(TusFacturasCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("es_AR")
        cls.env["ir.module.module"]._load_module_terms(["tusfacturas_cuenta_corriente"], ["es_AR"], overwrite=True)

    def test_redirect_message_in_spanish(self):
        self.sandbox.mode = "redirect_301"
        self.sandbox.redirect_to = "http://127.0.0.1:9/app/api/v2/clientes/cuenta-corriente"
        with self.assertRaises(UserError) as caught:
            self.customer.with_context(lang="es_AR").action_open_tusfacturas_ledger()
        self.assertIn("redirección (HTTP 301)", str(caught.exception))


@tagged("post_install", "-at_install")
class TestCircuitBreaker(BaseCase):
    def test_same_failure_three_times_at_the_start(self):
        breaker = CircuitBreaker()
        self.assertFalse(breaker.record(TusFacturasError("api_errors", errors=["Sin acceso"])))
        self.assertFalse(breaker.record(TusFacturasError("api_errors", errors=["  SIN   acceso "])))
        self.assertTrue(breaker.allows())
        self.assertTrue(breaker.record(TusFacturasError("api_errors", errors=["sin acceso"])))
        self.assertFalse(breaker.allows())

    def test_different_failures_or_a_success_keep_it_closed(self):
        breaker = CircuitBreaker()
        for errors in (["a"], ["b"], ["a"], ["b"]):
            breaker.record(TusFacturasError("api_errors", errors=errors))
        self.assertTrue(breaker.allows())
        breaker.record(None)
        for _i in range(5):
            breaker.record(TusFacturasError("unavailable", status=503))
        self.assertTrue(breaker.allows(), "a batch that worked once goes on")

    def test_per_customer_failures_do_not_count(self):
        breaker = CircuitBreaker()
        for row in (1, 1, 1, 1):
            breaker.record(TusFacturasError("invalid_response", field="debe", row=row))
        self.assertTrue(breaker.allows())

    def test_it_tells_what_opened_it(self):
        breaker = CircuitBreaker(threshold=2)
        first, second = TusFacturasError("timeout"), TusFacturasError("timeout")
        self.assertFalse(breaker.record(first))
        self.assertIsNone(breaker.opened_by)
        self.assertTrue(breaker.record(second))
        self.assertIs(breaker.opened_by, second)
        self.assertFalse(breaker.record(TusFacturasError("timeout")), "already open")
        self.assertIs(breaker.opened_by, second)

    def test_an_error_recorded_twice_counts_once(self):
        # The client records each attempt; a caller recording the error it got again adds nothing.
        breaker = CircuitBreaker()
        error = TusFacturasError("unavailable", status=503)
        for _i in range(3):
            self.assertFalse(breaker.record(error))
        self.assertEqual(breaker.failures, 1)
        self.assertTrue(breaker.allows())

    def test_refused_credentials_open_it_at_once(self):
        breaker = CircuitBreaker()
        self.assertTrue(breaker.record(TusFacturasError("unauthorized", status=403)))
        self.assertFalse(breaker.allows())
        # Refused in band: "error": "S" with messages the client recognised as a refusal.
        breaker = CircuitBreaker()
        refusal = TusFacturasError("api_errors", errors=["Acceso denegado"], refused=True)
        self.assertTrue(refusal.is_credential_error)
        self.assertTrue(breaker.record(refusal))
        self.assertEqual((breaker.opened_by, breaker.failures), (refusal, 1))

    def test_only_a_refusal_is_a_credential_error(self):
        error = TusFacturasError("unavailable", status=503)
        error.stop_reason = "The first 3 customers checked failed with this same error."
        self.assertFalse(error.is_credential_error, "a batch that stopped on it is no refusal")
        self.assertTrue(TusFacturasError("unauthorized", status=401).is_credential_error)
        self.assertFalse(TusFacturasError("api_errors", errors=["Acceso denegado"]).is_credential_error)


class TestResultGroups(BaseCase):
    """A batch's results are worked on in groups while calls are in flight; the last round of
    calls is a group of its own, so that the work left after the last call is one round's."""

    def test_every_result_once_in_order_the_last_round_alone(self):
        for count in (1, 7, 8, 9, 16, 20, 48, 50):
            for concurrency in (1, 4, 8):
                size = concurrency * -(-16 // concurrency)
                groups = list(batch.result_groups(iter(range(count)), count, concurrency, size))
                with self.subTest(count=count, concurrency=concurrency):
                    self.assertEqual([item for group in groups for item in group], list(range(count)))
                    self.assertLessEqual(len(groups[-1]), concurrency)
                    self.assertTrue(all(len(group) <= size for group in groups))
                    self.assertLessEqual(len(groups), -(-count // size) + 1)

    def test_calls_cancelled_end_the_last_group(self):
        groups = list(batch.result_groups(iter(range(10)), 48, 8, 16))
        self.assertEqual(groups, [list(range(10))])
