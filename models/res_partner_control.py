from odoo import api, fields, models
from odoo.tools import formatLang


class ResPartner(models.Model):
    _inherit = "res.partner"

    tusfacturas_button_label = fields.Char(
        string="TusFacturas Last Check Summary",
        compute="_compute_tusfacturas_button_label",
        groups="account.group_account_invoice",
    )

    @api.depends_context("company", "lang")
    def _compute_tusfacturas_button_label(self):
        """The last check on the partner form button: "With differences · $ 908.56"."""
        labels = dict(self._fields["tusfacturas_state"]._description_selection(self.env))
        for partner in self:
            state = partner.tusfacturas_state or "not_checked"
            label = labels[state]
            if state == "mismatch":
                amount = formatLang(
                    self.env, partner.tusfacturas_difference, currency_obj=partner.tusfacturas_currency_id
                )
                label = f"{label} · {amount}"
            partner.tusfacturas_button_label = label
