"""Validate and convert the ``resultados`` of ``clientes/cuenta-corriente``."""

import datetime
import re
from dataclasses import dataclass

from .client import TusFacturasError
from .concept import DocumentRef, parse_concept

_NUMBER = re.compile(r"^-?\d+(?:[.,]\d+)?$")
AMOUNT_FIELDS = (
    ("debit", "debe"),
    ("credit", "haber"),
    ("residual", "resta_abonar_de_este_comprobante"),
    ("balance", "saldo"),
)


@dataclass(frozen=True)
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
    if isinstance(value, bool):
        raise TusFacturasError("invalid_response", field=field, row=row)
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str) and _NUMBER.match(value.strip()):
        return float(value.strip().replace(",", "."))
    raise TusFacturasError("invalid_response", field=field, row=row)


def _date(value, row):
    try:
        return datetime.datetime.strptime(str(value).strip(), "%d/%m/%Y").date()
    except ValueError as exc:
        raise TusFacturasError("invalid_response", field="fecha", row=row) from exc


def parse_ledger(results):
    """Turn the ``resultados`` list into :class:`LedgerRow` objects, in API order.

    Raises :class:`TusFacturasError` (``invalid_response``) naming the first
    missing or invalid field and its row.
    """
    if not isinstance(results, list):
        raise TusFacturasError("invalid_response", field="resultados")
    rows = []
    for index, raw in enumerate(results, start=1):
        if not isinstance(raw, dict):
            raise TusFacturasError("invalid_response", field="resultados", row=index)
        for key in ("fecha", "concepto", *tuple(api for _name, api in AMOUNT_FIELDS)):
            if raw.get(key) is None:
                raise TusFacturasError("invalid_response", field=key, row=index)
        concept = raw["concepto"]
        if not isinstance(concept, str):
            raise TusFacturasError("invalid_response", field="concepto", row=index)
        amounts = {name: _amount(raw[api], api, index) for name, api in AMOUNT_FIELDS}
        rows.append(
            LedgerRow(
                date=_date(raw["fecha"], index),
                concept=concept.strip(),
                document=parse_concept(concept),
                **amounts,
            )
        )
    return rows
