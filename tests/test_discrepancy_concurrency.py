import threading
import time

from psycopg2.errors import SerializationFailure

from odoo import SUPERUSER_ID, api
from odoo.tests import TransactionCase, tagged
from odoo.tools import mute_logger

from ..sandbox.cuits import make_cuits
from ..tusfacturas import parse_ledger
from .common import tf_row, thread_env


@tagged("post_install", "-at_install")
class TestConcurrentDiscrepancies(TransactionCase):
    """Two checks of one customer at once, in two transactions on the real PostgreSQL.

    Other transactions cannot see a test's own transaction: the customer and its status are
    committed by a cursor of their own, and removed afterwards.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        [cls.cuit] = make_cuits(1, prefix="23")
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            company = env.ref("base.main_company")
            partner = env["res.partner"].create(
                {
                    "name": "Concurrente SA",
                    "is_company": True,
                    "vat": cls.cuit,
                    "l10n_latam_identification_type_id": env.ref("l10n_ar.it_cuit").id,
                }
            )
            env["tusfacturas.partner.status"]._get_or_create(partner, company)
            cls.partner_id, cls.company_id = partner.id, company.id
        cls.addClassCleanup(cls.clean_up)

    @classmethod
    def clean_up(cls):
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["tusfacturas.discrepancy"].search([("partner_id", "=", cls.partner_id)]).unlink()
            env["res.partner"].browse(cls.partner_id).unlink()

    def store(self, env):
        """What a check of the customer stores: a document Odoo does not have."""
        company = env["res.company"].browse(self.company_id)
        partner = env["res.partner"].browse(self.partner_id)
        rows = parse_ledger([tf_row("FACTURA A 0001-00000077", debe=5.0, resta=5.0, saldo=5.0)])
        result = env["tusfacturas.reconciliation"]._compare(company, rows, [], {})
        env["tusfacturas.partner.status"]._store(partner, company, {partner.id: result})

    def committed(self):
        with self.registry.cursor() as cr:
            cr.execute("SELECT key, state FROM tusfacturas_discrepancy WHERE partner_id = %s", [self.partner_id])
            return cr.fetchall()

    def test_second_check_fails_as_a_concurrent_update_then_finds_the_first_ones(self):
        stored = threading.Event()
        outcome = {}

        def first():
            with self.registry.cursor() as cr:
                self.store(thread_env(self.registry, cr))
                cr.flush()
                stored.set()
                time.sleep(1.0)  # the second check starts meanwhile, and waits for this one

        def second():
            stored.wait(10)
            try:
                with self.registry.cursor() as cr:
                    self.store(thread_env(self.registry, cr))
            except Exception as error:  # what the second transaction met, for the test
                outcome["error"] = error

        threads = [threading.Thread(target=first), threading.Thread(target=second)]
        with mute_logger("odoo.sql_db"):  # the second transaction's serialization failure, on purpose
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(30)
        self.assertIsInstance(outcome.get("error"), SerializationFailure, "Odoo retries this error")
        self.assertEqual(self.committed(), [("1-00001-00000077", "open")])
        # Odoo's retry: the same check again, in a new transaction, updates the same discrepancy.
        with self.registry.cursor() as cr:
            self.store(api.Environment(cr, SUPERUSER_ID, {}))
        self.assertEqual(self.committed(), [("1-00001-00000077", "open")])
