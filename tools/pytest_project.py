"""pytest plugin for this project's test run (loaded with ``-p pytest_project``)."""

import os

import pytest

ODOO_RUNNER = pytest.StashKey()


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


def _odoo_runner_problems(session):
    """What is wrong with Odoo's own run of the suite (tools/test_wheel), compared with this one.

    ``TUSFACTURAS_ODOO_RESULT`` names the file where tools/test_wheel wrote
    ``tests=N failed=N errors=N skipped=N error_logs=N ok=0|1``; unset, there is nothing
    to compare.
    """
    path = os.environ.get("TUSFACTURAS_ODOO_RESULT")
    if not path:
        return None, []
    try:
        with open(path, encoding="utf-8") as result:
            counts = {key: int(value) for key, value in (item.split("=") for item in result.read().split())}
    except (OSError, ValueError):
        return None, ["Odoo's test runner gave no result (see tools/test_wheel's output above)"]
    problems = [f"{counts[key]} {key}" for key in ("failed", "errors", "skipped", "error_logs") if counts[key]]
    if not counts["ok"] and not problems:
        problems.append("failed (see tools/test_wheel's output above)")
    if counts["tests"] != session.testscollected:
        problems.append(f"ran {counts['tests']} tests, pytest-odoo collected {session.testscollected}")
    return counts, problems


def pytest_sessionfinish(session, exitstatus):
    """A skipped test fails the run: a skipped test checks nothing. So does a
    disagreement with Odoo's own test runner."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter and reporter.stats.get("skipped") and session.exitstatus == 0:
        session.exitstatus = 1
    session.config.stash[ODOO_RUNNER] = _odoo_runner_problems(session)
    if session.config.stash[ODOO_RUNNER][1] and session.exitstatus == 0:
        session.exitstatus = 1


def pytest_terminal_summary(terminalreporter):
    skipped = terminalreporter.stats.get("skipped", [])
    if skipped:
        terminalreporter.write_line(f"{len(skipped)} skipped: the run fails, skipped tests are not allowed", red=True)
    counts, problems = terminalreporter.config.stash.get(ODOO_RUNNER, (None, []))
    if problems:
        terminalreporter.write_line(f"Odoo's test runner: {'; '.join(problems)}: the run fails", red=True)
    elif counts:
        terminalreporter.write_line(f"Odoo's test runner (on the wheel): {counts['tests']} tests passed, as here")
