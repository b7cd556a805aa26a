"""The vouchers of ``facturacion/consulta_avanzada`` and ``facturacion/consulta``: the strict
parser (plain Python), and the three voucher methods between the client and the sandbox,
over real sockets."""

import datetime
import json
import math
import time

from odoo.tests import BaseCase, tagged

from ..sandbox.server import DEFAULT_CREDENTIALS
from ..sandbox.vouchers import PAGE_MODES, make_associated, make_line, make_tax, make_voucher, reference_answers
from ..tusfacturas import TusFacturasClient, TusFacturasError, methods, voucher_api
from ..tusfacturas.client import decode_json
from ..tusfacturas.ledger import MAX_AMOUNT
from ..tusfacturas.voucher_check import check_vouchers
from ..tusfacturas.vouchers import (
    ERROR,
    ISSUED,
    PAID,
    PARTIAL,
    QUEUED,
    TYPE_NAMES,
    UNPAID,
    PageRows,
    Voucher,
    VoucherCustomer,
    parse_voucher,
    parse_voucher_page,
    type_name_of,
)
from .common import VoucherSandboxCase
from .optional import HealthCheck, given, settings
from .optional import strategies as st

DAY = datetime.date(2026, 3, 1)

# The brief's table of AFIP document codes, by the reference's type names.
AFIP_CODES = {
    "FACTURA A": "1", "NOTA DE DEBITO A": "2", "NOTA DE CREDITO A": "3",
    "FACTURA B": "6", "NOTA DE DEBITO B": "7", "NOTA DE CREDITO B": "8",
    "FACTURA C": "11", "NOTA DE DEBITO C": "12", "NOTA DE CREDITO C": "13",
    "FACTURA E": "19", "NOTA DE DEBITO E": "20", "NOTA DE CREDITO E": "21",
    "FACTURA M": "51", "NOTA DE DEBITO M": "52", "NOTA DE CREDITO M": "53",
    "RECIBO C": "15",
    "FACTURA DE CREDITO ELECTRONICA MiPyME (FCE) A": "201", "NOTA DE DEBITO ELECTRONICA MiPyME (FCE) A": "202",
    "NOTA DE CREDITO ELECTRONICA MiPyME (FCE) A": "203", "FACTURA DE CREDITO ELECTRONICA MiPyME (FCE) B": "206",
    "NOTA DE DEBITO ELECTRONICA MiPyME (FCE) B": "207", "NOTA DE CREDITO ELECTRONICA MiPyME (FCE) B": "208",
    "FACTURA DE CREDITO ELECTRONICA MiPyME (FCE) C": "211", "NOTA DE DEBITO ELECTRONICA MiPyME (FCE) C": "212",
    "NOTA DE CREDITO ELECTRONICA MiPyME (FCE) C": "213",
    "FACTURA NO VALIDA EN AFIP": None, "NOTA DE CREDITO NO VALIDA EN AFIP": None,
}  # fmt: skip


def page_of(*vouchers, total=None):
    return {"rta": "OK", "error": "N", "total": len(vouchers) if total is None else total, "comprobantes": [*vouchers]}


def with_comprobante(voucher, **values):
    """``voucher`` with fields of its ``comprobante`` replaced (None: removed)."""
    comprobante = {**voucher["comprobante"], **values}
    return {**voucher, "comprobante": {k: v for k, v in comprobante.items() if v is not None}}


def with_cliente(voucher, **values):
    cliente = {**voucher["cliente"], **values}
    return {**voucher, "cliente": {k: v for k, v in cliente.items() if v is not None}}


@tagged("post_install", "-at_install")
class TestVoucherParser(BaseCase):
    def invalid(self, obj, field, row=None, detail=True):
        with self.assertRaises(TusFacturasError) as caught:
            if row:
                parse_voucher_page(page_of(*[make_voucher(number=i) for i in range(1, row)], obj), detail=detail)
            else:
                parse_voucher(obj, detail=detail)
        self.assertEqual(
            (caught.exception.code, caught.exception.field, caught.exception.row), ("invalid_response", field, row)
        )

    def test_reference_listing(self):
        total, vouchers = parse_voucher_page(reference_answers()["consulta_avanzada"])
        self.assertEqual(total, 3)
        self.assertEqual([v.key for v in vouchers], [("1", 10, 603), ("1", 10, 602), ("1", 10, 601)])
        first = vouchers[0]
        self.assertEqual(
            (first.type_name, first.date, first.currency, first.rate, first.total, first.status, first.status_text),
            ("FACTURA A", datetime.date(2023, 1, 6), "PES", 1.0, 12600.0, ISSUED, "EMITIDO"),
        )
        self.assertEqual(first.customer, VoucherCustomer("DNI", "1292963535", "Pirulo"), "the trailing space stripped")
        self.assertEqual(
            (first.cae, first.cae_due, first.due_date),
            ("73016074427512", datetime.date(2015, 8, 7), datetime.date(2015, 8, 27)),
        )
        self.assertEqual((first.ctacte_status, vouchers[1].ctacte_status), (PARTIAL, UNPAID))
        self.assertEqual(
            (first.pdf_url, first.external_reference, vouchers[1].external_reference),
            ("https://www.dominio.com/00000006.pdf", "3303", None),
        )
        self.assertIsNone(first.detail, "a listing is read without its detail by default")
        self.assertIsNone(first.lines)
        # With it: the lines of the listing.
        _total, vouchers = parse_voucher_page(reference_answers()["consulta_avanzada"], detail=True)
        line = vouchers[0].lines[0]
        self.assertEqual(
            (
                line.quantity,
                line.description,
                line.unit_price,
                line.vat_rate,
                line.discount,
                line.discount_percent,
                line.total,
            ),
            (1.0, "PRODUCTO DE PRUEBA", 20000.0, 21.0, 10000.0, 50.0, 10000.0),
        )
        self.assertEqual((vouchers[0].internal_taxes, vouchers[0].taxes, vouchers[0].associated), (500.0, (), ()))

    def test_reference_voucher(self):
        voucher = parse_voucher(reference_answers()["consulta"])
        self.assertEqual(voucher.key, ("7", 2, 6))
        self.assertEqual(
            (voucher.type_name, voucher.total, voucher.discount, voucher.perceptions_iibb),
            ("NOTA DE DEBITO B", 138.9, 10.0, 30.0),
        )
        self.assertEqual(
            [(t.type, t.description, t.regime, t.regime_description, t.base, t.rate, t.amount) for t in voucher.taxes],
            [
                (7, "Percepcion de IIBB", 5, "BUENOS AIRES", 100.0, 10.0, 10.0),
                (7, "Percepcion de IIBB", 6, "CATAMARCA", 100.0, 20.0, 20.0),
            ],
        )
        self.assertEqual(
            (voucher.service_from, voucher.service_to), (datetime.date(2015, 7, 27), datetime.date(2015, 7, 30))
        )
        self.assertTrue(voucher.afip_observations.startswith("Observacion: El credito fiscal"))
        self.assertEqual((voucher.customer.email, voucher.customer.address), ("test@test.com", "Av Sta Fe 123"))

    def test_type_names(self):
        for name, code in AFIP_CODES.items():
            with self.subTest(name=name):
                voucher = parse_voucher(make_voucher(type_name=name), detail=False)
                self.assertEqual((voucher.type_name, voucher.afip_code), (name, code))
                if code:
                    self.assertEqual(type_name_of(code), name)
        # Upper case, accents and spaces as concept.py reads them; the reference's spelling kept.
        for written, name in [
            ("nota de crédito  a", "NOTA DE CREDITO A"),
            ("Factura de Crédito Electrónica MiPyME (FCE) B", "FACTURA DE CREDITO ELECTRONICA MiPyME (FCE) B"),
        ]:
            self.assertEqual(parse_voucher(make_voucher(type_name=written)).type_name, name)
        self.assertLessEqual(set(AFIP_CODES.values()) - {None}, set(TYPE_NAMES))
        for name in ["FACTURA", "FACTURA Z", "TICKET A", "", 1, None, ["FACTURA A"]]:
            with self.subTest(name=name):
                self.invalid(make_voucher(type_name=name), "comprobante.tipo")

    def test_statuses(self):
        for text, status in [
            ("EMITIDO", ISSUED),
            (" emitido ", ISSUED),
            ("APROBADO Y EN COLA. SE EMITE EL 02/03/2026", QUEUED),
            ("EN COLA, ESPERANDO APROBACION", QUEUED),
            ("EN COLA, ESPERANDO APROBACIÓN", QUEUED),
            ("ENVIADO A PROCESAR - CON ERROR", ERROR),
            ("ENVIADO A PROCESAR - CON ERROR: 10016 fecha", ERROR),
        ]:
            with self.subTest(text=text):
                voucher = parse_voucher(make_voucher(status=text, number=0 if status != ISSUED else 1))
                self.assertEqual((voucher.status, voucher.status_text), (status, text.strip()))
                self.assertEqual(voucher.cae, None if status != ISSUED else "70000100000001")
        for text in ["ANULADO", "", "EN COLA", None, 1]:
            with self.subTest(text=text):
                self.invalid(make_voucher(status=text), "comprobante.status")
        # A voucher not issued may have no number yet; an issued one must have one.
        for number in (None, 0, "0"):
            self.assertEqual(
                parse_voucher(make_voucher(status="EN COLA, ESPERANDO APROBACION", number=number)).number, 0
            )
            self.invalid(with_comprobante(make_voucher(), numero=number), "comprobante.numero")
        for number in (-1, 100000000, 1.5, True, "12a"):
            self.invalid(make_voucher(number=number), "comprobante.numero")

    def test_current_account_status(self):
        for text, status in [
            ("PAGADA", PAID),
            ("impaga", UNPAID),
            ("PAGO  PARCIAL", PARTIAL),
            ("", None),
            (None, None),
        ]:
            with self.subTest(text=text):
                self.assertEqual(parse_voucher(make_voucher(ctacte_status=text)).ctacte_status, status)
        for text in ["PAGADO", 1, ["PAGADA"]]:
            self.invalid(make_voucher(ctacte_status=text), "comprobante.ctacte_status")

    def test_numbers_and_amounts(self):
        voucher = parse_voucher(make_voucher(point_of_sale="00010", number="00000012", total="1210,5"))
        self.assertEqual((voucher.point_of_sale, voucher.number, voucher.total), (10, 12, 1210.5))
        self.assertEqual(parse_voucher(make_voucher(total=121)).total, 121.0)
        for total in ["1.234", "1,234", "NaN", "mucho", -1.0, 1e15, 10**400, float("nan"), True, None]:
            with self.subTest(total=total):
                self.invalid(make_voucher(total=total), "comprobante.total")
        for pos in (0, -1, 100000, None, "", 1.0):
            self.invalid(make_voucher(point_of_sale=pos), "comprobante.punto_venta")
        for fecha in ("31/02/2026", "2026-03-01", "", None, 20260301):
            self.invalid(with_comprobante(make_voucher(), fecha=fecha), "comprobante.fecha")
        self.invalid(with_comprobante(make_voucher(), vencimiento_cae="30/02/2026"), "comprobante.vencimiento_cae")
        self.assertIsNone(parse_voucher(with_comprobante(make_voucher(), vencimiento_pago=" ")).due_date)

    def test_currencies(self):
        for values, expected in [
            ({"currency": "PES", "rate": 1}, ("PES", 1.0)),
            ({"currency": "PES", "rate": None}, ("PES", 1.0)),
            ({"currency": "dol", "rate": 1045.5}, ("DOL", 1045.5)),
            ({"currency": "060", "rate": "1150,25"}, ("060", 1150.25)),
        ]:
            voucher = parse_voucher(make_voucher(**values))
            self.assertEqual((voucher.currency, voucher.rate), expected)
        self.assertEqual(parse_voucher(make_voucher(currency="DOL", rate=1000.0, total=100.0)).total_pesos, 100000.0)
        for currency in ("", "DOLAR", "D$", None, 60):
            self.invalid(make_voucher(currency=currency), "comprobante.moneda")
        for currency, rate in [("PES", 2), ("DOL", 0), ("DOL", None), ("DOL", -1), ("DOL", "1.234")]:
            with self.subTest(currency=currency, rate=rate):
                self.invalid(make_voucher(currency=currency, rate=rate), "comprobante.cotizacion")

    def test_customers(self):
        for customer, expected in [
            (("CUIT", " 30714295698 ", "ADHOC SA "), ("CUIT", "30714295698", "ADHOC SA")),
            (("DNI", 12345678, "Juan"), ("DNI", "12345678", "Juan")),
            (("dni", "0", "CONSUMIDOR FINAL"), ("DNI", "0", "CONSUMIDOR FINAL")),
            (("PASAPORTE", "AB 123456", "John"), ("PASAPORTE", "AB123456", "John")),
            (("OTRO", "", "Consumidor final"), ("OTRO", None, "Consumidor final")),
            (("OTRO", None, None), ("OTRO", None, "")),
        ]:
            with self.subTest(customer=customer):
                parsed = parse_voucher(make_voucher(customer=customer), detail=False).customer
                self.assertEqual((parsed.doc_type, parsed.number, parsed.name), expected)
        for customer, field in [
            (("CUIL", "20123456786", "X"), "cliente.documento_tipo"),
            ((None, "1", "X"), "cliente.documento_tipo"),
            (("CUIT", "30-71429569-8", "X"), "cliente.documento_nro"),
            (("CUIT", "", "X"), "cliente.documento_nro"),
            (("DNI", "١٢٣", "X"), "cliente.documento_nro"),
            (("DNI", 1.5, "X"), "cliente.documento_nro"),
            (("DNI", -1, "X"), "cliente.documento_nro"),
            (("CUIT", "30714295698", 12), "cliente.razon_social"),
        ]:
            with self.subTest(customer=customer):
                self.invalid(make_voucher(customer=customer), field)
                self.invalid(make_voucher(customer=customer), field, row=3, detail=False)
        self.invalid({"comprobante": make_voucher()["comprobante"]}, "cliente")
        detailed = parse_voucher(make_voucher(cliente={"condicion_iva": "CF", "provincia": 2, "email": " a@b.ar"}))
        self.assertEqual(
            (detailed.customer.vat_condition, detailed.customer.province, detailed.customer.email), ("CF", 2, "a@b.ar")
        )

    def test_links_are_http(self):
        self.assertIsNone(parse_voucher(make_voucher(status="EN COLA, ESPERANDO APROBACION", number=0)).pdf_url)
        self.assertEqual(parse_voucher(make_voucher(pdf_url=" HTTP://x.ar/1.pdf")).pdf_url, "HTTP://x.ar/1.pdf")
        for url in ("file:///etc/passwd", "javascript:alert(1)", "//x.ar/1.pdf", 1):
            with self.subTest(url=url):
                self.invalid(make_voucher(pdf_url=url), "comprobante.comprobante_pdf_url")

    def test_detail(self):
        voucher = parse_voucher(
            make_voucher(
                type_name="NOTA DE CREDITO A",
                total=1000.0,
                lines=[
                    (2, "Servicio", 300.0, 21),
                    (1, "Libro", 100.0, 10.5),
                    make_line(1, "Exento", 50.0, -1, codigo=7),
                ],
                taxes=[make_tax(7, "Percepcion de IIBB", 2, "BUENOS AIRES", 700.0, 3.0, 21.0)],
                associated=[("FACTURA A", 1, 12, "15/02/2026")],
                percepciones_iibb=21.0,
                exentos=50,
                nogravados="0",
            )
        )
        self.assertEqual(
            [
                (line.quantity, line.description, line.unit_price, line.vat_rate, line.total, line.code)
                for line in voucher.lines
            ],
            [
                (2.0, "Servicio", 300.0, 21.0, 600.0, None),
                (1.0, "Libro", 100.0, 10.5, 100.0, None),
                (1.0, "Exento", 50.0, -1.0, 50.0, "7"),
            ],
        )
        self.assertEqual([(t.type, t.regime, t.amount) for t in voucher.taxes], [(7, 2, 21.0)])
        self.assertEqual((voucher.perceptions_iibb, voucher.exempt, voucher.untaxed), (21.0, 50.0, 0.0))
        (invoice,) = voucher.associated
        self.assertEqual(
            (invoice.key, invoice.type_name, invoice.date), (("1", 1, 12), "FACTURA A", datetime.date(2026, 2, 15))
        )
        # Absent detail fields: zeros and empty lists; the listing without detail: None.
        bare = {k: v for k, v in make_voucher()["comprobante"].items() if k not in ("detalle", "tributos", "exentos")}
        bare_voucher = parse_voucher({"cliente": make_voucher()["cliente"], "comprobante": bare})
        self.assertEqual((bare_voucher.lines, bare_voucher.taxes, bare_voucher.exempt), ((), (), 0.0))
        self.assertIsNone(parse_voucher(make_voucher(), detail=False).taxes)
        for voucher, field in [
            (make_voucher(lines=[(1, "X", 100.0, 19)]), "comprobante.detalle[1].producto.alicuota"),
            (make_voucher(lines=[(1, "X", "1.234", 21)]), "comprobante.detalle[1].producto.precio_unitario"),
            (make_voucher(lines=[(1, None, 1.0, 21)]), "comprobante.detalle[1].producto.descripcion"),
            (with_comprobante(make_voucher(), detalle=[make_line(), "line"]), "comprobante.detalle[2]"),
            (with_comprobante(make_voucher(), detalle={"cantidad": 1}), "comprobante.detalle"),
            (make_voucher(taxes=[{"tipo": 7}]), "comprobante.tributos[1].total"),
            (make_voucher(taxes=[make_tax(kind="siete")]), "comprobante.tributos[1].tipo"),
            (
                make_voucher(associated=[("FACTURA Z", 1, 1, "01/01/2026")]),
                "comprobante.comprobantes_asociados[1].tipo_comprobante",
            ),
            (make_voucher(associated=[make_associated(number=0)]), "comprobante.comprobantes_asociados[1].numero"),
            (make_voucher(percepciones_iva="NaN"), "comprobante.percepciones_iva"),
        ]:
            with self.subTest(field=field):
                self.invalid(voucher, field)
        # The listing does not read the detail: a bad line does not stop the check.
        self.assertEqual(parse_voucher(make_voucher(lines=[(1, "X", 100.0, 19)]), detail=False).number, 1)

    def test_pages(self):
        vouchers = [make_voucher(number=n) for n in (3, 2, 1)]
        total, parsed = parse_voucher_page(page_of(*vouchers, total=10))
        self.assertEqual((total, [v.number for v in parsed]), (10, [3, 2, 1]))
        self.assertEqual(parse_voucher_page(page_of()), (0, []))
        for data, field in [
            ({"comprobantes": vouchers}, "total"),
            (page_of(*vouchers, total=-1), "total"),
            (page_of(*vouchers, total=2), "total"),
            (page_of(*vouchers, total=3.0), "total"),
            (page_of(*vouchers, total=True), "total"),
            (page_of(*vouchers, total=10**9), "total"),
            ({"total": 1, "comprobantes": {"0": vouchers[0]}}, "comprobantes"),
            ([], "comprobantes"),
        ]:
            with self.subTest(data=str(data)[:60]):
                with self.assertRaises(TusFacturasError) as caught:
                    parse_voucher_page(data)
                self.assertEqual((caught.exception.code, caught.exception.field), ("invalid_response", field))
        # A bad voucher is named by its position on the page.
        self.invalid(make_voucher(number=4, total="mucho"), "comprobante.total", row=4, detail=False)
        self.invalid("voucher", "comprobantes", row=2, detail=False)
        self.invalid({"cliente": {}, "comprobante": []}, "comprobante", row=2, detail=False)

    def test_the_inline_path_and_the_full_checks_agree(self):
        # Values the inline path takes and those the full checks take agree.
        plain = parse_voucher(make_voucher(), detail=False)
        odd = parse_voucher(
            with_comprobante(
                make_voucher(point_of_sale="1", number="1", total=121, ctacte_status=" impaga", cae=70000100000001),
                tipo="factura a",
                status="emitido ",
                comprobante_pdf_url="https://sandbox.tusfacturas.invalid/pdf/00001-00000001.pdf ",
            ),
            detail=False,
        )
        self.assertEqual(odd.key, plain.key)
        for name in ("total", "ctacte_status", "cae", "pdf_url", "date", "customer", "status"):
            self.assertEqual(getattr(odd, name), getattr(plain, name), name)


def assert_sane(test, voucher):
    test.assertIsInstance(voucher, Voucher)
    test.assertIsInstance(voucher.date, datetime.date)
    test.assertIn(voucher.status, (ISSUED, QUEUED, ERROR))
    for amount in (voucher.total, voucher.rate):
        test.assertIsInstance(amount, float)
        test.assertTrue(math.isfinite(amount) and 0 <= amount < MAX_AMOUNT)
    test.assertTrue(voucher.number > 0 or voucher.status != ISSUED)
    test.assertTrue(voucher.pdf_url is None or voucher.pdf_url.lower().startswith(("http://", "https://")))


scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20)
json_values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=15,
)
valid = make_voucher(lines=[(1, "X", 100.0, 21)], taxes=[make_tax()], associated=[make_associated()])
voucher_like = st.builds(
    lambda comprobante, cliente: {
        "cliente": {k: v for k, v in {**valid["cliente"], **cliente}.items() if v != "drop"},
        "comprobante": {k: v for k, v in {**valid["comprobante"], **comprobante}.items() if v != "drop"},
    },
    st.dictionaries(st.sampled_from(sorted(valid["comprobante"])), json_values | st.just("drop"), max_size=3),
    st.dictionaries(st.sampled_from(sorted(valid["cliente"])), json_values | st.just("drop"), max_size=2),
)


@tagged("post_install", "-at_install")
class TestVoucherParserProperties(BaseCase):
    """Whatever the shape, the parser raises nothing but TusFacturasError, and what it accepts is sane."""

    @settings(deadline=None, max_examples=300, database=None, suppress_health_check=[HealthCheck.too_slow])
    @given(voucher_like | json_values, st.booleans())
    def test_any_voucher(self, obj, detail):
        try:
            voucher = parse_voucher(obj, detail=detail)
        except TusFacturasError as error:
            self.assertEqual(error.code, "invalid_response")
            return
        assert_sane(self, voucher)

    @settings(deadline=None, max_examples=100, database=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.lists(voucher_like | json_values, max_size=4), json_values)
    def test_any_page(self, items, total):
        try:
            _total, vouchers = parse_voucher_page(
                {"total": total if total is not None else len(items), "comprobantes": items}
            )
        except TusFacturasError as error:
            self.assertEqual(error.code, "invalid_response")
            return
        self.assertEqual(len(vouchers), len(items))
        for voucher in vouchers:
            assert_sane(self, voucher)

    @settings(deadline=None, max_examples=150, database=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.lists(voucher_like | json_values, max_size=4), json_values, st.booleans())
    def test_any_page_read_voucher_by_voucher_as_whole(self, items, total, detail):
        """The client decodes pages voucher by voucher (PageRows): the same vouchers, or the
        same error (code, field, row), as the page decoded whole and then parsed."""
        data = {"total": total if total is not None else len(items), "comprobantes": items}
        try:
            raw = json.dumps(data, allow_nan=False).encode()
        except ValueError:  # NaN or an infinity: not JSON, refused before any voucher is read
            return

        def whole():
            return parse_voucher_page(decode_json(raw), detail=detail)

        def voucher_by_voucher():
            rows = PageRows(detail)
            return parse_voucher_page(decode_json(raw, "comprobantes", rows), rows=rows)

        outcomes = []
        for read in (whole, voucher_by_voucher):
            try:
                outcomes.append(read())
            except TusFacturasError as error:
                outcomes.append((error.code, error.field, error.row))
        self.assertEqual(outcomes[0], outcomes[1])


@tagged("post_install", "-at_install")
class TestVoucherMethods(VoucherSandboxCase):
    """The three voucher methods, client to sandbox, over real sockets."""

    def day(self, count, day=DAY, **values):
        """``count`` FACTURA A of ``day`` numbered from 1, held by the sandbox."""
        self.sandbox.vouchers.add(*(make_voucher(number=n, date=day, **values) for n in range(1, count + 1)))

    def bodies(self):
        """The JSON bodies the sandbox received (after the request line and headers)."""
        return [json.loads(raw[raw.index(b"{") :]) for raw in self.sandbox.received]

    def test_paging_to_the_end(self):
        self.day(20)
        self.day(3, datetime.date(2026, 3, 2))  # another day: not listed
        pages = list(voucher_api.vouchers_of_day(self.client, DAY, page_size=7))
        self.assertEqual([len(page) for page in pages], [7, 7, 6])
        self.assertEqual([v.number for page in pages for v in page], list(range(20, 0, -1)), "newest first, each once")
        self.assertEqual(self.sandbox.voucher_calls, [(methods.VOUCHER_SEARCH, page) for page in (0, 1, 2)])
        self.assertEqual(self.sandbox.calls, [(methods.VOUCHER_SEARCH, None)] * 3)
        body = self.bodies()[2]
        self.assertEqual(
            {k: body[k] for k in ("busqueda_tipo", "comprobante", "pagina", "limite")},
            {"busqueda_tipo": "F", "comprobante": {"fecha": "01/03/2026", "operacion": "V"}, "pagina": 2, "limite": 7},
        )
        # Exactly a page, then the default size (1,000) over 2,500 vouchers.
        self.sandbox.reset()
        self.assertEqual([len(page) for page in voucher_api.vouchers_of_day(self.client, DAY, page_size=10)], [10, 10])
        self.assertEqual(len(self.sandbox.voucher_calls), 2, "no call after the total is read")
        self.day(2480)
        self.sandbox.reset()
        self.assertEqual([len(page) for page in voucher_api.vouchers_of_day(self.client, DAY)], [1000, 1000, 500])
        self.assertEqual([body["limite"] for body in self.bodies()], [1000] * 3)

    def test_an_empty_day(self):
        self.assertEqual(list(voucher_api.vouchers_of_day(self.client, DAY)), [[]])
        self.assertEqual(len(self.sandbox.voucher_calls), 1)
        for page_size in (0, 1001, "10", True):
            with self.assertRaises(ValueError):
                voucher_api.vouchers_of_day(self.client, DAY, page_size=page_size)
        with self.assertRaises(ValueError):
            voucher_api.vouchers_of_day(self.client, "01/03/2026")
        self.assertEqual(len(self.sandbox.voucher_calls), 1, "a wrong argument calls nobody")

    def read_day(self, page_size=5):
        """Read the day as a caller that stores it only once it is complete: the pages stored."""
        stored, pages = [], []
        for page in voucher_api.vouchers_of_day(self.client, DAY, page_size=page_size):
            pages.append(page)
        stored.extend(pages)
        return stored

    def test_each_bad_page_is_a_clear_error_and_no_day(self):
        self.day(12)
        for mode, code, field in [
            ("bad_voucher", "invalid_response", "comprobante.total"),
            ("empty_page", "invalid_response", "comprobantes"),
            ("short_page", "invalid_response", "comprobantes"),
            ("extra_voucher", "invalid_response", "comprobantes"),
            ("changing_total", "changed", "total"),  # vouchers issued meanwhile: read the day again
            ("http_500", "unavailable", None),
            ("http_401", "unauthorized", None),
            ("not_json", "invalid_json", None),
            ("drop", "connection", None),
            ("api_error", "api_errors", None),
            ("error_listing", "api_errors", None),  # the answer's error flag first, whatever it lists
            ("html_utf8", "invalid_response", "comprobantes"),  # a ledger's answer: no "comprobantes"
        ]:
            with self.subTest(mode=mode):
                self.sandbox.reset()
                self.sandbox.voucher_page_modes = {1: mode}
                stored = []
                with self.assertRaises(TusFacturasError) as caught:
                    stored = self.read_day()
                self.assertEqual((caught.exception.code, caught.exception.field), (code, field))
                self.assertEqual(stored, [], "nothing of a half-read day")
                pages = {page for _method, page in self.sandbox.voucher_calls}
                self.assertEqual(pages, {0, 1}, "the error stops the reading")
                if field == "comprobante.total":
                    self.assertEqual((caught.exception.row, caught.exception.detail), (1, "page 1"))
                # The check too: no result of a half-read day.
                with self.assertRaises(TusFacturasError):
                    check_vouchers(
                        voucher_api.vouchers_of_day(self.client, DAY, page_size=5), [], float.__eq__, point_of_sale=1
                    )
        self.assertLessEqual(
            {"bad_voucher", "empty_page", "short_page", "extra_voucher", "changing_total", "error_listing"},
            set(PAGE_MODES),
        )
        # The last page, too.
        for mode in ("extra_voucher", "bad_voucher"):
            self.sandbox.reset()
            self.sandbox.voucher_page_modes = {2: mode}
            with self.assertRaises(TusFacturasError):
                self.read_day()

    def test_the_sandbox_modes_apply(self):
        self.day(3)
        for mode, code in [("http_503", "unavailable"), ("trickle_body", "timeout"), ("huge_declared", "too_large")]:
            with self.subTest(mode=mode):
                self.sandbox.reset()
                self.sandbox.mode = mode
                client = TusFacturasClient(base_url=self.sandbox.url, timeout=0.6, backoff=0.01, **DEFAULT_CREDENTIALS)
                start = time.monotonic()
                for call, args in [
                    (lambda *values: list(voucher_api.vouchers_of_day(*values)), (DAY,)),
                    (voucher_api.voucher, ("FACTURA A", 1, 1)),
                    (voucher_api.last_number, ("FACTURA A", 1)),
                ]:
                    with self.assertRaises(TusFacturasError) as caught:
                        call(client, *args)
                    self.assertEqual(caught.exception.code, code)
                self.assertLess(time.monotonic() - start, 3 * 0.6 + 1.5)
        # A slow page: the call's deadline, that page only.
        self.sandbox.reset()
        self.sandbox.slow_seconds = 1
        self.sandbox.voucher_page_modes = {1: "slow"}
        client = TusFacturasClient(base_url=self.sandbox.url, timeout=0.5, retries=0, **DEFAULT_CREDENTIALS)
        with self.assertRaises(TusFacturasError) as caught:
            list(voucher_api.vouchers_of_day(client, DAY, page_size=2))
        self.assertEqual(caught.exception.code, "timeout")
        # Retry-After on a page, then the page: the day is read.
        self.sandbox.reset()
        self.sandbox.mode, self.sandbox.failures_left, self.sandbox.retry_after = "retry_after", 1, "0"
        self.assertEqual([len(p) for p in voucher_api.vouchers_of_day(self.client, DAY, page_size=2)], [2, 1])
        self.assertEqual([page for _method, page in self.sandbox.voucher_calls], [0, 0, 1])

    def test_points_of_sale_per_account(self):
        self.day(2)
        self.sandbox.vouchers.add(make_voucher(point_of_sale=2, number=9, date=DAY))
        other = dict(DEFAULT_CREDENTIALS, apikey="5678")
        self.sandbox.accounts.append(other)
        self.sandbox.points_of_sale["5678"] = 2
        second = TusFacturasClient(base_url=self.sandbox.url, timeout=2, **other)
        self.assertEqual(
            [v.key for p in voucher_api.vouchers_of_day(second, DAY, point_of_sale=2) for v in p], [("1", 2, 9)]
        )
        self.assertEqual(
            [v.key for p in voucher_api.vouchers_of_day(self.client, DAY) for v in p], [("1", 1, 2), ("1", 1, 1)]
        )
        self.assertEqual(voucher_api.last_number(second, "FACTURA A", 2), 9)
        with self.assertRaises(TusFacturasError) as caught:
            voucher_api.voucher(self.client, "FACTURA A", 2, 9)
        self.assertEqual(caught.exception.code, "api_errors", "another point of sale than the account's")
        # A listing that names another point of sale than the account's is refused.
        self.sandbox.vouchers[1].append(make_voucher(point_of_sale=3, number=5, date=DAY))
        with self.assertRaises(TusFacturasError) as caught:
            list(voucher_api.vouchers_of_day(self.client, DAY, point_of_sale=1))
        self.assertEqual((caught.exception.field, caught.exception.row), ("comprobante.punto_venta", 1), "newest first")

    def test_voucher_round_trip(self):
        issued = make_voucher(
            type_name="NOTA DE CREDITO A",
            number=4,
            total=2431.5,
            lines=[(2, "Servicio", 500.0, 21), (3, "Libro", 300.0, 10.5)],
            taxes=[make_tax(7, "Percepcion de IIBB", 2, "BUENOS AIRES", 1900.0, 3.0, 57.0)],
            associated=[("FACTURA A", 1, 12, "15/02/2026")],
            percepciones_iibb=57.0,
            cliente={"condicion_iva": "RI"},
        )
        self.sandbox.vouchers.add(make_voucher(number=4), issued)
        voucher = voucher_api.voucher(self.client, "3", 1, 4)
        self.assertEqual(
            (voucher.key, voucher.type_name, voucher.total, voucher.customer.vat_condition),
            (("3", 1, 4), "NOTA DE CREDITO A", 2431.5, "RI"),
        )
        self.assertEqual(
            [(line.quantity, line.unit_price, line.vat_rate) for line in voucher.lines],
            [(2.0, 500.0, 21.0), (3.0, 300.0, 10.5)],
        )
        self.assertEqual([(t.type, t.regime, t.base, t.amount) for t in voucher.taxes], [(7, 2, 1900.0, 57.0)])
        self.assertEqual([a.key for a in voucher.associated], [("1", 1, 12)])
        self.assertEqual(self.sandbox.voucher_calls, [(methods.VOUCHER, None)])
        self.assertEqual(
            self.bodies()[0]["comprobante"],
            {"tipo": "NOTA DE CREDITO A", "operacion": "V", "punto_venta": 1, "numero": 4},
        )
        with self.assertRaises(TusFacturasError) as caught:
            voucher_api.voucher(self.client, "FACTURA A", 1, 99)
        self.assertEqual(caught.exception.code, "api_errors")
        with self.assertRaises(ValueError):
            voucher_api.voucher(self.client, "FACTURA Z", 1, 1)
        # An answer about another voucher than the one asked is refused.
        self.sandbox.mode = "raw"
        self.sandbox.raw = (200, {}, json.dumps({"error": "N", **make_voucher(number=5)}).encode())
        with self.assertRaises(TusFacturasError) as caught:
            voucher_api.voucher(self.client, "FACTURA A", 1, 4)
        self.assertEqual((caught.exception.code, caught.exception.field), ("invalid_response", "comprobante.numero"))

    def test_last_number_round_trip(self):
        self.day(5)
        self.sandbox.vouchers.add(
            make_voucher(type_name="FACTURA B", number=40),
            make_voucher(type_name="FACTURA B", number=0, status="EN COLA, ESPERANDO APROBACION"),
        )
        self.assertEqual(voucher_api.last_number(self.client, "FACTURA A", 1), 5)
        self.assertEqual(voucher_api.last_number(self.client, "6", 1), 40)
        self.assertEqual(voucher_api.last_number(self.client, "NOTA DE CREDITO A", 1), 0)
        self.assertEqual(
            self.bodies()[0]["comprobante"],
            {"tipo": "FACTURA A", "operacion": "V", "punto_venta": 1},
        )
        self.assertEqual(self.sandbox.voucher_calls, [(methods.VOUCHER_NUMBERING, None)] * 3)
        for answer, field in [
            ({"error": "N"}, "comprobante"),
            ({"error": "N", "comprobante": {"numero": "seis"}}, "comprobante.numero"),
            ({"error": "N", "comprobante": {"numero": -1}}, "comprobante.numero"),
            ({"error": "N", "comprobante": {"numero": 6, "tipo": "FACTURA B"}}, "comprobante.tipo"),
            ({"error": "N", "comprobante": {"numero": 6, "punto_venta": 2}}, "comprobante.punto_venta"),
        ]:
            with self.subTest(answer=answer):
                self.sandbox.mode, self.sandbox.raw = "raw", (200, {}, json.dumps(answer).encode())
                with self.assertRaises(TusFacturasError) as caught:
                    voucher_api.last_number(self.client, "FACTURA A", 1)
                self.assertEqual((caught.exception.code, caught.exception.field), ("invalid_response", field))

    def test_by_number_and_found_by_key(self):
        self.day(30)
        self.sandbox.vouchers.add(
            make_voucher(type_name="FACTURA B", number=7), make_voucher(number=2500, date="03/03/2026")
        )
        pages = list(voucher_api.vouchers_by_number(self.client, "FACTURA A", 1, 5, 12, page_size=3))
        self.assertEqual([[v.number for v in page] for page in pages], [[12, 11, 10], [9, 8, 7], [6, 5]])
        self.assertEqual(
            self.bodies()[0]["comprobante"],
            {"tipo": "FACTURA A", "operacion": "V", "punto_venta": 1, "numero_desde": 5, "numero_hasta": 12},
        )
        self.sandbox.reset()
        found = voucher_api.find_vouchers(
            self.client, [("1", 1, 3), ("1", 1, 4), ("1", 1, 2500), ("6", 1, 7), ("6", 1, 8)], page_size=10
        )
        self.assertEqual(sorted(v.key for v in found), [("1", 1, 3), ("1", 1, 4), ("1", 1, 2500), ("6", 1, 7)])
        self.assertEqual(len(self.sandbox.voucher_calls), 3, "numbers 3-4 and 2500 apart, FACTURA B once")

    def test_billing_in_one_place(self):
        self.assertEqual(
            {method: methods.is_billed(method) for method in methods.BILLED},
            {
                "clientes/cuenta-corriente": True,
                "micuenta/consumo": True,
                "facturacion/consulta_avanzada": False,
                "facturacion/consulta": False,
                "facturacion/numeracion": True,
            },
        )
        self.assertTrue(methods.is_billed("facturacion/nuevo"), "an unknown cost is a cost")
        self.day(3)
        list(voucher_api.vouchers_of_day(self.client, DAY, page_size=2))
        voucher_api.voucher(self.client, "FACTURA A", 1, 1)
        voucher_api.last_number(self.client, "FACTURA A", 1)
        self.assertEqual(methods.billed_calls(method for method, _cuit in self.sandbox.calls), 1, "numeracion only")
        # Each function's docstring says what it costs, as the table does.
        for function, method in [
            (voucher_api.vouchers_of_day, methods.VOUCHER_SEARCH),
            (voucher_api.vouchers_by_number, methods.VOUCHER_SEARCH),
            (voucher_api.voucher, methods.VOUCHER),
            (voucher_api.last_number, methods.VOUCHER_NUMBERING),
        ]:
            with self.subTest(function=function.__name__):
                self.assertIn("billed by TusFacturas" if methods.is_billed(method) else "free", function.__doc__)
