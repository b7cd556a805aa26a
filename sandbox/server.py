"""A real HTTP server on loopback that speaks the documented TusFacturas API v2.

It answers ``clientes/cuenta-corriente`` per CUIT from fixtures and
``micuenta/consumo`` with a quota, checks the three credentials, and can be
switched into every failure the addon must survive: ``error: "S"``, each HTTP
error class, slow answers, dropped connections, bodies that are not JSON or lack
fields. Standard library only.

Used from Python (tests)::

    with SandboxServer(ledgers={"30714295698": [...]}) as sandbox:
        sandbox.url            # http://127.0.0.1:<port>/app/api/v2
        sandbox.mode = "http_500"
        sandbox.calls          # [(method, cuit), ...]

or from the command line (``python sandbox/server.py --port 8071 --ledgers FILE``),
serving the ledgers of a JSON file ``{CUIT: [row, ...]}`` (``tools/run`` writes one
from the demo invoices).
"""

import argparse
import contextlib
import json
import logging
import pathlib
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

_logger = logging.getLogger(__name__)

API_PREFIX = "/app/api/v2"
DEFAULT_CREDENTIALS = {"usertoken": "sandbox-usertoken", "apikey": "1234", "apitoken": "sandbox-apitoken"}

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


class SandboxServer:
    """The sandbox, started on a free loopback port (or the one given)."""

    def __init__(self, ledgers=None, credentials=None, port=0, host="127.0.0.1"):
        self.ledgers = dict(ledgers or {})
        # Accepted accounts (one per CUIT + point of sale), each a dict of the three credentials.
        self.accounts = [dict(credentials or DEFAULT_CREDENTIALS)]
        self.mode = "ok"  # applies to every request
        self.cuit_modes = {}  # CUIT -> mode, for ledger requests of that CUIT only
        self.delay = 0.0  # seconds added to every answer
        self.slow_seconds = 5.0  # how long "slow" waits
        self.calls = []  # (method, CUIT or None), in arrival order
        self.apikeys = []  # the apikey of each call, same order
        self.in_flight = self.max_in_flight = 0
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer((host, port), _handler_for(self))
        self._httpd.daemon_threads = True
        self._thread = None

    @property
    def url(self):
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}{API_PREFIX}"

    def start(self):
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="tusfacturas-sandbox", daemon=True)
        self._thread.start()
        return self

    def stop(self):
        self._httpd.shutdown()
        self._httpd.server_close()

    def reset(self):
        with self._lock:
            self.mode, self.cuit_modes, self.delay = "ok", {}, 0.0
            self.calls, self.apikeys, self.max_in_flight = [], [], 0
            del self.accounts[1:]

    def record(self, method, cuit, apikey):
        with self._lock:
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

        def log_message(self, fmt, *args):  # keep test output quiet
            _logger.debug("sandbox: " + fmt, *args)

        def do_GET(self):
            self._send(405, {"error": "S", "errores": ["Método no permitido"]})

        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            try:
                body = json.loads(self.rfile.read(length) or b"{}")
            except ValueError:
                return self._send(400, {"error": "S", "errores": ["JSON inválido"]})
            method = self.path[len(API_PREFIX) + 1 :] if self.path.startswith(API_PREFIX + "/") else None
            cuit = str((body.get("cliente") or {}).get("documento_nro", "")) if isinstance(body, dict) else ""
            sandbox.record(method, cuit or None, body.get("apikey") if isinstance(body, dict) else None)
            try:
                self._answer(method, cuit, body)
            finally:
                sandbox.done()

        def _answer(self, method, cuit, body):
            if sandbox.delay:
                time.sleep(sandbox.delay)
            mode = sandbox.cuit_modes.get(cuit, sandbox.mode) if cuit else sandbox.mode
            if mode != "ok":
                return self._failure(mode)
            if method not in ("clientes/cuenta-corriente", "micuenta/consumo"):
                return self._send(404, {"error": "S", "errores": ["Recurso inexistente"]})
            if not sandbox.accepts(body):
                return self._send(401, {"error": "S", "errores": ["Acceso denegado"]})
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

        def _failure(self, mode):
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

        def _send(self, status, payload):
            data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json" if not isinstance(payload, bytes) else "text/html")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8071)
    parser.add_argument("--ledgers", type=pathlib.Path, help="JSON file {CUIT: [row, ...]}")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO)
    ledgers = json.loads(args.ledgers.read_text(encoding="utf-8")) if args.ledgers else {}
    sandbox = SandboxServer(ledgers, port=args.port, host=args.host)
    _logger.info("TusFacturas sandbox on %s", sandbox.url)
    with contextlib.suppress(KeyboardInterrupt):
        sandbox._httpd.serve_forever()


if __name__ == "__main__":
    main()
