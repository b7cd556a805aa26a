"""Test tools that the addon's users need not install: ``test-requirements.txt`` (hypothesis, freezegun)
and Debian's ``poppler-utils`` (pdftotext). Where one is missing (runbot, Odoo.sh, a plain OCA
setup), the suite still loads and runs; the tests that need it are skipped, saying why. The
project's own CI installs them all and fails on any skip."""

import shutil
import unittest

try:
    from hypothesis import HealthCheck, given, settings, strategies
except ImportError:
    HealthCheck = given = settings = strategies = None

try:
    from freezegun import freeze_time
except ImportError:
    freeze_time = None

__all__ = [
    "PDFTOTEXT_MISSING",
    "HealthCheck",
    "freeze_time",
    "given",
    "has_pdftotext",
    "needs_freezegun",
    "settings",
    "strategies",
]

HYPOTHESIS_MISSING = "hypothesis, a test requirement (test-requirements.txt), is not installed"
FREEZEGUN_MISSING = "freezegun, a test requirement (test-requirements.txt), is not installed"
PDFTOTEXT_MISSING = "pdftotext (Debian's poppler-utils) is not installed: the PDF's text cannot be read back"


def needs_freezegun(test):
    """A test that sets the clock (freezegun): skipped, saying why, where freezegun is missing."""
    return unittest.skipIf(freeze_time is None, FREEZEGUN_MISSING)(test)


def has_pdftotext():
    return bool(shutil.which("pdftotext"))


if given is None:

    class _Strategies:
        """Stands for hypothesis' strategies where it is missing: every use makes another one,
        so that the test modules still define their strategies and (skipped) tests."""

        def __getattr__(self, name):
            return self

        def __call__(self, *args, **kwargs):
            return self

        def __or__(self, other):
            return self

        __ror__ = __or__

    strategies = HealthCheck = _Strategies()

    def given(*args, **kwargs):
        return unittest.skip(HYPOTHESIS_MISSING)

    def settings(*args, **kwargs):
        return lambda test: test
