import importlib.util

from odoo.tests import tagged
from odoo.tools.misc import file_path

from .common import ADHOC_CUIT, TusFacturasCase, tf_row

MIGRATION = "tusfacturas_cuenta_corriente/migrations/18.0.2.0.0/post-migration.py"
LINE_REFERENCES = "tusfacturas_cuenta_corriente/migrations/18.0.2.1.0/pre-migration.py"


def migration(path=MIGRATION):
    name = "tusfacturas_" + path.split("/", 2)[2].replace("/", "_").replace(".", "_").replace("-", "_")
    spec = importlib.util.spec_from_file_location(name, file_path(path))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@tagged("post_install", "-at_install")
class TestUpgradeFromCompanyCredentials(TusFacturasCase):
    """A database of 18.0.1.1.0 kept one set of credentials on the company: the upgrade moves
    them into a TusFacturas account, nothing lost, nothing left behind (issue 19). The old
    columns are made here as 18.0.1.1.0 had them, in this test's transaction."""

    def old_schema(self, company, journals=None, **values):
        cr = self.env.cr
        cr.execute(
            """
            ALTER TABLE res_company ADD COLUMN tusfacturas_usertoken varchar, ADD COLUMN tusfacturas_apikey varchar,
                ADD COLUMN tusfacturas_apitoken varchar, ADD COLUMN tusfacturas_api_url varchar,
                ADD COLUMN tusfacturas_timeout int4;
            """
        )
        cr.execute(
            "UPDATE res_company SET tusfacturas_usertoken = %(usertoken)s, tusfacturas_apikey = %(apikey)s, "
            "tusfacturas_apitoken = %(apitoken)s, tusfacturas_api_url = %(api_url)s, "
            "tusfacturas_timeout = %(timeout)s WHERE id = %(company)s",
            {**values, "company": company.id},
        )
        for journal in journals or ():
            cr.execute("INSERT INTO res_company_tusfacturas_journal_rel VALUES (%s, %s)", [company.id, journal.id])

    def test_company_credentials_become_an_account(self):
        self.account.unlink()
        journal = self.journal_sale.copy({"name": "Ventas PDV 3", "code": "V3", "l10n_ar_afip_pos_number": 3})
        run = self.env["tusfacturas.check.run"].sudo().create(
            {"company_id": self.company.id, "started": "2026-11-30 06:00:00", "state": "stopped",
             "credentials_refused": True, "stop_reason": "TusFacturas refused the credentials"}
        )  # fmt: skip
        self.old_schema(
            self.company, journals=journal, usertoken="ut-old", apikey="4321", apitoken="at-old",
            api_url="https://www.tusfacturas.app/app/api/v2", timeout=45,
        )  # fmt: skip
        migration().migrate(self.env.cr, "18.0.1.1.0")
        self.env.invalidate_all()
        account = self.company._tusfacturas_ledger_account()
        self.assertRecordValues(account.sudo(), [{
            "usertoken": "ut-old", "apikey": "4321", "apitoken": "at-old", "timeout": 45, "point_of_sale": 3,
            "api_url": "https://www.tusfacturas.app/app/api/v2", "credentials_refused": True,
            "refusal_message": "TusFacturas refused the credentials",
        }])  # fmt: skip
        self.assertEqual(account.journal_ids, journal)
        self.assertEqual(run.account_id, account)
        self.env.cr.execute(
            "SELECT count(*) FROM information_schema.columns WHERE table_name = 'res_company' "
            "AND column_name LIKE 'tusfacturas\\_%%token' OR column_name = 'tusfacturas_apikey'"
        )
        self.assertEqual(self.env.cr.fetchone()[0], 0, "no copy of a secret left in a column nothing reads")

    def test_review_several_points_of_sale_credentials_on_the_lowest(self):
        """Sales journals on points of sale 1, 3 and 5, no Diarios de venta chosen: one account, of point
        of sale 1, with the company's credentials (TusFacturas' credentials are per CUIT + point of
        sale: the others need their own), its journals those of point of sale 1; the log says so."""
        self.account.unlink()
        self.assertEqual(self.journal_sale.l10n_ar_afip_pos_number, 1)
        pos_3 = self.journal_sale.copy({"name": "Ventas PDV 3", "code": "V3", "l10n_ar_afip_pos_number": 3})
        pos_5 = self.journal_sale.copy({"name": "Ventas PDV 5", "code": "V5", "l10n_ar_afip_pos_number": 5})
        self.old_schema(self.company, usertoken="ut-old", apikey="4321", apitoken="at-old", api_url=None, timeout=None)
        module = migration()
        with self.assertLogs(module._logger, "WARNING") as logs:
            module.migrate(self.env.cr, "18.0.1.1.0")
        self.assertIn("points of sale [1, 3, 5]", logs.output[0])
        self.assertNotIn("ut-old", logs.output[0], "no secret in the log")
        account = self.migrated_accounts()
        self.assertRecordValues(account.sudo(), [{
            "point_of_sale": 1, "usertoken": "ut-old", "apikey": "4321", "apitoken": "at-old", "timeout": 30,
            "api_url": "https://www.tusfacturas.app/app/api/v2", "credentials_refused": False,
        }])  # fmt: skip
        self.assertEqual(account.journal_ids, self.journal_sale)
        self.assertFalse(account.journal_ids & (pos_3 | pos_5))
        self.assertEqual(self.company._tusfacturas_ledger_account(), account)

    def migrated_accounts(self):
        """The company's TusFacturas accounts after the migration, archived ones too."""
        self.env.invalidate_all()
        return (
            self.env["tusfacturas.account"]
            .with_context(active_test=False)
            .search([("company_id", "=", self.company.id)])
        )

    def test_review_several_points_of_sale_among_the_diarios_de_venta(self):
        """The Diarios de venta chosen are on points of sale 3 and 5: the account is of point of sale 3,
        with that point of sale's journal only (an account's journals are of its point of sale)."""
        self.account.unlink()
        pos_3 = self.journal_sale.copy({"name": "Ventas PDV 3", "code": "V3", "l10n_ar_afip_pos_number": 3})
        pos_5 = self.journal_sale.copy({"name": "Ventas PDV 5", "code": "V5", "l10n_ar_afip_pos_number": 5})
        self.old_schema(
            self.company, journals=pos_3 | pos_5, usertoken="ut-old", apikey="4321", apitoken="at-old",
            api_url=None, timeout=200,
        )  # fmt: skip
        module = migration()
        with self.assertLogs(module._logger, "WARNING") as logs:
            module.migrate(self.env.cr, "18.0.1.1.0")
        self.assertIn("points of sale [3, 5]", logs.output[0])
        self.env.invalidate_all()
        account = self.company._tusfacturas_ledger_account()
        self.assertRecordValues(account.sudo(), [{
            "point_of_sale": 3, "usertoken": "ut-old", "apikey": "4321", "apitoken": "at-old", "timeout": 120,
        }])  # fmt: skip
        self.assertEqual(account.journal_ids, pos_3)
        self.assertEqual(self.company.tusfacturas_journal_ids, pos_3 | pos_5, "the Diarios de venta stay")

    def test_review_credentials_without_sales_journals_that_use_documents(self):
        """Credentials, but no sales journal uses documents (and no Diarios de venta): the credentials still
        move, to an account of point of sale 1 without journals, for an administrator to complete."""
        self.account.unlink()
        sales = self.env["account.journal"].search([("type", "=", "sale"), ("company_id", "=", self.company.id)])
        sales.l10n_latam_use_documents = False
        self.old_schema(
            self.company, usertoken="ut-old", apikey="4321", apitoken="at-old",
            api_url="https://proxy.example.com/app/api/v2", timeout=10,
        )  # fmt: skip
        migration().migrate(self.env.cr, "18.0.1.1.0")
        account = self.migrated_accounts()
        self.assertRecordValues(account.sudo(), [{
            "point_of_sale": 1, "usertoken": "ut-old", "apikey": "4321", "apitoken": "at-old", "timeout": 10,
            "api_url": "https://proxy.example.com/app/api/v2", "journal_ids": [],
        }])  # fmt: skip
        self.assertTrue(account.has_credentials)

    def test_without_credentials_nothing_is_made(self):
        self.account.unlink()
        self.old_schema(self.company, usertoken=None, apikey=None, apitoken=None, api_url=None, timeout=30)
        migration().migrate(self.env.cr, "18.0.1.1.0")
        self.assertFalse(self.env["tusfacturas.account"].search([("company_id", "=", self.company.id)]))

    def test_a_new_database_has_nothing_to_move(self):
        migration().migrate(self.env.cr, "18.0.1.1.0")
        self.assertEqual(self.env["tusfacturas.account"].search([("company_id", "=", self.company.id)]), self.account)


@tagged("post_install", "-at_install")
class TestUpgradeLineReferences(TusFacturasCase):
    """18.0.2.0.0 kept a ledger line's Odoo document and document type as many2one columns with
    foreign keys: the upgrade keeps the ledgers open meanwhile as they are, without the keys. The
    old columns are made here as 18.0.2.0.0 had them, in this test's transaction."""

    def test_open_ledgers_keep_their_documents_and_lose_the_foreign_keys(self):
        invoice = self.invoice(self.customer, 100.0)
        self.sandbox.ledgers[ADHOC_CUIT] = [
            tf_row(f"FACTURA A 0001-{invoice.sequence_number:08d}", debe=121.0, resta=121.0, saldo=121.0)
        ]
        ledger = self.open_ledger()
        self.assertEqual(ledger.line_ids.move_id, invoice)
        cr = self.env.cr
        module = self.env["ir.module.module"].search([("name", "=", "tusfacturas_cuenta_corriente")])
        model = self.env["ir.model"]._get("tusfacturas.ledger.line")
        for old, new, target in (("move_id", "move_ref", "account_move"),
                                 ("document_type_id", "document_type_ref", "l10n_latam_document_type")):  # fmt: skip
            constraint = f"tusfacturas_ledger_line_{old}_fkey"
            cr.execute(f"ALTER TABLE tusfacturas_ledger_line RENAME COLUMN {new} TO {old}")
            cr.execute(
                f"ALTER TABLE tusfacturas_ledger_line ADD CONSTRAINT {constraint} FOREIGN KEY ({old}) "
                f"REFERENCES {target}(id) ON DELETE SET NULL"
            )
            cr.execute(
                "INSERT INTO ir_model_constraint (name, model, module, type) VALUES (%s, %s, %s, 'f')",
                [constraint, model.id, module.id],
            )

        migration(LINE_REFERENCES).migrate(cr, "18.0.2.0.0")
        self.env.invalidate_all()
        self.assertEqual(ledger.line_ids.move_id, invoice)
        self.assertEqual(ledger.line_ids.document_type_id, invoice.l10n_latam_document_type_id)
        cr.execute(
            "SELECT conname FROM pg_constraint WHERE conrelid = 'tusfacturas_ledger_line'::regclass AND contype = 'f'"
        )
        self.assertEqual(
            sorted(name for (name,) in cr.fetchall()),
            [
                f"tusfacturas_ledger_line_{name}_fkey"
                for name in ("create_uid", "currency_id", "ledger_id", "write_uid")
            ],
        )
        cr.execute(
            "SELECT count(*) FROM ir_model_constraint WHERE name = ANY(%s)",
            [["tusfacturas_ledger_line_move_id_fkey", "tusfacturas_ledger_line_document_type_id_fkey"]],
        )
        self.assertEqual(cr.fetchone()[0], 0)
        # Run again (a module updated twice): nothing left to do.
        migration(LINE_REFERENCES).migrate(cr, "18.0.2.0.0")
