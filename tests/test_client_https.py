"""The client over real TLS: the sandbox serves https:// with certificates made for the
test, directly and through CONNECT proxies (plain and TLS), on loopback."""

import os
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from unittest.mock import patch

from odoo.tests import BaseCase, TransactionCase, tagged

from ..sandbox import SandboxServer
from ..sandbox.server import REFERENCE_ROWS
from ..tusfacturas import TusFacturasClient, TusFacturasError
from .certificates import CertificateAuthority
from .common import ADHOC_CUIT

SECRETS = {"usertoken": "ut-5d1c9e7a3b2f", "apikey": "736251", "apitoken": "at-9a8b7c6d5e4f"}
# What the environment may say about CA bundles and proxies: each test says it itself.
ENVIRONMENT = ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "NO_PROXY")


@tagged("post_install", "-at_install")
class TestHTTPS(BaseCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        folder = tempfile.TemporaryDirectory()
        cls.addClassCleanup(folder.cleanup)
        cls.authority = CertificateAuthority(folder.name)
        cls.sandbox = cls.serve(cls.authority.issue("sandbox"))
        # A certificate the same authority signed for another host.
        cls.elsewhere = cls.serve(cls.authority.issue("elsewhere", hosts=("tusfacturas.invalid",)))
        cls.proxy = cls.serve()  # a plain http proxy
        cls.tls_proxy = cls.serve(cls.authority.issue("proxy"))  # an https:// proxy

    @classmethod
    def serve(cls, certificate=None):
        sandbox = SandboxServer(ledgers={ADHOC_CUIT: REFERENCE_ROWS}, credentials=SECRETS, certificate=certificate)
        cls.addClassCleanup(sandbox.stop)
        return sandbox.start()

    def setUp(self):
        super().setUp()
        for sandbox in (self.sandbox, self.elsewhere, self.proxy, self.tls_proxy):
            sandbox.reset()
        self.startPatcher(patch.dict(os.environ))
        for name in ENVIRONMENT:
            os.environ.pop(name, None)
            os.environ.pop(name.lower(), None)

    def client(self, sandbox=None, **options):
        options = {"timeout": 2, "backoff": 0.01, **options}
        return TusFacturasClient(base_url=(sandbox or self.sandbox).url, **options, **SECRETS)

    def trusted(self, **environ):
        return patch.dict(os.environ, environ or {"REQUESTS_CA_BUNDLE": self.authority.ca_file})

    def fails(self, code, client):
        with self.assertRaises(TusFacturasError) as caught:
            client.customer_ledger(ADHOC_CUIT)
        self.assertEqual(caught.exception.code, code, caught.exception)
        return caught.exception

    def test_unknown_certificate_is_a_clear_error_never_retried(self):
        self.assertTrue(self.sandbox.url.startswith("https://127.0.0.1:"))
        error = self.fails("connection", self.client())
        self.assertEqual((error.detail, error.attempts), ("certificate", 1))
        self.assertEqual(self.sandbox.connections, 1, "one handshake, not retried")
        self.assertEqual(self.sandbox.calls, [], "nothing was sent")

    def test_ca_bundle_from_the_environment(self):
        for variable in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
            with self.subTest(variable=variable), self.trusted(**{variable: self.authority.ca_file}):
                self.assertEqual(len(self.client().customer_ledger(ADHOC_CUIT)), 2)
        self.assertEqual(len(self.sandbox.calls), 2)

    def test_certificate_for_another_host_is_refused(self):
        # urllib3 matches the name itself (the shared context leaves it to it), and says so.
        with self.trusted(), self.assertLogs("urllib3.connection", "WARNING") as logs:
            error = self.fails("connection", self.client(self.elsewhere))
        self.assertIn("Certificate did not match expected hostname: 127.0.0.1", logs.output[0])
        self.assertEqual((error.detail, error.attempts), ("certificate", 1))
        self.assertEqual(self.elsewhere.calls, [])

    def test_unreadable_ca_bundle(self):
        with self.trusted(REQUESTS_CA_BUNDLE=os.path.join(os.path.dirname(self.authority.ca_file), "missing.pem")):
            error = self.fails("invalid_settings", self.client())
        self.assertEqual(error.field, "ca_bundle")
        self.assertEqual(self.sandbox.connections, 0)

    def test_keep_alive_one_handshake_per_connection(self):
        sandbox = self.serve(self.authority.issue("keep-alive"))
        with self.trusted():
            for _i in range(3):
                self.client(sandbox).customer_ledger(ADHOC_CUIT)
            self.assertEqual((len(sandbox.calls), sandbox.connections), (3, 1), "three calls, one connection")
            # Worker threads (a batch's pool), each with its session: one connection each at most.
            barrier = threading.Barrier(4)

            def call(_i):
                barrier.wait(timeout=5)
                return self.client(sandbox).customer_ledger(ADHOC_CUIT)

            with ThreadPoolExecutor(4) as pool:
                self.assertEqual([len(rows) for rows in pool.map(call, range(8))], [2] * 8)
        self.assertEqual(len(sandbox.calls), 11)
        self.assertLessEqual(sandbox.connections, 4)

    def test_through_a_connect_proxy(self):
        self.proxy.tunnel = True
        with self.trusted(REQUESTS_CA_BUNDLE=self.authority.ca_file, https_proxy=self.proxy.url.split("/app/")[0]):
            self.assertEqual(len(self.client().customer_ledger(ADHOC_CUIT)), 2)
        port = self.sandbox.url.split(":")[2].split("/")[0]
        self.assertEqual(self.proxy.received, [self.proxy.received[0]])
        self.assertRegex(self.proxy.received[0], rf"^CONNECT 127.0.0.1:{port} HTTP/1\.[01]\r\n".encode())
        self.assertTrue(self.proxy.tunneled, "the request went through the tunnel")
        for secret in SECRETS.values():
            self.assertNotIn(secret.encode(), self.proxy.received[0] + self.proxy.tunneled)
        self.assertEqual(self.proxy.calls, [])
        self.assertEqual(len(self.sandbox.calls), 1)

    def test_through_an_https_proxy(self):
        self.tls_proxy.tunnel = True
        # By name: urllib3 1.26 cannot check an https:// proxy's certificate for an IP address.
        proxy = self.tls_proxy.url.split("/app/")[0].replace("127.0.0.1", "localhost")
        self.assertTrue(proxy.startswith("https://"))
        with self.trusted(REQUESTS_CA_BUNDLE=self.authority.ca_file, HTTPS_PROXY=proxy):
            self.assertEqual(len(self.client().customer_ledger(ADHOC_CUIT)), 2)
        self.assertRegex(self.tls_proxy.received[0], rb"^CONNECT 127.0.0.1:")
        self.assertEqual(len(self.sandbox.calls), 1)
        # The proxy's certificate is checked too: an untrusted proxy is not even asked.
        self.tls_proxy.reset()
        with patch.dict(os.environ, {"HTTPS_PROXY": proxy}):
            error = self.fails("connection", self.client())
        self.assertEqual((error.detail, error.attempts), ("certificate", 1))
        self.assertEqual(self.tls_proxy.received, [], "an untrusted proxy is not even asked")

    def test_a_proxy_refusing_the_tunnel(self):
        with patch.dict(os.environ, {"https_proxy": self.proxy.url.split("/app/")[0]}):
            error = self.fails("connection", self.client())
        self.assertEqual((error.detail, error.attempts), ("proxy", 1), "the proxy said no: not asked again")
        self.assertRegex(self.proxy.received[0], rb"^CONNECT 127.0.0.1:")
        self.assertEqual(self.sandbox.connections, 0)


@tagged("post_install", "-at_install")
class TestTransportMessages(TransactionCase):
    """What users read for the transport's failures, in English and in Spanish."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("es_AR")
        cls.env["ir.module.module"]._load_module_terms(["tusfacturas_cuenta_corriente"], ["es_AR"], overwrite=True)

    def message(self, error, lang="en_US"):
        service = self.env["tusfacturas.service"].with_context(lang=lang)
        return service._error_message(error, self.env.company)

    def test_messages(self):
        for error, english, spanish in [
            (
                TusFacturasError("connection", detail="certificate"),
                "The TLS certificate of the TusFacturas API could not be verified",
                "No se pudo verificar el certificado TLS de la API de TusFacturas",
            ),
            (
                TusFacturasError("connection", detail="proxy"),
                "through the proxy set in this server's environment",
                "a través del proxy configurado en el entorno de este servidor",
            ),
            (
                TusFacturasError("invalid_settings", field="proxy"),
                "is not a valid http://, https:// or socks5:// URL",
                "no es una URL http://, https:// o socks5:// válida",
            ),
            (
                TusFacturasError("invalid_settings", field="proxy", detail="socks"),
                "needs the Python package PySocks",
                "necesita el paquete de Python PySocks",
            ),
            (
                TusFacturasError("invalid_settings", field="ca_bundle"),
                "(REQUESTS_CA_BUNDLE or CURL_CA_BUNDLE) cannot be read",
                "(REQUESTS_CA_BUNDLE o CURL_CA_BUNDLE) no se pueden leer",
            ),
            (
                TusFacturasError("invalid_settings", field="url", detail="insecure"),
                "must start with https://: every request carries the credentials",
                "debe empezar con https://: cada pedido lleva las credenciales",
            ),
        ]:
            with self.subTest(code=error.code, field=error.field, detail=error.detail):
                self.assertIn(english, self.message(error))
                self.assertIn(spanish, self.message(error, "es_AR"))
        self.assertIn("Could not connect to TusFacturas.", self.message(TusFacturasError("connection", detail="x")))
