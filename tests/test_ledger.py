from datetime import date

from odoo.exceptions import AccessError, RedirectWarning, UserError
from odoo.tests import tagged

from ..sandbox.server import REFERENCE_ROWS
from .common import ADHOC_CUIT, TusFacturasCase, tf_row


@tagged("post_install", "-at_install")
class TestLedger(TusFacturasCase):
    def test_reference_example_end_to_end(self):
        self.sandbox.ledgers[ADHOC_CUIT] = REFERENCE_ROWS
        contact = self.env["res.partner"].create({"name": "Juan (ADHOC)", "parent_id": self.customer.id})

        ledger = self.open_ledger(contact)

        self.assertEqual(ledger.partner_id, self.customer, "works on the commercial partner")
        self.assertEqual(ledger.company_id, self.company)
        self.assertEqual(ledger.currency_id, self.company.currency_id)
        self.assertTrue(ledger.fetch_date)
        self.assertEqual(self.sandbox.calls, [("clientes/cuenta-corriente", ADHOC_CUIT)])
        invoice_a = self.env.ref("l10n_ar.dc_a_f")
        self.assertRecordValues(
            ledger.line_ids,
            [
                {
                    "sequence": 1,
                    "date": date(2017, 5, 11),
                    "concept": "FACTURA A 0002-00000001 (CUIT DE PRUEBA)",
                    "debit": 112.1,
                    "credit": 0.0,
                    "residual": 112.1,
                    "balance": 112.1,
                    "document_type_id": invoice_a.id,
                    "point_of_sale": 2,
                    "document_number": 1,
                },
                {
                    "sequence": 2,
                    "date": date(2017, 5, 11),
                    "concept": "FACTURA A 0002-00000002 (CUIT DE PRUEBA)",
                    "debit": 112.1,
                    "credit": 0.0,
                    "residual": 112.1,
                    "balance": 224.2,
                    "document_type_id": invoice_a.id,
                    "point_of_sale": 2,
                    "document_number": 2,
                },
            ],
        )
        self.assertEqual(ledger.tusfacturas_balance, 224.2)
        self.assertEqual(ledger.odoo_balance, 0.0)
        self.assertEqual(ledger.difference, 224.2)

    def test_odoo_receivables_beside_the_rows(self):
        invoice = self.invoice(self.customer, 1000.0)
        other_customer = self.make_customer("Otro SA", "30500010912")
        self.invoice(other_customer, 50.0)
        self.invoice(self.customer, 70.0, post=False)  # draft: not in the books

        ledger = self.open_ledger()

        self.assertEqual(
            ledger.receivable_line_ids, invoice.line_ids.filtered(lambda line: line.account_type == "asset_receivable")
        )
        self.assertEqual(ledger.odoo_balance, invoice.amount_total_signed)
        self.assertEqual(ledger.difference, -invoice.amount_total_signed)
        [data] = ledger.web_read({"receivable_line_ids": {"fields": {"cumulated_balance": {}}}})
        self.assertEqual(
            data["receivable_line_ids"],
            [{"id": ledger.receivable_line_ids.id, "cumulated_balance": invoice.amount_total_signed}],
        )

    def test_amounts_rounded_to_company_currency(self):
        self.sandbox.ledgers[ADHOC_CUIT] = [dict(REFERENCE_ROWS[0], debe=112.104, saldo=112.1049)]
        ledger = self.open_ledger()
        self.assertEqual(ledger.line_ids.debit, 112.10)
        self.assertEqual(ledger.tusfacturas_balance, 112.10)

    def test_concepts_are_written_as_given(self):
        """Lines are written in bulk as text: tabs, line ends, backslashes and accents in a concept
        reach the screen as TusFacturas wrote them, in rows long enough to cross the writer's chunks."""
        concept = "PAGO\tRECIBIDO \\N \\ ÑANDÚ\r\nLÍNEA 2"
        rows = [dict(REFERENCE_ROWS[0], concepto=f"{concept} {'X' * 5000} {n}") for n in range(3)]
        self.sandbox.ledgers[ADHOC_CUIT] = rows
        ledger = self.open_ledger()
        self.assertEqual(ledger.line_ids.mapped("concept"), [f"{concept} {'X' * 5000} {n}" for n in range(3)])
        self.assertEqual(ledger.line_ids.mapped("match_state"), ["not_a_document"] * 3)

    def test_rows_are_read_only_and_live_as_long_as_their_ledger(self):
        """The lines hold the rows an "Until" date compares again: nobody edits them, and they are
        cleaned up with their ledger, never before it."""
        self.sandbox.ledgers[ADHOC_CUIT] = REFERENCE_ROWS
        ledger = self.open_ledger(user=self.billing_user)
        lines = ledger.line_ids
        for action in (
            lambda: lines[0].write({"debit": 1.0}),
            lambda: lines[0].unlink(),
            lambda: lines.create({"ledger_id": ledger.id, "concept": "MADE UP"}),
        ):
            with self.assertRaises(AccessError):
                action()
        Line = self.env["tusfacturas.ledger.line"].sudo()
        self.env.cr.execute(
            "UPDATE tusfacturas_ledger_line SET create_date = now() - interval '3 days', "
            "write_date = now() - interval '3 days' WHERE ledger_id = %s",
            [ledger.id],
        )
        Line.invalidate_model()
        Line._transient_vacuum()
        self.assertEqual(ledger.line_ids, lines, "the ledger is recent: its rows stay")

    def test_until_on_a_ledger_cleaned_up_meanwhile(self):
        self.sandbox.ledgers[ADHOC_CUIT] = REFERENCE_ROWS
        ledger = self.open_ledger(user=self.billing_user)
        ledger.sudo().unlink()  # as the vacuum does, an hour after it was last used
        self.assertFalse(self.env["tusfacturas.ledger.line"].search([("ledger_id", "=", ledger.id)]))
        with self.assertRaisesRegex(UserError, "no longer available: open it again from the customer"):
            ledger.action_apply_date_to()

    def test_until_date_typed_on_the_form_keeps_the_rows(self):
        """The web client sends each change of the "Until" date to ``onchange``, on a new record
        whose origin is the ledger: the rows shown stay those of the ledger."""
        self.sandbox.ledgers[ADHOC_CUIT] = REFERENCE_ROWS
        ledger = self.open_ledger(user=self.billing_user)
        spec = {"date_to": {}, "line_ids": {"fields": {"concept": {}}, "limit": 40, "order": ""}}
        result = ledger.onchange({"date_to": "2026-03-01"}, ["date_to"], spec)
        self.assertNotIn("line_ids", result["value"], "rows unchanged")
        edited = ledger.new({"date_to": date(2026, 3, 1)}, origin=ledger)
        self.assertEqual(edited.line_ids._origin, ledger.line_ids)
        self.assertEqual(len(edited.line_ids), 2)
        edited.invalidate_recordset(["line_ids"])  # computed on the new record itself, through its origin
        self.assertEqual(edited.line_ids._origin, ledger.line_ids)

    def test_documents_of_archived_contacts_count(self):
        contact = self.env["res.partner"].create({"name": "Sucursal Norte (ADHOC)", "parent_id": self.customer.id})
        invoice = self.invoice(contact, 100.0)
        contact.active = False
        self.sandbox.ledgers[ADHOC_CUIT] = [
            tf_row(f"FACTURA A 0001-{int(invoice.name[-8:]):08d}", debe=121.0, resta=121.0, saldo=121.0)
        ]
        ledger = self.open_ledger(user=self.billing_user)
        self.assertEqual(ledger.line_ids.move_id, invoice)
        self.assertEqual(ledger.line_ids.match_state, "matched")
        self.assertTrue(ledger.is_ok)

    def test_rows_name_their_odoo_document_and_find_it_by_name(self):
        """The rows keep Odoo's document by its id (no foreign key): they show it, the search
        view's "Odoo Document" finds them by its name, and a document deleted since the opening
        reads as none, not as an error."""
        first, second = self.invoice(self.customer, 100.0), self.invoice(self.customer, 200.0)
        self.sandbox.ledgers[ADHOC_CUIT] = [
            tf_row(f"FACTURA A 0001-{first.sequence_number:08d}", debe=121.0, resta=121.0, saldo=121.0),
            tf_row(f"FACTURA A 0001-{second.sequence_number:08d}", debe=242.0, resta=242.0, saldo=363.0),
            tf_row("RECIBO X 0001-00000007", haber=50.0, saldo=313.0),
        ]
        ledger = self.open_ledger(user=self.billing_user)
        lines = ledger.line_ids
        self.assertEqual(lines.mapped("move_id"), first | second)
        self.assertEqual(lines[0].document_type_id, first.l10n_latam_document_type_id)
        Line = lines.browse()
        in_ledger = [("ledger_id", "=", ledger.id)]
        self.assertEqual(Line.search([*in_ledger, ("move_id", "ilike", first.name)]), lines[0])
        self.assertEqual(Line.search([*in_ledger, ("move_id", "=", second.id)]), lines[1])
        self.assertEqual(Line.search([*in_ledger, ("move_id", "in", (first | second).ids)]), lines[:2])
        self.assertEqual(Line.search([*in_ledger, ("move_id", "=", False)]), lines[2])
        self.assertEqual(Line.search([*in_ledger, ("move_id", "!=", first.id)]), lines[1:])
        self.assertEqual(Line.search([*in_ledger, ("move_id", "not ilike", first.name)]), lines[1:])
        self.assertEqual(Line.search([*in_ledger, ("move_id", "=?", False)]), lines)
        self.assertEqual(Line.search([*in_ledger, ("move_id", "in", [False])]), lines[2])
        self.assertEqual(Line.search([*in_ledger, ("move_id", "not in", [False])]), lines[:2])
        # Paths and "any", as the custom filter editor writes them.
        self.assertEqual(Line.search([*in_ledger, ("move_id.amount_total", "=", 242.0)]), lines[1])
        self.assertEqual(Line.search([*in_ledger, ("move_id", "any", [("amount_total", "=", 121.0)])]), lines[0])
        self.assertEqual(Line.search([*in_ledger, ("move_id", "not any", [("amount_total", "=", 121.0)])]), lines[1:])
        doc_type = first.l10n_latam_document_type_id
        self.assertEqual(Line.search([*in_ledger, ("document_type_id", "=", doc_type.id)]), lines[:2])
        doc_type.active = False  # an archived type is still the rows' type, as with a stored many2one
        self.assertEqual(Line.search([*in_ledger, ("document_type_id", "=", doc_type.id)]), lines[:2])
        self.assertEqual(Line.search([*in_ledger, ("document_type_id", "!=", False)]), lines[:2])
        doc_type.active = True
        spec = {"line_ids": {"fields": {"move_id": {"fields": {"display_name": {}}}}, "limit": 40}}
        [read] = ledger.web_read(spec)
        self.assertEqual([line["move_id"] and line["move_id"]["id"] for line in read["line_ids"]],
                         [first.id, second.id, False])  # fmt: skip

        second.button_draft()
        second.with_context(force_delete=True).unlink()
        ledger.invalidate_recordset()
        lines.invalidate_recordset()
        self.assertEqual(lines.mapped("move_id"), first)
        self.assertEqual(Line.search([*in_ledger, ("move_id", "=", False)]), lines[1:])
        self.assertEqual(Line.search([*in_ledger, ("move_id", "!=", False)]), lines[0])
        [read] = ledger.web_read(spec)
        self.assertEqual(
            [line["move_id"] and line["move_id"]["id"] for line in read["line_ids"]], [first.id, False, False]
        )

    def test_refresh_fetches_again_in_place(self):
        ledger = self.open_ledger()
        self.assertFalse(ledger.line_ids)
        self.sandbox.ledgers[ADHOC_CUIT] = REFERENCE_ROWS
        action = ledger.action_refresh()
        self.assertEqual(action["res_id"], ledger.id)
        self.assertEqual(len(ledger.line_ids), 2)
        self.assertEqual(len(self.sandbox.calls), 2)

    def test_refresh_failure_keeps_the_rows(self):
        self.sandbox.ledgers[ADHOC_CUIT] = REFERENCE_ROWS
        ledger = self.open_ledger()
        self.sandbox.mode = "http_500"
        with self.assertRaises(UserError):
            ledger.action_refresh()
        self.assertEqual(len(ledger.line_ids), 2)

    def test_company_is_the_partners_else_the_current_one(self):
        other = self.setup_other_company(name="Otra Empresa AR")["company"]
        self.configure_company(other)
        shared = self.make_customer("Compartido SA", "30500010912")
        own = self.make_customer("Propio SA", "30500010912", company_id=other.id)
        self.assertEqual(self.open_ledger(shared).company_id, self.env.company)
        self.assertEqual(self.open_ledger(own).company_id, other)


@tagged("post_install", "-at_install")
class TestLedgerErrors(TusFacturasCase):
    """Every failure: a clear message, no traceback, nothing created, no token shown."""

    def assert_fails(self, expected, partner=None):
        before = self.ledger_count()
        with self.assertRaises(UserError) as caught:
            self.open_ledger(partner)
        message = str(caught.exception)
        self.assertIn(expected, message)
        for secret in ("sandbox-usertoken", "sandbox-apitoken"):
            self.assertNotIn(secret, message)
        self.assertEqual(self.ledger_count(), before, "nothing is created")
        return message

    def test_api_errors_are_listed(self):
        self.sandbox.mode = "api_error"
        self.assert_fails("El CUIT no se encuentra habilitado; Reintente luego")

    def test_refused_credentials(self):
        self.account.apitoken = "wrong"
        message = self.assert_fails("refused the credentials")
        self.assertIn("ACCESO API", message)
        self.assertNotIn("wrong", message)

    def test_http_errors(self):
        for mode, expected in [
            ("http_401", "HTTP 401"),
            ("http_403", "HTTP 403"),
            ("http_400", "invalid (HTTP 400)"),
            ("http_404", "HTTP 404"),
            ("http_405", "HTTP 405"),
            ("http_429", "not available right now (HTTP 429)"),
            ("http_500", "not available right now (HTTP 500)"),
            ("http_503", "not available right now (HTTP 503)"),
        ]:
            with self.subTest(mode=mode):
                self.sandbox.mode = mode
                self.assert_fails(expected)

    def test_timeout(self):
        self.account.timeout = 1
        self.sandbox.mode = "slow"
        # Odoo's test framework raises timeouts under 10 s to 10 s: answer after that.
        self.sandbox.slow_seconds = 11
        self.assert_fails("did not answer within 1 seconds")

    def test_connection_errors(self):
        self.sandbox.mode = "drop"
        self.assert_fails("Could not connect to TusFacturas")
        self.account.api_url = "http://127.0.0.1:9/app/api/v2"  # discard port: refused
        self.assert_fails("Could not connect to TusFacturas")

    def test_invalid_bodies(self):
        for mode, expected in [
            ("not_json", "not valid JSON"),
            ("no_resultados", 'the field "resultados" is missing or invalid'),
            ("bad_row", 'the field "debe" of row 1 is missing or invalid'),
        ]:
            with self.subTest(mode=mode):
                self.sandbox.mode = mode
                self.assert_fails(expected)

    def test_rows_with_missing_or_invalid_fields(self):
        good = REFERENCE_ROWS[0]
        for row, expected in [
            ({k: v for k, v in good.items() if k != "saldo"}, '"saldo" of row 2'),
            (dict(good, fecha="2017-05-11"), '"fecha" of row 2'),
            (dict(good, haber=True), '"haber" of row 2'),
            (dict(good, concepto=None), '"concepto" of row 2'),
        ]:
            with self.subTest(expected=expected):
                self.sandbox.ledgers[ADHOC_CUIT] = [good, row]
                self.assert_fails(expected)

    def test_cuit_validation(self):
        self.customer.vat = False
        self.assert_fails("ADHOC SA has no CUIT")
        dni = self.make_customer(
            "Persona", "20123456", l10n_latam_identification_type_id=self.env.ref("l10n_ar.it_dni").id
        )
        self.assert_fails("The identification type of Persona is DNI", dni)
        # l10n_ar refuses an invalid CUIT on save; data imported around that check is still caught.
        self.env.cr.execute("UPDATE res_partner SET vat = '30714295690' WHERE id = %s", [self.customer.id])
        self.customer.invalidate_recordset(["vat"])
        self.assert_fails("The CUIT 30714295690 of ADHOC SA is not valid")
        self.assertFalse(self.sandbox.calls, "no billed call for an invalid CUIT")

    def test_formatted_cuit_is_sent_as_digits(self):
        self.customer.vat = "30-71429569-8"
        self.open_ledger()
        self.assertEqual(self.sandbox.calls, [("clientes/cuenta-corriente", ADHOC_CUIT)])

    def test_missing_credentials_admin_is_sent_to_the_accounts(self):
        self.account.apikey = False
        before = self.ledger_count()
        with self.assertRaises(RedirectWarning) as caught:
            self.open_ledger()
        self.assertIn("has no TusFacturas account configured", str(caught.exception))
        self.assertEqual(
            caught.exception.args[1], self.env.ref("tusfacturas_cuenta_corriente.action_tusfacturas_account").id
        )
        self.assertEqual(self.ledger_count(), before)
        self.assertFalse(self.sandbox.calls)

    def test_missing_credentials_billing_user_asks_an_administrator(self):
        self.account.usertoken = False
        with self.assertRaises(UserError) as caught:
            self.open_ledger(user=self.billing_user)
        self.assertNotIsInstance(caught.exception, RedirectWarning)
        self.assertIn("Ask an administrator", str(caught.exception))
