"""Parse the ``concepto`` of a current-account row into an AFIP document reference.

TusFacturas writes documents as ``"<TYPE> <LETTER> <POS>-<NUMBER> (<customer name>)"``,
e.g. ``"FACTURA A 0002-00000001 (CUIT DE PRUEBA)"`` or
``"NOTA DE CREDITO ELECTRONICA MiPyME (FCE) B 0003-00000042"``; the type names are
those of the reference's "Tipos de comprobantes" table. The reference is found anywhere
in the concept (text before it, "N°" before the number, a customer name truncated or in
doubled parentheses after it, "MiPyMEs"), and what surrounds it says what the row is:

- the document itself (:data:`DOCUMENT`), whatever else the text says, unless
- explicit words make it a movement about that document (:data:`MOVEMENT`: "PAGO",
  "COBRANZA", "RECIBO", ... outside the customer's name), or
- "ANULADA"/"ANULADO" marks it annulled (:data:`ANNULLED`).

A concept whose document type or letter is not understood but that names a number
``PPPP-NNNNNNNN`` is :data:`UNRECOGNIZED` (matching links it to the Odoo document with that
number, if there is one); a receipt (RECIBO) of a letter AFIP does not number is a
movement. Anything else (payments without a number, adjustments) is not a document and is
left as text.
"""

import re
import unicodedata
from dataclasses import dataclass

# Type names as TusFacturas prints them (upper case, no accents), by AFIP code per letter.
AFIP_CODES = {
    "FACTURA": {"A": "1", "B": "6", "C": "11", "E": "19", "M": "51"},
    "NOTA DE DEBITO": {"A": "2", "B": "7", "C": "12", "E": "20", "M": "52"},
    "NOTA DE CREDITO": {"A": "3", "B": "8", "C": "13", "E": "21", "M": "53"},
    "RECIBO": {"A": "4", "B": "9", "C": "15", "M": "54"},
    "FACTURA DE CREDITO ELECTRONICA MIPYME (FCE)": {"A": "201", "B": "206", "C": "211"},
    "NOTA DE DEBITO ELECTRONICA MIPYME (FCE)": {"A": "202", "B": "207", "C": "212"},
    "NOTA DE CREDITO ELECTRONICA MIPYME (FCE)": {"A": "203", "B": "208", "C": "213"},
}
# Documents TusFacturas issues outside AFIP: real documents, but with no AFIP code.
NOT_AFIP_TYPES = {"FACTURA NO VALIDA EN AFIP", "NOTA DE CREDITO NO VALIDA EN AFIP"}
RECEIPT = "RECIBO"
RECEIPT_CODES = frozenset(AFIP_CODES[RECEIPT].values())

# What a reference is, by what surrounds it.
DOCUMENT = "document"
MOVEMENT = "movement"
ANNULLED = "annulled"
UNRECOGNIZED = "unrecognized"

_REFERENCE = re.compile(
    r"""(?<![A-Z])(?P<type>
          (?P<fce>(?:FACTURA\ DE\ CREDITO|NOTA\ DE\ DEBITO|NOTA\ DE\ CREDITO)\ ELECTRONICA
                  (?:\ ?MI\ ?PYMES?)?(?:\ ?\(+\ ?FCE\ ?\)+|\ FCE)?)
         |(?P<not_afip>(?:FACTURA|NOTA\ DE\ CREDITO)\ NO\ VALIDA\ EN\ AFIP)
         |FACTURA|NOTA\ DE\ DEBITO|NOTA\ DE\ CREDITO|RECIBO)
        (?:\ (?P<letter>[A-Z])(?![A-Z]))?                 # letter, absent on some non-AFIP types
        \ ?(?:N\ ?[°O]\.?|NRO\.?|NUMERO)?\ ?              # "N°" (NFKD makes "Nº" "NO")
        (?P<pos>\d{1,5})\ ?-\ ?(?P<number>\d{1,8})(?!\d)  # 0002-00000001 or 00002-00000001""",
    re.VERBOSE,
)
# A bare number, as TusFacturas pads it: what a concept that is not understood may name.
_NUMBER = re.compile(r"(?<!\d)(?P<pos>\d{1,5}) ?- ?(?P<number>\d{8})(?!\d)")
_WORDS = re.compile(r"[A-Z]+")
_ANNULLED_WORDS = frozenset({"ANULADA", "ANULADO", "ANULADAS", "ANULADOS", "ANULACION"})
# Words that make a row a movement about the document it names, not the document.
MOVEMENT_WORDS = frozenset((
    "PAGO", "PAGOS", "PAGADO", "PAGADA", "ABONO", "COBRO", "COBROS", "COBRADO", "COBRADA", "COBRANZA", "COBRANZAS",
    "RECIBO", "RECIBOS", "CANCELA", "CANCELACION", "CANCELADO", "CANCELADA", "APLICA", "APLICACION", "IMPUTA",
    "IMPUTACION", "RETENCION", "RETENCIONES", "AJUSTE", "AJUSTES", "DESCUENTO", "BONIFICACION", "ANTICIPO", "SALDO",
    "SALDOS", "DIFERENCIA", "INTERES", "INTERESES", "RECARGO", "DEVOLUCION", "REINTEGRO", "TRANSFERENCIA", "DEPOSITO",
    "CHEQUE", "CHEQUES", "EFECTIVO", "ACREDITACION", "COMPENSACION",
))  # fmt: skip


@dataclass(frozen=True, slots=True)
class DocumentRef:
    """A document named in a concept. ``afip_code`` is None for non-AFIP documents and for
    references whose type is not understood (``kind`` :data:`UNRECOGNIZED`, ``doc_type`` "")."""

    doc_type: str
    letter: str
    point_of_sale: int
    number: int
    afip_code: str | None
    kind: str = DOCUMENT

    @property
    def key(self):
        """What identifies the document in Odoo: AFIP code, point of sale, number."""
        return (self.afip_code, self.point_of_sale, self.number)

    @property
    def annulled(self):
        return self.kind == ANNULLED

    @property
    def is_receipt(self):
        return self.afip_code in RECEIPT_CODES


def _normalize(text):
    if not text.isascii():  # accents, as in "NOTA DE CRÉDITO": dropped
        text = unicodedata.normalize("NFKD", text)
        text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(text.upper().split())


def _without_name(text):
    """``text`` (what follows a document's number) without the customer name the API prints
    right after it: one parenthesised group, nested or doubled, or cut before its end. A
    group that only says "ANULADA" is not a name: it stays."""
    text = text.lstrip()
    if not text.startswith("("):
        return text
    close = text.find(")")
    if close > 0 and text.find("(", 1, close) < 0:  # the usual name, not nested: no walk
        name, rest = text[: close + 1], text[close + 1 :]
        return text if name.strip("() ") in _ANNULLED_WORDS else rest
    depth = 0
    for position, char in enumerate(text):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth <= 0:
            name, rest = text[: position + 1], text[position + 1 :]
            return text if name.strip("() ") in _ANNULLED_WORDS else rest
    return ""  # truncated name


def _kind(*texts, default=DOCUMENT):
    """What the words around a reference (its name aside) make of the row."""
    words = set()
    for text in texts:
        words.update(_WORDS.findall(text))
    if words & _ANNULLED_WORDS:
        return ANNULLED
    if words & MOVEMENT_WORDS:
        return MOVEMENT
    return default


def _canonical_type(match):
    """The type's name as :data:`AFIP_CODES` spells it ("MiPyMEs", "(FCE)" left out...)."""
    if match["fce"]:
        return match["fce"].split(" ELECTRONICA", 1)[0] + " ELECTRONICA MIPYME (FCE)"
    return match["type"]


def parse_concept(concept):
    """Return the :class:`DocumentRef` of ``concept``, or None if it names no document number."""
    text = _normalize(concept or "")
    match = _REFERENCE.search(text)
    if not match:
        number = _NUMBER.search(text)
        if not number:
            return None
        kind = _kind(text[: number.start()], _without_name(text[number.end() :]), default=UNRECOGNIZED)
        kind = UNRECOGNIZED if kind == DOCUMENT else kind
        return DocumentRef("", "", int(number["pos"]), int(number["number"]), None, kind)
    doc_type, letter = _canonical_type(match), match["letter"] or ""
    pos, number = int(match["pos"]), int(match["number"])
    kind = _kind(text[: match.start()], _without_name(text[match.end() :]))
    if doc_type in NOT_AFIP_TYPES:
        return DocumentRef(doc_type, letter, pos, number, None, kind)
    code = AFIP_CODES[doc_type].get(letter)
    if code:
        return DocumentRef(doc_type, letter, pos, number, code, kind)
    if doc_type == RECEIPT:  # a receipt AFIP does not number ("RECIBO X"): a collection
        return DocumentRef(doc_type, letter, pos, number, None, MOVEMENT if kind == DOCUMENT else kind)
    # A type or letter not understood ("FACTURA Z"): its number may still be Odoo's.
    return DocumentRef("", "", pos, number, None, UNRECOGNIZED if kind == DOCUMENT else kind)
