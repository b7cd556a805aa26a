from odoo import api, fields, models


class TusFacturasVoucherCustomer(models.Model):
    """A customer document (CUIT, DNI) the voucher check saw on a voucher, and the day of the
    last one: the scheduled check of current accounts covers these customers, whatever Odoo's
    receivables say (issue 19). Kept apart from the customers' statuses, which a check of
    current accounts holds locked while it calls TusFacturas."""

    _name = "tusfacturas.voucher.customer"
    _description = "TusFacturas Customer with Vouchers"
    _rec_name = "document_number"

    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True, ondelete="cascade")
    document_number = fields.Char(required=True, readonly=True, index=True)
    last_voucher_date = fields.Date(required=True, readonly=True, index=True)

    _sql_constraints = [
        ("document_uniq", "unique(company_id, document_number)", "One line per company and customer document."),
    ]

    @api.model
    def _note(self, company, numbers, day):
        """The voucher check read vouchers of ``day`` for these customer document ``numbers``: one
        statement, whatever their number, that two checks can run at once."""
        if not numbers:
            return
        self.flush_model()
        self.env.cr.execute(
            """
            INSERT INTO tusfacturas_voucher_customer
                   (company_id, document_number, last_voucher_date, create_uid, write_uid, create_date, write_date)
            SELECT %(company)s, number, %(day)s, %(uid)s, %(uid)s, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
              FROM unnest(%(numbers)s) AS new(number)
                ON CONFLICT (company_id, document_number) DO UPDATE
               SET last_voucher_date = GREATEST(
                       tusfacturas_voucher_customer.last_voucher_date, EXCLUDED.last_voucher_date)
            """,
            {"company": company.id, "day": day, "uid": self.env.uid, "numbers": sorted(numbers)},
        )
        self.invalidate_model()
