"""The sandbox's voucher methods: ``facturacion/consulta_avanzada`` (by date, ``F``, and by type
and number range, ``TN``), ``facturacion/consulta`` and ``facturacion/numeracion``.

``sandbox/server.py`` dispatches them here; its failure modes (``sandbox.mode``) apply to them
as to every method. The vouchers are held per point of sale, in the API's shape (build them
with :func:`make_voucher`), and each account (an entry of ``SandboxServer.accounts``) issues
from one point of sale, found by its ``apikey`` (default :data:`DEFAULT_POINT_OF_SALE`), as
TusFacturas answers for the point of sale of the credentials used::

    sandbox.vouchers.add(make_voucher(number=1), make_voucher(number=2, total=242.0))  # by their punto_venta
    sandbox.vouchers[1]                      # point of sale 1's vouchers
    sandbox.points_of_sale["5678"] = 2       # the account with apikey 5678 issues from point of sale 2
    sandbox.voucher_page_modes = {1: "bad_voucher"}  # page 1 (pagina, from 0) of consulta_avanzada
    sandbox.voucher_calls                    # [(method, pagina or None), ...] in arrival order

A page mode is one of :data:`PAGE_MODES` or any of the server's modes (``"http_500"``, ``"drop"``,
``"slow"``...), for that page only. ``sandbox.reset()`` clears the page modes, the calls and the
points of sale, not the vouchers (as it keeps the ledgers).

As TusFacturas is assumed to answer (see ``tusfacturas/voucher_api.py``): a search lists the
vouchers dated ``fecha`` (``dd/mm/yyyy``, compared as text: :func:`make_voucher` writes dates
so), or of ``tipo`` numbered ``numero_desde`` to ``numero_hasta``, newest first (vouchers not
numbered yet, then the highest numbers), ``total`` counting them all and ``pagina`` picking
``limite`` (at most 1,000) of them; ``consulta`` answers the voucher with its detail, or
``"error": "S"`` when there is none; ``numeracion`` the highest number of the type at the point
of sale (0 when none); a point of sale other than the account's is refused (``"error": "S"``).
Standard library only.
"""

import datetime
import functools
import json
import pathlib
import unicodedata

SEARCH = "facturacion/consulta_avanzada"
VOUCHER = "facturacion/consulta"
NUMBERING = "facturacion/numeracion"
METHODS = (SEARCH, VOUCHER, NUMBERING)
DEFAULT_POINT_OF_SALE = 1
MAX_LIMIT = 1000

# Page modes of consulta_avanzada, for one page: an invalid voucher (its total is "mucho"), no
# voucher before the total is read, one voucher fewer (a short page), one more (the page's
# first, repeated), another total than the other pages', and an error answer ("error": "S")
# that still lists the page, its first voucher invalid.
PAGE_MODES = ("bad_voucher", "empty_page", "short_page", "extra_voucher", "changing_total", "error_listing")

# Where the fixtures' links point: a host that never resolves.
_FILES = "https://sandbox.tusfacturas.invalid"
# A QR's text is about 300 characters of base64 (the reference's example, cut).
_QR = "eyJ2ZXIiOjEsImZlY2hhIjoiMjAyNi0wMy0wMSIsImN1aXQiOjMwNzE0Mjk1Njk4LCJwdG9WdGEiOjEsInRpcG9DbXAiOjEs" * 3


REFERENCE_FILE = pathlib.Path(__file__).with_name("reference_vouchers.json")


def reference_answers():
    """The reference's example answers, verbatim: ``{"consulta_avanzada": {...}, "consulta": {...}}``."""
    return json.loads(REFERENCE_FILE.read_text(encoding="utf-8"))


class VoucherBook(dict):
    """Point of sale -> its vouchers (API-shaped dicts, in the order added)."""

    def add(self, *vouchers):
        """File each voucher under its ``punto_venta``."""
        for voucher in vouchers:
            self.setdefault(int(voucher["comprobante"]["punto_venta"]), []).append(voucher)
        return self


class EncodedJson(bytes):
    """A JSON answer encoded once: a sandbox told to (``--cache-answers``, the benchmark's) gives
    the same pages again without encoding them again, as TusFacturas' own work is not Odoo's."""


def install(sandbox):
    """The sandbox's voucher state (called by ``SandboxServer.__init__``)."""
    sandbox.vouchers = VoucherBook()
    sandbox.voucher_answers = None  # a dict: answers kept encoded (see EncodedJson)
    sandbox.points_of_sale = {}  # apikey -> point of sale
    sandbox.voucher_page_modes = {}  # pagina -> mode
    sandbox.voucher_calls = []  # (method, pagina or None)


def reset(sandbox):
    sandbox.points_of_sale.clear()
    sandbox.voucher_page_modes = {}
    sandbox.voucher_calls = []


def _day(value):
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    return datetime.datetime.strptime(value.strip(), "%d/%m/%Y").strftime("%d/%m/%Y")


@functools.lru_cache(maxsize=256)
def _type(value):
    """A type name as compared: upper case, no accents, single spaces."""
    text = unicodedata.normalize("NFKD", str(value or ""))
    return " ".join("".join(c for c in text if not unicodedata.combining(c)).upper().split())


def _number(value):
    """A number the fixtures compute with, whatever a test wrote there (``"mucho"``: 0)."""
    try:
        number = float(str(value).replace(",", ".")) if isinstance(value, str) else float(value)
    except (TypeError, ValueError, OverflowError):
        return 0
    return number if abs(number) < 1e15 else 0


def make_line(quantity=1, description="PRODUCTO DE PRUEBA", unit_price=100.0, vat_rate=21, discount=0, **extra):
    """A line of ``detalle``: ``vat_rate`` is the API's ``alicuota`` (-1 exempt, -2 not taxed);
    ``extra`` adds to (or replaces in) its ``producto``."""
    return {
        "cantidad": quantity,
        "producto": {
            "descripcion": description,
            "precio_unitario": unit_price,
            "alicuota": vat_rate,
            "bonificacion": discount,
            "impuestos_internos_alicuota": 0,
            "precio_total": round(_number(quantity) * _number(unit_price) - _number(discount), 2),
            **extra,
        },
        "bonificacion_porcentaje": 0,
        "leyenda": "",
    }


def make_tax(
    kind=7,
    description="Percepcion de IIBB",
    regime=2,
    regime_description="BUENOS AIRES",
    base=100.0,
    rate=3.0,
    amount=3.0,
):
    """An item of ``tributos`` (``kind``: its ``tipo``), as in ``facturacion/consulta``'s example."""
    return {
        "tipo": kind,
        "tipo_descripcion": description,
        "regimen": regime,
        "regimen_descripcion": regime_description,
        "base_imponible": base,
        "alicuota": rate,
        "total": amount,
    }


def make_associated(type_name="FACTURA A", point_of_sale=1, number=1, date="01/03/2026"):
    """An item of ``comprobantes_asociados`` (a shape the reference does not show: assumed)."""
    return {
        "tipo_comprobante": type_name,
        "punto_venta": point_of_sale,
        "numero": number,
        "comprobante_fecha": _day(date),
    }


def make_voucher(
    type_name="FACTURA A",
    point_of_sale=1,
    number=1,
    date="01/03/2026",
    total=121.0,
    currency="PES",
    rate=1,
    customer=("CUIT", "30714295698", "ADHOC SA"),
    status="EMITIDO",
    lines=None,
    taxes=(),
    associated=(),
    *,
    ctacte_status="IMPAGA",
    cae=None,
    due_date=None,
    pdf_url=None,
    cliente=None,
    **comprobante,
):
    """A voucher as ``consulta_avanzada`` lists it and ``consulta`` answers it.

    ``date`` and ``due_date`` are dates or ``dd/mm/yyyy``; ``customer`` is ``(documento_tipo,
    documento_nro, razon_social)``; ``lines`` dicts of :func:`make_line` or tuples of its
    arguments (default: one line of ``total`` / 1.21 at 21%); ``taxes`` and ``associated``
    likewise for :func:`make_tax` and :func:`make_associated`. An issued voucher (``EMITIDO``)
    gets a CAE (with the API's trailing space) and a PDF URL unless given. ``cliente`` adds to
    the customer object (``condicion_iva``, ``email``...), ``comprobante`` to the voucher's
    (``percepciones_iibb``, ``cotizacion``..., ``None`` removes a field).
    """
    day = _day(date)
    issued = isinstance(status, str) and status.strip().upper() == "EMITIDO"
    doc_type, doc_number, name = customer
    if lines is None:
        lines = [make_line(1, "PRODUCTO DE PRUEBA", round(_number(total) / 1.21, 2), 21)]
    # What links and codes are made of, whatever a test wrote in the fields.
    pos, num = int(_number(point_of_sale)) % 100000, int(_number(number)) % 100000000
    reference = f"{pos:05d}-{num:08d}"
    cae = cae or f"7{pos:05d}{num:08d}"
    voucher = {
        "fecha": day,
        "tipo": type_name,
        "operacion": "V",
        "punto_venta": point_of_sale,
        "numero": number,
        "moneda": currency,
        "idioma": 1,
        "cotizacion": rate,
        "periodo_facturado_desde": day,
        "periodo_facturado_hasta": day,
        "rubro": "Deudores Varios",
        "rubro_grupo_contable": "Ventas",
        "detalle": [line if isinstance(line, dict) else make_line(*line) for line in lines],
        "bonificacion": 0,
        "leyenda_gral": " ",
        "percepciones_iibb": 0,
        "percepciones_iva": 0,
        "tributos": [tax if isinstance(tax, dict) else make_tax(*tax) for tax in taxes],
        "exentos": 0,
        "nogravados": 0,
        "impuestos_internos": 0,
        "impuestos_internos_base": 0,
        "impuestos_internos_alicuota": 0,
        "total": total,
        "cae": f"{cae} " if issued else "",  # with the API's trailing space
        # The reference's sizes: a barcode, a QR's text, links that expire.
        "afip_codigo_barras": f"30714295698{pos:05d}{num:08d}2026 " if issued else "",
        "afip_qr": f"https://www.afip.gob.ar/fe/qr/?p={_QR}{reference}" if issued else "",
        "vencimiento_cae": _day(_date(day) + datetime.timedelta(days=10)) if issued else "",
        "vencimiento_pago": _day(due_date or day),
        "comprobante_pdf_url": pdf_url or (f"{_FILES}/pdf/{reference}.pdf" if issued else ""),
        "comprobante_ticket_url": f"{_FILES}/ticket/{reference}.pdf" if issued else "",
        "external_reference": "",
        "tags": [],
        "status": status,
        "ctacte_status": ctacte_status,
        "afip_observaciones": "",
        "micrositios": {
            "cliente": f"{_FILES}/micrositios/c/{doc_number}/acceder",
            "descarga": f"{_FILES}/micrositios/descargas/{reference}",
        },
    }
    if associated:
        voucher["comprobantes_asociados"] = [
            item if isinstance(item, dict) else make_associated(*item) for item in associated
        ]
    voucher.update(comprobante)
    voucher = {key: value for key, value in voucher.items() if value is not None}
    client = {
        "documento_tipo": doc_type,
        "documento_nro": doc_number,
        "razon_social": name,
        "email": "",
        "domicilio": "",
        **(cliente or {}),
    }
    return {"cliente": client, "comprobante": voucher}


def _date(day):
    return datetime.datetime.strptime(day, "%d/%m/%Y").date()


def _integer(value, default=None):
    if value is None:
        return default
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None


def _refused(message):
    return 200, {"error": "S", "errores": [message], "rta": ""}


def receive(sandbox, method, body, mode):
    """Record a voucher call; return the mode to answer it in: the page's own mode first
    (``"ok"`` for the :data:`PAGE_MODES`, which :func:`answer` applies)."""
    if method not in METHODS:
        return mode
    page = _integer(body.get("pagina")) if method == SEARCH and isinstance(body, dict) else None
    with sandbox._lock:
        sandbox.voucher_calls.append((method, page))
    page_mode = sandbox.voucher_page_modes.get(page) if page is not None else None
    if page_mode is None:
        return mode
    return "ok" if page_mode in PAGE_MODES else page_mode


def answer(sandbox, method, body):
    """``(HTTP status, JSON object)`` of a voucher method, for accepted credentials (the object
    encoded, :class:`EncodedJson`, when the sandbox keeps its answers)."""
    if sandbox.voucher_answers is None:
        return _answer(sandbox, method, body)
    key = json.dumps([method, {k: v for k, v in body.items() if k not in ("usertoken", "apitoken")}], sort_keys=True)
    if key not in sandbox.voucher_answers:
        status, payload = _answer(sandbox, method, body)
        sandbox.voucher_answers[key] = (status, EncodedJson(json.dumps(payload).encode()))
    return sandbox.voucher_answers[key]


def _answer(sandbox, method, body):
    point_of_sale = sandbox.points_of_sale.get(str(body.get("apikey")), DEFAULT_POINT_OF_SALE)
    comprobante = body.get("comprobante")
    if not isinstance(comprobante, dict):
        return _refused("El campo comprobante es obligatorio")
    if comprobante.get("operacion") not in ("V", "C"):
        return _refused("El campo operacion es inválido")
    asked = comprobante.get("punto_venta")
    if asked is not None and _integer(asked) != point_of_sale:
        return _refused("El punto de venta no corresponde a las credenciales enviadas")
    held = sandbox.vouchers.get(point_of_sale, []) if comprobante["operacion"] == "V" else []
    if method == SEARCH:
        return _search(sandbox, body, comprobante, held)
    if comprobante.get("tipo") is None:
        return _refused("El campo tipo es obligatorio")
    kind = _type(comprobante["tipo"])
    same_type = [voucher for voucher in held if _type(voucher["comprobante"]["tipo"]) == kind]
    if method == NUMBERING:
        numbers = [_integer(voucher["comprobante"].get("numero"), 0) or 0 for voucher in same_type]
        return 200, {
            "error": "N",
            "errores": [""],
            "rta": "OK",
            "comprobante": {
                "tipo": comprobante["tipo"],
                "operacion": "V",
                "punto_venta": point_of_sale,
                "numero": max(numbers, default=0),
            },
        }
    number = _integer(comprobante.get("numero"))
    for voucher in same_type:
        if number and _integer(voucher["comprobante"].get("numero")) == number:
            return 200, {"error": "N", "errores": [""], "rta": "OK", **voucher}
    return _refused("No se encontró el comprobante solicitado")


def _newest_first(voucher):
    number = _integer(voucher["comprobante"].get("numero"), 0) or 0
    return (number == 0, number)


def _search(sandbox, body, comprobante, held):
    search, page, limit = body.get("busqueda_tipo"), _integer(body.get("pagina")), _integer(body.get("limite"))
    if page is None or limit is None or not 0 <= limit <= MAX_LIMIT:
        return _refused(f"Los campos pagina y limite son obligatorios; limite, de 0 a {MAX_LIMIT}")
    if search == "F":
        try:
            day = _day(comprobante.get("fecha") or "")
        except (TypeError, ValueError, AttributeError):
            return _refused("El campo fecha es inválido")
        found = [voucher for voucher in held if voucher["comprobante"]["fecha"] == day]
    elif search == "TN":
        kind = _type(comprobante.get("tipo"))
        first, last = _integer(comprobante.get("numero_desde")), _integer(comprobante.get("numero_hasta"))
        if not kind or first is None or last is None:
            return _refused("Los campos tipo, numero_desde y numero_hasta son obligatorios")
        found = [
            voucher
            for voucher in held
            if _type(voucher["comprobante"]["tipo"]) == kind
            and first <= (_integer(voucher["comprobante"].get("numero"), 0) or 0) <= last
        ]
    else:
        return _refused("El campo busqueda_tipo es inválido")
    found.sort(key=_newest_first, reverse=True)
    total, vouchers = len(found), found[page * limit : (page + 1) * limit]
    mode = sandbox.voucher_page_modes.get(page)
    if mode in ("bad_voucher", "error_listing") and vouchers:
        first = vouchers[0]
        vouchers = [{**first, "comprobante": {**first["comprobante"], "total": "mucho"}}, *vouchers[1:]]
        if mode == "error_listing":
            return 200, {
                "rta": "ERROR",
                "error": "S",
                "total": total,
                "errores": ["Error interno"],
                "comprobantes": vouchers,
            }
    elif mode == "empty_page":
        vouchers = []
    elif mode == "short_page":
        vouchers = vouchers[:-1]
    elif mode == "extra_voucher":
        vouchers = [*vouchers, *vouchers[:1]]
    elif mode == "changing_total":
        total += 1
    return 200, {"rta": "OK", "error": "N", "total": total, "errores": [], "comprobantes": vouchers}


def add_arguments(parser):
    """The command line's voucher option (``sandbox/server.py --vouchers FILE``)."""
    parser.add_argument("--vouchers", help="JSON file: a list of vouchers in the API's shape (see make_voucher)")
    parser.add_argument("--cache-answers", action="store_true", help="encode each voucher answer once (benchmarks)")


def configure(sandbox, args):
    if args.cache_answers:
        sandbox.voucher_answers = {}
    if args.vouchers:
        with open(args.vouchers, encoding="utf-8") as file:
            sandbox.vouchers.add(*json.load(file))
