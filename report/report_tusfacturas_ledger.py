from odoo import api, models

from ..tusfacturas.matching import problem_states


class ReportTusFacturasLedger(models.AbstractModel):
    """Values of the printable check: which match states are differences in each ledger's mode."""

    _name = "report.tusfacturas_cuenta_corriente.report_tusfacturas_ledger"
    _description = "TusFacturas Current Account Check Report"

    @api.model
    def _get_report_values(self, docids, data=None):
        ledgers = self.env["tusfacturas.ledger"].browse(docids)
        Line = self.env["tusfacturas.ledger.line"]
        return {
            "doc_ids": docids,
            "doc_model": "tusfacturas.ledger",
            "docs": ledgers,
            "state_labels": dict(Line._fields["match_state"]._description_selection(self.env)),
            "problems": {
                ledger.id: problem_states(ledger.compare_mode or ledger.company_id.tusfacturas_compare_mode)
                for ledger in ledgers
            },
        }
