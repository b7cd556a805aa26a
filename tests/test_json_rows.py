"""A page decoded voucher by voucher (tusfacturas/json_rows.py) is the same JSON as
``json.loads`` reads: the same object, the same errors; and the voucher search's pages,
read so from the sandbox, give what parsing the whole page gives, errors included."""

import datetime
import json

from odoo.tests import BaseCase, tagged

from ..sandbox.vouchers import make_voucher
from ..tusfacturas import TusFacturasError
from ..tusfacturas.client import decode_json
from ..tusfacturas.json_rows import RowError, loads_rows
from ..tusfacturas.methods import VOUCHER_SEARCH
from ..tusfacturas.voucher_api import vouchers_of_day
from ..tusfacturas.vouchers import PageRows, parse_voucher_page
from .common import VoucherSandboxCase
from .optional import HealthCheck, given, settings
from .optional import strategies as st


def tagged_rows(item, row):
    return ("row", row, item)


def expected(text, field="rows"):
    """What ``loads_rows(text, field, tagged_rows)`` must give: ``json.loads``' object with
    ``field``'s list items tagged, or the ValueError ``json.loads`` raises."""
    data = json.loads(text)
    if not isinstance(data, dict):
        raise ValueError("not an object")
    if isinstance(data.get(field), list):
        data[field] = [tagged_rows(item, row) for row, item in enumerate(data[field], start=1)]
    return data


@tagged("post_install", "-at_install")
class TestJsonRows(BaseCase):
    def assert_same(self, text):
        try:
            want = expected(text)
        except ValueError:
            with self.assertRaises(ValueError, msg=text):
                loads_rows(text, "rows", tagged_rows)
            return
        self.assertEqual(loads_rows(text, "rows", tagged_rows), want, text)

    def test_objects_as_json_loads_reads_them(self):
        for text in [
            "{}",
            " \t\r\n{ } \n",
            '{"rows": []}',
            '{"rows":[ ]}',
            '{"rows": [1]}',
            '{"a": 1, "rows": [{"b": [1, {"c": null}]}, "x", 2.5, true], "z": {"rows": [9]}}',
            '{ "rows" : [ 1 , 2 ] , "total" : 2 }',
            '{"rows": {"not": "a list"}}',
            '{"rows": null}',
            '{"rows": [1], "rows": [2, 3]}',  # the last of a repeated key, as json.loads
            '{"other": [1, 2]}',
            '{"r\\u006fws": [1]}',  # the key as decoded
            '{"text": "\\u00f1 \\" \\\\ ]}", "rows": ["]", "}", ","]}',
            '{"rows": [1e99999999, -1e99999999]}',  # infinities, as json.loads reads them
        ]:
            self.assert_same(text)

    def test_what_json_loads_refuses_is_refused(self):
        for text in [
            "",
            " ",
            "[]",
            '"rows"',
            "{",
            '{"rows": [1, 2}',
            '{"rows": [1 2]}',
            '{"rows": [1,]}',
            '{"rows": [,1]}',
            '{"rows": [1]',
            '{"rows": [1]} x',
            '{"rows": [1]}{}',
            "{'rows': [1]}",
            "{rows: [1]}",
            '{"rows" [1]}',
            '{"a": 1,}',
            '{"a": 1 "b": 2}',
            '{"rows": [01]}',
            '{"rows": ["\x01"]}',  # a control character in a string
            '{"rows": ["unterminated]}',
            '\ufeff{"rows": []}',
        ]:
            self.assert_same(text)

    def test_constants_refused_as_the_client_refuses_them(self):
        for text in ['{"rows": [NaN]}', '{"rows": [Infinity]}', '{"total": -Infinity, "rows": []}']:
            with self.assertRaises(TusFacturasError) as caught:
                decode_json(text.encode(), "rows", tagged_rows)
            self.assertEqual(caught.exception.code, "invalid_json")

    def test_each_item_is_parsed_before_the_next_is_decoded(self):
        seen = []

        def parse_row(item, row):
            seen.append(row)
            if row == 2:
                raise RuntimeError("stop")
            return item

        with self.assertRaises(RowError) as caught:
            loads_rows('{"rows": [1, 2, 3, ]}', "rows", parse_row)  # item 4 would be invalid JSON
        self.assertEqual(seen, [1, 2], "the items after the one that failed were never decoded")
        self.assertEqual((caught.exception.row, str(caught.exception.__cause__)), (2, "stop"))

    @settings(deadline=None, max_examples=300, database=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        st.dictionaries(
            st.sampled_from(["rows", "total", "error", "x"]),
            st.recursive(
                st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
                lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=4), children),
                max_leaves=12,
            ),
        ),
        st.sampled_from([None, 0, 2]),
        st.sampled_from([(",", ":"), (", ", ": "), (" ,\n", " :\t")]),
        st.integers(min_value=0, max_value=40),
        st.sampled_from(["", "x", "]", "}", ",", " ", '"', "{}"]),
    )
    def test_any_object_any_spacing_any_cut(self, data, indent, separators, cut, insert):
        """Whatever the object, its spacing, and a character cut or inserted anywhere."""
        text = json.dumps(data, indent=indent, separators=separators, ensure_ascii=False)
        self.assert_same(text)
        position = cut % (len(text) + 1)
        self.assert_same(text[:position] + insert + text[position + 1 :])


@tagged("post_install", "-at_install")
class TestPagesReadVoucherByVoucher(VoucherSandboxCase):
    """Over a real socket, the search's pages, each voucher parsed as decoded (the bad pages:
    test_vouchers.TestVoucherMethods.test_each_bad_page_is_a_clear_error_and_no_day)."""

    def test_pages_as_parsing_the_whole_page_gives(self):
        day = datetime.date(2026, 3, 2)
        self.sandbox.vouchers.add(
            *[
                make_voucher(number=n, date=day, total=100.0 + n, customer=("DNI", str(20_000_000 + n % 2), "X"))
                for n in range(1, 8)
            ],
            make_voucher(number=99, date=day + datetime.timedelta(days=1)),
        )
        pages = list(vouchers_of_day(self.client, day, page_size=3))
        self.assertEqual([len(page) for page in pages], [3, 3, 1])
        self.assertEqual(sorted(v.number for page in pages for v in page), list(range(1, 8)))
        whole = self.client.call(
            VOUCHER_SEARCH,
            {"busqueda_tipo": "F", "comprobante": {"fecha": "02/03/2026", "operacion": "V"}, "pagina": 0, "limite": 3},
            rows_field="comprobantes",
        )
        self.assertEqual(parse_voucher_page(whole)[1], pages[0])
        self.assertEqual([v.total for v in pages[0]], [107.0, 106.0, 105.0])

    def test_a_key_repeated_counts_its_last_list(self):
        """As ``json.loads`` keeps the last value of a key repeated, only the last list of
        vouchers counts, valid or not (the others were decoded and parsed, then replaced)."""
        bad, good = '{"comprobante": 1}', json.dumps(make_voucher(number=7))

        def read(*lists):
            rows = PageRows()
            text = ", ".join(f'"comprobantes": [{", ".join(items)}]' for items in lists)
            data = decode_json(f'{{"error": "N", "total": 2, {text}}}'.encode(), "comprobantes", rows)
            return parse_voucher_page(data, rows=rows)

        self.assertEqual([v.number for v in read([bad], [good, good])[1]], [7, 7])
        self.assertEqual(read([bad, good], [])[1], [])
        for lists in ([[good], [good, bad]], [[bad], [good, bad]]):
            with self.assertRaises(TusFacturasError) as caught:
                read(*lists)
            self.assertEqual((caught.exception.code, caught.exception.row), ("invalid_response", 2))

    def test_what_the_row_parser_raises_is_an_invalid_response_at_its_row(self):
        def parse_row(item, row):
            if row == 2:
                raise ValueError("not JSON's fault")
            return item

        with self.assertRaises(TusFacturasError) as caught:
            decode_json(b'{"rows": [1, 2, 3]}', "rows", parse_row)
        error = caught.exception
        self.assertEqual(
            (error.code, error.field, error.row, error.detail), ("invalid_response", "rows", 2, "ValueError")
        )
