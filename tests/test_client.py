import logging

from odoo.tests import BaseCase, tagged

from ..sandbox import SandboxServer
from ..sandbox.server import DEFAULT_CREDENTIALS, REFERENCE_ROWS
from ..tusfacturas import TusFacturasClient, TusFacturasError, parse_ledger
from .common import ADHOC_CUIT

CLIENT_LOGGER = TusFacturasClient.__module__
ADDON_LOGGER = CLIENT_LOGGER.rsplit(".", 2)[0]


@tagged("post_install", "-at_install")
class TestClient(BaseCase):
    """The plain-Python client against the sandbox, over a real socket."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sandbox = SandboxServer(ledgers={ADHOC_CUIT: REFERENCE_ROWS}).start()
        cls.addClassCleanup(cls.sandbox.stop)

    def setUp(self):
        super().setUp()
        self.sandbox.reset()
        # Short backoff: retries are tested in test_client_hostile.
        self.client = TusFacturasClient(base_url=self.sandbox.url, timeout=2, backoff=0.01, **DEFAULT_CREDENTIALS)

    def test_customer_ledger(self):
        rows = parse_ledger(self.client.customer_ledger(ADHOC_CUIT))
        self.assertEqual(
            [(r.debit, r.balance, r.document.key) for r in rows],
            [(112.1, 112.1, ("1", 2, 1)), (112.1, 224.2, ("1", 2, 2))],
        )
        self.assertEqual(self.sandbox.calls, [("clientes/cuenta-corriente", ADHOC_CUIT)])

    def test_account_usage(self):
        self.assertEqual(
            self.client.account_usage(),
            {
                "comprobantes_cupo": 100,
                "comprobantes_generados": 12,
                "comprobantes_disponibles": 79,
                "abonos_pendientes": 21,
            },
        )

    def test_error_codes(self):
        for mode, code, status in [
            ("api_error", "api_errors", None),
            ("http_401", "unauthorized", 401),
            ("http_403", "unauthorized", 403),
            ("http_400", "bad_request", 400),
            ("http_404", "not_found", 404),
            ("http_405", "method_not_allowed", 405),
            ("http_429", "unavailable", 429),
            ("http_500", "unavailable", 500),
            ("drop", "connection", None),
            ("not_json", "invalid_json", None),
            ("no_resultados", "invalid_response", None),
        ]:
            with self.subTest(mode=mode):
                self.sandbox.mode = mode
                with self.assertRaises(TusFacturasError) as caught:
                    self.client.customer_ledger(ADHOC_CUIT)
                self.assertEqual((caught.exception.code, caught.exception.status), (code, status))

    def test_timeout(self):
        # Odoo's test classes raise timeouts under 10 s to 10 s: time out at 10 s, answer after 11.
        self.sandbox.mode, self.sandbox.slow_seconds = "slow", 11
        client = TusFacturasClient(base_url=self.sandbox.url, timeout=10, **DEFAULT_CREDENTIALS)
        with self.assertRaises(TusFacturasError) as caught:
            client.customer_ledger(ADHOC_CUIT)
        self.assertEqual(caught.exception.code, "timeout")

    def test_credentials_never_in_errors_logs_or_repr(self):
        secrets = [DEFAULT_CREDENTIALS["usertoken"], DEFAULT_CREDENTIALS["apitoken"]]
        # Everything the addon logs (client, sandbox, models), at every level.
        with self.assertLogs(ADDON_LOGGER, logging.DEBUG) as logs:
            for mode in ("http_401", "drop", "api_error", "not_json"):
                self.sandbox.mode = mode
                with self.assertRaises(TusFacturasError) as caught:
                    self.client.customer_ledger(ADHOC_CUIT)
                for secret in secrets:
                    self.assertNotIn(secret, str(caught.exception))
                    self.assertNotIn(secret, repr(caught.exception.__cause__ or ""))
        logged = "\n".join(logs.output)
        self.assertIn("HTTP 401", logged)
        for secret in secrets:
            self.assertNotIn(secret, logged)
            self.assertNotIn(secret, repr(self.client))


@tagged("post_install", "-at_install")
class TestParseLedger(BaseCase):
    def test_amounts_as_strings_with_comma_or_dot(self):
        [row] = parse_ledger([dict(REFERENCE_ROWS[0], debe="112,10", saldo="112.1")])
        self.assertEqual((row.debit, row.balance, row.amount), (112.1, 112.1, 112.1))

    def test_not_a_list(self):
        with self.assertRaises(TusFacturasError) as caught:
            parse_ledger({"fecha": "x"})
        self.assertEqual(caught.exception.field, "resultados")

    def test_row_not_an_object(self):
        with self.assertRaises(TusFacturasError) as caught:
            parse_ledger([REFERENCE_ROWS[0], "FACTURA"])
        self.assertEqual((caught.exception.field, caught.exception.row), ("resultados", 2))

    def test_ambiguous_or_insane_amounts_are_refused(self):
        for value in ("1.234", "1,234", "-5.000", "1.234,56", "1,234.56", "1e5", "١٢", "NaN", 1e15, -1e300, 10**20):
            with self.subTest(value=value), self.assertRaises(TusFacturasError) as caught:
                parse_ledger([REFERENCE_ROWS[0], dict(REFERENCE_ROWS[0], haber=value)])
            self.assertEqual((caught.exception.field, caught.exception.row), ("haber", 2))
        for value, amount in (("0.125", 0.125), ("1234.567", 1234.567), (" 12,5 ", 12.5), ("-7", -7.0), (10**14, 1e14)):
            with self.subTest(value=value):
                self.assertEqual(parse_ledger([dict(REFERENCE_ROWS[0], haber=value)])[0].credit, amount)

    def test_dates_must_be_real(self):
        for value in ("31/02/2024", "29/02/2023", "00/01/2020", "11/13/2017", "2017-05-11", 11052017, None):
            with self.subTest(value=value), self.assertRaises(TusFacturasError) as caught:
                parse_ledger([dict(REFERENCE_ROWS[0], fecha=value)])
            self.assertEqual(caught.exception.field, "fecha")
