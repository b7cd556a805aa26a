import logging
import threading
import time
import weakref
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.http import request
from odoo.tools import config

_logger = logging.getLogger(__name__)

BATCH_SIZE = 50
MANUAL_LIMIT = 100
# Share of Odoo's time limit (limit_time_real_cron for the scheduled action,
# limit_time_real for a user's request) a check may spend: the rest is left to the
# other scheduled actions of the same pass and to Odoo's own work.
TIME_SHARE = 0.5
# Seconds of Odoo work per batch (reading the books, matching, writing the statuses).
BATCH_OVERHEAD = 0.5
# When Odoo sets no time limit (0), a check still bounds itself to this one.
DEFAULT_TIME_LIMIT = 120
# When the scheduled action stopped for lack of time, it continues this much later.
CONTINUE_AFTER = timedelta(minutes=1)

# The start of the cron runner's current pass, per cursor: the runner calls the action up
# to ten times with one cursor, and its worker is killed if the whole pass overruns.
_PASS_STARTED = weakref.WeakKeyDictionary()


def _time_limit(for_request):
    """Odoo's real-time limit (seconds) for a request or for a scheduled action's pass."""
    limit = config["limit_time_real"]
    if not for_request:
        cron_limit = config["limit_time_real_cron"]
        if cron_limit is not None and cron_limit >= 0:  # -1: same as limit_time_real
            limit = cron_limit
    return limit if limit and limit > 0 else DEFAULT_TIME_LIMIT


class TimeBudget:
    """How much a check may still call TusFacturas before Odoo's time limit."""

    def __init__(self, started, limit):
        self.deadline = started + limit * TIME_SHARE

    @classmethod
    def for_request(cls):
        return cls(time.monotonic(), _time_limit(for_request=True))

    @classmethod
    def for_cron_pass(cls, cr):
        if request:  # "Run Manually": a request of its own
            return cls.for_request()
        started = _PASS_STARTED.setdefault(cr, time.monotonic())
        return cls(started, _time_limit(for_request=False))

    def batch_size(self, company, cap=BATCH_SIZE):
        """Customers the next batch can take so that, even if every call waits for the
        whole HTTP timeout, it ends before the deadline (0: no time for another batch).

        Whole rounds of parallel calls when the cap allows: a last round with idle call
        slots would cost the batch the time of a full round."""
        parallel = max(company.tusfacturas_concurrency, 1)
        left = self.deadline - time.monotonic() - BATCH_OVERHEAD
        rounds = int(left // max(company.tusfacturas_timeout, 1))
        size = min(cap, rounds * parallel)
        if size > parallel:
            size -= size % parallel
        return max(0, size)


class ResPartner(models.Model):
    """Checking many customers: the list action and the scheduled action."""

    _inherit = "res.partner"

    # ------------------------------------------------------------------
    # List action
    # ------------------------------------------------------------------

    def action_tusfacturas_reconcile(self):
        """ "Check with TusFacturas" on selected customers, now."""
        Status = self.env["tusfacturas.partner.status"]
        Status._check_tusfacturas_access()  # before anything else: every call is billed
        partners = self.commercial_partner_id
        if len(partners) > MANUAL_LIMIT:
            raise UserError(
                self.env._(
                    "Select at most %(limit)s customers to check at once (you selected %(count)s): every "
                    "customer is a billed TusFacturas call. Use the automatic check in Settings for more.",
                    limit=MANUAL_LIMIT,
                    count=len(partners),
                )
            )
        by_company = partners.grouped(lambda p: p._tusfacturas_company())
        # All of them, before the first call: a customer someone else is checking
        # stops the action before anything is billed.
        for company, company_partners in by_company.items():
            Status._lock_for_check(company_partners, company)
        budget = TimeBudget.for_request()
        engine = self.env["tusfacturas.reconciliation"]
        states, left = [], 0
        for company, company_partners in by_company.items():
            todo = company_partners
            while todo:
                size = budget.batch_size(company)
                if not size:
                    break
                result = engine._reconcile_batch(todo[:size], company)
                todo = todo[size:]
                states += [r if isinstance(r, str) else r.is_ok for r in result.results.values()]
                if result.credentials_refused:
                    break
            left += len(todo)
        agree, differ = states.count(True), states.count(False)
        errors = len(states) - agree - differ
        message = self.env._(
            "%(agree)s in agreement, %(differ)s with differences, %(errors)s with errors.",
            agree=agree, differ=differ, errors=errors,
        )  # fmt: skip
        if left:
            message += " " + self.env._("%(left)s not checked this time: check them again in a moment.", left=left)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "warning" if differ or errors or left else "success",
                "title": self.env._("TusFacturas check"),
                "message": message,
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    # ------------------------------------------------------------------
    # Scheduled action
    # ------------------------------------------------------------------

    @api.model
    def _cron_tusfacturas_reconcile(self):
        """Check the customers of every company whose automatic check is on.

        Each company's customers are checked by runs (``tusfacturas.check.run``): a run
        covers the scope once, least recently checked customers first, up to the
        company's limit, however many calls of this action it takes (the runner's, "Run
        Manually"). Batches are sized to end within Odoo's time limit, and each batch's
        customers are locked, called, and committed with their results: a batch
        interrupted before its commit is taken again by the same run.
        """
        if self.env["ir.config_parameter"].sudo().get_param("database.is_neutralized"):
            _logger.info("Neutralized database: the TusFacturas automatic check does not run.")
            return 0
        budget = TimeBudget.for_cron_pass(self.env.cr)
        Run = self.env["tusfacturas.check.run"].sudo()
        interval = Run._cron_interval()
        done = remaining = 0
        companies = self.env["res.company"].sudo().search([("tusfacturas_check_active", "=", True)])
        for company in companies.filtered(lambda c: c._tusfacturas_has_credentials()):
            run = Run._current(company, interval)
            if not run:
                continue
            # The company's language for what the run writes (errors, notes).
            env = self.env(context=dict(self.env.context, lang=company.partner_id.lang or self.env.lang))
            partners, run = env["res.partner"].sudo().with_company(company), run.with_env(env).sudo()
            scope = partners._tusfacturas_scope(company)
            while run.state == "running":
                size = budget.batch_size(company)
                batch = run._claim(scope, size) if size else partners.browse()
                if not batch:
                    break
                result = env["tusfacturas.reconciliation"].sudo()._reconcile_batch(batch, company)
                run._record(result)
                done += len(result.results)
                if result.credentials_refused:
                    _logger.error(
                        "TusFacturas refused the credentials of company %s (id %s): its automatic check "
                        "stops until an administrator changes them.",
                        company.name, company.id,
                    )  # fmt: skip
                self._tusfacturas_commit()
            if run.state == "running":
                pending = run._pending(scope)
                if not pending:
                    run._finish()
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

    def _tusfacturas_commit(self):
        """Commit a batch's results with its claim, so that nothing billed is lost if the
        worker stops later (not within a test's transaction)."""
        if not getattr(threading.current_thread(), "testing", False):
            self.env.cr.commit()  # pylint: disable=invalid-commit

    @api.model
    def _tusfacturas_scope(self, company):
        """Commercial partners with a valid CUIT ``company``'s automatic check covers."""
        scope = company.tusfacturas_cron_scope
        if scope == "receivable":
            groups = self.env["account.move.line"]._read_group(
                [
                    ("company_id", "=", company.id),
                    ("account_type", "=", "asset_receivable"),
                    ("parent_state", "=", "posted"),
                    ("reconciled", "=", False),
                    ("amount_residual", "!=", 0),
                    ("partner_id", "!=", False),
                ],
                groupby=["partner_id"],
            )
            partners = self.browse(partner.id for [partner] in groups).commercial_partner_id
        elif scope == "recent":
            since = fields.Date.context_today(self) - timedelta(days=company.tusfacturas_cron_days)
            groups = self.env["account.move"]._read_group(
                [
                    ("company_id", "=", company.id),
                    ("move_type", "in", ("out_invoice", "out_refund")),
                    ("state", "=", "posted"),
                    ("invoice_date", ">=", since),
                ],
                groupby=["commercial_partner_id"],
            )
            partners = self.browse(partner.id for [partner] in groups)
        else:
            # Companies and individuals (monotributistas, autónomos): every commercial partner.
            partners = self.search(
                [
                    "|", ("is_company", "=", True), ("parent_id", "=", False),
                    ("customer_rank", ">", 0),
                    ("vat", "!=", False),
                    ("l10n_latam_identification_type_id.l10n_ar_afip_code", "=", "80"),
                    ("company_id", "in", (False, company.id)),
                ]
            )  # fmt: skip
        return partners.filtered(lambda partner: partner._tusfacturas_has_cuit())

    def _tusfacturas_has_cuit(self):
        """Whether this commercial partner has a valid CUIT (no call without one)."""
        try:
            self._tusfacturas_cuit()
        except UserError:
            return False
        return True
