from odoo import fields, models


class TusFacturasVoucherCheck(models.TransientModel):
    """ "Check vouchers now": the vouchers of a TusFacturas account in a period, against Odoo."""

    _name = "tusfacturas.voucher.check"
    _description = "Check TusFacturas Vouchers"

    account_id = fields.Many2one("tusfacturas.account", string="TusFacturas Account", required=True)
    date_from = fields.Date(
        string="From", required=True, default=lambda self: fields.Date.context_today(self).replace(day=1)
    )
    date_to = fields.Date(string="To", required=True, default=fields.Date.context_today)

    def action_confirm(self):
        self.ensure_one()
        run = self.env["tusfacturas.voucher.run"]._check_by_hand(self.account_id, self.date_from, self.date_to)
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Voucher Check"),
            "res_model": "tusfacturas.voucher.run",
            "res_id": run.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "current",
        }
