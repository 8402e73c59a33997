"""Signature attacks on the Notary's EIP-712 delegation, the DID registry's signed
operations and the bus's checkpoints.

- Replay across chains and contracts: a signature that was *accepted* once is submitted
  again, byte for byte, on the same Notary seen from another chain id (a fork, or the same
  deployer key and nonce on another chain) and on a second Notary on the same chain.
- Malleable and malformed signatures (the family of Wormhole's fooled verifier): the high-s
  twin of a valid signature, raw recovery ids 0/1, v = 29, an EIP-2098 64-byte compact
  signature, zero r or s, and trailing bytes. Each verifier refuses every form.
- ERC-1271 re-entrancy: a contract signer that calls back into the Notary while its
  signature is being checked changes nothing (the check is a static call), and the nonce
  of the outer request is spent before the callback runs.
"""

from __future__ import annotations

import ape
import pytest
from ape.utils import ZERO_ADDRESS
from eth_account import Account

from tests.security.conftest import CUSTOMS_CHAIN
from trustspace.bus.checkpoint import sign_checkpoint
from trustspace.crypto import eip712
from trustspace.did import registry as did
from trustspace.notary.client import Status
from trustspace.notary.tree import record_id

SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
CUSTOMS = 1


def split(signature: bytes) -> tuple[bytes, int, int]:
    return signature[:32], int.from_bytes(signature[32:64], "big"), signature[64]


def high_s(signature: bytes) -> bytes:
    """The other valid signature of the same key and hash: (r, n - s, v flipped)."""
    r, s, v = split(signature)
    return r + (SECP256K1_N - s).to_bytes(32, "big") + bytes([55 - v])


def compact(signature: bytes) -> bytes:
    """EIP-2098: r ‖ (yParity << 255 | s), 64 bytes."""
    r, s, v = split(signature)
    return r + ((v - 27) << 255 | s).to_bytes(32, "big")


# Every malformed or malleable variant of a valid 65-byte signature. Each one either
# recovers the right key by another encoding or recovers garbage; none may pass.
VARIANTS = {
    "high_s_twin": high_s,
    "raw_recovery_id": lambda sig: sig[:64] + bytes([sig[64] - 27]),
    "v_29": lambda sig: sig[:64] + b"\x1d",
    "eip2098_compact_64_bytes": compact,
    "zero_r": lambda sig: bytes(32) + sig[32:],
    "zero_s": lambda sig: sig[:32] + bytes(32) + sig[64:],
    "trailing_byte": lambda sig: sig + b"\x00",
}


@pytest.fixture
def attest_request(client, chain, schema_id, digest):
    """Builder: a signed delegated attestation of ``text`` by ``signer`` (nonce given)."""

    def build(signer, nonce=1, text="replayed declaration", key=None):
        request = eip712.AttestRequest(
            attester=str(signer.address),
            org_id=CUSTOMS,
            digest=digest(text),
            schema_id=schema_id,
            nonce=nonce,
            deadline=chain.pending_timestamp + 3600,
        )
        return request, client.sign(request, (key or signer).private_key)

    return build


# ------------------------------------------------------- EIP-712 replay across chains


def test_eip712_replay__accepted_signature_resubmitted_on_another_chain__refused(
    notary, client, as_chain, customs_notary, outsider, attest_request, digest
):
    request, signature = attest_request(customs_notary)
    # The same Notary code and address, the same storage, but another chain id: a fork of
    # the chain, or the same deployment made with the same key and nonce elsewhere.
    with (
        as_chain(CUSTOMS_CHAIN),
        ape.reverts(notary.NotaryInvalidSignature, signer=customs_notary.address),
    ):
        notary.attestBySig(request.as_tuple(), signature, sender=outsider)
    # The refusal is due to the domain alone: on its own chain the same bytes pass once.
    rid, _ = client.attest_by_sig(request, signature, sender=outsider)
    assert rid == record_id(digest("replayed declaration"), CUSTOMS)
    with as_chain(CUSTOMS_CHAIN), ape.reverts(notary.NotaryNonceUsed):
        notary.attestBySig(request.as_tuple(), signature, sender=outsider)


def test_eip712_replay__revocation_signed_for_one_chain__refused_on_another(
    notary, client, chain, as_chain, customs_notary, outsider, schema_id, digest
):
    rid, _ = client.attest(digest("to revoke"), schema_id, sender=customs_notary)
    request = eip712.RevokeRequest(
        revoker=customs_notary.address, org_id=CUSTOMS, id=rid, reason=3, nonce=2,
        deadline=chain.pending_timestamp + 3600,
    )  # fmt: skip
    signature = client.sign(request, customs_notary.private_key)
    with as_chain(CUSTOMS_CHAIN), ape.reverts(notary.NotaryInvalidSignature):
        notary.revokeBySig(request.as_tuple(), signature, sender=outsider)
    assert client.status(rid) == Status.VALID
    assert not notary.isNonceUsed(customs_notary.address, 2)


# ----------------------------------------------------- EIP-712 replay across contracts


def test_eip712_replay__accepted_on_one_notary__refused_by_a_second_on_the_same_chain(
    project, deployer, notary_consortium, notary, client, customs_notary, outsider, attest_request
):
    second = deployer.deploy(project.Notary, notary_consortium)  # same Consortium, same schema ids
    second_schema = second.registerSchema(
        "customs-declaration", "1.0", bytes(32), "https://schemas.example/cd/1.0",
        sender=customs_notary,
    ).return_value  # fmt: skip
    request, signature = attest_request(customs_notary)
    assert second_schema == request.schema_id  # the request would be well-formed on both
    client.attest_by_sig(request, signature, sender=outsider)
    with ape.reverts(second.NotaryInvalidSignature, signer=customs_notary.address):
        second.attestBySig(request.as_tuple(), signature, sender=outsider)
    assert not second.isNonceUsed(customs_notary.address, request.nonce)


# --------------------------------------------------------------- malleable signatures


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_malleable__notary_attest_by_sig__every_variant_refused(
    notary, customs_notary, outsider, attest_request, variant
):
    request, signature = attest_request(customs_notary)
    forged = VARIANTS[variant](signature)
    assert forged != signature
    with ape.reverts(notary.NotaryInvalidSignature, signer=customs_notary.address):
        notary.attestBySig(request.as_tuple(), forged, sender=outsider)
    # The valid encoding still works: the refusal was about the encoding, not the request.
    notary.attestBySig(request.as_tuple(), signature, sender=outsider)


def test_malleable__notary_revoke_by_sig__high_s_twin_refused(
    notary, client, chain, customs_notary, outsider, schema_id, digest
):
    rid, _ = client.attest(digest("revocable"), schema_id, sender=customs_notary)
    request = eip712.RevokeRequest(
        revoker=customs_notary.address, org_id=CUSTOMS, id=rid, reason=1, nonce=4,
        deadline=chain.pending_timestamp + 3600,
    )  # fmt: skip
    signature = client.sign(request, customs_notary.private_key)
    digest_ = bytes(notary.hashRevokeRequest(request.as_tuple()))
    twin = high_s(signature)
    assert Account._recover_hash(digest_, signature=twin) == customs_notary.address
    with ape.reverts(notary.NotaryInvalidSignature, signer=customs_notary.address):
        notary.revokeBySig(request.as_tuple(), twin, sender=outsider)
    assert client.status(rid) == Status.VALID


@pytest.mark.parametrize("variant", ["high_s_twin", "raw_recovery_id", "v_29", "zero_r", "zero_s"])
def test_malleable__did_signed_change_owner__every_variant_refused(
    project, deployer, customs_admin, tax_admin, outsider, variant
):
    from trustspace.deploy.did import deploy_registry

    registry = deploy_registry(deployer)
    identity = customs_admin
    digest_ = did.change_owner_digest(registry.address, 0, identity.address, tax_admin.address)
    good = did.sign_digest(digest_, identity.private_key)
    forged = VARIANTS[variant](good.r + good.s + bytes([good.v]))
    r, s, v = forged[:32], forged[32:64], forged[64]
    with ape.reverts("did: bad signature"):
        registry.changeOwnerSigned(identity, v, r, s, tax_admin, sender=outsider)
    assert registry.identityOwner(identity) == identity.address
    registry.changeOwnerSigned(identity, *good.args(), tax_admin, sender=outsider)
    assert registry.identityOwner(identity) == tax_admin.address


@pytest.mark.parametrize("variant", ["high_s_twin", "raw_recovery_id", "v_29", "zero_r", "zero_s"])
def test_malleable__bus_checkpoint__every_variant_refused(
    bus_setup, origin_sim, recorder, three_signers, relayer, variant
):
    origin_sim.add(recorder)
    cp = origin_sim.checkpoint()
    ordered = sorted(three_signers, key=lambda a: int(a.address, 16))
    sigs = [sign_checkpoint(cp, a.private_key) for a in ordered]
    forged = VARIANTS[variant](sigs[1])
    with ape.reverts(bus_setup.MessageBusBadSignature, position=1):
        bus_setup.acceptCheckpoint(
            cp.origin, cp.root, cp.index, sigs[0] + forged + sigs[2], sender=relayer
        )
    assert not bus_setup.checkpoint(cp.origin, cp.root)[0]


# -------------------------------------------------------------- ERC-1271 re-entrancy


def test_erc1271_reentrancy__wallet_reenters_attest_by_sig__no_state_change_nonce_spent(
    project, deployer, notary, client, enroll, wallet_owner, outsider, attest_request, digest
):
    wallet = deployer.deploy(project.ReenteringWallet, wallet_owner)
    enroll(wallet, CUSTOMS)
    outer, outer_sig = attest_request(wallet, nonce=1, text="outer", key=wallet_owner)
    inner, inner_sig = attest_request(wallet, nonce=2, text="inner", key=wallet_owner)
    # While its signature on `outer` is checked, the wallet submits `inner` (its own valid
    # request) and then the outer request again (same nonce).
    wallet.arm(
        notary, notary.attestBySig.encode_input(inner.as_tuple(), inner_sig), sender=deployer
    )

    tx = notary.attestBySig(outer.as_tuple(), outer_sig, sender=outsider)

    assert [bytes(e.digest) for e in tx.decode_logs(notary.Attested)] == [digest("outer")]
    assert client.status(record_id(digest("inner"), CUSTOMS)) == Status.UNKNOWN
    assert notary.isNonceUsed(wallet, 1) and not notary.isNonceUsed(wallet, 2)
    # The inner request was valid all along: only the static context stopped it.
    wallet.arm(ZERO_ADDRESS, b"", sender=deployer)
    notary.attestBySig(inner.as_tuple(), inner_sig, sender=outsider)
    assert client.status(record_id(digest("inner"), CUSTOMS)) == Status.VALID


def test_erc1271_reentrancy__wallet_replays_outer_request_inside_check__executed_once(
    project, deployer, notary, enroll, wallet_owner, outsider, attest_request, digest
):
    wallet = deployer.deploy(project.ReenteringWallet, wallet_owner)
    enroll(wallet, CUSTOMS)
    request, signature = attest_request(wallet, nonce=7, text="once", key=wallet_owner)
    wallet.arm(
        notary, notary.attestBySig.encode_input(request.as_tuple(), signature), sender=deployer
    )
    tx = notary.attestBySig(request.as_tuple(), signature, sender=outsider)
    assert len(tx.decode_logs(notary.Attested)) == 1
    with ape.reverts(notary.NotaryNonceUsed, nonce=7):
        notary.attestBySig(request.as_tuple(), signature, sender=outsider)


def test_erc1271_reentrancy__wallet_reenters_revoke__record_stays_valid(
    project,
    deployer,
    notary,
    client,
    enroll,
    chain,
    wallet_owner,
    customs_notary,
    outsider,
    schema_id,
    digest,
):
    wallet = deployer.deploy(project.ReenteringWallet, wallet_owner)
    enroll(wallet, CUSTOMS)
    rid, _ = client.attest(digest("kept"), schema_id, sender=customs_notary)
    request = eip712.RevokeRequest(
        revoker=wallet.address, org_id=CUSTOMS, id=rid, reason=1, nonce=3,
        deadline=chain.pending_timestamp + 60,
    )  # fmt: skip
    signature = client.sign(request, wallet_owner.private_key)
    # The wallet tries to revoke a second record directly while vouching for the first.
    other, _ = client.attest(digest("other"), schema_id, sender=customs_notary)
    wallet.arm(notary, notary.revoke.encode_input(other, 9), sender=deployer)
    tx = client.revoke_by_sig(request, signature, sender=outsider)
    assert [bytes(e.id) for e in tx.decode_logs(notary.Revoked)] == [rid]
    assert client.status(other) == Status.VALID
