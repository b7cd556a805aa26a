from markupsafe import Markup

from odoo import api, fields, models
from odoo.tools import formatLang

WORKLIST_URL = "/odoo/action-tusfacturas_cuenta_corriente.action_tusfacturas_discrepancy"


class TusFacturasControlSummary(models.Model):
    """What one check run of a company found, posted once when the run ends: a scheduled check
    of the customers' current accounts, or a check of a TusFacturas account's vouchers."""

    _name = "tusfacturas.control.summary"
    _description = "TusFacturas Control Summary"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date desc, id desc"
    _rec_name = "date"

    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True, ondelete="cascade")
    currency_id = fields.Many2one(related="company_id.currency_id")
    run_key = fields.Char(required=True, readonly=True, help="The run summarised.")
    source = fields.Selection(
        [("ledger", "Current accounts"), ("voucher", "Vouchers")], string="Check", default="ledger", readonly=True
    )
    account_id = fields.Many2one("tusfacturas.account", string="TusFacturas Account", readonly=True)
    voucher_count = fields.Integer(string="Vouchers", readonly=True)
    billed_calls = fields.Integer(readonly=True)
    stop_reason = fields.Text(string="Stopped Because", readonly=True)
    date = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now)
    customer_count = fields.Integer(string="Customers", readonly=True)
    ok_count = fields.Integer(string="In Agreement", readonly=True)
    mismatch_count = fields.Integer(string="With Differences", readonly=True)
    mismatch_amount = fields.Monetary(
        string="Differences",
        readonly=True,
        help="Sum of the customers' differences, in absolute value, each CUIT once (customers sharing a CUIT share "
        "one current account).",
    )
    tusfacturas_balance = fields.Monetary(
        string="TusFacturas Balance",
        readonly=True,
        help="Sum of TusFacturas' balances of the customers checked, each CUIT once.",
    )
    odoo_balance = fields.Monetary(
        readonly=True, help="Sum of Odoo's balances of the customers checked, each CUIT once."
    )
    error_count = fields.Integer(string="With Errors", readonly=True)
    new_count = fields.Integer(string="New Discrepancies", readonly=True)
    resolved_count = fields.Integer(string="Resolved Discrepancies", readonly=True)
    body = fields.Text(string="Summary", readonly=True)

    _sql_constraints = [("run_uniq", "unique(company_id, run_key)", "One summary per scheduled run.")]

    @api.model
    def _run_stats(self, company, statuses, since=None):
        """Counts of a run of ``company``: its customers (``statuses``) and the discrepancies
        found new or resolved since ``since`` (default: the run's first attempt)."""
        since = since or min(statuses.mapped("last_attempt"), default=None) or fields.Datetime.now()
        mismatched = statuses.filtered(lambda s: s.state == "mismatch")
        # One status per CUIT for the figures: customers sharing one have the same (a CUIT's
        # customers may have been checked apart since, so not the figures counted once by a check).
        vats = statuses.partner_id._tusfacturas_vats()
        checked = {vats[status.partner_id.id] or status.partner_id.id: status for status in statuses}.values()
        checked = [status for status in checked if status.state in ("ok", "mismatch")]
        currency = company.currency_id
        Discrepancy = self.env["tusfacturas.discrepancy"].sudo()
        company_domain = [("company_id", "=", company.id), ("source", "=", "ledger")]
        return {
            "customer_count": len(statuses),
            "ok_count": len(statuses.filtered(lambda s: s.state == "ok")),
            "mismatch_count": len(mismatched),
            "mismatch_amount": currency.round(sum(abs(s.difference) for s in checked if s.state == "mismatch")),
            "tusfacturas_balance": currency.round(sum(status.tusfacturas_balance for status in checked)),
            "odoo_balance": currency.round(sum(status.odoo_balance for status in checked)),
            "error_count": len(statuses.filtered(lambda s: s.state == "error")),
            "new_count": Discrepancy.search_count([*company_domain, ("first_seen", ">=", since)]),
            "resolved_count": Discrepancy.search_count(
                [*company_domain, ("state", "=", "resolved"), ("resolved_date", ">=", since)]
            ),
        }

    @api.model
    def _post_run_summary(self, company, run_key, statuses=None, since=None, stats=None):
        """Post the summary of ``company``'s scheduled run ``run_key``, once: an activity for the
        company's control responsible, else a message. Called again for the same run (a resumed
        run), it posts nothing and returns the summary already posted.

        The counts are ``stats`` if given, else those of ``statuses`` (the customers the run
        checked: see ``tusfacturas.check.run._post_summary``) and of the discrepancies found or
        resolved since ``since``.
        """
        Summary = self.sudo()
        existing = Summary.search([("company_id", "=", company.id), ("run_key", "=", run_key)], limit=1)
        if existing:
            return existing
        if stats is None:
            statuses = statuses if statuses is not None else self.env["tusfacturas.partner.status"]
            stats = self._run_stats(company, statuses, since=since)
        responsible = company.sudo().tusfacturas_control_user_id
        lang = responsible.lang or company.partner_id.lang or self.env.lang
        Summary = Summary.with_context(lang=lang, mail_create_nosubscribe=True, mail_create_nolog=True)
        summary = Summary.create({"company_id": company.id, "run_key": run_key, **stats})
        summary.body = summary._text()
        link = Markup('<p><a href="%s">%s</a></p>') % (WORKLIST_URL, Summary.env._("Open the discrepancies"))
        note = Markup("<p>%s</p>") % summary.body + link
        if responsible:
            summary.activity_schedule(
                "mail.mail_activity_data_todo",
                user_id=responsible.id,
                summary=Summary.env._("TusFacturas control of %(company)s", company=company.name),
                note=note,
            )
        else:
            summary.message_post(body=note, message_type="comment", subtype_xmlid="mail.mt_note")
        return summary

    @api.model
    def _post_voucher_summary(self, run):
        """Post the summary of the voucher check ``run``, once (see :meth:`_post_run_summary`)."""
        Discrepancy = self.env["tusfacturas.discrepancy"].sudo()
        domain = [("account_id", "=", run.account_id.id), ("source", "=", "voucher")]
        stats = {
            "source": "voucher",
            "account_id": run.account_id.id,
            "voucher_count": run.voucher_count,
            "billed_calls": run.billed_calls,
            "mismatch_count": Discrepancy.search_count(
                [*domain, ("state", "=", "open"), ("check_day", ">=", run.date_from), ("check_day", "<=", run.date_to)]
            ),
            "new_count": run.new_count,
            "resolved_count": run.resolved_count,
            "stop_reason": run.stop_reason,
        }
        return self._post_run_summary(run.company_id, f"voucher-run-{run.id}", stats=stats)

    def _text(self):
        self.ensure_one()

        def money(amount):
            return formatLang(self.env, amount, currency_obj=self.currency_id)

        if self.source == "voucher":
            text = self.env._(
                "TusFacturas voucher check of %(account)s: vouchers read: %(vouchers)s; open discrepancies: "
                "%(open)s (new: %(new)s, resolved: %(resolved)s); billed calls: %(billed)s.",
                account=self.account_id.display_name,
                vouchers=self.voucher_count,
                open=self.mismatch_count,
                new=self.new_count,
                resolved=self.resolved_count,
                billed=self.billed_calls,
            )
            return f"{text} {self.stop_reason}" if self.stop_reason else text
        return self.env._(
            "TusFacturas control: %(customers)s customers, %(ok)s in agreement, %(mismatch)s with differences "
            "(%(amount)s), %(errors)s with errors; TusFacturas balance %(tusfacturas)s, Odoo balance %(odoo)s; "
            "%(new)s new discrepancies, %(resolved)s resolved.",
            customers=self.customer_count,
            ok=self.ok_count,
            mismatch=self.mismatch_count,
            amount=money(self.mismatch_amount),
            errors=self.error_count,
            tusfacturas=money(self.tusfacturas_balance),
            odoo=money(self.odoo_balance),
            new=self.new_count,
            resolved=self.resolved_count,
        )

    def action_open_discrepancies(self):
        return self.env["ir.actions.act_window"]._for_xml_id(
            "tusfacturas_cuenta_corriente.action_tusfacturas_discrepancy"
        )
