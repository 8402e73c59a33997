"""Notary unit-test fixtures beyond the shared ones (tests/utils/fixtures/notary.py)."""

import pytest


@pytest.fixture(scope="session")
def bus_stand_in(accounts):
    """An account that governance sets as the Notary's bus, to call ``handle`` directly."""
    return accounts[14]
