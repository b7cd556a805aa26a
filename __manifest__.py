{
    "name": "TusFacturas Current Account",
    "summary": "See a customer's TusFacturas.app current account next to Odoo receivables, "
    "matched document by document",
    "version": "18.0.1.0.0",
    "category": "Accounting/Localizations",
    "author": "TusFacturas Cuenta Corriente contributors",
    "license": "LGPL-3",
    "depends": ["l10n_ar", "mail"],
    "external_dependencies": {"python": ["requests", "python-stdnum"]},
    "data": [
        "security/tusfacturas_security.xml",
        "security/ir.model.access.csv",
        "data/ir_cron_data.xml",
        "data/ir_actions_server_data.xml",
        "report/tusfacturas_ledger_report.xml",
        "views/tusfacturas_ledger_views.xml",
        "views/res_partner_views.xml",
        "views/res_config_settings_views.xml",
        "wizards/tusfacturas_discrepancy_wizard_views.xml",
        "views/tusfacturas_discrepancy_views.xml",
        "views/tusfacturas_partner_status_views.xml",
        "views/tusfacturas_control_summary_views.xml",
        "views/tusfacturas_control_menus.xml",
        "views/res_config_settings_control_views.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "tusfacturas_cuenta_corriente/static/tests/tours/*.js",
        ],
    },
}
