"""The benchmarks build their data with the test suite's fixtures, and report their figures."""

import pytest

from bench.figures import Figures
from tests.conftest import institution, period, unit_a  # noqa: F401

_run = Figures()


@pytest.fixture(scope="session")
def figures() -> Figures:
    return _run


def pytest_sessionfinish(session, exitstatus):
    _run.write()
