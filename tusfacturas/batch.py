"""Fetching the current accounts of many customers with one account: a bounded pool of
calls, stopped by a circuit breaker when they all fail the same way."""

import logging
from concurrent.futures import ThreadPoolExecutor, as_completed
from contextlib import contextmanager

from .breaker import CircuitBreaker
from .client import TusFacturasError
from .ledger import parse_ledger

_logger = logging.getLogger(__name__)


class LedgerFetch:
    """The calls of one batch, in flight (see :func:`fetching_ledgers`)."""

    def __init__(self, client, cuits, concurrency):
        self.client = client
        self.breaker = CircuitBreaker()
        self._pool = ThreadPoolExecutor(max_workers=max(1, concurrency or 1), thread_name_prefix="tusfacturas")
        self._futures = {self._pool.submit(self._fetch, cuit): key for key, cuit in cuits.items()}

    def _fetch(self, cuit):
        """One call and its parse: plain Python only, it runs in the pool's threads. The client
        records each attempt in the breaker and asks it before retrying."""
        if not self.breaker.allows():
            return None
        try:
            result = parse_ledger(self.client.customer_ledger(cuit, breaker=self.breaker))
        except TusFacturasError as error:
            result = error
        except Exception as exc:  # a bug must not cost the batch: one customer at most
            _logger.exception("TusFacturas: unexpected error while fetching one customer's ledger")
            result = TusFacturasError("unexpected", detail=type(exc).__name__)
        if isinstance(result, TusFacturasError):
            self.breaker.record(result)  # an error the client recorded already counts once
        return result

    def completed(self):
        """``(key, rows or TusFacturasError)`` in the order the calls complete; the calls the
        breaker cancelled are left out (those customers were not called)."""
        for future in as_completed(self._futures):
            outcome = future.result()
            if outcome is not None:
                yield self._futures[future], outcome

    def stopped_by(self, outcome):
        """Whether ``outcome`` is the error that stopped the batch because the first attempts all
        failed this way (a refusal of the credentials stops it too, but is no such error)."""
        return outcome is self.breaker.opened_by and not outcome.is_credential_error

    def close(self):
        self._pool.shutdown(wait=True, cancel_futures=True)


def result_groups(results, count, concurrency, size):
    """The ``count`` ``results`` of a batch's calls (an iterable, in the order the calls complete)
    in lists of ``size``, the last round of calls (its last ``concurrency`` results) in a list of
    its own: what follows the batch's last call is one round's work, the rounds before it are
    worked on while calls are in flight. Fewer results (calls cancelled) end the last list."""
    before_last = count - min(count, max(1, concurrency or 1))
    group = []
    for taken, result in enumerate(results, start=1):
        group.append(result)
        if len(group) == size or taken in (before_last, count):
            yield group
            group = []
    if group:
        yield group


@contextmanager
def fetching_ledgers(client, cuits, concurrency):
    """Start fetching the current accounts of ``cuits`` (``{key: CUIT}``), at most
    ``concurrency`` calls at once; give the :class:`LedgerFetch`, whose :meth:`~LedgerFetch.
    completed` results are consumed in the caller's thread.

    Whatever a call raises costs that customer only: it becomes its error. When the first
    calls all fail the same way, or TusFacturas refuses the credentials, the
    :class:`CircuitBreaker` cancels the calls not yet started (they would fail too, and every
    call is billed). Leaving the block early (an error in the caller) cancels the calls not
    started yet, whose results would be lost, and waits for those in flight.
    """
    fetch = LedgerFetch(client, cuits, concurrency)
    try:
        yield fetch
    finally:
        fetch.close()
