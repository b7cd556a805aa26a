"""18.0.2.0.0: TusFacturas credentials move from the company to ``tusfacturas.account``.

Until 18.0.1.1.0 a company had one set of credentials (``res_company.tusfacturas_usertoken``,
``_apikey``, ``_apitoken``, ``_api_url``, ``_timeout``). Each company with credentials (or
another API URL than TusFacturas') gets one account with them, nothing re-typed: its point
of sale is that of the company's *Diarios de venta* (``res_company_tusfacturas_journal_rel``,
which stay the current accounts' scope), else of its sales journals that use documents, the
lowest; its journals, those of that point of sale; a refusal of the credentials the last run
met stays a refusal. What cannot move is logged. The old columns are then dropped: no copy
of a secret is left behind in a column nothing reads.
"""

import logging

from odoo import SUPERUSER_ID, api
from odoo.addons.tusfacturas_cuenta_corriente.tusfacturas.client import DEFAULT_URL

_logger = logging.getLogger(__name__)

OLD_COLUMNS = ("tusfacturas_usertoken", "tusfacturas_apikey", "tusfacturas_apitoken", "tusfacturas_api_url",
               "tusfacturas_timeout")  # fmt: skip
OLD_JOURNALS = "res_company_tusfacturas_journal_rel"


def _columns(cr):
    cr.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'res_company' AND column_name = ANY(%s)",
        [list(OLD_COLUMNS)],
    )
    return {name for (name,) in cr.fetchall()}


def _table_exists(cr, table):
    cr.execute("SELECT 1 FROM information_schema.tables WHERE table_name = %s", [table])
    return bool(cr.fetchone())


def migrate(cr, version):
    present = _columns(cr)
    if not present:
        return
    env = api.Environment(cr, SUPERUSER_ID, {"active_test": False})
    select = ", ".join(name if name in present else f"NULL AS {name}" for name in OLD_COLUMNS)
    cr.execute(f"SELECT id, {select} FROM res_company ORDER BY id")
    companies = cr.fetchall()
    journals = {}
    if _table_exists(cr, OLD_JOURNALS):
        cr.execute(
            f"SELECT company_id, array_agg(journal_id ORDER BY journal_id) FROM {OLD_JOURNALS} GROUP BY company_id"
        )
        journals = dict(cr.fetchall())
    for company_id, usertoken, apikey, apitoken, api_url, timeout in companies:
        if not (usertoken or apikey or apitoken or (api_url and api_url.rstrip("/") != DEFAULT_URL)):
            if timeout and timeout != 30:
                _logger.info(
                    "TusFacturas: company %s had no credentials; its timeout (%s s) is not kept.", company_id, timeout
                )
            continue
        chosen = env["account.journal"].browse(journals.get(company_id, []))
        document_journals = chosen or env["account.journal"].search(
            [("type", "=", "sale"), ("l10n_latam_use_documents", "=", True), ("company_id", "=", company_id)]
        )
        points = sorted(set(document_journals.mapped("l10n_ar_afip_pos_number")) - {0})
        point_of_sale = points[0] if points else 1
        if len(points) > 1:
            _logger.warning(
                "TusFacturas: company %s issues from points of sale %s; its credentials go to an account of point "
                "of sale %s. Add an account, with its own credentials, for each of the others.",
                company_id, points, point_of_sale,
            )  # fmt: skip
        values = {
            "company_id": company_id,
            "point_of_sale": point_of_sale,
            "usertoken": usertoken,
            "apikey": apikey,
            "apitoken": apitoken,
            "timeout": min(max(timeout or 30, 1), 120),
        }
        if api_url:
            values["api_url"] = api_url
        of_point = chosen.filtered(lambda journal, pos=point_of_sale: journal.l10n_ar_afip_pos_number == pos)
        if of_point:
            values["journal_ids"] = [(6, 0, of_point.ids)]
        refused = env["tusfacturas.check.run"].search([("company_id", "=", company_id)], limit=1)
        if refused.credentials_refused:
            values.update(credentials_refused=True, refusal_message=refused.stop_reason)
        account = env["tusfacturas.account"].create(values)
        env["tusfacturas.check.run"].search([("company_id", "=", company_id)]).account_id = account
    for name in present:
        cr.execute(f'ALTER TABLE res_company DROP COLUMN "{name}"')
    # The discrepancies' pages no longer keep room for in-place updates (18.0.1.1.0 set it).
    cr.execute("ALTER TABLE tusfacturas_discrepancy RESET (fillfactor)")
