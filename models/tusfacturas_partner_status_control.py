import re

from odoo import fields, models


class TusFacturasPartnerStatus(models.Model):
    """The per-customer overview of Control TusFacturas: salesperson, open discrepancies,
    and the way to a fresh ledger."""

    _inherit = "tusfacturas.partner.status"

    user_id = fields.Many2one(related="partner_id.user_id", string="Salesperson", store=True, index=True)
    open_discrepancy_count = fields.Integer(string="Open Discrepancies", compute="_compute_open_discrepancy_count")

    def _compute_open_discrepancy_count(self):
        """Counted per CUIT and company, in one query: customers sharing a CUIT share them."""
        cuits = {status.id: re.sub(r"\D", "", status.partner_id.vat or "") for status in self}
        groups = (
            self.env["tusfacturas.discrepancy"]
            .sudo()
            ._read_group(
                [
                    ("state", "=", "open"),
                    ("company_id", "in", self.company_id.ids),
                    ("cuit", "in", list(set(cuits.values()))),
                ],
                groupby=["company_id", "cuit"],
                aggregates=["__count"],
            )
        )
        counts = {(company.id, cuit): count for company, cuit, count in groups}
        for status in self:
            status.open_discrepancy_count = counts.get((status.company_id.id, cuits[status.id]), 0)

    def action_open_ledger(self):
        """A fresh TusFacturas current account of this customer: a billed call."""
        self.ensure_one()
        ledger = self.env["tusfacturas.ledger"]._open_for(self.partner_id, self.company_id)
        return ledger._get_window_action()

    def action_open_discrepancies(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "tusfacturas_cuenta_corriente.action_tusfacturas_discrepancy"
        )
        cuit = re.sub(r"\D", "", self.partner_id.vat or "")
        action["domain"] = [("company_id", "=", self.company_id.id), ("cuit", "=", cuit)]
        action["context"] = {"search_default_open": 1}
        return action
