import threading

from odoo import SUPERUSER_ID, Command, api
from odoo.tests import TransactionCase, tagged
from odoo.tools import mute_logger

from ..sandbox.cuits import make_cuits
from ..sandbox.server import DEFAULT_CREDENTIALS
from ..sandbox.vouchers import make_voucher
from .common import SandboxCase, in_transaction, remove_committed_company

# The company these tests commit, alone with what it needs to invoice: nothing of another company
# changes, and what an interrupted run left is removed by the next one.
COMPANY_NAME = "TusFacturas Comprobantes Concurrentes (tests)"


@tagged("post_install", "-at_install")
class TestConcurrentVoucherInvoices(SandboxCase, TransactionCase):
    """Two users click "Create Draft in Odoo" on the same voucher at the same moment, in two
    transactions on the real PostgreSQL, each run as Odoo runs a request (replayed after a
    concurrency failure): one document.

    Other transactions cannot see a test's own transaction, so the company and what it needs
    (accounts, a VAT tax, a sales journal, its TusFacturas account, a customer, the discrepancy) are
    committed by a cursor of their own, and removed afterwards. Its currency is USD (active in any
    database), its voucher in dollars."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.start_sandbox()
        cls.clean_up()  # what an interrupted run may have left
        cls.addClassCleanup(cls.clean_up)
        [cls.cuit] = make_cuits(1, prefix="30", body=71000000)
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            argentina = env.ref("base.ar")
            company = env["res.company"].create(
                {
                    "name": COMPANY_NAME,
                    "country_id": argentina.id,
                    "currency_id": env.ref("base.USD").id,
                    "l10n_ar_afip_responsibility_type_id": env.ref("l10n_ar.res_IVARI").id,
                }
            )
            Account = env["account.account"]
            receivable = Account.create(
                {"name": "Deudores", "code": "TFC1", "account_type": "asset_receivable", "reconcile": True,
                 "company_ids": [Command.set(company.ids)]}
            )  # fmt: skip
            income = Account.create(
                {"name": "Ventas", "code": "TFC2", "account_type": "income", "company_ids": [Command.set(company.ids)]}
            )
            group = env["account.tax.group"].create(
                {"name": "IVA 21%", "company_id": company.id, "country_id": argentina.id, "l10n_ar_vat_afip_code": "5"}
            )
            env["account.tax"].create(
                {"name": "IVA 21%", "amount": 21.0, "amount_type": "percent", "type_tax_use": "sale",
                 "company_id": company.id, "country_id": argentina.id, "tax_group_id": group.id}
            )  # fmt: skip
            env["account.journal"].create(
                {"name": "Ventas 00001", "code": "TFC", "type": "sale", "company_id": company.id,
                 "l10n_latam_use_documents": True, "l10n_ar_afip_pos_number": 1, "l10n_ar_afip_pos_system": "II_IM",
                 "default_account_id": income.id}
            )  # fmt: skip
            account = env["tusfacturas.account"].create(
                {"company_id": company.id, **DEFAULT_CREDENTIALS, "api_url": cls.sandbox.url, "timeout": 5}
            )
            partner = env["res.partner"].create(
                {"name": "Concurrente SA", "is_company": True, "vat": cls.cuit, "company_id": company.id,
                 "l10n_latam_identification_type_id": env.ref("l10n_ar.it_cuit").id,
                 "l10n_ar_afip_responsibility_type_id": env.ref("l10n_ar.res_IVARI").id}
            )  # fmt: skip
            partner.with_company(company).property_account_receivable_id = receivable
            document_type = env.ref("l10n_ar.dc_a_f")
            discrepancy = (
                env["tusfacturas.discrepancy"]
                .sudo()
                .create(
                    {"name": "FACTURA A 00001-00000007", "company_id": company.id, "partner_id": partner.id,
                     "cuit": cls.cuit, "key": "missing_in_odoo/1-00001-00000007", "kind": "missing_in_odoo",
                     "source": "voucher", "account_id": account.id, "currency_id": company.currency_id.id,
                     "document_type_id": document_type.id, "point_of_sale": 1, "document_number": 7}
                )
            )  # fmt: skip
            cls.company_id, cls.discrepancy_id = company.id, discrepancy.id

    @classmethod
    def clean_up(cls):
        remove_committed_company(cls.registry, COMPANY_NAME, cls.remove_records)

    @staticmethod
    def remove_records(env, company):
        domain = [("company_id", "in", company.ids)]
        moves = env["account.move"].search(domain)
        moves.filtered(lambda move: move.state != "draft").button_draft()
        moves.unlink()
        env["tusfacturas.discrepancy"].search(domain).unlink()
        env["tusfacturas.account"].search(domain).unlink()
        env["account.journal"].search(domain).unlink()
        env["account.tax"].search(domain).unlink()
        # l10n_ar's check before deleting tax groups reads the company's chart template, which a
        # company configured by hand has not: it is named (never loaded) for that check only.
        company.chart_template = "ar_ri"
        env["account.tax.group"].search(domain).unlink()
        env["res.partner"].search([*domain, ("id", "not in", company.partner_id.ids)]).unlink()
        env["account.account"].search([("company_ids", "in", company.ids)]).unlink()

    def setUp(self):
        super().setUp()
        self.sandbox.vouchers.add(
            make_voucher("FACTURA A", 1, 7, "02/03/2026", 121.0, "DOL", 1000, ("CUIT", self.cuit, "CONCURRENTE SA"),
                         pdf_url=self.sandbox.file_url("00001-00000007.pdf"))
        )  # fmt: skip
        self.addCleanup(self.remove_documents)

    def remove_documents(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["account.move"].search([("company_id", "=", self.company_id)]).unlink()

    def as_a_request(self, function):
        """Start ``function(env)`` in a thread, as Odoo runs a user's request: in a transaction of its
        own, replayed after a concurrency failure, committed when it returns."""
        return in_transaction(self, function, replayed=True, timeout=60)

    def committed_documents(self):
        with self.registry.cursor() as cr:
            cr.execute("SELECT id, name, state FROM account_move WHERE company_id = %s ORDER BY id", [self.company_id])
            return cr.fetchall()

    def test_two_users_at_once_make_one_document(self):
        self.sandbox.delay = 0.5  # both are fetching the voucher when the other one starts
        barrier = threading.Barrier(2)
        attempts = []

        def click(env):
            attempts.append(threading.current_thread().name)
            if len(attempts) <= 2:  # the two first attempts start together; a replay starts when it may
                barrier.wait(10)
            discrepancy = env["tusfacturas.discrepancy"].browse(self.discrepancy_id)
            return discrepancy.action_create_odoo_document()["params"]["next"]["res_id"]

        with mute_logger("odoo.service.model", "odoo.sql_db"):  # the concurrency failure, on purpose
            first, second = self.as_a_request(click), self.as_a_request(click)
            first[0].join(60)
            second[0].join(60)
        outcomes = [first[1], second[1]]
        self.assertEqual([set(outcome) for outcome in outcomes], [{"value"}, {"value"}], outcomes)
        [(move_id, name, state)] = self.committed_documents()
        self.assertEqual((name, state), ("FA-A 00001-00000007", "draft"))
        self.assertEqual([outcome["value"] for outcome in outcomes], [move_id, move_id], "both open the same one")
        # The second one failed on the first one's lock (or its committed write) and was replayed:
        # once the first one committed, its replay found the document (a replay started before then
        # fetches the voucher again, a free call, and fails on the lock once more).
        self.assertGreater(len(attempts), 2, "a replay")
