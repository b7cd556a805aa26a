import logging
from datetime import timedelta

import psycopg2.errors

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, float_compare, format_date

from ..tusfacturas import TusFacturasError, voucher_api
from ..tusfacturas.budget import VOUCHER_SHARE
from ..tusfacturas.methods import CountedClient
from ..tusfacturas.voucher_check import OdooVoucherDocument, check_vouchers
from ..tusfacturas.vouchers import type_name_of
from .tusfacturas_check_run import CONTINUE_AFTER, RUN_STATES, cron_pass_budget, request_budget
from .tusfacturas_reconciliation import document_key

_logger = logging.getLogger(__name__)

CRON_XMLID = "tusfacturas_cuenta_corriente.ir_cron_tusfacturas_voucher_check"
# Vouchers per page of consulta_avanzada: the most the API gives.
PAGE_SIZE = voucher_api.MAX_PAGE_SIZE
# AFIP identification codes as TusFacturas names the customer's document.
DOCUMENT_TYPES = {"80": "CUIT", "86": "CUIT", "96": "DNI", "94": "PASAPORTE"}
# What one SQL read of Odoo's documents gives, in OdooVoucherDocument's order after the key.
DOCUMENT_QUERY = """
    SELECT m.id, t.code, t.doc_code_prefix, m.name, m.invoice_date, COALESCE(c.l10n_ar_afip_code, c.name),
           m.invoice_currency_rate, m.amount_total, it.l10n_ar_afip_code, p.vat, m.commercial_partner_id
      FROM account_move m
      JOIN l10n_latam_document_type t ON t.id = m.l10n_latam_document_type_id
      JOIN res_currency c ON c.id = m.currency_id
      JOIN res_partner p ON p.id = m.commercial_partner_id
      LEFT JOIN l10n_latam_identification_type it ON it.id = p.l10n_latam_identification_type_id
     WHERE m.state = 'posted' AND m.move_type IN ('out_invoice', 'out_refund') AND m.journal_id = ANY(%(journals)s)
"""


class _OutOfTimeError(Exception):
    """The pass has no time left for this day's next call: the day is checked in a later pass."""


# A run stops when the same day could not be read whole this many times (out of time, or its
# vouchers changing while read): rather than reading it again every minute.
DAY_ATTEMPTS = 3


class TusFacturasVoucherRun(models.Model):
    """A check of every voucher a TusFacturas account issued in a period, against Odoo's posted
    documents of its point of sale, day by day (issue 19).

    Its methods are free (``facturacion/consulta_avanzada``, ``facturacion/consulta``), but
    for ``facturacion/numeracion``, asked once per document type and run, only on a run that
    ends today, after today's pages were read. Each day is read whole (all its pages) before
    anything about it is stored, then its findings go to the discrepancy worklist and the day
    is committed: a run goes on where it was in the next pass of the scheduled action, within
    Odoo's time limits. The daily run checks the days since the last day fully checked, and a
    few days before it again (late changes, queued vouchers); administrators run it for a
    period too. One run at a time reads an account's vouchers.
    """

    _name = "tusfacturas.voucher.run"
    _description = "TusFacturas Voucher Check"
    _order = "started desc, id desc"
    _rec_name = "started"

    account_id = fields.Many2one(
        "tusfacturas.account", string="TusFacturas Account", required=True, readonly=True, index=True,
        ondelete="cascade",
    )  # fmt: skip
    company_id = fields.Many2one(related="account_id.company_id", store=True, index=True)
    date_from = fields.Date(string="From", required=True, readonly=True)
    date_to = fields.Date(string="To", required=True, readonly=True)
    next_day = fields.Date(readonly=True, help="The next day to check.")
    manual = fields.Boolean(string="Run by Hand", readonly=True)
    started = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now)
    finished = fields.Datetime(readonly=True)
    state = fields.Selection(RUN_STATES, required=True, default="running", readonly=True)
    stop_reason = fields.Text(readonly=True)
    days_checked = fields.Integer(readonly=True)
    day_attempts = fields.Integer(readonly=True, help="Times the next day could not be read whole.")
    pages = fields.Integer(string="Pages Read", readonly=True)
    voucher_count = fields.Integer(string="Vouchers", readonly=True)
    found_count = fields.Integer(string="Discrepancies Found", readonly=True)
    new_count = fields.Integer(string="New Discrepancies", readonly=True)
    resolved_count = fields.Integer(string="Resolved Discrepancies", readonly=True)
    free_calls = fields.Integer(readonly=True)
    billed_calls = fields.Integer(readonly=True)
    highest_numbers = fields.Json(
        readonly=True, help="Per AFIP document type, the highest number listed so far (numbering gaps across days)."
    )
    last_numbers = fields.Json(readonly=True, help="What facturacion/numeracion answered, per AFIP document type.")

    # ------------------------------------------------------------------
    # The scheduled action, and runs by hand
    # ------------------------------------------------------------------

    @api.model
    def _cron_check_vouchers(self):
        """Check the vouchers of every TusFacturas account whose daily check is on, and go on
        with the runs administrators started by hand."""
        if self.env["ir.config_parameter"].sudo().get_param("database.is_neutralized"):
            _logger.info("Neutralized database: the TusFacturas voucher check does not run.")
            return 0
        budget = cron_pass_budget(self.env.cr, share=VOUCHER_SHARE)
        Run = self.sudo()
        accounts = self.env["tusfacturas.account"].sudo().search([("voucher_check_active", "=", True)])
        runs = Run.browse()
        for account in accounts.filtered(lambda a: a.has_credentials and not a.credentials_refused):
            runs |= Run._current(account)
        runs |= Run.search([("state", "=", "running"), ("manual", "=", True)])
        done = remaining = 0
        for run in runs:
            # The company's language for what the run writes (errors, summaries).
            lang = run.company_id.partner_id.lang or self.env.lang
            days_done, days_left = run.with_context(lang=lang)._continue(budget)
            done += days_done
            remaining += days_left
        if remaining and (not done or "cron_id" not in self.env.context):
            self.env.ref(CRON_XMLID).sudo()._trigger(fields.Datetime.now() + CONTINUE_AFTER)
        self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)
        return remaining

    @api.model
    def _current(self, account):
        """``account``'s scheduled run in progress, or a new one if the last one started a day
        ago or more: from a few days before the last day fully checked (or, the first time,
        from the account's or the company's first day to check) to today."""
        last = self.search([("account_id", "=", account.id), ("manual", "=", False)], limit=1)
        if last.state == "running":
            return last
        now = fields.Datetime.now()
        if last and last.started > now - timedelta(hours=20):
            return self.browse()
        today = self._today(account)
        if account.voucher_checked_until:
            date_from = account.voucher_checked_until + timedelta(days=1 - account.voucher_recheck_days)
        else:
            first_of_this_month = today.replace(day=1)
            date_from = (
                account.voucher_check_from
                or account.company_id.tusfacturas_compare_from
                or (first_of_this_month - timedelta(days=1)).replace(day=1)
            )
        return self._start(account, min(date_from, today), today)

    @api.model
    def _today(self, account):
        """Today where the account's company is (Argentina when its partner says no time zone)."""
        tz = account.company_id.partner_id.tz or "America/Argentina/Buenos_Aires"
        return fields.Date.context_today(self.with_context(tz=tz))

    @api.model
    def _start(self, account, date_from, date_to, manual=False):
        """A new run of ``account`` from ``date_from`` to ``date_to``; its first day's numbering
        goes on from the highest numbers the account's earlier checks listed before it."""
        known = {day: numbers for day, numbers in (account.voucher_numbers or {}).items() if day < str(date_from)}
        run = self.create(
            {
                "account_id": account.id,
                "date_from": date_from,
                "date_to": date_to,
                "next_day": date_from,
                "manual": manual,
                "highest_numbers": known[max(known)] if known else {},
                "last_numbers": {},
            }
        )
        account._toggle_voucher_cron()
        return run

    @api.model
    def _check_by_hand(self, account, date_from, date_to):
        """ "Check vouchers now" (administrators): a run of ``account`` for a period, as far as
        this request's time allows; the scheduled action goes on with the rest."""
        if not self.env.is_system():
            raise UserError(self.env._("Only administrators check the vouchers of a TusFacturas account."))
        if date_from > date_to:
            raise UserError(self.env._("The first day of the period is after its last day."))
        if not account.has_credentials:
            raise UserError(
                self.env._("The TusFacturas account %(account)s has no credentials.", account=account.display_name)
            )
        run = self.sudo()._start(account, date_from, date_to, manual=True)
        _done, left = run._continue(request_budget(), commit=False)
        if left:
            self.env.ref(CRON_XMLID).sudo()._trigger(fields.Datetime.now() + CONTINUE_AFTER)
        return run

    # ------------------------------------------------------------------
    # Day by day
    # ------------------------------------------------------------------

    def _continue(self, budget, commit=True):
        """Check this run's next days while ``budget`` allows, each day's findings committed with
        it (``commit``: the scheduled action; a request commits at its end). Returns ``(days
        checked, days left)``."""
        self.ensure_one()
        account = self.account_id
        timeout = account.timeout
        if not budget.fits_a_call(timeout):
            self._stop(self.env["tusfacturas.check.run"]._no_time_reason(budget, timeout))
            return 0, 0
        if not self._lock_account(wait=commit):
            return 0, self._days_left()  # another run reads this account's vouchers right now
        done = 0
        while self.state == "running" and self.next_day <= self.date_to:
            if budget.left() < budget.call_needs(timeout):
                break
            client = CountedClient(self.env["tusfacturas.service"]._client(account, timeout=timeout))
            client.before_call = lambda client: self._before_call(client, budget, timeout)
            try:
                self._check_day(client, self.next_day)
            except (_OutOfTimeError, TusFacturasError) as error:
                self._count_calls(client)
                if not self._day_failed(error, budget):
                    break
            else:
                self._count_calls(client)
                done += 1
            if commit:
                self._commit()
        if self.state == "running" and self.next_day > self.date_to:
            self._finish()
        return done, self._days_left()

    def _days_left(self):
        return (self.date_to - self.next_day).days + 1 if self.state == "running" else 0

    def _lock_account(self, wait):
        """Take the account for this run until the transaction ends: one run at a time reads its
        vouchers. Without ``wait`` (a user's run), another one reading them is a clear error. (A
        lock that leaves the account's key alone: the run and its discrepancies refer to it.)"""
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(
                    "SELECT id FROM tusfacturas_account WHERE id = %s FOR NO KEY UPDATE NOWAIT",
                    [self.account_id.id],
                    log_exceptions=False,
                )
        except (psycopg2.errors.LockNotAvailable, psycopg2.errors.SerializationFailure):
            if not wait:
                raise UserError(
                    self.env._("TusFacturas is already checking the vouchers of this account, try again in a minute.")
                ) from None
            return False
        return True

    def _before_call(self, client, budget, timeout):
        """Before each call of a day: the time left, as that call's timeout, or no call."""
        if budget.left() < budget.call_needs(timeout):
            raise _OutOfTimeError
        client.timeout = budget.call_timeout(timeout)

    def _day_failed(self, error, budget):
        """The next day could not be read whole: ``error`` says why. Returns whether the run goes
        on with its next day (never: the day is read again later, or the run stops)."""
        account = self.account_id
        if isinstance(error, _OutOfTimeError) or error.code == "changed":
            # Read again in the next pass, unless it never fits one or keeps changing.
            self.day_attempts += 1
            if self.day_attempts >= DAY_ATTEMPTS:
                self._stop(self._unreadable_day_reason(error, budget))
            return False
        message = self.env["tusfacturas.service"]._error_message(error, account)
        self._stop(message)
        # HTTP 401/403, or a refusal of the account inside an HTTP 200 (the client tells one about AFIP apart).
        if error.is_credential_error:
            account._mark_refused(message)
        return False

    def _unreadable_day_reason(self, error, budget):
        day = format_date(self.env, self.next_day)
        if isinstance(error, _OutOfTimeError):
            return self.env._(
                "The vouchers of %(day)s could not be read whole within the time a pass of this scheduled action "
                "has (%(option)s = %(limit)s s), %(attempts)s times: raise %(option)s in Odoo's configuration.",
                day=day, option=budget.limit_option, limit=budget.limit, attempts=self.day_attempts,
            )  # fmt: skip
        return self.env._(
            "The vouchers of %(day)s kept changing while they were read (%(attempts)s times): TusFacturas was "
            "issuing vouchers of that day. The next run reads it again.",
            day=day, attempts=self.day_attempts,
        )  # fmt: skip

    def _check_day(self, client, day):
        """Read every voucher of ``day``, compare them with Odoo's documents and store what differs."""
        account = self.account_id
        point_of_sale = account.point_of_sale
        customers = set()  # the vouchers' customers' document numbers

        def pages():
            for page in voucher_api.vouchers_of_day(client, day, page_size=PAGE_SIZE, point_of_sale=point_of_sale):
                customers.update(voucher.customer.number for voucher in page if voucher.customer.number)
                yield page

        previous = dict(self.highest_numbers or {})
        asked = dict(self.last_numbers or {})

        def last_numbers(codes):
            """``facturacion/numeracion`` (billed) of the types listed, once per type and run."""
            for code in codes:
                if code not in asked and type_name_of(code):
                    asked[code] = voucher_api.last_number(client, code, point_of_sale)
            return {code: asked[code] for code in codes if code in asked}

        is_today = day == self.date_to == self._today(account)
        result = check_vouchers(
            pages(),
            self._odoo_documents(account, day=day),
            self._equal(),
            point_of_sale=point_of_sale,
            last_numbers=last_numbers if is_today else None,
            previous_numbers=previous,
            find_documents=lambda keys: self._odoo_documents(account, keys=keys),
            find_vouchers=lambda keys: voucher_api.find_vouchers(client, keys, page_size=PAGE_SIZE),
        )
        partners = self.env["res.partner"]._tusfacturas_by_document(account.company_id, customers)
        new, resolved = self.env["tusfacturas.discrepancy"]._sync_vouchers(
            account,
            day,
            result.findings,
            partners,
            covers=lambda code, first, last: result.covers(code, first, last, previous),
        )
        self.env["tusfacturas.voucher.customer"]._note(account.company_id, customers, day)
        highest = {**previous, **result.highest}
        self.write(
            {
                "next_day": day + timedelta(days=1),
                "days_checked": self.days_checked + 1,
                "day_attempts": 0,
                "pages": self.pages + result.pages,
                "voucher_count": self.voucher_count + result.vouchers,
                "found_count": self.found_count + len(result.findings),
                "new_count": self.new_count + new,
                "resolved_count": self.resolved_count + resolved,
                "highest_numbers": highest,
                "last_numbers": asked,
            }
        )
        account._keep_numbers(day, highest, fully_checked=day < self._today(account) and not self.manual)

    def _count_calls(self, client):
        self.write(
            {
                "billed_calls": self.billed_calls + client.billed_calls(),
                "free_calls": self.free_calls + client.free_calls(),
            }
        )
        client.calls.clear()

    def _equal(self):
        rounding = self.company_id.currency_id.rounding

        def equal(a, b):
            return a == b or float_compare(a, b, precision_rounding=rounding) == 0

        return equal

    @api.model
    def _odoo_documents(self, account, day=None, keys=None):
        """Odoo's posted customer documents of ``account``'s journals dated ``day``, or those with
        ``keys`` (``(afip_code, point_of_sale, number)``, any date): :class:`OdooVoucherDocument`
        values, from one SQL read."""
        journals = account.journal_ids.ids
        if not journals or (keys is not None and not keys):
            return []
        Move = self.env["account.move"]
        Move.flush_model()
        self.env["res.partner"].flush_model(["vat", "l10n_latam_identification_type_id"])
        query = SQL(DOCUMENT_QUERY, journals=journals)
        if day is not None:
            query = SQL("%s AND m.invoice_date = %s", query, day)
        if keys is not None:
            # By the parts of their names as Odoo's sequence keeps them, as the current accounts' check.
            keys = set(keys)
            prefixes, numbers = self.env["tusfacturas.reconciliation"]._sequence_parts(keys)
            query = SQL("%s AND m.sequence_prefix = ANY(%s) AND m.sequence_number = ANY(%s)", query, prefixes, numbers)
        number_parts = Move._l10n_ar_get_document_number_parts
        documents, numbers = [], {}  # numbers: (vat, type) -> the document number as TusFacturas gives it
        for row in self.env.execute_query(query):
            move_id, code, prefix, name, date, currency, rate, total, id_code, vat, partner_id = row
            key = document_key(number_parts, code, prefix, name)
            if not key or (keys is not None and key not in keys):  # other keys' prefixes and numbers meet too
                continue
            doc_type = DOCUMENT_TYPES.get(id_code, "OTRO")
            number = numbers.get((vat, doc_type))
            if number is None:
                digits = "".join(char for char in vat if char.isdigit()) if vat else None
                number = numbers[vat, doc_type] = vat if doc_type == "PASAPORTE" else digits
            rate = 1 / rate if rate and currency != "PES" else 1.0  # pesos per unit
            documents.append(
                OdooVoucherDocument(
                    move_id, key, date, currency, rate, total or 0.0, doc_type, number or None, name, partner_id
                )
            )
        return documents

    # ------------------------------------------------------------------
    # The end of a run
    # ------------------------------------------------------------------

    def _stop(self, reason):
        self.write({"state": "stopped", "finished": fields.Datetime.now(), "stop_reason": reason})
        self._post_summary()
        self.account_id._toggle_voucher_cron()

    def _finish(self):
        self.write({"state": "done", "finished": fields.Datetime.now()})
        self._post_summary()
        self.account_id._toggle_voucher_cron()

    def _commit(self):
        self.env["tusfacturas.check.run"]._commit()

    def _post_summary(self):
        for run in self:
            self.env["tusfacturas.control.summary"]._post_voucher_summary(run)

    def action_open_discrepancies(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "tusfacturas_cuenta_corriente.action_tusfacturas_discrepancy"
        )
        action["domain"] = [("account_id", "=", self.account_id.id), ("source", "=", "voucher")]
        return action
