import logging
import threading
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError

_logger = logging.getLogger(__name__)

BATCH_SIZE = 50
MANUAL_LIMIT = 100


class ResPartner(models.Model):
    """Reconciling many customers: the list action and the scheduled action."""

    _inherit = "res.partner"

    # ------------------------------------------------------------------
    # List action
    # ------------------------------------------------------------------

    def action_tusfacturas_reconcile(self):
        """ "Reconcile with TusFacturas" on selected customers, now."""
        partners = self.commercial_partner_id
        if len(partners) > MANUAL_LIMIT:
            raise UserError(
                self.env._(
                    "Select at most %(limit)s customers to reconcile at once (you selected %(count)s): every "
                    "customer is a billed TusFacturas call. Use the automatic reconciliation in Settings for more.",
                    limit=MANUAL_LIMIT,
                    count=len(partners),
                )
            )
        engine = self.env["tusfacturas.reconciliation"]
        states = []
        for company, company_partners in partners.grouped(lambda p: p._tusfacturas_company()).items():
            for start in range(0, len(company_partners), BATCH_SIZE):
                result = engine._reconcile_batch(company_partners[start : start + BATCH_SIZE], company)
                states += [r if isinstance(r, str) else r.is_ok for r in result.results.values()]
                if result.credentials_refused:
                    break
        agree, differ = states.count(True), states.count(False)
        errors = len(states) - agree - differ
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "warning" if differ or errors else "success",
                "title": self.env._("TusFacturas reconciliation"),
                "message": self.env._(
                    "%(agree)s in agreement, %(differ)s with differences, %(errors)s with errors.",
                    agree=agree, differ=differ, errors=errors,
                ),
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }  # fmt: skip

    # ------------------------------------------------------------------
    # Scheduled action
    # ------------------------------------------------------------------

    @api.model
    def _cron_tusfacturas_reconcile(self):
        """Reconcile every in-scope customer of every company that has credentials.

        Each call handles one batch and reports progress, so that Odoo's cron runner
        commits and calls again while customers remain. A run is one scheduled
        execution of the cron (its ``lastcall``): a customer taken by a run is not
        called again in that run, even if the run was interrupted and resumed.
        """
        run_key = str(self.env.context.get("lastcall"))
        companies = (
            self.env["res.company"]
            .sudo()
            .search([("tusfacturas_apitoken", "!=", False)])
            .filtered(lambda c: c._tusfacturas_has_credentials())
        )
        done = remaining = 0
        for company in companies:
            partners = self.with_company(company).sudo()
            candidates = partners._tusfacturas_run_candidates(company, run_key)
            if done or not candidates:
                remaining += len(candidates)
                continue
            batch = candidates[:BATCH_SIZE]
            result = partners._tusfacturas_cron_batch(batch, company, run_key)
            done = len(batch)
            if result.credentials_refused:
                _logger.error(
                    "TusFacturas refused the credentials of company %s (id %s): its scheduled "
                    "reconciliation stops here, %s customers left unchecked.",
                    company.name, company.id, len(candidates) - len(batch),
                )  # fmt: skip
                company.tusfacturas_cron_run_done = True
            elif len(batch) == len(candidates):
                company.tusfacturas_cron_run_done = True
            else:
                remaining += len(candidates) - len(batch)
        self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)
        return remaining

    @api.model
    def _tusfacturas_run_candidates(self, company, run_key):
        """The customers ``company``'s current run has still to reconcile, in a stable order."""
        if company.tusfacturas_cron_run_key != run_key:
            company.write({"tusfacturas_cron_run_key": run_key, "tusfacturas_cron_run_done": False})
        if company.tusfacturas_cron_run_done:
            return self.browse()
        taken = self.env["tusfacturas.partner.status"].search(
            [("company_id", "=", company.id), ("last_run_key", "=", run_key)]
        )
        budget = max(0, company.tusfacturas_cron_limit - len(taken))
        in_scope = self._tusfacturas_scope(company) - taken.partner_id
        return in_scope.sorted("id")[:budget]

    @api.model
    def _tusfacturas_scope(self, company):
        """Commercial partners ``company``'s scheduled reconciliation covers."""
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
            return self.browse(partner.id for [partner] in groups).commercial_partner_id
        if scope == "recent":
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
            return self.browse(partner.id for [partner] in groups)
        return self.search(
            [
                ("is_company", "=", True),
                ("customer_rank", ">", 0),
                ("vat", "!=", False),
                ("l10n_latam_identification_type_id.l10n_ar_afip_code", "=", "80"),
                ("company_id", "in", (False, company.id)),
            ]
        )

    @api.model
    def _tusfacturas_cron_batch(self, partners, company, run_key):
        """Claim ``partners`` for the current run (committed first, so that an interrupted
        run never bills them twice), then reconcile them."""
        statuses = self.env["tusfacturas.partner.status"]._get_or_create(partners, company)
        statuses.write({"last_attempt": fields.Datetime.now(), "last_run_key": run_key})
        if not getattr(threading.current_thread(), "testing", False):
            self.env.cr.commit()  # pylint: disable=invalid-commit
        return self.env["tusfacturas.reconciliation"]._reconcile_batch(partners, company)
