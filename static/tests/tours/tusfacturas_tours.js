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
