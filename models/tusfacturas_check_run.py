import logging
from datetime import timedelta

import psycopg2.errors

from odoo import api, fields, models
from odoo.addons.base.models.ir_cron import _intervalTypes

_logger = logging.getLogger(__name__)

# A new run starts once the previous one started at least one cron interval ago, give or take this.
RUN_SLACK = timedelta(hours=1)


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
    started = fields.Datetime(required=True, readonly=True)
    finished = fields.Datetime(readonly=True)
    state = fields.Selection(
        [("running", "Running"), ("done", "Done"), ("stopped", "Stopped")],
        required=True,
        default="running",
        readonly=True,
    )
    checked_count = fields.Integer(string="Customers Checked", readonly=True)
    credentials_refused = fields.Boolean(
        readonly=True,
        help="TusFacturas refused the company's credentials: no run starts until an administrator changes them.",
    )
    stop_reason = fields.Text(readonly=True)

    # ------------------------------------------------------------------
    # Which run
    # ------------------------------------------------------------------

    @api.model
    def _current(self, company, interval):
        """``company``'s run in progress, or a new one if the last run started at least
        ``interval`` ago (a scheduled occurrence), or nothing if the last run is recent or
        stopped on refused credentials."""
        last = self.search([("company_id", "=", company.id)], limit=1)
        if last.state == "running" or last.credentials_refused:
            return last.filtered(lambda run: run.state == "running")
        now = fields.Datetime.now()
        previous_occurrence = now - interval
        if last and last.started > previous_occurrence + min(RUN_SLACK, (now - previous_occurrence) / 2):
            return self.browse()
        return self.create({"company_id": company.id, "started": now})

    @api.model
    def _cron_interval(self):
        cron = self.env.ref("tusfacturas_cuenta_corriente.ir_cron_tusfacturas_reconcile", raise_if_not_found=False)
        if not cron:
            return timedelta(days=1)
        return _intervalTypes[cron.sudo().interval_type](cron.sudo().interval_number)

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
                     ORDER BY last_check ASC NULLS FIRST, partner_id
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
        in the transaction that stores their results; stop the run if TusFacturas refused the
        credentials (customers not called then stay for the next run)."""
        self.ensure_one()
        statuses = self.env["tusfacturas.partner.status"].search(
            [("partner_id", "in", list(result.results)), ("company_id", "=", self.company_id.id)]
        )
        statuses.write({"check_run_id": self.id})
        values = {"checked_count": self.checked_count + len(result.results)}
        if result.credentials_refused:
            reason = getattr(result, "stop_reason", None) or next(
                (message for message in result.results.values() if isinstance(message, str)), ""
            )
            values.update(state="stopped", finished=fields.Datetime.now(), credentials_refused=True, stop_reason=reason)
        self.write(values)
        if self.state == "stopped":
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
