"""HTTP client for the TusFacturas.app API v2.

Every request is a JSON ``POST`` carrying the three credentials in its body
(``usertoken``, ``apikey``, ``apitoken``). Whatever goes wrong is raised as a
single exception type, :class:`TusFacturasError`, whose ``code`` tells the
caller what happened; the credentials never appear in it nor in the logs.

No answer can hurt the caller:

- redirects are never followed (the body holds the credentials): any 3xx is an error;
- ``timeout`` bounds the whole call (connect, headers, body, retries), enforced by a
  watchdog that closes the socket, whatever the server trickles;
- the body is read as a stream and refused beyond ``max_bytes`` once decoded; only
  ``gzip`` (or no) content encoding is accepted;
- the body is decoded as UTF-8 JSON (RFC 8259, BOM tolerated), whatever the
  ``Content-Type`` says;
- connection errors, 429 and 5xx are retried a bounded number of times, with
  backoff, jitter and ``Retry-After``, inside the same deadline.
"""

import base64
import codecs
import contextlib
import email.utils
import http.client
import json
import logging
import math
import random
import re
import socket
import ssl
import threading
import time
import urllib.parse
import urllib.request
import zlib

try:
    import certifi
except ImportError:  # pragma: no cover - a dependency of requests, so of Odoo
    certifi = None

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
      could not connect or the connection broke;
    - ``too_large``: the (decoded) body exceeds ``max_bytes``;
    - ``invalid_encoding``: an unsupported ``Content-Encoding``, or a corrupt one;
    - ``invalid_json``: the body is not a UTF-8 JSON object;
    - ``invalid_response``: a field is missing or invalid; ``field`` names it and
      ``row`` gives the 1-based row number when it is in ``resultados``;
    - ``invalid_settings``: the client's own settings are unusable (``field`` says which).

    ``attempts`` counts the HTTP attempts made. ``stop_reason`` is set by a batch
    that stopped after this error (see :mod:`.breaker`).
    """

    def __init__(self, code, *, status=None, errors=(), field=None, row=None, detail=None, attempts=None):
        self.code = code
        self.status = status
        self.errors = tuple(errors)
        self.field = field
        self.row = row
        self.detail = detail
        self.attempts = attempts
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
        """The service refused the account itself, or a batch stopped on this error:
        further calls with these credentials are pointless (and billed)."""
        return self.code == "unauthorized" or bool(self.stop_reason)


_STATUS_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "unauthorized",
    404: "not_found",
    405: "method_not_allowed",
    429: "unavailable",
}


class _RetryableError(Exception):
    """An attempt failed in a way worth another try (``retry_after``: seconds asked)."""

    def __init__(self, error, retry_after=None):
        super().__init__(error.code)
        self.error = error
        self.retry_after = retry_after


class _Watchdog:
    """Shuts the connection's socket down at the deadline, so that no blocking read
    (headers or body, however slowly the server trickles them) outlives it."""

    def __init__(self, connection, seconds):
        self.connection = connection
        self.fired = False
        self._timer = threading.Timer(max(seconds, 0), self._fire)
        self._timer.daemon = True

    def _fire(self):
        self.fired = True
        sock = getattr(self.connection, "sock", None)
        if sock is not None:
            # The plain socket's shutdown, also for TLS: it only closes the descriptor's flow.
            with contextlib.suppress(OSError):
                socket.socket.shutdown(sock, socket.SHUT_RDWR)

    def __enter__(self):
        self._timer.start()
        return self

    def __exit__(self, *exc):
        self._timer.cancel()


def _no_constant(name):
    raise ValueError(f"{name} is not JSON")


def decode_json(raw):
    """Decode ``raw`` bytes as an RFC 8259 JSON object; raise :class:`TusFacturasError`."""
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8) :]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise TusFacturasError("invalid_json", detail="not UTF-8") from exc
    try:
        data = json.loads(text, parse_constant=_no_constant)
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


def _redact(text, secret):
    return re.sub(re.escape(secret), REDACTED, text, flags=re.IGNORECASE)


def _proxy_for(base):
    """The parsed proxy URL the environment gives for ``base``, or None."""
    proxy = urllib.request.getproxies().get(base.scheme)
    if not proxy or urllib.request.proxy_bypass(base.hostname):
        return None
    proxy = urllib.parse.urlsplit(proxy if "://" in proxy else f"http://{proxy}")
    try:
        valid = proxy.scheme == "http" and proxy.hostname and (proxy.port or 80)
    except ValueError:
        valid = False
    if not valid:
        raise TusFacturasError("invalid_settings", field="proxy")
    return proxy


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

    def call(self, method, payload=None, *, rows_field=None):
        """POST ``payload`` plus the credentials to ``method``; return the decoded object.

        Raises :class:`TusFacturasError` on any failure, including ``"error": "S"``.
        With ``rows_field``, that field must be a list (its length is logged).
        Each call is logged once, at INFO, without any secret.
        """
        start = time.monotonic()
        trace = {"status": None, "attempts": 0}
        outcome, rows = "ok", None
        try:
            data = self._call(method, payload, start, trace)
            if rows_field:
                if not isinstance(data.get(rows_field), list):
                    raise TusFacturasError("invalid_response", field=rows_field)
                rows = len(data[rows_field])
            return data
        except TusFacturasError as error:
            error.attempts = trace["attempts"]
            outcome = error.code
            raise
        except Exception as exc:  # a bug or an answer nothing above foresaw: still one error type
            outcome = "invalid_response"
            raise TusFacturasError("invalid_response", detail=type(exc).__name__, attempts=trace["attempts"]) from exc
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

    def customer_ledger(self, cuit):
        """``clientes/cuenta-corriente``: the raw rows of a customer's current account."""
        data = self.call(
            "clientes/cuenta-corriente",
            {"cliente": {"documento_tipo": "CUIT", "documento_nro": str(cuit)}},
            rows_field="resultados",
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
            port = parts.port
        except ValueError as exc:
            raise TusFacturasError("invalid_settings", field="url") from exc
        return parts, port

    def _call(self, method, payload, start, trace):
        base, port = self._check_settings()
        deadline = start + self.timeout
        path = f"{base.path.rstrip('/')}/{method.lstrip('/')}"
        body = json.dumps(dict(payload or {}, **self._credentials)).encode()
        attempt = 0
        while True:
            trace["attempts"] = attempt + 1
            try:
                return self._attempt(base, port, path, body, deadline, trace)
            except _RetryableError as retry:
                delay = self._retry_delay(retry, attempt, deadline)
                if delay is None:
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

    def _connection(self, base, port, path, seconds):
        """``(connection, request target, extra headers)`` for ``base``, through the proxy
        the environment names (``HTTPS_PROXY``, ``HTTP_PROXY``, ``NO_PROXY``), if any."""
        proxy = _proxy_for(base)
        headers = {}
        if proxy and proxy.username:
            secret = f"{urllib.parse.unquote(proxy.username)}:{urllib.parse.unquote(proxy.password or '')}"
            headers["Proxy-Authorization"] = "Basic " + base64.b64encode(secret.encode()).decode()
        if base.scheme == "https":
            context = ssl.create_default_context()
            context.minimum_version = ssl.TLSVersion.TLSv1_2
            if certifi:  # the roots requests used, on top of the system's
                context.load_verify_locations(certifi.where())
            if not proxy:
                return http.client.HTTPSConnection(base.hostname, port, timeout=seconds, context=context), path, {}
            # A tunnel: the proxy sees the host name, never the request nor its body.
            connection = http.client.HTTPSConnection(proxy.hostname, proxy.port, timeout=seconds, context=context)
            connection.set_tunnel(base.hostname, port, headers=headers)
            return connection, path, {}
        if not proxy:
            return http.client.HTTPConnection(base.hostname, port, timeout=seconds), path, {}
        target = urllib.parse.urlunsplit((base.scheme, base.netloc, path, "", ""))
        return http.client.HTTPConnection(proxy.hostname, proxy.port, timeout=seconds), target, headers

    def _attempt(self, base, port, path, body, deadline, trace):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TusFacturasError("timeout")
        connection, target, headers = self._connection(base, port, path, remaining)
        try:
            with _Watchdog(connection, remaining) as watchdog:
                try:
                    connection.request(
                        "POST",
                        target,
                        body=body,
                        headers={
                            "Content-Type": "application/json; charset=utf-8",
                            "Accept": "application/json",
                            "Accept-Encoding": "gzip",
                            **headers,
                        },
                    )
                    response = connection.getresponse()
                    trace["status"] = response.status
                    self._check_status(response)
                    raw = self._read_body(response, deadline)
                    if watchdog.fired:  # the body ended because the deadline closed the socket
                        raise TusFacturasError("timeout")
                except TusFacturasError:
                    if watchdog.fired or time.monotonic() >= deadline:
                        raise TusFacturasError("timeout") from None
                    raise
                except (OSError, http.client.HTTPException, ValueError) as exc:
                    # No exception text: it may quote the request. The body (credentials) never is.
                    if watchdog.fired or time.monotonic() >= deadline or isinstance(exc, TimeoutError):
                        raise TusFacturasError("timeout") from None
                    if isinstance(exc, ssl.SSLCertVerificationError):
                        raise TusFacturasError("connection", detail="certificate") from None
                    raise _RetryableError(TusFacturasError("connection", detail=type(exc).__name__)) from None
        finally:
            connection.close()
        return self._interpret(decode_json(raw))

    def _check_status(self, response):
        status = response.status
        if status == 200:
            return
        if 300 <= status < 400:
            raise TusFacturasError("redirect", status=status)
        code = _STATUS_CODES.get(status) or ("unavailable" if status >= 500 else "http")
        error = TusFacturasError(code, status=status)
        if code == "unavailable":
            raise _RetryableError(error, _retry_after(response.getheader("Retry-After")))
        raise error

    def _read_body(self, response, deadline):
        """The body, decoded from gzip if so, at most ``max_bytes``, before the deadline."""
        limit = self.max_bytes
        length = response.getheader("Content-Length")
        if length and length.strip().isdigit() and int(length) > limit:
            raise TusFacturasError("too_large", detail=f"Content-Length {int(length)}")
        encoding = (response.getheader("Content-Encoding") or "identity").strip().lower()
        if encoding in ("gzip", "x-gzip"):
            decoder = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif encoding == "identity":
            decoder = None
        else:  # never asked for; stacked encodings ("gzip, gzip") decode without end
            raise TusFacturasError("invalid_encoding", detail=encoding[:40])
        body = bytearray()
        while True:
            if time.monotonic() >= deadline:
                raise TusFacturasError("timeout")
            chunk = response.read1(_CHUNK)
            if not chunk:
                break
            if decoder is None:
                body += chunk
                if len(body) > limit:
                    raise TusFacturasError("too_large")
                continue
            while chunk:
                try:
                    body += decoder.decompress(chunk, limit - len(body) + 1)
                except zlib.error as exc:
                    raise TusFacturasError("invalid_encoding", detail="gzip") from exc
                if len(body) > limit:
                    raise TusFacturasError("too_large")
                if time.monotonic() >= deadline:
                    raise TusFacturasError("timeout")
                chunk = decoder.unconsumed_tail
        if response.length:  # the connection closed before Content-Length bytes came
            raise http.client.IncompleteRead(b"", response.length)
        if decoder is not None and (not decoder.eof or decoder.unused_data):
            raise TusFacturasError("invalid_encoding", detail="gzip")
        return bytes(body)

    def _interpret(self, data):
        """Check the API's own ``error`` flag: ``"N"`` is success, ``"S"`` a failure."""
        flag = data.get("error")
        flag = flag.strip().upper() if isinstance(flag, str) else flag
        if flag == "N":
            return data
        if flag == "S":
            raise TusFacturasError(
                "api_errors", errors=normalize_errors(data.get("errores"), self._credentials.values())
            )
        raise TusFacturasError("invalid_response", field="error")
