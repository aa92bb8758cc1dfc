"""The benchmarks build their data with the test suite's fixtures."""

from tests.conftest import institution, period, unit_a  # noqa: F401
