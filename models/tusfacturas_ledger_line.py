from odoo import api, fields, models
from odoo.osv import expression
from odoo.tools.query import Query

from ..tusfacturas.matching import COMPANY_CURRENCY, DOCUMENT_CURRENCY

MATCH_STATES = [
    ("matched", "Matched"),
    ("rounding", "Rounding difference"),
    ("amount_mismatch", "Different total"),
    ("residual_mismatch", "Different open amount"),
    ("missing_in_odoo", "Missing in Odoo"),
    ("other_customer", "In Odoo, on another customer"),
    ("missing_in_tusfacturas", "Missing in TusFacturas"),
    ("duplicate_in_tusfacturas", "Duplicated in TusFacturas"),
    ("duplicate_in_odoo", "Duplicated in Odoo"),
    ("unrecognized", "Concept not recognized"),
    ("not_a_document", "Not a document"),
    ("annulled", "Annulled in TusFacturas"),
    ("out_of_scope", "Out of scope"),
]


class TusFacturasLedgerLine(models.TransientModel):
    """A row of a ledger, as fetched and compared. The lines hold the ledger's rows (its
    "Until" date compares them again): they live and die with their ledger, and only the
    ledger writes them (users read them only: see ir.model.access.csv)."""

    _name = "tusfacturas.ledger.line"
    _description = "TusFacturas Current Account Row"
    _order = "ledger_id, sequence, id"
    # Not vacuumed on their own age: deleted with their ledger (which is), never before it.
    _transient_max_hours = 0

    ledger_id = fields.Many2one("tusfacturas.ledger", required=True, ondelete="cascade", index=True)
    currency_id = fields.Many2one(
        "res.currency", help="The currency the row was compared in, and of its amounts and difference."
    )
    sequence = fields.Integer()
    row_number = fields.Integer(
        string="TusFacturas Row", help="Position of the row in TusFacturas' answer (empty for Odoo's own documents)."
    )
    date = fields.Date()
    concept = fields.Char()
    debit = fields.Monetary()
    credit = fields.Monetary()
    residual = fields.Monetary(string="Open Amount")
    balance = fields.Monetary(string="Running Balance")
    # Odoo's document and the document type are kept as their ids, without a foreign key: PostgreSQL
    # checks a foreign key of each line written by locking the row it names (FOR KEY SHARE), which
    # made an opening lock every invoice of its customer and take 10 to 12 % longer from 1,000 to
    # 2,000 rows (BENCHMARKS.md). The lines are a snapshot of hours; a document deleted since reads as none.
    document_type_ref = fields.Integer(string="Document Type ID", readonly=True)
    document_type_id = fields.Many2one(
        "l10n_latam.document.type", compute="_compute_references", search="_search_document_type_id"
    )
    point_of_sale = fields.Integer()
    document_number = fields.Integer()
    move_ref = fields.Integer(string="Odoo Document ID", readonly=True)
    move_id = fields.Many2one(
        "account.move", string="Odoo Document", compute="_compute_references", search="_search_move_id"
    )
    match_state = fields.Selection(MATCH_STATES, string="Match")
    other_partner_id = fields.Many2one(
        "res.partner",
        string="Customer in Odoo",
        compute="_compute_other_partner_id",
        help="The customer Odoo has the document on, for a row whose document Odoo has on another customer.",
    )
    other_period = fields.Boolean(
        string="Another VAT Period",
        help="TusFacturas dates the row in another month than the Odoo document's invoice date: the document is "
        "in another VAT period in each.",
    )
    unrecognized_concept = fields.Boolean(
        string="Concept Not Recognized",
        help="The concept does not read as a document; the Odoo document was found by the number it names.",
    )
    match_currency = fields.Selection(
        [(COMPANY_CURRENCY, "Company currency"), (DOCUMENT_CURRENCY, "Document currency")],
        string="Compared In",
        help="The currency in which TusFacturas and Odoo amounts were compared.",
    )
    odoo_amount = fields.Monetary(string="Odoo Total")
    odoo_residual = fields.Monetary(string="Odoo Open Amount")
    difference = fields.Monetary(
        help="This row's share of the difference between the TusFacturas and Odoo balances, in the currency "
        "it was compared in: its TusFacturas movement minus the Odoo document's signed total. Zero for a "
        "matched row; rows out of scope, annulled or repeated count nothing.",
    )

    @api.depends("move_ref", "document_type_ref")
    def _compute_references(self):
        moves = self.env["account.move"].browse(set(self.mapped("move_ref")) - {0}).exists()
        types = self.env["l10n_latam.document.type"].browse(set(self.mapped("document_type_ref")) - {0}).exists()
        moves, types = set(moves.ids), set(types.ids)
        for line in self:
            line.move_id = line.move_ref if line.move_ref in moves else False
            line.document_type_id = line.document_type_ref if line.document_type_ref in types else False

    def _search_move_id(self, operator, value):
        return self._search_reference("move_ref", "account.move", operator, value)

    def _search_document_type_id(self, operator, value):
        return self._search_reference("document_type_ref", "l10n_latam.document.type", operator, value)

    def _search_reference(self, column, comodel, operator, value):
        """The domain on ``column`` (the id of a ``comodel`` record) of a condition on the
        many2one computed from it, as a stored many2one is searched: by ids, by name, by a path
        or ``any`` of the comodel's fields; "none" is no record, or one deleted since."""
        Comodel = self.env[comodel]
        # Ids as a stored many2one takes them: whatever the user's rules, archived ones too.
        Every = Comodel.sudo().with_context(active_test=False)
        if operator == "=?":
            if value is False or value is None:
                return expression.TRUE_DOMAIN
            operator = "="
        negative = operator in expression.NEGATIVE_TERM_OPERATORS or operator == "not any"
        if negative:
            operator = "any" if operator == "not any" else expression.TERM_OPERATORS_NEGATION[operator]
        none = False
        if operator == "any":
            found = Comodel._search(value)
        elif isinstance(value, Query):
            found = value
        else:
            values = list(value) if isinstance(value, list | tuple) else [value]
            none = any(item is False or item is None for item in values)
            values = [item for item in values if item is not False and item is not None]
            by_id = all(isinstance(item, int) for item in values)
            operand = values if isinstance(value, list | tuple) else values[0] if values else None
            condition = [("id" if by_id else "display_name", operator, operand)]
            found = (Every if by_id else Comodel)._search(condition) if values else None
        parts = [[(column, "in", found)]] if found is not None else []
        nothing = ["|", (column, "=", False), (column, "not in", Every._search([]))]
        if none:
            parts.append(nothing)
        domain = expression.OR(parts) if parts else expression.FALSE_DOMAIN
        if not negative:
            return domain
        return ["!", *domain] if none else expression.OR([nothing, ["!", *domain]])

    @api.depends("match_state", "move_id")
    def _compute_other_partner_id(self):
        for line in self:
            other = line.match_state == "other_customer"
            line.other_partner_id = line.move_id.commercial_partner_id if other else False

    def action_open_move(self):
        self.ensure_one()
        return self.move_id._get_records_action()
