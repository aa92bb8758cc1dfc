"""The benchmarks build their data with the test suite's fixtures, and report their figures."""

import pytest

from bench.figures import Figures
from tests.conftest import (  # noqa: F401
    _flush_past_the_audit_triggers,
    institution,
    period,
    unit_a,
)

_run = Figures()


@pytest.fixture(scope="session")
def figures() -> Figures:
    return _run


def pytest_sessionfinish(session, exitstatus):
    _run.write()
