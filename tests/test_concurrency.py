import datetime
import threading
import time
from types import SimpleNamespace

from odoo import SUPERUSER_ID, api
from odoo.exceptions import UserError
from odoo.http import _request_stack
from odoo.service.model import retrying
from odoo.tests import TransactionCase, tagged
from odoo.tools import mute_logger

from ..sandbox.cuits import make_cuits
from ..sandbox.server import DEFAULT_CREDENTIALS
from .common import SandboxCase, in_transaction, remove_committed_company

# The company these tests commit, alone with its TusFacturas account: nothing of another
# company changes, and what an interrupted run left is removed by the next one.
COMPANY_NAME = "TusFacturas Concurrencia (tests)"


class ReplayableRequest:
    """What ``odoo.service.model.retrying`` needs of the HTTP request it replays."""

    def __init__(self, dbname):
        self.db = dbname
        self.session = None
        self.httprequest = SimpleNamespace(files={})

    def _get_session_and_dbname(self):
        return None, self.db


@tagged("post_install", "-at_install")
class TestConcurrentChecks(SandboxCase, TransactionCase):
    """Two transactions at once on the real PostgreSQL.

    Other transactions cannot see a test's own transaction, so the customers and the
    company's credentials are committed by a cursor of their own, and removed afterwards.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.start_sandbox()
        cls.cuits = make_cuits(6, prefix="27")
        cls.clean_up()  # what an interrupted run may have left
        cls.addClassCleanup(cls.clean_up)
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            company = env["res.company"].create(
                {
                    "name": COMPANY_NAME,
                    "country_id": env.ref("base.ar").id,
                    "tusfacturas_concurrency": 4,
                    "tusfacturas_cron_scope": "all",
                    "tusfacturas_check_active": True,
                }
            )
            env["tusfacturas.account"].create(
                {"company_id": company.id, **DEFAULT_CREDENTIALS, "api_url": cls.sandbox.url, "timeout": 5}
            )
            admin = env.ref("base.user_admin")
            admin.company_ids += company
            cls.company_id = company.id
            cuit_type = env.ref("l10n_ar.it_cuit")
            partners = env["res.partner"].create(
                [
                    {"name": f"Concurrente {i}", "is_company": True, "customer_rank": 1, "vat": cuit,
                     "company_id": company.id, "l10n_latam_identification_type_id": cuit_type.id}
                    for i, cuit in enumerate(cls.cuits)
                ]
            )  # fmt: skip
            cls.partner_ids = partners.ids
            cls.admin_id = admin.id

    @classmethod
    def clean_up(cls):
        remove_committed_company(cls.registry, COMPANY_NAME, cls.remove_records)

    @staticmethod
    def remove_records(env, company):
        partners = env["res.partner"].search(
            [("company_id", "in", company.ids), ("id", "not in", company.partner_id.ids)]
        )
        env["tusfacturas.ledger"].search([("company_id", "in", company.ids)]).unlink()
        env["tusfacturas.partner.status"].search([("company_id", "in", company.ids)]).unlink()
        env["tusfacturas.check.run"].search([("company_id", "in", company.ids)]).unlink()
        env["tusfacturas.discrepancy"].search([("company_id", "in", company.ids)]).unlink()
        env["tusfacturas.voucher.run"].search([("company_id", "in", company.ids)]).unlink()
        env["tusfacturas.voucher.customer"].search([("company_id", "in", company.ids)]).unlink()
        env["tusfacturas.account"].search([("company_id", "in", company.ids)]).unlink()
        cron = env.ref("tusfacturas_cuenta_corriente.ir_cron_tusfacturas_reconcile")
        env["ir.cron.trigger"].search([("cron_id", "=", cron.id)]).unlink()
        partners.unlink()
        env.ref("base.user_admin").company_ids -= company

    def setUp(self):
        super().setUp()
        self.addCleanup(self.forget_checks)

    def forget_checks(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["tusfacturas.partner.status"].search([("partner_id", "in", self.partner_ids)]).unlink()
            env["tusfacturas.check.run"].search([("company_id", "=", self.company_id)]).unlink()

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------

    def in_transaction(self, function, uid=SUPERUSER_ID):
        """Start ``function(env)`` in a thread, in a transaction of its own that commits
        if it returns. Returns the thread and a dict that gets its value or error."""
        return in_transaction(self, function, uid)

    def wait_for_calls(self, count, timeout=10, outcome=None):
        deadline = time.monotonic() + timeout
        while len(self.sandbox.calls) < count:
            self.assertLess(time.monotonic(), deadline, f"TusFacturas was not called: {outcome}")
            time.sleep(0.02)

    def statuses(self):
        with self.registry.cursor() as cr:
            cr.execute(
                "SELECT partner_id, state FROM tusfacturas_partner_status WHERE partner_id = ANY(%s)",
                [self.partner_ids],
            )
            return dict(cr.fetchall())

    def batch(self, env, partner_ids):
        partners = env["res.partner"].browse(partner_ids)
        return env["tusfacturas.reconciliation"]._reconcile_batch(partners, env["res.company"].browse(self.company_id))

    # ------------------------------------------------------------------
    # Tests
    # ------------------------------------------------------------------

    def test_a_user_is_told_while_the_run_checks_the_customer(self):
        """The run's calls are in flight: a user opening or checking one of its customers
        gets a clear message at once, nobody is billed twice, and the run's results are
        written."""
        self.sandbox.delay = 1.0
        thread, outcome = self.in_transaction(lambda env: self.batch(env, self.partner_ids[:3]))
        self.wait_for_calls(3, outcome=outcome)
        with self.registry.cursor() as cr:
            env = api.Environment(cr, self.admin_id, {"allowed_company_ids": [self.company_id]})
            with self.assertRaisesRegex(UserError, "already checking this customer, try again in a minute"):
                env["res.partner"].browse(self.partner_ids[0]).action_open_tusfacturas_ledger()
            cr.rollback()
            with self.assertRaisesRegex(UserError, "already checking some of these customers"):
                env["res.partner"].browse(self.partner_ids[2:4]).action_tusfacturas_reconcile()
            cr.rollback()
        thread.join(30)
        self.assertNotIn("error", outcome)
        self.assertEqual(len(self.sandbox.calls), 3, "no call for the user, none repeated")
        self.assertEqual(self.statuses(), dict.fromkeys(self.partner_ids[:3], "ok"))

    def test_two_first_checks_of_a_customer_call_once(self):
        """Two transactions check a never-checked customer at the same moment: one calls,
        the other is told before calling (no unique-constraint failure after the call)."""
        self.sandbox.delay = 0.5
        barrier = threading.Barrier(2)

        def check(env):
            barrier.wait(10)
            return self.batch(env, self.partner_ids[3:4])

        first, second = self.in_transaction(check), self.in_transaction(check)
        first[0].join(30)
        second[0].join(30)
        errors = [outcome.get("error") for _thread, outcome in (first, second)]
        self.assertEqual(errors.count(None), 1, errors)
        self.assertIn("already checking this customer", str(next(e for e in errors if e)))
        self.assertEqual(len(self.sandbox.calls), 1)
        self.assertEqual(self.statuses(), {self.partner_ids[3]: "ok"})

    def test_the_run_skips_customers_being_checked_and_takes_them_again(self):
        """A worker claimed two customers and died before committing: the run skips them
        while they are locked, then takes them again, in the same run."""
        holder = self.registry.cursor()
        self.addCleanup(holder.close)
        env = api.Environment(holder, SUPERUSER_ID, {})
        company = env["res.company"].browse(self.company_id)
        env["tusfacturas.partner.status"]._lock_for_check(env["res.partner"].browse(self.partner_ids[:2]), company)

        def cron_call(env):
            return env["res.partner"]._cron_tusfacturas_reconcile()

        thread, outcome = self.in_transaction(cron_call)
        thread.join(60)
        self.assertEqual(outcome.get("value"), 2, outcome)
        self.assertCountEqual([cuit for _method, cuit in self.sandbox.calls], self.cuits[2:])
        holder.rollback()  # the worker dies: its claims go with it

        thread, outcome = self.in_transaction(cron_call)
        thread.join(60)
        self.assertEqual(outcome.get("value"), 0, outcome)
        self.assertCountEqual([cuit for _method, cuit in self.sandbox.calls], self.cuits, "each one called once")
        self.assertEqual(self.statuses(), dict.fromkeys(self.partner_ids, "ok"))
        with self.registry.cursor() as cr:
            cr.execute(
                "SELECT state, checked_count FROM tusfacturas_check_run WHERE company_id = %s", [self.company_id]
            )
            self.assertEqual(cr.fetchall(), [("done", 6)], "one run")

    def test_a_users_check_never_aborts_the_run(self):
        """Two customers share a CUIT. A user is checking one of them (its status locked) when
        the run claims the other: the run leaves that CUIT for later, instead of failing on the
        user's lock, checks everyone else, and takes the CUIT once the user is done (issue 17)."""
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            sibling = env["res.partner"].create(
                {"name": "Concurrente 0 Sucursal", "is_company": True, "vat": self.cuits[0],
                 "company_id": self.company_id, "l10n_latam_identification_type_id": env.ref("l10n_ar.it_cuit").id}
            )  # fmt: skip
        self.addCleanup(self.remove_partners, sibling.ids)
        holder = self.registry.cursor()
        self.addCleanup(holder.close)
        env = api.Environment(holder, SUPERUSER_ID, {})
        company = env["res.company"].browse(self.company_id)
        env["tusfacturas.partner.status"]._lock_for_check(env["res.partner"].browse(sibling.ids), company)

        def cron_call(env):
            return env["res.partner"]._cron_tusfacturas_reconcile()

        thread, outcome = self.in_transaction(cron_call)
        thread.join(60)
        self.assertNotIn("error", outcome)
        self.assertCountEqual([cuit for _method, cuit in self.sandbox.calls], self.cuits[1:])
        self.assertEqual(
            self.statuses(),
            {self.partner_ids[0]: "not_checked", **dict.fromkeys(self.partner_ids[1:], "ok")},
            "the others are checked",
        )
        holder.rollback()  # the user is done

        thread, outcome = self.in_transaction(cron_call)
        thread.join(60)
        self.assertNotIn("error", outcome)
        self.assertCountEqual([cuit for _method, cuit in self.sandbox.calls], self.cuits, "each CUIT called once")
        self.assertEqual(self.statuses(), dict.fromkeys(self.partner_ids, "ok"))

    def test_one_run_at_a_time_reads_an_account_s_vouchers(self):
        """A check of an account's vouchers is under way (its row locked): a second one, by hand,
        is told at once; the scheduled one leaves that account for later (issue 19)."""
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            account = env["tusfacturas.account"].search([("company_id", "=", self.company_id)])
            account.voucher_check_from = datetime.date.today() - datetime.timedelta(days=1)
            account.voucher_check_active = True
            account_id = account.id
        self.addCleanup(self.forget_voucher_checks, account_id)
        holder = self.registry.cursor()
        self.addCleanup(holder.close)
        holder.execute("SELECT id FROM tusfacturas_account WHERE id = %s FOR NO KEY UPDATE", [account_id])

        def by_hand(env):
            account = env["tusfacturas.account"].browse(account_id)
            day = datetime.date.today()
            return env["tusfacturas.voucher.run"]._check_by_hand(account, day, day)

        thread, outcome = self.in_transaction(by_hand, uid=self.admin_id)
        thread.join(30)
        self.assertIn("already checking the vouchers of this account", str(outcome.get("error")))
        thread, outcome = self.in_transaction(lambda env: env["tusfacturas.voucher.run"]._cron_check_vouchers())
        thread.join(30)
        self.assertNotIn("error", outcome)
        self.assertFalse(self.sandbox.calls, "nobody read the account's vouchers twice at once")
        holder.rollback()  # the first check is over
        thread, outcome = self.in_transaction(lambda env: env["tusfacturas.voucher.run"]._cron_check_vouchers())
        thread.join(30)
        self.assertNotIn("error", outcome)
        self.assertIn("facturacion/consulta_avanzada", {method for method, _cuit in self.sandbox.calls})

    def forget_voucher_checks(self, account_id):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["tusfacturas.voucher.run"].search([("account_id", "=", account_id)]).unlink()
            env["tusfacturas.discrepancy"].search([("account_id", "=", account_id)]).unlink()
            env["tusfacturas.account"].browse(account_id).write({"voucher_check_active": False})

    def remove_partners(self, partner_ids):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["tusfacturas.partner.status"].search([("partner_id", "in", partner_ids)]).unlink()
            env["res.partner"].browse(partner_ids).unlink()

    def test_a_replayed_request_does_not_call_again(self):
        """Odoo replays a request after a serialization failure: the replay reuses what the
        first attempt fetched instead of calling (and paying) again."""
        partner_ids = self.partner_ids[4:6]
        attempts = []
        with self.registry.cursor() as cr:
            env = api.Environment(cr, self.admin_id, {"allowed_company_ids": [self.company_id]})

            def request_body():
                attempts.append(len(self.sandbox.calls))
                result = env["res.partner"].browse(partner_ids).action_tusfacturas_reconcile()
                if len(attempts) == 1:
                    # Meanwhile another transaction changed a record this request changes too.
                    with self.registry.cursor() as other:
                        other.execute("UPDATE res_partner SET comment = 'other' WHERE id = %s", [partner_ids[0]])
                    env.cr.execute("UPDATE res_partner SET comment = 'mine' WHERE id = %s", [partner_ids[0]])
                return result

            _request_stack.push(ReplayableRequest(cr.dbname))
            try:
                with mute_logger("odoo.sql_db"):  # the serialization failure, on purpose
                    result = retrying(request_body, env)
            finally:
                _request_stack.pop()
        self.assertEqual(attempts, [0, 2], "replayed once, after the two calls of the first attempt")
        self.assertEqual(len(self.sandbox.calls), 2, "the replay called nobody")
        self.assertEqual(result["params"]["message"], "2 in agreement, 0 with differences, 0 with errors.")
        self.assertEqual(self.statuses(), dict.fromkeys(partner_ids, "ok"))
