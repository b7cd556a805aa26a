"""The files the sandbox serves by ``GET``: the vouchers' PDFs (``comprobante_pdf_url``).

TusFacturas' PDF links are temporary links to its file server; the sandbox serves them under
``/files/`` of its own address, so that a test's voucher can point there (Odoo's test framework
lets HTTP through to loopback only)::

    url = sandbox.file_url("00001-00000005.pdf")  # http://127.0.0.1:<port>/files/00001-00000005.pdf
    make_voucher(..., pdf_url=url)                 # served as a small valid PDF naming the file
    sandbox.files["/files/big.pdf"] = b"%PDF-..."  # what a path answers: bytes (a PDF), or
    sandbox.files["/files/moved.pdf"] = (302, {"Location": "http://example.com/x.pdf"}, b"")
    sandbox.file_requests                         # every GET as received: request line and headers

Any other ``*.pdf`` under ``/files/`` is answered with :func:`minimal_pdf` of its name; anything
else is a 404. ``sandbox.delay`` delays these answers too. ``sandbox.reset()`` clears the files
and the requests. Standard library only.
"""

FILES_PREFIX = "/files/"


def minimal_pdf(text):
    """A one-page PDF (PDF 1.4) showing ``text`` (ASCII), with a valid cross-reference table."""
    safe = "".join(char for char in str(text) if 32 <= ord(char) < 127 and char not in "()\\")
    stream = f"BT /F1 18 Tf 72 720 Td ({safe}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    data = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(data))
        data += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(data)
    data += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    data += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    data += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(data)


def install(sandbox):
    """The sandbox's file state (called by ``SandboxServer.__init__``)."""
    sandbox.files = {}  # path -> bytes, or (status, headers, bytes)
    sandbox.file_requests = []  # raw GET requests


def reset(sandbox):
    sandbox.files = {}
    sandbox.file_requests = []


def answer(sandbox, path):
    """``(status, headers, body)`` of a ``GET`` of ``path``."""
    served = sandbox.files.get(path)
    if served is None and path.startswith(FILES_PREFIX) and path.endswith(".pdf"):
        served = minimal_pdf(path[len(FILES_PREFIX) :])
    if served is None:
        return 404, {"Content-Type": "text/html"}, b"<html>Not found</html>"
    if isinstance(served, bytes):
        return 200, {"Content-Type": "application/pdf"}, served
    return served
