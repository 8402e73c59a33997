"""Fixtures of the credential tests: a Consortium of their own with ISSUER clerks, the
CredentialRegistry over it, a registered AEO schema and a customs accreditation."""

from __future__ import annotations

from typing import Any

import pytest

from tests.utils.credentials import CUSTOMS, TAX, type_and_schema
from trustspace.consortium.constants import Role
from trustspace.consortium.governance import Governance
from trustspace.credentials.model import Purpose
from trustspace.credentials.registry import create_list

YEAR = 365 * 86400


@pytest.fixture(scope="session")
def customs_clerk(spare_accounts: Any) -> Any:
    """A customs account with the ISSUER role (and a DID delegate in the VC tests)."""
    return spare_accounts[0]


@pytest.fixture(scope="session")
def tax_clerk(spare_accounts: Any) -> Any:
    """A tax account with the ISSUER role."""
    return spare_accounts[1]


@pytest.fixture(scope="session")
def vc_consortium(deploy_consortium: Any) -> Any:
    """The credential tests' own Consortium (the default three organisations)."""
    return deploy_consortium()


@pytest.fixture(scope="session")
def vc_gov(vc_consortium: Any) -> Governance:
    return Governance(vc_consortium)


@pytest.fixture(scope="session")
def issuers(vc_gov: Governance, approvers: Any, customs_clerk: Any, tax_clerk: Any) -> None:
    """Customs and tax clerks enrolled with the ISSUER role."""
    for clerk, org in ((customs_clerk, CUSTOMS), (tax_clerk, TAX)):
        vc_gov.enact("add_account", approvers=approvers, org_id=org, account=clerk)
        vc_gov.enact(
            "grant_role", approvers=approvers, account=clerk, roles=int(Role.ISSUER), expiry=0
        )


@pytest.fixture(scope="session")
def credential_registry(project: Any, deployer: Any, vc_consortium: Any, issuers: None) -> Any:
    return deployer.deploy(project.CredentialRegistry, vc_consortium)


@pytest.fixture(scope="session")
def aeo_registered(
    credential_registry: Any, vc_gov: Governance, approvers: Any, chain: Any
) -> tuple[bytes, bytes]:
    """The AEO schema registered and customs accredited for a year from now."""
    thash, shash = type_and_schema()
    vc_gov.decide_call(credential_registry, "register_schema", shash, thash, approvers=approvers)
    now = chain.pending_timestamp
    vc_gov.decide_call(
        credential_registry,
        "accredit",
        CUSTOMS,
        thash,
        shash,
        now - 10,
        now + YEAR,
        approvers=approvers,
    )
    return thash, shash


@pytest.fixture(scope="session")
def customs_lists(credential_registry: Any, customs_clerk: Any) -> tuple[int, int]:
    """Customs' revocation and suspension lists, one word (255 entries) each."""
    rev = create_list(credential_registry, Purpose.REVOCATION, 1, customs_clerk)
    sus = create_list(credential_registry, Purpose.SUSPENSION, 1, customs_clerk)
    return rev, sus


@pytest.fixture(scope="session")
def vc_clerk(spare_accounts: Any) -> Any:
    """The customs clerk of the verification tests' stand (its own Consortium)."""
    return spare_accounts[2]


@pytest.fixture(scope="session")
def stand(deployer: Any, customs_admin: Any, tax_admin: Any, vc_clerk: Any) -> Any:
    """The demo's scene in boa: customs' DID with a clerk delegate, AEO schema, accreditation,
    lists; DID logs read from receipts (boa keeps no log index)."""
    from trustspace.devnet.demo_credentials import build_stand
    from trustspace.did.resolver import ReceiptSource

    return build_stand(deployer, customs_admin, tax_admin, vc_clerk, source_factory=ReceiptSource)


@pytest.fixture(autouse=True)
def _did_log_isolation(request: pytest.FixtureRequest) -> Any:
    """ape rewinds the chain after each test; the receipt log index must follow."""
    if "stand" not in request.fixturenames:
        yield
        return
    source = request.getfixturevalue("stand").source
    saved = {k: list(v) for k, v in source._logs.items()}
    index = request.getfixturevalue("stand").next_index
    yield
    source._logs.clear()
    source._logs.update(saved)
    request.getfixturevalue("stand").next_index = index
