"""Fixtures shared by every test: hypothesis profiles and the toolchain check."""

import os

import pytest
from hypothesis import HealthCheck, settings

from trustspace.toolchain import ToolchainError, check_toolchain

# "ci" keeps the whole suite inside its time budget on a 2-core machine;
# "deep" is for long local fuzzing: HYPOTHESIS_PROFILE=deep make test.
settings.register_profile(
    "ci",
    max_examples=25,
    stateful_step_count=12,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    derandomize=True,
    print_blob=True,
)
settings.register_profile(
    "deep",
    max_examples=1000,
    stateful_step_count=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    print_blob=True,
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def pytest_configure(config: pytest.Config) -> None:
    try:
        check_toolchain()
    except ToolchainError as err:
        raise pytest.UsageError(str(err)) from err
