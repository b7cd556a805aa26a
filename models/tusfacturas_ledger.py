import datetime
from collections import defaultdict

import psycopg2

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, format_date

from ..tusfacturas import LedgerRow, parse_concept
from ..tusfacturas.copy_text import NULL, LinesReader, copy_value
from ..tusfacturas.matching import BALANCES, DOCUMENTS, STATES
from .tusfacturas_check_run import request_budget
from .tusfacturas_reconciliation import currency_rounder

RECEIVABLE_ORDER = "date, id"
# Odoo computes ``cumulated_balance`` for a list sorted newest first (it sums from the
# bottom row up): the receivables are listed oldest first, so it is given the reverse.
RECEIVABLE_ORDER_REVERSED = "date desc, id desc"
# The columns of tusfacturas.ledger.line written in bulk, in _line_text's order.
LINE_COLUMNS = (
    "ledger_id", "sequence", "row_number", "currency_id", "match_state", "match_currency", "move_ref", "date",
    "concept", "document_type_ref", "point_of_sale", "document_number", "other_period", "unrecognized_concept",
    "debit", "credit", "residual", "balance", "odoo_amount", "odoo_residual", "difference",
)  # fmt: skip
LOG_COLUMNS = ("create_uid", "create_date", "write_uid", "write_date")


class TusFacturasLedger(models.TransientModel):
    """A customer's TusFacturas current account, fetched once, beside Odoo's receivables."""

    _name = "tusfacturas.ledger"
    _inherit = ["tusfacturas.check.record"]
    _description = "TusFacturas Current Account"
    _rec_name = "partner_id"

    partner_id = fields.Many2one("res.partner", string="Customer", required=True, readonly=True, ondelete="cascade")
    partner_ids = fields.Many2many(
        "res.partner",
        string="Customers with this CUIT",
        readonly=True,
        help="TusFacturas keys current accounts by CUIT: the documents of every customer with this CUIT are "
        "compared with it.",
    )
    shared_cuit = fields.Boolean(compute="_compute_shared_cuit")
    cuit = fields.Char(string="CUIT", readonly=True)
    company_id = fields.Many2one("res.company", required=True, readonly=True, ondelete="cascade")
    currency_id = fields.Many2one(related="company_id.currency_id")
    fetch_date = fields.Datetime(string="Fetched On", readonly=True)
    fetched_rows = fields.Json(
        readonly=True,
        prefetch=False,  # every row of the ledger: read for the "Until" date only, never with the header
        help='The rows as fetched, kept apart when the lines do not hold them all as fetched (an "Until" date '
        "leaves some out, or amounts have more decimals than their currency), to compare again without a new call.",
    )
    date_to = fields.Date(
        string="Until",
        help="Compare the balances up to this day (for a month-end closing), from the rows already fetched: "
        "no new TusFacturas call.",
    )
    compare_mode = fields.Selection(
        [(DOCUMENTS, "Documents"), (BALANCES, "Documents and balances")], string="Compared", readonly=True
    )
    scope_description = fields.Char(string="Scope", readonly=True)
    is_ok = fields.Boolean(string="In Agreement", readonly=True)
    line_ids = fields.One2many(
        "tusfacturas.ledger.line", "ledger_id", string="TusFacturas Rows", compute="_compute_line_ids"
    )
    total_ids = fields.One2many("tusfacturas.ledger.total", "ledger_id", string="Balances per Currency", readonly=True)
    has_foreign_totals = fields.Boolean(readonly=True)
    receivable_line_ids = fields.Many2many(
        "account.move.line", string="Odoo Receivables", compute="_compute_receivable_line_ids"
    )
    tusfacturas_balance = fields.Monetary(
        string="TusFacturas Balance",
        readonly=True,
        help='TusFacturas\' own balance of this current account: the balance of its last row (up to the "Until" date).',
    )
    odoo_balance = fields.Monetary(
        readonly=True,
        help='The receivable balance of these customers in Odoo (up to the "Until" date): the last running '
        "balance of the Odoo column.",
    )
    balance_difference = fields.Monetary(readonly=True, help="TusFacturas balance minus Odoo balance.")
    tusfacturas_documents_total = fields.Monetary(
        string="Documents Total in TusFacturas",
        readonly=True,
        help="The in-scope invoices, debit notes and credit notes TusFacturas lists (credit notes subtract).",
    )
    odoo_documents_total = fields.Monetary(
        string="Documents Total in Odoo",
        readonly=True,
        help="The in-scope invoices, debit notes and credit notes posted in Odoo (credit notes subtract).",
    )
    explained_amount = fields.Monetary(
        string="Explained by the Items",
        readonly=True,
        help="The sum of the items that explain the difference between the balances: what TusFacturas' balance "
        "holds that Odoo's does not (withholdings, cheques, advances, exchange differences, write-offs...).",
    )
    unexplained_difference = fields.Monetary(
        readonly=True, help="TusFacturas balance, less the explaining items, minus Odoo balance."
    )
    difference = fields.Monetary(
        readonly=True,
        help="What is compared: the documents totals' difference (rounding differences aside) when documents are "
        "compared, the unexplained difference of the balances when balances are.",
    )
    odoo_other_balance = fields.Monetary(
        string="Odoo Payments and Other Entries",
        readonly=True,
        help="Odoo receivable items that are not customer invoices or credit notes (payments, withholdings, "
        "journal entries), in scope.",
    )
    voucher_discrepancy_ids = fields.Many2many(
        "tusfacturas.discrepancy",
        string="Voucher Discrepancies",
        compute="_compute_voucher_discrepancy_ids",
        help="What the voucher check found open about this CUIT's vouchers.",
    )
    opening_date = fields.Date(
        string="Opening Balance At", readonly=True, help='The company\'s "Compare from" date, if it has one.'
    )
    tusfacturas_opening_balance = fields.Monetary(
        string="TusFacturas: Opening Balance",
        readonly=True,
        help="TusFacturas' balance before the opening date: the balance of its last row dated before it.",
    )
    odoo_opening_balance = fields.Monetary(
        string="Odoo: Opening Balance",
        readonly=True,
        help="Odoo's receivable before the opening date, its opening entry included (the company's opening entry, "
        "or a journal entry dated that day).",
    )
    item_ids = fields.One2many("tusfacturas.ledger.item", "ledger_id", string="Explaining Items", readonly=True)
    # The totals of TusFacturas' rows, all of them (not a page), in the company currency: rows
    # compared in another currency are left out of them (``has_foreign_rows`` says so).
    total_debit = fields.Monetary(readonly=True)
    total_credit = fields.Monetary(readonly=True)
    total_residual = fields.Monetary(string="Total Open Amount", readonly=True)
    has_foreign_rows = fields.Boolean(readonly=True)
    other_period_count = fields.Integer(compute="_compute_state_counts")
    matched_count = fields.Integer(compute="_compute_state_counts")
    rounding_count = fields.Integer(compute="_compute_state_counts")
    other_customer_count = fields.Integer(compute="_compute_state_counts")
    unrecognized_count = fields.Integer(compute="_compute_state_counts")
    amount_mismatch_count = fields.Integer(compute="_compute_state_counts")
    residual_mismatch_count = fields.Integer(compute="_compute_state_counts")
    missing_in_odoo_count = fields.Integer(compute="_compute_state_counts")
    missing_in_tusfacturas_count = fields.Integer(compute="_compute_state_counts")
    duplicate_in_tusfacturas_count = fields.Integer(compute="_compute_state_counts")
    duplicate_in_odoo_count = fields.Integer(compute="_compute_state_counts")
    not_a_document_count = fields.Integer(compute="_compute_state_counts")
    annulled_count = fields.Integer(compute="_compute_state_counts")
    out_of_scope_count = fields.Integer(compute="_compute_state_counts")

    def _user_may_write(self, fnames):
        """Users choose the "Until" date; everything else is what TusFacturas and Odoo said."""
        return fnames <= {"date_to"}

    def _create_denied_message(self):
        """Ledgers are opened from a customer (``_open_for``), never made up."""
        return self.env._("Open the TusFacturas current account from the customer.")

    def _receivable_domain(self):
        self.ensure_one()
        domain = self.env["tusfacturas.reconciliation"]._receivable_domain(self.partner_ids, self.company_id)
        return [*domain, ("date", "<=", self.date_to)] if self.date_to else domain

    @api.depends("partner_ids")
    def _compute_shared_cuit(self):
        for ledger in self:
            ledger.shared_cuit = len(ledger.partner_ids) > 1

    @api.depends("partner_ids", "company_id", "fetch_date", "date_to")
    def _compute_receivable_line_ids(self):
        """Odoo's receivable items, oldest first: the form lists them in this order (no second
        search to sort them) and reads one page of them at a time."""
        for ledger in self:
            ledger.receivable_line_ids = self.env["account.move.line"].search(
                ledger._receivable_domain(), order=RECEIVABLE_ORDER
            )

    def _compute_line_ids(self):
        """The rows in their order, from one query of their ids: the form shows them a page at a
        time. (Odoo's one2many read would build a record of each row to group them by ledger.)"""
        Line = self.env["tusfacturas.ledger.line"]
        rows = defaultdict(list)
        if self.ids:
            query = Line._search([("ledger_id", "in", self.ids)], order=Line._order)
            for ledger_id, line_id in self.env.execute_query(
                query.select(SQL.identifier(Line._table, "ledger_id"), SQL.identifier(Line._table, "id"))
            ):
                rows[ledger_id].append(line_id)
        for ledger in self:
            ledger.line_ids = Line.browse(rows[ledger._origin.id])

    @api.depends("cuit", "company_id")
    def _compute_voucher_discrepancy_ids(self):
        Discrepancy = self.env["tusfacturas.discrepancy"]
        for ledger in self:
            ledger.voucher_discrepancy_ids = Discrepancy.search(
                [
                    ("company_id", "=", ledger.company_id.id),
                    ("source", "=", "voucher"),
                    ("cuit", "=", ledger.cuit),
                    ("state", "=", "open"),
                ]
            )

    def _compute_state_counts(self):
        """Counted in SQL, whatever the number of rows."""
        groups = self.env["tusfacturas.ledger.line"]._read_group(
            [("ledger_id", "in", self.ids)],
            groupby=["ledger_id", "match_state", "other_period"],
            aggregates=["__count"],
        )
        counts, other_period = defaultdict(int), defaultdict(int)
        for ledger, state, flagged, count in groups:
            counts[ledger.id, state] += count
            other_period[ledger.id] += count if flagged else 0
        for ledger in self:
            for state in STATES:
                ledger[f"{state}_count"] = counts[ledger.id, state]
            ledger.other_period_count = other_period[ledger.id]

    def _row_totals(self, matches):
        """``total_debit``, ``total_credit``, ``total_residual`` and ``has_foreign_rows`` of the rows
        of ``matches``: all of them, in the company currency (rows compared in another aside)."""
        currency = self.currency_id
        debit = credit = residual = 0.0
        foreign = False
        for match in matches:
            if not match.row:
                continue
            if match.currency_id != currency.id:
                foreign = True
                continue
            debit += match.row.debit
            credit += match.row.credit
            residual += match.row.residual
        return {
            "total_debit": currency.round(debit),
            "total_credit": currency.round(credit),
            "total_residual": currency.round(residual),
            "has_foreign_rows": foreign,
        }

    # ------------------------------------------------------------------
    # Building
    # ------------------------------------------------------------------

    @api.model
    def _open_for(self, partner, company):
        """Fetch the current account of ``partner``'s CUIT with ``company``'s credentials
        into a new ledger, compared with the documents of every customer with that CUIT."""
        self.check_access("create")  # Billing users only, before anything is called
        groups, errors = partner._tusfacturas_cuit_groups(company)
        if errors:
            raise UserError(errors[partner.id])
        [(cuit, partners)] = groups.items()
        ledger = (
            self.sudo()
            .create({"partner_id": partner.id, "partner_ids": partners.ids, "cuit": cuit, "company_id": company.id})
            .with_env(self.env)
        )
        ledger._fetch()
        return ledger

    def _fetch(self):
        """Fetch from TusFacturas and (re)build this ledger. Nothing changes if the fetch fails.

        The customers' stored status is today's comparison, whatever the "Until" date.
        """
        self.ensure_one()
        service = self.env["tusfacturas.service"]
        account = service._ledger_account(self.company_id)
        self.env["tusfacturas.partner.status"]._lock_for_check(self.partner_ids, self.company_id)  # before any call
        # Within the user's request: a call that outlives it would be cut by Odoo's time limit.
        timeout = request_budget().call_timeout(account.timeout)
        rows = service._ledger_rows(account, service._ledger_answer(account, self.cuit, timeout=timeout))
        values = {"fetch_date": fields.Datetime.now()}
        if self.fetch_date and self.fetched_rows:
            values["fetched_rows"] = None  # a refresh: rows kept from the previous fetch are stale
        self.sudo().write(values)
        # With an "Until" date, two comparisons (the lines', today's): Odoo's documents read once.
        documents = self._odoo_documents() if self.date_to else None
        result = self._build(rows, kept=False, documents=documents)
        if self.date_to:
            result = self._compare(rows, until=None, documents=documents)
        self.env["tusfacturas.partner.status"]._store(
            self.partner_ids, self.company_id, dict.fromkeys(self.partner_ids.ids, result)
        )

    def _fetched_rows(self):
        """``(rows, kept)``: the rows as fetched, in the API's order, and whether they are kept
        apart (an "Until" date left some out of the lines, or rounding changed them), else
        the lines' own (every row has its line, its amounts as given)."""
        if not self.exists():  # cleaned up meanwhile (an hour after it was last used)
            raise UserError(
                self.env._("This TusFacturas current account is no longer available: open it again from the customer.")
            )
        if self.fetched_rows:
            return [_row_from_json(values) for values in self.fetched_rows], True
        lines = self.env["tusfacturas.ledger.line"].search_fetch(
            [("ledger_id", "=", self.id), ("row_number", "!=", False)],
            ["date", "concept", "debit", "credit", "residual", "balance"],
            order="row_number",
        )
        return [
            _row(line.date, line.concept, line.debit, line.credit, line.residual, line.balance) for line in lines
        ], False

    def _odoo_documents(self):
        return self.env["tusfacturas.reconciliation"]._odoo_documents(self.partner_ids, self.company_id)

    def _compare(self, rows, until, documents=None):
        """``rows`` compared up to ``until``, with Odoo's ``documents`` if already read."""
        engine = self.env["tusfacturas.reconciliation"]
        books = None
        if documents is not None:
            books = (documents, engine._odoo_entries(self.partner_ids, self.company_id, until=until))
        groups = {self.cuit: self.partner_ids}
        return engine._compare_groups(self.company_id, groups, {self.cuit: rows}, until=until, books=books)[self.cuit]

    def _build(self, rows, kept, documents=None):
        """Replace the lines by ``rows`` compared with Odoo's side up to the "Until" date. Unless
        they are ``kept`` apart already, keep them apart if the lines do not hold them as fetched
        (an "Until" date leaves some out, or amounts have more decimals than their currency)."""
        self.ensure_one()
        result = self._compare(rows, until=self.date_to, documents=documents)
        exact = self._write_lines(result.matches, rows)
        if not kept and (self.date_to or not exact):
            self.sudo().fetched_rows = [_row_to_json(row) for row in rows]
        self.env["tusfacturas.ledger.total"]._replace({self: result.totals})
        statement = result.statement
        self.env["tusfacturas.ledger.item"]._replace(self, statement.items)
        self.sudo().write({
            "compare_mode": result.comparison.mode,
            "scope_description": self._scope_description(),
            "is_ok": result.is_ok,
            "has_foreign_totals": any(currency != self.currency_id for currency in result.totals),
            "tusfacturas_balance": statement.tusfacturas,
            "odoo_balance": statement.odoo,
            "balance_difference": self.currency_id.round(statement.tusfacturas - statement.odoo),
            "tusfacturas_documents_total": statement.tusfacturas_documents,
            "odoo_documents_total": statement.odoo_documents,
            "explained_amount": self.currency_id.round(statement.explained),
            "unexplained_difference": self.currency_id.round(statement.unexplained),
            "difference": result.difference,
            "odoo_other_balance": result.odoo_other_balance,
            "opening_date": statement.since or False,
            "tusfacturas_opening_balance": statement.tusfacturas_opening,
            "odoo_opening_balance": statement.odoo_opening,
            **self._row_totals(result.matches),
        })  # fmt: skip
        return result

    def _write_lines(self, matches, rows):
        """Replace this ledger's lines by one per match (``rows`` are those compared, in the API's
        order, each line with its row's number): one DELETE and one COPY. Returns whether the
        rows' amounts are written as fetched (no rounding changed them).

        The lines are throw-away rows of a transient model that nobody edits: their values
        are prepared here as the ORM would store them (amounts rounded in their currency,
        log columns set) and written in bulk; the ORM's cache is invalidated afterwards.
        """
        self.ensure_one()
        Line = self.env["tusfacturas.ledger.line"]
        # Users only read lines (their access rights); the ledger is the user's to rebuild.
        self.check_access("write")
        Line.flush_model()
        self.env.cr.execute(SQL("DELETE FROM %s WHERE ledger_id = %s", SQL.identifier(Line._table), self.id))
        rounded = []  # rows whose amounts rounding changed
        if matches:
            doc_types = self._document_types({m.row.document.afip_code for m in matches if m.row and m.row.document})
            currencies = self.env["res.currency"].browse({match.currency_id for match in matches})
            rounders = {currency.id: currency_rounder(currency.rounding) for currency in currencies}
            numbers = {id(row): number for number, row in enumerate(rows, start=1)}
            now = self.env.cr.now()
            log = f"\t{self.env.uid}\t{now}\t{self.env.uid}\t{now}\n"
            lines = (
                self._line_text(seq, match, numbers, doc_types, rounders[match.currency_id], rounded) + log
                for seq, match in enumerate(matches, start=1)
            )
            self._copy_lines(Line._table, (*LINE_COLUMNS, *LOG_COLUMNS), lines)
        Line.invalidate_model()
        self.invalidate_recordset(["line_ids", "other_period_count", *(f"{state}_count" for state in STATES)])
        return not rounded

    def _copy_lines(self, table, columns, lines):
        """COPY ``lines`` (text format, each with its end) into ``table``'s ``columns``: one
        statement, whatever their number, the lines made as PostgreSQL reads them."""
        # As Odoo does for ir.model.data: no asynchronous wait callback during a COPY FROM.
        callback = psycopg2.extensions.get_wait_callback()
        psycopg2.extensions.set_wait_callback(None)
        try:
            self.env.cr.copy_from(LinesReader(lines), table=table, columns=columns, null=NULL)
        finally:
            psycopg2.extensions.set_wait_callback(callback)

    def _entry_kinds(self, labels):
        """``{move id: [label, ...]}``: what each of Odoo's other entries of this ledger is, by
        ``labels`` (``{kind: label}`` of the explaining items, in their order)."""
        self.ensure_one()
        entries = self.env["tusfacturas.reconciliation"]._odoo_entries(self.partner_ids, self.company_id, self.date_to)
        kinds = defaultdict(set)
        for partner_entries in entries.values():
            for entry in partner_entries:
                kinds[entry.move_id].add(entry.category)
        return {move_id: [label for kind, label in labels.items() if kind in found] for move_id, found in kinds.items()}

    def _scope_description(self):
        """What was compared, in words: "Compared from 01/03/2025, points of sale 0002 and 0005."."""
        company = self.company_id
        since = company.tusfacturas_compare_from
        parts = [
            self.env._("Compared from %(date)s", date=format_date(self.env, since))
            if since
            else self.env._("Compared over all dates")
        ]
        points = sorted({j.l10n_ar_afip_pos_number for j in company._tusfacturas_scope_journals()} - {0})
        if points:
            labels = [f"{number:04d}" for number in points]
            listed = labels[0] if len(labels) == 1 else self.env._(
                "%(first)s and %(last)s", first=", ".join(labels[:-1]), last=labels[-1]
            )  # fmt: skip
            parts.append(self.env._("points of sale %(points)s", points=listed))
        if self.date_to:
            parts.append(self.env._("up to %(date)s", date=format_date(self.env, self.date_to)))
        if company.tusfacturas_compare_mode == BALANCES:
            what = self.env._("Documents, open amounts and balances are compared.")
        else:
            what = self.env._("Documents are compared; open amounts and payments are shown for information.")
        return ", ".join(parts) + ". " + what

    def _line_text(self, sequence, match, numbers, doc_types, round_amount, rounded):
        """The line of ``match`` in COPY's text format, its columns in ``LINE_COLUMNS``' order
        (without the log columns), with its row's number (``numbers``: id of a row -> its
        position), amounts rounded in its currency; a row that rounding changes goes to ``rounded``."""
        row, move = match.row, match.document
        odoo_total, odoo_residual = match.odoo_amounts
        if row:
            ref = row.document
            date, concept = row.date, row.concept
            fetched = (row.debit, row.credit, row.residual, row.balance)
            amounts = tuple(map(round_amount, fetched))
            if amounts != fetched:
                rounded.append(row)
            document_type_id = (doc_types.get(ref.afip_code) if ref else None) or (move and move.document_type_id)
            point_of_sale, document_number = (ref.point_of_sale, ref.number) if ref else (0, 0)
        else:
            concept, document_type_id = move.name, move.document_type_id
            signed = move.signed_total(match.currency)
            date = move.date
            amounts = tuple(map(round_amount, (max(signed, 0.0), max(-signed, 0.0), odoo_residual, 0.0)))
            point_of_sale, document_number = move.key[1:] if move.key else (0, 0)
        amounts = "\t".join(map(str, (*amounts, *map(round_amount, (odoo_total, odoo_residual, match.difference)))))
        flags = f"{'t' if match.other_period else 'f'}\t{'t' if match.unrecognized else 'f'}"
        return (
            f"{self.id}\t{sequence}\t{numbers[id(row)] if row else NULL}\t{match.currency_id}\t{match.state}\t"
            f"{match.currency or NULL}\t{move.id if move else NULL}\t{date or NULL}\t{copy_value(concept)}\t"
            f"{document_type_id or NULL}\t{point_of_sale or 0}\t{document_number or 0}\t{flags}\t{amounts}"
        )

    def _document_types(self, codes):
        """AFIP code -> id of the Argentine ``l10n_latam.document.type``, in one query."""
        codes.discard(None)
        if not codes:
            return {}
        types = self.env["l10n_latam.document.type"].search_fetch(
            [("code", "in", list(codes)), ("country_id.code", "=", "AR")], ["code"]
        )
        return {t.code: t.id for t in types}

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def _get_window_action(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("TusFacturas Current Account"),
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "current",
        }

    def web_read(self, specification):
        """Give Odoo's receivable items their running balance (``cumulated_balance``),
        computed over this ledger's receivables, oldest first as they are listed (Odoo sums in
        the reverse of the order it is given, made for lists that show the newest first)."""
        ledger = self
        if len(self) == 1 and "receivable_line_ids" in specification:
            ledger = self.with_context(
                order_cumulated_balance=RECEIVABLE_ORDER_REVERSED,
                domain_cumulated_balance=tuple(self._receivable_domain()),
            )
        return super(TusFacturasLedger, ledger).web_read(specification)

    def action_open_lines(self):
        """Header counters: this ledger's rows, filtered on the state clicked."""
        self.ensure_one()
        state = self.env.context.get("tusfacturas_state")
        context = {f"search_default_{state}": 1} if state in (*STATES, "other_period") else {}
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("TusFacturas Rows of %(partner)s", partner=self.partner_id.display_name),
            "res_model": "tusfacturas.ledger.line",
            "view_mode": "list",
            "views": [(False, "list")],
            "domain": [("ledger_id", "=", self.id)],
            "context": context,
        }

    def action_refresh(self):
        self.ensure_one()
        self._fetch()
        return self._get_window_action()

    def action_apply_date_to(self):
        """Compare again up to the "Until" date, from the rows already fetched."""
        self.ensure_one()
        self._build(*self._fetched_rows())
        return self._get_window_action()


def _row_to_json(row):
    return {
        "date": row.date.isoformat(),
        "concept": row.concept,
        "debit": row.debit,
        "credit": row.credit,
        "residual": row.residual,
        "balance": row.balance,
    }


def _row_from_json(values):
    return _row(
        datetime.date.fromisoformat(values["date"]),
        values["concept"],
        values["debit"],
        values["credit"],
        values["residual"],
        values["balance"],
    )


def _row(date, concept, debit, credit, residual, balance):
    return LedgerRow(
        date=date,
        concept=concept,
        debit=debit,
        credit=credit,
        residual=residual,
        balance=balance,
        document=parse_concept(concept),
    )
