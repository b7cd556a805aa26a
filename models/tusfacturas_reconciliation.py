import math
from collections import defaultdict
from dataclasses import dataclass, field

from odoo import api, models
from odoo.tools import SQL, float_compare, float_is_zero, float_round, split_every

from ..tusfacturas import TusFacturasError
from ..tusfacturas.batch import fetching_ledgers
from ..tusfacturas.matching import Comparison, OdooDocument, Totals, match_ledger, problem_states

# The stored columns of account.move that matching needs, in _odoo_documents' order.
DOCUMENT_COLUMNS = (
    "id", "commercial_partner_id", "currency_id", "l10n_latam_document_type_id", "name", "journal_id", "move_type",
    "amount_total", "amount_residual", "amount_total_signed", "invoice_currency_rate", "invoice_date", "date",
)  # fmt: skip
# A batch's results are compared and stored by groups of whole rounds of calls, at least
# this many customers each: a group's database work runs while the next calls are in
# flight, and costs the same few queries whatever the number of customers in it (more
# customers per group: fewer queries, more work left after the batch's last call).
MIN_GROUP = 16


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


def group_size(concurrency):
    """Customers per group of results at ``concurrency`` parallel calls: whole rounds of
    calls, at least :data:`MIN_GROUP`."""
    concurrency = max(1, concurrency or 1)
    return concurrency * -(-MIN_GROUP // concurrency)


@dataclass
class Reconciliation:
    """One customer's comparison: the matches, and per currency the totals already
    rounded (``totals``: currency record -> :class:`~..tusfacturas.matching.Totals`).
    The balance fields are those of the company currency."""

    comparison: Comparison
    totals: dict
    currency: object  # the company currency record
    is_ok: bool

    @property
    def matches(self):
        return self.comparison.matches

    @property
    def counts(self):
        return self.comparison.counts()

    def _company_totals(self):
        return self.totals.get(self.currency) or Totals(self.currency.id)

    @property
    def tusfacturas_balance(self):
        return self._company_totals().tusfacturas

    @property
    def odoo_balance(self):
        return self._company_totals().odoo

    @property
    def odoo_other_balance(self):
        return self._company_totals().other

    @property
    def difference(self):
        return self.currency.round(self._company_totals().difference)


@dataclass
class BatchResult:
    """What a batch did: partner id -> Reconciliation or error message, and whether the
    company's credentials were refused or its batch stopped early (the run must stop for
    that company), and why."""

    results: dict = field(default_factory=dict)
    account: object = None  # the tusfacturas.account called
    credentials_refused: bool = False
    # Why the batch stopped before calling every customer (translated), if it did.
    stop_reason: str | None = None


class TusFacturasReconciliation(models.AbstractModel):
    """Matches TusFacturas current accounts to Odoo's books, for one customer (the
    ledger window) or a batch of them (list action, scheduled action)."""

    _name = "tusfacturas.reconciliation"
    _description = "TusFacturas check"

    # ------------------------------------------------------------------
    # Odoo's side, one query per batch
    # ------------------------------------------------------------------

    @api.model
    def _receivable_domain(self, partners, company):
        return [
            ("partner_id.commercial_partner_id", "in", tuple(partners.ids)),
            ("company_id", "=", company.id),
            ("account_type", "=", "asset_receivable"),
            ("parent_state", "=", "posted"),
        ]

    @api.model
    def _odoo_documents(self, partners, company):
        """Posted customer invoices and credit notes of ``partners`` in ``company``:
        ``{commercial partner id: [OdooDocument, ...]}``. A foreign-currency document's
        company amounts are at its own rate (``invoice_currency_rate``), never today's.

        One SQL read of the stored columns (access rules applied as by ``search``), plus
        the few AFIP document types named: no records built, whatever the number of documents.
        """
        Move = self.env["account.move"]
        # Through ``partner_id``, which has an index (``commercial_partner_id`` has none): the
        # customers' contacts, archived ones and other companies' included, whose documents
        # count as theirs (the documents' own access rules apply below).
        contacts = (
            self.env["res.partner"]
            .sudo()
            .with_context(active_test=False)
            ._search([("commercial_partner_id", "in", partners.ids)])
        )
        query = Move._search(
            [
                ("partner_id", "in", contacts),
                ("commercial_partner_id", "in", partners.ids),
                ("company_id", "=", company.id),
                ("move_type", "in", ("out_invoice", "out_refund")),
                ("state", "=", "posted"),
            ],
            order="invoice_date, id",
        )
        Move.flush_model(DOCUMENT_COLUMNS)
        self.env.cr.execute(query.select(*(SQL.identifier(Move._table, name) for name in DOCUMENT_COLUMNS)))
        rows = self.env.cr.fetchall()
        type_ids = {row[3] for row in rows} - {None}
        types = {t.id: (t.code, t.doc_code_prefix) for t in self.env["l10n_latam.document.type"].browse(type_ids)}
        journals = set(company._tusfacturas_scope_journals().ids)
        number_parts = self.env["account.move"]._l10n_ar_get_document_number_parts
        currency = company.currency_id
        round_company = currency_rounder(currency.rounding)
        documents = {partner.id: [] for partner in partners}
        for (move_id, partner_id, currency_id, type_id, name, journal_id, move_type, total, residual,
             total_signed, rate, invoice_date, date) in rows:  # fmt: skip
            foreign = currency_id != currency.id
            rate = rate if foreign and rate else 1.0
            documents[partner_id].append(
                OdooDocument(
                    id=move_id,
                    key=document_key(number_parts, *types.get(type_id, (None, None)), name),
                    date=invoice_date or date,
                    currency_id=currency_id,
                    sign=-1 if move_type == "out_refund" else 1,
                    total=total or 0.0,
                    residual=residual or 0.0,
                    total_company=abs(total_signed or 0.0),
                    residual_company=round_company((residual or 0.0) / rate) if foreign else residual or 0.0,
                    foreign_currency=foreign,
                    in_scope=journal_id in journals,
                    name=name,
                    partner_id=partner_id,
                    document_type_id=type_id,
                )
            )
        return documents

    @api.model
    def _odoo_other_entries(self, partners, company, until=None):
        """Odoo's receivable items that are not customer documents (payments, withholdings,
        journal entries) of ``partners``, per currency, in one query:
        ``{commercial partner id: {currency id: amount in that currency}}``."""
        domain = [
            *self._receivable_domain(partners, company),
            ("move_id.move_type", "not in", ("out_invoice", "out_refund")),
        ]
        since = company.tusfacturas_compare_from
        if since:
            domain.append(("date", ">=", since))
        if until:
            domain.append(("date", "<=", until))
        groups = self.env["account.move.line"]._read_group(
            domain, groupby=["partner_id", "currency_id"], aggregates=["balance:sum", "amount_currency:sum"]
        )
        entries = {partner.id: defaultdict(float) for partner in partners}
        for partner, currency, balance, amount_currency in groups:
            in_company = not currency or currency == company.currency_id
            bucket = company.currency_id if in_company else currency
            entries[partner.commercial_partner_id.id][bucket.id] += balance if in_company else amount_currency
        return entries

    @api.model
    def _compare(self, company, rows, documents, other, until=None):
        """Compare ``rows`` (TusFacturas) with ``documents`` and ``other`` entries (Odoo)
        in ``company``'s scope and mode; round the totals per currency."""
        currency = company.currency_id
        rounding = currency.rounding
        comparison = match_ledger(
            rows, documents, lambda a, b: a == b or float_compare(a, b, precision_rounding=rounding) == 0,
            company_currency_id=currency.id, mode=company.tusfacturas_compare_mode,
            since=company.tusfacturas_compare_from or None, until=until, other=other,
        )  # fmt: skip
        currencies = self.env["res.currency"].browse(comparison.totals)
        totals = {}
        for record in currencies:
            raw = comparison.totals[record.id]
            totals[record] = Totals(
                record.id, record.round(raw.tusfacturas), record.round(raw.odoo), record.round(raw.other)
            )
        problems = problem_states(comparison.mode)
        is_ok = all(cur.is_zero(t.difference) for cur, t in totals.items()) and not any(
            match.state in problems for match in comparison.matches
        )
        return Reconciliation(comparison, totals, currency, is_ok)

    @api.model
    def _odoo_books(self, partners, company, until=None):
        """Odoo's side of ``partners`` (commercial) in ``company``, as :meth:`_compare_groups`
        takes it: their documents and their other receivable entries, one query each."""
        return self._odoo_documents(partners, company), self._odoo_other_entries(partners, company, until=until)

    @api.model
    def _compare_groups(self, company, groups, fetched, until=None, books=None):
        """``{cuit: commercial partners}`` and ``{cuit: rows}`` -> ``{cuit: Reconciliation}``,
        each CUIT matched against the union of its partners' documents, in one query per batch
        (none if ``books``, :meth:`_odoo_books` of these partners or more, is given)."""
        if books is None:
            partners = self.env["res.partner"].union(*(groups[cuit] for cuit in fetched))
            books = self._odoo_books(partners, company, until=until)
        documents, other = books
        results = {}
        for cuit, rows in fetched.items():
            group_documents, group_other = [], defaultdict(float)
            for partner in groups[cuit]:
                group_documents += documents[partner.id]
                for currency_id, amount in other[partner.id].items():
                    group_other[currency_id] += amount
            results[cuit] = self._compare(company, rows, group_documents, group_other, until=until)
        return results

    # ------------------------------------------------------------------
    # Batches
    # ------------------------------------------------------------------

    @api.model
    def _reconcile_batch(self, partners, company, timeout=None, skip_busy=False):
        """Check commercial ``partners`` with ``company``'s ledger account and books and store
        every outcome in their status. One call per CUIT: partners sharing a CUIT are
        compared together with its TusFacturas account and all get the outcome. One
        customer's failure does not stop the others; refused credentials stop the batch
        before any further billed call. ``timeout``: each call's, if shorter than the company's.
        With ``skip_busy`` (the scheduled check), a CUIT of which another transaction is
        checking a customer is left out of the batch (its customers get no result), instead of
        failing the batch.

        The HTTP calls run in a bounded thread pool; all ORM work stays here. The outcomes
        are compared and stored by groups (:func:`group_size`) as the calls complete, so
        that the database work overlaps the calls still in flight: only the last group's
        follows the batch's last call.
        """
        service = self.env["tusfacturas.service"]
        Status = self.env["tusfacturas.partner.status"]
        account = service._ledger_account(company)
        result = BatchResult(account=account)
        groups, errors = partners._tusfacturas_cuit_groups(company)
        # Before any call: these customers and every other one sharing their CUITs.
        locked = Status._lock_for_check(partners.union(*groups.values()), company, skip_busy=skip_busy)
        for cuit in [cuit for cuit, group in groups.items() if group - locked]:
            del groups[cuit]  # someone is checking one of its customers: left for later
        errors = {partner_id: error for partner_id, error in errors.items() if partner_id in locked.ids}
        client = service._client(account, timeout=timeout)
        concurrency = company.tusfacturas_concurrency
        outcomes = dict(errors)  # customers without a valid CUIT: stored with the first group

        def store():
            Status._store(self.env["res.partner"].browse(outcomes), company, outcomes)
            result.results.update(outcomes)
            outcomes.clear()

        with fetching_ledgers(client, {cuit: cuit for cuit in groups}, concurrency) as fetch:
            # Odoo's side of the whole batch, read while the first calls are in flight.
            books = self._odoo_books(self.env["res.partner"].union(*groups.values()), company) if groups else None
            for chunk in split_every(group_size(concurrency), fetch.completed(), list):
                rows_by_cuit = {cuit: rows for cuit, rows in chunk if isinstance(rows, list)}
                compared = self._compare_groups(company, groups, rows_by_cuit, books=books)
                for cuit, rows in chunk:
                    if isinstance(rows, TusFacturasError):
                        result.credentials_refused |= rows.is_credential_error
                        if fetch.stopped_by(rows):
                            rows.stop_reason = self.env._(
                                "The first %(count)s calls to TusFacturas failed with this same error, so the other "
                                "customers were not called (every call is billed). The next run will try again.",
                                count=fetch.breaker.failures,
                            )
                        result.stop_reason = result.stop_reason or rows.stop_reason
                        outcome = service._error_message(rows, account)
                    else:
                        outcome = compared[cuit]
                    outcomes.update(dict.fromkeys(groups[cuit].ids, outcome))
                store()
        if outcomes:  # no CUIT was called
            store()
        return result


def document_key(number_parts, code, prefix, name):
    """(AFIP code, point of sale, number) of a move named like ``FA-A 00002-00000001``: its
    document number read from the name as ``l10n_latam_document_number`` reads it (after the
    document type's ``doc_code_prefix``), split by l10n_ar's ``number_parts``."""
    if not (code and name and name != "/"):
        return None
    try:
        parts = number_parts(name.split(" ", 1)[-1] if prefix else name, code)
    except ValueError:  # not "<point of sale>-<number>"
        return None
    if not parts["point_of_sale"] and not parts["invoice_number"]:
        return None
    return (code, parts["point_of_sale"], parts["invoice_number"])
