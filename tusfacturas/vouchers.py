"""Validate and convert the vouchers of ``facturacion/consulta_avanzada`` and ``facturacion/consulta``.

A voucher is ``{"cliente": {...}, "comprobante": {...}}``: an item of
``consulta_avanzada``'s ``comprobantes``, or the two objects at the top level of
``consulta``'s answer. :func:`parse_voucher` reads one, :func:`parse_voucher_page` a page
of ``consulta_avanzada`` (its ``total`` and vouchers). Same strictness as
:mod:`.ledger`: amounts are finite, below 10^15, JSON numbers or unambiguous strings;
dates are real ``dd/mm/yyyy``; the only error is ``TusFacturasError("invalid_response",
field=<path of the field in the voucher>, row=<1-based voucher index on the page>)``,
whatever the input.

What the reference shows, and what is assumed where it does not:

- ``comprobante.tipo`` is a name of the "Tipos de comprobantes" table (``"FACTURA A"``,
  ``"NOTA DE CREDITO ELECTRONICA MiPyME (FCE) B"``), read upper-case, accents and extra
  spaces dropped, and mapped to its AFIP code with :data:`.concept.AFIP_CODES`; the
  "NO VALIDA EN AFIP" types have none. Any other name is refused.
- ``punto_venta`` and ``numero`` are integers (JSON numbers, or digit strings such as the
  ``"00010"`` the reference sends). A voucher not issued (queued, failed) may have no number
  (absent, ``null`` or ``0``: ``number`` is then 0); an issued one must have one.
- ``status`` is one of the texts the reference lists: ``"EMITIDO"`` (``issued``),
  ``"APROBADO Y EN COLA. SE EMITE EL dd/mm/aaaa"`` and ``"EN COLA, ESPERANDO APROBACION"``
  (``queued``), ``"ENVIADO A PROCESAR - CON ERROR"`` (``error``, text after it tolerated);
  the raw text is kept in ``status_text``. Any other text is refused.
- ``ctacte_status`` is ``PAGADA``, ``IMPAGA`` or ``PAGO PARCIAL`` (``paid``, ``unpaid``,
  ``partial``), None when absent or empty; any other text is refused.
- ``moneda`` is a code of the "Monedas" table (three letters or digits: ``PES``, ``DOL``,
  ``060``...); ``cotizacion`` is pesos per unit, > 0; for ``PES`` it is 1 (absent accepted,
  any other value refused).
- ``cliente.documento_tipo`` is ``CUIT``, ``DNI``, ``PASAPORTE`` or ``OTRO`` (the "Tipos de
  documento" table); ``documento_nro`` has its whitespace stripped (the reference's example
  ends with a space): digits only for CUIT and DNI, required for them; text for a passport;
  None when empty (``OTRO``, "no requiere enviar el numero").
- ``cae`` ends with a space in the reference: stripped, None when empty. Optional dates
  (``vencimiento_cae``, ``vencimiento_pago``, ``periodo_facturado_*``) may be absent or ``""``.
- ``comprobante_pdf_url`` must be an ``http(s)`` URL (the Odoo layer downloads it; any other
  scheme is refused).
- The detail (``parse_voucher(..., detail=True)``, the default for ``consulta``): lines
  (``detalle``: ``cantidad``, ``producto.descripcion``, ``producto.precio_unitario``,
  ``producto.alicuota`` one of 27, 21, 10.5, 5, 2.5, 0, -1 exempt, -2 not taxed,
  ``producto.bonificacion`` (an amount), ``bonificacion_porcentaje``,
  ``producto.precio_total``), ``tributos`` as in ``consulta``'s example, and, not shown by
  the reference pages, ``comprobantes_asociados`` of a credit or debit note, assumed to be a
  list of ``{"tipo_comprobante": "FACTURA A", "punto_venta": 2, "numero": 12,
  "comprobante_fecha": "dd/mm/yyyy"}`` (the shape ``facturacion/nuevo`` takes), and
  ``cliente.condicion_iva`` (``CF``, ``RI``, ``M``...), ``email``, ``domicilio`` and
  ``provincia``, which the reference says come back "as sent". Every detail field may be
  absent: amounts are then 0, lists empty, texts None. A listing is read without its detail
  by default (the check needs none of it): those fields are then None.
"""

import dataclasses
import datetime
import operator
from dataclasses import dataclass

from .client import TusFacturasError
from .concept import AFIP_CODES, NOT_AFIP_TYPES, _normalize
from .ledger import MAX_AMOUNT, _amount, _date

ISSUED = "issued"
QUEUED = "queued"
ERROR = "error"
STATUSES = (ISSUED, QUEUED, ERROR)
PAID = "paid"
UNPAID = "unpaid"
PARTIAL = "partial"

# Document types of the "Tipos de documento" table; numbers of the first two are digits.
DOCUMENT_TYPES = ("CUIT", "DNI", "PASAPORTE", "OTRO")
_DIGIT_DOCUMENTS = frozenset({"CUIT", "DNI"})
# The API's "alicuota" values: 27, 21, 10.5, 5, 2.5 and 0 %, -1 exempt, -2 not taxed.
VAT_RATES = frozenset({27.0, 21.0, 10.5, 5.0, 2.5, 0.0, -1.0, -2.0})
VAT_EXEMPT = -1.0
VAT_NOT_TAXED = -2.0

MAX_POINT_OF_SALE = 99999
MAX_NUMBER = 99999999
MAX_TOTAL = 10**8  # vouchers a search may announce: far beyond any real point of sale

_STATUS_TEXTS = {
    "EMITIDO": ISSUED,
    "EN COLA, ESPERANDO APROBACION": QUEUED,
    "ENVIADO A PROCESAR - CON ERROR": ERROR,
}
_STATUS_PREFIXES = (("APROBADO Y EN COLA", QUEUED), ("ENVIADO A PROCESAR - CON ERROR", ERROR))
_CTACTE = {"PAGADA": PAID, "IMPAGA": UNPAID, "PAGO PARCIAL": PARTIAL, "": None}


def _reference_spelling(name):
    return name.replace("MIPYME", "MiPyME")


def _type_table():
    """Normalised type name -> (the reference's spelling, AFIP code or None)."""
    table = {}
    for doc_type, letters in AFIP_CODES.items():
        for letter, code in letters.items():
            name = f"{doc_type} {letter}"
            table[name] = (_reference_spelling(name), code)
    for name in NOT_AFIP_TYPES:
        table[name] = (name, None)
    # The reference's own spelling is looked up first, without normalising.
    table.update({spelling: (spelling, code) for spelling, code in list(table.values())})
    return table


_TYPES = _type_table()
# AFIP code -> the type name the API takes (tipo), e.g. "1" -> "FACTURA A".
TYPE_NAMES = {code: name for name, code in _TYPES.values() if code}


def type_name_of(afip_code):
    """The API's ``tipo`` for an AFIP document code (``"1"`` -> ``"FACTURA A"``), or None."""
    return TYPE_NAMES.get(str(afip_code))


def afip_code_of(type_name):
    """``(the reference's spelling, AFIP code or None)`` of a type name, or None if unknown."""
    if not isinstance(type_name, str):
        return None
    return _TYPES.get(type_name) or _TYPES.get(_normalize(type_name))


# Not frozen, as the other values here: vouchers and their customers are built by the tens of
# thousands (a month of a point of sale), and a frozen dataclass is built through
# ``object.__setattr__``, at twice the cost. Nothing changes them once built.
@dataclass(slots=True)
class VoucherCustomer:
    """The voucher's customer: ``doc_type`` one of :data:`DOCUMENT_TYPES`, ``number`` its
    document number (digits for CUIT and DNI; None when there is none), ``name``
    (``razon_social``, "" when absent). The rest only with the detail (else None)."""

    doc_type: str
    number: str | None
    name: str
    vat_condition: str | None = None  # condicion_iva: CF, RI, M, E, CDEX, IVNA
    email: str | None = None
    address: str | None = None  # domicilio
    province: int | None = None  # provincia, the "Provincias" table's code


@dataclass(frozen=True, slots=True)
class VoucherLine:
    """A line of ``detalle``; ``vat_rate`` is the API's ``alicuota`` (see :data:`VAT_RATES`),
    ``discount`` the amount ``producto.bonificacion``, ``total`` ``producto.precio_total``
    (None when absent)."""

    quantity: float
    description: str
    unit_price: float
    vat_rate: float
    discount: float = 0.0
    discount_percent: float = 0.0
    internal_tax_rate: float = 0.0
    total: float | None = None
    code: str | None = None  # producto.codigo, when sent


@dataclass(frozen=True, slots=True)
class VoucherTax:
    """An item of ``tributos``: ``type`` (``tipo``, e.g. 7 "Percepcion de IIBB"), ``regime``
    (``regimen``, e.g. 5 "BUENOS AIRES"), ``base``, ``rate`` and ``amount`` (``total``)."""

    type: int
    description: str
    regime: int | None
    regime_description: str
    base: float | None
    rate: float | None
    amount: float


@dataclass(frozen=True, slots=True)
class AssociatedVoucher:
    """An item of ``comprobantes_asociados`` (assumed shape: see the module's docstring)."""

    type_name: str
    afip_code: str | None
    point_of_sale: int
    number: int
    date: datetime.date | None

    @property
    def key(self):
        return (self.afip_code, self.point_of_sale, self.number)


@dataclass(frozen=True, slots=True)
class VoucherDetail:
    """What a voucher's detail adds (``facturacion/consulta``): its lines, perceptions,
    ``tributos``, exempt (``exentos``) and not taxed (``nogravados``) amounts, internal taxes,
    general discount (``bonificacion``), associated vouchers, billed service period and AFIP's
    observations; absent amounts are 0, absent lists empty."""

    lines: tuple  # of VoucherLine
    perceptions_iibb: float
    perceptions_iva: float
    taxes: tuple  # of VoucherTax
    exempt: float
    untaxed: float
    internal_taxes: float
    discount: float
    associated: tuple  # of AssociatedVoucher
    service_from: datetime.date | None
    service_to: datetime.date | None
    afip_observations: str | None


def _of_detail(name):
    """A property of :class:`Voucher` reading ``name`` from its detail."""
    return property(
        lambda self: getattr(self.detail, name) if self.detail is not None else None,
        doc=f"``detail.{name}``; None when the voucher was read without its detail.",
    )


@dataclass(slots=True)
class Voucher:
    """A voucher TusFacturas sent (issued, queued or failed), amounts as the API gave them.

    ``number`` is 0 for a voucher not numbered yet. ``total`` is in ``currency`` (the API's
    ``moneda`` code), ``rate`` pesos per unit of it (1 for ``PES``). ``detail`` is None when
    the voucher was read without it (a listing); its fields are also read as the voucher's own
    (``voucher.lines``, ``voucher.taxes``...: None without the detail).
    """

    type_name: str
    afip_code: str | None
    point_of_sale: int
    number: int
    date: datetime.date
    currency: str
    rate: float
    total: float
    customer: VoucherCustomer
    status: str
    status_text: str
    ctacte_status: str | None = None
    cae: str | None = None
    cae_due: datetime.date | None = None
    due_date: datetime.date | None = None
    pdf_url: str | None = None
    external_reference: str | None = None
    detail: VoucherDetail | None = None

    @property
    def key(self):
        """What identifies the voucher in Odoo: AFIP code, point of sale, number."""
        return (self.afip_code, self.point_of_sale, self.number)

    @property
    def total_pesos(self):
        return self.total * self.rate


# The detail's fields, read as the voucher's own: voucher.lines is voucher.detail.lines.
for _field in dataclasses.fields(VoucherDetail):
    setattr(Voucher, _field.name, _of_detail(_field.name))


_DOCUMENT_TYPE_NAMES = {name: name for name in DOCUMENT_TYPES}
# What a listing's voucher is read from, in this order (all of them in the reference's example).
_LISTED_KEYS = (
    "tipo", "status", "numero", "punto_venta", "total", "fecha", "moneda", "cotizacion", "ctacte_status", "cae",
    "vencimiento_cae", "vencimiento_pago", "comprobante_pdf_url", "external_reference",
)  # fmt: skip
_LISTED = operator.itemgetter(*_LISTED_KEYS)


def _fail(field, row):
    raise TusFacturasError("invalid_response", field=field, row=row)


def _integer(value, field, row, low, high):
    """An int from a JSON integer or a digit string (``"00010"``), within ``low..high``."""
    number = None
    if value.__class__ is int:
        number = value
    elif isinstance(value, str):
        text = value.strip()
        if text.isdigit() and text.isascii() and len(text) <= 12:
            number = int(text)
    if number is None or not low <= number <= high:
        _fail(field, row)
    return number


def _text(value, field, row):
    """A stripped string; None when absent or empty. Numbers are refused (texts only)."""
    if value is None:
        return None
    if not isinstance(value, str):
        _fail(field, row)
    return value.strip() or None


def _optional_date(value, field, row, dates):
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return _date(value, row, dates, field)


def _optional_amount(value, field, row, default=0.0):
    return default if value is None else _amount(value, field, row)


def _object(value, field, row):
    if not isinstance(value, dict):
        _fail(field, row)
    return value


def _list(value, field, row):
    if value is None:
        return []
    if not isinstance(value, list):
        _fail(field, row)
    return value


def _status(value, row):
    if not isinstance(value, str):
        _fail("comprobante.status", row)
    text = value.strip()
    status = _STATUS_TEXTS.get(text)
    if status is None:
        normal = _normalize(text)
        status = _STATUS_TEXTS.get(normal)
        for prefix, prefixed in _STATUS_PREFIXES if status is None else ():
            if normal.startswith(prefix):
                status = prefixed
                break
        if status is None:
            _fail("comprobante.status", row)
    return status, text


def _document(doc_type, number, name, row):
    """``documento_tipo``, ``documento_nro`` and ``razon_social``, checked and normalised."""
    kind = _DOCUMENT_TYPE_NAMES.get(doc_type) if doc_type.__class__ is str else None
    if kind is None:
        kind = doc_type.strip().upper() if isinstance(doc_type, str) else None
        if kind not in DOCUMENT_TYPES:
            _fail("cliente.documento_tipo", row)
    if number.__class__ is str:
        if not (number.isdigit() and number.isascii()):  # else as it usually is: digits
            number = "".join(number.split()) or None
    elif number.__class__ is int and number >= 0:
        number = str(number)
    elif number is not None:
        _fail("cliente.documento_nro", row)
    if number and len(number) > 40:
        _fail("cliente.documento_nro", row)
    if kind in _DIGIT_DOCUMENTS and not (number and number.isdigit() and number.isascii() and len(number) <= 20):
        _fail("cliente.documento_nro", row)
    if name.__class__ is str:
        name = name.strip()
    elif name is None:
        name = ""
    else:
        _fail("cliente.razon_social", row)
    return kind, number, name


def _customer(cliente, row, detail):
    cliente = _object(cliente, "cliente", row)
    get = cliente.get
    document = _document(get("documento_tipo"), get("documento_nro"), get("razon_social"), row)
    if not detail:
        return VoucherCustomer(*document, None, None, None, None)
    province = get("provincia")
    return VoucherCustomer(
        *document,
        _text(get("condicion_iva"), "cliente.condicion_iva", row),
        _text(get("email"), "cliente.email", row),
        _text(get("domicilio"), "cliente.domicilio", row),
        None if province in (None, "") else _integer(province, "cliente.provincia", row, 0, 999),
    )


def _currency(comprobante, row):
    currency = comprobante.get("moneda")
    currency = currency.strip().upper() if isinstance(currency, str) else None
    if not currency or len(currency) != 3 or not currency.isalnum() or not currency.isascii():
        _fail("comprobante.moneda", row)
    rate = comprobante.get("cotizacion")
    if currency == "PES":
        if rate is not None and _amount(rate, "comprobante.cotizacion", row) != 1:
            _fail("comprobante.cotizacion", row)
        return currency, 1.0
    rate = _amount(rate, "comprobante.cotizacion", row) if rate is not None else 0.0
    if rate <= 0:
        _fail("comprobante.cotizacion", row)
    return currency, rate


def _pdf_url(value, row):
    url = _text(value, "comprobante.comprobante_pdf_url", row)
    if url and not url.lower().startswith(("https://", "http://")):
        _fail("comprobante.comprobante_pdf_url", row)
    return url


def _line(raw, index, row):
    path = f"comprobante.detalle[{index}]"
    raw = _object(raw, path, row)
    product = _object(raw.get("producto"), f"{path}.producto", row)
    for key in ("precio_unitario", "alicuota"):
        if product.get(key) is None:
            _fail(f"{path}.producto.{key}", row)
    if raw.get("cantidad") is None:
        _fail(f"{path}.cantidad", row)
    description = product.get("descripcion")
    if not isinstance(description, str):
        _fail(f"{path}.producto.descripcion", row)
    vat_rate = _amount(product["alicuota"], f"{path}.producto.alicuota", row)
    if vat_rate not in VAT_RATES:
        _fail(f"{path}.producto.alicuota", row)
    code = product.get("codigo")
    code = str(code).strip() or None if code.__class__ in (str, int) else None
    return VoucherLine(
        _amount(raw["cantidad"], f"{path}.cantidad", row),
        description.strip(),
        _amount(product["precio_unitario"], f"{path}.producto.precio_unitario", row),
        vat_rate,
        _optional_amount(product.get("bonificacion"), f"{path}.producto.bonificacion", row),
        _optional_amount(raw.get("bonificacion_porcentaje"), f"{path}.bonificacion_porcentaje", row),
        _optional_amount(
            product.get("impuestos_internos_alicuota"), f"{path}.producto.impuestos_internos_alicuota", row
        ),
        _optional_amount(product.get("precio_total"), f"{path}.producto.precio_total", row, None),
        code,
    )


def _tax(raw, index, row):
    path = f"comprobante.tributos[{index}]"
    raw = _object(raw, path, row)
    if raw.get("total") is None:
        _fail(f"{path}.total", row)
    regime = raw.get("regimen")
    return VoucherTax(
        _integer(raw.get("tipo"), f"{path}.tipo", row, 0, 9999),
        _text(raw.get("tipo_descripcion"), f"{path}.tipo_descripcion", row) or "",
        None if regime in (None, "") else _integer(regime, f"{path}.regimen", row, 0, 9999),
        _text(raw.get("regimen_descripcion"), f"{path}.regimen_descripcion", row) or "",
        _optional_amount(raw.get("base_imponible"), f"{path}.base_imponible", row, None),
        _optional_amount(raw.get("alicuota"), f"{path}.alicuota", row, None),
        _amount(raw["total"], f"{path}.total", row),
    )


def _associated(raw, index, row, dates):
    path = f"comprobante.comprobantes_asociados[{index}]"
    raw = _object(raw, path, row)
    kind = afip_code_of(raw.get("tipo_comprobante"))
    if not kind:
        _fail(f"{path}.tipo_comprobante", row)
    return AssociatedVoucher(
        kind[0],
        kind[1],
        _integer(raw.get("punto_venta"), f"{path}.punto_venta", row, 1, MAX_POINT_OF_SALE),
        _integer(raw.get("numero"), f"{path}.numero", row, 1, MAX_NUMBER),
        _optional_date(raw.get("comprobante_fecha"), f"{path}.comprobante_fecha", row, dates),
    )


def _detail(comprobante, row, dates):
    """The :class:`VoucherDetail` of ``comprobante``."""
    get = comprobante.get
    lines = _list(get("detalle"), "comprobante.detalle", row)
    taxes = _list(get("tributos"), "comprobante.tributos", row)
    associated = _list(get("comprobantes_asociados"), "comprobante.comprobantes_asociados", row)
    return VoucherDetail(
        tuple(_line(raw, index, row) for index, raw in enumerate(lines, start=1)),
        _optional_amount(get("percepciones_iibb"), "comprobante.percepciones_iibb", row),
        _optional_amount(get("percepciones_iva"), "comprobante.percepciones_iva", row),
        tuple(_tax(raw, index, row) for index, raw in enumerate(taxes, start=1)),
        _optional_amount(get("exentos"), "comprobante.exentos", row),
        _optional_amount(get("nogravados"), "comprobante.nogravados", row),
        _optional_amount(get("impuestos_internos"), "comprobante.impuestos_internos", row),
        _optional_amount(get("bonificacion"), "comprobante.bonificacion", row),
        tuple(_associated(raw, index, row, dates) for index, raw in enumerate(associated, start=1)),
        _optional_date(get("periodo_facturado_desde"), "comprobante.periodo_facturado_desde", row, dates),
        _optional_date(get("periodo_facturado_hasta"), "comprobante.periodo_facturado_hasta", row, dates),
        _text(get("afip_observaciones"), "comprobante.afip_observaciones", row),
    )


def _number(value, status, row):
    number = 0 if value is None else _integer(value, "comprobante.numero", row, 0, MAX_NUMBER)
    if not number and status == ISSUED:
        _fail("comprobante.numero", row)
    return number


def _total(value, row):
    total = _amount(value, "comprobante.total", row)
    if total < 0:
        _fail("comprobante.total", row)
    return total


def _ctacte(value, row):
    text = " ".join(value.upper().split()) if isinstance(value, str) else None
    if text not in _CTACTE:
        _fail("comprobante.ctacte_status", row)
    return _CTACTE[text]


def _scalar_text(value, field, row):
    """:func:`_text`, an integer accepted as its digits (``cae``, ``external_reference``)."""
    return _text(str(value) if value.__class__ is int else value, field, row)


def _cached_customer(cliente, row, customers):
    """The customer of a listing's voucher: a page often names a customer again. Only plain
    strings are cache keys (``1``, ``1.0`` and ``True`` are one dict key)."""
    if cliente.__class__ is not dict:
        _fail("cliente", row)
    get = cliente.get
    doc_type, number, name = get("documento_tipo"), get("documento_nro"), get("razon_social")
    if not (doc_type.__class__ is str and number.__class__ is str and (name is None or name.__class__ is str)):
        return VoucherCustomer(*_document(doc_type, number, name, row), None, None, None, None)
    key = (doc_type, number, name)
    customer = customers.get(key)
    if customer is None:
        customer = customers[key] = VoucherCustomer(*_document(doc_type, number, name, row), None, None, None, None)
    return customer


def _voucher(obj, row, dates, customers, detail):
    """One voucher. The usual values (plain ints, floats and strings of the expected shape)
    are taken inline; anything else goes through the full check of its field."""
    if obj.__class__ is not dict:
        _fail("comprobantes" if row else "comprobante", row)
    comprobante = obj.get("comprobante")
    if comprobante.__class__ is not dict:
        _fail("comprobante", row)
    try:
        (tipo, status_text, number, point_of_sale, total, fecha, currency, rate, ctacte, cae, cae_due, due_date, url,
         external) = _LISTED(comprobante)  # fmt: skip
    except KeyError:  # the reference lists them all; any may be absent
        (tipo, status_text, number, point_of_sale, total, fecha, currency, rate, ctacte, cae, cae_due, due_date, url,
         external) = map(comprobante.get, _LISTED_KEYS)  # fmt: skip
    kind = _TYPES.get(tipo) if tipo.__class__ is str else None
    if kind is None:
        kind = afip_code_of(tipo)
        if kind is None:
            _fail("comprobante.tipo", row)
    status = _STATUS_TEXTS.get(status_text) if status_text.__class__ is str else None
    if status is None:
        status, status_text = _status(status_text, row)
    if not (number.__class__ is int and 0 < number <= MAX_NUMBER):
        number = _number(number, status, row)
    if not (point_of_sale.__class__ is int and 0 < point_of_sale <= MAX_POINT_OF_SALE):
        point_of_sale = _integer(point_of_sale, "comprobante.punto_venta", row, 1, MAX_POINT_OF_SALE)
    if not (total.__class__ is float and 0 <= total < MAX_AMOUNT):
        total = _total(total, row)
    date = dates.get(fecha) if fecha.__class__ is str else None
    if date is None:
        date = _date(fecha, row, dates, "comprobante.fecha")
    if (
        currency.__class__ is str
        and currency == "PES"
        and (rate is None or (rate.__class__ in (int, float) and rate == 1))
    ):
        rate = 1.0
    else:
        currency, rate = _currency(comprobante, row)
    if ctacte is not None:
        text = ctacte
        ctacte = _CTACTE.get(text, _CTACTE) if text.__class__ is str else _CTACTE
        if ctacte is _CTACTE:
            ctacte = _ctacte(text, row)
    cae = (cae.strip() or None) if cae.__class__ is str else _scalar_text(cae, "comprobante.cae", row)
    if cae_due is not None:
        value = cae_due
        cae_due = dates.get(value) if value.__class__ is str else None
        if cae_due is None:
            cae_due = _optional_date(value, "comprobante.vencimiento_cae", row, dates)
    if due_date is not None:
        value = due_date
        due_date = dates.get(value) if value.__class__ is str else None
        if due_date is None:
            due_date = _optional_date(value, "comprobante.vencimiento_pago", row, dates)
    url = url.strip() if url.__class__ is str and url.startswith("https://") else _pdf_url(url, row)
    if external.__class__ is str:
        external = external.strip() or None
    else:
        external = _scalar_text(external, "comprobante.external_reference", row)
    cliente = obj.get("cliente")
    customer = _customer(cliente, row, True) if detail else _cached_customer(cliente, row, customers)
    # In Voucher's field order: the listing's 50,000 vouchers a month are built here.
    return Voucher(
        *kind,
        point_of_sale,
        number,
        date,
        currency,
        rate,
        total,
        customer,
        status,
        status_text,
        ctacte,
        cae,
        cae_due,
        due_date,
        url,
        external,
        _detail(comprobante, row, dates) if detail else None,
    )


def _guarded(parse, *args):
    try:
        return parse(*args)
    except TusFacturasError:
        raise
    except Exception as exc:  # an answer nothing above foresaw: still one error type
        raise TusFacturasError("invalid_response", field="comprobantes", detail=type(exc).__name__) from exc


def parse_voucher(obj, *, detail=True):
    """The :class:`Voucher` of ``{"cliente": {...}, "comprobante": {...}}`` (an item of a
    listing, or ``facturacion/consulta``'s whole answer), with its detail unless told not to.

    Raises :class:`TusFacturasError` (``invalid_response``) naming the first missing or
    invalid field; nothing else, whatever ``obj`` holds.
    """
    return _guarded(_voucher, obj, None, {}, {}, detail)


class PageRows:
    """The vouchers of a ``consulta_avanzada`` page parsed while the client decodes it (its
    ``parse_row``, :meth:`.client.TusFacturasClient.call`), each item of ``comprobantes``
    as soon as it is decoded. The first invalid item is kept as ``error``, raised by
    :func:`parse_voucher_page` given these rows, after the page's own checks (as when the
    page is parsed whole); the items after it are only decoded. A list's first item starts
    afresh: of a key repeated, the last list counts, as ``json.loads`` keeps the last value."""

    __slots__ = ("customers", "dates", "detail", "error")

    def __init__(self, detail=False):
        self.detail, self.dates, self.customers, self.error = detail, {}, {}, None

    def __call__(self, item, row):
        if row == 1:
            self.error = None
        if self.error is None:
            try:
                return _guarded(_voucher, item, row, self.dates, self.customers, self.detail)
            except TusFacturasError as error:
                self.error = error
        return None


def _page(data, detail, rows=None):
    data = _object(data, "comprobantes", None)
    total = data.get("total")
    if total.__class__ is not int or not 0 <= total <= MAX_TOTAL:
        _fail("total", None)
    items = data.get("comprobantes")
    if not isinstance(items, list):
        _fail("comprobantes", None)
    if len(items) > total:
        raise TusFacturasError("invalid_response", field="total", detail=f"{len(items)} vouchers on a page of {total}")
    if rows is not None:  # parsed as decoded
        if rows.error is not None and items:  # (an empty list last: the error was of a list replaced)
            raise rows.error
        return total, items
    dates, customers = {}, {}
    return total, [_voucher(item, row, dates, customers, detail) for row, item in enumerate(items, start=1)]


def parse_voucher_page(data, *, detail=False, rows=None):
    """``(total, [Voucher, ...])`` of a ``facturacion/consulta_avanzada`` answer, vouchers in
    the API's order; read without their detail unless ``detail`` (see :class:`Voucher`).

    ``total`` (every voucher of the search, whatever the page) must be an integer from 0 to
    :data:`MAX_TOTAL`, and no smaller than the page. Raises :class:`TusFacturasError`
    (``invalid_response``, ``row`` the 1-based voucher on the page); nothing else.
    With ``rows`` (a :class:`PageRows`, the client's ``parse_row`` when it decoded ``data``),
    ``comprobantes`` holds the vouchers it parsed.
    """
    return _guarded(_page, data, detail, rows)
