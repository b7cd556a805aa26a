from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from .common import TusFacturasCase


@tagged("post_install", "-at_install")
class TestSettings(TusFacturasCase):
    def settings_form(self):
        return Form(self.env["res.config.settings"].with_company(self.company))

    def test_credentials_are_edited_in_settings(self):
        form = self.settings_form()
        self.assertEqual(form.tusfacturas_api_url, self.sandbox.url)
        form.tusfacturas_apitoken = "new-token"
        form.tusfacturas_timeout = 12
        form.save().execute()
        self.assertEqual(self.company.tusfacturas_apitoken, "new-token")
        self.assertEqual(self.company.tusfacturas_timeout, 12)

    def test_test_connection_reports_the_quota(self):
        action = self.settings_form().save().action_tusfacturas_test_connection()
        self.assertEqual(action["params"]["type"], "success")
        self.assertEqual(
            action["params"]["message"],
            "Documents this month: 12 issued of 100, 79 available; 21 scheduled subscriptions pending.",
        )
        self.assertEqual(self.sandbox.calls, [("micuenta/consumo", None)])

    def test_test_connection_says_what_is_wrong(self):
        form = self.settings_form()
        form.tusfacturas_usertoken = "wrong"
        with self.assertRaisesRegex(UserError, "refused the credentials"):
            form.save().action_tusfacturas_test_connection()
        self.sandbox.mode = "http_503"
        with self.assertRaisesRegex(UserError, r"not available right now \(HTTP 503\)"):
            self.settings_form().save().action_tusfacturas_test_connection()

    def test_test_connection_without_credentials(self):
        self.company.tusfacturas_apikey = False
        with self.assertRaisesRegex(Exception, "has no TusFacturas credentials"):
            self.settings_form().save().action_tusfacturas_test_connection()
        self.assertFalse(self.sandbox.calls)

    def test_secrets_are_never_copied(self):
        # Odoo refuses to duplicate companies today; the fields still say so for any other route.
        values = self.company.copy_data()[0]
        for field in ("tusfacturas_usertoken", "tusfacturas_apikey", "tusfacturas_apitoken"):
            self.assertNotIn(field, values)
