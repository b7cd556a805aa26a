"""A voucher's PDF downloaded safely (tusfacturas/files.py) from the sandbox (sandbox/files.py),
over real sockets: plain Python."""

import io
import time

from odoo.tests import tagged
from odoo.tools.pdf import PdfFileReader

from ..sandbox.files import minimal_pdf
from ..sandbox.server import DEFAULT_CREDENTIALS
from ..tusfacturas import TusFacturasError
from ..tusfacturas.files import download_pdf
from .common import VoucherSandboxCase


@tagged("post_install", "-at_install")
class TestPdfDownload(VoucherSandboxCase):
    """The voucher's PDF from its temporary link: https only but to this machine, no credentials,
    a size cap, one deadline."""

    def test_downloads_a_pdf_without_credentials(self):
        data = download_pdf(self.sandbox.file_url("00001-00000005.pdf"), timeout=2)
        self.assertEqual(data, minimal_pdf("00001-00000005.pdf"))
        self.assertEqual(len(PdfFileReader(io.BytesIO(data)).pages), 1, "a valid PDF")
        [request] = self.sandbox.file_requests
        self.assertTrue(request.startswith(b"GET /files/00001-00000005.pdf "))
        for secret in DEFAULT_CREDENTIALS.values():
            self.assertNotIn(secret.encode(), request)
        self.assertNotIn(b"authorization", request.lower())
        self.assertNotIn(b"cookie", request.lower())
        self.assertFalse(self.sandbox.calls, "no API call")

    def assert_refused(self, url, code, detail=None, **options):
        with self.assertRaises(TusFacturasError) as caught:
            download_pdf(url, **{"timeout": 2, **options})
        self.assertEqual((caught.exception.code, caught.exception.detail), (code, detail))
        return caught.exception

    def test_https_only_but_to_this_machine(self):
        self.assert_refused("http://www.tusfacturas.app/pdf/1.pdf", "invalid_settings", "insecure")
        self.assert_refused("https://user:secret@127.0.0.1/pdf/1.pdf", "invalid_settings", "credentials")
        self.assert_refused("ftp://127.0.0.1/pdf/1.pdf", "invalid_settings")
        self.assert_refused("https://", "invalid_settings")
        self.assertFalse(self.sandbox.file_requests)

    def test_redirects(self):
        self.sandbox.files["/files/moved.pdf"] = (302, {"Location": "/files/here.pdf"}, b"")
        self.assertEqual(download_pdf(self.sandbox.file_url("moved.pdf"), timeout=2), minimal_pdf("here.pdf"))
        self.sandbox.files["/files/away.pdf"] = (302, {"Location": "http://files.example.com/x.pdf"}, b"")
        self.assert_refused(self.sandbox.file_url("away.pdf"), "redirect", "insecure")
        self.sandbox.files["/files/loop.pdf"] = (301, {"Location": "/files/loop.pdf"}, b"")
        self.assert_refused(self.sandbox.file_url("loop.pdf"), "redirect", "too_many")

    def test_what_is_not_a_small_pdf(self):
        self.sandbox.files["/files/big.pdf"] = b"%PDF-1.4\n" + b"0" * 5000
        self.assert_refused(self.sandbox.file_url("big.pdf"), "too_large", "Content-Length 5009", max_bytes=4096)
        self.sandbox.files["/files/page.pdf"] = (200, {"Content-Type": "text/html"}, b"<html>Vencido</html>")
        self.assert_refused(self.sandbox.file_url("page.pdf"), "invalid_file", "not a PDF")
        error = self.assert_refused(self.sandbox.file_url("missing.txt"), "not_found")
        self.assertEqual(error.status, 404)

    def test_one_deadline(self):
        self.sandbox.delay = 3
        started = time.monotonic()
        self.assert_refused(self.sandbox.file_url("slow.pdf"), "timeout", timeout=0.5)
        self.assertLess(time.monotonic() - started, 2)
