"""How long a check may still call TusFacturas before Odoo's time limit stops it."""

import time

# Share of Odoo's time limit (limit_time_real_cron for a scheduled action, limit_time_real
# for a user's request) a check may spend: the rest is left to Odoo's own work and, in a
# scheduled pass, to the other scheduled actions of the same pass. Odoo's cron worker runs
# every ready job of a database before its watchdog is reset: both of this addon's scheduled
# actions may run in one pass, so they share that half.
TIME_SHARE = 0.5
LEDGER_SHARE = 0.3  # the scheduled check of current accounts
VOUCHER_SHARE = 0.2  # the scheduled voucher check
# Seconds of Odoo work per batch (reading the books, matching, writing the statuses).
BATCH_OVERHEAD = 0.5
# A call cut to less than this (or than the configured timeout, if shorter) is not started.
MIN_CALL = 5


class TimeBudget:
    """The time a check may spend from ``started`` (``time.monotonic()``), given Odoo's time
    limit ``limit`` in seconds (``limit_option`` names the option that sets it)."""

    def __init__(self, started, limit, limit_option="limit_time_real", share=TIME_SHARE):
        self.limit = limit
        self.limit_option = limit_option
        self.share = share
        self.deadline = started + limit * share

    @property
    def per_pass(self):
        """Seconds a whole pass may spend calling TusFacturas."""
        return self.limit * self.share - BATCH_OVERHEAD

    def left(self):
        return self.deadline - time.monotonic() - BATCH_OVERHEAD

    @staticmethod
    def call_needs(timeout):
        """The least time a call is started with: its timeout, or :data:`MIN_CALL` if shorter."""
        return min(timeout, MIN_CALL)

    def fits_a_call(self, timeout):
        """Whether a whole pass has room for one call at all, whatever else it does."""
        return self.per_pass >= self.call_needs(timeout)

    def batch_size(self, parallel, timeout, cap):
        """Customers the next batch can take so that, even if every call waits for its whole
        timeout (:meth:`call_timeout`), it ends before the deadline; 0 when no call fits.

        Whole rounds of ``parallel`` calls when the cap allows: a last round with idle call
        slots would cost the batch the time of a full round. When not even one round fits in
        ``timeout``, one round whose calls get the time left (at least :meth:`call_needs`)."""
        parallel = max(parallel, 1)
        left = self.left()
        if left < self.call_needs(timeout):
            return 0
        rounds = max(1, int(left // max(timeout, 1)))
        size = min(cap, rounds * parallel)
        if size > parallel:
            size -= size % parallel
        return size

    def call_timeout(self, timeout):
        """The timeout of the next batch's calls: ``timeout``, or the time left if shorter."""
        return max(1, min(timeout, int(self.left())))
