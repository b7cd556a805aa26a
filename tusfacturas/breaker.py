"""A circuit breaker for a batch of TusFacturas calls made with one account.

Every call is billed. When the first calls of a batch all fail the same way (the
same ``errores`` text, the same HTTP status, the same timeout...), the cause is the
account or the service, not the customers: the calls not yet started are cancelled.
A refusal of the credentials (HTTP 401/403) opens it at once. Once a call succeeds,
the batch is healthy and the breaker stays closed for the rest of it; each batch
starts with a new breaker, so the next run tries again.
"""

import threading

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
        self.failures = 0  # consecutive failures of one kind, from the start
        self._kind = None
        self._healthy = False
        self._lock = threading.Lock()

    def allows(self):
        """Whether a call may start."""
        return not self.is_open

    def record(self, error=None):
        """Record a finished call: ``error`` is its :class:`TusFacturasError`, or None.
        Return True when this call opens the breaker."""
        with self._lock:
            if self.is_open or self._healthy:
                return False
            if error is None:
                self._healthy = True
                return False
            kind = failure_kind(error)
            if error.is_credential_error:
                self.is_open = True
                self.failures = 1
                return True
            if kind is None:
                self._kind, self.failures = None, 0
                return False
            self.failures = self.failures + 1 if kind == self._kind else 1
            self._kind = kind
            self.is_open = self.failures >= self.threshold
            return self.is_open
