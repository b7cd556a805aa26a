from odoo import api, fields, models

from ..tusfacturas.matching import STATES

RECEIVABLE_ORDER = "date desc, id desc"


class TusFacturasLedger(models.TransientModel):
    """A customer's TusFacturas current account, fetched once, beside Odoo's receivables."""

    _name = "tusfacturas.ledger"
    _description = "TusFacturas Current Account"
    _rec_name = "partner_id"

    partner_id = fields.Many2one("res.partner", string="Customer", required=True, readonly=True, ondelete="cascade")
    company_id = fields.Many2one("res.company", required=True, readonly=True, ondelete="cascade")
    currency_id = fields.Many2one(related="company_id.currency_id")
    fetch_date = fields.Datetime(string="Fetched On", readonly=True)
    line_ids = fields.One2many("tusfacturas.ledger.line", "ledger_id", string="TusFacturas Rows", readonly=True)
    receivable_line_ids = fields.Many2many(
        "account.move.line", string="Odoo Receivables", compute="_compute_receivable_line_ids"
    )
    tusfacturas_balance = fields.Monetary(string="TusFacturas Balance", readonly=True)
    odoo_balance = fields.Monetary(readonly=True)
    difference = fields.Monetary(readonly=True, help="TusFacturas balance minus Odoo balance.")
    odoo_other_balance = fields.Monetary(
        string="Odoo Payments and Other Entries",
        readonly=True,
        help="Odoo receivable items that are not customer invoices or credit notes (payments, "
        "journal entries). With the rows' differences it adds up to the header's difference.",
    )
    matched_count = fields.Integer(compute="_compute_state_counts")
    amount_mismatch_count = fields.Integer(compute="_compute_state_counts")
    residual_mismatch_count = fields.Integer(compute="_compute_state_counts")
    missing_in_odoo_count = fields.Integer(compute="_compute_state_counts")
    missing_in_tusfacturas_count = fields.Integer(compute="_compute_state_counts")
    not_a_document_count = fields.Integer(compute="_compute_state_counts")

    def _receivable_domain(self):
        self.ensure_one()
        return self.env["tusfacturas.reconciliation"]._receivable_domain(self.partner_id, self.company_id)

    @api.depends("partner_id", "company_id", "fetch_date")
    def _compute_receivable_line_ids(self):
        for ledger in self:
            ledger.receivable_line_ids = self.env["account.move.line"].search(
                ledger._receivable_domain(), order=RECEIVABLE_ORDER
            )

    @api.depends("line_ids.match_state")
    def _compute_state_counts(self):
        for ledger in self:
            states = ledger.line_ids.mapped("match_state")
            for state in STATES:
                ledger[f"{state}_count"] = states.count(state)

    # ------------------------------------------------------------------
    # Building
    # ------------------------------------------------------------------

    @api.model
    def _open_for(self, partner, company):
        """Fetch ``partner``'s current account with ``company``'s credentials into a new ledger."""
        ledger = self.create({"partner_id": partner.id, "company_id": company.id})
        ledger._fetch()
        return ledger

    def _fetch(self):
        """Fetch from TusFacturas and (re)build this ledger. Nothing changes if the fetch fails."""
        self.env["tusfacturas.partner.status"]._lock_for_check(self.partner_id, self.company_id)  # before any call
        self.ensure_one()
        cuit = self.partner_id._tusfacturas_cuit()
        rows = self.env["tusfacturas.service"]._ledger_rows(self.company_id, cuit)
        self._build(rows)

    def _build(self, rows):
        """Replace the lines by ``rows`` matched to Odoo's documents; store the balances
        here and in the customer's reconciliation status."""
        self.ensure_one()
        engine = self.env["tusfacturas.reconciliation"]
        partner, company = self.partner_id, self.company_id
        result = engine._reconcile(
            company, rows, engine._odoo_documents(partner, company)[partner.id],
            engine._odoo_balances(partner, company)[partner.id],
        )  # fmt: skip
        matches = result.matches
        doc_types = self._document_types({m.row.document.afip_code for m in matches if m.row and m.row.document})
        self.line_ids.unlink()
        self.env["tusfacturas.ledger.line"].create(
            [self._line_values(seq, match, doc_types) for seq, match in enumerate(matches, start=1)]
        )
        self.write({
            "fetch_date": fields.Datetime.now(),
            "tusfacturas_balance": result.tusfacturas_balance,
            "odoo_balance": result.odoo_balance,
            "difference": result.difference,
            "odoo_other_balance": result.odoo_other_balance,
        })  # fmt: skip
        self.env["tusfacturas.partner.status"]._store(partner, company, {partner.id: result})
        return result

    def _line_values(self, sequence, match, doc_types):
        currency = self.currency_id
        row, move = match.row, match.document
        odoo_total, odoo_residual = match.odoo_amounts
        values = {
            "ledger_id": self.id,
            "sequence": sequence,
            "match_state": match.state,
            "match_currency": match.currency or False,
            "move_id": move.id if move else False,
            "odoo_amount": odoo_total,
            "odoo_residual": odoo_residual,
            "difference": currency.round(match.difference),
        }
        if row:
            ref = row.document
            values.update(
                {
                    "date": row.date,
                    "concept": row.concept,
                    "debit": currency.round(row.debit),
                    "credit": currency.round(row.credit),
                    "residual": currency.round(row.residual),
                    "balance": currency.round(row.balance),
                    "document_type_id": doc_types.get(ref.afip_code, False) if ref else False,
                    "point_of_sale": ref.point_of_sale if ref else 0,
                    "document_number": ref.number if ref else 0,
                }
            )
        else:
            record = self.env["account.move"].browse(move.id)
            values.update(
                {
                    "date": record.invoice_date or record.date,
                    "concept": record.name,
                    "debit": max(move.signed_total, 0.0),
                    "credit": max(-move.signed_total, 0.0),
                    "residual": move.residual_company,
                    "document_type_id": record.l10n_latam_document_type_id.id,
                    "point_of_sale": move.key[1] if move.key else 0,
                    "document_number": move.key[2] if move.key else 0,
                }
            )
        return values

    def _document_types(self, codes):
        """AFIP code -> id of the Argentine ``l10n_latam.document.type``, in one query."""
        codes.discard(None)
        if not codes:
            return {}
        types = self.env["l10n_latam.document.type"].search(
            [("code", "in", list(codes)), ("country_id.code", "=", "AR")]
        )
        return {t.code: t.id for t in types}

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def _get_window_action(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("TusFacturas Current Account"),
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "current",
        }

    def web_read(self, specification):
        """Give Odoo's receivable items their running balance (``cumulated_balance``),
        computed over this ledger's receivables in the order they are listed."""
        ledger = self
        if len(self) == 1 and "receivable_line_ids" in specification:
            ledger = self.with_context(
                order_cumulated_balance=RECEIVABLE_ORDER,
                domain_cumulated_balance=tuple(self._receivable_domain()),
            )
        return super(TusFacturasLedger, ledger).web_read(specification)

    def action_open_lines(self):
        """Header counters: this ledger's rows, filtered on the state clicked."""
        self.ensure_one()
        state = self.env.context.get("tusfacturas_state")
        context = {f"search_default_{state}": 1} if state in STATES else {}
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("TusFacturas Rows of %(partner)s", partner=self.partner_id.display_name),
            "res_model": "tusfacturas.ledger.line",
            "view_mode": "list",
            "views": [(False, "list")],
            "domain": [("ledger_id", "=", self.id)],
            "context": context,
        }

    def action_refresh(self):
        self.ensure_one()
        self._fetch()
        return self._get_window_action()
