"""Mirroring refusals of the Notary itself (delivery through a real bus: tests/unit/bus)."""

import ape
import pytest
from eth_abi.abi import encode

from trustspace.notary.tree import MerkleTree

CUSTOMS_CHAIN = 31338
PEER = "0x000000000000000000000000000000000000b0B0"


@pytest.fixture
def governed(notary, notary_gov, approvers):
    """Builder: ``governed("setPeer", chain_id, address)`` through an approved proposal."""

    def call(method, *args):
        data = getattr(notary, method).encode_input(*args)
        notary_gov.enact("call", approvers=approvers, target=notary, data=data)

    return call


def test_mirror__batch_with_no_peer__reverts_no_peer(
    notary, client, customs_notary, schema_id, digest
):
    # Batches are mirrored like attestations (tests/unit/notary/test_mirror_batch.py).
    batch, _ = client.anchor_batch(MerkleTree([digest("a")]), schema_id, sender=customs_notary)
    with ape.reverts(notary.NotaryNoPeer, chainId=CUSTOMS_CHAIN):
        notary.mirror(batch, CUSTOMS_CHAIN, sender=customs_notary)


def test_mirror__unknown_record__reverts(notary, customs_notary):
    with ape.reverts(notary.NotaryUnknownRecord, id=b"\x07" * 32):
        notary.mirror(b"\x07" * 32, CUSTOMS_CHAIN, sender=customs_notary)


def test_mirror__peer_but_no_bus__reverts(
    notary, client, governed, customs_notary, schema_id, digest
):
    governed("setPeer", CUSTOMS_CHAIN, PEER)
    rid, _ = client.attest(digest(), schema_id, sender=customs_notary)
    with ape.reverts(notary.NotaryNoBus, notary=notary.address):
        notary.mirror(rid, CUSTOMS_CHAIN, sender=customs_notary)


def test_handle__from_the_bus_but_not_the_peer__reverts(notary, governed, bus_stand_in, outsider):
    # The bus proves where a message came from; the Notary trusts only its registered peer.
    governed("setBus", bus_stand_in)  # an account standing in for the bus
    governed("setPeer", CUSTOMS_CHAIN, PEER)
    body = encode(["bytes32", "uint256"], [b"\x01" * 32, 1])
    with ape.reverts(notary.NotaryUntrustedSender, origin=CUSTOMS_CHAIN, sender=outsider.address):
        notary.handle(CUSTOMS_CHAIN, outsider, body, sender=bus_stand_in)
    with ape.reverts(notary.NotaryUntrustedSender, origin=31339, sender=PEER):
        notary.handle(31339, PEER, body, sender=bus_stand_in)  # no peer for that chain
