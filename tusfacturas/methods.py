"""The TusFacturas API methods the addon calls, and which of them TusFacturas bills.

The one place that says whether a call counts against the subscription, so that what
the product reports ("N billed calls") stays true. From the reference
(``shared/reference/tusfacturas-api/``):

- ``clientes/cuenta-corriente``: billed (its page does not say otherwise);
- ``facturacion/consulta_avanzada`` and ``facturacion/consulta``: free ("El uso de éste
  método no contabiliza como un request en tu suscripción");
- ``facturacion/numeracion``: its stored page says free too, but the newest one says each
  call counts (issue 19): billed, to be conservative;
- ``micuenta/consumo``: its page (``mi-cuenta.md``) says nothing either way: billed.

A method this table does not know is billed: an unknown cost is never reported as none.
"""

CUSTOMER_LEDGER = "clientes/cuenta-corriente"
ACCOUNT_USAGE = "micuenta/consumo"
VOUCHER_SEARCH = "facturacion/consulta_avanzada"
VOUCHER = "facturacion/consulta"
VOUCHER_NUMBERING = "facturacion/numeracion"

BILLED = {
    CUSTOMER_LEDGER: True,
    ACCOUNT_USAGE: True,
    VOUCHER_SEARCH: False,
    VOUCHER: False,
    VOUCHER_NUMBERING: True,
}


def is_billed(method):
    """Whether a call to ``method`` counts against the TusFacturas subscription
    (an unknown method does)."""
    return BILLED.get(method, True)


def billed_calls(methods):
    """How many of the calls to ``methods`` (an iterable of method names) are billed."""
    return sum(1 for method in methods if is_billed(method))


class CountedClient:
    """A TusFacturas client that counts its calls per method (``calls``), to report how many
    of them TusFacturas bills. Everything else is the client's."""

    def __init__(self, client):
        self._client = client
        self.calls = {}
        # Called with the client before each call (e.g. to give it the time left, or refuse it).
        self.before_call = None

    def call(self, method, *args, **kwargs):
        if self.before_call:
            self.before_call(self._client)
        self.calls[method] = self.calls.get(method, 0) + 1
        return self._client.call(method, *args, **kwargs)

    def billed_calls(self):
        return sum(count for method, count in self.calls.items() if is_billed(method))

    def free_calls(self):
        return sum(count for method, count in self.calls.items() if not is_billed(method))

    def __getattr__(self, name):
        return getattr(self._client, name)
