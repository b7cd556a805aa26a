"""HTTP client for the TusFacturas.app API v2, on ``requests``.

Every request is a JSON ``POST`` carrying the three credentials in its body
(``usertoken``, ``apikey``, ``apitoken``). Whatever goes wrong is raised as a
single exception type, :class:`TusFacturasError`, whose ``code`` tells the
caller what happened; the credentials never appear in it nor in the logs.

The transport is ``requests``: a session per thread (the calls of a batch run in a
thread pool), all mounting one adapter per CA bundle, whose connections are kept alive
across calls and threads and share one TLS context (TLS 1.2 or later; the CA bundle of
``REQUESTS_CA_BUNDLE`` or ``CURL_CA_BUNDLE``, else certifi's). Proxies are those the
environment names, as ``requests`` reads them (``HTTPS_PROXY``, ``HTTP_PROXY``,
``ALL_PROXY``, ``NO_PROXY``; http://, https:// and, with PySocks, socks proxies).

No answer can hurt the caller:

- the body holds the credentials: it goes over https://, or over plain http:// to this
  machine only (``localhost``, 127.0.0.0/8, ::1); redirects are never followed: any 3xx
  is an error, and its body is not even read;
- ``timeout`` bounds the whole call (connect, headers, body, retries): each socket
  operation waits at most the time left, and a watchdog shuts the socket down at the
  deadline, whatever the server trickles (Odoo's tests raise ``requests``' timeouts
  under 10 s to 10 s: the deadline does not rely on them);
- the body is read raw, as a stream, and refused beyond ``max_bytes`` once decoded:
  only ``gzip`` (or no) content encoding is accepted, decoded here under that cap
  (the ``urllib3`` versions Odoo 18 pins decode without a bound);
- the body is decoded as UTF-8 JSON (RFC 8259, BOM tolerated), whatever the
  ``Content-Type`` says;
- every call is billed: an attempt is retried only if it cannot have been, when it
  failed while connecting (refused, DNS, TLS handshake, connect timeout; never an
  unknown certificate) or was answered 429/503 with a ``Retry-After``, a bounded number
  of times, with backoff and jitter (or the time asked), inside the same deadline.
"""

import codecs
import contextlib
import email.utils
import heapq
import ipaddress
import itertools
import json
import logging
import math
import os
import random
import re
import socket
import ssl
import threading
import time
import unicodedata
import urllib.parse
import zlib

import certifi
import requests
import requests.adapters
import requests.utils
import urllib3

from .json_rows import RowError, loads_rows

_logger = logging.getLogger(__name__)

DEFAULT_URL = "https://www.tusfacturas.app/app/api/v2"
CREDENTIALS = ("usertoken", "apikey", "apitoken")
DEFAULT_TIMEOUT = 30
MAX_BYTES = 50 * 1024 * 1024  # decoded body; the largest real ledgers are far smaller
RETRIES = 2  # after the first attempt
BACKOFF = 0.5  # seconds, doubled at each retry, with jitter
RETRY_AFTER_CAP = 30  # seconds: a longer Retry-After ends the call
MAX_ERROR_TEXT = 500  # characters of the API's messages kept, in all
REDACTED = "[…]"
MAX_PARALLEL = 10  # the most parallel calls Settings allow: connections kept per host

_CHUNK = 64 * 1024


class TusFacturasError(Exception):
    """A failed TusFacturas call.

    ``code`` is one of:

    - ``api_errors``: the API answered ``"error": "S"``; ``errors`` lists its messages
      (normalised, length-capped, credentials redacted);
    - ``unauthorized`` (HTTP 401/403), ``bad_request`` (400), ``not_found`` (404),
      ``method_not_allowed`` (405), ``unavailable`` (429 and 5xx), ``redirect`` (3xx,
      never followed), ``http`` (any other status; ``status`` says which);
    - ``timeout``: the call did not complete within the timeout; ``connection``: it
      could not connect or the connection broke (``detail``: ``certificate`` when the
      server's TLS certificate could not be verified, ``proxy`` when the proxy could
      not be reached or refused the tunnel, else the name of the error);
    - ``too_large``: the (decoded) body exceeds ``max_bytes``;
    - ``invalid_encoding``: an unsupported ``Content-Encoding``, or a corrupt one;
    - ``invalid_json``: the body is not a UTF-8 JSON object;
    - ``invalid_response``: a field is missing or invalid; ``field`` names it and
      ``row`` gives the 1-based row number when it is in ``resultados``;
    - ``invalid_settings``: the client's own settings are unusable (``field`` says which:
      ``timeout``, ``url`` (``detail`` ``insecure``: a plain http:// URL to another
      machine), ``proxy`` (``detail`` ``socks``: a SOCKS proxy without PySocks), or
      ``ca_bundle`` (the environment's CA bundle cannot be read)).

    ``attempts`` counts the HTTP attempts made. ``refused`` is true when TusFacturas
    refused the account itself: HTTP 401/403, or an ``api_errors`` whose messages say
    that access or the credentials are refused ("Acceso denegado", "no tiene acceso a
    la API desde la IP …", an invalid usertoken, apikey, apitoken or credentials...).
    ``stop_reason`` is set by a batch that stopped after this error (see :mod:`.breaker`).
    """

    def __init__(self, code, *, status=None, errors=(), field=None, row=None, detail=None, attempts=None, refused=None):
        self.code = code
        self.refused = code == "unauthorized" if refused is None else bool(refused)
        self.status = status
        self.errors = tuple(errors)
        self.field = field
        self.row = row
        self.detail = detail
        self.attempts = attempts
        self.timeout = None  # seconds the call was given (set by the client)
        self.stop_reason = None
        super().__init__(self._describe())

    def _describe(self):
        parts = [self.code]
        if self.status:
            parts.append(f"HTTP {self.status}")
        if self.errors:
            parts.append("; ".join(self.errors))
        if self.field:
            parts.append(f"field {self.field}" + (f" (row {self.row})" if self.row else ""))
        if self.detail:
            parts.append(self.detail)
        return ": ".join(parts)

    @property
    def is_credential_error(self):
        """TusFacturas refused the account itself (:attr:`refused`): further calls with
        these credentials are pointless (and billed) until they are changed. Not so of
        any other error, even one a batch stopped on (a bad night is no refusal)."""
        return self.refused


_STATUS_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "unauthorized",
    404: "not_found",
    405: "method_not_allowed",
    429: "unavailable",
}


class _RetryableError(Exception):
    """An attempt failed before its request could be billed, or was asked to come again
    (429/503 with ``retry_after``: seconds asked): worth another try."""

    def __init__(self, error, retry_after=None):
        super().__init__(error.code)
        self.error = error
        self.retry_after = retry_after


# ----------------------------------------------------------------------
# Transport: requests sessions, one adapter per CA bundle, a watchdog
# ----------------------------------------------------------------------

_local = threading.local()  # per thread: ``session``, and the ``attempt`` in progress


class _Attempt:
    """One HTTP attempt of a call, in this thread, until its deadline.

    The connections of the adapter tell it which connection it uses (see
    :class:`_TrackedConnection`), and a watchdog shuts that connection's socket down
    at the deadline, so that no blocking read (the status line, headers or body,
    however slowly the server trickles them) outlives it."""

    def __init__(self, deadline):
        self.deadline = deadline
        self.connection = None
        self.sock = None  # the connection's socket, kept: http.client lets go of it when the answer says "close"
        self.connect_failed = False  # connecting failed (TCP, proxy tunnel, TLS handshake): nothing was sent
        self.fired = False
        self._over = False
        self._lock = threading.Lock()

    def remaining(self):
        return self.deadline - time.monotonic()

    def bounded(self, seconds):
        """``seconds`` (a socket timeout, maybe None), at most the time left."""
        remaining = max(self.remaining(), 0.001)
        return min(seconds, remaining) if isinstance(seconds, int | float) else remaining

    def _fire(self):
        with self._lock:
            if self._over:
                return
            self.fired = True
            sock = getattr(self.connection, "sock", None) or self.sock
            sock = getattr(sock, "socket", sock)  # TLS through an https:// proxy: urllib3's SSLTransport
            if isinstance(sock, socket.socket):
                # The plain socket's shutdown, also for TLS: it only closes the descriptor's flow.
                with contextlib.suppress(OSError):
                    socket.socket.shutdown(sock, socket.SHUT_RDWR)

    def __enter__(self):
        _local.attempt = self
        _WATCHDOG.watch(self)
        return self

    def __exit__(self, *exc):
        with self._lock:
            self._over = True
        _local.attempt = None


class _Watchdog:
    """One thread that fires each attempt in progress at its deadline (a thread per attempt
    would cost its start on every call). Started on the first attempt of each process; a
    worker forked from Odoo's server starts afresh (none of its parent's threads, attempts or locks)."""

    def __init__(self):
        self._reset()

    def _reset(self):
        """A new watchdog, with nothing to watch: also in a forked child, whose parent's
        attempts are not its own and whose lock the parent may have held when it forked."""
        self._condition = threading.Condition()
        self._deadlines = []  # heap of (deadline, sequence, attempt); attempts over are dropped when due
        self._sequence = itertools.count()
        self._thread = None

    def watch(self, attempt):
        with self._condition:
            heapq.heappush(self._deadlines, (attempt.deadline, next(self._sequence), attempt))
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="tusfacturas-watchdog", daemon=True)
                self._thread.start()
            elif self._deadlines[0][2] is attempt:
                self._condition.notify()  # sooner than the one it waits for

    def _run(self):
        while True:
            with self._condition:
                while not self._deadlines or self._deadlines[0][0] > time.monotonic():
                    timeout = self._deadlines[0][0] - time.monotonic() if self._deadlines else None
                    self._condition.wait(timeout)
                _deadline, _sequence, attempt = heapq.heappop(self._deadlines)
            try:
                attempt._fire()
            except Exception:  # one attempt's failure must not leave the others without a deadline
                _logger.exception("TusFacturas: the watchdog could not stop an HTTP attempt at its deadline")


_WATCHDOG = _Watchdog()
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_WATCHDOG._reset)


class _TrackedConnection:
    """Mixed into urllib3's connection classes (direct, proxied, SOCKS; urllib3 1.26
    and 2.x): each connection used tells the attempt in progress in its thread, and
    whether it failed while connecting, before any byte of the request was sent; it
    waits at most the time that attempt has left in each socket operation."""

    def connect(self):
        attempt = getattr(_local, "attempt", None)
        if attempt is None:
            return super().connect()
        attempt.connection = self
        self.timeout = attempt.bounded(self.timeout)
        try:
            return super().connect()
        except BaseException:
            attempt.connect_failed = True
            raise

    def putrequest(self, *args, **kwargs):
        attempt = getattr(_local, "attempt", None)
        if attempt is not None:  # also a connection kept alive from an earlier call
            attempt.connection = self
        return super().putrequest(*args, **kwargs)

    def getresponse(self, *args, **kwargs):
        attempt = getattr(_local, "attempt", None)
        if attempt is not None:
            attempt.connection, attempt.sock = self, self.sock
            self.timeout = attempt.bounded(self.timeout)
            if self.sock is not None:
                self.sock.settimeout(self.timeout)
        return super().getresponse(*args, **kwargs)


_TRACKED_POOLS = {}


def _track(manager):
    """Make ``manager`` (a urllib3 pool or proxy manager) build tracked connections."""
    classes = {}
    for scheme, pool_class in manager.pool_classes_by_scheme.items():
        if pool_class not in _TRACKED_POOLS:
            connection = pool_class.ConnectionCls
            connection = type(f"Tracked{connection.__name__}", (_TrackedConnection, connection), {})
            _TRACKED_POOLS[pool_class] = type(
                f"Tracked{pool_class.__name__}", (pool_class,), {"ConnectionCls": connection}
            )
        classes[scheme] = _TRACKED_POOLS[pool_class]
    manager.pool_classes_by_scheme = classes
    return manager


class _Adapter(requests.adapters.HTTPAdapter):
    """Connections kept alive for every thread's session (urllib3's pools are
    thread-safe), as many per host as the parallel calls, on one TLS context: the
    certificates are loaded once, not per connection as ``requests`` does it."""

    def __init__(self, context, proxy_context):
        self._context = context
        self._proxy_context = proxy_context
        self._proxy_lock = threading.Lock()
        super().__init__(pool_connections=MAX_PARALLEL, pool_maxsize=MAX_PARALLEL, max_retries=0)

    def init_poolmanager(self, connections, maxsize, block=False, **pool_kwargs):
        result = super().init_poolmanager(connections, maxsize, block, ssl_context=self._context, **pool_kwargs)
        _track(self.poolmanager)
        return result

    def proxy_manager_for(self, proxy, **proxy_kwargs):
        with self._proxy_lock:
            if proxy not in self.proxy_manager:
                proxy_kwargs["ssl_context"] = self._context
                if not proxy.lower().startswith("socks"):
                    proxy_kwargs["proxy_ssl_context"] = self._proxy_context
                _track(super().proxy_manager_for(proxy, **proxy_kwargs))
            return self.proxy_manager[proxy]

    def cert_verify(self, conn, url, verify, cert):
        # Always verified, against the shared context's certificates: none loaded per connection.
        conn.cert_reqs = "CERT_REQUIRED"
        conn.ca_certs = conn.ca_cert_dir = None


class _Session(requests.Session):
    def get_redirect_target(self, resp):
        # Never a redirect: even with allow_redirects=False, requests reads a 3xx's whole
        # body (decoded, without a bound) to get ready to follow it.
        return None


_URLLIB3_2 = int(urllib3.__version__.split(".")[0]) >= 2
_adapters = {}  # CA bundle -> _Adapter
_adapters_lock = threading.Lock()


def _ca_bundle():
    """The CA bundle to verify servers with: the environment's, as requests reads it, else certifi's."""
    return os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or certifi.where()


def _tls_context(bundle, check_hostname):
    folder = os.path.isdir(bundle)
    try:
        context = ssl.create_default_context(cafile=None if folder else bundle, capath=bundle if folder else None)
    except (OSError, ValueError) as exc:  # ssl.SSLError is an OSError
        raise TusFacturasError("invalid_settings", field="ca_bundle") from exc
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    # urllib3 matches the host name itself (also IP addresses, on urllib3 1.26) when the
    # context does not; it does not for a proxy's own context on urllib3 1.26.
    context.check_hostname = check_hostname
    context.hostname_checks_common_name = False
    return context


def _adapter():
    bundle = _ca_bundle()
    with _adapters_lock:
        if bundle not in _adapters:
            context = _tls_context(bundle, check_hostname=False)
            proxy_context = context if _URLLIB3_2 else _tls_context(bundle, check_hostname=True)
            _adapters[bundle] = _Adapter(context, proxy_context)
        return _adapters[bundle]


def _session():
    """This thread's session, mounting the adapter of the environment's CA bundle."""
    session = getattr(_local, "session", None)
    if session is None:
        session = _local.session = _Session()
        session.trust_env = False  # proxies are read per call (_proxies); no .netrc
    adapter = _adapter()
    if session.get_adapter("https://") is not adapter:
        session.mount("https://", adapter)
        session.mount("http://", adapter)
    return session


def _socks_supported():
    try:
        __import__("socks")  # PySocks: what requests and urllib3 need for SOCKS proxies
    except ImportError:
        return False
    return True


def _proxies(url):
    """The proxy the environment names for ``url``, as ``requests`` reads it, in the
    form ``requests`` takes (``{}`` for none); raise if it is not usable."""
    proxy = requests.utils.select_proxy(url, requests.utils.get_environ_proxies(url))
    if not proxy:
        return {}
    proxy = proxy if "://" in proxy else f"http://{proxy}"
    parts = urllib.parse.urlsplit(proxy)
    try:
        valid = parts.hostname and parts.port != 0
    except ValueError:
        valid = False
    scheme = parts.scheme.lower()
    if not valid or scheme not in ("http", "https", "socks4", "socks4a", "socks5", "socks5h"):
        raise TusFacturasError("invalid_settings", field="proxy")
    if scheme.startswith("socks") and not _socks_supported():
        raise TusFacturasError("invalid_settings", field="proxy", detail="socks")
    return {urllib.parse.urlsplit(url).scheme: proxy}


def _causes(exc):
    """``exc`` and what it wraps (requests and urllib3 wrap the socket's and ssl's errors), outermost first."""
    seen, pending = [], [exc]
    while pending and len(seen) < 20:
        error = pending.pop(0)
        if not isinstance(error, BaseException) or any(error is known for known in seen):
            continue
        seen.append(error)
        pending += [error.__cause__, error.__context__, getattr(error, "reason", None), *error.args]
    return seen


def _detail(causes):
    """The name of the innermost system error among ``causes`` (the same on urllib3 1.26 and 2.x)."""
    system = [
        e for e in causes if isinstance(e, OSError) and not type(e).__module__.startswith(("urllib3", "requests"))
    ]
    return type((system or causes)[-1]).__name__


def _is_certificate_error(error):
    # ssl's verification error, or urllib3's host name mismatch (its own class on urllib3 2.x)
    return isinstance(error, ssl.SSLCertVerificationError) or type(error).__name__ == "CertificateError"


def _is_timeout(error):
    if isinstance(error, urllib3.exceptions.NewConnectionError):  # a ConnectTimeoutError, for history
        return False
    return isinstance(error, TimeoutError | requests.exceptions.Timeout | urllib3.exceptions.TimeoutError)


def _no_constant(name):
    raise ValueError(f"{name} is not JSON")


def decode_json(raw, rows_field=None, parse_row=None):
    """Decode ``raw`` bytes as an RFC 8259 JSON object; raise :class:`TusFacturasError`.
    With ``parse_row``, the items of the list ``rows_field`` holds go through it as they are
    decoded (:func:`.json_rows.loads_rows`): the object holds what it returns for each. What
    ``parse_row`` raises is an ``invalid_response`` at its row (a TusFacturasError as it is)."""
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8) :]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise TusFacturasError("invalid_json", detail="not UTF-8") from exc
    try:
        if parse_row is None:
            data = json.loads(text, parse_constant=_no_constant)
        else:
            data = loads_rows(text, rows_field, parse_row, parse_constant=_no_constant)
    except RowError as failure:
        cause = failure.__cause__
        if isinstance(cause, TusFacturasError):
            raise cause from None
        raise TusFacturasError(
            "invalid_response", field=rows_field, row=failure.row, detail=type(cause).__name__
        ) from cause
    except (ValueError, RecursionError) as exc:
        raise TusFacturasError("invalid_json", detail=type(exc).__name__) from exc
    if not isinstance(data, dict):
        raise TusFacturasError("invalid_json", detail="not an object")
    return data


def _texts(value, depth=0):
    """The messages in an ``errores`` value of any shape, as flat strings."""
    if value is None or isinstance(value, bool) or depth > 3:
        return []
    if isinstance(value, str | int | float):
        return [str(value)]
    if isinstance(value, list):
        return [text for item in value[:50] for text in _texts(item, depth + 1)]
    if isinstance(value, dict):
        texts = []
        for key, item in list(value.items())[:50]:
            inner = _texts(item, depth + 1)
            texts += [f"{key}: {text}" for text in inner] if inner else [str(key)]
        return texts
    return []


def normalize_errors(value, secrets=()):
    """``errores`` as a tuple of clean messages: any shape accepted (list, string,
    object, nested), whitespace collapsed, empty ones dropped, ``secrets`` redacted,
    at most :data:`MAX_ERROR_TEXT` characters in all."""
    messages, total = [], 0
    for text in _texts(value):
        text = " ".join(text.split())
        for secret in secrets:
            if secret:
                text = _redact(text, str(secret))
        if not text:
            continue
        room = MAX_ERROR_TEXT - total
        if room <= 0:
            break
        if len(text) > room:
            text = text[: max(room - 1, 0)] + "…"
        messages.append(text)
        total += len(text)
    return tuple(messages)


# How TusFacturas words a refusal of the account inside an HTTP 200, matched on messages
# without accents, in lower case: access refused, or a credential that is not valid.
_CREDENTIAL = r"(?:usertoken|user token|apikey|api key|apitoken|api token|credencial\w*|autenticacion)"
_INVALID = (
    r"(?:invalid\w*|incorrect\w*|erron\w*|no (?:es |son )?valid\w*|inexistente\w*|no existe\w*|vencid\w*"
    r"|expirad\w*|caducad\w*|revocad\w*|denegad\w*|rechazad\w*|no coincide\w*|fallid\w*|deshabilitad\w*"
    r"|inhabilitad\w*|suspendid\w*|bloquead\w*|no (?:esta|se encuentra) (?:habilitad|autorizad)\w*)"
)
_REFUSAL = re.compile(
    r"\bacceso\b(?:\W+\w+){0,3}?\W+(?:denegad|rechazad|no autorizad|no permitid|no habilitad|bloquead|restringid)"
    r"|\b(?:denegad|rechazad)\w*\W+(?:\w+\W+){0,2}?acceso\b"
    r"|\b(?:no tiene|no tenes|no posee|sin)\W+(?:\w+\W+){0,2}?acceso\b"
    r"|\bip\b.{0,60}\bno\b(?:\W+\w+){0,2}?\W+(?:habilitad|autorizad|permitid)"
    rf"|\b{_CREDENTIAL}\W+(?:\w+\W+){{0,3}}?{_INVALID}"
    rf"|\busuario\W+{_INVALID}"
    rf"|\b(?:invalid|incorrect|erron|inexistent)\w*\W+(?:\w+\W+){{0,2}}?{_CREDENTIAL}\b"
    r"|\b(?:error|fallo) de autenticacion\b"
    r"|\baccess denied\b|\bunauthori[sz]ed\b|\bforbidden\b"
)
# ... but not when they are about AFIP/ARCA (the account's certificate there, its own tokens).
_NOT_THE_API = re.compile(r"\b(?:afip|arca|wsaa|wsfe|certificado)\b")


def _plain(text):
    """``text`` without accents, in lower case, its whitespace collapsed."""
    text = unicodedata.normalize("NFKD", text)
    return " ".join("".join(c for c in text if not unicodedata.combining(c)).casefold().split())


def _refuses_access(messages):
    """Whether ``errores`` (normalised) refuse the account itself: access or the credentials."""
    plain = [_plain(message) for message in messages]
    return any(_REFUSAL.search(message) and not _NOT_THE_API.search(message) for message in plain)


def _redact(text, secret):
    return re.sub(re.escape(secret), REDACTED, text, flags=re.IGNORECASE)


def _is_loopback(host):
    """``host`` (as urlsplit gives it: lower case, no brackets) is this machine:
    ``localhost``, 127.0.0.0/8 or ::1."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _retry_after(value):
    """Seconds asked by a ``Retry-After`` header (delta-seconds or HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when is None or when.tzinfo is None:
        return None
    return max(when.timestamp() - time.time(), 0.0)


def send(session, request, proxies, attempt):
    """``request`` sent on ``session`` (see :func:`_session`) within ``attempt``'s deadline: its
    answer streamed, a redirect never followed, the certificate always verified."""
    # One number (Odoo's tests compare it with 10): each operation is bounded by the time left
    # anyway, and the attempt's watchdog ends it at the deadline.
    return session.send(
        request, stream=True, allow_redirects=False, timeout=max(attempt.remaining(), 0.001), verify=True,
        proxies=proxies,
    )  # fmt: skip


def read_body(response, deadline, limit):
    """The body of a ``requests`` response opened with ``stream=True``, read raw and decoded from
    gzip here if so, at most ``limit`` bytes once decoded, before ``deadline``
    (``time.monotonic()``); raise :class:`TusFacturasError` (``too_large``, ``invalid_encoding``,
    ``timeout``, ``connection``)."""
    headers = response.headers
    length = (headers.get("Content-Length") or "").strip()
    length = int(length) if length.isdigit() and "chunked" not in headers.get("Transfer-Encoding", "") else None
    if length is not None and length > limit:
        raise TusFacturasError("too_large", detail=f"Content-Length {length}")
    encoding = (headers.get("Content-Encoding") or "identity").strip().lower()
    if encoding in ("gzip", "x-gzip"):
        decoder = zlib.decompressobj(16 + zlib.MAX_WBITS)
    elif encoding == "identity":
        decoder = None
    else:  # never asked for; stacked encodings ("gzip, gzip") decode without end
        raise TusFacturasError("invalid_encoding", detail=encoding[:40])
    chunks, size, received = [], 0, 0  # joined once at the end: a 2 MB page is copied once
    while True:
        if time.monotonic() >= deadline:
            raise TusFacturasError("timeout")
        # Raw bytes, never decoded by urllib3 (unbounded on the versions Odoo 18 pins).
        chunk = response.raw.read(_CHUNK, decode_content=False)
        if not chunk:
            break
        received += len(chunk)
        if decoder is None:
            chunks.append(chunk)
            size += len(chunk)
            if size > limit:
                raise TusFacturasError("too_large")
            continue
        while chunk:
            try:
                decoded = decoder.decompress(chunk, limit - size + 1)
            except zlib.error as exc:
                raise TusFacturasError("invalid_encoding", detail="gzip") from exc
            chunks.append(decoded)
            size += len(decoded)
            if size > limit:
                raise TusFacturasError("too_large")
            if decoder.eof and decoder.unused_data:  # bytes after the gzip stream: refused now, not kept
                raise TusFacturasError("invalid_encoding", detail="gzip")
            if time.monotonic() >= deadline:
                raise TusFacturasError("timeout")
            chunk = decoder.unconsumed_tail
    if length is not None and received < length:  # urllib3 1.26 does not check it
        raise TusFacturasError("connection", detail="IncompleteRead")
    if decoder is not None and (not decoder.eof or decoder.unused_data):
        raise TusFacturasError("invalid_encoding", detail="gzip")
    return b"".join(chunks)


class TusFacturasClient:
    """Calls the API of one TusFacturas CUIT + point of sale."""

    def __init__(
        self,
        usertoken,
        apikey,
        apitoken,
        base_url=DEFAULT_URL,
        timeout=DEFAULT_TIMEOUT,
        *,
        max_bytes=MAX_BYTES,
        retries=RETRIES,
        backoff=BACKOFF,
    ):
        self.base_url = (base_url or DEFAULT_URL).rstrip("/")
        self.timeout = DEFAULT_TIMEOUT if timeout is None or timeout == 0 else timeout
        self.max_bytes = max_bytes
        self.retries = retries
        self.backoff = backoff
        self._credentials = {"usertoken": usertoken, "apikey": apikey, "apitoken": apitoken}

    def __repr__(self):
        return f"<TusFacturasClient {self.base_url}>"

    # ------------------------------------------------------------------
    # Public API
    # ------------------------------------------------------------------

    def call(self, method, payload=None, *, rows_field=None, parse_row=None, breaker=None):
        """POST ``payload`` plus the credentials to ``method``; return the decoded object.

        Raises :class:`TusFacturasError` on any failure, including ``"error": "S"``.
        With ``rows_field``, that field must be a list (its length is logged); with
        ``parse_row`` too, its items are decoded one by one, each given to ``parse_row(item,
        row)`` at once, and the list holds what it returns (:func:`decode_json`): the page's
        JSON tree is never built whole, only each row's. What ``parse_row`` raises is an
        ``invalid_response`` of the call, raised before the answer's ``error`` flag is read:
        to report a bad row after it, keep it and return (as :class:`.vouchers.PageRows`).
        With ``breaker`` (a :class:`.CircuitBreaker`), each failed attempt is recorded in
        it, and the outcome of the call (a success too); no retry starts once it is open.
        Each call is logged once, at INFO, without any secret.
        """
        start = time.monotonic()
        trace = {"status": None, "attempts": 0}
        outcome, rows = "ok", None
        try:
            data = self._call(method, payload, start, trace, breaker, (rows_field, parse_row))
            if rows_field:
                if not isinstance(data.get(rows_field), list):
                    raise TusFacturasError("invalid_response", field=rows_field)
                rows = len(data[rows_field])
            if breaker is not None:
                breaker.record(None)
            return data
        except TusFacturasError as error:
            error.attempts = trace["attempts"]
            error.timeout = self.timeout  # the call's, maybe shorter than the account's
            outcome = error.code
            if breaker is not None:
                breaker.record(error)  # not counted again if it was an attempt's
            raise
        except Exception as exc:  # a bug or an answer nothing above foresaw: still one error type
            outcome = "invalid_response"
            error = TusFacturasError("invalid_response", detail=type(exc).__name__, attempts=trace["attempts"])
            if breaker is not None:
                breaker.record(error)
            raise error from exc
        finally:
            _logger.info(
                "TusFacturas %s: %s, HTTP %s, %s rows, %s attempt(s) in %.2fs",
                method,
                outcome,
                trace["status"] or "-",
                "-" if rows is None else rows,
                trace["attempts"],
                time.monotonic() - start,
            )

    def account_usage(self):
        """``micuenta/consumo``: this month's quota, usable as a connection test."""
        data = self.call("micuenta/consumo")
        usage = {}
        for key in ("comprobantes_cupo", "comprobantes_generados", "comprobantes_disponibles", "abonos_pendientes"):
            value = data.get(key)
            if value is not None and (
                isinstance(value, bool)
                or not isinstance(value, int | float | str)
                or (isinstance(value, float) and not math.isfinite(value))
            ):
                raise TusFacturasError("invalid_response", field=key)
            usage[key] = value
        return usage

    def customer_ledger(self, cuit, *, breaker=None):
        """``clientes/cuenta-corriente``: the raw rows of a customer's current account
        (``breaker``: see :meth:`call`)."""
        data = self.call(
            "clientes/cuenta-corriente",
            {"cliente": {"documento_tipo": "CUIT", "documento_nro": str(cuit)}},
            rows_field="resultados",
            breaker=breaker,
        )
        return data["resultados"]

    # ------------------------------------------------------------------
    # One call: attempts and retries within one deadline
    # ------------------------------------------------------------------

    def _check_settings(self):
        timeout = self.timeout
        if isinstance(timeout, bool) or not isinstance(timeout, int | float) or not 0 < timeout < 86400:
            raise TusFacturasError("invalid_settings", field="timeout")
        parts = urllib.parse.urlsplit(self.base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise TusFacturasError("invalid_settings", field="url")
        try:
            parts.port  # noqa: B018 - raises on an invalid port
        except ValueError as exc:
            raise TusFacturasError("invalid_settings", field="url") from exc
        if parts.scheme == "http" and not _is_loopback(parts.hostname):
            # The body carries the three credentials: in clear text to this machine only.
            raise TusFacturasError("invalid_settings", field="url", detail="insecure")

    def _request(self, method, payload):
        """The request of a call, prepared once for all its attempts."""
        body = json.dumps(dict(payload or {}, **self._credentials)).encode()
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "Accept": "application/json",
            "Accept-Encoding": "gzip",
        }
        url = f"{self.base_url}/{method.lstrip('/')}"
        try:
            return requests.Request("POST", url, data=body, headers=headers).prepare()
        except (requests.RequestException, ValueError):  # no text: it may quote the request
            raise TusFacturasError("invalid_settings", field="url") from None

    def _call(self, method, payload, start, trace, breaker, rows=(None, None)):
        self._check_settings()
        deadline = start + self.timeout
        request = self._request(method, payload)
        proxies = _proxies(request.url)
        session = _session()
        attempt = 0
        while True:
            trace["attempts"] = attempt + 1
            try:
                return self._attempt(session, request, proxies, deadline, trace, rows)
            except _RetryableError as retry:
                delay = self._retry_delay(retry, attempt, deadline)
                if delay is None:
                    raise retry.error from None
                if breaker is not None:  # each attempt counts; an open breaker ends the call
                    breaker.record(retry.error)
                    if not breaker.allows():
                        raise retry.error from None
            time.sleep(delay)
            attempt += 1

    def _retry_delay(self, retry, attempt, deadline):
        """Seconds to wait before the next attempt, or None to give up."""
        if attempt >= self.retries:
            return None
        if retry.retry_after is not None:
            if retry.retry_after > RETRY_AFTER_CAP:
                return None
            delay = retry.retry_after
        else:
            delay = self.backoff * 2**attempt * (0.5 + random.random() / 2)
        return None if time.monotonic() + delay >= deadline else delay

    def _attempt(self, session, request, proxies, deadline, trace, rows=(None, None)):
        if deadline - time.monotonic() <= 0:
            raise TusFacturasError("timeout")
        with _Attempt(deadline) as attempt:
            response, raw = None, None
            try:
                try:
                    response = send(session, request, proxies, attempt)
                    trace["status"] = response.status_code
                    self._check_status(response)
                    raw = self._read_body(response, deadline)
                finally:
                    if response is not None:
                        self._release(response, reuse=raw is not None and not attempt.fired)
            except (TusFacturasError, _RetryableError):
                if attempt.fired or time.monotonic() >= deadline:
                    raise TusFacturasError("timeout") from None
                raise
            except Exception as exc:  # the transport's: socket, ssl, urllib3, requests
                raise self._transport_error(exc, attempt, proxies) from None
            if attempt.fired:  # the body ended because the deadline closed the socket
                raise TusFacturasError("timeout")
        return self._interpret(decode_json(raw, *rows))

    @staticmethod
    def _release(response, reuse):
        """Give the connection back, kept alive after a whole body, closed otherwise."""
        with contextlib.suppress(Exception):
            if reuse:
                response.raw.release_conn()
            else:
                response.close()

    @staticmethod
    def _transport_error(exc, attempt, proxies):
        """The error for an attempt the transport failed (no exception text: it may quote
        the request): retryable only if it failed while connecting, before sending."""
        if attempt.fired or attempt.remaining() <= 0:
            return TusFacturasError("timeout")
        causes = _causes(exc)
        if any(_is_certificate_error(cause) for cause in causes):
            return TusFacturasError("connection", detail="certificate")
        if any(isinstance(cause, OSError) and str(cause).startswith("Tunnel connection failed") for cause in causes):
            return TusFacturasError("connection", detail="proxy")  # the proxy refused the tunnel
        if isinstance(exc, requests.exceptions.InvalidSchema | requests.exceptions.InvalidURL):
            return TusFacturasError("invalid_settings", field="proxy" if proxies else "url")
        if any(_is_timeout(cause) for cause in causes):
            error = TusFacturasError("timeout")
        else:
            proxy = any(isinstance(c, requests.exceptions.ProxyError | urllib3.exceptions.ProxyError) for c in causes)
            error = TusFacturasError("connection", detail="proxy" if proxy else _detail(causes))
        # Refused, unresolved, a TLS handshake that failed: the request cannot have been billed.
        # Once connected, it may have been (a connection dropped, a read timeout...): never again.
        return _RetryableError(error) if attempt.connect_failed else error

    def _check_status(self, response):
        status = response.status_code
        if status == 200:
            return
        if 300 <= status < 400:
            raise TusFacturasError("redirect", status=status)
        code = _STATUS_CODES.get(status) or ("unavailable" if status >= 500 else "http")
        error = TusFacturasError(code, status=status)
        retry_after = _retry_after(response.headers.get("Retry-After")) if status in (429, 503) else None
        if retry_after is not None:  # not processed, come again then: the only answer worth another try
            raise _RetryableError(error, retry_after)
        raise error

    def _read_body(self, response, deadline):
        """The body, at most ``max_bytes`` once decoded, before the deadline (:func:`read_body`)."""
        return read_body(response, deadline, self.max_bytes)

    def _interpret(self, data):
        """Check the API's own ``error`` flag: ``"N"`` is success, ``"S"`` a failure."""
        flag = data.get("error")
        flag = flag.strip().upper() if isinstance(flag, str) else flag
        if flag == "N":
            return data
        if flag == "S":
            errors = normalize_errors(data.get("errores"), self._credentials.values())
            raise TusFacturasError("api_errors", errors=errors, refused=_refuses_access(errors))
        raise TusFacturasError("invalid_response", field="error")
