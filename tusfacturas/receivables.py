"""What Odoo's receivable entries that are not customer documents are, for an accountant.

A customer's receivable in Odoo moves with its invoices and credit notes, and with entries
TusFacturas cannot hold: withholdings suffered (IVA, Ganancias, IIBB, SUSS; TusFacturas'
``facturacion/pagar`` refuses them), third-party cheques (refused too), collections not
applied to any document (``facturacion/pagar`` needs one), exchange differences and
write-offs. The Odoo layer describes each such journal entry as a :class:`MoveFacts` (what
its other lines are, by account); :func:`classify` splits the customers' share of it into
:class:`OdooEntry` parts, one per category. Plain Python: no Odoo imports.
"""

from dataclasses import dataclass

COLLECTION = "collection"
THIRD_PARTY_CHECKS = "third_party_checks"
ADVANCE = "advance"
EXCHANGE = "exchange"
WRITEOFF = "writeoff"
WITHHOLDING_IVA = "withholding_iva"
WITHHOLDING_GANANCIAS = "withholding_ganancias"
WITHHOLDING_IIBB = "withholding_iibb"
WITHHOLDING_SUSS = "withholding_suss"
WITHHOLDING_OTHER = "withholding_other"
OPENING = "opening"
WITHHOLDINGS = (WITHHOLDING_IVA, WITHHOLDING_GANANCIAS, WITHHOLDING_IIBB, WITHHOLDING_SUSS, WITHHOLDING_OTHER)
CATEGORIES = (*WITHHOLDINGS, THIRD_PARTY_CHECKS, ADVANCE, EXCHANGE, WRITEOFF, COLLECTION, OPENING)

# What a counterpart line of an entry is (the Odoo layer tells it by its account).
LIQUIDITY = "liquidity"  # bank, cash, outstanding receipts: money (or a cheque) received
OTHER = "other"  # any other account: a write-off, an adjustment, another customer
HINTS = (LIQUIDITY, EXCHANGE, OTHER, *WITHHOLDINGS)

# Payment method codes of a third-party cheque received (l10n_latam_check).
THIRD_PARTY_CHECK_METHODS = frozenset({"new_third_party_checks", "in_third_party_checks"})


@dataclass(frozen=True, slots=True)
class OdooEntry:
    """Part of a journal entry on the customers' receivable that is not a customer document,
    in the company currency, signed as the receivable (a collection is negative).

    ``settles``: the customer documents this part was reconciled with, as
    ``((document id, amount in the company currency, amount in the document's currency), ...)``.
    """

    move_id: int
    date: object
    category: str
    amount: float
    settles: tuple = ()
    name: str | None = None


@dataclass(frozen=True, slots=True)
class MoveFacts:
    """One journal entry as far as :func:`classify` needs it.

    ``receivable``: the customers' receivable lines' balance, company currency; ``residual``:
    the part of it not reconciled yet. ``counterparts``: ``{hint: balance}`` of the entry's
    other lines (receivable lines of other customers included), by :data:`HINTS`.
    ``collection``: the entry records money received (a payment, a bank statement line), so
    what is not reconciled is a collection not applied yet; ``check``: received as a
    third-party cheque; ``opening``: the opening balance (see :func:`classify`);
    ``exchange``: the part of the receivable reconciled with exchange-difference entries
    (a foreign-currency document collected at another rate), signed as the receivable.
    """

    move_id: int
    date: object
    receivable: float
    residual: float = 0.0
    counterparts: dict | None = None
    collection: bool = False
    check: bool = False
    opening: bool = False
    settles: tuple = ()
    name: str | None = None
    exchange: float = 0.0


def classify(facts):
    """Split the customers' receivable of one entry into :class:`OdooEntry` parts.

    The receivable is shared among the categories of the entry's other lines, in proportion
    to them: a payment of 1,210 received as 1,150 in the bank and 60 of IIBB withheld is a
    collection of -1,150 and an IIBB withholding of -60. Money received as a third-party
    cheque is :data:`THIRD_PARTY_CHECKS`; the part of a collection not reconciled yet is an
    :data:`ADVANCE`; the part reconciled with an exchange difference is :data:`EXCHANGE`,
    so that a foreign-currency document collected at another rate is collected at its own
    value, the rest being the exchange difference (which Odoo's exchange entry cancels). An
    opening entry is :data:`OPENING` as a whole. The parts add up to the receivable; parts of
    zero (the tax-base pairs l10n_ar_withholding writes) are left out.
    """
    receivable = facts.receivable
    if facts.opening:
        return [OdooEntry(facts.move_id, facts.date, OPENING, receivable, facts.settles, facts.name)]
    counterparts = {hint: amount for hint, amount in (facts.counterparts or {}).items() if amount}
    weight = sum(counterparts.values())
    if not weight:  # no counterpart, or counterparts that cancel out: an adjustment
        counterparts, weight = {OTHER: 1.0}, 1.0
    parts = {}
    for hint, amount in counterparts.items():
        category = _category(hint, facts.check)
        parts[category] = parts.get(category, 0.0) + receivable * amount / weight
    unsettled = {}  # parts of a collection reconciled with no document
    money = THIRD_PARTY_CHECKS if facts.check else COLLECTION
    if facts.collection and money in parts:
        # A cheque stays a cheque, applied or not: TusFacturas holds none.
        unapplied = facts.residual if money == COLLECTION else 0.0
        for category, amount in ((ADVANCE, unapplied), (EXCHANGE, facts.exchange)):
            taken = _within(amount, parts[money])
            if taken:
                parts[money] -= taken
                unsettled[category] = unsettled.get(category, 0.0) + taken
    settled = sum(parts.values())
    entries = []
    for category in dict.fromkeys((*parts, *unsettled)):
        amount = parts.get(category, 0.0) + unsettled.get(category, 0.0)
        if abs(amount) < 1e-9:
            continue
        share = parts.get(category, 0.0) / settled if settled else 0.0
        settles = tuple((doc_id, company * share, currency * share) for doc_id, company, currency in facts.settles)
        entries.append(OdooEntry(facts.move_id, facts.date, category, amount, settles if share else (), facts.name))
    return entries


def _within(amount, limit):
    """``amount``, at most ``limit`` in size, if both have the same sign (else nothing)."""
    if not amount or (amount < 0) != (limit < 0):
        return 0.0
    return max(amount, limit) if limit < 0 else min(amount, limit)


def _category(hint, check):
    if hint == LIQUIDITY:
        return THIRD_PARTY_CHECKS if check else COLLECTION
    if hint == OTHER:
        return WRITEOFF
    return hint
