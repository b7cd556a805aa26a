import dataclasses
import math
import re
from collections import defaultdict
from dataclasses import dataclass, field

from odoo import api, models
from odoo.tools import SQL, float_compare, float_is_zero, float_round

from ..tusfacturas import TusFacturasError
from ..tusfacturas.batch import fetching_ledgers, result_groups
from ..tusfacturas.matching import (
    COMPANY_CURRENCY_CODE,
    MISSING_IN_ODOO,
    Comparison,
    OdooDocument,
    Statement,
    Totals,
    Voucher,
    match_ledger,
    problem_states,
)
from ..tusfacturas.receivables import (
    EXCHANGE,
    LIQUIDITY,
    OTHER,
    THIRD_PARTY_CHECK_METHODS,
    WITHHOLDING_GANANCIAS,
    WITHHOLDING_IIBB,
    WITHHOLDING_IVA,
    WITHHOLDING_OTHER,
    WITHHOLDING_SUSS,
    MoveFacts,
    classify,
)

# The stored columns of account.move that matching needs, in _read_documents' order.
DOCUMENT_COLUMNS = (
    "id", "commercial_partner_id", "currency_id", "l10n_latam_document_type_id", "name", "journal_id", "move_type",
    "amount_total", "amount_residual", "amount_total_signed", "invoice_currency_rate", "invoice_date", "date",
)  # fmt: skip
CUSTOMER_DOCUMENTS = ("out_invoice", "out_refund")
STATEMENT_AMOUNTS = (
    "tusfacturas", "odoo", "tusfacturas_opening", "odoo_opening", "tusfacturas_documents", "odoo_documents",
    "odoo_entries", "rounding",
)  # fmt: skip
# A batch's results are compared and stored by groups of whole rounds of calls, at least
# this many customers each: a group's database work runs while the next calls are in
# flight, and costs the same few queries whatever the number of customers in it (more
# customers per group: fewer queries, more work left after the batch's last call).
MIN_GROUP = 16
# The accounts of withholdings suffered in l10n_ar's charts ("Retención IIBB ARBA sufrida"...),
# by the name of their template: ``<company id>_ri_retencion_iva_sufrida``.
WITHHOLDING_ACCOUNT = re.compile(r"_retencion_(iva|ganancias|iibb|suss)(?:_[a-z]+)?_sufrida$")
WITHHOLDING_KINDS = {
    "iva": WITHHOLDING_IVA,
    "ganancias": WITHHOLDING_GANANCIAS,
    "iibb": WITHHOLDING_IIBB,
    "suss": WITHHOLDING_SUSS,
}
# The lines of the entries on the customers' receivable, for _odoo_entries, in this order.
ENTRY_LINES = """
    SELECT l.move_id, l.id, l.account_id, a.account_type, l.balance, imd.name,
           m.origin_payment_id IS NOT NULL, m.statement_line_id IS NOT NULL, m.move_type, m.date, m.name,
           pm.code, pay.outstanding_account_id, j.default_account_id, %(withholding_tax)s
      FROM account_move_line l
      JOIN account_move m ON m.id = l.move_id
      JOIN account_account a ON a.id = l.account_id
      JOIN account_journal j ON j.id = m.journal_id
      LEFT JOIN account_payment pay ON pay.id = m.origin_payment_id
      LEFT JOIN account_payment_method_line pml ON pml.id = pay.payment_method_line_id
      LEFT JOIN account_payment_method pm ON pm.id = pml.payment_method_id
      LEFT JOIN LATERAL (
            SELECT d.name FROM ir_model_data d
             WHERE d.model = 'account.account' AND d.res_id = l.account_id
             ORDER BY d.id LIMIT 1) imd ON TRUE
      %(tax_join)s
     WHERE l.move_id = ANY(%(moves)s)
     ORDER BY l.move_id, l.id
"""
# What the customers' receivable lines of those entries were reconciled with.
ENTRY_PARTIALS = """
    SELECT p.debit_move_id, p.credit_move_id, p.amount, p.debit_amount_currency, p.credit_amount_currency,
           dl.move_id, cl.move_id
      FROM account_partial_reconcile p
      JOIN account_move_line dl ON dl.id = p.debit_move_id
      JOIN account_move_line cl ON cl.id = p.credit_move_id
     WHERE p.debit_move_id = ANY(%(lines)s) OR p.credit_move_id = ANY(%(lines)s)
"""


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
    """One customer's comparison: the matches, per currency the totals already rounded
    (``totals``: currency record -> :class:`~..tusfacturas.matching.Totals`), and the
    statement of the balances in the company currency, rounded (``statement``)."""

    comparison: Comparison
    totals: dict
    currency: object  # the company currency record
    is_ok: bool
    statement: Statement = None

    @property
    def matches(self):
        return self.comparison.matches

    @property
    def counts(self):
        return self.comparison.counts()

    @property
    def tusfacturas_balance(self):
        """TusFacturas' saldo."""
        return self.statement.tusfacturas

    @property
    def odoo_balance(self):
        """Odoo's receivable."""
        return self.statement.odoo

    @property
    def odoo_other_balance(self):
        return self.statement.odoo_entries

    @property
    def difference(self):
        """The difference the company's mode compares (the documents' or the unexplained one)."""
        return self.currency.round(self.statement.difference)


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
        # Through ``partner_id``, which has an index (``commercial_partner_id`` has none): the
        # customers' contacts, archived ones and other companies' included, whose documents
        # count as theirs (the documents' own access rules apply below).
        contacts = (
            self.env["res.partner"]
            .sudo()
            .with_context(active_test=False)
            ._search([("commercial_partner_id", "in", partners.ids)])
        )
        documents = {partner.id: [] for partner in partners}
        for document in self._read_documents(
            company, [("partner_id", "in", contacts), ("commercial_partner_id", "in", partners.ids)]
        ):
            documents[document.partner_id].append(document)
        return documents

    @api.model
    def _read_documents(self, company, domain):
        """The posted customer documents of ``company`` that satisfy ``domain``, as
        :class:`OdooDocument` values, oldest first, in one query of their stored columns."""
        Move = self.env["account.move"]
        query = Move._search(
            [
                *domain,
                ("company_id", "=", company.id),
                ("move_type", "in", CUSTOMER_DOCUMENTS),
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
        documents = []
        for (move_id, partner_id, currency_id, type_id, name, journal_id, move_type, total, residual,
             total_signed, rate, invoice_date, date) in rows:  # fmt: skip
            foreign = currency_id != currency.id
            rate = rate if foreign and rate else 1.0
            documents.append(
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
                    accounting_date=date,
                )
            )
        return documents

    @api.model
    def _sequence_parts(self, keys):
        """``(sequence prefixes, sequence numbers)`` of the documents named by ``keys``
        (``(afip_code, point_of_sale, number)``) as Odoo's sequence splits their names
        (``FA-A 00002-`` and 1 for ``FA-A 00002-00000001``, as l10n_ar numbers them), each sorted:
        their index serves a lookup by both, where the names would be looked up in the trigram
        index of ``name`` (0.5 s for 5,000 names, tools/bench). Other keys' prefixes and numbers
        meet too: the caller keeps the documents whose own key it asked for."""
        types = self.env["l10n_latam.document.type"].search_fetch(
            [("code", "in", list({key[0] for key in keys})), ("country_id.code", "=", "AR")],
            ["code", "doc_code_prefix"],
        )
        prefixes = defaultdict(list)
        for doc_type in types:
            prefixes[doc_type.code].append(doc_type.doc_code_prefix)
        sequence_prefixes = {f"{prefix} {pos:05d}-" for code, pos, _n in keys for prefix in prefixes[code] if prefix}
        return sorted(sequence_prefixes), sorted({number for _code, _pos, number in keys})

    @api.model
    def _odoo_documents_elsewhere(self, company, keys):
        """``{key: [OdooDocument, ...]}``: the documents ``keys`` name that ``company`` has
        posted, whatever their customer, in one query by the parts of their names as Odoo's
        sequence keeps them (:meth:`_sequence_parts`), through the index of journal, prefix and number."""
        if not keys:
            return {}
        sequence_prefixes, numbers = self._sequence_parts(keys)
        found = defaultdict(list)
        if not sequence_prefixes:
            return found
        journals = self.env["account.journal"].sudo()._search([("company_id", "=", company.id), ("type", "=", "sale")])
        domain = [
            ("journal_id", "in", journals),
            ("sequence_prefix", "in", sequence_prefixes),
            ("sequence_number", "in", numbers),
        ]
        for doc in self._read_documents(company, domain):
            if doc.key in keys:  # the prefixes and numbers of other keys meet too
                found[doc.key].append(doc)
        return found

    @api.model
    def _odoo_entries(self, partners, company, until=None):
        """Odoo's receivable items that are not customer documents (payments, withholdings,
        cheques, exchange differences, journal entries) of ``partners``, each split by what it
        is (:func:`~..tusfacturas.receivables.classify`): ``{commercial partner id: [OdooEntry]}``.

        Three queries, whatever their number: the customers' receivable lines (access rules
        applied as by ``search``), the other lines of their entries (by account: withholdings
        suffered, exchange differences, bank and cash, the payment's method), and what the
        customers' lines were reconciled with.
        """
        Line = self.env["account.move.line"]
        domain = [
            *self._receivable_domain(partners, company),
            ("move_id.move_type", "not in", CUSTOMER_DOCUMENTS),
        ]
        if until:
            domain.append(("date", "<=", until))
        for model in ("account.move.line", "account.move", "account.payment", "account.partial.reconcile"):
            self.env[model].flush_model()
        query = Line._search(domain, order="date, id")
        self.env.cr.execute(
            query.select(
                *(SQL.identifier(Line._table, name) for name in ("id", "move_id", "balance", "amount_residual")),
                SQL(
                    "(SELECT commercial_partner_id FROM res_partner WHERE id = %s)",
                    SQL.identifier(Line._table, "partner_id"),
                ),
            )
        )
        receivable = self.env.cr.fetchall()
        entries = {partner.id: [] for partner in partners}
        if not receivable:
            return entries
        ours = {line_id: partner_id for line_id, _move, _balance, _residual, partner_id in receivable}
        moves = self._entry_moves(company, sorted({move_id for _id, move_id, *_rest in receivable}), ours)
        settles, exchanged = self._entry_settles(list(ours), moves)
        facts = defaultdict(lambda: [0.0, 0.0, [], 0.0])  # (move, partner) -> [balance, residual, settles, exchange]
        for line_id, move_id, balance, residual, partner_id in receivable:
            values = facts[move_id, partner_id]
            values[0] += balance
            values[1] += residual or 0.0
            values[2] += settles.get(line_id, [])
            values[3] += exchanged.get(line_id, 0.0)
        since = company.tusfacturas_compare_from
        opening_move = company.account_opening_move_id.id
        for (move_id, partner_id), (balance, residual, move_settles, exchange) in facts.items():
            move = moves[move_id]
            opening = move_id == opening_move or (
                since and move["date"] == since and move["type"] == "entry" and not move["collection"]
            )
            entries[partner_id] += classify(
                MoveFacts(
                    move_id, move["date"], balance, residual, move["counterparts"], move["collection"],
                    move["check"], bool(opening), tuple(move_settles), move["name"], exchange,
                )
            )  # fmt: skip
        return entries

    def _entry_moves(self, company, move_ids, ours):
        """What the entries ``move_ids`` are: ``{move id: {date, name, type, collection, check,
        counterparts}}``, their lines other than the customers' (``ours``) told by account."""
        withholding_taxes = "l10n_ar_withholding_payment_type" in self.env["account.tax"]._fields
        self.env.cr.execute(
            SQL(
                ENTRY_LINES,
                withholding_tax=SQL("t.l10n_ar_withholding_payment_type = 'customer'")
                if withholding_taxes
                else SQL("FALSE"),
                tax_join=SQL("LEFT JOIN account_tax t ON t.id = l.tax_line_id") if withholding_taxes else SQL(),
                moves=move_ids,
            )
        )
        exchange = {company.income_currency_exchange_account_id.id, company.expense_currency_exchange_account_id.id}
        moves = {}
        for (move_id, line_id, account_id, account_type, balance, xmlid, payment, statement, move_type, date, name,
             method, outstanding, default, withholding_tax) in self.env.cr.fetchall():  # fmt: skip
            move = moves.setdefault(
                move_id,
                {
                    "date": date, "name": name, "type": move_type, "collection": payment or statement,
                    "check": method in THIRD_PARTY_CHECK_METHODS, "counterparts": defaultdict(float),
                },
            )  # fmt: skip
            if line_id in ours:
                continue
            withholding = WITHHOLDING_ACCOUNT.search(xmlid or "")
            if account_id in exchange:
                hint = EXCHANGE
            elif withholding:
                hint = WITHHOLDING_KINDS[withholding[1]]
            elif withholding_tax:
                hint = WITHHOLDING_OTHER
            elif account_type == "asset_cash" or ((payment or statement) and account_id in (outstanding, default)):
                hint = LIQUIDITY
            else:
                hint = OTHER
            move["counterparts"][hint] += balance
        return moves

    def _entry_settles(self, line_ids, moves):
        """What the customers' lines ``line_ids`` were reconciled with, signed as those lines:
        ``({line id: [(document id, company amount, document-currency amount)]}, {line id:
        amount reconciled with exchange differences})``; ``moves``: the entries (not documents)."""
        self.env.cr.execute(SQL(ENTRY_PARTIALS, lines=line_ids))
        ours = set(line_ids)
        settles, exchanged = defaultdict(list), defaultdict(float)
        for debit, credit, amount, debit_currency, credit_currency, debit_move, credit_move in self.env.cr.fetchall():
            # Our debit (a refund paid out...) settles a credit; our credit (a collection) a debit.
            for line, other_move, signed, currency in (
                (debit, credit_move, amount, credit_currency),
                (credit, debit_move, -amount, -debit_currency),
            ):
                if line not in ours:
                    continue
                if other_move not in moves:
                    settles[line].append((other_move, signed, currency))
                elif EXCHANGE in moves[other_move]["counterparts"]:
                    exchanged[line] += signed
        return settles, exchanged

    @api.model
    def _known_vouchers(self, company, keys):
        """``{key: Voucher}`` of the documents ``keys`` name that the voucher check found missing
        in Odoo (``tusfacturas.voucher.run``: currency, rate, total and customer as TusFacturas
        issued them), in one query: a row naming such a document is then missing in its own
        currency and amount (USD 20.000), not in pesos."""
        texts = {f"{MISSING_IN_ODOO}/{code}-{pos:05d}-{number:08d}": (code, pos, number) for code, pos, number in keys}
        if not texts:
            return {}
        found = (
            self.env["tusfacturas.discrepancy"]
            .sudo()
            .search_fetch(
                [
                    ("account_id", "in", self.env["tusfacturas.discrepancy"]._voucher_accounts(company)),
                    ("key", "in", list(texts)),
                    ("source", "=", "voucher"),
                ],
                ["key", "voucher_currency", "voucher_rate", "tusfacturas_amount", "cuit"],
                order="last_seen desc",
            )
        )
        vouchers = {}
        for discrepancy in found:
            key = texts[discrepancy.key]
            if key not in vouchers and discrepancy.voucher_currency:
                vouchers[key] = Voucher(
                    discrepancy.voucher_currency,
                    discrepancy.voucher_rate or 1.0,
                    abs(discrepancy.tusfacturas_amount),
                    discrepancy.cuit,
                )
        return vouchers

    @api.model
    def _compare(self, company, rows, documents, entries, until=None, elsewhere=None, vouchers=None):
        """Compare ``rows`` (TusFacturas) with ``documents`` and ``entries`` (Odoo) in
        ``company``'s scope and mode; round the totals per currency and the statement."""
        currency = company.currency_id
        rounding = currency.rounding
        currency_ids = None
        if vouchers:
            codes = {voucher.currency for voucher in vouchers.values()} | {COMPANY_CURRENCY_CODE}
            found = (
                self.env["res.currency"]
                .with_context(active_test=False)
                .search_fetch([("l10n_ar_afip_code", "in", list(codes))], ["l10n_ar_afip_code"])
            )
            currency_ids = {record.l10n_ar_afip_code: record.id for record in found}
            currency_ids[COMPANY_CURRENCY_CODE] = currency.id
        comparison = match_ledger(
            rows, documents, lambda a, b: a == b or float_compare(a, b, precision_rounding=rounding) == 0,
            company_currency_id=currency.id, mode=company.tusfacturas_compare_mode,
            since=company.tusfacturas_compare_from or None, until=until, entries=entries, elsewhere=elsewhere,
            tolerance=company.tusfacturas_rounding_tolerance, vouchers=vouchers, currency_ids=currency_ids,
        )  # fmt: skip
        currencies = self.env["res.currency"].browse(comparison.totals)
        totals = {}
        for record in currencies:
            raw = comparison.totals[record.id]
            totals[record] = Totals(
                record.id, record.round(raw.tusfacturas), record.round(raw.odoo), record.round(raw.other)
            )
        statement = _rounded(comparison.statement, currency)
        problems = problem_states(comparison.mode)
        is_ok = currency.is_zero(statement.difference) and not any(
            match.state in problems for match in comparison.matches
        )
        return Reconciliation(comparison, totals, currency, is_ok, statement)

    @api.model
    def _odoo_books(self, partners, company, until=None):
        """Odoo's side of ``partners`` (commercial) in ``company``, as :meth:`_compare_groups`
        takes it: their documents and their other receivable entries."""
        return self._odoo_documents(partners, company), self._odoo_entries(partners, company, until=until)

    @api.model
    def _compare_groups(self, company, groups, fetched, until=None, books=None):
        """``{cuit: commercial partners}`` and ``{cuit: rows}`` -> ``{cuit: Reconciliation}``,
        each CUIT matched against the union of its partners' documents, in a few queries per
        batch (Odoo's books: none if ``books``, :meth:`_odoo_books` of these partners or more,
        is given; the documents the rows name that Odoo has on other customers)."""
        if books is None:
            partners = self.env["res.partner"].union(*(groups[cuit] for cuit in fetched))
            books = self._odoo_books(partners, company, until=until)
        documents, entries = books
        grouped = {}  # cuit -> (documents, entries, keys its rows name, those its documents lack, vouchers asked)
        for cuit, rows in fetched.items():
            group_documents, group_entries = [], []
            for partner in groups[cuit]:
                group_documents += documents[partner.id]
                group_entries += entries[partner.id]
            named = {row.document.key for row in rows if row.document and row.document.afip_code}
            lacking = named - {doc.key for doc in group_documents}
            # A voucher tells the currency of a document Odoo lacks, or of one in a foreign currency.
            asked = lacking | {doc.key for doc in group_documents if doc.foreign_currency and doc.key in named}
            grouped[cuit] = (group_documents, group_entries, named, lacking, asked)
        elsewhere = self._odoo_documents_elsewhere(company, set().union(*(g[3] for g in grouped.values())))
        vouchers = self._known_vouchers(company, set().union(*(g[4] for g in grouped.values())))
        results = {}
        for cuit, rows in fetched.items():
            group_documents, group_entries, named, lacking, asked = grouped[cuit]
            ours = set(groups[cuit].ids)
            others = {key: [doc for doc in elsewhere.get(key, ()) if doc.partner_id not in ours] for key in lacking}
            results[cuit] = self._compare(
                company, rows, group_documents, group_entries, until=until,
                elsewhere={key: _elsewhere(docs[0]) for key, docs in others.items() if docs},
                vouchers={key: vouchers[key] for key in asked if key in vouchers},
            )  # fmt: skip
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
        that the database work overlaps the calls still in flight: only the last round's
        follows the batch's last call (:func:`~..tusfacturas.batch.result_groups`).
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
            for chunk in result_groups(fetch.completed(), len(groups), concurrency, group_size(concurrency)):
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


def _elsewhere(document):
    """``document``, found on another customer, as matching takes it: not a document of the
    customers compared (no ``partner_id``; its lines show whose it is)."""
    return dataclasses.replace(document, partner_id=None)


def _rounded(statement, currency):
    """``statement`` with its amounts rounded in ``currency`` (the company's)."""
    return dataclasses.replace(
        statement,
        **{name: currency.round(getattr(statement, name)) for name in STATEMENT_AMOUNTS},
        items={
            kind: currency.round(amount) for kind, amount in statement.items.items() if not currency.is_zero(amount)
        },
    )
