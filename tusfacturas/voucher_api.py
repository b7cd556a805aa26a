"""The voucher methods of the TusFacturas API, on top of :meth:`.client.TusFacturasClient.call`.

- :func:`vouchers_of_day`: every voucher of a day, page by page (``facturacion/consulta_avanzada``
  by date, free); :func:`vouchers_by_number` the same by type and number range, and
  :func:`find_vouchers` the vouchers with given keys;
- :func:`voucher`: one voucher with its detail (``facturacion/consulta``, free);
- :func:`last_number`: the last number of a type (``facturacion/numeracion``, billed: see
  :mod:`.methods`).

Every failure is a :class:`.client.TusFacturasError`: the client's, the parser's
(:mod:`.vouchers`), or ``invalid_response`` for an answer that pages or numbers otherwise
than asked. What is assumed of the API where the reference does not say:

- ``pagina`` is the page number from 0 (page ``p`` holds the vouchers ``p * limite`` to
  ``(p + 1) * limite - 1`` of the search) and ``total`` counts the search's vouchers whatever
  the page. So every page but the last is full: a page shorter than ``limite`` before
  ``total`` is read would mean the server pages otherwise than asked, and vouchers could go
  unread; it is refused, as is an empty page, a page longer than ``limite``, a ``total``
  that changes from one page to the next (a voucher issued meanwhile shifts the pages: code
  ``changed``, read the day again later), or more vouchers than ``total``. A day is complete or an error,
  never half-read.
- A search by date (``F``) lists the vouchers dated that day (``fecha``); "comprobantes
  enviados ... en la fecha consultada" could also mean sent that day: either way a period
  read day by day is read whole, and each voucher is compared by its own ``fecha``.
- ``consulta_avanzada`` answers for the point of sale of the credentials used (the
  reference): given ``point_of_sale``, a voucher of another one is refused.
- ``facturacion/consulta`` answers the voucher asked (another one is refused), and
  ``facturacion/numeracion``'s ``comprobante.numero`` is the last number issued of that type
  at that point of sale, 0 when none (issue 19; the reference's request example is titled
  "la numeración del próximo comprobante": if the real API answers the next number, each
  type shows a one-number gap after its last voucher — to check against the real service).
"""

import datetime

from .client import TusFacturasError
from .methods import VOUCHER, VOUCHER_NUMBERING, VOUCHER_SEARCH
from .vouchers import (
    MAX_NUMBER,
    PageRows,
    _integer,
    afip_code_of,
    parse_voucher,
    parse_voucher_page,
    type_name_of,
)

MAX_PAGE_SIZE = 1000  # the reference's maximum ``limite``
SALES = "V"  # ``operacion``: sales (C: purchases)


def _type_name(type_name):
    """The reference's spelling of ``type_name`` (or of an AFIP code); ValueError if unknown."""
    kind = afip_code_of(type_name) or afip_code_of(type_name_of(type_name))
    if not kind:
        raise ValueError(f"unknown voucher type {type_name!r}")
    return kind[0]


def _page_size(page_size):
    if isinstance(page_size, bool) or not isinstance(page_size, int) or not 0 < page_size <= MAX_PAGE_SIZE:
        raise ValueError(f"page_size must be 1 to {MAX_PAGE_SIZE}")
    return page_size


def _pages(client, search, comprobante, page_size, point_of_sale, detail):
    """The pages of one ``consulta_avanzada`` search, read to its ``total``."""
    total, read, page = None, 0, 0
    while True:
        rows = PageRows(detail)  # each voucher parsed as soon as decoded (see .json_rows)
        data = client.call(
            VOUCHER_SEARCH,
            {"busqueda_tipo": search, "comprobante": comprobante, "pagina": page, "limite": page_size},
            rows_field="comprobantes",
            parse_row=rows,
        )
        try:
            page_total, vouchers = parse_voucher_page(data, detail=detail, rows=rows)
        except TusFacturasError as error:  # which page, for whoever reads the message
            raise TusFacturasError(error.code, field=error.field, row=error.row, detail=f"page {page}") from error
        if len(vouchers) > page_size:
            raise TusFacturasError("invalid_response", field="comprobantes", detail=f"page {page}: over {page_size}")
        if total is None:
            total = page_total
        elif page_total != total:  # vouchers issued (or queued) meanwhile: the pages moved
            raise TusFacturasError("changed", field="total", detail=f"{total}, then {page_total} on page {page}")
        read += len(vouchers)
        if read > total:
            raise TusFacturasError("invalid_response", field="total", detail=f"more than {total} vouchers")
        if read < total and len(vouchers) < page_size:
            raise TusFacturasError(
                "invalid_response", field="comprobantes", detail=f"page {page}: {len(vouchers)} of {total}, {read} read"
            )
        if point_of_sale is not None:
            for row, voucher in enumerate(vouchers, start=1):
                if voucher.point_of_sale != point_of_sale:
                    raise TusFacturasError(
                        "invalid_response", field="comprobante.punto_venta", row=row, detail=f"page {page}"
                    )
        yield vouchers
        if read >= total:
            return
        page += 1


def vouchers_of_day(client, day, *, page_size=MAX_PAGE_SIZE, point_of_sale=None, detail=False):
    """The vouchers TusFacturas sent on ``day`` (a :class:`datetime.date`) from the point of sale
    of ``client``'s credentials, issued, queued or failed: a generator of pages (lists of
    :class:`.vouchers.Voucher`, newest first as the API lists them, without their detail unless
    ``detail``), one ``facturacion/consulta_avanzada`` call each, so each within the client's
    deadline. ``facturacion/consulta_avanzada`` is free (not billed by TusFacturas).

    Pages are read to the ``total`` the API announces; a bad page raises
    :class:`.client.TusFacturasError` (see the module's docstring) after the good ones were
    yielded: whoever consumes them stores nothing until the generator ends.
    """
    if not isinstance(day, datetime.date):
        raise ValueError("day must be a date")
    comprobante = {"fecha": day.strftime("%d/%m/%Y"), "operacion": SALES}
    return _pages(client, "F", comprobante, _page_size(page_size), point_of_sale, detail)


def vouchers_by_number(client, type_name, point_of_sale, first, last, *, page_size=MAX_PAGE_SIZE, detail=False):
    """The vouchers of ``type_name`` (the API's ``tipo``, or an AFIP code) numbered ``first`` to
    ``last`` at ``point_of_sale``: pages as :func:`vouchers_of_day` (``consulta_avanzada`` by
    type and number, ``TN``; free, not billed by TusFacturas)."""
    comprobante = {
        "tipo": _type_name(type_name),
        "operacion": SALES,
        "punto_venta": point_of_sale,
        "numero_desde": first,
        "numero_hasta": last,
    }
    return _pages(client, "TN", comprobante, _page_size(page_size), point_of_sale, detail)


def find_vouchers(client, keys, *, page_size=MAX_PAGE_SIZE):
    """The issued or unissued vouchers with these ``(afip_code, point_of_sale, number)`` keys,
    whatever their date (a list; keys TusFacturas does not know are simply absent), for
    :func:`.voucher_check.check_vouchers`'s ``find_vouchers``. Numbers of a type close to one
    another are asked in one range (``vouchers_by_number``: free, not billed by TusFacturas)."""
    wanted = {}
    for code, point_of_sale, number in keys:
        if type_name_of(code) and 0 < number <= MAX_NUMBER:
            wanted.setdefault((code, point_of_sale), set()).add(number)
    found = []
    for (code, point_of_sale), numbers in wanted.items():
        ordered = sorted(numbers)
        start = previous = ordered[0]
        for number in [*ordered[1:], None]:
            if number is not None and number - previous <= page_size:
                previous = number
                continue
            for page in vouchers_by_number(client, code, point_of_sale, start, previous, page_size=page_size):
                found += [voucher for voucher in page if voucher.number in numbers and voucher.afip_code == code]
            start = previous = number
    return found


def voucher(client, type_name, point_of_sale, number):
    """The :class:`.vouchers.Voucher` ``type_name`` (the API's ``tipo``, or an AFIP code)
    ``point_of_sale``-``number``, with its detail (``facturacion/consulta``: free, not billed
    by TusFacturas)."""
    type_name = _type_name(type_name)
    data = client.call(
        VOUCHER,
        {"comprobante": {"tipo": type_name, "operacion": SALES, "punto_venta": point_of_sale, "numero": number}},
    )
    found = parse_voucher(data)
    for field, asked, answered in [
        ("comprobante.tipo", type_name, found.type_name),
        ("comprobante.punto_venta", point_of_sale, found.point_of_sale),
        ("comprobante.numero", number, found.number),
    ]:
        if asked != answered:
            raise TusFacturasError("invalid_response", field=field, detail="another voucher than the one asked")
    return found


def last_number(client, type_name, point_of_sale):
    """The last number of ``type_name`` (the API's ``tipo``, or an AFIP code) issued at
    ``point_of_sale``, 0 when none (``facturacion/numeracion``: billed by TusFacturas, each
    call counts; call it at most once per type and account per run)."""
    type_name = _type_name(type_name)
    data = client.call(
        VOUCHER_NUMBERING, {"comprobante": {"tipo": type_name, "operacion": SALES, "punto_venta": point_of_sale}}
    )
    comprobante = data.get("comprobante")
    if not isinstance(comprobante, dict):
        raise TusFacturasError("invalid_response", field="comprobante")
    answered = comprobante.get("tipo")
    if answered is not None and (afip_code_of(answered) or ("",))[0] != type_name:
        raise TusFacturasError("invalid_response", field="comprobante.tipo")
    answered = comprobante.get("punto_venta")
    if answered is not None and _integer(answered, "comprobante.punto_venta", None, 0, 99999) != point_of_sale:
        raise TusFacturasError("invalid_response", field="comprobante.punto_venta")
    return _integer(comprobante.get("numero"), "comprobante.numero", None, 0, MAX_NUMBER)
