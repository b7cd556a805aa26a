"""Parse the ``concepto`` of a current-account row into an AFIP document reference.

TusFacturas writes documents as ``"<TYPE> <LETTER> <POS>-<NUMBER> (<customer name>)"``,
e.g. ``"FACTURA A 0002-00000001 (CUIT DE PRUEBA)"`` or
``"NOTA DE CREDITO ELECTRONICA MiPyME (FCE) B 0003-00000042"``; the type names are
those of the reference's "Tipos de comprobantes" table. After the number only the
parenthesised name is accepted: a concept that merely *starts* with a document
reference ("FACTURA A 0001-00000001 - PAGO") is a movement about that document, not
the document. "ANULADA"/"ANULADO" after the number marks an annulled document.
Anything else (payments, adjustments) is not a document and is left as text.
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

_CONCEPT = re.compile(
    r"""^\s*(?P<type>[A-Z][A-Z ()]*?)          # document type, e.g. NOTA DE CREDITO
        (?:\s+(?P<letter>[A-Z]))?              # letter, absent on some non-AFIP types
        \s+(?P<pos>\d{1,5})\s*-\s*(?P<number>\d{1,8})  # 0002-00000001 or 00002-00000001
        (?P<rest>(?:\s|\().*)?$                # what follows: see _tail""",
    re.VERBOSE,
)
_ANNULLED = re.compile(r"^(?:\(.*\)\s*)?[-:]?\s*\(?ANULAD[AO]\)?$")


@dataclass(frozen=True, slots=True)
class DocumentRef:
    """A document named in a concept. ``afip_code`` is None for non-AFIP documents."""

    doc_type: str
    letter: str
    point_of_sale: int
    number: int
    afip_code: str | None
    annulled: bool = False

    @property
    def key(self):
        """What identifies the document in Odoo: AFIP code, point of sale, number."""
        return (self.afip_code, self.point_of_sale, self.number)


def _normalize(text):
    if not text.isascii():  # accents, as in "NOTA DE CRÉDITO": dropped
        text = unicodedata.normalize("NFKD", text)
        text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(text.upper().split())


def _is_name(text):
    """Whether ``text`` is one parenthesised group, as the API prints the customer name:
    ``(ACME (AR) SA)`` is, ``(ACME) - (PAGO)`` is not."""
    depth = 0
    for position, char in enumerate(text):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth <= 0:
            return position == len(text) - 1 and char == ")" and text[0] == "("
    return False


def parse_concept(concept):
    """Return the :class:`DocumentRef` of ``concept``, or None if it names no known document."""
    match = _CONCEPT.match(_normalize(concept or ""))
    if not match:
        return None
    rest = (match["rest"] or "").strip()
    annulled = bool(_ANNULLED.match(rest))
    if rest and not annulled and not _is_name(rest):
        return None
    doc_type, letter = match["type"].strip(), match["letter"] or ""
    if doc_type in NOT_AFIP_TYPES:
        code = None
    elif doc_type in AFIP_CODES and letter in AFIP_CODES[doc_type]:
        code = AFIP_CODES[doc_type][letter]
    else:
        return None
    return DocumentRef(doc_type, letter, int(match["pos"]), int(match["number"]), code, annulled)
