"""What an Odoo document needs to book a voucher TusFacturas issued (issue 21): its lines, their
VAT, the other taxes, and the amounts its total is made of. Plain Python.

:func:`plan_document` turns a :class:`.vouchers.Voucher` read with its detail
(``facturacion/consulta``) into a :class:`DocumentPlan`; the Odoo layer finds the company's
taxes for it (VAT by :attr:`PlanLine.vat`, the AFIP VAT code of Odoo's tax groups; the others
by :attr:`PlanTax.tribute`, the AFIP tribute code, and for IIBB by jurisdiction), creates the
draft and compares its amounts with :meth:`DocumentPlan.expected` before keeping it.

What the voucher's fields are taken to mean. The reference shows one detailed voucher, a NOTA DE
DEBITO B: one line of 100 at 21 %, a general ``bonificacion`` of 10, two IIBB perceptions of 10
and 20 on a base of 100, total 138,90 = (100 - 10) x 1,21 + 30. So:

- ``precio_unitario`` is before VAT, whatever the letter (B and C too), and ``precio_total``
  (``quantity x unit price - bonificacion``) is the line's net before VAT;
- a line's ``bonificacion`` is an amount off the line, ``bonificacion_porcentaje`` a percentage
  (it is the one used when given);
- the voucher's ``bonificacion`` is an amount off the net before VAT: it is shared among the VAT
  rates in proportion to their nets, one negative line per rate;
- ``exentos`` and ``nogravados`` are the amounts of the lines at ``alicuota`` -1 and -2; what they
  exceed those lines by is a line of its own, exempt or not taxed;
- ``tributos`` are the other taxes, each with its AFIP ``tipo`` (6 IVA perception, 7 IIBB
  perception, 8 municipal, 9 other perceptions, 4 internal taxes, 1 national, 99 other), base,
  rate and amount. One applies to the lines whose nets add up to its base: the voucher's own
  lines (before the general discount), every line, or the taxed ones; to the voucher's lines when
  none does. ``percepciones_iibb``, ``percepciones_iva`` and ``impuestos_internos`` beyond what
  ``tributos`` itemise become one tax of that kind on the taxed lines (internal taxes: on the
  lines with an internal tax rate), at the rate that gives their amount;
- ``total`` is what all this adds up to; :meth:`DocumentPlan.expected` says what each part comes
  to from TusFacturas' figures (VAT: each rate's net times the rate, as the API gives no VAT
  amounts).
"""

import math
from dataclasses import dataclass

from .concept import _normalize
from .vouchers import VAT_EXEMPT, VAT_NOT_TAXED

# The API's alicuota -> the AFIP VAT code Odoo's tax groups carry (l10n_ar_vat_afip_code).
VAT_CODES = {0.0: "3", 10.5: "4", 21.0: "5", 27.0: "6", 5.0: "8", 2.5: "9", VAT_EXEMPT: "2", VAT_NOT_TAXED: "1"}
EXEMPT = "2"
NOT_TAXED = "1"
# AFIP VAT code -> its rate in percent (exempt and not taxed: none).
VAT_RATES = {code: rate for rate, code in VAT_CODES.items() if rate >= 0}
# AFIP tribute codes (l10n_ar_tribute_afip_code) of what the voucher's totals name apart.
IIBB_PERCEPTION = "07"
VAT_PERCEPTION = "06"
INTERNAL_TAXES = "04"

# Line kinds: the voucher's own lines, and those this plan adds.
PRODUCT = "product"
DISCOUNT = "discount"  # the voucher's general bonificación, per VAT rate
EXEMPT_REST = "exempt"  # exentos beyond the exempt lines
NOT_TAXED_REST = "not_taxed"  # nogravados beyond the not taxed lines

# The "Provincias" table of the reference: its code -> the province.
PROVINCES = {
    1: "CIUDAD AUTONOMA DE BUENOS AIRES", 2: "BUENOS AIRES", 3: "CATAMARCA", 4: "CHACO", 5: "CHUBUT",
    6: "CORDOBA", 7: "CORRIENTES", 8: "ENTRE RIOS", 9: "FORMOSA", 10: "JUJUY", 11: "LA PAMPA", 12: "LA RIOJA",
    13: "MENDOZA", 14: "MISIONES", 15: "NEUQUEN", 16: "RIO NEGRO", 17: "SALTA", 18: "SAN JUAN", 19: "SAN LUIS",
    20: "SANTA CRUZ", 21: "SANTA FE", 22: "SANTIAGO DEL ESTERO", 23: "TIERRA DEL FUEGO", 24: "TUCUMAN",
}  # fmt: skip
# A province -> the suffix of l10n_ar's IIBB perception tax group (tax_group_percepcion_iibb_<suffix>)
# and the ISO 3166-2:AR code of its state (res.country.state's code).
JURISDICTIONS = {
    "CIUDAD AUTONOMA DE BUENOS AIRES": ("caba", "C"), "BUENOS AIRES": ("ba", "B"), "CATAMARCA": ("ca", "K"),
    "CHACO": ("ha", "H"), "CHUBUT": ("ct", "U"), "CORDOBA": ("co", "X"), "CORRIENTES": ("rr", "W"),
    "ENTRE RIOS": ("er", "E"), "FORMOSA": ("fo", "P"), "JUJUY": ("ju", "Y"), "LA PAMPA": ("lp", "L"),
    "LA RIOJA": ("lr", "F"), "MENDOZA": ("za", "M"), "MISIONES": ("mi", "N"), "NEUQUEN": ("ne", "Q"),
    "RIO NEGRO": ("rn", "R"), "SALTA": ("sa", "A"), "SAN JUAN": ("nn", "J"), "SAN LUIS": ("sl", "D"),
    "SANTA CRUZ": ("az", "Z"), "SANTA FE": ("sf", "S"), "SANTIAGO DEL ESTERO": ("se", "G"),
    "TIERRA DEL FUEGO": ("tf", "V"), "TUCUMAN": ("tn", "T"),
}  # fmt: skip
# Other names a regimen_descripcion may give a province (its revenue agency, its short name).
_ALIASES = {
    "CABA": "CIUDAD AUTONOMA DE BUENOS AIRES", "CAPITAL FEDERAL": "CIUDAD AUTONOMA DE BUENOS AIRES",
    "CIUDAD DE BUENOS AIRES": "CIUDAD AUTONOMA DE BUENOS AIRES", "AGIP": "CIUDAD AUTONOMA DE BUENOS AIRES",
    "ARBA": "BUENOS AIRES", "PROVINCIA DE BUENOS AIRES": "BUENOS AIRES",
    "TIERRA DEL FUEGO, ANTARTIDA E ISLAS DEL ATLANTICO SUR": "TIERRA DEL FUEGO",
}  # fmt: skip

CENT = 0.005  # half a cent: two amounts closer than this are equal once rounded


def round_amount(amount):
    """``amount`` rounded half away from zero to cents, as AFIP and Odoo round them."""
    return math.copysign(math.floor(abs(amount) * 100 + 0.5 + 1e-9) / 100, amount)


def province_of(description, code=None):
    """The province (a key of :data:`JURISDICTIONS`) a ``regimen_descripcion`` names, else the one
    of ``code`` in the reference's "Provincias" table, else None."""
    name = _normalize(description or "")
    name = _ALIASES.get(name, name)
    if name.startswith("PROVINCIA DE "):
        name = name[len("PROVINCIA DE ") :]
    if name in JURISDICTIONS:
        return name
    return PROVINCES.get(code) if not name else None


@dataclass(frozen=True, slots=True)
class PlanLine:
    """One line of the Odoo document: ``vat`` its AFIP VAT code, ``taxes`` the indexes in
    :attr:`DocumentPlan.taxes` of the other taxes applied to it, ``net`` what it comes to before
    taxes by TusFacturas' figures, ``kind`` one of :data:`PRODUCT`, :data:`DISCOUNT`,
    :data:`EXEMPT_REST`, :data:`NOT_TAXED_REST`."""

    kind: str
    description: str
    quantity: float
    unit_price: float
    discount: float  # percent
    vat: str
    net: float
    taxes: tuple = ()
    code: str | None = None


@dataclass(frozen=True, slots=True)
class PlanTax:
    """A tax besides VAT: ``tribute`` its AFIP tribute code (``"07"``), ``province`` for a
    perception of IIBB (a key of :data:`JURISDICTIONS`, None when the voucher does not say),
    ``rate`` in percent, ``base`` and ``amount`` as TusFacturas gave them."""

    tribute: str
    description: str
    province: str | None
    rate: float
    base: float | None
    amount: float

    @property
    def iibb_group(self):
        """The suffix of l10n_ar's IIBB perception tax group of its province, or None."""
        return JURISDICTIONS[self.province][0] if self.province else None


@dataclass(frozen=True, slots=True)
class DocumentPlan:
    """The lines and taxes of the Odoo document for one voucher, and its ``total``."""

    lines: tuple
    taxes: tuple
    total: float
    exempt: float
    not_taxed: float

    def vat_codes(self):
        return sorted({line.vat for line in self.lines})

    def expected(self):
        """What each part of the total comes to by TusFacturas' figures: ``{"total": ...,
        ("net", code): taxed net of a VAT rate, ("vat", code): its VAT, "exempt": ...,
        "not_taxed": ..., ("tax", index): the amount of :attr:`taxes` [index]}``, in cents."""
        amounts = {"total": round_amount(self.total)}
        for code in self.vat_codes():
            net = round_amount(sum(line.net for line in self.lines if line.vat == code))
            if code in VAT_RATES:
                amounts["net", code] = net
                amounts["vat", code] = round_amount(net * VAT_RATES[code] / 100)
        amounts["exempt"] = round_amount(self.exempt)
        amounts["not_taxed"] = round_amount(self.not_taxed)
        for index, tax in enumerate(self.taxes):
            amounts["tax", index] = round_amount(tax.amount)
        return amounts


def _line_net(line):
    if line.total is not None:
        return line.total
    return line.quantity * line.unit_price - line.discount


def _discount_percent(line, net):
    """The percentage off the line Odoo takes (``discount``), from TusFacturas' figures."""
    if line.discount_percent:
        return line.discount_percent
    gross = line.quantity * line.unit_price
    if not line.discount or not gross:
        return 0.0
    percent = line.discount / gross * 100
    rounded = round(percent, 2)  # Odoo keeps two decimals of a discount
    return rounded if abs(gross * (1 - rounded / 100) - net) < CENT else percent


def _product_line(line):
    net = _line_net(line)
    discount = _discount_percent(line, net)
    quantity, unit_price = line.quantity, line.unit_price
    # Odoo keeps two decimals of a discount: an amount off that no such percentage gives is folded
    # into the unit price of a single unit.
    if discount and quantity == 1 and abs(unit_price * (1 - round(discount, 2) / 100) - net) >= CENT:
        unit_price, discount = net, 0.0
    return PlanLine(
        PRODUCT, line.description, quantity, unit_price, discount, VAT_CODES[line.vat_rate], net, code=line.code
    )


def _discount_lines(lines, discount):
    """The voucher's general discount, one negative line per VAT rate, in proportion to its net."""
    nets = {}
    for line in lines:
        nets[line.vat] = nets.get(line.vat, 0.0) + line.net
    nets = {code: net for code, net in sorted(nets.items()) if net > 0}
    whole = sum(nets.values())
    if not discount or not whole:
        return []
    result, left = [], round_amount(discount)
    for position, (code, net) in enumerate(nets.items(), start=1):
        share = left if position == len(nets) else round_amount(discount * net / whole)
        left = round_amount(left - share)
        result.append(PlanLine(DISCOUNT, "", 1.0, -share, 0.0, code, -share))
    return result


def _rest_line(kind, code, amount, lines):
    """A line for what ``exentos`` or ``nogravados`` (``amount``) exceed the lines at ``code`` by."""
    rest = round_amount(amount - sum(line.net for line in lines if line.vat == code))
    if rest < CENT:
        return []
    return [PlanLine(kind, "", 1.0, rest, 0.0, code, rest)]


def _applies_to(base, lines):
    """The indexes of the lines a tax of ``base`` applies to (see the module's docstring)."""
    products = [i for i, line in enumerate(lines) if line.kind == PRODUCT]
    taxed = [i for i, line in enumerate(lines) if line.vat not in (EXEMPT, NOT_TAXED)]
    candidates = [products, list(range(len(lines))), taxed]
    if base is not None:
        for indexes in candidates:
            if indexes and abs(sum(lines[i].net for i in indexes) - base) < CENT:
                return indexes
    return products or taxed


def _rate(amount, base):
    return round(amount / base * 100, 4) if base else 0.0


def _itemised_taxes(voucher):
    taxes = []
    for tax in voucher.taxes:
        tribute = f"{tax.type:02d}"
        province = province_of(tax.regime_description, tax.regime) if tribute == IIBB_PERCEPTION else None
        rate = tax.rate if tax.rate is not None else _rate(tax.amount, tax.base)
        description = " ".join(filter(None, (tax.description, tax.regime_description)))
        taxes.append(PlanTax(tribute, description, province, rate, tax.base, tax.amount))
    return taxes


def plan_document(voucher):
    """The :class:`DocumentPlan` of ``voucher`` (read with its detail: ``facturacion/consulta``)."""
    if voucher.detail is None:
        raise ValueError("the voucher was read without its detail")
    lines = [_product_line(line) for line in voucher.lines]
    lines += _discount_lines(lines, voucher.discount)
    lines += _rest_line(EXEMPT_REST, EXEMPT, voucher.exempt, lines)
    lines += _rest_line(NOT_TAXED_REST, NOT_TAXED, voucher.untaxed, lines)
    taxes = _itemised_taxes(voucher)
    applied = [_applies_to(tax.base, lines) for tax in taxes]
    taxed = [i for i, line in enumerate(lines) if line.vat not in (EXEMPT, NOT_TAXED)]
    # The voucher's lines come first in ``lines``: the same indexes.
    internal = [i for i, line in enumerate(voucher.lines) if line.internal_tax_rate]
    internal_rates = {voucher.lines[i].internal_tax_rate for i in internal}
    for tribute, total, indexes, rates in [
        (IIBB_PERCEPTION, voucher.perceptions_iibb, taxed, ()),
        (VAT_PERCEPTION, voucher.perceptions_iva, taxed, ()),
        (INTERNAL_TAXES, voucher.internal_taxes, internal or taxed, internal_rates),
    ]:
        rest = round_amount(total - sum(tax.amount for tax in taxes if tax.tribute == tribute))
        if rest < CENT or not indexes:
            continue
        base = round_amount(sum(lines[i].net for i in indexes))
        rate = next(iter(rates)) if len(rates) == 1 else _rate(rest, base)
        taxes.append(PlanTax(tribute, "", None, rate, base, rest))
        applied.append(indexes)
    by_line = [tuple(t for t, indexes in enumerate(applied) if i in indexes) for i in range(len(lines))]
    lines = [
        PlanLine(line.kind, line.description, line.quantity, line.unit_price, line.discount, line.vat, line.net,
                 by_line[i], line.code)
        for i, line in enumerate(lines)
    ]  # fmt: skip
    exempt = max(voucher.exempt, sum(line.net for line in lines if line.vat == EXEMPT))
    not_taxed = max(voucher.untaxed, sum(line.net for line in lines if line.vat == NOT_TAXED))
    return DocumentPlan(tuple(lines), tuple(taxes), voucher.total, exempt, not_taxed)
