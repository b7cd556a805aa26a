import gc
import threading

from odoo.tests import BaseCase

from ..tusfacturas.collector import collector_paused


class TestCollectorPaused(BaseCase):
    """``collector_paused``: off within, back on when the last pause ends, whatever raised."""

    def setUp(self):
        super().setUp()
        self.assertTrue(gc.isenabled())
        self.addCleanup(gc.enable)

    def test_resumed_after_the_block_and_after_an_error(self):
        with collector_paused():
            self.assertFalse(gc.isenabled())
        self.assertTrue(gc.isenabled())
        with self.assertRaises(ZeroDivisionError), collector_paused():
            self.assertFalse(gc.isenabled())
            _ = 1 / 0
        self.assertTrue(gc.isenabled())

    def test_nested_pauses_end_with_the_outer_one(self):
        with collector_paused():
            with collector_paused():
                self.assertFalse(gc.isenabled())
            self.assertFalse(gc.isenabled(), "the outer comparison still runs")
        self.assertTrue(gc.isenabled())

    def test_overlapping_threads_end_with_the_last_one(self):
        """Odoo's threaded server: a request ending does not resume it under another's comparison."""
        first_in, first_out, second_done = threading.Event(), threading.Event(), threading.Event()
        during = []

        def first():
            with collector_paused():
                first_in.set()
                first_out.wait(10)

        def second():
            first_in.wait(10)
            with collector_paused():
                first_out.set()
                thread.join(10)  # the first one has ended its pause
                during.append(gc.isenabled())
            second_done.set()

        thread = threading.Thread(target=first)
        other = threading.Thread(target=second)
        thread.start()
        other.start()
        other.join(20)
        self.assertTrue(second_done.is_set())
        self.assertEqual(during, [False])
        self.assertTrue(gc.isenabled())

    def test_left_off_if_it_was_off(self):
        gc.disable()
        with collector_paused():
            self.assertFalse(gc.isenabled())
        self.assertFalse(gc.isenabled(), "someone else turned it off: not ours to turn on")
