import json

from odoo import api, fields, models

from ..tusfacturas.matching import STATES, problem_states

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
    last_run_key = fields.Char(
        help="The scheduled run that last took this customer: it is not called again in that run.",
    )
    tusfacturas_balance = fields.Monetary(string="TusFacturas Balance", help="In the company currency.")
    odoo_balance = fields.Monetary(help="In the company currency.")
    difference = fields.Monetary(help="In the company currency: see the balances per currency for the others.")
    total_ids = fields.One2many("tusfacturas.partner.status.total", "status_id", string="Balances per Currency")
    error_message = fields.Text()
    note_signature = fields.Char(
        help="The differences the last chatter note was about: a note is posted when they change.",
    )
    matched_count = fields.Integer(string="Matched")
    amount_mismatch_count = fields.Integer(string="Different Total")
    residual_mismatch_count = fields.Integer(string="Different Open Amount")
    missing_in_odoo_count = fields.Integer(string="Missing in Odoo")
    missing_in_tusfacturas_count = fields.Integer(string="Missing in TusFacturas")
    duplicate_in_tusfacturas_count = fields.Integer(string="Duplicated in TusFacturas")
    duplicate_in_odoo_count = fields.Integer(string="Duplicated in Odoo")
    not_a_document_count = fields.Integer(string="Not a Document")
    annulled_count = fields.Integer(string="Annulled")
    out_of_scope_count = fields.Integer(string="Out of Scope")

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

        A customer with differences gets a note in its chatter when the differences
        change (not again after an error in between).
        """
        now = fields.Datetime.now()
        to_note = self.browse()
        totals = []
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
            status.write({
                "state": state,
                "error_message": False,
                "last_check": now,
                "last_attempt": now,
                "tusfacturas_balance": result.tusfacturas_balance,
                "odoo_balance": result.odoo_balance,
                "difference": result.difference,
                "note_signature": signature,
                **{f"{state}_count": count for state, count in result.counts.items()},
            })  # fmt: skip
            Total = self.env["tusfacturas.partner.status.total"]
            totals += [dict(values, status_id=status.id) for values in Total._values(result.totals)]
        checked = statuses.filtered(lambda s: not isinstance(results[s.partner_id.id], str))
        checked.total_ids.unlink()
        self.env["tusfacturas.partner.status.total"].sudo().create(totals)
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
    return json.dumps([differences, counts])
