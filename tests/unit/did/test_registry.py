"""DIDRegistry: every ERC-1056 function, direct and signed, and the deviations."""

from __future__ import annotations

import ape
import pytest

from trustspace.did.registry import str_to_bytes32

DAY = 86400
ZERO = "0x0000000000000000000000000000000000000000"
VERIKEY = str_to_bytes32("veriKey")
SVC = str_to_bytes32("did/svc/HubService")
ENDPOINT = b"https://hub.example.org"


def test_identity_owner__fresh_identity__is_itself(registry, identity_owner):
    assert registry.identityOwner(identity_owner) == identity_owner.address
    assert registry.owners(identity_owner) == ZERO
    assert registry.changed(identity_owner) == 0


def test_change_owner__by_owner__moves_control_and_links_history(
    registry, identity_owner, new_owner
):
    tx = registry.changeOwner(identity_owner, new_owner, sender=identity_owner)
    [log] = tx.decode_logs(registry.DIDOwnerChanged)
    assert log.identity == identity_owner.address
    assert log.owner == new_owner.address
    assert log.previousChange == 0
    assert registry.identityOwner(identity_owner) == new_owner.address
    assert registry.owners(identity_owner) == new_owner.address
    assert registry.changed(identity_owner) == tx.block_number
    tx2 = registry.changeOwner(identity_owner, identity_owner, sender=new_owner)
    assert tx2.decode_logs(registry.DIDOwnerChanged)[0].previousChange == tx.block_number


def test_change_owner__by_outsider__reverts(registry, identity_owner, outsider):
    with ape.reverts("did: not owner"):
        registry.changeOwner(identity_owner, outsider, sender=outsider)
    assert registry.changed(identity_owner) == 0


def test_change_owner__old_owner_after_transfer__reverts(registry, identity_owner, new_owner):
    registry.changeOwner(identity_owner, new_owner, sender=identity_owner)
    with ape.reverts("did: not owner"):
        registry.changeOwner(identity_owner, identity_owner, sender=identity_owner)


def test_add_delegate__by_owner__valid_until_expiry(registry, identity_owner, delegate_key, chain):
    tx = registry.addDelegate(identity_owner, VERIKEY, delegate_key, DAY, sender=identity_owner)
    [log] = tx.decode_logs(registry.DIDDelegateChanged)
    ts = chain.blocks[tx.block_number].timestamp
    assert log.delegateType == VERIKEY
    assert log.delegate == delegate_key.address
    assert log.validTo == ts + DAY
    assert log.previousChange == 0
    from eth_utils import keccak

    assert registry.delegates(identity_owner, keccak(VERIKEY), delegate_key) == ts + DAY
    assert registry.validDelegate(identity_owner, VERIKEY, delegate_key)
    assert not registry.validDelegate(identity_owner, str_to_bytes32("sigAuth"), delegate_key)


def test_add_delegate__expired__is_not_valid(registry, identity_owner, delegate_key, chain):
    registry.addDelegate(identity_owner, VERIKEY, delegate_key, DAY, sender=identity_owner)
    chain.pending_timestamp += DAY + 1
    chain.mine()
    assert not registry.validDelegate(identity_owner, VERIKEY, delegate_key)


def test_add_delegate__by_outsider__reverts(registry, identity_owner, delegate_key, outsider):
    with ape.reverts("did: not owner"):
        registry.addDelegate(identity_owner, VERIKEY, delegate_key, DAY, sender=outsider)


def test_add_delegate__validity_overflow__reverts(registry, identity_owner, delegate_key):
    with ape.reverts("did: validity overflow"):
        registry.addDelegate(
            identity_owner, VERIKEY, delegate_key, 2**256 - 1, sender=identity_owner
        )


def test_revoke_delegate__by_owner__ends_now(registry, identity_owner, delegate_key, chain):
    registry.addDelegate(identity_owner, VERIKEY, delegate_key, DAY, sender=identity_owner)
    tx = registry.revokeDelegate(identity_owner, VERIKEY, delegate_key, sender=identity_owner)
    [log] = tx.decode_logs(registry.DIDDelegateChanged)
    assert log.validTo == chain.blocks[tx.block_number].timestamp
    assert not registry.validDelegate(identity_owner, VERIKEY, delegate_key)


def test_revoke_delegate__by_outsider__reverts(registry, identity_owner, delegate_key, outsider):
    registry.addDelegate(identity_owner, VERIKEY, delegate_key, DAY, sender=identity_owner)
    with ape.reverts("did: not owner"):
        registry.revokeDelegate(identity_owner, VERIKEY, delegate_key, sender=outsider)
    assert registry.validDelegate(identity_owner, VERIKEY, delegate_key)


def test_set_attribute__by_owner__emits_value_and_expiry(registry, identity_owner, chain):
    tx = registry.setAttribute(identity_owner, SVC, ENDPOINT, DAY, sender=identity_owner)
    [log] = tx.decode_logs(registry.DIDAttributeChanged)
    assert log.name == SVC
    assert log.value == ENDPOINT
    assert log.validTo == chain.blocks[tx.block_number].timestamp + DAY
    assert log.previousChange == 0
    assert registry.changed(identity_owner) == tx.block_number


def test_set_attribute__by_outsider__reverts(registry, identity_owner, outsider):
    with ape.reverts("did: not owner"):
        registry.setAttribute(identity_owner, SVC, ENDPOINT, DAY, sender=outsider)


def test_set_attribute__value_too_long__reverts(registry, identity_owner):
    with ape.reverts():
        registry.setAttribute(identity_owner, SVC, b"x" * 2049, DAY, sender=identity_owner)


def test_revoke_attribute__by_owner__emits_valid_to_zero(registry, identity_owner):
    tx = registry.revokeAttribute(identity_owner, SVC, ENDPOINT, sender=identity_owner)
    [log] = tx.decode_logs(registry.DIDAttributeChanged)
    assert (log.name, log.value, log.validTo) == (SVC, ENDPOINT, 0)


def test_revoke_attribute__by_outsider__reverts(registry, identity_owner, outsider):
    with ape.reverts("did: not owner"):
        registry.revokeAttribute(identity_owner, SVC, ENDPOINT, sender=outsider)


# --- signed variants -------------------------------------------------------


def test_change_owner_signed__owner_signs_payer_sends__moves_control(
    registry, identity_owner, new_owner, payer, sign
):
    sig = sign("changeOwner", identity_owner, identity_owner, new_owner)
    tx = registry.changeOwnerSigned(identity_owner, *sig.args(), new_owner, sender=payer)
    assert tx.decode_logs(registry.DIDOwnerChanged)[0].owner == new_owner.address
    assert registry.identityOwner(identity_owner) == new_owner.address
    assert registry.call_view_method("nonce", identity_owner) == 1


def test_change_owner_signed__wrong_signer__reverts(
    registry, identity_owner, new_owner, payer, outsider, sign
):
    sig = sign("changeOwner", outsider, identity_owner, outsider)
    with ape.reverts("did: signer not owner"):
        registry.changeOwnerSigned(identity_owner, *sig.args(), outsider, sender=payer)
    assert registry.identityOwner(identity_owner) == identity_owner.address


def test_change_owner_signed__replayed_nonce__reverts(
    registry, identity_owner, new_owner, payer, sign
):
    sig = sign("changeOwner", identity_owner, identity_owner, identity_owner)
    registry.changeOwnerSigned(identity_owner, *sig.args(), identity_owner, sender=payer)
    with ape.reverts("did: signer not owner"):
        registry.changeOwnerSigned(identity_owner, *sig.args(), identity_owner, sender=payer)
    assert registry.call_view_method("nonce", identity_owner) == 1


def test_change_owner_signed__malleable_signature__reverts(
    registry, identity_owner, new_owner, payer, sign
):
    sig = sign("changeOwner", identity_owner, identity_owner, new_owner)
    n = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
    high_s = (n - int.from_bytes(sig.s, "big")).to_bytes(32, "big")
    with ape.reverts("did: bad signature"):
        registry.changeOwnerSigned(
            identity_owner, 55 - sig.v, sig.r, high_s, new_owner, sender=payer
        )


def test_change_owner_signed__garbage_signature__reverts(registry, identity_owner, payer):
    with ape.reverts("did: bad signature"):
        registry.changeOwnerSigned(
            identity_owner, 27, b"\x00" * 32, b"\x00" * 32, payer, sender=payer
        )


def test_add_delegate_signed__owner_signs__delegate_valid(
    registry, identity_owner, delegate_key, payer, sign
):
    sig = sign("addDelegate", identity_owner, identity_owner, VERIKEY, delegate_key, DAY)
    tx = registry.addDelegateSigned(
        identity_owner, *sig.args(), VERIKEY, delegate_key, DAY, sender=payer
    )
    assert tx.decode_logs(registry.DIDDelegateChanged)[0].delegate == delegate_key.address
    assert registry.validDelegate(identity_owner, VERIKEY, delegate_key)


def test_add_delegate_signed__wrong_signer__reverts(
    registry, identity_owner, delegate_key, payer, sign
):
    sig = sign("addDelegate", delegate_key, identity_owner, VERIKEY, delegate_key, DAY)
    with ape.reverts("did: signer not owner"):
        registry.addDelegateSigned(
            identity_owner, *sig.args(), VERIKEY, delegate_key, DAY, sender=payer
        )


def test_add_delegate_signed__other_arguments_than_signed__reverts(
    registry, identity_owner, delegate_key, payer, sign
):
    sig = sign("addDelegate", identity_owner, identity_owner, VERIKEY, delegate_key, DAY)
    with ape.reverts("did: signer not owner"):
        registry.addDelegateSigned(
            identity_owner, *sig.args(), VERIKEY, delegate_key, 10 * DAY, sender=payer
        )


def test_revoke_delegate_signed__owner_signs__delegate_invalid(
    registry, identity_owner, delegate_key, payer, sign
):
    registry.addDelegate(identity_owner, VERIKEY, delegate_key, DAY, sender=identity_owner)
    sig = sign("revokeDelegate", identity_owner, identity_owner, VERIKEY, delegate_key)
    registry.revokeDelegateSigned(identity_owner, *sig.args(), VERIKEY, delegate_key, sender=payer)
    assert not registry.validDelegate(identity_owner, VERIKEY, delegate_key)


def test_revoke_delegate_signed__wrong_signer__reverts(
    registry, identity_owner, delegate_key, payer, sign
):
    registry.addDelegate(identity_owner, VERIKEY, delegate_key, DAY, sender=identity_owner)
    sig = sign("revokeDelegate", delegate_key, identity_owner, VERIKEY, delegate_key)
    with ape.reverts("did: signer not owner"):
        registry.revokeDelegateSigned(
            identity_owner, *sig.args(), VERIKEY, delegate_key, sender=payer
        )
    assert registry.validDelegate(identity_owner, VERIKEY, delegate_key)


def test_set_attribute_signed__owner_signs__emitted(registry, identity_owner, payer, sign):
    sig = sign("setAttribute", identity_owner, identity_owner, SVC, ENDPOINT, DAY)
    tx = registry.setAttributeSigned(identity_owner, *sig.args(), SVC, ENDPOINT, DAY, sender=payer)
    assert tx.decode_logs(registry.DIDAttributeChanged)[0].value == ENDPOINT
    assert registry.call_view_method("nonce", identity_owner) == 1


def test_set_attribute_signed__replayed_nonce__reverts(registry, identity_owner, payer, sign):
    sig = sign("setAttribute", identity_owner, identity_owner, SVC, ENDPOINT, DAY)
    registry.setAttributeSigned(identity_owner, *sig.args(), SVC, ENDPOINT, DAY, sender=payer)
    with ape.reverts("did: signer not owner"):
        registry.setAttributeSigned(identity_owner, *sig.args(), SVC, ENDPOINT, DAY, sender=payer)


def test_revoke_attribute_signed__owner_signs__emitted(registry, identity_owner, payer, sign):
    sig = sign("revokeAttribute", identity_owner, identity_owner, SVC, ENDPOINT)
    tx = registry.revokeAttributeSigned(identity_owner, *sig.args(), SVC, ENDPOINT, sender=payer)
    assert tx.decode_logs(registry.DIDAttributeChanged)[0].validTo == 0


def test_revoke_attribute_signed__wrong_signer__reverts(
    registry, identity_owner, payer, outsider, sign
):
    sig = sign("revokeAttribute", outsider, identity_owner, SVC, ENDPOINT)
    with ape.reverts("did: signer not owner"):
        registry.revokeAttributeSigned(identity_owner, *sig.args(), SVC, ENDPOINT, sender=payer)


def test_signed__nonce_follows_owner_key(registry, identity_owner, new_owner, payer, sign):
    registry.changeOwner(identity_owner, new_owner, sender=identity_owner)
    sig = sign("setAttribute", new_owner, identity_owner, SVC, ENDPOINT, DAY)
    registry.setAttributeSigned(identity_owner, *sig.args(), SVC, ENDPOINT, DAY, sender=payer)
    assert registry.call_view_method("nonce", new_owner) == 1
    assert registry.call_view_method("nonce", identity_owner) == 0


# --- deactivation (beyond the reference) -----------------------------------


@pytest.fixture
def deactivated(registry, identity_owner, delegate_key):
    registry.addDelegate(identity_owner, VERIKEY, delegate_key, DAY, sender=identity_owner)
    tx = registry.changeOwner(identity_owner, ZERO, sender=identity_owner)
    assert tx.decode_logs(registry.DIDOwnerChanged)[0].owner == ZERO
    return identity_owner


def test_deactivated__owner_reads_zero_and_delegates_invalid(registry, deactivated, delegate_key):
    assert registry.identityOwner(deactivated) == ZERO
    assert registry.owners(deactivated) == ZERO
    assert not registry.validDelegate(deactivated, VERIKEY, delegate_key)


@pytest.mark.parametrize("actor", ["identity", "delegate"])
def test_deactivated__no_key_regains_control(registry, deactivated, delegate_key, actor):
    who = deactivated if actor == "identity" else delegate_key
    with ape.reverts("did: deactivated"):
        registry.changeOwner(deactivated, who, sender=who)
    with ape.reverts("did: deactivated"):
        registry.addDelegate(deactivated, VERIKEY, who, DAY, sender=who)
    with ape.reverts("did: deactivated"):
        registry.revokeDelegate(deactivated, VERIKEY, delegate_key, sender=who)
    with ape.reverts("did: deactivated"):
        registry.setAttribute(deactivated, SVC, ENDPOINT, DAY, sender=who)
    with ape.reverts("did: deactivated"):
        registry.revokeAttribute(deactivated, SVC, ENDPOINT, sender=who)


def test_deactivated__signed_by_former_key__reverts(registry, deactivated, payer, sign):
    sig = sign("changeOwner", deactivated, deactivated, deactivated, nonce=0)
    with ape.reverts("did: deactivated"):
        registry.changeOwnerSigned(deactivated, *sig.args(), deactivated, sender=payer)
    sig = sign("setAttribute", deactivated, deactivated, SVC, ENDPOINT, DAY, nonce=0)
    with ape.reverts("did: deactivated"):
        registry.setAttributeSigned(deactivated, *sig.args(), SVC, ENDPOINT, DAY, sender=payer)


def test_deactivated__invalid_signature_does_not_match_zero_owner(registry, deactivated, payer):
    # ecrecover returns 0 for garbage: it must never pass as the (zero) owner.
    with ape.reverts("did: deactivated"):
        registry.changeOwnerSigned(deactivated, 27, b"\x00" * 32, b"\x00" * 32, payer, sender=payer)


SIGNED_CALLS = {
    "changeOwner": lambda d, i, o: (o,),
    "addDelegate": lambda d, i, o: (VERIKEY, d, DAY),
    "revokeDelegate": lambda d, i, o: (VERIKEY, d),
    "setAttribute": lambda d, i, o: (SVC, ENDPOINT, DAY),
    "revokeAttribute": lambda d, i, o: (SVC, ENDPOINT),
}


@pytest.mark.parametrize("op", sorted(SIGNED_CALLS))
def test_signed__replay_or_wrong_signer__reverts_and_changes_nothing(
    registry, identity_owner, delegate_key, payer, outsider, sign, op
):
    args = SIGNED_CALLS[op](delegate_key, identity_owner, identity_owner)
    method = getattr(registry, op + "Signed")
    forged = sign(op, outsider, identity_owner, *args)
    with ape.reverts("did: signer not owner"):
        method(identity_owner, *forged.args(), *args, sender=payer)
    assert registry.changed(identity_owner) == 0
    assert registry.call_view_method("nonce", identity_owner) == 0
    good = sign(op, identity_owner, identity_owner, *args)
    tx = method(identity_owner, *good.args(), *args, sender=payer)
    assert registry.changed(identity_owner) == tx.block_number
    with ape.reverts("did: signer not owner"):
        method(identity_owner, *good.args(), *args, sender=payer)
    assert registry.changed(identity_owner) == tx.block_number
    assert registry.call_view_method("nonce", identity_owner) == 1
