"""A real HTTP server on loopback that speaks the documented TusFacturas API v2.

It answers ``clientes/cuenta-corriente`` per CUIT from fixtures and
``micuenta/consumo`` with a quota (the voucher methods, ``facturacion/*``: see
``sandbox/vouchers.py``; the vouchers' PDFs, by ``GET``: ``sandbox/files.py``), checks the
three credentials, and can be
switched into every failure the addon must survive: ``error: "S"``, each HTTP
error class, slow answers, dropped connections, bodies that are not JSON or lack
fields, and answers that try to hurt the client: redirects to another origin,
bytes trickled slowly, huge bodies, gzip bombs, non-UTF-8 bodies, ``Retry-After``
and refusals inside an HTTP 200 (see :data:`MISBEHAVIOURS`). Every request
received is kept raw in ``received``. It speaks HTTP/1.1 with keep-alive, over TLS
when given a certificate, and can act as a proxy: absolute-form requests are served,
and ``CONNECT`` tunnels to loopback are opened when ``tunnel`` is set (refused
otherwise). Standard library only.

Used from Python (tests)::

    with SandboxServer(ledgers={"30714295698": [...]}) as sandbox:
        sandbox.url            # http://127.0.0.1:<port>/app/api/v2 (https:// with a certificate)
        sandbox.mode = "http_500"
        sandbox.calls          # [(method, cuit), ...]
        sandbox.received       # [raw request bytes, ...]
        gate = sandbox.hold("30714295698")  # its answers wait until gate.set()
        sandbox.connections    # connections accepted (TLS handshakes tried, with a certificate)

    SandboxServer(certificate=(certfile, keyfile))  # serves https:// (TLS 1.2 or later)

or from the command line (``python sandbox/server.py --port 8071 --ledgers FILE``),
serving the ledgers of a JSON file ``{CUIT: [row, ...]}`` (``tools/run`` writes one
from the demo invoices).
"""

import argparse
import contextlib
import gzip
import json
import logging
import pathlib
import socket
import ssl
import threading
import time
import urllib.parse
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

try:
    from . import files, vouchers
except ImportError:  # run as a script: python sandbox/server.py
    import files
    import vouchers

_logger = logging.getLogger(__name__)

API_PREFIX = "/app/api/v2"
DEFAULT_CREDENTIALS = {"usertoken": "sandbox-usertoken", "apikey": "1234", "apitoken": "sandbox-apitoken"}

# The longest a held answer waits for its test (SandboxServer.hold).
HOLD_LIMIT = 30

# Failure modes answered with an HTTP error status (the others: see _failure).
HTTP_MODES = {
    "http_400": 400,
    "http_401": 401,
    "http_403": 403,
    "http_404": 404,
    "http_405": 405,
    "http_429": 429,
    "http_500": 500,
    "http_503": 503,
}

# The example of the API reference (clientes-cuenta-corriente.md), verbatim.
REFERENCE_ROWS = [
    {
        "fecha": "11/05/2017",
        "concepto": "FACTURA A 0002-00000001 (CUIT DE PRUEBA)",
        "debe": 112.1,
        "haber": 0,
        "resta_abonar_de_este_comprobante": 112.1,
        "saldo": 112.1,
    },
    {
        "fecha": "11/05/2017",
        "concepto": "FACTURA A 0002-00000002 (CUIT DE PRUEBA)",
        "debe": 112.1,
        "haber": 0,
        "resta_abonar_de_este_comprobante": 112.1,
        "saldo": 224.2,
    },
]
# Its first row, for the misbehaving answers.
_ROW = REFERENCE_ROWS[0]
REDIRECT_MODES = {f"redirect_{status}": status for status in (301, 302, 303, 307, 308)}

# Answers that misbehave on purpose; each is described where it is produced (_failure).
MISBEHAVIOURS = (
    *REDIRECT_MODES,
    "trickle_headers",
    "trickle_body",
    "huge",
    "huge_declared",
    "gzip_bomb",
    "double_gzip",
    "nested_json",
    "huge_integer",
    "huge_float",
    "nan",
    "latin1",
    "invalid_utf8",
    "html_utf8",
    "bom",
    "retry_after",
    "refused_in_band",
    "echo_credentials",
    "truncated",
    "raw",
)

_GZIP_BOMB = {}


def gzip_bomb(size):
    """A gzip stream that decodes to ``size`` bytes of JSON whitespace (cached)."""
    if size not in _GZIP_BOMB:
        compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
        block = b" " * (1 << 20)
        parts = [compressor.compress(b'{"error": "N", "resultados": [')]
        parts += [compressor.compress(block) for _ in range(size // len(block))]
        parts.append(compressor.compress(b"]}") + compressor.flush())
        _GZIP_BOMB[size] = b"".join(parts)
    return _GZIP_BOMB[size]


class SandboxServer:
    """The sandbox, started on a free loopback port (or the one given)."""

    def __init__(self, ledgers=None, credentials=None, port=0, host="127.0.0.1", certificate=None):
        self.ledgers = dict(ledgers or {})
        # Accepted accounts (one per CUIT + point of sale), each a dict of the three credentials.
        self.accounts = [dict(credentials or DEFAULT_CREDENTIALS)]
        self.mode = "ok"  # applies to every request
        self.cuit_modes = {}  # CUIT -> mode, for ledger requests of that CUIT only
        self.delay = 0.0  # seconds added to every answer
        self.slow_seconds = 5.0  # how long "slow" waits
        self.held = {}  # CUIT -> threading.Event: its ledger answers wait for it (see hold)
        self.calls = []  # (method, CUIT or None), in arrival order
        self.apikeys = []  # the apikey of each call, same order
        self.received = []  # every request as received: request line, headers and body
        self.redirect_to = None  # Location of the redirect modes
        self.trickle_interval = 0.2  # seconds between two bytes of the trickle modes
        self.huge_size = 200 * 1024 * 1024  # bytes of the huge and gzip bomb modes
        self.retry_after = "1"  # Retry-After header of the retry_after mode
        self.retry_status = 503  # the status it answers (429 or 503)
        self.failures_left = 0  # retry_after: how many failures before answering normally
        self.raw = (200, {"Content-Type": "application/json"}, b"{}")  # the raw mode's answer
        self.in_flight = self.max_in_flight = 0
        vouchers.install(self)  # facturacion/*: vouchers, points of sale, page modes (sandbox/vouchers.py)
        files.install(self)  # GET /files/...: the vouchers' PDFs (sandbox/files.py)
        self.connections = 0  # connections accepted
        self.tunnel = False  # as a proxy: open CONNECT tunnels (to loopback only)
        self.tunneled = b""  # what clients sent through the tunnels
        self.tls = None
        if certificate:  # (certificate file, key file): serve TLS
            self.tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            self.tls.minimum_version = ssl.TLSVersion.TLSv1_2
            self.tls.load_cert_chain(*certificate)
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer((host, port), _handler_for(self))
        self._httpd.daemon_threads = True
        self._thread = None

    @property
    def origin(self):
        host, port = self._httpd.server_address[:2]
        return f"{'https' if self.tls else 'http'}://{host}:{port}"

    @property
    def url(self):
        return self.origin + API_PREFIX

    def file_url(self, name):
        """Where the sandbox serves the file ``name`` (see sandbox/files.py)."""
        return f"{self.origin}{files.FILES_PREFIX}{name}"

    def start(self):
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="tusfacturas-sandbox", daemon=True)
        self._thread.start()
        return self

    def stop(self):
        self._release()
        self._httpd.shutdown()
        self._httpd.server_close()

    def hold(self, cuit):
        """Hold the answers to ``cuit``'s ledger requests until the returned event is set
        (at most :data:`HOLD_LIMIT` seconds), so that a test decides when they arrive."""
        self.held[str(cuit)] = gate = threading.Event()
        return gate

    def _release(self):
        """Let every held answer go: no request waits for a test that ended."""
        for gate in self.held.values():
            gate.set()
        self.held = {}

    def reset(self):
        self._release()
        with self._lock:
            self.mode, self.cuit_modes, self.delay = "ok", {}, 0.0
            self.calls, self.apikeys, self.max_in_flight = [], [], 0
            self.received, self.redirect_to, self.failures_left = [], None, 0
            self.connections, self.tunnel, self.tunneled = 0, False, b""
            del self.accounts[1:]
            vouchers.reset(self)
            files.reset(self)

    def record(self, method, cuit, apikey, raw):
        with self._lock:
            self.received.append(raw)
            self.calls.append((method, cuit))
            self.apikeys.append(apikey)
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)

    def done(self):
        with self._lock:
            self.in_flight -= 1

    def accepts(self, body):
        return any(all(str(body.get(k)) == str(v) for k, v in account.items()) for account in self.accounts)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def _handler_for(sandbox):
    class Handler(BaseHTTPRequestHandler):
        server_version = "TusFacturasSandbox/1.0"
        protocol_version = "HTTP/1.1"  # keep-alive: a client may send its next request on the connection
        timeout = 60  # seconds an idle connection is kept
        # An answer's headers and body are two writes: without TCP_NODELAY, Nagle's algorithm holds
        # the body until the client acknowledges the headers, which a kept-alive connection's
        # delayed ACK does 40 ms later (Linux), on every answer after the first few: 25 % more
        # than a call's 200 ms latency in tools/bench. Web servers set it; so does the sandbox.
        disable_nagle_algorithm = True

        def log_message(self, fmt, *args):  # keep test output quiet
            _logger.debug("sandbox: " + fmt, *args)

        def setup(self):
            with sandbox._lock:
                sandbox.connections += 1
            if sandbox.tls is not None:  # the handshake is made in handle(), in this connection's thread
                self.request = sandbox.tls.wrap_socket(self.request, server_side=True, do_handshake_on_connect=False)
            return super().setup()

        def handle(self):
            try:
                if sandbox.tls is not None:
                    self.connection.do_handshake()
                return super().handle()
            except ssl.SSLError:  # the client refused the certificate, or spoke no TLS
                _logger.debug("sandbox: TLS handshake failed")
            except (BrokenPipeError, ConnectionResetError, TimeoutError):  # the client gave up waiting (its timeout)
                _logger.debug("sandbox: the client left before its answer")

        def do_GET(self):
            path = urllib.parse.urlsplit(self.path).path
            if not path.startswith(files.FILES_PREFIX):
                return self._send(405, {"error": "S", "errores": ["Método no permitido"]})
            with sandbox._lock:
                sandbox.file_requests.append(self.requestline.encode() + b"\r\n" + bytes(self.headers))
            if sandbox.delay:
                time.sleep(sandbox.delay)
            status, headers, data = files.answer(sandbox, path)
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            with contextlib.suppress(OSError):  # a client that gave up (a size cap, a timeout)
                self.wfile.write(data)

        def do_CONNECT(self):
            # As a proxy: what it was asked is kept in ``received``; a tunnel is opened to
            # loopback when ``tunnel`` is set, refused otherwise.
            sandbox.received.append(self.requestline.encode() + b"\r\n" + bytes(self.headers))
            host, _sep, port = self.path.rpartition(":")
            if not sandbox.tunnel or host not in ("127.0.0.1", "localhost") or not port.isdigit():
                return self._send_raw(403, {}, b"")
            try:
                upstream = socket.create_connection((host, int(port)), timeout=self.timeout)
            except OSError:
                return self._send_raw(502, {}, b"")
            self.close_connection = True
            self.wfile.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
            with upstream:
                self._relay(upstream)

        def _relay(self, upstream):
            """Copy bytes both ways between the client and ``upstream`` until either ends."""

            def downstream():
                with contextlib.suppress(OSError):
                    while data := upstream.recv(65536):
                        self.wfile.write(data)
                with contextlib.suppress(OSError):  # the plain socket's shutdown, also for TLS
                    socket.socket.shutdown(self.connection, socket.SHUT_RDWR)

            thread = threading.Thread(target=downstream, name="tusfacturas-sandbox-tunnel", daemon=True)
            thread.start()
            with contextlib.suppress(OSError, ValueError):
                while data := self.rfile.read1(65536):
                    with sandbox._lock:
                        sandbox.tunneled += data
                    upstream.sendall(data)
            with contextlib.suppress(OSError):
                upstream.shutdown(socket.SHUT_RDWR)
            thread.join(self.timeout)

        def do_POST(self):
            if self.path.startswith("http://"):  # absolute form: it serves as a proxy
                self.path = urllib.parse.urlsplit(self.path).path
            length = int(self.headers.get("Content-Length") or 0)
            data = self.rfile.read(length)
            raw = self.requestline.encode() + b"\r\n" + bytes(self.headers) + data  # as received
            try:
                body = json.loads(data or b"{}")
            except ValueError:
                sandbox.received.append(raw)
                return self._send(400, {"error": "S", "errores": ["JSON inválido"]})
            method = self.path[len(API_PREFIX) + 1 :] if self.path.startswith(API_PREFIX + "/") else None
            cuit = str((body.get("cliente") or {}).get("documento_nro", "")) if isinstance(body, dict) else ""
            sandbox.record(method, cuit or None, body.get("apikey") if isinstance(body, dict) else None, raw)
            try:
                self._answer(method, cuit, body)
            finally:
                sandbox.done()

        def _answer(self, method, cuit, body):
            gate = sandbox.held.get(cuit) if cuit else None
            if gate is not None:
                gate.wait(HOLD_LIMIT)
            if sandbox.delay:
                time.sleep(sandbox.delay)
            mode = sandbox.cuit_modes.get(cuit, sandbox.mode) if cuit else sandbox.mode
            mode = vouchers.receive(sandbox, method, body, mode)  # a page's own mode
            if mode != "ok":
                return self._failure(mode, method, cuit, body)
            return self._answer_ok(method, cuit, body)

        def _answer_ok(self, method, cuit, body):
            if method not in ("clientes/cuenta-corriente", "micuenta/consumo", *vouchers.METHODS):
                return self._send(404, {"error": "S", "errores": ["Recurso inexistente"]})
            if not sandbox.accepts(body):
                return self._send(401, {"error": "S", "errores": ["Acceso denegado"]})
            if method in vouchers.METHODS:
                return self._send(*vouchers.answer(sandbox, method, body))
            if method == "micuenta/consumo":
                return self._send(
                    200,
                    {
                        "error": "N",
                        "errores": [],
                        "abonos_pendientes": 21,
                        "comprobantes_generados": 12,
                        "comprobantes_cupo": 100,
                        "comprobantes_disponibles": 79,
                    },
                )
            cliente = body.get("cliente") or {}
            if cliente.get("documento_tipo") != "CUIT" or not cuit.isdigit():
                return self._send(200, {"error": "S", "errores": ["El campo documento_nro es inválido"], "rta": ""})
            return self._send(
                200, {"error": "N", "errores": [""], "rta": "OK", "resultados": sandbox.ledgers.get(cuit, [])}
            )

        def _failure(self, mode, method, cuit, body):
            if mode in MISBEHAVIOURS:
                return self._misbehave(mode, method, cuit, body)
            if mode in HTTP_MODES:
                return self._send(HTTP_MODES[mode], {"error": "S", "errores": ["HTTP error"]})
            if mode == "api_error":
                return self._send(
                    200, {"error": "S", "errores": ["El CUIT no se encuentra habilitado", "Reintente luego"]}
                )
            if mode == "slow":
                time.sleep(sandbox.slow_seconds)
                return self._send(200, {"error": "N", "errores": [], "resultados": []})
            if mode == "drop":
                self.close_connection = True
                return self.connection.shutdown(2)
            if mode == "not_json":
                return self._send(200, b"<html>Mantenimiento</html>")
            if mode == "no_resultados":
                return self._send(200, {"error": "N", "errores": [], "rta": "OK"})
            if mode == "bad_row":
                return self._send(
                    200,
                    {
                        "error": "N",
                        "errores": [],
                        "resultados": [
                            {
                                "fecha": "11/05/2017",
                                "concepto": "FACTURA A 0002-00000001",
                                "debe": "mucho",
                                "haber": 0,
                                "resta_abonar_de_este_comprobante": 0,
                                "saldo": 0,
                            },
                        ],
                    },
                )
            raise ValueError(mode)

        def _misbehave(self, mode, method, cuit, body):
            ledger = {"error": "N", "errores": [""], "rta": "OK", "resultados": [_ROW]}
            if mode in REDIRECT_MODES:
                # To another origin: a client that follows re-posts the credentials there.
                return self._send_raw(REDIRECT_MODES[mode], {"Location": sandbox.redirect_to}, b"")
            if mode == "trickle_headers":  # one byte at a time, from the status line on
                return self._trickle(self._head(200, {"Content-Type": "application/json"}, 2) + b"{}")
            if mode == "trickle_body":  # headers at once, then one byte at a time
                data = json.dumps(ledger).encode()
                self.wfile.write(self._head(200, {"Content-Type": "application/json"}, len(data)))
                return self._trickle(data)
            if mode in ("huge", "huge_declared"):  # valid JSON, padded with whitespace
                return self._send_huge(declared=mode == "huge_declared")
            if mode == "gzip_bomb":  # a few hundred KB that decode to huge_size bytes
                return self._send_raw(200, {"Content-Encoding": "gzip"}, gzip_bomb(sandbox.huge_size))
            if mode == "double_gzip":  # a bomb compressed once more: a few hundred bytes on the wire
                data = gzip.compress(gzip_bomb(sandbox.huge_size))
                return self._send_raw(200, {"Content-Encoding": "gzip, gzip"}, data)
            if mode == "nested_json":
                return self._send_raw(200, {}, b'{"error": "N", "resultados": ' + b"[" * 100000 + b"]" * 100000 + b"}")
            if mode in ("huge_integer", "huge_float", "nan"):
                number = {"huge_integer": "1" + "0" * 400, "huge_float": "1e400", "nan": "NaN"}[mode]
                row = json.dumps(_ROW).replace('"debe": 112.1', f'"debe": {number}')
                return self._send_raw(200, {}, f'{{"error": "N", "resultados": [{row}]}}'.encode())
            credit = dict(_ROW, concepto="NOTA DE CRÉDITO A 0002-00000003", debe=0, haber=112.1, saldo=0)
            credit_ledger = dict(ledger, resultados=[_ROW, credit])
            if mode == "latin1":  # the body in ISO-8859-1, as a careless server might send it
                data = json.dumps(credit_ledger, ensure_ascii=False).encode("latin-1")
                return self._send_raw(200, {"Content-Type": "application/json; charset=iso-8859-1"}, data)
            if mode == "invalid_utf8":
                return self._send_raw(200, {}, b'{"error": "N", "resultados": [], "rta": "\xff\xfe"}')
            if mode in ("html_utf8", "bom"):  # UTF-8 JSON under a text/html type, or after a BOM
                data = json.dumps(credit_ledger, ensure_ascii=False).encode()
                if mode == "bom":
                    return self._send_raw(200, {}, b"\xef\xbb\xbf" + data)
                return self._send_raw(200, {"Content-Type": "text/html"}, data)
            if mode == "retry_after":  # failures_left failures with Retry-After, then a normal answer
                with sandbox._lock:
                    failing = sandbox.failures_left > 0
                    sandbox.failures_left -= failing
                if failing:
                    headers = {"Retry-After": sandbox.retry_after} if sandbox.retry_after is not None else {}
                    return self._send_raw(sandbox.retry_status, headers, b'{"error": "S", "errores": ["Espere"]}')
                return self._answer_ok(method, cuit, body)
            if mode == "refused_in_band":  # a refusal inside an HTTP 200, as some services do
                return self._send(
                    200, {"error": "S", "errores": ["El usuario no tiene acceso a la API desde la IP 203.0.113.5"]}
                )
            if mode == "truncated":  # the connection closes before the Content-Length announced
                data = json.dumps(ledger).encode()
                self.close_connection = True
                with contextlib.suppress(OSError):
                    self.wfile.write(self._head(200, {"Content-Type": "application/json"}, len(data)) + data[:20])
                return None
            if mode == "echo_credentials":  # the credentials quoted back, in odd shapes
                credentials = {key: str(body.get(key)) for key in ("usertoken", "apikey", "apitoken")}
                return self._send(
                    200,
                    {
                        "error": "S ",
                        "errores": {
                            "usertoken": f"Token {credentials['usertoken']} inválido",
                            "detalle": [
                                f"apitoken={credentials['apitoken'].upper()}",
                                f"apikey {credentials['apikey']}",
                            ],
                        },
                    },
                )
            status, headers, data = sandbox.raw
            return self._send_raw(status, headers, data)

        def _head(self, status, headers, length=None):
            """A status line and headers written by hand; the connection closes after them."""
            lines = [f"HTTP/1.1 {status} {self.responses.get(status, ('',))[0]}", "Connection: close"]
            lines += [f"{name}: {value}" for name, value in headers.items()]
            if length is not None:
                lines.append(f"Content-Length: {length}")
            return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")

        def _trickle(self, data):
            self.close_connection = True
            with contextlib.suppress(OSError):
                for byte in data:
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                    time.sleep(sandbox.trickle_interval)

        def _send_huge(self, declared):
            self.close_connection = True
            start, end, block = b'{"error": "N", "resultados": [', b"]}", b" " * (1 << 20)
            blocks = sandbox.huge_size // len(block)
            headers = {"Content-Type": "application/json"}
            length = len(start) + blocks * len(block) + len(end) if declared else None
            with contextlib.suppress(OSError):  # the client hangs up: that is the point
                self.wfile.write(self._head(200, headers, length) + start)
                for _ in range(blocks):
                    self.wfile.write(block)
                self.wfile.write(end)

        def _send_raw(self, status, headers, data):
            self.close_connection = True
            headers = {"Content-Type": "application/json", **headers}
            with contextlib.suppress(OSError):
                self.wfile.write(self._head(status, headers, len(data)) + data)

        def _send(self, status, payload):
            data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
            is_json = not isinstance(payload, bytes) or isinstance(payload, vouchers.EncodedJson)
            self.send_response(status)
            self.send_header("Content-Type", "application/json" if is_json else "text/html")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8071)
    parser.add_argument("--ledgers", type=pathlib.Path, help="JSON file {CUIT: [row, ...]}")
    parser.add_argument("--delay", type=float, default=0.0, help="seconds added to every answer")
    parser.add_argument("--calls", type=pathlib.Path, help="file to append each call to (method, tab, CUIT)")
    vouchers.add_arguments(parser)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO)
    ledgers = json.loads(args.ledgers.read_text(encoding="utf-8")) if args.ledgers else {}
    sandbox = SandboxServer(ledgers, port=args.port, host=args.host)
    sandbox.delay = args.delay
    vouchers.configure(sandbox, args)
    if args.calls:
        record, calls = sandbox.record, args.calls.open("a", encoding="utf-8", buffering=1)

        def record_to_file(method, cuit, apikey, raw):
            record(method, cuit, apikey, raw)
            calls.write(f"{method}\t{cuit or ''}\n")

        sandbox.record = record_to_file
    _logger.info("TusFacturas sandbox on %s", sandbox.url)
    with contextlib.suppress(KeyboardInterrupt):
        sandbox._httpd.serve_forever()


if __name__ == "__main__":
    main()
