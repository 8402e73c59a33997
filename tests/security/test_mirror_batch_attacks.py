"""Attacks on mirrored batches: what a destination Notary must never take as a foreign batch
or a document revocation, and the parity property it must keep with the origin.

customs (31338) mirrors to tax (31339) over two real MessageBuses on the in-process EVM
(tests/utils/notary_mirror.py). A delivery the Notary refuses is recorded by the bus as
failed (``DeliveryFailed`` with the Notary's custom error) and changes nothing.
"""

from __future__ import annotations

import ape
import pytest
from eth_abi.abi import encode
from eth_utils.crypto import keccak
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fuzz.strategies.notary import digests
from tests.utils.bus_harness import sign
from tests.utils.notary_mirror import CUSTOMS_CHAIN, TAX_CHAIN, build_pair
from trustspace.bus.checkpoint import Checkpoint
from trustspace.bus.message import Message
from trustspace.bus.tree import MessageTree
from trustspace.notary.client import Status

DOCUMENTS = [keccak(text=f"declaration {i}") for i in range(6)]
FORGED_ORIGIN = 31340
FORGED_ORIGIN_BUS = "0x00000000000000000000000000000000000f0F0F"


@pytest.fixture(scope="session")
def attacked_pair(project, chain, deployer, customs_admin, tax_admin, maritime_admin,
                  customs_notary, validator_keys, relayer):  # fmt: skip
    if getattr(chain.provider, "env", None) is None:
        pytest.skip("needs the in-process provider (boa) to switch chain ids")
    signers = [validator_keys[k] for k in ("customs", "tax", "maritime")]
    return build_pair(project, chain, deployer, (customs_admin, tax_admin, maritime_admin),
                      customs_notary, signers, relayer)  # fmt: skip


@pytest.fixture
def pair(attacked_pair):
    attacked_pair.messages.clear()  # ape resets the chains after each test
    return attacked_pair


def refused_with(tx, bus, error: str) -> bool:
    (failed,) = tx.decode_logs(bus.DeliveryFailed)
    return bytes(failed.reason)[:4] == keccak(text=error)[:4]


def allow_sender(pair, account) -> None:
    """customs' governance lets ``account`` dispatch on the customs bus (a rogue contract)."""
    with pair.on(CUSTOMS_CHAIN):
        pair.call(pair.gov_origin, pair.bus_origin, "setSender", account, True)


def rogue_dispatch(pair, account, body: bytes) -> Message:
    with pair.on(CUSTOMS_CHAIN):
        tx = pair.bus_origin.dispatch(TAX_CHAIN, pair.mirror, body, sender=account)
    return pair.track(tx)


def test_forged_origin__peer_address_on_an_unpeered_chain__refused(pair):
    # The same Notary address on another chain (same deployer and nonce): the tax bus trusts
    # that chain's checkpoints, but the tax Notary has no peer there.
    with pair.on(TAX_CHAIN):
        addresses = sorted((k.address for k in pair.signers), key=lambda a: int(a, 16))
        pair.call(pair.gov_dest, pair.bus_dest, "setValidators", FORGED_ORIGIN,
                  FORGED_ORIGIN_BUS, addresses, 2)  # fmt: skip
    batch, _ = pair.anchor(DOCUMENTS)
    word = int(pair.origin.record(batch).orgId) | 2 << 200 | len(DOCUMENTS) << 208
    message = Message(
        nonce=0, origin=FORGED_ORIGIN, sender=pair.origin.address, destination=TAX_CHAIN,
        destination_bus=pair.bus_dest.address, recipient=pair.mirror.address,
        body=encode(["bytes32", "uint256"], [batch, word]),
    )  # fmt: skip
    tree = MessageTree()
    tree.append(message.id)
    cp = Checkpoint(FORGED_ORIGIN, FORGED_ORIGIN_BUS, tree.root(1), 0)
    with pair.on(TAX_CHAIN):
        tx = pair.bus_dest.process(cp.root, cp.index, sign(cp, pair.signers), message.encode(),
                                   tree.proof(0, 1), sender=pair.relayer, gas_limit=3_000_000)  # fmt: skip
    assert refused_with(tx, pair.bus_dest, "NotaryUntrustedSender(uint32,address)")
    assert pair.mirror.status(pair.mirror.foreignId(FORGED_ORIGIN, batch)) == Status.UNKNOWN


def test_wrong_peer__batch_sent_by_another_contract_of_the_origin__refused(pair, outsider):
    allow_sender(pair, outsider)
    batch = keccak(b"forged batch")
    word = 1 | 2 << 200 | 4 << 208  # a 4-document batch of customs, as the peer would send it
    message = rogue_dispatch(pair, outsider, encode(["bytes32", "uint256"], [batch, word]))
    tx = pair.deliver(message)
    assert refused_with(tx, pair.bus_dest, "NotaryUntrustedSender(uint32,address)")
    assert pair.mirror.status(pair.foreign(batch)) == Status.UNKNOWN


def test_replay__same_batch_message_delivered_twice__refused_once_recorded(pair):
    batch, _ = pair.anchor(DOCUMENTS)
    message = pair.mirror_batch(batch)
    pair.deliver(message)
    with ape.reverts(pair.bus_dest.MessageBusAlreadyProcessed, id=message.id):
        pair.deliver(message)
    before = pair.mirror.record(pair.foreign(batch))
    # Mirroring the same batch again is a new message that brings nothing new.
    pair.deliver(pair.mirror_batch(batch))
    assert pair.mirror.record(pair.foreign(batch)) == before


def test_revocation__document_not_in_the_batch__refused_on_origin(pair):
    batch, tree = pair.anchor(DOCUMENTS)
    stranger = keccak(b"not in the batch")
    pair.revoke(batch, stranger)  # revokeDocument takes any digest; mirroring it does not
    with (
        pair.on(CUSTOMS_CHAIN),
        ape.reverts(pair.origin.NotaryNotIncluded, batchId=batch, document=stranger, index=0),
    ):
        pair.origin.mirrorDocumentRevocation(
            batch, stranger, 0, tree.proof(0), TAX_CHAIN, sender=pair.notary
        )


@pytest.mark.parametrize("forgery", ["wrong proof", "document not in the batch"])
def test_revocation__from_a_peer_with_a_bad_proof__refused_on_destination(pair, outsider, forgery):
    # Even the registered peer cannot plant a revocation the batch does not hold (a compromised
    # or buggy origin Notary): the destination checks the proof again.
    batch, tree = pair.anchor(DOCUMENTS)
    pair.deliver(pair.mirror_batch(batch))
    with pair.on(TAX_CHAIN):
        pair.call(pair.gov_dest, pair.mirror, "setPeer", CUSTOMS_CHAIN, outsider)
    allow_sender(pair, outsider)
    word = int.from_bytes(pair.messages[0].body[32:64], "big")
    document = DOCUMENTS[1] if forgery == "wrong proof" else keccak(b"stranger")
    revocation = 1_700_000_000 | 1 << 40
    body = encode(
        ["bytes32", "uint256", "bytes32", "uint256", "uint256", "bytes32[]"],
        [batch, word, document, revocation, 1, tree.proof(2)],
    )
    tx = pair.deliver(rogue_dispatch(pair, outsider, body))
    assert refused_with(tx, pair.bus_dest, "NotaryNotIncluded(bytes32,bytes32,uint256)")
    foreign = pair.foreign(batch)
    assert pair.mirror.documentRevocation(foreign, document) == (0, 0)
    assert pair.mirror.documentStatus(foreign, DOCUMENTS[1], 1, tree.proof(1)) == Status.VALID


def test_revocation__arrives_before_its_batch__batch_recorded_and_revocation_kept(pair):
    batch, tree = pair.anchor(DOCUMENTS)
    batch_message = pair.mirror_batch(batch)
    pair.revoke(batch, DOCUMENTS[3])
    revocation = pair.mirror_revocation(batch, tree, DOCUMENTS[3], 3)
    pair.deliver(revocation)
    foreign = pair.foreign(batch)
    assert pair.mirror.documentStatus(foreign, DOCUMENTS[3], 3, tree.proof(3)) == (
        Status.DOCUMENT_REVOKED
    )
    before = pair.mirror.record(foreign)
    pair.deliver(batch_message)  # the batch's own message, late: changes nothing
    assert pair.mirror.record(foreign) == before
    for i, doc in enumerate(DOCUMENTS):
        expected = Status.DOCUMENT_REVOKED if i == 3 else Status.VALID
        assert pair.mirror.documentStatus(foreign, doc, i, tree.proof(i)) == expected


@settings(
    max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    documents=st.lists(digests, min_size=1, max_size=8, unique=True),
    data=st.data(),
)
def test_parity__random_batches_and_revoked_subsets__destination_equals_origin(
    chain, pair, documents, data
):
    snapshot = chain.snapshot()
    pair.messages.clear()
    try:
        batch, tree = pair.anchor(documents)
        revoked = data.draw(st.sets(st.sampled_from(range(len(documents)))), label="revoked")
        messages = [pair.mirror_batch(batch)]
        for i in sorted(revoked):
            pair.revoke(batch, documents[i])
            messages.append(pair.mirror_revocation(batch, tree, documents[i], i))
        # Any delivery order: the bus does not promise one.
        order = data.draw(st.permutations(messages), label="delivery order")
        for message in order:
            pair.deliver(message)
        foreign = pair.foreign(batch)
        for i, doc in enumerate(documents):
            proof = tree.proof(i)
            there = pair.mirror.documentStatus(foreign, doc, i, proof)
            assert there == pair.origin.documentStatus(batch, doc, i, proof)
            assert there == (Status.DOCUMENT_REVOKED if i in revoked else Status.VALID)
    finally:
        chain.restore(snapshot)
