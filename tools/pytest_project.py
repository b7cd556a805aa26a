"""pytest plugin for this project's test run (loaded with ``-p pytest_project``)."""

import pytest


@pytest.hookimpl(hookwrapper=True)
def pytest_collection(session):
    """Leave test mode off while pytest-odoo loads the registry, after collection.

    The run starts in test mode (``--odoo-extra=test-enable``), as Odoo's own runner
    does, so that importing ``odoo.tests`` is not reported as an error; but a registry
    loaded in test mode would run every installed module's tests. pytest-odoo turns
    test mode back on around each test module.
    """
    yield
    from odoo.tools import config  # configured by pytest-odoo by now

    config["test_enable"] = False


def pytest_sessionfinish(session, exitstatus):
    """A skipped test fails the run: a skipped test checks nothing."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter and reporter.stats.get("skipped") and session.exitstatus == 0:
        session.exitstatus = 1


def pytest_terminal_summary(terminalreporter):
    skipped = terminalreporter.stats.get("skipped", [])
    if skipped:
        terminalreporter.write_line(f"{len(skipped)} skipped: the run fails, skipped tests are not allowed", red=True)
