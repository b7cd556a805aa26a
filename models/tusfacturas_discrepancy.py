import operator
from collections import Counter

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

from ..tusfacturas.matching import (
    AMOUNT_MISMATCH,
    DUPLICATE_IN_ODOO,
    DUPLICATE_IN_TUSFACTURAS,
    MISSING_IN_ODOO,
    MISSING_IN_TUSFACTURAS,
    OTHER_CUSTOMER,
    RESIDUAL_MISMATCH,
    problem_states,
)
from ..tusfacturas.voucher_check import (
    CURRENCY_MISMATCH,
    CUSTOMER_MISMATCH,
    DATE_MISMATCH,
    FAILED_VOUCHER,
    NUMBERING_GAP,
    QUEUED_VOUCHER,
)
from ..tusfacturas.vouchers import type_name_of
from .tusfacturas_reconciliation import currency_rounder

KINDS = [
    (AMOUNT_MISMATCH, "Different total"),
    (RESIDUAL_MISMATCH, "Different open amount"),
    (MISSING_IN_ODOO, "Missing in Odoo"),
    (OTHER_CUSTOMER, "In Odoo, on another customer"),
    (MISSING_IN_TUSFACTURAS, "Missing in TusFacturas"),
    (DUPLICATE_IN_TUSFACTURAS, "Duplicated in TusFacturas"),
    (DUPLICATE_IN_ODOO, "Duplicated in Odoo"),
    # What the voucher check finds besides (tusfacturas.voucher.run).
    (DATE_MISMATCH, "Different date"),
    (CURRENCY_MISMATCH, "Different currency or rate"),
    (CUSTOMER_MISMATCH, "Different customer"),
    (QUEUED_VOUCHER, "Queued in TusFacturas"),
    (FAILED_VOUCHER, "Failed in TusFacturas"),
    (NUMBERING_GAP, "Numbering gap"),
]
SOURCES = [("ledger", "Current account"), ("voucher", "Vouchers")]
# What the voucher check says about a voucher, besides the fields the ledger check writes too.
VOUCHER_FIELDS = (
    "account_id", "check_day", "odoo_date", "voucher_currency", "voucher_rate", "odoo_rate", "voucher_customer",
    "voucher_status", "other_period", "gap_first", "gap_last",
)  # fmt: skip
# A customer without a document number (an anonymous consumidor final, a numbering gap).
NO_DOCUMENT = "0"
# What a check says about a document: only checks write these (users work the rest).
FOUND_FIELDS = (
    "kind", "currency_id", "document_type_id", "point_of_sale", "document_number", "name", "date",
    "tusfacturas_date", "tusfacturas_concept", "tusfacturas_amount", "tusfacturas_residual",
    "move_id", "odoo_amount", "odoo_residual", "difference",
)  # fmt: skip
# Everything a check finds about a discrepancy, in the order _found_before reads it.
FOUND_KEYS = ("partner_id", *FOUND_FIELDS)
_FOUND_GETTER = operator.itemgetter(*FOUND_KEYS)  # what a check found, as _found_before reads it
# A dismissed discrepancy is reopened when one of these changes.
AMOUNT_FIELDS = ("kind", "tusfacturas_amount", "tusfacturas_residual", "odoo_amount", "odoo_residual", "difference")
# State a user may set -> the states it may be set from.
USER_TRANSITIONS = {"dismissed": ("open",), "open": ("dismissed",)}
# Open first, then dismissed, then resolved (the list's order).
STATE_SEQUENCE = {"open": 1, "dismissed": 2, "resolved": 3}
# Written when a voucher is created in Odoo from a discrepancy (issue 21), by that action only.
IMPORT_FIELDS = frozenset({"created_move_id"})
CHECK_FIELDS = frozenset(
    (*FOUND_FIELDS, *VOUCHER_FIELDS, "company_id", "partner_id", "cuit", "key", "source", "first_seen", "last_seen",
     "resolved_date")
)  # fmt: skip


class TusFacturasDiscrepancy(models.Model):
    """One difference between TusFacturas and Odoo about one document.

    Two checks find them: the customers' current accounts (the ledger button, the list action,
    the scheduled action: :meth:`_sync`), keyed by company, CUIT (TusFacturas keys current
    accounts by CUIT: customers sharing one share its discrepancies) and document; and the
    vouchers of each TusFacturas account (``tusfacturas.voucher.run``: :meth:`_sync_vouchers`),
    keyed by account, kind and voucher, whoever the customer (its CUIT or DNI kept in ``cuit``).
    Users dismiss them, assign them and discuss them.
    """

    _name = "tusfacturas.discrepancy"
    _description = "TusFacturas Discrepancy"
    _inherit = ["mail.thread", "mail.activity.mixin", "tusfacturas.check.record"]
    _order = "state_sequence, last_seen desc, date desc, id desc"

    name = fields.Char(string="Document", required=True, readonly=True)
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True, ondelete="cascade")
    partner_id = fields.Many2one(
        "res.partner", string="Customer", readonly=True, index=True, ondelete="cascade",
        help="Empty for a voucher of a customer Odoo does not have.",
    )  # fmt: skip
    cuit = fields.Char(
        string="CUIT/DNI", required=True, readonly=True, index=True, help="The customer's document number (0: none)."
    )
    key = fields.Char(required=True, readonly=True, help="The document: AFIP code, point of sale and number.")
    kind = fields.Selection(KINDS, required=True, readonly=True, tracking=True)
    source = fields.Selection(
        SOURCES, string="Found By", required=True, default="ledger", readonly=True, index=True,
        help="Current account: the check of a customer's TusFacturas current account. Vouchers: the check of "
        "every voucher a TusFacturas account issued.",
    )  # fmt: skip
    account_id = fields.Many2one(
        "tusfacturas.account", string="TusFacturas Account", readonly=True, index="btree_not_null",
        ondelete="restrict",  # their history stays: archive an account rather than delete it
    )  # fmt: skip
    # Indexed: each day's check reads the discrepancies it found that day before (_sync_vouchers),
    # among all of its account's, which grow with the years.
    check_day = fields.Date(readonly=True, index="btree_not_null", help="The day of vouchers whose check found it.")
    odoo_date = fields.Date(readonly=True)
    voucher_currency = fields.Char(string="TusFacturas Currency", readonly=True, help="The voucher's moneda.")
    voucher_rate = fields.Float(
        string="TusFacturas Rate", digits=(16, 6), readonly=True, help="The voucher's cotización."
    )
    odoo_rate = fields.Float(digits=(16, 6), readonly=True, help="Pesos per unit, in Odoo.")
    voucher_customer = fields.Char(string="TusFacturas Customer", readonly=True)
    voucher_status = fields.Char(string="TusFacturas Status", readonly=True)
    other_period = fields.Boolean(
        string="Another IVA Period", readonly=True, help="TusFacturas and Odoo date the voucher in different months."
    )
    gap_first = fields.Integer(string="First Missing Number", readonly=True, aggregator=False)
    gap_last = fields.Integer(string="Last Missing Number", readonly=True, aggregator=False)
    state = fields.Selection(
        [("open", "Open"), ("resolved", "Resolved"), ("dismissed", "Dismissed")],
        required=True,
        default="open",
        readonly=True,
        tracking=True,
        index=True,
    )
    state_sequence = fields.Integer(compute="_compute_state_sequence", store=True)
    user_id = fields.Many2one(
        "res.users", string="Responsible", tracking=True, index=True, domain="[('share', '=', False)]"
    )
    currency_id = fields.Many2one(
        "res.currency", required=True, readonly=True, help="The currency the document was compared in."
    )
    document_type_id = fields.Many2one("l10n_latam.document.type", readonly=True)
    point_of_sale = fields.Integer(readonly=True, aggregator=False)
    document_number = fields.Integer(readonly=True, aggregator=False)
    date = fields.Date(string="Document Date", readonly=True)
    tusfacturas_date = fields.Date(string="TusFacturas Date", readonly=True)
    tusfacturas_concept = fields.Char(string="TusFacturas Concept", readonly=True)
    tusfacturas_amount = fields.Monetary(
        string="TusFacturas Amount", readonly=True, help="Debit minus credit of the TusFacturas row."
    )
    tusfacturas_residual = fields.Monetary(string="TusFacturas Open Amount", readonly=True)
    move_id = fields.Many2one("account.move", string="Odoo Document", readonly=True, index="btree_not_null")
    odoo_amount = fields.Monetary(string="Odoo Total", readonly=True, help="Signed: credit notes are negative.")
    odoo_residual = fields.Monetary(string="Odoo Open Amount", readonly=True)
    difference = fields.Monetary(readonly=True, help="TusFacturas amount minus Odoo's signed total.")
    # Indexed for the run summaries' counts of what is new or resolved since a run began.
    first_seen = fields.Datetime(readonly=True, index=True, help="The check that found it first.")
    last_seen = fields.Datetime(readonly=True, help="The last check that found it.")
    resolved_date = fields.Datetime(
        string="Resolved On", readonly=True, index="btree_not_null", help="The first check that no longer found it."
    )
    dismiss_reason = fields.Text(string="Reason", readonly=True, tracking=True)
    dismissed_by_id = fields.Many2one("res.users", readonly=True)
    dismissed_date = fields.Datetime(string="Dismissed On", readonly=True)

    _sql_constraints = [
        ("document_uniq", "unique(company_id, cuit, key)", "One discrepancy per company, CUIT and document."),
    ]

    def init(self):
        """What the voucher check found is keyed by account and key (kind and voucher), whatever
        the customer's document: one such discrepancy per account and key (an index of
        PostgreSQL's, with the condition no ``_sql_constraints`` can say)."""
        self.env.cr.execute(
            "CREATE UNIQUE INDEX IF NOT EXISTS tusfacturas_discrepancy_voucher_uniq "
            "ON tusfacturas_discrepancy (account_id, key) WHERE account_id IS NOT NULL"
        )

    @api.depends("state")
    def _compute_state_sequence(self):
        for discrepancy in self:
            discrepancy.state_sequence = STATE_SEQUENCE.get(discrepancy.state, 9)

    # ------------------------------------------------------------------
    # Users work them; only checks make them
    # ------------------------------------------------------------------

    def _user_may_write(self, fnames):
        return not fnames & (CHECK_FIELDS | IMPORT_FIELDS)

    def _create_denied_message(self):
        return self.env._("Discrepancies are found by the checks with TusFacturas, not created.")

    def _write_denied_message(self):
        return self.env._("What a discrepancy says is what the check with TusFacturas found: it cannot be changed.")

    def write(self, vals):
        """Of the state, users only dismiss and reopen (what else they may write: the mixin,
        whose refusal comes first)."""
        state = vals.get("state")
        if (
            state
            and not self.env.su
            and self._user_may_write(set(vals))
            and any(d.state not in (state, *USER_TRANSITIONS.get(state, ())) for d in self)
        ):
            raise AccessError(
                self.env._(
                    "Users dismiss open discrepancies and reopen dismissed ones; a discrepancy is resolved "
                    "when a check with TusFacturas no longer finds it."
                )
            )
        return super().write(vals)

    def action_dismiss(self, reason):
        """Dismiss these open discrepancies: they stay dismissed while their amounts stay the same."""
        reason = (reason or "").strip()
        if not reason:
            raise UserError(self.env._("Say why the discrepancies are dismissed."))
        to_dismiss = self.filtered(lambda d: d.state == "open")
        to_dismiss.write({
            "state": "dismissed",
            "dismiss_reason": reason,
            "dismissed_by_id": self.env.uid,
            "dismissed_date": fields.Datetime.now(),
        })  # fmt: skip
        return to_dismiss

    def action_reopen(self):
        self.filtered(lambda d: d.state == "dismissed").write({"state": "open"})

    def action_assign(self, user):
        """Make ``user`` responsible for these discrepancies, with a to-do activity on each."""
        self.write({"user_id": user.id})
        for discrepancy in self:
            discrepancy.activity_schedule(
                "mail.mail_activity_data_todo",
                user_id=user.id,
                summary=self.env._("Check this TusFacturas discrepancy"),
            )

    def action_open_move(self):
        self.ensure_one()
        return self.move_id._get_records_action()

    def action_open_ledger(self):
        """A fresh TusFacturas current account of the customer (a billed call)."""
        self.ensure_one()
        ledger = self.env["tusfacturas.ledger"]._open_for(self.partner_id, self.company_id)
        return ledger._get_window_action()

    # ------------------------------------------------------------------
    # Checks write them
    # ------------------------------------------------------------------

    @api.model
    def _sync(self, company, results):
        """Record what the checks of ``results`` (partner id -> Reconciliation or error message)
        found in ``company``: new discrepancies are created, those found again updated, those
        no longer found resolved. A customer whose check failed keeps its discrepancies.

        Queries do not grow with the discrepancies found again: one read of those found before,
        one UPDATE of when they were last seen; those that change (amounts, state) and new ones
        go through ``write`` and ``create``, a query per hundred.
        """
        # The statuses first: their rows' locks serialise two checks of the same customer, so
        # the second one fails as a concurrent update (which Odoo retries) instead of tripping
        # over the first one's discrepancies.
        self.env["tusfacturas.partner.status"].flush_model()
        now = fields.Datetime.now()
        groups = {}  # id(result) -> (result, partners): customers sharing a CUIT share a result
        for partner_id, result in results.items():
            if not isinstance(result, str):
                groups.setdefault(id(result), (result, []))[1].append(partner_id)
        if not groups:
            return
        checked = self.env["res.partner"].browse(sorted({pid for _r, pids in groups.values() for pid in pids}))
        vats = checked.commercial_partner_id._tusfacturas_vats()
        problems = []  # (CUIT, its first customer, its matches with a problem)
        for result, partner_ids in groups.values():
            partners = checked.filtered(lambda p, ids=partner_ids: p.id in ids).commercial_partner_id
            states = problem_states(result.comparison.mode)
            matches = [match for match in result.matches if match.state in states]
            problems.append((vats.get(partners[:1].id, False), partners[:1], matches))
        # The document types of the whole batch in one query; the Odoo documents carry theirs.
        matches = [match for _cuit, _partner, group_matches in problems for match in group_matches]
        types = self.env["tusfacturas.ledger"]._document_types({key[0] for m in matches if (key := _key_of(m))})
        found = {}  # (cuit, key) -> values
        for cuit, partner, group_matches in problems:
            for key, values in self._found_values(group_matches, partner, types).items():
                found[cuit, key] = values
        # What the voucher check reports the same way about the same document is its own: one work item.
        owned = self._found_by_voucher_check(company, {f"{v['kind']}/{key}" for (_cuit, key), v in found.items()})
        found = {(cuit, key): v for (cuit, key), v in found.items() if f"{v['kind']}/{key}" not in owned}
        cuits = sorted({cuit for cuit, _partner, _matches in problems})
        Discrepancy = self.sudo().with_context(tracking_disable=True, mail_create_nosubscribe=True)
        existing = Discrepancy._found_before(company, cuits)
        seen_again_ids, reopened_ids, changes = [], [], {}
        for (cuit, key), values in found.items():
            before = existing.get((cuit, key))
            if not before:
                continue
            discrepancy_id, state, before_values = before
            # Amounts are rounded in their currency on both sides, no value is False: plain equality.
            found_values = _FOUND_GETTER(values)
            changed = {}
            if found_values != before_values:
                changed = {
                    name: value
                    for name, value, old in zip(FOUND_KEYS, found_values, before_values, strict=True)
                    if value != old
                }
            if state == "resolved" or (state == "dismissed" and any(name in changed for name in AMOUNT_FIELDS)):
                reopened_ids.append(discrepancy_id)  # a dismissal's reason stays, for the record
            if changed:
                changes[discrepancy_id] = changed
            seen_again_ids.append(discrepancy_id)
        # Values kept in cache (the records prefetched together): one UPDATE per set of fields.
        for discrepancy in Discrepancy.browse(changes):
            discrepancy.write(changes[discrepancy.id])
        seen = set(seen_again_ids)
        gone_ids = [d_id for d_id, state, _values in existing.values() if state != "resolved" and d_id not in seen]
        Discrepancy._set_last_seen(seen_again_ids, now)
        # Changes of state and new discrepancies go through the ORM (automation rules, other
        # modules' overrides): one UPDATE, one INSERT per hundred of them.
        if reopened_ids:
            Discrepancy.browse(reopened_ids).write({"state": "open", "resolved_date": False})
        if gone_ids:
            Discrepancy.browse(gone_ids).write({"state": "resolved", "resolved_date": now})
        Discrepancy.create([
            dict(values, company_id=company.id, cuit=cuit, key=key, first_seen=now, last_seen=now)
            for (cuit, key), values in found.items()
            if (cuit, key) not in existing
        ])  # fmt: skip

    @api.model
    def _sync_vouchers(self, account, day, findings, partners, covers=None):
        """Record what the voucher check of ``account``'s ``day`` found (``voucher_check.Finding``
        values; ``partners``: ``{document number: commercial partner id}`` of their customers):
        new discrepancies are created, those found again updated (reopened when resolved, or
        when dismissed and their amounts changed), those this day's check found before and no
        longer finds resolved; a numbering gap only if the check ``covers(afip code, first,
        last)`` it (it knew the numbers around it). Returns ``(new, resolved)`` counts."""
        now = fields.Datetime.now()
        found = self._voucher_values(account, day, findings, partners)
        Discrepancy = self.sudo().with_context(tracking_disable=True, mail_create_nosubscribe=True)
        before = Discrepancy.search(
            [
                ("account_id", "=", account.id),
                "|",
                ("key", "in", list(found)),
                "&",
                ("check_day", "=", day),
                ("state", "!=", "resolved"),
            ]
        )
        by_key = {discrepancy.key: discrepancy for discrepancy in before}
        new, fresh = [], []  # fresh: what this check reports anew (created or reopened)
        for key, values in found.items():
            discrepancy = by_key.pop(key, None)
            if discrepancy is None:
                new.append(dict(values, key=key, first_seen=now, last_seen=now))
                fresh.append(key)
                continue
            changed = {name: value for name, value in values.items() if _stored(discrepancy, name) != value}
            state = discrepancy.state
            if state == "resolved" or (state == "dismissed" and any(name in changed for name in AMOUNT_FIELDS)):
                changed.update(state="open", resolved_date=False)
                fresh.append(key)
            discrepancy.write(dict(changed, last_seen=now))
        if fresh:
            fresh_keys = set(fresh)
            # What the current accounts' check reported first the same way about the same document
            # is the voucher check's from now on (that check then leaves it to this one): one work item.
            twins = Discrepancy.search(
                [
                    ("company_id", "=", account.company_id.id),
                    ("cuit", "in", list({found[key]["cuit"] for key in fresh})),
                    ("key", "in", [key.split("/", 1)[1] for key in fresh]),
                    ("source", "=", "ledger"),
                    ("state", "=", "open"),
                ]
            ).filtered(lambda twin: f"{twin.kind}/{twin.key}" in fresh_keys)
            twins.write({"state": "resolved", "resolved_date": now})
        gone = Discrepancy.union(*(d for d in by_key.values() if d.state != "resolved" and _resolvable(d, covers)))
        gone.write({"state": "resolved", "resolved_date": now})
        Discrepancy.create(new)
        return len(new), len(gone)

    @api.model
    def _voucher_values(self, account, day, findings, partners):
        """``{key: values}`` of the voucher check's ``findings`` of ``account``'s ``day``."""
        company = account.company_id
        codes = {finding.key[0] for finding in findings}
        types = self.env["tusfacturas.ledger"]._document_types(set(codes))
        afip_currencies = {
            source.currency for finding in findings for source in (finding.voucher, finding.document) if source
        }
        currencies = {
            currency.l10n_ar_afip_code: currency
            for currency in self.env["res.currency"]
            .with_context(active_test=False)
            .search([("l10n_ar_afip_code", "in", list(afip_currencies))])
        }
        found = {}
        for finding in findings:
            voucher, document = finding.voucher, finding.document
            code, point_of_sale, number = finding.key[:3]
            # Amounts in the voucher's currency; in pesos when Odoo's document is in another one.
            in_pesos = bool(voucher and document and voucher.currency != document.currency)
            source = voucher or document
            currency = company.currency_id
            if source and not in_pesos:
                currency = currencies.get(source.currency, currency)
            round_amount = currency_rounder(currency.rounding)
            amount = voucher and (voucher.total * voucher.rate if in_pesos else voucher.total)
            odoo_amount = document and (document.total * document.rate if in_pesos else document.total)
            customer = voucher.customer if voucher else None
            document_number = (customer and customer.number) or (document and document.customer_number)
            found[f"{finding.kind}/{finding.key_text}"] = {
                "source": "voucher",
                "company_id": company.id,
                "account_id": account.id,
                "check_day": day,
                "kind": finding.kind,
                "partner_id": (document and document.partner_id) or partners.get(document_number) or False,
                "cuit": document_number or NO_DOCUMENT,
                "currency_id": currency.id,
                "document_type_id": types.get(code, False),
                "point_of_sale": point_of_sale,
                "document_number": finding.first if finding.kind == NUMBERING_GAP else number or 0,
                "name": self._voucher_name(finding),
                "date": finding.date or day,
                "tusfacturas_date": voucher.date if voucher else False,
                "odoo_date": document.date if document else False,
                "tusfacturas_amount": round_amount(amount) if voucher else 0.0,
                "odoo_amount": round_amount(odoo_amount) if document else 0.0,
                "difference": round_amount(finding.difference) if finding.difference is not None else 0.0,
                "move_id": document.id if document else False,
                "voucher_currency": voucher.currency if voucher else False,
                "voucher_rate": voucher.rate if voucher else 0.0,
                "odoo_rate": document.rate if document else 0.0,
                "voucher_customer": (
                    customer and " ".join(filter(None, (customer.doc_type, customer.number, customer.name)))
                )
                or False,
                "voucher_status": voucher.status_text if voucher else False,
                "other_period": finding.other_period,
                "gap_first": finding.first or 0,
                "gap_last": finding.last or 0,
            }
        return found

    def _voucher_name(self, finding):
        """How users name what a finding is about: "FACTURA A 00002-00000012", or the range of a gap."""
        code, point_of_sale, number = finding.key[:3]
        if finding.document and not finding.voucher:
            return finding.document.name
        type_name = finding.voucher.type_name if finding.voucher else type_name_of(code) or code
        if finding.kind == NUMBERING_GAP:
            first, last = (f"{point_of_sale:05d}-{n:08d}" for n in (finding.first, finding.last))
            return self.env._("%(type)s %(first)s to %(last)s", type=type_name, first=first, last=last)
        if number is None:  # a voucher TusFacturas has not numbered yet: its fingerprint
            return f"{type_name} {finding.key[3]}"
        return f"{type_name} {point_of_sale:05d}-{number:08d}"

    @api.model
    def _found_by_voucher_check(self, company, keys):
        """Which of the voucher check's ``keys`` (``"<kind>/<document>"``) it has open or dismissed
        in ``company``: one query."""
        if not keys:
            return set()
        found = self.sudo().search_fetch(
            [("account_id", "in", self._voucher_accounts(company)), ("key", "in", sorted(keys)),
             ("source", "=", "voucher"), ("state", "in", ("open", "dismissed"))],
            ["key"],
        )  # fmt: skip
        return set(found.mapped("key"))

    @api.model
    def _voucher_accounts(self, company):
        """``company``'s TusFacturas accounts, archived ones too, as a subquery: the voucher check's
        discrepancies are found by account and key (their unique index), not by the company's
        every discrepancy (10 ms a query with 25,000 of them, tools/bench)."""
        return (
            self.env["tusfacturas.account"]
            .sudo()
            .with_context(active_test=False)
            ._search([("company_id", "=", company.id)])
        )

    @api.model
    def _found_before(self, company, cuits):
        """``{(cuit, key): (id, state, values of FOUND_KEYS)}``: what the earlier checks of current
        accounts found for ``cuits`` in ``company``, in one query whatever their number (no
        records built). What the voucher check found is its own (:meth:`_sync_vouchers`)."""
        self.flush_model()
        self.env.cr.execute(
            SQL(
                "SELECT %s FROM %s WHERE company_id = %s AND cuit = ANY(%s) AND source = 'ledger'",
                SQL(", ").join(SQL.identifier(name) for name in ("cuit", "key", "id", "state", *FOUND_KEYS)),
                SQL.identifier(self._table),
                company.id,
                cuits,
            )
        )
        return {(cuit, key): (d_id, state, tuple(values)) for cuit, key, d_id, state, *values in self.env.cr.fetchall()}

    def _set_last_seen(self, ids, now):
        """Record that the check of ``now`` found the discrepancies ``ids`` again: one UPDATE
        whatever their number (the ORM would write them by hundreds). Only the check's own
        bookkeeping is written so: what users act on (state, amounts) goes through ``write``."""
        if not ids:
            return
        records = self.browse(ids)
        fnames = ["last_seen", "write_uid", "write_date"]
        records.flush_recordset(fnames)
        self.env.cr.execute(
            SQL(
                "UPDATE %s SET last_seen = %s, write_uid = %s, write_date = %s WHERE id = ANY(%s)",
                SQL.identifier(self._table),
                now,
                self.env.uid,
                self.env.cr.now(),
                list(ids),
            )
        )
        records.invalidate_recordset(fnames)

    @api.model
    def _found_values(self, matches, default_partner, types):
        """``{key: values}`` of the ``matches`` with a problem of one CUIT; ``types`` maps AFIP
        codes to document types."""
        occurrences = Counter()
        found, rounders = {}, {}
        for match in matches:
            doc_key = _key_of(match)
            move = match.document
            base = _format_key(doc_key) if doc_key else f"move-{move.id}" if move else _row_key(match.row)
            occurrences[base] += 1
            key = base if occurrences[base] == 1 else f"{base}#{occurrences[base]}"
            row = match.row
            round_amount = rounders.get(match.currency_id)
            if not round_amount:
                round_amount = rounders[match.currency_id] = currency_rounder(
                    self.env["res.currency"].browse(match.currency_id).rounding
                )
            odoo_total, odoo_residual = match.odoo_amounts
            sign = move.sign if move else 1
            found[key] = {
                "partner_id": (move and move.partner_id) or default_partner.id,
                "kind": match.state,
                "currency_id": match.currency_id,
                "document_type_id": (types.get(doc_key[0]) if doc_key else None)
                or (move and move.document_type_id)
                or None,
                "point_of_sale": doc_key[1] if doc_key else 0,
                "document_number": doc_key[2] if doc_key else 0,
                "name": (row.concept if row else move.name) or key,
                "date": match.date,
                "tusfacturas_date": row.date if row else None,
                "tusfacturas_concept": row.concept if row else None,
                "tusfacturas_amount": round_amount(row.amount) if row else 0.0,
                "tusfacturas_residual": round_amount(row.residual) if row else 0.0,
                "move_id": move.id if move else None,
                "odoo_amount": round_amount(sign * odoo_total),
                "odoo_residual": round_amount(odoo_residual),
                "difference": round_amount(match.difference),
            }
        return found

    # ------------------------------------------------------------------
    # Issue 21: the voucher in Odoo as a draft (see tusfacturas.voucher.import)
    # ------------------------------------------------------------------

    created_move_id = fields.Many2one(
        "account.move", string="Created in Odoo", readonly=True, copy=False, index="btree_not_null",
        ondelete="set null", help="The Odoo document created from TusFacturas' voucher.",
    )  # fmt: skip

    def action_create_odoo_document(self):
        """ "Create Draft in Odoo" (the button of a Missing in Odoo discrepancy, and its list action):
        TusFacturas' voucher, fetched with its detail, as a draft Odoo document; the one Odoo already
        has is opened instead."""
        return self.env["tusfacturas.voucher.import"]._create_documents(self)

    def action_open_created_move(self):
        self.ensure_one()
        return self.created_move_id._get_records_action()


def _key_of(match):
    """(AFIP code, point of sale, number) of the document a match is about, or None."""
    ref = match.row.document if match.row else None
    if ref and ref.afip_code:
        return ref.key
    return match.document.key if match.document else None


def _format_key(key):
    code, pos, number = key
    return f"{code}-{pos:05d}-{number:08d}"


def _row_key(row):
    return f"row-{row.date.isoformat()}-{row.concept}"


def _stored(record, name):
    """``record``'s value of ``name`` as ``create`` and ``write`` take it (ids for many2ones)."""
    value = record[name]
    return value.id if isinstance(value, models.BaseModel) else value


def _resolvable(discrepancy, covers):
    """Whether a check that no longer finds ``discrepancy`` resolves it: a numbering gap only
    when the check knew the numbers around it (``covers``)."""
    if discrepancy.kind != NUMBERING_GAP or covers is None:
        return True
    code = discrepancy.key.split("/", 1)[1].split("-", 1)[0]  # "numbering_gap/<code>-<pos>-<first>"
    return covers(code, discrepancy.gap_first, discrepancy.gap_last)
