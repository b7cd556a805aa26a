"""What a request fetched survives Odoo replaying it (after a serialization failure)."""

from .client import TusFacturasError


class RequestCachedClient:
    """A TusFacturas client remembering, in ``fetched``, each current account it fetched
    (or the error TusFacturas answered) for the request it belongs to, so that a replay of
    the request does not call (and pay) again. The calls run in a thread pool."""

    def __init__(self, client, fetched, company_id):
        self._client = client
        self._fetched = fetched
        self._company_id = company_id

    def customer_ledger(self, cuit, **options):
        key = (self._company_id, cuit)
        if key not in self._fetched:
            try:
                self._fetched[key] = self._client.customer_ledger(cuit, **options)
            except TusFacturasError as error:
                self._fetched[key] = error
        outcome = self._fetched[key]
        if isinstance(outcome, TusFacturasError):
            raise outcome
        return outcome

    def __getattr__(self, name):
        return getattr(self._client, name)
