from psycopg2 import IntegrityError

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, tagged
from odoo.tools import mute_logger

from .common import TusFacturasCase


@tagged("post_install", "-at_install")
class TestAccount(TusFacturasCase):
    """A TusFacturas account per CUIT + point of sale, with its credentials (issue 19)."""

    def test_an_account_per_point_of_sale_with_its_journals(self):
        form = Form(self.env["tusfacturas.account"])
        form.point_of_sale = 2
        form.usertoken, form.apikey, form.apitoken = "ut", "99", "at"
        account = form.save()
        self.assertEqual(account.display_name, f"{self.company.name}, point of sale 00002")
        self.assertFalse(account.journal_ids, "no sales journal of point of sale 2")
        self.assertEqual(self.account.journal_ids, self.journal_sale, "point of sale 1: its journal by default")
        self.assertEqual(self.company._tusfacturas_ledger_account(), self.account, "the first one reads ledgers")
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"), self.cr.savepoint():
            self.account.copy({"name": "Otra"})  # same point of sale
        with self.assertRaisesRegex(ValidationError, "between 1 and 120"):
            account.timeout = 0

    def test_settings_lead_to_the_accounts(self):
        settings = self.env["res.config.settings"].with_company(self.company).create({})
        self.assertEqual(settings.tusfacturas_account_count, 1)
        action = settings.action_tusfacturas_accounts()
        self.assertEqual(action["res_model"], "tusfacturas.account")
        arch = self.env["res.config.settings"].get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn("action_tusfacturas_accounts", arch)

    def test_test_connection_reports_the_quota(self):
        action = self.account.action_test_connection()
        self.assertEqual(action["params"]["type"], "success")
        self.assertEqual(
            action["params"]["message"],
            "Documents this month: 12 issued of 100, 79 available; 21 scheduled subscriptions pending.",
        )
        self.assertEqual(self.sandbox.calls, [("micuenta/consumo", None)])

    def test_test_connection_says_what_is_wrong(self):
        self.account.usertoken = "wrong"
        with self.assertRaisesRegex(UserError, "refused the credentials"):
            self.account.action_test_connection()
        self.sandbox.mode = "http_503"
        with self.assertRaisesRegex(UserError, r"not available right now \(HTTP 503\)"):
            self.account.action_test_connection()

    def test_only_administrators_test_the_connection(self):
        with self.assertRaises(AccessError):
            self.account.with_user(self.billing_user).action_test_connection()
        self.assertFalse(self.sandbox.calls)

    def test_secrets_are_never_copied(self):
        values = self.account.copy_data()[0]
        for field in ("usertoken", "apikey", "apitoken", "credentials_refused"):
            self.assertNotIn(field, values)

    def test_new_credentials_lift_a_refusal(self):
        self.account._mark_refused("TusFacturas refused the credentials")
        self.account.timeout = 10
        self.assertTrue(self.account.credentials_refused, "another setting keeps the refusal")
        self.account.apitoken = "a new one"
        self.assertFalse(self.account.credentials_refused)
        self.assertFalse(self.account.refusal_message)
