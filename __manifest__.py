{
    "name": "TusFacturas Current Account",
    "summary": "See a customer's TusFacturas.app current account next to Odoo receivables, "
    "matched document by document",
    "version": "18.0.1.0.0",
    "category": "Accounting/Localizations",
    "author": "TusFacturas Cuenta Corriente contributors",
    "maintainers": ["tusfacturas-cuenta-corriente"],
    "website": "https://www.tusfacturas.app",
    "license": "LGPL-3",
    "development_status": "Beta",
    "application": False,
    "images": ["static/description/ledger.png"],
    "depends": ["l10n_ar"],
    "external_dependencies": {"python": ["requests", "python-stdnum"]},
    "data": [
        "security/tusfacturas_security.xml",
        "security/ir.model.access.csv",
        "data/ir_cron_data.xml",
        "data/ir_actions_server_data.xml",
        "views/tusfacturas_ledger_views.xml",
        "views/res_partner_views.xml",
        "views/res_config_settings_views.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "tusfacturas_cuenta_corriente/static/tests/tours/*.js",
        ],
    },
}
