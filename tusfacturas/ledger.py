"""Validate and convert the ``resultados`` of ``clientes/cuenta-corriente``."""

import datetime
import math
import re
from dataclasses import dataclass

from .client import TusFacturasError
from .concept import DocumentRef, parse_concept

# Amounts are JSON numbers in the reference; strings are tolerated with a decimal
# point or comma, but "1.234" or "1,234" could be a thousands separator: refused.
_NUMBER = re.compile(r"^-?[0-9]{1,18}(?:[.,][0-9]{1,6})?$")
_AMBIGUOUS = re.compile(r"^-?[1-9][0-9]{0,2}[.,][0-9]{3}$")
_DATE = re.compile(r"^\s*([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})\s*$", re.ASCII)
MAX_AMOUNT = 1e15  # far beyond any real balance, far below float's exact range
AMOUNT_FIELDS = (
    ("debit", "debe"),
    ("credit", "haber"),
    ("residual", "resta_abonar_de_este_comprobante"),
    ("balance", "saldo"),
)


# The API's amounts, in LedgerRow's order, and every field a row must have.
_AMOUNT_KEYS = tuple(api for _name, api in AMOUNT_FIELDS)
_REQUIRED = ("fecha", "concepto", *_AMOUNT_KEYS)


@dataclass(frozen=True, slots=True)
class LedgerRow:
    """One movement of a TusFacturas current account, amounts as the API gave them."""

    date: datetime.date
    concept: str
    debit: float
    credit: float
    residual: float
    balance: float
    document: DocumentRef | None

    @property
    def amount(self):
        """The signed effect of the row on the balance (debit minus credit)."""
        return self.debit - self.credit


def _amount(value, field, row):
    """A finite float of sane magnitude, from a JSON number or an unambiguous string."""
    if value.__class__ is float and -MAX_AMOUNT < value < MAX_AMOUNT:  # the usual case (NaN fails both)
        return value
    amount = None
    if isinstance(value, int | float) and not isinstance(value, bool):
        # Compared before converting: an int like 10**400 does not fit in a float.
        if isinstance(value, int) and abs(value) < MAX_AMOUNT:
            amount = float(value)
        elif isinstance(value, float):
            amount = value
    elif isinstance(value, str):
        text = value.strip()
        if _NUMBER.match(text) and not _AMBIGUOUS.match(text):
            amount = float(text.replace(",", "."))
    if amount is None or not math.isfinite(amount) or abs(amount) >= MAX_AMOUNT:
        raise TusFacturasError("invalid_response", field=field, row=row)
    return amount


def _date(value, row, known, field="fecha"):
    """A real calendar date written ``dd/mm/yyyy`` (day and month of one or two digits, as
    ``strptime``'s ``%d/%m/%Y``); ``known`` caches the dates already read (a ledger repeats them).
    ``field`` names the field in the error."""
    date = known.get(value) if isinstance(value, str) else None
    if date:
        return date
    match = _DATE.match(value) if isinstance(value, str) and len(value) <= 20 else None
    if match:
        try:
            date = known[value] = datetime.date(int(match[3]), int(match[2]), int(match[1]))
        except ValueError as exc:
            raise TusFacturasError("invalid_response", field=field, row=row) from exc
        return date
    raise TusFacturasError("invalid_response", field=field, row=row)


def parse_ledger(results):
    """Turn the ``resultados`` list into :class:`LedgerRow` objects, in API order.

    Raises :class:`TusFacturasError` (``invalid_response``) naming the first
    missing or invalid field and its row; nothing else, whatever ``results`` holds.
    """
    try:
        return _parse_rows(results)
    except TusFacturasError:
        raise
    except Exception as exc:  # an answer nothing below foresaw: still one error type
        raise TusFacturasError("invalid_response", field="resultados", detail=type(exc).__name__) from exc


def _parse_rows(results):
    if not isinstance(results, list):
        raise TusFacturasError("invalid_response", field="resultados")
    rows, dates = [], {}
    for index, raw in enumerate(results, start=1):
        if not isinstance(raw, dict):
            raise TusFacturasError("invalid_response", field="resultados", row=index)
        for key in _REQUIRED:
            if raw.get(key) is None:
                raise TusFacturasError("invalid_response", field=key, row=index)
        concept = raw["concepto"]
        if not isinstance(concept, str):
            raise TusFacturasError("invalid_response", field="concepto", row=index)
        debit, credit, residual, balance = [_amount(raw[api], api, index) for api in _AMOUNT_KEYS]
        date = _date(raw["fecha"], index, dates)
        rows.append(LedgerRow(date, concept.strip(), debit, credit, residual, balance, parse_concept(concept)))
    return rows
