from odoo import api, models
from odoo.http import request

from ..tusfacturas import TusFacturasError


class TusFacturasService(models.AbstractModel):
    """What a user's request fetched from TusFacturas survives Odoo replaying it.

    Odoo replays a whole request after a serialization failure (``odoo.service.model.
    retrying``): the replay reuses the current accounts the first attempt fetched, and
    billed, instead of calling TusFacturas again for them.
    """

    _inherit = "tusfacturas.service"

    @api.model
    def _client(self, company):
        client = super()._client(company)
        if not request:
            return client
        fetched = getattr(request, "_tusfacturas_fetched", None)
        if fetched is None:
            fetched = request._tusfacturas_fetched = {}
        return RequestCachedClient(client, fetched, company.id)


class RequestCachedClient:
    """A TusFacturas client remembering, in ``fetched``, each current account it fetched
    (or the error TusFacturas answered) for the request it belongs to. Plain Python: the
    calls run in a thread pool."""

    def __init__(self, client, fetched, company_id):
        self._client = client
        self._fetched = fetched
        self._company_id = company_id

    def customer_ledger(self, cuit):
        key = (self._company_id, cuit)
        if key not in self._fetched:
            try:
                self._fetched[key] = self._client.customer_ledger(cuit)
            except TusFacturasError as error:
                self._fetched[key] = error
        outcome = self._fetched[key]
        if isinstance(outcome, TusFacturasError):
            raise outcome
        return outcome

    def __getattr__(self, name):
        return getattr(self._client, name)
