from odoo import fields, models


class TusFacturasDiscrepancyInvoice(models.TransientModel):
    """Asks before creating the customers Odoo does not have, for the drafts of the selected vouchers
    (see tusfacturas.voucher.import)."""

    _name = "tusfacturas.discrepancy.invoice"
    _inherit = "tusfacturas.discrepancy.wizard"
    _description = "Create TusFacturas Vouchers in Odoo"

    new_customers = fields.Text(
        string="Customers to Create",
        readonly=True,
        help="Odoo does not have them: they are created as TusFacturas knows them, with their AFIP responsibility.",
    )

    def action_confirm(self):
        self.ensure_one()
        return self.env["tusfacturas.voucher.import"]._create_documents(self.discrepancy_ids, create_customers=True)
