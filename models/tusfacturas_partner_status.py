import json
import logging
from contextlib import contextmanager

import psycopg2.errors

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from ..tusfacturas.matching import STATES, problem_states

_logger = logging.getLogger(__name__)

# How long a check waits for another transaction creating the same status.
BUSY_WAIT = "200ms"
INSERT_MISSING = """
    INSERT INTO tusfacturas_partner_status
           (partner_id, company_id, state, create_uid, write_uid, create_date, write_date)
    SELECT new.partner_id, %(company)s, 'not_checked', %(uid)s, %(uid)s,
           now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
      FROM unnest(%(partners)s) AS new(partner_id)
     WHERE NOT EXISTS (
           SELECT 1 FROM tusfacturas_partner_status s
            WHERE s.partner_id = new.partner_id AND s.company_id = %(company)s)
        ON CONFLICT (partner_id, company_id) DO NOTHING
    RETURNING id
"""

# res.partner fields showing the current company's status (see res_partner.py).
STATUS_FIELDS = {
    "tusfacturas_state": "state",
    "tusfacturas_balance": "tusfacturas_balance",
    "tusfacturas_odoo_balance": "odoo_balance",
    "tusfacturas_difference": "difference",
    "tusfacturas_last_sync": "last_check",
    "tusfacturas_error": "error_message",
}
STATUS_STATES = [
    ("not_checked", "Not checked"),
    ("ok", "In agreement"),
    ("mismatch", "With differences"),
    ("error", "Error"),
]


class TusFacturasPartnerStatus(models.Model):
    """The last check of a customer with TusFacturas, per company.

    The figures are those of the last successful check (``last_check``); a later
    failed attempt sets the state to error and ``last_attempt`` without presenting the
    old figures as new.
    """

    _name = "tusfacturas.partner.status"
    _description = "TusFacturas Check Status"
    _rec_name = "partner_id"
    _order = "last_check desc, id desc"

    partner_id = fields.Many2one("res.partner", string="Customer", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one("res.company", required=True, index=True, ondelete="cascade")
    currency_id = fields.Many2one(related="company_id.currency_id")
    state = fields.Selection(STATUS_STATES, required=True, default="not_checked")
    last_check = fields.Datetime(
        string="Figures From", help="When the figures were computed: the last successful check."
    )
    last_attempt = fields.Datetime(help="The last attempt to check this customer, successful or not.")
    check_run_id = fields.Many2one(
        "tusfacturas.check.run",
        string="Automatic Check Run",
        index=True,
        ondelete="set null",
        help="The automatic check run that last checked this customer: it is not called again in that run.",
    )
    tusfacturas_balance = fields.Monetary(
        string="TusFacturas Balance",
        aggregator=False,  # the same on every customer of a CUIT: see counted_tusfacturas_balance
        help="TusFacturas' own balance of the current account, in the company currency.",
    )
    odoo_balance = fields.Monetary(
        aggregator=False, help="The customers' receivable balance in Odoo, in the company currency."
    )
    difference = fields.Monetary(
        aggregator=False,
        help="What is compared, in the company currency: the documents totals' difference when documents are "
        "compared, the unexplained difference of the balances when balances are.",
    )
    explained_amount = fields.Monetary(
        string="Explained by the Items",
        aggregator=False,
        help="Withholdings, cheques, advances, exchange differences, write-offs... that explain the difference "
        "between the balances.",
    )
    unexplained_difference = fields.Monetary(
        aggregator=False, help="TusFacturas balance, less the explaining items, minus Odoo balance."
    )
    # Customers sharing a CUIT share one current account: its figures are counted on one of them
    # (the first), so that sums (the list's footer, the pivot) count each current account once.
    same_cuit_as_id = fields.Many2one(
        "res.partner",
        string="Same CUIT As",
        help="The customer whose row counts the figures of the current account this customer shares.",
    )
    counted_tusfacturas_balance = fields.Monetary(
        string="TusFacturas Balance (once per CUIT)",
        help="TusFacturas' balance, on the first customer of a CUIT only: sums count a current account once.",
    )
    counted_odoo_balance = fields.Monetary(
        string="Odoo Balance (once per CUIT)",
        help="Odoo's balance, on the first customer of a CUIT only: sums count a current account once.",
    )
    counted_difference = fields.Monetary(
        string="Difference (once per CUIT)",
        help="The difference, on the first customer of a CUIT only: sums count a current account once.",
    )
    total_ids = fields.One2many("tusfacturas.partner.status.total", "status_id", string="Balances per Currency")
    error_message = fields.Text()
    note_signature = fields.Char(
        help="The differences the last chatter note was about: a note is posted when they change.",
    )
    matched_count = fields.Integer(string="Matched")
    rounding_count = fields.Integer(string="Rounding Differences")
    other_customer_count = fields.Integer(string="In Odoo, on Another Customer")
    unrecognized_count = fields.Integer(string="Concepts Not Recognized")
    amount_mismatch_count = fields.Integer(string="Different Total")
    residual_mismatch_count = fields.Integer(string="Different Open Amount")
    missing_in_odoo_count = fields.Integer(string="Missing in Odoo")
    missing_in_tusfacturas_count = fields.Integer(string="Missing in TusFacturas")
    duplicate_in_tusfacturas_count = fields.Integer(string="Duplicated in TusFacturas")
    duplicate_in_odoo_count = fields.Integer(string="Duplicated in Odoo")
    not_a_document_count = fields.Integer(string="Not a Document")
    annulled_count = fields.Integer(string="Annulled")
    out_of_scope_count = fields.Integer(string="Out of Scope")
    user_id = fields.Many2one(related="partner_id.user_id", string="Salesperson", store=True, index=True)
    open_discrepancy_count = fields.Integer(string="Open Discrepancies", compute="_compute_open_discrepancy_count")

    _sql_constraints = [
        ("partner_company_uniq", "unique(partner_id, company_id)", "One status per customer and company."),
    ]

    def _compute_open_discrepancy_count(self):
        """Counted per CUIT and company, in one query: customers sharing a CUIT share them."""
        vats = self.partner_id._tusfacturas_vats()
        cuits = {status.id: vats.get(status.partner_id.id, False) for status in self}
        groups = (
            self.env["tusfacturas.discrepancy"]
            .sudo()
            ._read_group(
                [
                    ("state", "=", "open"),
                    ("company_id", "in", self.company_id.ids),
                    ("cuit", "in", list(set(cuits.values()) - {False})),
                ],
                groupby=["company_id", "cuit"],
                aggregates=["__count"],
            )
        )
        counts = {(company.id, cuit): count for company, cuit, count in groups}
        for status in self:
            status.open_discrepancy_count = counts.get((status.company_id.id, cuits[status.id]), 0)

    def action_open_ledger(self):
        """A fresh TusFacturas current account of this customer: a billed call."""
        self.ensure_one()
        ledger = self.env["tusfacturas.ledger"]._open_for(self.partner_id, self.company_id)
        return ledger._get_window_action()

    def action_open_discrepancies(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "tusfacturas_cuenta_corriente.action_tusfacturas_discrepancy"
        )
        action["domain"] = [("company_id", "=", self.company_id.id), ("cuit", "=", self.partner_id.l10n_ar_vat)]
        action["context"] = {"search_default_open": 1}
        return action

    @api.model
    def _get_or_create(self, partners, company):
        """The statuses of ``partners`` in ``company``, creating the missing ones in one
        query that two transactions can run at once (``INSERT ... ON CONFLICT DO NOTHING``)."""
        self._insert_missing(partners, company)
        return self.search([("partner_id", "in", partners.ids), ("company_id", "=", company.id)])

    @api.model
    def _insert_missing(self, partners, company, skip_busy=False):
        """Create the missing statuses of ``partners`` in ``company``, race-free.

        With ``skip_busy``, statuses another transaction is creating right now are left to
        it instead of waiting for it (the scheduled check takes those customers later).
        """
        if not partners:
            return
        self.flush_model()
        params = {"company": company.id, "uid": self.env.uid, "partners": partners.ids}
        if not skip_busy:
            self._execute_insert(params)
            return
        if self._try_insert(params):
            return
        # One of them is being created by another transaction: the others one by one.
        for partner in partners:
            if not self._try_insert(dict(params, partners=partner.ids)):
                _logger.info("TusFacturas status of partner %s being created elsewhere: taken later.", partner.id)

    def _try_insert(self, params):
        try:
            with self._busy_wait():
                self._execute_insert(params, log_exceptions=False)
        except (psycopg2.errors.LockNotAvailable, psycopg2.errors.SerializationFailure):
            return False
        return True

    def _execute_insert(self, params, log_exceptions=True):
        """Run ``INSERT_MISSING``; the rows it created get their stored computed fields (the
        salesperson, ...) computed as ``create`` would."""
        self.env.cr.execute(INSERT_MISSING, params, log_exceptions=log_exceptions)
        created = self.browse(row[0] for row in self.env.cr.fetchall())
        for field in self._fields.values():
            if field.store and field.compute and created:
                self.env.add_to_compute(field, created)

    @contextmanager
    def _busy_wait(self):
        """A savepoint in which waiting for a row another transaction holds fails fast
        (``LockNotAvailable``) instead of waiting for that transaction to end."""
        cr = self.env.cr
        with cr.savepoint(flush=False):
            # One query: the subquery (OFFSET 0 keeps it apart) reads the setting before it changes.
            cr.execute(
                "SELECT p.previous, set_config('lock_timeout', %s, true) "
                "FROM (SELECT current_setting('lock_timeout') AS previous OFFSET 0) p",
                [BUSY_WAIT],
            )
            previous = cr.fetchone()[0]
            yield
            cr.execute("SELECT set_config('lock_timeout', %s, true)", [previous])

    @api.model
    def _check_tusfacturas_access(self):
        """Every TusFacturas call is billed: only Billing users (and above) trigger them."""
        if self.env.su or self.env.user.has_group("account.group_account_invoice"):
            return
        raise AccessError(
            self.env._(
                "Only users with Billing rights can check customers with TusFacturas: every check is a billed call."
            )
        )

    @api.model
    def _lock_for_check(self, partners, company, skip_busy=False):
        """Take the right to check ``partners`` (commercial) with ``company``'s credentials,
        before any call to TusFacturas: check the user's rights, read Odoo's side, then
        create and lock their statuses until the end of the transaction, so that nobody
        else calls TusFacturas for them meanwhile and the results can always be written.

        A customer being checked by another transaction raises a clear error at once (a user
        waits for the answer); with ``skip_busy`` (the scheduled check), it is left out
        instead. Returns the customers locked.
        """
        self._check_tusfacturas_access()
        if not self.env.su and company not in self.env.user.company_ids:
            raise AccessError(
                self.env._("You cannot check customers of the company %(company)s.", company=company.name)
            )
        partners.check_access("read")
        self.env["account.move"].check_access("read")
        if not partners:
            return partners
        self.flush_model()
        params = {"company": company.id, "uid": self.env.uid, "partners": partners.ids}
        if skip_busy:
            return self._lock_free(partners, company, params)
        try:
            with self._busy_wait():
                self.env.cr.execute(
                    "SELECT id FROM tusfacturas_partner_status WHERE company_id = %(company)s "
                    "AND partner_id = ANY(%(partners)s) FOR UPDATE NOWAIT",
                    params,
                    log_exceptions=False,
                )
                # Rows created here are this transaction's, hence locked by it.
                self._execute_insert(params, log_exceptions=False)
            return partners
        except psycopg2.errors.LockNotAvailable:
            if len(partners) == 1:
                message = self.env._("TusFacturas is already checking this customer, try again in a minute.")
            else:
                message = self.env._("TusFacturas is already checking some of these customers, try again in a minute.")
            raise UserError(message) from None

    def _lock_free(self, partners, company, params):
        """Lock the statuses of those of ``partners`` nobody else is checking; return them."""
        self._insert_missing(partners, company, skip_busy=True)  # those being created elsewhere: busy
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(
                    "SELECT partner_id FROM tusfacturas_partner_status WHERE company_id = %(company)s "
                    "AND partner_id = ANY(%(partners)s) FOR UPDATE SKIP LOCKED",
                    params,
                    log_exceptions=False,
                )
                locked = [row[0] for row in self.env.cr.fetchall()]
        except psycopg2.errors.SerializationFailure:
            # A status changed since this transaction began: none is taken this time.
            locked = []
        return partners.browse(locked)

    @api.model
    def _store(self, partners, company, results):
        """Record ``results`` (partner id -> Reconciliation or error message) for ``partners``.

        A customer with differences gets a note in its chatter when the differences
        change (not again after an error in between).
        """
        now = fields.Datetime.now()
        to_note = self.browse()
        totals = {}  # status -> its totals per currency
        # The first customer of each result (customers sharing a CUIT share it) counts its figures.
        first = {}
        for partner_id, result in sorted(results.items()):
            if not isinstance(result, str):
                first.setdefault(id(result), partner_id)
        # Statuses are the system's record of what was checked: users read them, only
        # checks write them.
        statuses = self.sudo()._get_or_create(partners, company)
        for status in statuses:
            result = results[status.partner_id.id]
            if isinstance(result, str):
                status.write({"state": "error", "error_message": result, "last_attempt": now})
                continue
            state = "ok" if result.is_ok else "mismatch"
            signature = _signature(result) if state == "mismatch" else False
            if signature and signature != status.note_signature:
                to_note |= status
            statement = result.statement
            counted = first[id(result)] == status.partner_id.id
            status.write({
                "state": state,
                "error_message": False,
                "last_check": now,
                "last_attempt": now,
                "tusfacturas_balance": statement.tusfacturas,
                "odoo_balance": statement.odoo,
                "difference": result.difference,
                "explained_amount": result.currency.round(statement.explained),
                "unexplained_difference": result.currency.round(statement.unexplained),
                "same_cuit_as_id": False if counted else first[id(result)],
                "counted_tusfacturas_balance": statement.tusfacturas if counted else 0.0,
                "counted_odoo_balance": statement.odoo if counted else 0.0,
                "counted_difference": result.difference if counted else 0.0,
                "note_signature": signature,
                **{f"{state}_count": count for state, count in result.counts.items()},
            })  # fmt: skip
            totals[status] = result.totals
        self.env["tusfacturas.partner.status.total"].sudo()._replace(totals)
        # The partners' status fields are computed from these rows: not from a stale cache.
        self.env["res.partner"].invalidate_model(list(STATUS_FIELDS))
        to_note._post_mismatch_note()
        self.env["tusfacturas.discrepancy"]._sync(company, results)

    def _post_mismatch_note(self):
        """Post the differences on each customer's chatter: counts and currencies only,
        never balances, since the partner may be shared with another company's users."""
        labels = dict(self.env["tusfacturas.ledger.line"]._fields["match_state"]._description_selection(self.env))
        for status in self:
            problems = problem_states(status.company_id.tusfacturas_compare_mode)
            counts = ", ".join(
                f"{labels[state]}: {status[state + '_count']}"
                for state in STATES
                if state in problems and status[state + "_count"]
            )
            currencies = ", ".join(
                total.currency_id.name for total in status.total_ids if not total.currency_id.is_zero(total.difference)
            )
            body = status.env._(
                "TusFacturas and Odoo disagree for %(company)s: a difference in %(currencies)s. Rows: %(counts)s.",
                company=status.company_id.name,
                currencies=currencies or status.env._("no balance"),
                counts=counts or status.env._("none"),
            )
            status.partner_id.sudo().message_post(body=body, message_type="comment", subtype_xmlid="mail.mt_note")


def _signature(result):
    """What a note about ``result``'s differences is about: differences per currency and
    the counts of rows with problems."""
    differences = sorted((currency.name, total.difference) for currency, total in result.totals.items())
    problems = problem_states(result.comparison.mode)
    counts = sorted((state, count) for state, count in result.counts.items() if state in problems)
    return json.dumps([result.difference, differences, counts])
