"""Actors of the golden DID histories. The golden documents name their addresses, so
each role is pinned to one test account."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture(scope="session")
def did_subject(accounts: Any) -> Any:
    """The identity whose document each golden history writes."""
    return accounts[10]


@pytest.fixture(scope="session")
def did_counterparts(accounts: Any) -> list[Any]:
    """Two other keys the histories make delegates or owners."""
    return [accounts[11], accounts[12]]
