"""Pausing Python's cyclic garbage collector around work that allocates many short-lived objects."""

import contextlib
import gc


@contextlib.contextmanager
def collector_paused():
    """Run the block with the cyclic garbage collector off, and turn it back on after, also
    when the block raises. Yields whether it was on (if someone else turned it off, it stays off).

    Comparing a ledger makes tens of thousands of small objects (rows, matches, values) that
    live for the whole comparison and are freed by reference counting when it ends. With the
    collector on, each 700 of them trigger a collection that finds nothing to free, and those
    surviving two collections are moved to the oldest generation, where they make a full
    collection of the whole server's heap due sooner: 70-100 ms, about one opening in five of
    a 2,000-row ledger. Odoo itself pauses the collector this way (``odoo.tools.gc.disabling_gc``
    in later versions). Objects made meanwhile in reference cycles are collected afterwards.
    """
    if not gc.isenabled():
        yield False
        return
    gc.disable()
    try:
        yield True
    finally:
        gc.enable()
