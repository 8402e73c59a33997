"""Replay of DID signed operations (ERC-1056 ``*Signed`` functions).

ERC-1056 signs ``0x19 0x00 ‖ registry ‖ nonce(owner) ‖ identity ‖ operation ‖ args``: no
chain id. The registry is therefore deployed through ``DIDRegistryFactory`` with a CREATE2
salt derived from the chain id, so the same factory (same deployer key and nonce) yields a
different registry address on every chain. These tests replay signatures that were
*accepted* once: on the same registry (nonce), on another chain's registry, on another
identity, as another operation, and after the owner key came back to the same identity.
"""

from __future__ import annotations

import ape
import pytest
from eth_utils.crypto import keccak

from tests.security.conftest import CUSTOMS_CHAIN, TAX_CHAIN
from trustspace.deploy.did import deploy_factory, registry_initcode
from trustspace.did import registry as did

DAY = 86400
VERIKEY = did.str_to_bytes32("veriKey")
SVC = did.str_to_bytes32("did/svc/HubService")


@pytest.fixture
def registries(project, deployer, as_chain):
    """One factory, and the registry it deploys on the customs and on the tax chain."""
    factory = deploy_factory(deployer)
    found = {}
    for chain_id in (CUSTOMS_CHAIN, TAX_CHAIN):
        with as_chain(chain_id):
            factory.deploy(registry_initcode(), sender=deployer)
            found[chain_id] = project.DIDRegistry.at(
                factory.registry_address(keccak(registry_initcode()))
            )
    return found


def signed_change_owner(registry, owner, identity, new_owner, nonce=None):
    if nonce is None:
        nonce = registry.call_view_method("nonce", owner)
    digest = did.change_owner_digest(registry.address, nonce, identity.address, new_owner.address)
    return did.sign_digest(digest, owner.private_key)


def test_did_replay__same_signed_operation_twice__refused(
    registries, as_chain, customs_admin, tax_admin, outsider
):
    registry = registries[CUSTOMS_CHAIN]
    with as_chain(CUSTOMS_CHAIN):
        sig = signed_change_owner(registry, customs_admin, customs_admin, customs_admin)
        registry.changeOwnerSigned(customs_admin, *sig.args(), customs_admin, sender=outsider)
        with ape.reverts("did: signer not owner"):
            registry.changeOwnerSigned(customs_admin, *sig.args(), customs_admin, sender=outsider)
    assert registry.call_view_method("nonce", customs_admin) == 1


def test_did_replay__signature_for_one_chain__refused_on_another(
    registries, as_chain, customs_admin, tax_admin, outsider
):
    customs, tax = registries[CUSTOMS_CHAIN], registries[TAX_CHAIN]
    assert customs.address != tax.address  # same factory, chain-derived CREATE2 salt
    sig = signed_change_owner(customs, customs_admin, customs_admin, tax_admin)
    with as_chain(CUSTOMS_CHAIN):
        customs.changeOwnerSigned(customs_admin, *sig.args(), tax_admin, sender=outsider)
        assert customs.identityOwner(customs_admin) == tax_admin.address
    # The relayer carries the accepted transaction's arguments to the tax chain.
    with as_chain(TAX_CHAIN), ape.reverts("did: signer not owner"):
        tax.changeOwnerSigned(customs_admin, *sig.args(), tax_admin, sender=outsider)
    assert tax.identityOwner(customs_admin) == customs_admin.address
    assert tax.call_view_method("nonce", customs_admin) == 0


def test_did_replay__signature_for_one_identity__refused_for_another_of_the_same_owner(
    registries, as_chain, customs_admin, customs_admin_2, tax_admin, outsider
):
    registry = registries[CUSTOMS_CHAIN]
    with as_chain(CUSTOMS_CHAIN):
        # customs_admin also controls customs_admin_2's identity; one nonce covers both.
        registry.changeOwner(customs_admin_2, customs_admin, sender=customs_admin_2)
        sig = signed_change_owner(registry, customs_admin, customs_admin, tax_admin)
        with ape.reverts("did: signer not owner"):
            registry.changeOwnerSigned(customs_admin_2, *sig.args(), tax_admin, sender=outsider)
        assert registry.identityOwner(customs_admin_2) == customs_admin.address


def test_did_replay__signature_for_one_operation__refused_as_another(
    registries, as_chain, customs_admin, tax_admin, outsider
):
    registry = registries[CUSTOMS_CHAIN]
    with as_chain(CUSTOMS_CHAIN):
        digest = did.add_delegate_digest(
            registry.address, 0, customs_admin.address, VERIKEY, tax_admin.address, DAY
        )
        sig = did.sign_digest(digest, customs_admin.private_key)
        # Same bytes offered as a revocation, and as an attribute: other digests, other signer.
        with ape.reverts("did: signer not owner"):
            registry.revokeDelegateSigned(
                customs_admin, *sig.args(), VERIKEY, tax_admin, sender=outsider
            )
        with ape.reverts("did: signer not owner"):
            registry.setAttributeSigned(customs_admin, *sig.args(), SVC, b"x", DAY, sender=outsider)
        registry.addDelegateSigned(
            customs_admin, *sig.args(), VERIKEY, tax_admin, DAY, sender=outsider
        )
        assert registry.validDelegate(customs_admin, VERIKEY, tax_admin)


def test_did_replay__old_signature_after_ownership_round_trip__refused(
    registries, as_chain, customs_admin, tax_admin, outsider
):
    registry = registries[CUSTOMS_CHAIN]
    with as_chain(CUSTOMS_CHAIN):
        # customs_admin signs "give my identity to tax_admin" with nonce 0 and it is used.
        give = signed_change_owner(registry, customs_admin, customs_admin, tax_admin)
        registry.changeOwnerSigned(customs_admin, *give.args(), tax_admin, sender=outsider)
        # tax_admin hands it back; the old signature must not move it away again.
        registry.changeOwner(customs_admin, customs_admin, sender=tax_admin)
        with ape.reverts("did: signer not owner"):
            registry.changeOwnerSigned(customs_admin, *give.args(), tax_admin, sender=outsider)
        assert registry.identityOwner(customs_admin) == customs_admin.address
