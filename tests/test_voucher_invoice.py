import datetime

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from ..sandbox.files import minimal_pdf
from ..sandbox.vouchers import make_associated, make_tax, make_voucher
from .common import ADHOC_CUIT, TusFacturasCase, tf_row

DAY = datetime.date(2026, 3, 2)
ADHOC = ("CUIT", ADHOC_CUIT, "ADHOC SA")
PEREZ = ("DNI", "12345678", "PEREZ JUAN")  # a consumidor final Odoo does not have
ACME = ("CUIT", "50000000016", "ACME INC")  # a customer abroad, by its country's CUIT
IIBB_BA = make_tax(7, "Percepcion de IIBB", 2, "BUENOS AIRES", 1200.0, 3.0, 36.0)


@tagged("post_install", "-at_install")
class TestVoucherInvoice(TusFacturasCase):
    """A voucher TusFacturas issued and Odoo lacks, brought into Odoo as a draft from its "Missing in
    Odoo" discrepancy (issue 21): through the voucher check, the sandbox over real sockets and the
    real ORM."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.company
        cls.usd = cls.setup_other_currency("USD", rates=[("2000-01-01", 1 / 900)])  # Odoo: 1 USD = 900 ARS
        # An agent of IIBB perceptions in Buenos Aires: its sale tax of 3 %.
        cls.perception_ba = cls.env["account.tax"].create(
            {
                "name": "Perc IIBB ARBA 3%",
                "amount_type": "percent",
                "amount": 3.0,
                "type_tax_use": "sale",
                "company_id": company.id,
                "country_id": cls.env.ref("base.ar").id,
                "tax_group_id": cls.env.ref(f"account.{company.id}_tax_group_percepcion_iibb_ba").id,
            }
        )
        cls.acme = cls.env["res.partner"].create(
            {
                "name": "ACME Inc",
                "is_company": True,
                "country_id": cls.env.ref("base.us").id,
                "vat": ACME[1],
                "l10n_latam_identification_type_id": cls.cuit_type.id,
                "l10n_ar_afip_responsibility_type_id": cls.env.ref("l10n_ar.res_EXT").id,
            }
        )
        # FA-A 00001-00000001, 121,00: TusFacturas has it too; a credit note refers to it.
        cls.first_invoice = cls.invoice(cls.customer, 100.0, invoice_date="2026-03-02")

    def setUp(self):
        super().setUp()
        self.sandbox.vouchers.add(
            self.voucher("FACTURA A", 1, 121.0, ADHOC),
            # Two VAT rates and an IIBB perception: 1.000 + 210 + 200 + 21 + 36.
            self.voucher(
                "FACTURA A", 2, 1467.0, ADHOC, lines=[(2, "Soporte técnico", 500.0, 21), (1, "Libro", 200.0, 10.5)],
                taxes=[IIBB_BA], percepciones_iibb=36.0, due_date="01/04/2026",
            ),
            self.voucher(
                "FACTURA B", 1, 1210.0, PEREZ, lines=[(1, "Servicio", 1000.0, 21)],
                cliente={"condicion_iva": "CF", "email": "juan@example.com", "domicilio": "Av. Mitre 123",
                         "provincia": 2},
            ),
            self.voucher(
                "FACTURA E", 1, 1000.0, ACME, "DOL", 1100.5, lines=[(10, "Consulting", 100.0, -1)], exentos=1000
            ),
            self.voucher(
                "NOTA DE CREDITO A", 1, 60.5, ADHOC, lines=[(1, "Devolución", 50.0, 21)],
                associated=[make_associated("FACTURA A", 1, 1, "02/03/2026")],
            ),
        )  # fmt: skip

    def voucher(self, type_name, number, total, customer, currency="PES", rate=1, **values):
        """A voucher of the day at point of sale 1, its PDF served by the sandbox."""
        pdf_url = self.sandbox.file_url(f"{type_name.replace(' ', '_')}-{number}.pdf")
        return make_voucher(type_name, 1, number, "02/03/2026", total, currency, rate, customer,
                            pdf_url=pdf_url, **values)  # fmt: skip

    def check(self):
        return self.env["tusfacturas.voucher.run"]._check_by_hand(self.account, DAY, DAY)

    def missing(self, name):
        """The open "Missing in Odoo" discrepancy of the voucher ``name``."""
        return self.env["tusfacturas.discrepancy"].search(
            [("kind", "=", "missing_in_odoo"), ("name", "=", name), ("state", "=", "open")]
        )

    def discrepancy(self, name):
        self.check()
        discrepancy = self.missing(name)
        self.assertEqual(len(discrepancy), 1, name)
        return discrepancy

    def create_draft(self, discrepancy, user=None):
        """Click "Create Draft in Odoo"; return the document the action opens."""
        action = discrepancy.with_user(user or self.env.user).action_create_odoo_document()
        self.assertEqual((action["type"], action["tag"]), ("ir.actions.client", "display_notification"))
        opened = action["params"]["next"]
        self.assertEqual((opened["res_model"], opened["views"]), ("account.move", [(False, "form")]))
        return self.env["account.move"].browse(opened["res_id"])

    def assert_posted_and_resolved(self, move, discrepancy):
        """The user posts the draft; the next voucher check finds it in Odoo."""
        move.action_post()
        self.assertEqual(move.name, f"{discrepancy.document_type_id.doc_code_prefix} {discrepancy.name[-14:]}")
        run = self.check()
        self.assertEqual(run.state, "done")
        self.assertEqual(discrepancy.state, "resolved")
        others = self.env["tusfacturas.discrepancy"].search(
            [("account_id", "=", self.account.id), ("state", "=", "open"), ("name", "=", discrepancy.name)]
        )
        self.assertFalse(others, "nothing else is found about the voucher: same total, date, currency, customer")

    def documents(self):
        return self.env["account.move"].search_count([("tusfacturas_cae", "!=", False)])

    # ------------------------------------------------------------------
    # Done when: each voucher a draft whose totals equal TusFacturas'
    # ------------------------------------------------------------------

    def test_factura_a_with_two_vat_rates_and_an_iibb_perception(self):
        discrepancy = self.discrepancy("FACTURA A 00001-00000002")
        self.assertFalse(self.missing("FACTURA A 00001-00000001"), "the first one is in Odoo already")
        move = self.create_draft(discrepancy, self.billing_user)
        self.assertRecordValues(move, [{
            "state": "draft", "move_type": "out_invoice", "journal_id": self.journal_sale.id,
            "partner_id": self.customer.id, "l10n_latam_document_type_id": self.env.ref("l10n_ar.dc_a_f").id,
            "name": "FA-A 00001-00000002", "l10n_latam_document_number": "00001-00000002",
            "invoice_date": DAY, "invoice_date_due": datetime.date(2026, 4, 1),
            "currency_id": self.company.currency_id.id,
            "amount_untaxed": 1200.0, "amount_tax": 267.0, "amount_total": 1467.0,
            "tusfacturas_cae": "70000100000002", "tusfacturas_cae_due": datetime.date(2026, 3, 12),
            "tusfacturas_account_id": self.account.id, "create_uid": self.billing_user.id,
        }])  # fmt: skip
        vat_21, vat_105 = (self.env["account.tax"].search([
            ("company_id", "=", self.company.id), ("type_tax_use", "=", "sale"),
            ("tax_group_id.l10n_ar_vat_afip_code", "=", code)], limit=1) for code in ("5", "4"))  # fmt: skip
        self.assertEqual(
            [(line.name, line.quantity, line.price_unit, line.tax_ids) for line in move.invoice_line_ids],
            [
                ("Soporte técnico", 2, 500.0, vat_21 | self.perception_ba),
                ("Libro", 1, 200.0, vat_105 | self.perception_ba),
            ],
        )
        taxes = {line.tax_line_id: line.credit for line in move.line_ids.filtered("tax_line_id")}
        self.assertEqual(taxes, {vat_21: 210.0, vat_105: 21.0, self.perception_ba: 36.0})
        [attachment] = self.env["ir.attachment"].search([("res_model", "=", "account.move"), ("res_id", "=", move.id)])
        self.assertEqual((attachment.name, attachment.mimetype), ("FA-A 00001-00000002.pdf", "application/pdf"))
        self.assertEqual(attachment.raw, minimal_pdf("FACTURA_A-2.pdf"))
        self.assertEqual(move.message_main_attachment_id, attachment)
        notes = [str(body) for body in move.message_ids.mapped("body") if body]
        self.assertEqual(len(notes), 1, f"the story only, no attempt to read the PDF as an e-invoice: {notes}")
        self.assertIn("CAE 70000100000002, due 03/12/2026. Its PDF is attached.", notes[0])
        self.assertEqual(discrepancy.created_move_id, move)
        self.assertEqual(discrepancy.state, "open", "until the document is posted and checked")
        self.assert_posted_and_resolved(move, discrepancy)

    def test_factura_b_to_a_dni_customer_odoo_does_not_have(self):
        discrepancy = self.discrepancy("FACTURA B 00001-00000001")
        self.assertFalse(discrepancy.partner_id)
        action = discrepancy.action_create_odoo_document()
        self.assertEqual((action["res_model"], action["target"]), ("tusfacturas.discrepancy.invoice", "new"))
        self.assertFalse(self.env["res.partner"].search([("vat", "=", "12345678")]), "asked first, nothing created")
        self.assertEqual(self.documents(), 0)
        wizard = self.env["tusfacturas.discrepancy.invoice"].with_context(**action["context"]).create({})
        self.assertEqual(wizard.discrepancy_ids, discrepancy)
        self.assertEqual(
            wizard.new_customers, "PEREZ JUAN DNI 12345678, Consumidor Final (for FACTURA B 00001-00000001)"
        )
        action = wizard.action_confirm()
        move = self.env["account.move"].browse(action["params"]["next"]["res_id"])
        self.assertRecordValues(move.partner_id, [{
            "name": "PEREZ JUAN", "vat": "12345678", "is_company": False,
            "l10n_latam_identification_type_id": self.env.ref("l10n_ar.it_dni").id,
            "l10n_ar_afip_responsibility_type_id": self.env.ref("l10n_ar.res_CF").id,
            "email": "juan@example.com", "street": "Av. Mitre 123", "country_id": self.env.ref("base.ar").id,
            "state_id": self.env.ref("base.state_ar_b").id,
        }])  # fmt: skip
        self.assertRecordValues(move, [{"name": "FA-B 00001-00000001", "state": "draft", "amount_total": 1210.0}])
        self.assert_posted_and_resolved(move, discrepancy)

    def test_usd_factura_e_at_its_own_rate(self):
        discrepancy = self.discrepancy("FACTURA E 00001-00000001")
        move = self.create_draft(discrepancy)
        self.assertRecordValues(move, [{
            "name": "FA-E 00001-00000001", "partner_id": self.acme.id, "currency_id": self.usd.id,
            "amount_total": 1000.0, "amount_total_signed": 1100500.0, "tusfacturas_rate": 1100.5,
        }])  # fmt: skip
        self.assertAlmostEqual(
            move.invoice_currency_rate, 1 / 1100.5, places=12, msg="the voucher's rate, not Odoo's 900"
        )
        self.assertEqual(move.invoice_line_ids.tax_ids.tax_group_id.l10n_ar_vat_afip_code, "2", "exempt")
        self.assert_posted_and_resolved(move, discrepancy)
        self.assertAlmostEqual(move.invoice_currency_rate, 1 / 1100.5, places=12, msg="posting keeps it")

    def test_credit_note_refers_to_the_invoice_odoo_has(self):
        discrepancy = self.discrepancy("NOTA DE CREDITO A 00001-00000001")
        move = self.create_draft(discrepancy)
        self.assertRecordValues(move, [{
            "move_type": "out_refund", "name": "NC-A 00001-00000001", "amount_total": 60.5,
            "reversed_entry_id": self.first_invoice.id, "partner_id": self.customer.id,
        }])  # fmt: skip
        self.assert_posted_and_resolved(move, discrepancy)

    def test_debit_note_refers_to_the_invoice_odoo_has(self):
        self.sandbox.vouchers.add(
            self.voucher(
                "NOTA DE DEBITO A", 1, 12.1, ADHOC, lines=[(1, "Intereses", 10.0, 21)],
                associated=[make_associated("FACTURA A", 1, 1, "02/03/2026")],
            )
        )  # fmt: skip
        move = self.create_draft(self.discrepancy("NOTA DE DEBITO A 00001-00000001"))
        self.assertRecordValues(move, [{
            "move_type": "out_invoice", "name": "ND-A 00001-00000001", "amount_total": 12.1,
            "debit_origin_id": self.first_invoice.id,
        }])  # fmt: skip

    def test_from_a_current_account_discrepancy(self):
        """The current account's check finds the voucher missing first (no TusFacturas account on its
        discrepancy): the company's account of its point of sale fetches it. The voucher check then
        finds it too and takes it over: one work item, whichever check comes next, and it opens the
        same draft."""
        self.sandbox.ledgers[ADHOC_CUIT] = [
            tf_row("FACTURA A 0001-00000001 (ADHOC SA)", debe=121.0, resta=121.0, saldo=121.0, fecha="02/03/2026"),
            tf_row("FACTURA A 0001-00000002 (ADHOC SA)", debe=1467.0, resta=1467.0, saldo=1588.0, fecha="02/03/2026"),
        ]
        self.open_ledger()
        from_ledger = self.missing("FACTURA A 0001-00000002 (ADHOC SA)")
        self.assertRecordValues(from_ledger, [{"source": "ledger", "account_id": False, "point_of_sale": 1}])
        move = self.create_draft(from_ledger)
        self.assertRecordValues(move, [{"name": "FA-A 00001-00000002", "amount_total": 1467.0}])
        self.assertEqual(from_ledger.created_move_id, move)
        from_vouchers = self.discrepancy("FACTURA A 00001-00000002")
        work_items = [("kind", "=", "missing_in_odoo"), ("state", "=", "open"), ("document_number", "=", 2)]
        self.assertEqual(self.env["tusfacturas.discrepancy"].search(work_items), from_vouchers, "one work item")
        self.assertEqual(from_ledger.state, "resolved")
        self.open_ledger()
        self.assertEqual(self.env["tusfacturas.discrepancy"].search(work_items), from_vouchers, "still one")
        self.assertEqual(self.create_draft(from_vouchers), move)

    def test_the_customers_ledger_lists_its_vouchers_discrepancies(self):
        """The customer's current account screen lists what the voucher check found open about its
        CUIT (issue 19), to a billing user: ADHOC SA's invoice and credit note Odoo lacks, nobody else's."""
        self.check()
        self.sandbox.ledgers[ADHOC_CUIT] = [
            tf_row("FACTURA A 0001-00000001 (ADHOC SA)", debe=121.0, resta=121.0, saldo=121.0, fecha="02/03/2026"),
        ]
        ledger = self.open_ledger(user=self.billing_user)
        self.assertEqual(
            sorted(ledger.voucher_discrepancy_ids.mapped("name")),
            ["FACTURA A 00001-00000002", "NOTA DE CREDITO A 00001-00000001"],
        )
        self.assertEqual(set(ledger.voucher_discrepancy_ids.mapped("kind")), {"missing_in_odoo"})
        arch = ledger.get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn('name="voucher_discrepancy_ids"', arch, "on the screen")

    # ------------------------------------------------------------------
    # Safe to click twice
    # ------------------------------------------------------------------

    def test_a_second_click_opens_the_existing_document(self):
        discrepancy = self.discrepancy("FACTURA A 00001-00000002")
        move = self.create_draft(discrepancy)
        calls = len(self.sandbox.voucher_calls)
        action = discrepancy.action_create_odoo_document()
        self.assertEqual(action["params"]["next"]["res_id"], move.id)
        self.assertIn("already in Odoo (Draft)", action["params"]["message"])
        self.assertEqual(self.documents(), 1)
        self.assertEqual(len(self.sandbox.voucher_calls), calls, "opened without asking TusFacturas")
        move.action_post()
        self.assertEqual(self.create_draft(discrepancy), move, "posted: still opened, not created again")

    def test_a_draft_typed_by_hand_is_opened_too(self):
        discrepancy = self.discrepancy("FACTURA A 00001-00000002")
        typed = self.invoice(self.customer, 10.0, post=False)
        typed.l10n_latam_document_number = "00001-00000002"
        self.assertEqual(typed.name, "FA-A 00001-00000002")
        calls = len(self.sandbox.voucher_calls)
        self.assertEqual(self.create_draft(discrepancy), typed)
        self.assertEqual(len(self.sandbox.voucher_calls), calls)

    # ------------------------------------------------------------------
    # Where nothing can be created, say so
    # ------------------------------------------------------------------

    def assert_nothing_created(self, discrepancy, *fragments):
        partners = self.env["res.partner"].search_count([])
        with self.assertRaises(UserError) as caught:
            discrepancy.action_create_odoo_document()
        for fragment in fragments:
            self.assertIn(fragment, str(caught.exception))
        self.assertEqual(self.documents(), 0)
        self.assertEqual(self.env["res.partner"].search_count([]), partners)
        self.assertEqual(discrepancy.state, "open")
        self.assertFalse(discrepancy.created_move_id)
        return str(caught.exception)

    def test_a_tax_the_company_lacks_creates_nothing_and_says_which(self):
        self.sandbox.vouchers.add(
            self.voucher("FACTURA A", 3, 102.5, ADHOC, lines=[(1, "Pan", 100.0, 2.5)]),  # its tax is not active
            self.voucher(
                "FACTURA A", 4, 124.0, ADHOC, lines=[(1, "Servicio", 100.0, 21)],
                taxes=[make_tax(7, "Percepcion de IIBB", 6, "CORDOBA", 100.0, 3.0, 3.0)],
            ),
            # To a customer Odoo lacks: said at once, before anyone is asked to create the customer.
            self.voucher("FACTURA B", 2, 102.5, PEREZ, lines=[(1, "Pan", 100.0, 2.5)]),
        )  # fmt: skip
        self.check()
        self.assert_nothing_created(self.missing("FACTURA A 00001-00000003"), "VAT 2.5 % (AFIP VAT code 9)")
        self.assert_nothing_created(
            self.missing("FACTURA A 00001-00000004"), "Percepcion de IIBB CORDOBA at 3 % (AFIP tribute 07)"
        )
        self.assert_nothing_created(self.missing("FACTURA B 00001-00000002"), "VAT 2.5 % (AFIP VAT code 9)")

    def test_totals_that_differ_create_nothing_and_say_which_amounts(self):
        self.sandbox.vouchers.add(self.voucher("FACTURA A", 3, 122.0, ADHOC, lines=[(1, "Servicio", 100.0, 21)]))
        self.check()
        message = self.assert_nothing_created(self.missing("FACTURA A 00001-00000003"), "Odoo's total for it differs")
        self.assertIn("Total: TusFacturas $\xa0122.00, Odoo $\xa0121.00", message)

    def test_a_journal_without_the_document_type_a_letter_or_an_inactive_currency(self):
        fce = "FACTURA DE CREDITO ELECTRONICA MiPyME (FCE) A"
        self.sandbox.vouchers.add(
            self.voucher(fce, 1, 121.0, ADHOC, lines=[(1, "Servicio", 100.0, 21)]),  # not in a pre-printed journal
            self.voucher("FACTURA C", 1, 100.0, ADHOC, lines=[(1, "Servicio", 100.0, 0)]),  # a monotributista's
            self.voucher("FACTURA A", 3, 121.0, ADHOC, "060", 1200.0, lines=[(1, "Servicio", 100.0, 21)]),
        )
        self.check()
        self.assert_nothing_created(
            self.missing(f"{fce} 00001-00000001"),
            f"the sales journal {self.journal_sale.display_name} has no document type (201)",
        )
        self.assert_nothing_created(self.missing("FACTURA C 00001-00000001"), "does not issue documents of letter C")
        self.assert_nothing_created(
            self.missing("FACTURA A 00001-00000003"), "EUR (AFIP code 060), which is not active"
        )

    def test_a_customer_odoo_has_with_another_responsibility(self):
        discrepancy = self.discrepancy("FACTURA A 00001-00000002")
        self.customer.l10n_ar_afip_responsibility_type_id = self.env.ref("l10n_ar.res_CF")
        self.assert_nothing_created(discrepancy, "ADHOC SA is Consumidor Final in Odoo", "letter A")

    def test_a_pdf_that_cannot_be_downloaded_creates_nothing(self):
        discrepancy = self.discrepancy("FACTURA A 00001-00000002")
        self.sandbox.files["/files/FACTURA_A-2.pdf"] = (404, {}, b"")
        self.assert_nothing_created(discrepancy, "its PDF could not be downloaded", "HTTP 404")

    def test_a_failure_after_the_customer_was_created_leaves_nothing(self):
        """The new customer is created in the voucher's savepoint: Odoo's total then differs, and the
        customer goes with the draft."""
        self.sandbox.vouchers.add(
            self.voucher(
                "FACTURA B", 2, 1300.0, PEREZ, lines=[(1, "Servicio", 1000.0, 21)], cliente={"condicion_iva": "CF"}
            )
        )
        self.check()
        discrepancy = self.missing("FACTURA B 00001-00000002")
        context = discrepancy.action_create_odoo_document()["context"]
        wizard = self.env["tusfacturas.discrepancy.invoice"].with_context(**context).create({})
        with self.assertRaisesRegex(UserError, "Total: TusFacturas"):
            wizard.action_confirm()
        self.assertFalse(self.env["res.partner"].search([("vat", "=", "12345678")]))
        self.assertEqual(self.documents(), 0)

    def test_errors_in_spanish(self):
        self.sandbox.vouchers.add(self.voucher("FACTURA A", 3, 102.5, ADHOC, lines=[(1, "Pan", 100.0, 2.5)]))
        self.check()
        self.env["res.lang"]._activate_lang("es_AR")
        self.env["ir.module.module"]._load_module_terms(["tusfacturas_cuenta_corriente"], ["es_AR"], overwrite=True)
        with self.assertRaises(UserError) as caught:
            self.missing("FACTURA A 00001-00000003").with_context(lang="es_AR").action_create_odoo_document()
        self.assertEqual(
            str(caught.exception),
            f"FACTURA A 00001-00000003: la empresa {self.company.name} no tiene un impuesto de venta activo para "
            "IVA 2,5 % (código AFIP de IVA 9). Agréguelo (Contabilidad > Configuración > Impuestos) e intente de "
            "nuevo.",
        )

    # ------------------------------------------------------------------
    # Who may, and many at once
    # ------------------------------------------------------------------

    def test_only_users_who_may_create_invoices(self):
        discrepancy = self.discrepancy("FACTURA A 00001-00000002")
        calls = len(self.sandbox.voucher_calls)
        user = new_test_user(self.env, login="tf_internal", groups="base.group_user", company_id=self.company.id,
                             company_ids=[Command.set(self.company.ids)])  # fmt: skip
        with self.assertRaises(AccessError):
            discrepancy.with_user(user).action_create_odoo_document()
        self.assertEqual(len(self.sandbox.voucher_calls), calls, "no call made")
        action = self.env.ref("tusfacturas_cuenta_corriente.action_tusfacturas_discrepancy_create_documents")
        with self.assertRaises(AccessError, msg="nor do they see discrepancies"):
            self.env["tusfacturas.discrepancy"].with_user(user).get_views([(False, "form")])
        form = self.env["tusfacturas.discrepancy"].with_user(self.billing_user).get_views([(False, "form")])
        self.assertIn('name="action_create_odoo_document"', form["views"]["form"]["arch"])
        for who, bound in ((user, False), (self.billing_user, True)):
            bindings = self.env["ir.actions.actions"].with_user(who).get_bindings("tusfacturas.discrepancy")
            self.assertEqual(action.id in [binding["id"] for binding in bindings.get("action", [])], bound)

    def test_the_list_action_on_many(self):
        voucher = self.sandbox.vouchers[1][0]["comprobante"]  # FACTURA A 00001-00000001
        voucher["total"] = 150.0  # another total: a discrepancy about a voucher Odoo has
        self.check()
        names = ["FACTURA A 00001-00000002", "NOTA DE CREDITO A 00001-00000001", "FACTURA E 00001-00000001"]
        discrepancies = self.env["tusfacturas.discrepancy"].search([("name", "in", names)])
        others = self.env["tusfacturas.discrepancy"].search([("kind", "=", "amount_mismatch")])
        action = self.env.ref("tusfacturas_cuenta_corriente.action_tusfacturas_discrepancy_create_documents")
        result = action.with_context(active_model="tusfacturas.discrepancy", active_ids=discrepancies.ids).run()
        self.assertEqual(result["params"]["message"], "3 drafts created, 0 already in Odoo, 0 not created.")
        moves = self.env["account.move"].search(result["params"]["next"]["domain"])
        self.assertEqual(
            sorted(moves.mapped("name")), ["FA-A 00001-00000002", "FA-E 00001-00000001", "NC-A 00001-00000001"]
        )
        self.assertEqual(discrepancies.created_move_id, moves)
        # Again, with one more that is not about a missing voucher: opened, not created, none called.
        calls = len(self.sandbox.voucher_calls)
        result = (discrepancies | others).action_create_odoo_document()
        self.assertEqual(
            result["params"]["message"],
            f"0 drafts created, 3 already in Odoo, 1 not created. {others.name}: only a voucher missing in Odoo can "
            "be created in Odoo.",
        )
        self.assertEqual(len(self.sandbox.voucher_calls), calls)

    def test_opening_many_reads_in_batches(self):
        """Queries do not grow with the discrepancies: opening 1 or 3 documents Odoo has costs the same."""
        self.check()
        names = ["FACTURA A 00001-00000002", "NOTA DE CREDITO A 00001-00000001", "FACTURA E 00001-00000001"]
        discrepancies = self.env["tusfacturas.discrepancy"].search([("name", "in", names)])
        discrepancies.action_create_odoo_document()
        counts = []
        for selected in (discrepancies[:2], discrepancies):
            selected.invalidate_recordset()
            self.env.invalidate_all()
            before = self.cr.sql_log_count
            selected.action_create_odoo_document()
            counts.append(self.cr.sql_log_count - before)
        self.assertEqual(counts[0], counts[1], counts)
