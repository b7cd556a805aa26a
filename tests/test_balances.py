"""The balances tell the truth (issue 20): TusFacturas' saldo and Odoo's receivable in every
mode, and the items TusFacturas cannot hold (withholdings suffered, third-party cheques,
advances, exchange differences, write-offs, a migrated opening balance) explaining their
difference, on Odoo's real books."""

from datetime import date

from odoo import Command, fields
from odoo.tests import tagged

from .common import ADHOC_CUIT, TusFacturasCase, tf_row

# The form's header, as the web client reads it.
HEADER = (
    "tusfacturas_balance", "odoo_balance", "tusfacturas_documents_total", "odoo_documents_total", "difference",
    "unexplained_difference", "is_ok", "total_debit", "total_credit", "total_residual",
)  # fmt: skip


class BooksCase(TusFacturasCase):
    """Helpers that book what Argentine customers do: pay, withhold, pay by cheque."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.usd = cls.setup_other_currency("USD", rates=[("2000-01-01", 0.001)])  # 1 USD = 1,000 ARS
        cls.exempt = cls.env["account.tax"].search(
            [("company_id", "=", cls.company.id), ("type_tax_use", "=", "sale"),
             ("tax_group_id.l10n_ar_vat_afip_code", "=", "2")], limit=1,
        )  # fmt: skip
        cls.misc = cls.company_data["default_journal_misc"]
        cls.receivable = cls.company_data["default_account_receivable"]

    def chart_account(self, template):
        """An account of the company's chart by its template (l10n_ar's names)."""
        return self.env["account.chart.template"].with_company(self.company).ref(template)

    def exempt_invoice(self, amount, **kwargs):
        """An invoice of ``amount`` exactly (VAT exempt)."""
        return self.invoice(self.customer, amount, taxes=self.exempt, **kwargs)

    def pay(self, invoices, amount, **values):
        """Register a payment of ``invoices`` (its write-off, journal, date... in ``values``)."""
        return (
            self.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=invoices.ids)
            .create({"amount": amount, "payment_date": "2026-03-15", **values})
            ._create_payments()
        )

    def entry(self, when, account, amount, partner=None, reconcile=None):
        """A journal entry: ``amount`` on the customer's receivable (negative: a credit) against
        ``account``; reconciled with ``reconcile`` (a document) if given."""
        move = self.env["account.move"].create({
            "move_type": "entry", "date": when, "journal_id": self.misc.id,
            "line_ids": [
                Command.create({"account_id": self.receivable.id, "partner_id": (partner or self.customer).id,
                                "debit": max(amount, 0.0), "credit": max(-amount, 0.0), "name": "Cliente"}),
                Command.create({"account_id": account.id, "debit": max(-amount, 0.0), "credit": max(amount, 0.0),
                                "name": "Contrapartida"}),
            ],
        })  # fmt: skip
        move.action_post()
        if reconcile:
            (move | reconcile).line_ids.filtered(lambda line: line.account_id == self.receivable).reconcile()
        return move

    def header(self, ledger):
        [values] = ledger.with_user(self.billing_user).web_read({name: {} for name in HEADER})
        return {name: values[name] for name in HEADER}

    def items(self, ledger):
        return {item.kind: item.amount for item in ledger.item_ids}

    def status(self, partner=None):
        return self.env["tusfacturas.partner.status"].search([("partner_id", "=", (partner or self.customer).id)])


@tagged("post_install", "-at_install")
class TestHeadlineBalances(BooksCase):
    """1. The headline figures are the real balances, in every mode."""

    def setUp(self):
        super().setUp()
        # Twelve invoices of January, all collected in February, in both systems.
        self.invoices = self.env["account.move"].concat(
            *(self.exempt_invoice(100000.0, invoice_date="2026-01-15") for _n in range(12))
        )
        self.pay(self.invoices, 1200000.0, group_payment=True, payment_date="2026-02-15")
        rows, saldo = [], 0.0
        for invoice in self.invoices:
            saldo += 100000.0
            rows.append(tf_row(f"FACTURA A 0001-{invoice.sequence_number:08d} (ADHOC SA)", debe=100000.0,
                               saldo=saldo, fecha="15/01/2026"))  # fmt: skip
        for invoice in self.invoices:
            saldo -= 100000.0
            rows.append(tf_row(f"RECIBO X 0001-{invoice.sequence_number:08d}", haber=100000.0, saldo=saldo,
                               fecha="15/02/2026"))  # fmt: skip
        self.sandbox.ledgers[ADHOC_CUIT] = rows

    def test_every_invoice_collected_shows_both_balances_at_zero(self):
        ledger = self.open_ledger(user=self.billing_user)
        self.assertEqual(self.header(ledger), {
            "tusfacturas_balance": 0.0, "odoo_balance": 0.0,
            "tusfacturas_documents_total": 1200000.0, "odoo_documents_total": 1200000.0,
            "difference": 0.0, "unexplained_difference": 0.0, "is_ok": True,
            # Every row's debe, haber and resta, not a page's.
            "total_debit": 1200000.0, "total_credit": 1200000.0, "total_residual": 0.0,
        })  # fmt: skip
        # Odoo's receivable is the last running balance of Odoo's column.
        [data] = ledger.web_read({"receivable_line_ids": {"fields": {"cumulated_balance": {}}}})
        self.assertEqual(data["receivable_line_ids"][-1]["cumulated_balance"], 0.0)
        # The customer list's columns.
        [listed] = (
            self.env["res.partner"]
            .with_user(self.billing_user)
            .search_read(
                [("id", "=", self.customer.id)],
                ["tusfacturas_balance", "tusfacturas_odoo_balance", "tusfacturas_state"],
            )
        )
        self.assertEqual(
            (listed["tusfacturas_balance"], listed["tusfacturas_odoo_balance"], listed["tusfacturas_state"]),
            (0.0, 0.0, "ok"),
        )

    def test_month_end_balances_up_to_the_until_date(self):
        ledger = self.open_ledger(user=self.billing_user)
        ledger.date_to = date(2026, 1, 31)
        ledger.action_apply_date_to()
        header = self.header(ledger)
        self.assertEqual(
            (header["tusfacturas_balance"], header["odoo_balance"], header["tusfacturas_documents_total"]),
            (1200000.0, 1200000.0, 1200000.0),
        )
        self.assertEqual((header["total_debit"], header["total_credit"]), (1200000.0, 0.0))
        self.assertTrue(header["is_ok"])

    def test_same_balances_when_balances_are_compared(self):
        self.company.tusfacturas_compare_mode = "balances"
        ledger = self.open_ledger()
        self.assertRecordValues(ledger, [{
            "tusfacturas_balance": 0.0, "odoo_balance": 0.0, "difference": 0.0, "is_ok": True,
            "odoo_other_balance": -1200000.0,
        }])  # fmt: skip
        self.assertFalse(ledger.item_ids, "collections recorded on both sides explain nothing: they agree")


@tagged("post_install", "-at_install")
class TestExplainingItems(BooksCase):
    """2. What TusFacturas cannot hold explains the difference; the state follows the rest."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.tusfacturas_compare_mode = "balances"

    def assert_agree_with(self, ledger, items):
        self.assertRecordValues(ledger, [{"is_ok": True, "difference": 0.0, "unexplained_difference": 0.0}])
        self.assertEqual(self.items(ledger), items)
        self.assertAlmostEqual(ledger.tusfacturas_balance - ledger.explained_amount, ledger.odoo_balance)
        self.assertEqual(self.status().state, "ok")
        self.assertEqual(self.customer.tusfacturas_state, "ok")
        self.assertFalse(self.env["tusfacturas.discrepancy"].search([("state", "=", "open")]))

    def test_withholdings_suffered(self):
        first = self.exempt_invoice(1210.0)  # FA-A 00001-00000001
        second = self.exempt_invoice(1210.0)  # FA-A 00001-00000002
        # Collected net of an IIBB withholding (its certificate on the payment), ...
        self.pay(first, 1150.0, payment_difference_handling="reconcile",
                 writeoff_account_id=self.chart_account("base_retencion_iibb_ba_sufrida").id,
                 writeoff_label="Ret. IIBB ARBA 0001-00000123")  # fmt: skip
        # ... and net of a Ganancias withholding booked on its own.
        self.pay(second, 1110.0)
        self.entry("2026-03-15", self.chart_account("base_retencion_ganancias_sufrida"), -100.0, reconcile=second)
        # TusFacturas got the money received: withholdings cannot be sent to it.
        self.sandbox.ledgers[ADHOC_CUIT] = [
            tf_row("FACTURA A 0001-00000001 (ADHOC SA)", debe=1210.0, resta=60.0, saldo=1210.0),
            tf_row("FACTURA A 0001-00000002 (ADHOC SA)", debe=1210.0, resta=100.0, saldo=2420.0),
            tf_row("RECIBO X 0001-00000007", haber=1150.0, saldo=1270.0, fecha="15/03/2026"),
            tf_row("RECIBO X 0001-00000008", haber=1110.0, saldo=160.0, fecha="15/03/2026"),
        ]
        ledger = self.open_ledger()
        self.assertRecordValues(ledger, [{"tusfacturas_balance": 160.0, "odoo_balance": 0.0}])
        self.assertEqual(ledger.line_ids[:2].mapped("match_state"), ["matched", "matched"])
        self.assert_agree_with(ledger, {"withholding_iibb": 60.0, "withholding_ganancias": 100.0})

    def test_a_collection_missing_in_tusfacturas_is_still_a_difference(self):
        invoice = self.exempt_invoice(1210.0)
        self.pay(invoice, 1150.0, payment_difference_handling="reconcile",
                 writeoff_account_id=self.chart_account("base_retencion_iibb_ba_sufrida").id)  # fmt: skip
        self.sandbox.ledgers[ADHOC_CUIT] = [
            tf_row("FACTURA A 0001-00000001 (ADHOC SA)", debe=1210.0, resta=1210.0, saldo=1210.0)
        ]
        ledger = self.open_ledger()
        self.assertRecordValues(ledger, [{
            "tusfacturas_balance": 1210.0, "odoo_balance": 0.0, "explained_amount": 60.0,
            "unexplained_difference": 1150.0, "difference": 1150.0, "is_ok": False,
        }])  # fmt: skip
        self.assertEqual(self.status().difference, 1150.0)
        self.assertEqual(self.status().state, "mismatch")

    def test_third_party_cheques_and_advances(self):
        method = (
            self.env["account.payment.method"]
            .sudo()
            .create({"name": "Cheques de terceros", "code": "new_third_party_checks", "payment_type": "inbound"})
        )
        cheques = self.env["account.journal"].create(
            {"name": "Cheques de terceros", "type": "cash", "code": "CHT", "company_id": self.company.id}
        )
        cheques.inbound_payment_method_line_ids = [
            Command.create({"payment_method_id": method.id, "payment_account_id": cheques.default_account_id.id})
        ]
        invoice = self.exempt_invoice(1210.0)
        line = cheques.inbound_payment_method_line_ids.filtered(lambda line: line.payment_method_id == method)
        self.pay(invoice, 1210.0, journal_id=cheques.id, payment_method_line_id=line.id)
        # An advance on an order not invoiced yet: no document to apply it to, in either system.
        advance = self.env["account.payment"].create({
            "payment_type": "inbound", "partner_type": "customer", "partner_id": self.customer.id,
            "amount": 5000.0, "date": "2026-03-20", "journal_id": self.company_data["default_journal_bank"].id,
        })  # fmt: skip
        advance.action_post()
        self.sandbox.ledgers[ADHOC_CUIT] = [
            tf_row("FACTURA A 0001-00000001 (ADHOC SA)", debe=1210.0, resta=1210.0, saldo=1210.0)
        ]
        ledger = self.open_ledger()
        self.assertRecordValues(ledger, [{"tusfacturas_balance": 1210.0, "odoo_balance": -5000.0}])
        self.assertEqual(ledger.line_ids.match_state, "matched", "the cheque is why TusFacturas' open amount differs")
        self.assert_agree_with(ledger, {"third_party_checks": 1210.0, "advance": 5000.0})

    def test_write_off(self):
        invoice = self.exempt_invoice(1210.0)
        discount = self.env["account.account"].search(
            [*self.env["account.account"]._check_company_domain(self.company), ("account_type", "=", "expense")],
            limit=1,
        )
        self.pay(invoice, 1200.0, payment_difference_handling="reconcile", writeoff_account_id=discount.id,
                 writeoff_label="Descuento por pronto pago")  # fmt: skip
        self.sandbox.ledgers[ADHOC_CUIT] = [
            tf_row("FACTURA A 0001-00000001 (ADHOC SA)", debe=1210.0, resta=10.0, saldo=1210.0),
            tf_row("RECIBO X 0001-00000001", haber=1200.0, saldo=10.0, fecha="15/03/2026"),
        ]
        self.assert_agree_with(self.open_ledger(), {"writeoff": 10.0})

    def test_exchange_difference_of_a_dollar_invoice_collected_in_pesos(self):
        invoice = self.exempt_invoice(1000.0, currency=self.usd)  # USD 1,000 = $ 1,000,000
        self.env["res.currency.rate"].create(
            {"currency_id": self.usd.id, "name": "2026-03-15", "rate": 1 / 1050.0, "company_id": self.company.id}
        )
        self.pay(invoice, 1050000.0, currency_id=self.company.currency_id.id)  # $ 50,000 of exchange gain
        lines = invoice.line_ids
        exchange = lines.matched_credit_ids.exchange_move_id | lines.full_reconcile_id.exchange_move_id
        self.assertEqual(exchange.line_ids.mapped("balance"), [50000.0, -50000.0])
        # TusFacturas lists the invoice in pesos, collected at its own value.
        self.sandbox.ledgers[ADHOC_CUIT] = [
            tf_row("FACTURA A 0001-00000001 (ADHOC SA)", debe=1000000.0, resta=0.0, saldo=1000000.0),
            tf_row("RECIBO X 0001-00000001", haber=1000000.0, saldo=0.0, fecha="15/03/2026"),
        ]
        ledger = self.open_ledger()
        self.assertRecordValues(ledger, [{"tusfacturas_balance": 0.0, "odoo_balance": 0.0}])
        self.assertEqual(ledger.line_ids[0].match_state, "matched")
        self.assert_agree_with(ledger, {})
        self.assertRecordValues(ledger.total_ids, [{"currency_id": self.company.currency_id.id, "difference": 0.0}])
        # Odoo's exchange difference entry is told as such.
        labels = dict(self.env["tusfacturas.ledger.item"]._fields["kind"]._description_selection(self.env))
        self.assertEqual(ledger._entry_kinds(labels)[exchange.id], ["Exchange differences"])

    def test_exchange_revaluation_explains_the_difference(self):
        self.exempt_invoice(1000.0, currency=self.usd)  # USD 1,000 = $ 1,000,000, not collected
        # Month-end: the receivable revalued at $ 1,050 per dollar.
        self.entry("2026-03-31", self.env.company.income_currency_exchange_account_id, 50000.0)
        self.sandbox.ledgers[ADHOC_CUIT] = [
            tf_row("FACTURA A 0001-00000001 (ADHOC SA)", debe=1000000.0, resta=1000000.0, saldo=1000000.0),
        ]
        ledger = self.open_ledger()
        self.assertRecordValues(ledger, [{"tusfacturas_balance": 1000000.0, "odoo_balance": 1050000.0}])
        self.assert_agree_with(ledger, {"exchange": -50000.0})

    def test_dollar_invoice_collected_in_dollars(self):
        invoice = self.exempt_invoice(1000.0, currency=self.usd)
        self.pay(invoice, 1000.0, currency_id=self.usd.id)
        self.sandbox.ledgers[ADHOC_CUIT] = [
            tf_row("FACTURA A 0001-00000001 (ADHOC SA)", debe=1000000.0, resta=0.0, saldo=1000000.0),
            tf_row("RECIBO X 0001-00000001", haber=1000000.0, saldo=0.0, fecha="15/03/2026"),
        ]
        ledger = self.open_ledger()
        self.assert_agree_with(ledger, {})
        # The payment counts where its invoice was compared: in pesos, not as USD 1,000 apart.
        self.assertRecordValues(ledger.total_ids, [{
            "currency_id": self.company.currency_id.id, "tusfacturas_balance": 0.0, "odoo_balance": 0.0,
            "odoo_other_balance": -1000000.0, "difference": 0.0,
        }])  # fmt: skip
        self.assertFalse(ledger.has_foreign_totals)

    def test_migrated_opening_balance(self):
        self.company.tusfacturas_compare_from = "2026-03-01"
        # The balance before the migration, as one entry on that day.
        self.entry("2026-03-01", self.chart_account("base_resultado_acumulados"), 3000.0)
        invoice = self.exempt_invoice(1210.0, invoice_date="2026-03-10")
        self.sandbox.ledgers[ADHOC_CUIT] = [
            tf_row("FACTURA A 0003-00000050 (ADHOC SA)", debe=5000.0, resta=3000.0, saldo=5000.0, fecha="10/01/2026"),
            tf_row("RECIBO X 0003-00000020", haber=2000.0, saldo=3000.0, fecha="15/02/2026"),
            tf_row(f"FACTURA A 0001-{invoice.sequence_number:08d} (ADHOC SA)", debe=1210.0, resta=1210.0,
                   saldo=4210.0, fecha="10/03/2026"),
        ]  # fmt: skip
        ledger = self.open_ledger()
        self.assertRecordValues(ledger, [{
            "tusfacturas_balance": 4210.0, "odoo_balance": 4210.0, "opening_date": date(2026, 3, 1),
            "tusfacturas_opening_balance": 3000.0, "odoo_opening_balance": 3000.0,
        }])  # fmt: skip
        self.assertEqual(ledger.line_ids.mapped("match_state"), ["out_of_scope", "out_of_scope", "matched"])
        self.assert_agree_with(ledger, {})

    def test_an_opening_balance_that_differs_is_a_difference(self):
        self.company.tusfacturas_compare_from = "2026-03-01"
        self.entry("2026-03-01", self.chart_account("base_resultado_acumulados"), 2500.0)
        self.sandbox.ledgers[ADHOC_CUIT] = [
            tf_row("FACTURA A 0003-00000050 (ADHOC SA)", debe=3000.0, resta=3000.0, saldo=3000.0, fecha="10/01/2026"),
        ]
        ledger = self.open_ledger()
        self.assertRecordValues(ledger, [{
            "tusfacturas_opening_balance": 3000.0, "odoo_opening_balance": 2500.0, "difference": 500.0,
            "is_ok": False,
        }])  # fmt: skip


@tagged("post_install", "-at_install")
class TestCountedOnce(BooksCase):
    """4. Customers sharing a CUIT share one current account: sums count it once."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.branch = cls.make_customer("ADHOC SA (Sucursal Córdoba)", ADHOC_CUIT)

    def setUp(self):
        super().setUp()
        self.exempt_invoice(1000.0)
        self.sandbox.ledgers[ADHOC_CUIT] = [
            tf_row("FACTURA A 0001-00000001 (ADHOC SA)", debe=1100.0, resta=1100.0, saldo=1100.0)
        ]

    def test_the_customers_list_counts_a_cuit_once(self):
        self.env["tusfacturas.reconciliation"]._reconcile_batch(self.customer | self.branch, self.company)
        Status = self.env["tusfacturas.partner.status"].with_user(self.billing_user)
        statuses = Status.search([("partner_id", "in", (self.customer | self.branch).ids)])
        self.assertEqual(statuses.mapped("difference"), [100.0, 100.0], "each customer shows its check")
        arch = Status.get_views([(False, "list")])["views"]["list"]["arch"]
        for name in ("counted_tusfacturas_balance", "counted_odoo_balance", "counted_difference"):
            self.assertIn(f'name="{name}" string=', arch)
        self.assertNotIn('name="difference" sum=', arch)
        # The footer sums the rows it lists, grouped or not.
        rows = Status.search_read([("id", "in", statuses.ids)], ["counted_difference", "counted_tusfacturas_balance",
                                                                  "same_cuit_as_id"])  # fmt: skip
        self.assertEqual(sum(row["counted_difference"] for row in rows), 100.0)
        self.assertEqual(sum(row["counted_tusfacturas_balance"] for row in rows), 1100.0)
        self.assertEqual([row["same_cuit_as_id"] and row["same_cuit_as_id"][0] for row in rows].count(False), 1)
        [group] = Status.read_group([("id", "in", statuses.ids)], ["counted_difference:sum"], [])
        self.assertEqual(group["counted_difference"], 100.0)

    def test_the_run_summary_counts_a_cuit_once(self):
        self.env["tusfacturas.reconciliation"]._reconcile_batch(self.customer | self.branch, self.company)
        statuses = self.env["tusfacturas.partner.status"].search(
            [("partner_id", "in", (self.customer | self.branch).ids)]
        )
        summary = self.env["tusfacturas.control.summary"]._post_run_summary(self.company, "run-1", statuses=statuses)
        self.assertRecordValues(summary, [{
            "customer_count": 2, "mismatch_count": 2, "mismatch_amount": 100.0, "tusfacturas_balance": 1100.0,
            "odoo_balance": 1000.0,
        }])  # fmt: skip
        self.assertIn("TusFacturas balance $\N{NO-BREAK SPACE}1,100.00, Odoo balance $\N{NO-BREAK SPACE}1,000.00",
                      summary.body)  # fmt: skip


@tagged("post_install", "-at_install")
class TestClosingDate(BooksCase):
    def test_odoo_balance_is_the_receivable_at_the_until_date(self):
        self.company.tusfacturas_compare_mode = "balances"
        invoice = self.exempt_invoice(1210.0, invoice_date="2026-03-01")
        self.pay(invoice, 1210.0, payment_date="2026-04-10")
        self.sandbox.ledgers[ADHOC_CUIT] = [
            tf_row("FACTURA A 0001-00000001 (ADHOC SA)", debe=1210.0, saldo=1210.0, fecha="01/03/2026"),
            tf_row("RECIBO X 0001-00000001", haber=1210.0, saldo=0.0, fecha="10/04/2026"),
        ]
        ledger = self.open_ledger()
        self.assertRecordValues(ledger, [{"tusfacturas_balance": 0.0, "odoo_balance": 0.0, "is_ok": True}])
        ledger.date_to = fields.Date.to_date("2026-03-31")
        ledger.action_apply_date_to()
        self.assertRecordValues(ledger, [{"tusfacturas_balance": 1210.0, "odoo_balance": 1210.0, "is_ok": True}])
        [data] = ledger.web_read({"receivable_line_ids": {"fields": {"cumulated_balance": {}}}})
        self.assertEqual([line["cumulated_balance"] for line in data["receivable_line_ids"]], [1210.0])
