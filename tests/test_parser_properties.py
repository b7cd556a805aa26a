"""Property tests: whatever TusFacturas sends, the client and the parser raise nothing
but TusFacturasError, and every row they accept has finite amounts and a real date."""

import datetime
import json
import math

from odoo.tests import BaseCase, tagged

from ..sandbox import SandboxServer
from ..sandbox.server import DEFAULT_CREDENTIALS
from ..tusfacturas import TusFacturasClient, TusFacturasError, parse_ledger
from ..tusfacturas.client import decode_json
from ..tusfacturas.ledger import AMOUNT_FIELDS, MAX_AMOUNT
from .common import ADHOC_CUIT
from .optional import HealthCheck, given, settings
from .optional import strategies as st

PROPERTY_SETTINGS = settings(
    deadline=None, max_examples=200, database=None, suppress_health_check=[HealthCheck.too_slow]
)

scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=-(10**400), max_value=10**400)
    | st.floats()
    | st.text(max_size=30)
)
json_values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=10), children, max_size=5),
    max_leaves=25,
)
amount_like = (
    scalars
    | st.decimals(allow_nan=True, allow_infinity=True).map(str)
    | st.from_regex(r"-?[0-9]{1,20}([.,][0-9]{1,4})?", fullmatch=True)
    | st.sampled_from(["1.234", "1,234", "1.234,56", "1e400", "NaN", "inf", "-0", "١٢٣", " 12,5 "])
)
date_like = (
    st.dates().map(lambda d: d.strftime("%d/%m/%Y"))
    | st.from_regex(r"[0-9]{1,2}/[0-9]{1,2}/[0-9]{4}", fullmatch=True)
    | st.sampled_from(["31/02/2024", "29/02/2023", "00/01/2020", "11\\/05\\/2017", "2017-05-11"])
    | scalars
)
rows = st.fixed_dictionaries(
    {
        "fecha": date_like,
        "concepto": st.text(max_size=60) | st.sampled_from(["FACTURA A 0002-00000001", "NOTA DE CRÉDITO B 1-2"]),
        **{api: amount_like for _name, api in AMOUNT_FIELDS},
    },
    optional={"extra": json_values},
)
row_shapes = st.lists(rows | json_values, max_size=6) | json_values


def assert_sane(test, parsed):
    for row in parsed:
        test.assertIsInstance(row.date, datetime.date)
        for name, _api in AMOUNT_FIELDS:
            amount = getattr(row, name)
            test.assertIsInstance(amount, float)
            test.assertTrue(math.isfinite(amount) and abs(amount) < MAX_AMOUNT, amount)


@tagged("post_install", "-at_install")
class TestParserProperties(BaseCase):
    @PROPERTY_SETTINGS
    @given(row_shapes)
    def test_any_rows(self, results):
        try:
            parsed = parse_ledger(results)
        except TusFacturasError:
            return
        assert_sane(self, parsed)

    @PROPERTY_SETTINGS
    @given(st.lists(rows, min_size=1, max_size=4))
    def test_rows_of_the_right_shape(self, results):
        try:
            parsed = parse_ledger(results)
        except TusFacturasError as error:
            self.assertEqual(error.code, "invalid_response")
            self.assertIsNotNone(error.row)
            return
        self.assertEqual(len(parsed), len(results))
        assert_sane(self, parsed)

    @PROPERTY_SETTINGS
    @given(st.binary(max_size=300) | json_values.map(lambda v: json.dumps(v).encode()))
    def test_any_bytes_decode_to_an_object_or_fail_cleanly(self, raw):
        try:
            data = decode_json(raw)
        except TusFacturasError as error:
            self.assertIn(error.code, ("invalid_json",))
            return
        self.assertIsInstance(data, dict)


@tagged("post_install", "-at_install")
class TestClientProperties(BaseCase):
    """Arbitrary answers over a real socket: status, headers and body."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sandbox = SandboxServer().start()
        cls.addClassCleanup(cls.sandbox.stop)
        cls.client = TusFacturasClient(
            base_url=cls.sandbox.url, timeout=2, retries=0, max_bytes=4096, **DEFAULT_CREDENTIALS
        )

    def answer(self, status, headers, body):
        self.sandbox.reset()
        self.sandbox.mode = "raw"
        self.sandbox.raw = (status, headers, body)
        try:
            rows = parse_ledger(self.client.customer_ledger(ADHOC_CUIT))
        except TusFacturasError:
            return
        assert_sane(self, rows)

    @PROPERTY_SETTINGS
    @given(
        st.sampled_from([200, 200, 200, 204, 301, 307, 400, 401, 429, 500, 503, 599]),
        st.dictionaries(
            st.sampled_from(["Content-Type", "Content-Encoding", "Retry-After", "Location"]),
            st.sampled_from(["gzip", "text/html", "application/json; charset=latin-1", "identity", "x", "0", "99"]),
        ),
        st.binary(max_size=300),
    )
    def test_any_bytes(self, status, headers, body):
        self.answer(status, headers, body)

    @PROPERTY_SETTINGS
    @given(
        st.fixed_dictionaries(
            {"error": st.sampled_from(["N", "S", "n", " S ", "", "X"]) | json_values},
            optional={"errores": json_values, "resultados": row_shapes},
        )
    )
    def test_any_json_object(self, payload):
        self.answer(200, {}, json.dumps(payload).encode())
