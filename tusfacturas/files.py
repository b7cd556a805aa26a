"""Download a voucher's PDF (``comprobante_pdf_url``), safely. Plain Python, on the client's transport.

TusFacturas' PDF links are temporary links to its file server ("descargá el PDF a tu servidor
una vez obtenido"). :func:`download_pdf` fetches one as the client calls the API, with the same
guarantees, and more, since the link comes from an answer rather than from Settings:

- https:// only, or plain http:// to this machine (``localhost``, 127.0.0.0/8, ::1); a link with
  a user name or password in it is refused;
- never with credentials: a plain ``GET``, no body, no cookies, no authorization header (the
  TusFacturas credentials travel only in the API's ``POST`` bodies);
- at most :data:`MAX_REDIRECTS` redirects, each to a link allowed by the rules above (its body
  is not read);
- ``timeout`` bounds the whole download, redirects included (each socket operation waits at
  most the time left; the client's watchdog shuts the socket at the deadline);
- the body is read raw, at most ``max_bytes`` (:data:`MAX_PDF_BYTES` by default), announced or
  not; it must be a PDF (``%PDF-``).

Every failure is a :class:`.client.TusFacturasError`: ``invalid_settings`` (``field``
``pdf_url``, ``detail`` ``insecure`` or ``credentials``, or no detail for a link that is no URL),
``redirect`` (``detail`` ``insecure`` or ``too_many``), ``timeout``, ``connection``, ``too_large``,
``invalid_encoding``, ``invalid_file`` (not a PDF), or the HTTP status codes of the client
(``not_found``, ``unavailable``, ``http``...).
"""

import time
import urllib.parse

import requests

from .client import (
    _STATUS_CODES,
    TusFacturasClient,
    TusFacturasError,
    _Attempt,
    _is_loopback,
    _proxies,
    _RetryableError,
    _session,
    read_body,
    send,
)

MAX_PDF_BYTES = 20 * 1024 * 1024  # a voucher's PDF is a few hundred KB
MAX_REDIRECTS = 3
_REDIRECTS = (301, 302, 303, 307, 308)
_HEADERS = {"Accept": "application/pdf", "Accept-Encoding": "gzip"}


def check_url(url):
    """Raise :class:`TusFacturasError` unless ``url`` is a link :func:`download_pdf` may follow."""
    try:
        parts = urllib.parse.urlsplit(url or "")
        _port = parts.port  # raises on an invalid port
    except ValueError as exc:
        raise TusFacturasError("invalid_settings", field="pdf_url") from exc
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise TusFacturasError("invalid_settings", field="pdf_url")
    if parts.username is not None or parts.password is not None:
        raise TusFacturasError("invalid_settings", field="pdf_url", detail="credentials")
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        raise TusFacturasError("invalid_settings", field="pdf_url", detail="insecure")


def _get(session, url, deadline, max_bytes):
    """``(status, Location or None, body or None)`` of one ``GET``: the body of a 200 only."""
    try:
        request = requests.Request("GET", url, headers=_HEADERS).prepare()
    except (requests.RequestException, ValueError):  # no text: it may quote the link
        raise TusFacturasError("invalid_settings", field="pdf_url") from None
    proxies = _proxies(request.url)
    if deadline - time.monotonic() <= 0:
        raise TusFacturasError("timeout")
    with _Attempt(deadline) as attempt:
        response = None
        try:
            try:
                response = send(session, request, proxies, attempt)
                status = response.status_code
                if status in _REDIRECTS:
                    return status, response.headers.get("Location"), None
                if status != 200:
                    code = _STATUS_CODES.get(status) or ("unavailable" if status >= 500 else "http")
                    raise TusFacturasError(code, status=status)
                return status, None, read_body(response, deadline, max_bytes)
            finally:
                if response is not None:
                    response.close()
        except TusFacturasError:
            if attempt.fired or time.monotonic() >= deadline:
                raise TusFacturasError("timeout") from None
            raise
        except Exception as exc:  # the transport's: socket, ssl, urllib3, requests
            error = TusFacturasClient._transport_error(exc, attempt, proxies)
            raise (error.error if isinstance(error, _RetryableError) else error) from None


def download_pdf(url, *, timeout, max_bytes=MAX_PDF_BYTES):
    """The bytes of the PDF at ``url``, within ``timeout`` seconds and ``max_bytes`` (see the
    module's docstring); raise :class:`TusFacturasError` otherwise."""
    deadline = time.monotonic() + timeout
    session = _session()
    for _redirect in range(MAX_REDIRECTS + 1):
        check_url(url)
        status, location, body = _get(session, url, deadline, max_bytes)
        if body is not None:
            if not body.startswith(b"%PDF-"):
                raise TusFacturasError("invalid_file", detail="not a PDF")
            return body
        try:
            url = urllib.parse.urljoin(url, location or "")
            check_url(url)
        except TusFacturasError:
            raise TusFacturasError("redirect", status=status, detail="insecure") from None
    raise TusFacturasError("redirect", detail="too_many")
