import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("tusfacturas_ledger_tour", {
    steps: () => [
        {
            content: "Open the TusFacturas current account from the customer form",
            trigger: ".o_form_view .o-form-buttonbox button[name='action_open_tusfacturas_ledger']:contains('TusFacturas Current Account')",
            run: "click",
        },
        {
            content: "The TusFacturas rows are shown",
            trigger: ".o_field_widget[name='line_ids'] .o_data_row td:contains('FACTURA A 0001-00000001 (ADHOC SA)')",
        },
        {
            content: "A row TusFacturas has and Odoo does not",
            trigger: ".o_field_widget[name='line_ids'] .o_data_row td:contains('FACTURA A 0001-00000099')",
        },
        {
            content: "Odoo's receivables of the same customer are shown beside them",
            trigger: ".o_field_widget[name='receivable_line_ids'] .o_data_row td:contains('FA-A 00001-00000001')",
        },
        {
            content: "The header shows the difference",
            trigger: ".alert-warning:contains('disagree')",
        },
    ],
});

registry.category("web_tour.tours").add("tusfacturas_follow_mismatch_tour", {
    steps: () => [
        {
            content: "Open the TusFacturas current account of the mismatched customer",
            trigger: ".o_form_view button[name='action_open_tusfacturas_ledger']",
            run: "click",
        },
        {
            content: "The mismatched row is flagged",
            trigger: ".o_field_widget[name='line_ids'] .o_data_row:contains('FACTURA A 0001-00000001') .badge:contains('Different open amount')",
        },
        {
            content: "Follow the row to its Odoo invoice",
            trigger: ".o_field_widget[name='line_ids'] .o_data_row:contains('FACTURA A 0001-00000001') button[name='action_open_move']",
            run: "click",
        },
        {
            content: "The invoice opens",
            trigger: ".o_form_view .o_field_widget[name='name']:contains('FA-A 00001-00000001')",
        },
    ],
});

registry.category("web_tour.tours").add("tusfacturas_dismiss_tour", {
    steps: () => [
        {
            content: "Open the apps menu",
            trigger: ".o_navbar_apps_menu button",
            run: "click",
        },
        {
            content: "Open Invoicing",
            trigger: ".o_app[data-menu-xmlid='account.menu_finance']",
            run: "click",
        },
        {
            content: "Open the TusFacturas Control menu",
            trigger: ".o_menu_sections button[data-menu-xmlid='tusfacturas_cuenta_corriente.menu_tusfacturas_control']",
            run: "click",
        },
        {
            content: "Open the discrepancies",
            trigger: ".dropdown-item[data-menu-xmlid='tusfacturas_cuenta_corriente.menu_tusfacturas_discrepancy']",
            run: "click",
        },
        {
            content: "The open discrepancies are listed",
            trigger: ".o_list_view .o_data_row:contains('FACTURA A 0001-00000001 (ADHOC SA)')",
        },
        {
            content: "Search a document number",
            trigger: ".o_searchview_input",
            run: "edit 00000099",
        },
        {
            content: "...as a document number",
            trigger: ".o_searchview_autocomplete .dropdown-item:contains('Document Number')",
            run: "click",
        },
        {
            content: "Only that discrepancy is left: open it",
            trigger: ".o_list_view:not(:has(.o_data_row:contains('0001-00000001'))) .o_data_row:contains('FACTURA A 0001-00000099') td[name='name']",
            run: "click",
        },
        {
            content: "Dismiss it",
            trigger: ".o_form_view .o_statusbar_buttons button:contains('Dismiss')",
            run: "click",
        },
        {
            content: "Say why",
            trigger: ".modal .o_field_widget[name='reason'] textarea",
            run: "edit Nota de crédito pendiente",
        },
        {
            content: "Confirm",
            trigger: ".modal .modal-footer button[name='action_confirm']",
            run: "click",
        },
        {
            content: "It is dismissed",
            trigger: ".o_form_view .o_statusbar_status button[aria-checked='true']:contains('Dismissed')",
        },
    ],
});
