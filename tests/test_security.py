from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from ..sandbox.server import REFERENCE_ROWS
from .common import ADHOC_CUIT, TusFacturasCase

SECRETS = ("usertoken", "apikey", "apitoken")


@tagged("post_install", "-at_install")
class TestSecurity(TusFacturasCase):
    def test_billing_user_opens_the_ledger(self):
        self.sandbox.ledgers[ADHOC_CUIT] = REFERENCE_ROWS
        ledger = self.open_ledger(user=self.billing_user)
        self.assertEqual(ledger.env.user, self.billing_user)
        data = ledger.web_read({"line_ids": {"fields": {"concept": {}, "debit": {}}}, "difference": {}})
        self.assertEqual([line["debit"] for line in data[0]["line_ids"]], [112.1, 112.1])
        self.assertEqual(data[0]["difference"], 224.2)

    def test_billing_user_cannot_read_tokens_by_any_route(self):
        self.billing_user.groups_id += self.env.ref("base.group_allow_export")
        account = self.account.with_user(self.billing_user)
        self.assertEqual(account.read(["name"])[0]["name"], self.account.name, "billing users see the account")
        for field in (*SECRETS, "api_url"):
            with self.subTest(field=field):
                with self.assertRaises(AccessError):
                    account.read([field])
                with self.assertRaises(AccessError):
                    account.search_read([("id", "=", self.account.id)], [field])
                with self.assertRaises(AccessError):
                    account.export_data([field])
                self.assertNotIn(field, account.fields_get())
        view = self.env["tusfacturas.account"].with_user(self.billing_user).get_views([(False, "form")])
        for field in SECRETS:
            self.assertNotIn(f'name="{field}"', str(view))
        with self.assertRaises(AccessError):
            account.write({"timeout": 10})
        # Nor through the partner form or a ledger: the tokens are never copied anywhere else.
        view = self.env["res.partner"].with_user(self.billing_user).get_views([(False, "form")])
        self.assertNotIn("usertoken", str(view))

    def test_user_without_billing_rights_cannot_open_it(self):
        salesman = new_test_user(
            self.env,
            login="tf_sales",
            groups="base.group_user",
            company_id=self.company.id,
            company_ids=[Command.set(self.company.ids)],
        )
        with self.assertRaises(AccessError):
            self.open_ledger(user=salesman)
        self.assertFalse(self.sandbox.calls, "no billed call for a user who cannot see the result")
        arch = self.env["res.partner"].with_user(salesman).get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertNotIn("action_open_tusfacturas_ledger", arch)
        billing_arch = (
            self.env["res.partner"].with_user(self.billing_user).get_views([(False, "form")])["views"]["form"]["arch"]
        )
        self.assertIn("action_open_tusfacturas_ledger", billing_arch)

    def test_multi_company_isolation(self):
        other = self.setup_other_company(name="Otra Empresa AR")["company"]
        self.configure_company(other)
        both = self.company | other
        user = new_test_user(
            self.env,
            login="tf_both",
            groups="account.group_account_invoice",
            company_id=other.id,
            company_ids=[Command.set(both.ids)],
        )
        other_customer = self.make_customer("Cliente de Otra", ADHOC_CUIT, company_id=other.id)
        self.sandbox.ledgers[ADHOC_CUIT] = REFERENCE_ROWS
        in_other = self.open_ledger(other_customer.with_context(allowed_company_ids=other.ids), user=user)
        self.assertEqual(in_other.company_id, other)
        self.assertEqual(len(in_other.line_ids), 2)
        # The same user, working in the first company only, sees neither the ledger nor its rows.
        first_only = self.env(user=user, context={"allowed_company_ids": self.company.ids})
        self.assertFalse(first_only["tusfacturas.ledger"].search([("id", "=", in_other.id)]))
        self.assertFalse(first_only["tusfacturas.ledger.line"].search([("ledger_id", "=", in_other.id)]))
        with self.assertRaises(AccessError):
            first_only["tusfacturas.ledger"].browse(in_other.id).read(["difference"])
        # A user of the first company only cannot fetch through a partner of the other company.
        with self.assertRaises(AccessError):
            self.open_ledger(other_customer, user=self.billing_user)

    def test_reconciliation_status_is_for_billing_users(self):
        self.sandbox.ledgers[ADHOC_CUIT] = REFERENCE_ROWS
        self.open_ledger(user=self.billing_user)
        [row] = (
            self.env["res.partner"]
            .with_user(self.billing_user)
            .search_read([("tusfacturas_state", "=", "mismatch")], ["tusfacturas_state", "tusfacturas_difference"])
        )
        self.assertEqual((row["id"], row["tusfacturas_state"], row["tusfacturas_difference"]),
                         (self.customer.id, "mismatch", 224.2))  # fmt: skip
        salesman = new_test_user(self.env, login="tf_sales3", groups="base.group_user",
                                 company_id=self.company.id, company_ids=[Command.set(self.company.ids)])  # fmt: skip
        with self.assertRaises(AccessError):
            self.customer.with_user(salesman).read(["tusfacturas_balance"])
        self.assertNotIn("tusfacturas_difference", self.env["res.partner"].with_user(salesman).fields_get())

    def test_billing_user_cannot_forge_a_status(self):
        self.sandbox.ledgers[ADHOC_CUIT] = REFERENCE_ROWS
        self.open_ledger(user=self.billing_user)  # the reconciliation itself still records it
        Status = self.env["tusfacturas.partner.status"].with_user(self.billing_user)
        status = Status.search([("partner_id", "=", self.customer.id)])
        self.assertEqual(status.state, "mismatch")
        with self.assertRaises(AccessError):
            status.write({"state": "ok", "difference": 0})
        with self.assertRaises(AccessError):
            Status.create({"partner_id": self.customer.id, "company_id": self.company.id, "state": "ok"})

    def test_review_billing_user_cannot_search_on_tokens(self):
        """Not even as a condition: a search on a credential would tell its value, one guess at a time."""
        Account = self.env["tusfacturas.account"].with_user(self.billing_user)
        self.assertEqual(Account.search([("company_id", "=", self.company.id)]), self.account, "they see the account")
        routes = {
            "search": lambda domain: Account.search(domain),
            "search_count": lambda domain: Account.search_count(domain),
            "search_read": lambda domain: Account.search_read(domain, ["name"]),
            "read_group": lambda domain: Account.read_group(domain, ["point_of_sale:count"], ["company_id"]),
        }
        for field in SECRETS:
            value = self.account.sudo()[field]
            for route, call in routes.items():
                with self.subTest(field=field, route=route), self.assertRaises(AccessError):
                    call([(field, "=", value)])
            with self.subTest(field=field, route="order"), self.assertRaises(AccessError):
                Account.search([], order=field)
            with self.subTest(field=field, route="groupby"), self.assertRaises(AccessError):
                Account.read_group([], ["point_of_sale:count"], [field])
            with self.subTest(field=field, route="read"), self.assertRaises(AccessError):
                Account.browse(self.account.id).read([field])
            with self.subTest(field=field, route="search_read fields"), self.assertRaises(AccessError):
                Account.search_read([("id", "=", self.account.id)], [field])
            # Nor through the records that point at an account: the company, a discrepancy, an invoice.
            for model, path in (
                ("res.company", "tusfacturas_account_ids"),
                ("tusfacturas.discrepancy", "account_id"),
                ("account.move", "tusfacturas_account_id"),
                ("tusfacturas.voucher.run", "account_id"),
            ):
                with self.subTest(field=field, model=model), self.assertRaises(AccessError):
                    self.env[model].with_user(self.billing_user).search([(f"{path}.{field}", "=", value)])
        # The company keeps no credentials of its own (18.0.2 moved them to the accounts).
        company_fields = self.env["res.company"].fields_get()
        self.assertFalse([name for name in company_fields if any(secret in name for secret in SECRETS)])
