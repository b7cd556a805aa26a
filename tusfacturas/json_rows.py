"""A JSON object decoded with one of its lists read item by item.

A page of ``facturacion/consulta_avanzada`` is about 2 MB of JSON: 1,000 vouchers, each a tree
of dicts and lists. ``json.loads`` builds the whole page before anyone reads it, so every
voucher's tree lives until the page is decoded; in a server process holding hundreds of
thousands of objects (Odoo's registry), Python's cyclic collector then moves the page's trees
to its oldest generation and runs full collections over the whole process because of them
(about a fifth of a second each, several a month of vouchers). :func:`loads_rows` hands each
item of the list to ``parse_row`` as soon as it is decoded and keeps only what that returns,
so each item's tree is freed young: the same strict JSON as ``json.loads`` (the standard
library's decoder reads every value, through the public ``JSONDecoder.raw_decode``), and
the decoded tree is never more than one item's (the text itself is still the page's).

Plain Python, no Odoo.
"""

import json
import re

_WHITESPACE = re.compile(r"[ \t\n\r]*")  # RFC 8259's, as the json module's


class RowError(Exception):
    """``parse_row`` raised (the exception is the ``__cause__``) for the item at ``row``:
    not an error of the JSON."""

    def __init__(self, row):
        super().__init__(f"row {row}")
        self.row = row


def _fail(text, message, index):
    raise json.JSONDecodeError(message, text, index)


def loads_rows(text, field, parse_row, *, parse_constant=None):
    """``text`` (a str) decoded as ``json.loads`` would, as an object: raises what
    ``json.loads`` raises (a ValueError, :class:`json.JSONDecodeError` for the syntax; a
    RecursionError) on anything but one JSON object, whitespace aside. The value of its key
    ``field``, when it is a list, is the list of ``parse_row(item, row)`` of its items (``row``
    counted from 1), each called as soon as its item is decoded; any other value is decoded as
    is. What ``parse_row`` raises is raised as a :class:`RowError`. A repeated key keeps its last
    value, as ``json.loads`` does (``parse_row`` is given the items of each of its lists).
    ``parse_constant`` as ``json.loads``'s."""
    decode = json.JSONDecoder(parse_constant=parse_constant).raw_decode
    skip = _WHITESPACE.match
    index = skip(text, 0).end()
    if text[index : index + 1] != "{":
        _fail(text, "Expecting an object", index)
    data = {}
    index = skip(text, index + 1).end()
    if text[index : index + 1] == "}":
        index += 1
    else:
        while True:
            if text[index : index + 1] != '"':
                _fail(text, "Expecting property name enclosed in double quotes", index)
            key, index = decode(text, index)
            index = skip(text, index).end()
            if text[index : index + 1] != ":":
                _fail(text, "Expecting ':' delimiter", index)
            index = skip(text, index + 1).end()
            if key == field and text[index : index + 1] == "[":
                data[key], index = _rows(text, index, decode, skip, parse_row)
            else:
                data[key], index = decode(text, index)
            index = skip(text, index).end()
            delimiter = text[index : index + 1]
            if delimiter == "}":
                index += 1
                break
            if delimiter != ",":
                _fail(text, "Expecting ',' delimiter", index)
            index = skip(text, index + 1).end()
    if skip(text, index).end() != len(text):
        _fail(text, "Extra data", index)
    return data


def _rows(text, index, decode, skip, parse_row):
    """The list starting at ``text[index]`` (a ``[``), each item through ``parse_row``."""
    rows = []
    index = skip(text, index + 1).end()
    if text[index : index + 1] == "]":
        return rows, index + 1
    while True:
        item, index = decode(text, index)
        try:
            rows.append(parse_row(item, len(rows) + 1))
        except Exception as exc:
            raise RowError(len(rows) + 1) from exc
        del item  # freed now, before the next item is decoded
        index = skip(text, index).end()
        delimiter = text[index : index + 1]
        if delimiter == "]":
            return rows, index + 1
        if delimiter != ",":
            _fail(text, "Expecting ',' delimiter", index)
        index = skip(text, index + 1).end()
