"""Notary fixtures: a real Consortium with NOTARY keys for two organisations, and the Notary."""

import pytest

from trustspace.consortium.constants import Role
from trustspace.consortium.governance import Governance
from trustspace.crypto.hashing import hash_bytes
from trustspace.notary.client import NotaryClient

CUSTOMS, TAX, MARITIME = 1, 2, 3


@pytest.fixture(scope="session")
def wallet_owner(accounts):
    """The EOA that signs for the ERC-1271 contract wallet."""
    return accounts[11]


@pytest.fixture(scope="session")
def maritime_notary(accounts):
    return accounts[12]


@pytest.fixture(scope="session")
def bus_stand_in(accounts):
    """An account that governance sets as the Notary's bus, to call ``handle`` directly."""
    return accounts[14]


@pytest.fixture(scope="session")
def notary_consortium(deploy_consortium):
    """The Notary tests' own Consortium (same seed as the default one).

    Enrolling notaries changes a Consortium for the whole session; doing it on
    the shared ``consortium`` would change what the Consortium tests count.
    """
    return deploy_consortium()


@pytest.fixture(scope="session")
def notary_gov(notary_consortium):
    return Governance(notary_consortium)


@pytest.fixture(scope="session")
def enroll(notary_gov, approvers):
    """Builder: ``enroll(account, org_id, roles=Role.NOTARY)`` through k-of-n governance."""

    def build(account, org_id, roles=Role.NOTARY, expiry=0):
        # Idempotent: other test modules may already have enrolled the same actor in the
        # session's Consortium.
        if notary_gov.consortium.org_of(account) != org_id:
            notary_gov.enact("add_account", approvers=approvers, org_id=org_id, account=account)
        if not notary_gov.consortium.has_role(account, int(roles)):
            notary_gov.enact(
                "grant_role", approvers=approvers, account=account, roles=int(roles), expiry=expiry
            )

    return build


@pytest.fixture(scope="session")
def notary_wallet(project, deployer, wallet_owner, enroll):
    """An ERC-1271 contract wallet that is a customs NOTARY account."""
    wallet = deployer.deploy(project.ContractWallet, wallet_owner)
    enroll(wallet, CUSTOMS)
    return wallet


@pytest.fixture(scope="session")
def notary(
    project, deployer, notary_consortium, enroll, customs_notary, tax_notary, maritime_notary
):
    """The Notary over the default Consortium; customs, tax and maritime each have a NOTARY."""
    enroll(customs_notary, CUSTOMS)
    enroll(tax_notary, TAX)
    enroll(maritime_notary, MARITIME)
    return deployer.deploy(project.Notary, notary_consortium)


@pytest.fixture(scope="session")
def client(notary):
    return NotaryClient(notary)


@pytest.fixture(scope="session")
def schema_id(client, customs_notary):
    """A customs schema every test can attest under."""
    return client.register_schema(
        "customs-declaration", "1.0", sender=customs_notary, uri="https://schemas.example/cd/1.0"
    )


@pytest.fixture
def digest():
    """Builder: ``digest("text")`` is the SHA-256 of the text, a stable document digest."""

    def build(text="declaration 1"):
        return hash_bytes(text.encode())

    return build
