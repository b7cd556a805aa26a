import os

import polib

from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools.misc import file_path
from odoo.tools.translate import TranslationModuleReader

from .common import TusFacturasCase

MODULE = "tusfacturas_cuenta_corriente"


@tagged("post_install", "-at_install")
class TestSpanish(TusFacturasCase):
    """Argentine users run Odoo in es_AR, which falls back to the addon's es.po."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("es_AR")
        cls.env["ir.module.module"]._load_module_terms([MODULE], ["es_AR"], overwrite=True)

    def test_es_po_is_complete(self):
        folder = os.path.dirname(file_path(f"{MODULE}/i18n/es.po"))
        template = {entry.msgid for entry in polib.pofile(os.path.join(folder, f"{MODULE}.pot"))}
        spanish = polib.pofile(os.path.join(folder, "es.po"))
        self.assertEqual({entry.msgid for entry in spanish}, template, "es.po and the .pot list the same strings")
        # ...and they are the strings the code and views have now (tools/i18n refreshes both).
        current = {source for _module, _type, _name, _res_id, source, _value, _comments
                   in TranslationModuleReader(self.env.cr, modules=[MODULE])}  # fmt: skip
        self.assertEqual(current - template, set(), "strings missing from the .pot: run tools/i18n")
        self.assertEqual([entry.msgid for entry in spanish if not entry.msgstr or entry.fuzzy], [])

    def test_partner_button_in_spanish(self):
        arch = self.env["res.partner"].with_context(lang="es_AR").get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn('string="Cuenta corriente TusFacturas"', arch)

    def test_list_filter_and_action_in_spanish(self):
        partners = self.env["res.partner"].with_context(lang="es_AR")
        search = partners.get_views([(False, "search")])["views"]["search"]["arch"]
        self.assertIn('string="TusFacturas: con diferencias"', search)
        action = self.env.ref(f"{MODULE}.action_tusfacturas_reconcile_partners").with_context(lang="es_AR")
        self.assertEqual(action.name, "Controlar con TusFacturas")

    def test_errors_in_spanish(self):
        self.sandbox.mode = "http_503"
        with self.assertRaises(UserError) as caught:
            self.customer.with_context(lang="es_AR").action_open_tusfacturas_ledger()
        self.assertEqual(
            str(caught.exception),
            "TusFacturas no está disponible en este momento (HTTP 503). Intente de nuevo más tarde.",
        )
