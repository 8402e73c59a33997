"""Actors and deploy fixtures for the DID registry tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from trustspace.did import registry as reg
from trustspace.did.resolver import ReceiptSource, Resolver

DAY = 86400


@pytest.fixture(scope="session")
def deployer(accounts: Any) -> Any:
    return accounts[0]


@pytest.fixture(scope="session")
def identity_owner(accounts: Any) -> Any:
    """Controls its own identity (no owner set yet)."""
    return accounts[1]


@pytest.fixture(scope="session")
def new_owner(accounts: Any) -> Any:
    return accounts[2]


@pytest.fixture(scope="session")
def delegate_key(accounts: Any) -> Any:
    return accounts[3]


@pytest.fixture(scope="session")
def payer(accounts: Any) -> Any:
    """Sends meta-transactions signed by someone else."""
    return accounts[4]


@pytest.fixture(scope="session")
def outsider(accounts: Any) -> Any:
    return accounts[5]


@pytest.fixture(scope="session")
def registry(project: Any, deployer: Any) -> Any:
    from trustspace.deploy.did import deploy_registry

    return deploy_registry(deployer)


@pytest.fixture
def source(registry: Any) -> ReceiptSource:
    """Registry logs indexed from receipts (boa keeps no log index): pass each tx to record()."""
    return ReceiptSource(registry)


@pytest.fixture
def resolver(source: ReceiptSource) -> Resolver:
    return Resolver([source])


@pytest.fixture
def sign(registry: Any) -> Callable[..., reg.Signature]:
    """sign(op, signer, identity, *args, nonce=None): a signature for a *Signed call."""
    digests = {
        "changeOwner": reg.change_owner_digest,
        "addDelegate": reg.add_delegate_digest,
        "revokeDelegate": reg.revoke_delegate_digest,
        "setAttribute": reg.set_attribute_digest,
        "revokeAttribute": reg.revoke_attribute_digest,
    }

    def _sign(op: str, signer: Any, identity: Any, *args: Any, nonce: int | None = None) -> Any:
        if nonce is None:
            owner = registry.identityOwner(identity)
            nonce = registry.call_view_method("nonce", owner)
        digest = digests[op](registry.address, nonce, identity, *args)
        return reg.sign_digest(digest, signer.private_key)

    return _sign


@pytest.fixture
def b32() -> Callable[[str], bytes]:
    return reg.str_to_bytes32
