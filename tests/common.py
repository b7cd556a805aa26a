import random
import threading
import time

from odoo import SUPERUSER_ID, Command, api, http
from odoo.addons.account.tests.common import AccountTestInvoicingCommon
from odoo.service.model import MAX_TRIES_ON_CONCURRENCY_FAILURE, PG_CONCURRENCY_EXCEPTIONS_TO_RETRY
from odoo.tests import BaseCase, new_test_user

from ..sandbox import SandboxServer
from ..sandbox.cuits import make_cuits
from ..sandbox.server import DEFAULT_CREDENTIALS
from ..tusfacturas import TusFacturasClient

ADHOC_CUIT = "30714295698"


def thread_env(registry, cr, uid=SUPERUSER_ID):
    """An environment on ``cr`` for a test's own thread. Odoo's test runner holds
    ``Registry._lock`` while it runs the tests: give the cursor its transaction, so that
    creating the environment needs not look the registry up (and wait for that lock)."""
    cr.transaction = api.Transaction(registry)
    return api.Environment(cr, uid, {})


def replaying(function, env):
    """``function()`` as ``odoo.service.model.retrying`` runs a user's request: replayed from the
    start, in a new transaction, after a concurrency failure (a lock not available, a serialization
    failure, a deadlock), up to as many times; committed when it returns. ``retrying`` itself
    reloads the registry between attempts, which waits for the lock Odoo's test runner holds
    while it runs the tests: a test's thread cannot call it."""
    for tries_left in reversed(range(MAX_TRIES_ON_CONCURRENCY_FAILURE)):
        try:
            result = function()
            env.cr.flush()
            break
        except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
            env.cr.rollback()
            env.invalidate_all(flush=False)
            if not tries_left:
                raise
            time.sleep(random.uniform(0.0, 0.5))
    env.cr.commit()
    return result


def in_transaction(test, function, uid=SUPERUSER_ID, replayed=False, timeout=30):
    """Start ``function(env)`` in a thread, in a transaction of its own that commits if it returns;
    ``replayed``: as Odoo runs a user's request, replayed after a concurrency failure
    (:func:`replaying`). Returns the thread and a dict that gets its value or error; ``test``
    joins the thread at its cleanup (at most ``timeout`` seconds)."""
    outcome = {}

    def target():
        try:
            with test.registry.cursor() as cr:
                env = thread_env(test.registry, cr, uid)  # referenced until the commit flushes it
                outcome["value"] = replaying(lambda: function(env), env) if replayed else function(env)
        except Exception as error:
            outcome["error"] = error

    thread = threading.Thread(target=target, name="tusfacturas-test-transaction")
    thread.start()
    test.addCleanup(thread.join, timeout)
    return thread, outcome


def remove_committed_company(registry, name, remove_records):
    """Remove the company ``name`` a test committed, if there is one (also what an interrupted run
    left), in a transaction of its own: ``remove_records(env, company)`` removes what the test made
    in it, then the company and its partner go."""
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {"active_test": False})
        company = env["res.company"].search([("name", "=", name)])
        if not company:
            return
        remove_records(env, company)
        company_partner = company.partner_id
        company.unlink()
        company_partner.unlink()


def tf_row(concept, debe=0.0, haber=0.0, resta=0.0, saldo=0.0, fecha="01/03/2026"):
    return {
        "fecha": fecha,
        "concepto": concept,
        "debe": debe,
        "haber": haber,
        "resta_abonar_de_este_comprobante": resta,
        "saldo": saldo,
    }


class SandboxCase:
    """Mixin: a TusFacturas sandbox on a free loopback port for the whole class."""

    @classmethod
    def start_sandbox(cls):
        cls.sandbox = SandboxServer().start()
        cls.addClassCleanup(cls.sandbox.stop)
        return cls.sandbox

    def setUp(self):
        super().setUp()
        self.sandbox.reset()
        self.sandbox.ledgers.clear()
        self.sandbox.vouchers.clear()


class VoucherSandboxCase(SandboxCase, BaseCase):
    """Plain-Python tests of the voucher methods: the sandbox for the class, and ``client`` on
    its default account (point of sale 1), short timeout and backoff."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.start_sandbox()

    def setUp(self):
        super().setUp()
        self.client = TusFacturasClient(base_url=self.sandbox.url, timeout=2, backoff=0.01, **DEFAULT_CREDENTIALS)


class TusFacturasCase(SandboxCase, AccountTestInvoicingCommon):
    """An Argentine Responsable Inscripto company whose TusFacturas account is the sandbox."""

    @classmethod
    @AccountTestInvoicingCommon.setup_country("ar")
    @AccountTestInvoicingCommon.setup_chart_template("ar_ri")
    def setUpClass(cls):
        super().setUpClass()
        # CPython 3.11 may fail to parse in two threads at once ("AST constructor recursion
        # depth mismatch"): read every manifest for Odoo's static files now, in this thread,
        # rather than in the first of a browser's parallel requests.
        assert http.root.statics
        cls.start_sandbox()
        cls.company = cls.company_data["company"]
        cls.account = cls.configure_company(cls.company)
        cls.journal_sale = cls.company_data["default_journal_sale"]
        cls.cuit_type = cls.env.ref("l10n_ar.it_cuit")
        cls.customer = cls.env["res.partner"].create(
            {
                "name": "ADHOC SA",
                "is_company": True,
                "l10n_latam_identification_type_id": cls.cuit_type.id,
                "vat": ADHOC_CUIT,
                "l10n_ar_afip_responsibility_type_id": cls.env.ref("l10n_ar.res_IVARI").id,
                "country_id": cls.env.ref("base.ar").id,
            }
        )
        cls.billing_user = new_test_user(
            cls.env,
            login="tf_billing",
            groups="account.group_account_invoice",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )

    @classmethod
    def configure_company(cls, company, apikey=None, point_of_sale=1):
        """Give ``company`` a TusFacturas account (returned) on the sandbox; another ``apikey`` is
        another TusFacturas account (accepted by the sandbox until the next test's reset)."""
        credentials = dict(DEFAULT_CREDENTIALS, apikey=apikey or DEFAULT_CREDENTIALS["apikey"])
        if credentials not in cls.sandbox.accounts:
            cls.sandbox.accounts.append(credentials)
        return cls.env["tusfacturas.account"].create(
            {
                "company_id": company.id,
                "point_of_sale": point_of_sale,
                **credentials,
                "api_url": cls.sandbox.url,
                "timeout": 5,
            }
        )

    @classmethod
    def make_customer(cls, name, cuit, **values):
        return cls.env["res.partner"].create(
            {
                "name": name,
                "is_company": True,
                "vat": cuit,
                "l10n_latam_identification_type_id": cls.env.ref("l10n_ar.it_cuit").id,
                "l10n_ar_afip_responsibility_type_id": cls.env.ref("l10n_ar.res_IVARI").id,
                **values,
            }
        )

    @classmethod
    def make_customers(cls, cuits, name="Cliente {i}", invoice=None, **values):
        """One customer per CUIT, named ``name`` formatted with its position, each with a posted
        invoice of ``invoice`` before VAT if given."""
        partners = cls.env["res.partner"].concat(
            *(cls.make_customer(name.format(i=i), cuit, **values) for i, cuit in enumerate(cuits))
        )
        for partner in partners if invoice is not None else ():
            cls.invoice(partner, invoice)
        return partners

    def make_settled_customers(self, count):
        """``count`` customers (``customer_rank`` 1) who owe nothing, in Odoo nor in TusFacturas."""
        cuits = make_cuits(count, prefix="33", body=60000000)
        self.sandbox.ledgers.update({cuit: [] for cuit in cuits})
        return self.make_customers(cuits, "Al Día {i:02d} SA", customer_rank=1)

    @classmethod
    def invoice(cls, partner, amount, move_type="out_invoice", post=True, **kwargs):
        """A customer document of ``amount`` before VAT 21% (so total = amount * 1.21)."""
        return cls.init_invoice(
            move_type,
            partner=partner,
            amounts=[amount],
            taxes=kwargs.pop("taxes", cls.tax_sale_a),
            post=post,
            invoice_date=kwargs.pop("invoice_date", "2026-03-01"),
            **kwargs,
        )

    def open_ledger(self, partner=None, user=None):
        """Click the partner form button; return the ledger the action opens."""
        partner = (partner or self.customer).with_user(user or self.env.user)
        action = partner.action_open_tusfacturas_ledger()
        self.assertEqual(action["res_model"], "tusfacturas.ledger")
        return partner.env["tusfacturas.ledger"].browse(action["res_id"])

    def ledger_count(self):
        return self.env["tusfacturas.ledger"].sudo().search_count([])
