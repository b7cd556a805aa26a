"""Large ledgers: the number of queries does not grow with the rows (timings: tools/bench)."""

import datetime
from unittest.mock import patch

from odoo import fields
from odoo.tests import tagged

from .common import ADHOC_CUIT, TusFacturasCase, tf_row

PAGE = 40  # what the form asks for a list without a ``limit``: one page
LINE_FIELDS = ("date", "concept", "debit", "credit", "residual", "balance", "match_state", "move_id", "difference")
# What the ledger form reads (web_read), as the web client builds it from the view.
FORM_SPEC = {
    "partner_id": {"fields": {"display_name": {}}},
    "cuit": {},
    "fetch_date": {},
    "date_to": {},
    "scope_description": {},
    "is_ok": {},
    "tusfacturas_balance": {},
    "odoo_balance": {},
    "odoo_other_balance": {},
    "difference": {},
    **{f"{state}_count": {} for state in ("matched", "amount_mismatch", "missing_in_odoo", "not_a_document")},
    "line_ids": {
        "fields": {name: {"fields": {"display_name": {}}} if name == "move_id" else {} for name in LINE_FIELDS},
        "limit": PAGE,
    },
    "receivable_line_ids": {
        "fields": {"date": {}, "move_name": {}, "debit": {}, "credit": {}, "cumulated_balance": {}},
        "limit": PAGE,
    },
}


@tagged("post_install", "-at_install")
class TestLedgerQueries(TusFacturasCase):
    """Opening, showing and refreshing a ledger costs the same queries for 10 rows or 5,000."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.invoices = cls.env["account.move"].concat(*(cls.invoice(cls.customer, 100.0 * n) for n in range(1, 6)))

    def rows(self, count, named):
        """``count`` rows: the first ``named`` invoices (matched), then documents Odoo lacks and payments."""
        rows = [
            tf_row(f"FACTURA A 0001-{n:08d}", debe=121.0 * n, resta=121.0 * n, saldo=1) for n in range(1, named + 1)
        ]
        for n in range(len(rows), count):
            if n % 3:
                rows.append(tf_row(f"FACTURA A 0001-{100 + n:08d}", debe=50.0, resta=50.0, saldo=1))
            else:
                rows.append(tf_row("PAGO RECIBIDO", haber=10.0, saldo=1))
        return rows

    def queries(self, count, named, action):
        """Queries of ``action(ledger)`` on a ledger of ``count`` rows naming ``named`` of the 5 invoices,
        the second time (the first may find the customer's status to change: a note, whatever the rows)."""
        self.sandbox.ledgers[ADHOC_CUIT] = self.rows(count, named)
        ledger = self.open_ledger(user=self.billing_user)
        # One clock for both: a field written again with the same value costs no query, whether or not
        # a second has passed (fetch date, last check).
        with patch.object(fields.Datetime, "now", return_value=datetime.datetime(2026, 3, 2, 12, 0)):
            action(ledger)
            self.env.invalidate_all()
            start = self.env.cr.sql_log_count
            result = action(ledger)
            spent = self.env.cr.sql_log_count - start
        return spent, ledger, result

    def open_and_show(self, count, named):
        """The partner form's button, then the form's read."""
        self.sandbox.ledgers[ADHOC_CUIT] = self.rows(count, named)
        self.env.invalidate_all()
        start = self.env.cr.sql_log_count
        ledger = self.open_ledger(user=self.billing_user)
        [data] = ledger.web_read(FORM_SPEC)
        return self.env.cr.sql_log_count - start, ledger, data

    def test_opening_and_showing_10_or_5000_rows(self):
        self.open_and_show(10, 4)  # warm up: the first check creates the status,
        self.open_and_show(12, 4)  # the second replaces its balances,
        # and the first check of these 5,000 rows creates their discrepancies (3,332 documents Odoo
        # lacks: Odoo's create inserts them 100 at a time; test_discrepancy.py guards that writing).
        self.open_and_show(5000, 2)
        few, small, _small_data = self.open_and_show(10, 4)  # one invoice only in Odoo
        many, large, large_data = self.open_and_show(5000, 2)  # three invoices only in Odoo
        self.assertGreater(few, 0)
        self.assertEqual(many, few)
        self.assertEqual((len(small.line_ids), len(large.line_ids)), (11, 5003))
        self.assertEqual(large.missing_in_tusfacturas_count, 3)
        self.assertEqual(large.matched_count, 2)
        self.assertEqual(large.not_a_document_count, 1666)
        # One page of rows reaches the browser; the others are ids only.
        read = [line for line in large_data["line_ids"] if "concept" in line]
        self.assertEqual(len(read), PAGE)
        self.assertEqual(len(large_data["line_ids"]), 5003)
        self.assertEqual(read[0]["concept"], "FACTURA A 0001-00000001")
        self.assertEqual(read[0]["move_id"]["id"], self.invoices[0].id)
        self.assertEqual(large_data["matched_count"], 2)
        # Odoo's side keeps its running balance.
        balances = [line["cumulated_balance"] for line in large_data["receivable_line_ids"]]
        self.assertEqual(balances, [121.0, 363.0, 726.0, 1210.0, 1815.0])

    def test_refresh_and_until_10_or_5000_rows(self):
        def refresh(ledger):
            ledger.action_refresh()
            return len(ledger.line_ids)

        def until(ledger):
            ledger.date_to = "2026-12-31"
            ledger.action_apply_date_to()
            return len(ledger.line_ids)

        for action in (refresh, until):
            with self.subTest(action=action.__name__):
                self.queries(10, 4, action)  # warm up
                few, _small, small_lines = self.queries(10, 4, action)
                many, _large, large_lines = self.queries(5000, 2, action)
                self.assertEqual((small_lines, large_lines), (11, 5003))
                self.assertGreater(few, 0)
                self.assertEqual(many, few)
