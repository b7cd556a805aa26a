import logging
import threading
import time
import weakref
from datetime import timedelta

import psycopg2.errors
from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.http import request
from odoo.tools import config

from ..tusfacturas.budget import LEDGER_SHARE, TimeBudget

_logger = logging.getLogger(__name__)

# A run of a scheduled check: going on, over, or stopped before its end (saying why).
RUN_STATES = [("running", "Running"), ("done", "Done"), ("stopped", "Stopped")]
# A new run starts once the previous one started at least one cron interval ago, give or take this.
RUN_SLACK = timedelta(hours=1)
# Customers per batch at most (a batch's results are committed together).
BATCH_SIZE = 50
# When Odoo sets no time limit (0), a check still bounds itself to this one.
DEFAULT_TIME_LIMIT = 120
# When the scheduled action stopped for lack of time, it continues this much later.
CONTINUE_AFTER = timedelta(minutes=1)

# The start of the cron runner's current pass, per cursor: the runner calls the action up
# to ten times with one cursor, and its worker is killed if the whole pass overruns.
_PASS_STARTED = weakref.WeakKeyDictionary()


def time_limit(for_request):
    """Odoo's real-time limit (seconds) for a request or for a scheduled action's pass, and the
    name of the option that sets it."""
    option, limit = "limit_time_real", config["limit_time_real"]
    if not for_request:
        cron_limit = config["limit_time_real_cron"]
        if cron_limit is not None and cron_limit >= 0:  # -1: same as limit_time_real
            option, limit = "limit_time_real_cron", cron_limit
    return (limit if limit and limit > 0 else DEFAULT_TIME_LIMIT), option


def request_budget():
    """The time a user's request may spend calling TusFacturas."""
    return TimeBudget(time.monotonic(), *time_limit(for_request=True))


def cron_pass_budget(cr, share=LEDGER_SHARE):
    """The time a scheduled action may spend in the runner's current pass (its ``share`` of
    Odoo's limit; "Run Manually": its own request)."""
    if request:
        return request_budget()
    return TimeBudget(_PASS_STARTED.setdefault(cr, time.monotonic()), *time_limit(for_request=False), share=share)


class TusFacturasCheckRun(models.Model):
    """One run of a company's automatic check: the customers it reaches, whatever calls it.

    The scheduled action calls the check many times (its runner calls it up to ten times
    per pass, "Run Manually" once); all those calls continue the same run until every
    customer of its scope, up to the company's limit, has been checked. A customer checked
    by a run is not called again in that run. Run state lives here, not on the company, so
    that Settings and the running check never write the same row.
    """

    _name = "tusfacturas.check.run"
    _description = "TusFacturas Automatic Check Run"
    _order = "started desc, id desc"
    _rec_name = "started"

    company_id = fields.Many2one("res.company", required=True, index=True, readonly=True, ondelete="cascade")
    account_id = fields.Many2one(
        "tusfacturas.account",
        string="TusFacturas Account",
        readonly=True,
        ondelete="set null",
        help="The account whose credentials the run used.",
    )
    started = fields.Datetime(required=True, readonly=True)
    finished = fields.Datetime(readonly=True)
    state = fields.Selection(RUN_STATES, required=True, default="running", readonly=True)
    checked_count = fields.Integer(string="Customers Checked", readonly=True)
    credentials_refused = fields.Boolean(
        readonly=True,
        help="TusFacturas refused the company's credentials: no run starts until an administrator changes them.",
    )
    stop_reason = fields.Text(readonly=True)

    # ------------------------------------------------------------------
    # The scheduled action
    # ------------------------------------------------------------------

    @api.model
    def _cron_check(self):
        """Check the customers of every company whose automatic check is on.

        Each company's customers are checked by runs: a run covers the scope once, least
        recently checked customers first, up to the company's limit, however many calls of
        this action it takes (the runner's, "Run Manually"). Batches are sized to end within
        Odoo's time limit, and each batch's customers are locked, called, and committed with
        their results: a batch interrupted before its commit is taken again by the same run.
        """
        if self.env["ir.config_parameter"].sudo().get_param("database.is_neutralized"):
            _logger.info("Neutralized database: the TusFacturas automatic check does not run.")
            return 0
        budget = cron_pass_budget(self.env.cr)
        interval = self._cron_interval()
        done = remaining = 0
        companies = self.env["res.company"].sudo().search([("tusfacturas_check_active", "=", True)])
        for company in companies:
            run = self.sudo()._current(company, interval)
            if not run:
                continue
            # The company's language for what the run writes (errors, notes).
            env = self.env(context=dict(self.env.context, lang=company.partner_id.lang or self.env.lang))
            checked, pending = run.with_env(env).sudo()._continue(budget)
            done += checked
            remaining += pending
        if remaining and (not done or "cron_id" not in self.env.context):
            # The runner ends the job on a call that did nothing (out of time, or every
            # remaining customer being checked elsewhere), and "Run Manually" (no
            # ``cron_id`` in its context) calls once: come back soon to continue the runs.
            self.env.ref("tusfacturas_cuenta_corriente.ir_cron_tusfacturas_reconcile").sudo()._trigger(
                fields.Datetime.now() + CONTINUE_AFTER
            )
        self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)
        return remaining

    def _continue(self, budget):
        """Check this run's next customers in batches while ``budget`` allows, each batch
        committed with its results. Returns ``(customers checked, customers left)``."""
        self.ensure_one()
        company = self.company_id
        timeout = company._tusfacturas_ledger_account().timeout
        if not budget.fits_a_call(timeout):
            self._stop(self._no_time_reason(budget, timeout))
            return 0, 0
        partners = self.env["res.partner"].with_company(company)
        scope = partners._tusfacturas_scope(company)
        done = 0
        while self.state == "running":
            size = budget.batch_size(company.tusfacturas_concurrency, timeout, BATCH_SIZE)
            batch = self._claim(scope, size) if size else partners.browse()
            if not batch:
                break
            result = self.env["tusfacturas.reconciliation"]._reconcile_batch(
                batch, company, timeout=budget.call_timeout(timeout), skip_busy=True
            )
            self._record(result)
            done += len(result.results)
            if result.credentials_refused:
                _logger.error(
                    "TusFacturas refused the credentials of company %s (id %s): its automatic check "
                    "stops until an administrator changes them.",
                    company.name, company.id,
                )  # fmt: skip
            self._commit()
            if not result.results:  # every customer claimed is being checked by someone else
                break
        pending = 0
        if self.state == "running":
            pending = self._pending(scope)
            if not pending:
                self._finish()
        return done, pending

    def _no_time_reason(self, budget, timeout):
        return self.env._(
            "Odoo's time limit for this scheduled action (%(option)s = %(limit)s s) leaves %(seconds)s s per "
            "pass for TusFacturas calls, less than one call needs with the TusFacturas timeout of %(timeout)s s "
            "(at least %(needed)s s): raise %(option)s in Odoo's configuration, or lower the timeout of the "
            "TusFacturas account.",
            option=budget.limit_option,
            limit=budget.limit,
            seconds=round(budget.per_pass, 1),
            timeout=timeout,
            needed=budget.call_needs(timeout),
        )

    def _commit(self):
        """Commit a batch's results with its claim, so that nothing billed is lost if the
        worker stops later (not within a test's transaction)."""
        if not getattr(threading.current_thread(), "testing", False):
            self.env.cr.commit()  # pylint: disable=invalid-commit

    # ------------------------------------------------------------------
    # Which run
    # ------------------------------------------------------------------

    @api.model
    def _current(self, company, interval):
        """``company``'s run in progress, or a new one if the last run started at least
        ``interval`` ago (a scheduled occurrence), or nothing if the last run is recent, or the
        company has no TusFacturas account with credentials, or TusFacturas refused them."""
        account = company._tusfacturas_ledger_account()
        if not account or account.credentials_refused:
            return self.browse()
        last = self.search([("company_id", "=", company.id)], limit=1)
        if last.state == "running":
            return last
        now = fields.Datetime.now()
        previous_occurrence = now - interval
        if last and last.started > previous_occurrence + min(RUN_SLACK, (now - previous_occurrence) / 2):
            return self.browse()
        return self.create({"company_id": company.id, "account_id": account.id, "started": now})

    @api.model
    def _cron_interval(self):
        cron = self.env.ref("tusfacturas_cuenta_corriente.ir_cron_tusfacturas_reconcile", raise_if_not_found=False)
        if not cron:
            return timedelta(days=1)
        cron = cron.sudo()
        # ir.cron's interval types (minutes, hours, days, weeks, months) are relativedelta's words.
        return relativedelta(**{cron.interval_type: cron.interval_number})

    # ------------------------------------------------------------------
    # Customers of a run
    # ------------------------------------------------------------------

    def _pending(self, scope):
        """How many customers of ``scope`` (commercial partners) this run has still to
        check, capped by the company's limit per run."""
        self.ensure_one()
        budget = max(0, self.company_id.tusfacturas_cron_limit - self.checked_count)
        if not budget or not scope:
            return 0
        Status = self.env["tusfacturas.partner.status"]
        Status.flush_model()
        self.env.cr.execute(
            """
            SELECT count(*)
              FROM unnest(%s) AS scope(partner_id)
              LEFT JOIN tusfacturas_partner_status s
                ON s.partner_id = scope.partner_id AND s.company_id = %s
             WHERE s.check_run_id IS DISTINCT FROM %s
            """,
            [scope.ids, self.company_id.id, self.id],
        )
        return min(budget, self.env.cr.fetchone()[0])

    def _claim(self, scope, size):
        """Lock up to ``size`` customers of ``scope`` this run has not checked yet, least
        recently checked (or never checked) first, skipping those another transaction is
        checking right now. The lock is the claim: it lasts until the results are
        committed with it, and a claim whose worker dies is released with its transaction,
        so the run takes those customers again.

        Returns the commercial partners claimed.
        """
        self.ensure_one()
        size = min(size, self._pending(scope))
        Status = self.env["tusfacturas.partner.status"]
        if size <= 0:
            return self.env["res.partner"]
        # Never-checked customers come first: give the next ones their status (locked).
        self.env.cr.execute(
            """
            SELECT scope.partner_id
              FROM unnest(%s) AS scope(partner_id)
             WHERE NOT EXISTS (SELECT 1 FROM tusfacturas_partner_status s
                                WHERE s.partner_id = scope.partner_id AND s.company_id = %s)
             ORDER BY scope.partner_id
             LIMIT %s
            """,
            [scope.ids, self.company_id.id, size],
        )
        missing = self.env["res.partner"].browse(row[0] for row in self.env.cr.fetchall())
        Status._insert_missing(missing, self.company_id, skip_busy=True)
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(
                    """
                    SELECT partner_id
                      FROM tusfacturas_partner_status
                     WHERE company_id = %s AND partner_id = ANY(%s) AND check_run_id IS DISTINCT FROM %s
                     ORDER BY last_attempt ASC NULLS FIRST, last_check ASC NULLS FIRST, partner_id
                     LIMIT %s
                       FOR UPDATE SKIP LOCKED
                    """,
                    [self.company_id.id, scope.ids, self.id, size],
                    log_exceptions=False,
                )
                partner_ids = [row[0] for row in self.env.cr.fetchall()]
        except psycopg2.errors.SerializationFailure:
            # A status changed since this transaction began: nothing is claimed this time.
            _logger.info("TusFacturas check run %s: statuses changed meanwhile, claiming later.", self.id)
            return self.env["res.partner"]
        return self.env["res.partner"].browse(partner_ids)

    def _record(self, result):
        """Mark the customers of ``result`` (a batch's ``BatchResult``) as checked by this run,
        in the transaction that stores their results. If TusFacturas refused the credentials,
        the run stops and no run of the company starts until an administrator changes them;
        if the batch stopped for another reason (its first calls all failed the same way: a
        bad night), this run stops and the next scheduled occurrence runs as usual. Customers
        not called then stay for the next run."""
        self.ensure_one()
        statuses = self.env["tusfacturas.partner.status"].search(
            [("partner_id", "in", list(result.results)), ("company_id", "=", self.company_id.id)]
        )
        statuses.write({"check_run_id": self.id})
        self.checked_count += len(result.results)
        if result.credentials_refused or result.stop_reason:
            reason = result.stop_reason or next(
                (message for message in result.results.values() if isinstance(message, str)), ""
            )
            self._stop(reason, credentials_refused=result.credentials_refused)
            if result.credentials_refused:
                result.account._mark_refused(reason)

    def _stop(self, reason, credentials_refused=False):
        """End this run before its scope is checked, saying why."""
        self.write({
            "state": "stopped",
            "finished": fields.Datetime.now(),
            "credentials_refused": credentials_refused,
            "stop_reason": reason,
        })  # fmt: skip
        self._post_summary()

    def _finish(self):
        self.write({"state": "done", "finished": fields.Datetime.now()})
        self._post_summary()

    def _post_summary(self):
        """The run's summary for the team (once per run, even if the run is resumed)."""
        for run in self:
            statuses = self.env["tusfacturas.partner.status"].search([("check_run_id", "=", run.id)])
            self.env["tusfacturas.control.summary"]._post_run_summary(
                run.company_id, f"check-run-{run.id}", statuses=statuses, since=run.started
            )
