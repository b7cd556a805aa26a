from odoo import api, models

from ..tusfacturas.matching import problem_states


class ReportTusFacturasLedger(models.AbstractModel):
    """Values of the printable check: which match states are differences in each ledger's mode,
    and what each of Odoo's other entries is (a collection, a withholding...)."""

    _name = "report.tusfacturas_cuenta_corriente.report_tusfacturas_ledger"
    _description = "TusFacturas Current Account Check Report"

    @api.model
    def _get_report_values(self, docids, data=None):
        ledgers = self.env["tusfacturas.ledger"].browse(docids)
        Line = self.env["tusfacturas.ledger.line"]
        kinds = dict(self.env["tusfacturas.ledger.item"]._fields["kind"]._description_selection(self.env))
        return {
            "doc_ids": docids,
            "doc_model": "tusfacturas.ledger",
            "docs": ledgers,
            "state_labels": dict(Line._fields["match_state"]._description_selection(self.env)),
            "item_labels": kinds,
            "entry_kinds": {ledger.id: ledger._entry_kinds(kinds) for ledger in ledgers},
            "problems": {
                ledger.id: problem_states(ledger.compare_mode or ledger.company_id.tusfacturas_compare_mode)
                for ledger in ledgers
            },
        }
