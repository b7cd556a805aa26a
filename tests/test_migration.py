import importlib.util

from odoo.tests import tagged
from odoo.tools.misc import file_path

from .common import TusFacturasCase

MIGRATION = "tusfacturas_cuenta_corriente/migrations/18.0.2.0.0/post-migration.py"


def migration():
    spec = importlib.util.spec_from_file_location("tusfacturas_post_migration_18_0_2_0_0", file_path(MIGRATION))
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

    def test_without_credentials_nothing_is_made(self):
        self.account.unlink()
        self.old_schema(self.company, usertoken=None, apikey=None, apitoken=None, api_url=None, timeout=30)
        migration().migrate(self.env.cr, "18.0.1.1.0")
        self.assertFalse(self.env["tusfacturas.account"].search([("company_id", "=", self.company.id)]))

    def test_a_new_database_has_nothing_to_move(self):
        migration().migrate(self.env.cr, "18.0.1.1.0")
        self.assertEqual(self.env["tusfacturas.account"].search([("company_id", "=", self.company.id)]), self.account)
