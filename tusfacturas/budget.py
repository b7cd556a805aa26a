"""How long a check may still call TusFacturas before Odoo's time limit stops it."""

import time

# Share of Odoo's time limit (limit_time_real_cron for the scheduled action,
# limit_time_real for a user's request) a check may spend: the rest is left to the
# other scheduled actions of the same pass and to Odoo's own work.
TIME_SHARE = 0.5
# Seconds of Odoo work per batch (reading the books, matching, writing the statuses).
BATCH_OVERHEAD = 0.5


class TimeBudget:
    """The time a check may spend, from ``started`` (``time.monotonic()``), given Odoo's
    time limit in seconds."""

    def __init__(self, started, limit, share=TIME_SHARE):
        self.limit = limit
        self.deadline = started + limit * share

    def left(self):
        return self.deadline - time.monotonic() - BATCH_OVERHEAD

    def batch_size(self, parallel, timeout, cap):
        """Customers the next batch can take so that, even if every call waits for its whole
        timeout, it ends before the deadline (0: no time for another batch).

        Whole rounds of ``parallel`` calls when the cap allows: a last round with idle call
        slots would cost the batch the time of a full round."""
        parallel = max(parallel, 1)
        rounds = int(self.left() // max(timeout, 1))
        size = min(cap, rounds * parallel)
        if size > parallel:
            size -= size % parallel
        return max(0, size)

    def call_timeout(self, timeout):
        """The timeout of the next batch's calls: ``timeout``, or the time left if shorter."""
        return max(1, min(timeout, int(self.left())))
