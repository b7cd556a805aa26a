"""Writing many rows at once with PostgreSQL's COPY, for rows nobody edits through the ORM
(a ledger's lines, what a check found), and rounding amounts as the ORM would."""

import io
import math

import psycopg2

from odoo.tools import float_is_zero, float_round


def currency_rounder(rounding):
    """``float_round`` to ``rounding`` (a currency's), faster for amounts already rounded.

    With a decimal rounding (0.01: ``digits`` 2), an amount that Python's ``round`` keeps as it
    is has at most ``digits`` decimals: ``float_round`` returns it unchanged too. Others (and
    roundings such as 0.05) go through ``float_round``.
    """
    digits = round(-math.log10(rounding))
    decimal = float_is_zero(rounding - 10.0**-digits, precision_digits=12)

    def round_amount(amount):
        if decimal and round(amount, digits) == amount:
            return amount + 0.0  # -0.0 -> 0.0, as float_round
        return float_round(amount, precision_rounding=rounding)

    return round_amount


# PostgreSQL's COPY text format: columns apart by tabs, rows by line ends, \N for no value.
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
NULL = "\\N"


def copy_lines(cr, table, columns, lines):
    """COPY ``lines`` (text format, each with its end) into ``table``'s ``columns``: one
    statement, whatever their number, the lines made as PostgreSQL reads them (never all
    of them in memory at once)."""
    # As Odoo does for ir.model.data: no asynchronous wait callback during a COPY FROM.
    callback = psycopg2.extensions.get_wait_callback()
    psycopg2.extensions.set_wait_callback(None)
    try:
        cr.copy_from(_LinesReader(lines), table=table, columns=columns, null=NULL)
    finally:
        psycopg2.extensions.set_wait_callback(callback)
    cr.sql_log_count += 1  # one statement, counted as Odoo counts its queries (query-count tests see it)


class _LinesReader(io.TextIOBase):
    """A file whose text is made, line by line, as it is read."""

    def __init__(self, lines):
        super().__init__()
        self._lines = iter(lines)
        self._buffer = []
        self._size = 0

    def readable(self):
        return True

    # A file, not a model: no super() to call.
    def read(self, size=-1):  # pylint: disable=method-required-super
        whole = size is None or size < 0
        while whole or self._size < size:
            line = next(self._lines, None)
            if line is None:
                break
            self._buffer.append(line)
            self._size += len(line)
        text = "".join(self._buffer)
        if whole or len(text) <= size:
            self._buffer, self._size = [], 0
            return text
        self._buffer, self._size = [text[size:]], len(text) - size
        return text[:size]


def copy_value(value):
    """``value`` (text, number, date, or None or False: no value) as a column of COPY's text format."""
    if value is None or value is False:
        return NULL
    return value.translate(_ESCAPES) if isinstance(value, str) else str(value)
