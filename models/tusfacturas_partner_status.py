import logging
from contextlib import contextmanager

import psycopg2.errors

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import format_amount

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
"""

STATUS_STATES = [
    ("not_checked", "Not checked"),
    ("ok", "In agreement"),
    ("mismatch", "With differences"),
    ("error", "Error"),
]


class TusFacturasPartnerStatus(models.Model):
    """The last reconciliation of a customer with TusFacturas, per company."""

    _name = "tusfacturas.partner.status"
    _description = "TusFacturas Reconciliation Status"
    _rec_name = "partner_id"
    _order = "last_check desc, id desc"

    partner_id = fields.Many2one("res.partner", string="Customer", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one("res.company", required=True, index=True, ondelete="cascade")
    currency_id = fields.Many2one(related="company_id.currency_id")
    state = fields.Selection(STATUS_STATES, required=True, default="not_checked")
    last_check = fields.Datetime()
    check_run_id = fields.Many2one(
        "tusfacturas.check.run",
        string="Automatic Check Run",
        index=True,
        ondelete="set null",
        help="The automatic check run that last checked this customer: it is not called again in that run.",
    )
    tusfacturas_balance = fields.Monetary(string="TusFacturas Balance")
    odoo_balance = fields.Monetary()
    difference = fields.Monetary()
    error_message = fields.Text()
    matched_count = fields.Integer(string="Matched")
    amount_mismatch_count = fields.Integer(string="Different Total")
    residual_mismatch_count = fields.Integer(string="Different Open Amount")
    missing_in_odoo_count = fields.Integer(string="Missing in Odoo")
    missing_in_tusfacturas_count = fields.Integer(string="Missing in TusFacturas")
    not_a_document_count = fields.Integer(string="Not a Document")

    _sql_constraints = [
        ("partner_company_uniq", "unique(partner_id, company_id)", "One status per customer and company."),
    ]

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
            self.env.cr.execute(INSERT_MISSING, params)
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
                self.env.cr.execute(INSERT_MISSING, params, log_exceptions=False)
        except (psycopg2.errors.LockNotAvailable, psycopg2.errors.SerializationFailure):
            return False
        return True

    @contextmanager
    def _busy_wait(self):
        """A savepoint in which waiting for a row another transaction holds fails fast
        (``LockNotAvailable``) instead of waiting for that transaction to end."""
        cr = self.env.cr
        with cr.savepoint(flush=False):
            cr.execute("SELECT current_setting('lock_timeout')")
            previous = cr.fetchone()[0]
            cr.execute("SELECT set_config('lock_timeout', %s, true)", [BUSY_WAIT])
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
    def _lock_for_check(self, partners, company, nowait=True):
        """Take the right to check ``partners`` (commercial) with ``company``'s credentials,
        before any call to TusFacturas: check the user's rights, read Odoo's side, then
        create and lock their statuses until the end of the transaction, so that nobody
        else calls TusFacturas for them meanwhile and the results can always be written.

        With ``nowait`` (a user waiting for an answer), a customer being checked by another
        transaction raises a clear error at once instead of waiting.
        """
        self._check_tusfacturas_access()
        if not self.env.su and company not in self.env.user.company_ids:
            raise AccessError(
                self.env._("You cannot check customers of the company %(company)s.", company=company.name)
            )
        partners.check_access("read")
        self.env["account.move"].check_access("read")
        if not partners:
            return self.browse()
        self.flush_model()
        params = {"company": company.id, "uid": self.env.uid, "partners": partners.ids}
        lock = "FOR UPDATE NOWAIT" if nowait else "FOR UPDATE"
        try:
            with self._busy_wait() if nowait else self.env.cr.savepoint(flush=False):
                self.env.cr.execute(
                    f"SELECT id FROM tusfacturas_partner_status WHERE company_id = %(company)s "
                    f"AND partner_id = ANY(%(partners)s) {lock}",
                    params,
                    log_exceptions=False,
                )
                # Rows created here are this transaction's, hence locked by it.
                self.env.cr.execute(INSERT_MISSING, params, log_exceptions=False)
        except psycopg2.errors.LockNotAvailable:
            if len(partners) == 1:
                message = self.env._("TusFacturas is already checking this customer, try again in a minute.")
            else:
                message = self.env._("TusFacturas is already checking some of these customers, try again in a minute.")
            raise UserError(message) from None
        return self.search([("partner_id", "in", partners.ids), ("company_id", "=", company.id)])

    @api.model
    def _store(self, partners, company, results):
        """Record ``results`` (partner id -> Reconciliation or error message) for ``partners``.

        A customer who turns to "with differences" gets a note in its chatter.
        """
        now = fields.Datetime.now()
        turned_mismatch = []
        # Statuses are the system's record of what was checked: users read them, only
        # reconciliations write them.
        for status in self.sudo()._get_or_create(partners, company):
            result = results[status.partner_id.id]
            if isinstance(result, str):
                values = {"state": "error", "error_message": result, "last_check": now}
            else:
                values = {
                    "state": "ok" if result.is_ok else "mismatch",
                    "error_message": False,
                    "last_check": now,
                    "tusfacturas_balance": result.tusfacturas_balance,
                    "odoo_balance": result.odoo_balance,
                    "difference": result.difference,
                    **{f"{state}_count": count for state, count in result.counts.items()},
                }
                if values["state"] == "mismatch" and status.state != "mismatch":
                    turned_mismatch.append(status)
            status.write(values)
        for status in turned_mismatch:
            status._post_mismatch_note()

    def _post_mismatch_note(self):
        self.ensure_one()
        labels = self.env["tusfacturas.ledger.line"]._fields["match_state"]._description_selection(self.env)
        counts = ", ".join(f"{label}: {self[state + '_count']}" for state, label in labels if self[state + "_count"])
        body = self.env._(
            "TusFacturas and Odoo disagree for %(company)s: difference %(difference)s (TusFacturas "
            "%(tusfacturas)s, Odoo %(odoo)s). Rows: %(counts)s.",
            company=self.company_id.name,
            difference=format_amount(self.env, self.difference, self.currency_id),
            tusfacturas=format_amount(self.env, self.tusfacturas_balance, self.currency_id),
            odoo=format_amount(self.env, self.odoo_balance, self.currency_id),
            counts=counts,
        )
        self.partner_id.sudo().message_post(body=body, message_type="comment", subtype_xmlid="mail.mt_note")
