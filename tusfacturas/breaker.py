"""A circuit breaker for a batch of TusFacturas calls made with one account.

Every attempt is billed. When the first attempts of a batch all fail the same way
(the same ``errores`` text, the same HTTP status, the same timeout...), whichever
calls made them, the cause is the account or the service, not the customers: the
retries and the calls not yet started are cancelled. A refusal of the account itself
(see :attr:`.TusFacturasError.is_credential_error`) opens it at once. Once an attempt
succeeds, the batch is healthy and the breaker stays closed for the rest of it; each
batch starts with a new breaker, so the next run tries again.

The client records each attempt of a call it is given the breaker for, and asks it
before every retry (``TusFacturasClient.call(..., breaker=...)``); the batch asks it
before starting a call.
"""

import threading
import weakref

THRESHOLD = 3

# Failures that say nothing about the account or the service: one customer's data.
_PER_CUSTOMER = {"bad_request", "invalid_response"}


def failure_kind(error):
    """What makes two failures "the same": code, status and normalised messages."""
    if error.code in _PER_CUSTOMER:
        return None
    return (error.code, error.status, tuple(" ".join(e.casefold().split()) for e in error.errors))


class CircuitBreaker:
    """Thread-safe: the calls of a batch run in a thread pool."""

    def __init__(self, threshold=THRESHOLD):
        self.threshold = threshold
        self.is_open = False
        self.failures = 0  # consecutive failed attempts of one kind, from the start
        self.opened_by = None  # the error whose recording opened it
        self._kind = None
        self._healthy = False
        self._recorded = weakref.WeakSet()  # errors already counted
        self._lock = threading.Lock()

    def allows(self):
        """Whether an attempt may start (a call, or a retry)."""
        return not self.is_open

    def record(self, error=None):
        """Record a finished attempt or call: ``error`` is its :class:`TusFacturasError`,
        or None for a success. An error already recorded is not counted again (the client
        records each attempt; a caller may record the error it got). Return True when
        this error opens the breaker (it is then :attr:`opened_by`)."""
        with self._lock:
            if error is not None:
                if error in self._recorded:
                    return False
                self._recorded.add(error)
            if self.is_open or self._healthy:
                return False
            if error is None:
                self._healthy = True
                return False
            if error.is_credential_error:
                self.failures = 1
                return self._open(error)
            kind = failure_kind(error)
            if kind is None:
                self._kind, self.failures = None, 0
                return False
            self.failures = self.failures + 1 if kind == self._kind else 1
            self._kind = kind
            return self._open(error) if self.failures >= self.threshold else False

    def _open(self, error):
        self.is_open, self.opened_by = True, error
        return True
