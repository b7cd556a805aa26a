from odoo import api, fields, models
from odoo.tools import format_amount

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
    last_attempt = fields.Datetime(help="When a scheduled run last took this customer.")
    last_run_key = fields.Char(
        help="The scheduled run that last took this customer: it is not called again in that run.",
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
        """The statuses of ``partners`` in ``company``, creating the missing ones in one batch."""
        statuses = self.search([("partner_id", "in", partners.ids), ("company_id", "=", company.id)])
        missing = partners - statuses.partner_id
        if missing:
            statuses |= self.create([{"partner_id": p.id, "company_id": company.id} for p in missing])
        return statuses

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
