"""Point the demo company at the local sandbox and write demo ledgers and vouchers for its customers.

Run by tools/run through ``odoo-bin shell`` (``env`` is given) with the sandbox's
URL and the output paths in the environment. The ledgers mirror the customers'
posted documents, with a few deliberate differences for ADHOC SA so that every
match state shows up. The vouchers are what TusFacturas issued at point of sale 1:
the same documents, and ADHOC SA's next FACTURA A, which Odoo lacks (its "Create
Draft in Odoo" makes the draft, its PDF served by the sandbox). The demo customers
and the days of these vouchers are then checked once, against a sandbox started here
with the same data, so that Control TusFacturas shows a worklist and run summaries
from the start.
"""
# ruff: noqa: F821 (env is provided by odoo-bin shell)

import json
import os

from odoo import fields
from odoo.addons.tusfacturas_cuenta_corriente.sandbox.files import FILES_PREFIX
from odoo.addons.tusfacturas_cuenta_corriente.sandbox.server import DEFAULT_CREDENTIALS, SandboxServer
from odoo.addons.tusfacturas_cuenta_corriente.sandbox.vouchers import make_voucher
from odoo.addons.tusfacturas_cuenta_corriente.tusfacturas.concept import AFIP_CODES

TYPE_BY_CODE = {
    code: (doc_type, letter) for doc_type, letters in AFIP_CODES.items() for letter, code in letters.items()
}

company = env.ref("base.company_ri")
account = company._tusfacturas_ledger_account() or env["tusfacturas.account"].create(
    {"company_id": company.id, "point_of_sale": 1}
)
account.write({**DEFAULT_CREDENTIALS, "api_url": os.environ["TUSFACTURAS_SANDBOX_URL"]})
# Argentine users work in es_AR (Odoo falls back to each addon's es.po).
if not env["res.lang"]._lang_get("es_AR").active:
    env["res.lang"]._activate_lang("es_AR")
    env["ir.module.module"].search([("state", "=", "installed")])._update_translations(["es_AR"])
admin = env.ref("base.user_admin")
admin.write({"company_ids": [(4, company.id)], "company_id": company.id, "lang": "es_AR"})

moves = env["account.move"].search(
    [("company_id", "=", company.id), ("move_type", "in", ("out_invoice", "out_refund")), ("state", "=", "posted")],
    order="invoice_date, id",
)
adhoc = env.ref("l10n_ar.res_partner_adhoc")
# What TusFacturas issued at the account's point of sale, as its facturacion/* methods answer it.
issued = moves.filtered(
    lambda move: (
        move.journal_id.l10n_ar_afip_pos_number == account.point_of_sale
        and move.l10n_latam_document_type_id.code in TYPE_BY_CODE
    )
)
invoices_a = issued.filtered(lambda move: move.l10n_latam_document_type_id.code == "1")
# ADHOC SA's next FACTURA A: issued by TusFacturas, missing in Odoo.
missing_number = max([int(m.l10n_latam_document_number.split("-")[1]) for m in invoices_a] or [0]) + 1
missing_date = max(issued.mapped("invoice_date") or [fields.Date.context_today(account)])
ledgers = {}
customers = env["res.partner"]
for partner, documents in moves.grouped("commercial_partner_id").items():
    cuit = "".join(c for c in (partner.vat or "") if c.isdigit())
    if len(cuit) != 11:
        continue
    rows, balance = [], 0.0
    if partner == adhoc and len(documents) > 1:
        documents = documents[:-1]  # the last one: missing in TusFacturas
    for index, move in enumerate(documents):
        doc_type, letter = TYPE_BY_CODE.get(move.l10n_latam_document_type_id.code, ("FACTURA", "A"))
        pos, number = move.l10n_latam_document_number.split("-")
        amount = abs(move.amount_total_signed)
        residual = abs(move.amount_residual_signed)
        if partner == adhoc and index == 0:
            residual = max(residual - 100.0, 0.0)  # a payment TusFacturas knows and Odoo does not
        if partner == adhoc and index == 1:
            amount = residual = round(amount + 1000.0, 2)  # a different total
        debit, credit = (amount, 0.0) if move.move_type == "out_invoice" else (0.0, amount)
        balance += debit - credit
        rows.append({
            "fecha": move.invoice_date.strftime("%d/%m/%Y"),
            "concepto": f"{doc_type} {letter} {int(pos):04d}-{int(number):08d} ({partner.name})",
            "debe": debit, "haber": credit, "resta_abonar_de_este_comprobante": residual,
            "saldo": round(balance, 2),
        })  # fmt: skip
    if partner == adhoc:
        balance += 5000.0
        missing = f"FACTURA A {account.point_of_sale:04d}-{missing_number:08d} ({partner.name})"
        rows.append({
            "fecha": rows[-1]["fecha"], "concepto": missing,
            "debe": 5000.0, "haber": 0, "resta_abonar_de_este_comprobante": 5000.0, "saldo": round(balance, 2),
        })  # fmt: skip
        balance -= 100.0
        rows.append({
            "fecha": rows[-1]["fecha"], "concepto": "PAGO RECIBIDO - TRANSFERENCIA",
            "debe": 0, "haber": 100.0, "resta_abonar_de_este_comprobante": 0, "saldo": round(balance, 2),
        })  # fmt: skip
    ledgers[cuit] = rows
    customers |= partner

with open(os.environ["TUSFACTURAS_DEMO_LEDGERS"], "w", encoding="utf-8") as out:
    json.dump(ledgers, out, indent=1, ensure_ascii=False)
env.cr.commit()
print(f"Demo ledgers for {len(ledgers)} customers of {company.name}")

files_url = os.environ["TUSFACTURAS_SANDBOX_URL"].split("/app/")[0] + FILES_PREFIX
vouchers = []
for move in issued:
    partner = move.commercial_partner_id
    digits = "".join(c for c in (partner.vat or "") if c.isdigit())
    doc_type, letter = TYPE_BY_CODE[move.l10n_latam_document_type_id.code]
    pos, number = (int(part) for part in move.l10n_latam_document_number.split("-"))
    foreign = move.currency_id != company.currency_id
    document = ("CUIT" if len(digits) == 11 else "DNI") if digits else "OTRO"  # OTRO: an anonymous consumidor final
    vouchers.append(make_voucher(
        f"{doc_type} {letter}", pos, number, move.invoice_date, move.amount_total,
        "DOL" if foreign else "PES", round(1 / move.invoice_currency_rate, 6) if foreign else 1,
        (document, digits or "0", partner.name), pdf_url=f"{files_url}{move.id}.pdf",
    ))  # fmt: skip
vouchers.append(make_voucher(
    "FACTURA A", account.point_of_sale, missing_number, missing_date, 5000.0,
    customer=("CUIT", adhoc.vat, adhoc.name), lines=[(1, "Servicio de consultoría", 4132.23, 21)],
    pdf_url=f"{files_url}FA-A-{missing_number}.pdf",
))  # fmt: skip
with open(os.environ["TUSFACTURAS_DEMO_VOUCHERS"], "w", encoding="utf-8") as out:
    json.dump(vouchers, out, indent=1, ensure_ascii=False)
print(f"Demo vouchers: {len(vouchers)} issued at point of sale {account.point_of_sale}")

# One check of the demo customers, as a scheduled run would do, against a sandbox of our own
# (tools/run starts its sandbox after this script).
company.tusfacturas_control_user_id = admin
run_key = "demo"
sandbox = SandboxServer(ledgers)
sandbox.vouchers.add(*vouchers)
sandbox.start()
try:
    account.api_url = sandbox.url
    started = fields.Datetime.now()
    env["tusfacturas.reconciliation"]._reconcile_batch(customers, company)
    statuses = env["tusfacturas.partner.status"].search(
        [("partner_id", "in", customers.ids), ("company_id", "=", company.id)]
    )
    env["tusfacturas.control.summary"]._post_run_summary(company, run_key, statuses=statuses, since=started)
    first_day = min(issued.mapped("invoice_date") or [missing_date])
    run = env["tusfacturas.voucher.run"]._check_by_hand(account, first_day, missing_date)
    print(f"Vouchers of {first_day} to {missing_date} checked: {run.state}")
finally:
    account.api_url = os.environ["TUSFACTURAS_SANDBOX_URL"]
    sandbox.stop()
env.cr.commit()
open_count = env["tusfacturas.discrepancy"].search_count([("company_id", "=", company.id), ("state", "=", "open")])
print(f"Checked {len(customers)} demo customers: {open_count} open discrepancies")
