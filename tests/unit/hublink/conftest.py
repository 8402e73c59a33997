"""Fixtures of the hub tests: the five agencies seeded on every chain, and the hub admins
(ministry and tax first: they approve the hub's decisions unless a test says otherwise)."""

from __future__ import annotations

import pytest

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
