"""Pausing Python's cyclic garbage collector around work that allocates many short-lived objects."""

import contextlib
import gc
import threading

_lock = threading.Lock()
_state = {"pauses": 0, "resume": False}  # pauses under way (all threads), whether to resume after


@contextlib.contextmanager
def collector_paused():
    """Run the block with the cyclic garbage collector off; it is turned back on when the last
    block that paused it ends (threads of one server overlap), also when blocks raise, unless
    it was off before the first one.

    Comparing a ledger makes tens of thousands of small objects (rows, matches, values) that
    live for the whole comparison and are freed by reference counting when it ends. With the
    collector on, each 700 of them trigger a collection that finds nothing to free, and those
    surviving two collections are moved to the oldest generation, where they make a full
    collection of the whole server's heap due sooner: 70-100 ms, about one opening in five of
    a 2,000-row ledger. Odoo itself pauses the collector this way in later versions
    (``odoo.tools.gc.disabling_gc``). Objects made meanwhile in reference cycles are collected
    afterwards. Keep the block to CPU work: no call to another server inside.
    """
    with _lock:
        if not _state["pauses"]:
            _state["resume"] = gc.isenabled()
            gc.disable()
        _state["pauses"] += 1
    try:
        yield
    finally:
        with _lock:
            _state["pauses"] -= 1
            if not _state["pauses"] and _state["resume"]:
                gc.enable()
