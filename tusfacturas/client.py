"""HTTP client for the TusFacturas.app API v2.

Every request is a JSON ``POST`` carrying the three credentials in its body
(``usertoken``, ``apikey``, ``apitoken``). Whatever goes wrong is raised as a
single exception type, :class:`TusFacturasError`, whose ``code`` tells the
caller what happened; the credentials never appear in it nor in the logs.
"""

import logging
import time

import requests

_logger = logging.getLogger(__name__)

DEFAULT_URL = "https://www.tusfacturas.app/app/api/v2"
CREDENTIALS = ("usertoken", "apikey", "apitoken")


class TusFacturasError(Exception):
    """A failed TusFacturas call.

    ``code`` is one of:

    - ``api_errors``: the API answered ``"error": "S"``; ``errors`` lists its messages;
    - ``unauthorized`` (HTTP 401/403), ``bad_request`` (400), ``not_found`` (404),
      ``method_not_allowed`` (405), ``unavailable`` (429 and 5xx), ``http`` (any other
      status; ``status`` says which);
    - ``timeout``, ``connection``: the request did not complete;
    - ``invalid_json``: the body is not a JSON object;
    - ``invalid_response``: a field is missing or invalid; ``field`` names it and
      ``row`` gives the 1-based row number when it is in ``resultados``.
    """

    def __init__(self, code, *, status=None, errors=(), field=None, row=None, detail=None):
        self.code = code
        self.status = status
        self.errors = tuple(errors)
        self.field = field
        self.row = row
        self.detail = detail
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
        """The service refused the account itself: further calls are pointless."""
        return self.code == "unauthorized"


_STATUS_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "unauthorized",
    404: "not_found",
    405: "method_not_allowed",
    429: "unavailable",
}


class TusFacturasClient:
    """Calls the API of one TusFacturas CUIT + point of sale."""

    def __init__(self, usertoken, apikey, apitoken, base_url=DEFAULT_URL, timeout=30):
        self.base_url = (base_url or DEFAULT_URL).rstrip("/")
        self.timeout = timeout or 30
        self._credentials = {"usertoken": usertoken, "apikey": apikey, "apitoken": apitoken}

    def __repr__(self):
        return f"<TusFacturasClient {self.base_url}>"

    def call(self, method, payload=None):
        """POST ``payload`` plus the credentials to ``method``; return the decoded object.

        Raises :class:`TusFacturasError` on any failure, including ``"error": "S"``.
        """
        url = f"{self.base_url}/{method.lstrip('/')}"
        body = dict(payload or {}, **self._credentials)
        start = time.monotonic()
        try:
            response = requests.post(url, json=body, timeout=self.timeout, verify=True)
        except requests.Timeout as exc:
            _logger.warning("TusFacturas %s: timed out after %ss", method, self.timeout)
            raise TusFacturasError("timeout") from exc
        except requests.RequestException as exc:
            # The exception text holds the URL only: the credentials travel in the body.
            _logger.warning("TusFacturas %s: connection failed (%s)", method, type(exc).__name__)
            raise TusFacturasError("connection", detail=type(exc).__name__) from exc
        _logger.info("TusFacturas %s: HTTP %s in %.2fs", method, response.status_code, time.monotonic() - start)
        status = response.status_code
        if status != 200:
            code = _STATUS_CODES.get(status) or ("unavailable" if status >= 500 else "http")
            raise TusFacturasError(code, status=status)
        try:
            data = response.json()
        except ValueError as exc:
            raise TusFacturasError("invalid_json") from exc
        if not isinstance(data, dict):
            raise TusFacturasError("invalid_json")
        if str(data.get("error", "")).upper() == "S":
            errors = [str(e) for e in (data.get("errores") or []) if str(e).strip()]
            raise TusFacturasError("api_errors", errors=errors)
        return data

    def account_usage(self):
        """``micuenta/consumo``: this month's quota, usable as a connection test."""
        data = self.call("micuenta/consumo")
        usage = {}
        for key in ("comprobantes_cupo", "comprobantes_generados", "comprobantes_disponibles", "abonos_pendientes"):
            value = data.get(key)
            if value is not None and not isinstance(value, int | float | str):
                raise TusFacturasError("invalid_response", field=key)
            usage[key] = value
        return usage

    def customer_ledger(self, cuit):
        """``clientes/cuenta-corriente``: the raw rows of a customer's current account."""
        data = self.call(
            "clientes/cuenta-corriente",
            {"cliente": {"documento_tipo": "CUIT", "documento_nro": str(cuit)}},
        )
        if "resultados" not in data:
            raise TusFacturasError("invalid_response", field="resultados")
        return data["resultados"]
