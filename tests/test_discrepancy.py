"""Discrepancies: the worklist every check writes (issue 10)."""

from unittest.mock import patch

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import Form, new_test_user, tagged

from ..sandbox.cuits import make_cuits
from ..tusfacturas import parse_ledger
from .common import ADHOC_CUIT, TusFacturasCase, tf_row
from .optional import freeze_time, needs_freezegun


@tagged("post_install", "-at_install")
class TestDiscrepancies(TusFacturasCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Discrepancy = cls.env["tusfacturas.discrepancy"]
        cls.first = cls.invoice(cls.customer, 1000.0)  # FA-A 00001-00000001, 1210
        cls.second = cls.invoice(cls.customer, 200.0)  # FA-A 00001-00000002, 242

    def setUp(self):
        super().setUp()
        # Total of the first invoice differs, a document Odoo lacks, the second invoice not listed.
        self.sandbox.ledgers[ADHOC_CUIT] = [
            tf_row("FACTURA A 0001-00000001 (ADHOC SA)", debe=1000.0, resta=1000.0, saldo=1000.0),
            tf_row("FACTURA A 0001-00000099 (ADHOC SA)", debe=100.0, resta=100.0, saldo=1100.0),
        ]

    def discrepancies(self, **domain):
        return self.Discrepancy.search(
            [("partner_id", "=", self.customer.id), *((k, "=", v) for k, v in domain.items())], order="key"
        )

    def test_created_and_resolved_through_the_orm(self):
        """What users act on goes through ``create`` and ``write`` (automation rules, other modules'
        overrides see it); only when a discrepancy was last seen is written in bulk."""
        Model = type(self.Discrepancy)
        created, written = [], []
        original_create, original_write = Model.create, Model.write

        def create(records, vals_list):
            created.extend(vals["key"] for vals in vals_list)
            return original_create(records, vals_list)

        def write(records, vals):
            if records:
                written.append((sorted(records.mapped("key")), sorted(vals)))
            return original_write(records, vals)

        with patch.object(Model, "create", create), patch.object(Model, "write", write):
            self.open_ledger(user=self.billing_user)
            self.assertEqual(sorted(created), ["1-00001-00000001", "1-00001-00000002", "1-00001-00000099"])
            self.open_ledger(user=self.billing_user)
            self.assertEqual(written, [], "found again as they were: no write")
            self.sandbox.ledgers[ADHOC_CUIT] = [
                tf_row("FACTURA A 0001-00000001 (ADHOC SA)", debe=1210.0, resta=1210.0, saldo=1210.0),
                tf_row("FACTURA A 0001-00000099 (ADHOC SA)", debe=100.0, resta=100.0, saldo=1310.0),
            ]
            self.open_ledger(user=self.billing_user)
        self.assertIn((["1-00001-00000001"], ["resolved_date", "state"]), written)
        self.assertEqual(self.discrepancies(state="resolved").mapped("key"), ["1-00001-00000001"])

    @needs_freezegun
    def test_found_by_the_button_again_without_duplicates_and_resolved_when_gone(self):
        with freeze_time("2026-11-20 10:00:00"):
            self.open_ledger(user=self.billing_user)
        found = self.discrepancies()
        self.assertRecordValues(found, [
            {"key": "1-00001-00000001", "kind": "amount_mismatch", "state": "open", "move_id": self.first.id,
             "tusfacturas_amount": 1000.0, "odoo_amount": 1210.0, "difference": -210.0, "point_of_sale": 1,
             "document_number": 1, "tusfacturas_concept": "FACTURA A 0001-00000001 (ADHOC SA)"},
            {"key": "1-00001-00000002", "kind": "missing_in_tusfacturas", "state": "open", "move_id": self.second.id,
             "tusfacturas_amount": 0.0, "odoo_amount": 242.0, "difference": -242.0, "point_of_sale": 1,
             "document_number": 2, "tusfacturas_concept": False},
            {"key": "1-00001-00000099", "kind": "missing_in_odoo", "state": "open", "move_id": False,
             "tusfacturas_amount": 100.0, "odoo_amount": 0.0, "difference": 100.0, "point_of_sale": 1,
             "document_number": 99, "tusfacturas_concept": "FACTURA A 0001-00000099 (ADHOC SA)"},
        ])  # fmt: skip
        self.assertEqual(set(found.mapped("first_seen")), {found[0].first_seen})
        self.assertEqual(found.document_type_id.code, "1")
        self.assertEqual(set(found.mapped("cuit")), {ADHOC_CUIT})
        self.assertEqual(found.company_id, self.company)

        # Found again: the same records, last seen moves on.
        with freeze_time("2026-11-21 10:00:00"):
            self.open_ledger(user=self.billing_user)
        again = self.discrepancies()
        self.assertEqual(again, found)
        self.assertEqual({str(d) for d in again.mapped("last_seen")}, {"2026-11-21 10:00:00"})
        self.assertEqual({str(d) for d in again.mapped("first_seen")}, {"2026-11-20 10:00:00"})

        # TusFacturas is corrected for the first and lists the second: both resolved, the date kept.
        self.sandbox.ledgers[ADHOC_CUIT] = [
            tf_row("FACTURA A 0001-00000001 (ADHOC SA)", debe=1210.0, resta=1210.0, saldo=1210.0),
            tf_row("FACTURA A 0001-00000002 (ADHOC SA)", debe=242.0, resta=242.0, saldo=1452.0),
            tf_row("FACTURA A 0001-00000099 (ADHOC SA)", debe=100.0, resta=100.0, saldo=1552.0),
        ]
        with freeze_time("2026-11-22 10:00:00"):
            self.open_ledger(user=self.billing_user)
        self.assertEqual(self.discrepancies(), found, "no new record")
        self.assertEqual(found.mapped("state"), ["resolved", "resolved", "open"])
        self.assertEqual(str(found[0].resolved_date), "2026-11-22 10:00:00")
        self.assertFalse(found[2].resolved_date)

        # Resolved stays resolved (and its date) while it stays gone.
        with freeze_time("2026-11-23 10:00:00"):
            self.open_ledger(user=self.billing_user)
        self.assertEqual(str(found[0].resolved_date), "2026-11-22 10:00:00")
        # ...and is reopened if it comes back.
        self.sandbox.ledgers[ADHOC_CUIT][0]["debe"] = 1000.0
        self.open_ledger(user=self.billing_user)
        self.assertEqual(found.mapped("state"), ["open", "resolved", "open"])
        self.assertFalse(found[0].resolved_date)

    def test_dismissed_with_a_reason_until_the_amounts_change(self):
        self.open_ledger()
        self.env.cr.precommit.run()  # the check's transaction ends (tracking starts with the next one)
        missing = self.discrepancies(kind="missing_in_odoo")
        wizard = Form(
            self.env["tusfacturas.discrepancy.dismiss"]
            .with_user(self.billing_user)
            .with_context(active_model="tusfacturas.discrepancy", active_ids=missing.ids)
            .with_context(tracking_disable=False, mail_notrack=False)  # the test setup turns tracking off
        )
        wizard.reason = "Anulada en AFIP, TusFacturas la muestra igual"
        wizard.save().action_confirm()
        self.assertRecordValues(missing, [{
            "state": "dismissed", "dismiss_reason": "Anulada en AFIP, TusFacturas la muestra igual",
            "dismissed_by_id": self.billing_user.id,
        }])  # fmt: skip
        self.env.cr.precommit.run()  # tracking values are written at commit
        self.assertIn(
            "Anulada en AFIP, TusFacturas la muestra igual",
            missing.message_ids.tracking_value_ids.mapped("new_value_text"),
        )
        # Found again with the same amounts: it stays dismissed.
        self.open_ledger()
        self.assertEqual(missing.state, "dismissed")
        # Other amounts: reopened, the reason kept for the record.
        self.sandbox.ledgers[ADHOC_CUIT][1]["debe"] = 150.0
        self.open_ledger()
        self.assertRecordValues(missing, [{"state": "open", "tusfacturas_amount": 150.0, "difference": 150.0}])
        self.assertEqual(missing.dismiss_reason, "Anulada en AFIP, TusFacturas la muestra igual")

    def test_written_by_the_list_action_and_the_scheduled_action(self):
        cuits = make_cuits(2)
        partners = self.make_customer("Uno SA", cuits[0]) | self.make_customer("Dos SA", cuits[1])
        for partner in partners:
            self.invoice(partner, 100.0)
        self.sandbox.ledgers[cuits[0]] = [tf_row("FACTURA A 0001-00000777", debe=5, resta=5, saldo=5)]
        self.sandbox.ledgers[cuits[1]] = []
        partners.with_user(self.billing_user).action_tusfacturas_reconcile()
        found = self.Discrepancy.search([("partner_id", "in", partners.ids)])
        self.assertEqual(
            sorted((d.partner_id.name, d.kind) for d in found),
            [("Dos SA", "missing_in_tusfacturas"), ("Uno SA", "missing_in_odoo"), ("Uno SA", "missing_in_tusfacturas")],
        )
        # The scheduled action: Dos SA now agrees, Uno SA still lacks its invoice in TusFacturas.
        number = partners[1].invoice_ids.sequence_number
        self.sandbox.ledgers[cuits[1]] = [tf_row(f"FACTURA A 0001-{number:08d}", debe=121, resta=121, saldo=121)]
        self.sandbox.ledgers[ADHOC_CUIT] = []
        self.company.tusfacturas_check_active = True  # the automatic check is per company
        self.env.ref("tusfacturas_cuenta_corriente.ir_cron_tusfacturas_reconcile").method_direct_trigger()
        self.assertEqual(self.Discrepancy.search([("partner_id", "in", partners.ids)]), found, "no duplicate")
        by_partner = {(d.partner_id.name, d.kind): d.state for d in found}
        self.assertEqual(by_partner, {
            ("Dos SA", "missing_in_tusfacturas"): "resolved",
            ("Uno SA", "missing_in_odoo"): "open",
            ("Uno SA", "missing_in_tusfacturas"): "open",
        })  # fmt: skip
        self.assertEqual(len(self.discrepancies(kind="missing_in_tusfacturas")), 2, "ADHOC's two invoices")

    @needs_freezegun
    def test_a_failed_check_leaves_them_alone(self):
        with freeze_time("2026-11-20 10:00:00"):
            self.open_ledger()
        found = self.discrepancies()
        self.sandbox.cuit_modes = {ADHOC_CUIT: "http_500"}
        with freeze_time("2026-11-21 10:00:00"):
            self.customer.action_tusfacturas_reconcile()
        self.assertEqual(self.customer.tusfacturas_state, "error")
        self.assertEqual(set(found.mapped("state")), {"open"})
        self.assertEqual({str(d) for d in found.mapped("last_seen")}, {"2026-11-20 10:00:00"})

    def test_customers_sharing_a_cuit_share_them(self):
        branch = self.make_customer("ADHOC SA (Sucursal)", ADHOC_CUIT)
        branch_invoice = self.invoice(branch, 50.0)  # FA-A 00001-00000003, missing in TusFacturas
        (self.customer | branch).action_tusfacturas_reconcile()
        found = self.Discrepancy.search([("cuit", "=", ADHOC_CUIT)])
        self.assertEqual(len(found), 4, "one per document, not one per customer")
        self.assertEqual(found.filtered(lambda d: d.move_id == branch_invoice).partner_id, branch)
        self.assertEqual(found.filtered(lambda d: d.kind == "missing_in_odoo").partner_id, self.customer)
        # Checking either customer is checking the CUIT.
        self.open_ledger(branch)
        self.assertEqual(self.Discrepancy.search([("cuit", "=", ADHOC_CUIT)]), found)
        status = self.env["tusfacturas.partner.status"].search([("partner_id", "=", branch.id)])
        self.assertEqual(status.open_discrepancy_count, 4)

    def test_balances_mode_adds_open_amounts(self):
        self.sandbox.ledgers[ADHOC_CUIT] = [
            tf_row("FACTURA A 0001-00000001 (ADHOC SA)", debe=1210.0, resta=10.0, saldo=1210.0),
            tf_row("FACTURA A 0001-00000002 (ADHOC SA)", debe=242.0, resta=242.0, saldo=1452.0),
        ]
        self.open_ledger()
        self.assertFalse(self.discrepancies(), "documents mode: open amounts are not differences")
        self.company.tusfacturas_compare_mode = "balances"
        self.open_ledger()
        self.assertRecordValues(self.discrepancies(), [
            {"kind": "residual_mismatch", "tusfacturas_residual": 10.0, "odoo_residual": 1210.0, "difference": 0.0},
        ])  # fmt: skip

    def test_queries_flat_in_the_number_of_discrepancies(self):
        engine = self.env["tusfacturas.reconciliation"]
        Discrepancy = self.Discrepancy

        def result(count, amount=100.0):
            rows = parse_ledger([
                tf_row(f"FACTURA A 0009-{n:08d}", debe=amount, resta=amount, saldo=0) for n in range(1, count + 1)
            ])  # fmt: skip
            return engine._compare_groups(self.company, {ADHOC_CUIT: self.customer}, {ADHOC_CUIT: rows})[ADHOC_CUIT]

        def queries(res):
            self.env.invalidate_all()
            start = self.env.cr.sql_log_count
            Discrepancy._sync(self.company, {self.customer.id: res})
            self.env.flush_all()
            return self.env.cr.sql_log_count - start

        def scenario(count):
            Discrepancy.sudo().search([]).unlink()
            return [
                queries(result(count)),  # created
                queries(result(count)),  # found again
                queries(result(count, amount=50.0)),  # amounts changed
                queries(result(0)),  # resolved
            ]

        scenario(3)  # warm the caches (groups, rules, defaults)
        small, large = scenario(5), scenario(40)
        # 35 discrepancies more cost no query more (one is left for Odoo's own cache refills).
        for scenario_small, scenario_large in zip(small, large, strict=True):
            self.assertLessEqual(
                scenario_large, scenario_small + 1, f"created, found, changed, resolved: {small} {large}"
            )
        self.assertEqual(len(Discrepancy.search([("cuit", "=", ADHOC_CUIT)])), 40 + 2, "and ADHOC's two invoices")

    def test_queries_flat_in_the_number_of_customers(self):
        cuits = make_cuits(12, prefix="33")
        # Missing in TusFacturas: a discrepancy with an Odoo document each.
        customers = list(self.make_customers(cuits, "Lote {i}", invoice=10.0))
        rows = parse_ledger([tf_row("FACTURA A 0009-00000001", debe=5, resta=5, saldo=5)])  # missing in Odoo
        engine = self.env["tusfacturas.reconciliation"]
        groups = dict(zip(cuits, customers, strict=True))
        compared = engine._compare_groups(self.company, groups, dict.fromkeys(cuits, rows))
        results = {groups[cuit].id: result for cuit, result in compared.items()}

        def queries(count):
            self.env.invalidate_all()
            start = self.env.cr.sql_log_count
            self.Discrepancy._sync(self.company, {pid: results[pid] for pid in list(results)[:count]})
            self.env.flush_all()
            return self.env.cr.sql_log_count - start

        queries(1)  # warm the caches
        self.Discrepancy.sudo().search([("cuit", "in", cuits)]).unlink()
        small = [queries(3), queries(3)]  # created, found again
        self.Discrepancy.sudo().search([("cuit", "in", cuits)]).unlink()
        large = [queries(12), queries(12)]
        for scenario_small, scenario_large in zip(small, large, strict=True):
            self.assertLessEqual(scenario_large, scenario_small + 1, f"created, found again: {small} {large}")
        self.assertEqual(self.Discrepancy.search_count([("cuit", "in", cuits)]), 24)


@tagged("post_install", "-at_install")
class TestDiscrepancyAccess(TusFacturasCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.invoice(cls.customer, 1000.0)
        cls.salesman = new_test_user(cls.env, login="tf_sales_d", groups="base.group_user",
                                     company_id=cls.company.id, company_ids=[Command.set(cls.company.ids)])  # fmt: skip

    def setUp(self):
        super().setUp()
        self.sandbox.ledgers[ADHOC_CUIT] = []
        self.open_ledger()
        self.discrepancy = self.env["tusfacturas.discrepancy"].search([("partner_id", "=", self.customer.id)])
        self.assertEqual(len(self.discrepancy), 1)

    def test_billing_users_work_them(self):
        mine = self.discrepancy.with_user(self.billing_user)
        [row] = mine.search_read([("id", "=", mine.id)], ["kind", "difference", "state"])
        self.assertEqual((row["kind"], row["difference"]), ("missing_in_tusfacturas", -1210.0))
        # Assign (with a to-do), comment, dismiss.
        wizard = (
            self.env["tusfacturas.discrepancy.assign"]
            .with_user(self.billing_user)
            .with_context(active_model="tusfacturas.discrepancy", active_ids=mine.ids)
            .create({"user_id": self.billing_user.id})
        )
        wizard.action_confirm()
        self.assertEqual(mine.user_id, self.billing_user)
        self.assertEqual(mine.activity_ids.user_id, self.billing_user)
        mine.message_post(body="Pedí la nota de crédito", message_type="comment")
        mine.action_dismiss("Se emite la nota de crédito mañana")
        self.assertEqual(mine.state, "dismissed")
        mine.action_reopen()
        self.assertEqual(mine.state, "open")
        # ...but neither make them up nor change what the check found.
        with self.assertRaises(AccessError):
            mine.write({"difference": 0.0})
        with self.assertRaises(AccessError):
            mine.write({"state": "resolved"})
        self.discrepancy.sudo().write({"state": "resolved"})  # as a check does
        with self.assertRaises(AccessError):
            mine.write({"state": "open"})
        with self.assertRaises(AccessError):
            mine.create({"name": "X", "company_id": self.company.id, "partner_id": self.customer.id,
                         "cuit": ADHOC_CUIT, "key": "x", "kind": "missing_in_odoo",
                         "currency_id": self.company.currency_id.id})  # fmt: skip
        with self.assertRaises(AccessError):
            mine.unlink()
        self.assertEqual(self.discrepancy.difference, -1210.0)

    def test_other_users_do_not_see_them(self):
        with self.assertRaises(AccessError):
            self.discrepancy.with_user(self.salesman).read(["difference"])
        with self.assertRaises(AccessError):
            self.env["tusfacturas.discrepancy"].with_user(self.salesman).search([])
        menu = self.env.ref("tusfacturas_cuenta_corriente.menu_tusfacturas_control")
        visible = self.env["ir.ui.menu"].with_user(self.salesman)._visible_menu_ids()
        self.assertNotIn(menu.id, visible)
        self.assertIn(menu.id, self.env["ir.ui.menu"].with_user(self.billing_user)._visible_menu_ids())

    def test_company_rules(self):
        other = self.setup_other_company(name="Otra Empresa AR")["company"]
        self.configure_company(other, apikey="5678")
        other_customer = self.make_customer("Cliente de Otra", ADHOC_CUIT, company_id=other.id)
        self.sandbox.ledgers[ADHOC_CUIT] = [tf_row("FACTURA A 0001-00000055", debe=5, resta=5, saldo=5)]
        self.open_ledger(other_customer)
        theirs = self.env["tusfacturas.discrepancy"].search([("company_id", "=", other.id)])
        self.assertEqual(len(theirs), 1)
        Discrepancy = self.env["tusfacturas.discrepancy"].with_user(self.billing_user)
        self.assertFalse(Discrepancy.search([("id", "=", theirs.id)]))
        with self.assertRaises(AccessError):
            Discrepancy.browse(theirs.id).read(["difference"])
        self.assertTrue(Discrepancy.search([("id", "=", self.discrepancy.id)]))
        Status = self.env["tusfacturas.partner.status"].with_user(self.billing_user)
        self.assertFalse(Status.search([("company_id", "=", other.id)]))
