"""Fixtures of the hub tests: the five agencies seeded on every chain, the hub admins
(ministry and tax first: they approve the hub's decisions unless a test says otherwise), and
one hub network with two domains for the session (tests/utils/hub_network.py)."""

from __future__ import annotations

import pytest

from tests.utils.hub_network import build_network
from trustspace.consortium.constants import OrgKind
from trustspace.consortium.governance import OrgSeed


@pytest.fixture(scope="session")
def seeds(customs_admin, tax_admin, maritime_admin, forex_admin, ministry_admin):
    return [
        OrgSeed("Customs Authority", OrgKind.CUSTOMS, [customs_admin]),
        OrgSeed("Tax Administration", OrgKind.TAX, [tax_admin]),
        OrgSeed("Maritime Authority", OrgKind.MARITIME, [maritime_admin]),
        OrgSeed("Foreign Exchange", OrgKind.FOREX, [forex_admin]),
        OrgSeed("Ministry of Commerce", OrgKind.MINISTRY, [ministry_admin]),
    ]


@pytest.fixture(scope="session")
def hub_admins(customs_admin, tax_admin, maritime_admin, forex_admin, ministry_admin):
    return [ministry_admin, tax_admin, maritime_admin, forex_admin, customs_admin]


@pytest.fixture(scope="session")
def hub_network(project, deployer, chain, seeds, hub_admins, validator_keys, relayer):
    """The hub and two domains, registered and caught up (built once per session)."""
    env = getattr(chain.provider, "env", None)
    if env is None:
        pytest.skip("needs the in-process provider (boa) to switch chain ids")
    keys = [validator_keys[n] for n in ("customs", "tax", "maritime", "forex", "ministry")]
    network = build_network(project, deployer, env, seeds, hub_admins, keys, relayer)
    network.relay()  # the snapshots sent when the domains were registered
    return network


@pytest.fixture
def fresh_network(hub_network):
    """The session's network for a test that changes it (its messages forgotten after)."""
    with hub_network.kept():
        yield hub_network
