"""The MessageBus as an ERC-7786 gateway: `sendMessage` with ERC-7930 recipients on the origin,
delivery to OpenZeppelin's `ERC7786Recipient` (5.5, unmodified) on the destination.

Two chains in one in-process EVM: the origin bus is deployed while the EVM answers CHAINID
with ``ORIGIN``, so its messages come from ``ORIGIN``; the destination bus lives on the test
chain. Both are governed by the bus fixtures' Consortium, whose validators sign the origin's
checkpoints.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager

import ape
import pytest
from click.testing import CliRunner
from eth_abi.abi import encode
from eth_utils.crypto import keccak
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from web3.logs import DISCARD

from tests.fuzz.strategies.bus import addresses
from tests.utils.bus_harness import (
    DELIVERY_GAS,
    ORIGIN,
    RECIPIENT_GAS,
    accept,
    deliver,
    govern,
    process,
    sign,
)
from tests.utils.bus_local import (
    RELAYER_INDEX,
    SENDER_INDEX,
    LocalBus,
    mnemonic_key,
    write_config,
)
from tests.utils.contracts import test_contract
from trustspace.bus.checkpoint import Checkpoint
from trustspace.bus.config import load_config
from trustspace.bus.interop import InteropAddressError, decode_evm, encode_evm
from trustspace.bus.message import Message, MessageFormatError, MessageKind
from trustspace.bus.relayer import Relayer
from trustspace.bus.signatures import SignatureStore
from trustspace.bus.store import RelayStore
from trustspace.bus.tree import MessageTree
from trustspace.bus.validator import Validator
from trustspace.bus.web3tx import TxSender
from trustspace.cli import main as cli_main
from trustspace.devnet.chains import free_port, local_chains
from trustspace.networks import DEFAULT_CHAINS, ChainSpec

#: A recipient on ORIGIN (it never runs here: origin-side tests only).
PEER = "0x000000000000000000000000000000000000B0B0"


@contextmanager
def chain_id_of(chain, chain_id: int) -> Iterator[None]:
    """Run a block with the in-process EVM answering CHAINID with ``chain_id``."""
    env = chain.provider.env
    previous = env.evm.patch.chain_id
    env.evm.patch.chain_id = chain_id
    try:
        yield
    finally:
        env.evm.patch.chain_id = previous


@pytest.fixture
def gateways(project, chain, deployer, five_org_consortium, bus_gov, bus_approvers, bus_setup,
             validator_keys, bus_sender):  # fmt: skip
    """(origin bus on ORIGIN, destination bus on the test chain), peered: the destination
    takes ORIGIN's checkpoints from the five validators (threshold 3), and ``bus_sender`` may
    send on the origin. ``bus_setup`` registered the validators in the Consortium."""
    if getattr(chain.provider, "env", None) is None:
        pytest.skip("needs the in-process provider (boa) to deploy on a second chain id")
    with chain_id_of(chain, ORIGIN):
        origin_bus = deployer.deploy(project.MessageBus, five_org_consortium, RECIPIENT_GAS)
    dest_bus = deployer.deploy(project.MessageBus, five_org_consortium, RECIPIENT_GAS)
    keys = sorted((k.address for k in validator_keys.values()), key=lambda a: int(a, 16))
    govern(bus_gov, bus_approvers, dest_bus, "setValidators", ORIGIN, origin_bus, keys, 3)
    govern(bus_gov, bus_approvers, origin_bus, "setSender", bus_sender, True)
    govern(bus_gov, bus_approvers, origin_bus, "setDestinationBus", chain.chain_id, dest_bus)
    return origin_bus, dest_bus


@pytest.fixture
def oz_recipient(project, deployer, gateways):
    """OpenZeppelin's ERC7786Recipient with the destination bus as its one gateway."""
    return deployer.deploy(project.Erc7786RecordingRecipient, gateways[1])


def send(origin_bus, recipient_interop: bytes, payload: bytes, sender, **kw):
    return origin_bus.sendMessage(recipient_interop, payload, [], sender=sender, **kw)


def sent_message(origin_bus, tx) -> Message:
    (event,) = tx.decode_logs(origin_bus.Dispatched)
    return Message.decode(bytes(event.message))


def relay(dest_bus, messages: list[Message], signers, relayer, origin_bus):
    """Checkpoint the origin tree (all ``messages``) and process the last one."""
    tree = MessageTree([m.id for m in messages])
    n = len(messages)
    cp = Checkpoint(ORIGIN, origin_bus.address, tree.root(n), n - 1)
    i = n - 1
    return dest_bus.process(
        cp.root, cp.index, sign(cp, signers), messages[i].encode(), tree.proof(i, n),
        sender=relayer, gas_limit=DELIVERY_GAS,
    )  # fmt: skip


# ------------------------------------------------------------------ end to end


def test_send_message__checkpoint_and_process__oz_recipient_gets_id_sender_and_payload(
    gateways, oz_recipient, chain, bus_sender, three_signers, relayer
):
    origin_bus, dest_bus = gateways
    target = encode_evm(chain.chain_id, oz_recipient.address)
    tx = send(origin_bus, target, b"customs declaration 42", bus_sender)
    message = sent_message(origin_bus, tx)
    assert message.kind == MessageKind.ERC7786 and message.encode()[0] == 0x82
    assert (message.origin, message.sender, message.destination, message.recipient) == (
        ORIGIN, bus_sender.address, chain.chain_id, oz_recipient.address,
    )  # fmt: skip
    assert message.destination_bus == dest_bus.address
    (sent,) = tx.decode_logs(origin_bus.MessageSent)
    assert bytes(sent.sendId) == message.id == bytes(tx.return_value)
    assert bytes(sent.sender) == encode_evm(ORIGIN, bus_sender.address)
    assert bytes(sent.recipient) == target
    assert bytes(sent.payload) == b"customs declaration 42"
    assert (sent.value, list(sent.attributes)) == (0, [])

    tx = relay(dest_bus, [message], three_signers, relayer, origin_bus)
    (delivered,) = tx.decode_logs(dest_bus.Delivered)
    assert (bytes(delivered.id), delivered.origin, delivered.nonce) == (message.id, ORIGIN, 0)
    (processed,) = tx.decode_logs(oz_recipient.Processed)
    assert processed.gateway == dest_bus.address
    assert bytes(processed.receiveId) == message.id
    assert decode_evm(bytes(processed.sender)) == (ORIGIN, bus_sender.address)
    assert bytes(processed.payload) == b"customs declaration 42"
    assert oz_recipient.received() == 1
    assert not dest_bus.failed(message.id) and dest_bus.processed(ORIGIN, 0)


def test_dispatch__to_an_erc7786_recipient__is_a_failed_delivery(
    gateways, oz_recipient, chain, bus_sender, three_signers, relayer
):
    # The failing neighbour: the same recipient reached through `dispatch` gets `handle`,
    # which an ERC-7786 recipient does not have; the kind bit is what selects receiveMessage.
    origin_bus, dest_bus = gateways
    tx = origin_bus.dispatch(chain.chain_id, oz_recipient, b"x", sender=bus_sender)
    message = sent_message(origin_bus, tx)
    assert message.kind == MessageKind.HANDLE
    tx = relay(dest_bus, [message], three_signers, relayer, origin_bus)
    (failed,) = tx.decode_logs(dest_bus.DeliveryFailed)
    assert bytes(failed.id) == message.id and bytes(failed.reason) == b""
    assert dest_bus.failed(message.id) and oz_recipient.received() == 0


def test_deliver__batch_of_erc7786_and_handle_messages__each_its_own_way(
    bus_setup, origin_sim, project, deployer, recorder, three_signers, relayer, bus_sender
):
    bus = bus_setup
    erc = deployer.deploy(project.Erc7786RecordingRecipient, bus)
    first = origin_sim.add(erc, b"a", sender=bus_sender, kind=MessageKind.ERC7786)
    second = origin_sim.add(recorder, b"b", sender=bus_sender)
    third = origin_sim.add(erc, b"c", sender=bus_sender, kind=MessageKind.ERC7786)
    accept(bus, origin_sim, three_signers, relayer)
    tx = deliver(bus, origin_sim, [first, second, third], relayer)
    assert [e.nonce for e in tx.decode_logs(bus.Delivered)] == [0, 1, 2]
    assert [bytes(e.receiveId) for e in tx.decode_logs(erc.Processed)] == [first.id, third.id]
    assert erc.received() == 2 and recorder.received() == 1
    assert bytes(erc.lastPayload()) == b"c"
    assert decode_evm(bytes(erc.lastSender())) == (ORIGIN, bus_sender.address)


# ------------------------------------------------------------------ refused on the origin
# The bus fixture is the origin here: it sends to ORIGIN, whose bus it knows.


def test_send_message__attribute__reverts_unsupported_attribute(bus_setup, bus_sender):
    origin_bus = bus_setup
    target = encode_evm(ORIGIN, PEER)
    gas_limit = keccak(text="minGasLimit(uint256)")[:4]
    assert not origin_bus.supportsAttribute(gas_limit)
    attribute = gas_limit + encode(["uint256"], [100_000])
    with ape.reverts(origin_bus.UnsupportedAttribute, selector=gas_limit):
        origin_bus.sendMessage(target, b"x", [attribute], sender=bus_sender)
    # An empty attribute is still an attribute (of no key).
    with ape.reverts(origin_bus.UnsupportedAttribute, selector=b"\x00" * 4):
        origin_bus.sendMessage(target, b"x", [b""], sender=bus_sender)
    assert origin_bus.count() == 0


def test_send_message__native_value__reverts(bus_setup, chain, bus_sender):
    # ape-titanoboa 0.8.0a1 drops `value` from contract calls, so the call goes to boa directly.
    origin_bus = bus_setup
    data = origin_bus.sendMessage.encode_input(encode_evm(ORIGIN, PEER), b"x", [])
    env = chain.provider.env
    kw = {"to_address": origin_bus.address, "sender": bus_sender.address, "data": data}
    refused = env.execute_code(value=1, gas=1_000_000, **kw)
    assert refused.is_error
    assert bytes(refused.output) == keccak(text="MessageBusValueNotAccepted(uint256)")[:4] + encode(
        ["uint256"], [1]
    )
    accepted = env.execute_code(value=0, gas=1_000_000, **kw)
    assert not accepted.is_error


def test_send_message__unpermitted_sender__reverts(bus_setup, outsider):
    origin_bus = bus_setup
    target = encode_evm(ORIGIN, PEER)
    with ape.reverts(origin_bus.MessageBusSenderNotPermitted, sender=outsider.address):
        send(origin_bus, target, b"x", outsider)


# Named attacks on the recipient's ERC-7930 bytes: each is refused before anything is sent.
MALFORMED = {
    "wrong_chain_type": lambda good: good[:2] + b"\x00\x02" + good[4:],
    "wrong_version": lambda good: b"\x00\x02" + good[2:],
    "truncated_address": lambda good: good[:-1],
    "truncated_header": lambda good: good[:5],
    "trailing_byte": lambda good: good + b"\x00",
    "address_length_32": lambda good: good[: 5 + good[4]] + b"\x20" + b"\x00" * 12 + good[-20:],
    "no_chain_reference": lambda good: good[:4] + b"\x00" + good[5 + good[4] :],
    "leading_zero_reference": lambda good: (
        good[:4] + bytes([good[4] + 1, 0]) + good[5 : 5 + good[4]] + good[5 + good[4] :]
    ),
    # OpenZeppelin 5.5 adds these lengths in 8 bits: 250 + 6 wraps to 0.
    "reference_of_250_bytes": lambda good: good[:4] + b"\xfa" + b"\x01" * 250 + good[-21:],
}


@pytest.mark.parametrize("attack", sorted(MALFORMED))
def test_send_message__malformed_interop_recipient__reverts(bus_setup, bus_sender, attack):
    origin_bus = bus_setup
    bad = MALFORMED[attack](encode_evm(ORIGIN, PEER))
    with pytest.raises(InteropAddressError):
        decode_evm(bad)
    if attack == "wrong_chain_type":
        with ape.reverts(origin_bus.MessageBusUnsupportedChainType, chainType=b"\x00\x02"):
            send(origin_bus, bad, b"x", bus_sender)
    else:
        with ape.reverts(origin_bus.MessageBusBadInteropAddress, interop=bad):
            send(origin_bus, bad, b"x", bus_sender)
    assert origin_bus.count() == 0


def test_send_message__destination_is_this_chain__reverts(bus_setup, chain, bus_sender):
    origin_bus = bus_setup
    with ape.reverts(origin_bus.MessageBusUnknownDestination, destination=chain.chain_id):
        send(origin_bus, encode_evm(chain.chain_id, PEER), b"x", bus_sender)


def test_send_message__zero_recipient__reverts(bus_setup, bus_sender):
    origin_bus = bus_setup
    zero = "0x" + "00" * 20
    with ape.reverts(origin_bus.MessageBusZeroRecipient, sender=bus_sender.address):
        send(origin_bus, encode_evm(ORIGIN, zero), b"x", bus_sender)


def test_send_message__chain_id_above_uint32__reverts(bus_setup, bus_sender):
    origin_bus = bus_setup
    with ape.reverts(origin_bus.MessageBusBadDestination, destination=2**32):
        send(origin_bus, encode_evm(2**32, PEER), b"x", bus_sender)


def test_send_message__payload_above_maximum__reverts(bus_setup, bus_sender):
    origin_bus = bus_setup
    target = encode_evm(ORIGIN, PEER)
    with ape.reverts(origin_bus.MessageBusBodyTooLarge, size=16_385, max=16_384):
        send(origin_bus, target, b"\x01" * 16_385, bus_sender)


# ------------------------------------------------------------------ failed deliveries
# The bus fixture is the destination here, ORIGIN simulated in Python (tests/utils/bus_harness).


def test_wrong_selector__failed_then_retried_once_it_acknowledges(
    bus_setup, origin_sim, project, deployer, bus_sender, three_signers, relayer, outsider
):
    bus = bus_setup
    liar = deployer.deploy(project.Erc7786WrongSelectorRecipient)
    message = origin_sim.add(liar, b"x", sender=bus_sender, kind=MessageKind.ERC7786)
    tx = process(bus, origin_sim, message, three_signers, relayer)
    (failed,) = tx.decode_logs(bus.DeliveryFailed)
    wrong = bytes.fromhex("deadbeef") + b"\x00" * 28
    selector = keccak(text="MessageBusWrongReturnValue(address,bytes32)")[:4]
    assert bytes(failed.reason) == selector + encode(["address", "bytes32"], [liar.address, wrong])
    assert bus.failed(message.id) and liar.received() == 0
    # Still the wrong answer: still failed.
    tx = bus.retry(message.encode(), sender=outsider, gas_limit=DELIVERY_GAS)
    assert tx.decode_logs(bus.DeliveryFailed) and bus.failed(message.id)
    liar.setAcknowledging(True, sender=outsider)
    tx = bus.retry(message.encode(), sender=outsider, gas_limit=DELIVERY_GAS)
    assert [bytes(e.id) for e in tx.decode_logs(bus.Delivered)] == [message.id]
    assert not bus.failed(message.id) and liar.received() == 1


def test_recipient_trusting_another_gateway__failed_delivery(
    bus_setup, origin_sim, project, deployer, bus_sender, three_signers, relayer, outsider
):
    bus = bus_setup
    elsewhere = deployer.deploy(project.Erc7786RecordingRecipient, outsider)
    message = origin_sim.add(elsewhere, b"x", sender=bus_sender, kind=MessageKind.ERC7786)
    tx = process(bus, origin_sim, message, three_signers, relayer)
    (failed,) = tx.decode_logs(bus.DeliveryFailed)
    sender = encode_evm(ORIGIN, bus_sender.address)
    selector = keccak(text="ERC7786RecipientUnauthorizedGateway(address,bytes)")[:4]
    assert bytes(failed.reason) == selector + encode(["address", "bytes"], [bus.address, sender])
    assert bus.failed(message.id) and elsewhere.received() == 0
    with ape.reverts(bus.MessageBusAlreadyProcessed, id=message.id):
        process(bus, origin_sim, message, three_signers, relayer)


def test_recipient_without_code__failed_not_reverted(
    bus_setup, origin_sim, bus_sender, three_signers, relayer, outsider
):
    message = origin_sim.add(outsider, b"x", sender=bus_sender, kind=MessageKind.ERC7786)
    tx = process(bus_setup, origin_sim, message, three_signers, relayer)
    (failed,) = tx.decode_logs(bus_setup.DeliveryFailed)
    selector = keccak(text="MessageBusRecipientNotContract(address)")[:4]
    assert bytes(failed.reason) == selector + encode(["address"], [outsider.address])


def test_erc7786_message_to_the_consortium__reverts_protected(
    bus_setup, origin_sim, five_org_consortium, three_signers, relayer
):
    message = origin_sim.add(five_org_consortium, b"x", kind=MessageKind.ERC7786)
    with ape.reverts(bus_setup.MessageBusProtectedRecipient, recipient=five_org_consortium.address):
        process(bus_setup, origin_sim, message, three_signers, relayer)


# ------------------------------------------------------------------ ERC-7930, Python and contract


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(chain_id=st.integers(min_value=1, max_value=2**256 - 1), account=addresses)
def test_interop__python_encoding_parsed_by_the_contract__same_chain_and_address(
    bus_setup, bus_sender, chain_id, account
):
    bus = bus_setup
    interop = encode_evm(chain_id, account)
    assert decode_evm(interop) == (chain_id, account)
    if int(account, 16) == 0:
        return
    if chain_id == ORIGIN:
        message = sent_message(bus, send(bus, interop, b"", bus_sender))
        assert (message.destination, message.recipient) == (chain_id, account)
    elif chain_id < 2**32:
        # The chain id the contract read comes back in the error.
        with ape.reverts(bus.MessageBusUnknownDestination, destination=chain_id):
            bus.sendMessage.call(interop, b"", [], sender=bus_sender)
    else:
        with ape.reverts(bus.MessageBusBadDestination, destination=chain_id):
            bus.sendMessage.call(interop, b"", [], sender=bus_sender)


@pytest.mark.parametrize(
    ("chain_id", "reference"),
    [(1, "01"), (255, "ff"), (256, "0100"), (31_337, "7a69"), (2**32 - 1, "ffffffff"),
     (2**256 - 1, "ff" * 32)],
)  # fmt: skip
def test_encode_evm__minimal_big_endian_reference(chain_id, reference):
    account = "0x" + "ab" * 20
    raw = encode_evm(chain_id, account)
    ref = bytes.fromhex(reference)
    assert raw == b"\x00\x01\x00\x00" + bytes([len(ref)]) + ref + b"\x14" + b"\xab" * 20


def test_encode_evm__chain_zero_or_too_large__refused():
    for chain_id in (0, 2**256):
        with pytest.raises(InteropAddressError, match="between 1 and 2\\*\\*256 - 1"):
            encode_evm(chain_id, "0x" + "ab" * 20)


def test_message__erc7786_kind__round_trips_and_other_versions_refused():
    message = Message(
        nonce=3, origin=ORIGIN, sender="0x" + "11" * 20, destination=31_337,
        destination_bus="0x" + "22" * 20, recipient="0x" + "33" * 20, body=b"p",
        kind=MessageKind.ERC7786,
    )  # fmt: skip
    raw = message.encode()
    assert raw[0] == 0x82
    assert Message.decode(raw) == message and Message.decode(raw).kind == MessageKind.ERC7786
    for first in (0x81, 0x83, 0xFF):
        with pytest.raises(MessageFormatError, match=f"unknown message version {first}"):
            Message.decode(bytes([first]) + raw[1:])


# ------------------------------------------------------------------ the Python relayer


@pytest.mark.anvil
def test_relayer__process_path__delivers_an_erc7786_message(tmp_path):
    """Two anvil chains: a sendMessage on customs, three validators sign, the Python relayer
    (one message, checkpoint not yet accepted: its `process` path) delivers it to OpenZeppelin's
    ERC7786Recipient on tax, and `trustspace bus status` follows it."""
    specs = [ChainSpec(s.name, s.chain_id, free_port()) for s in DEFAULT_CHAINS[1:3]]
    with local_chains(specs) as chains:
        env = LocalBus(chains, tmp_path / "records")
        deps = env.deploy()
        customs, tax = deps["customs"], deps["tax"]
        sender = mnemonic_key(SENDER_INDEX)
        env.allow_sender("customs", sender.address)
        recipient = env.sender("tax").deploy(
            test_contract("Erc7786RecordingRecipient"), tax.bus.address
        )
        target = encode_evm(tax.chain_id, recipient.address)
        receipt = TxSender(customs.w3, sender).transact(
            customs.bus.functions.sendMessage(target, b"assessment request", []), gas=300_000
        )
        (event,) = customs.bus.events.Dispatched().process_receipt(receipt, errors=DISCARD)
        message = Message.decode(bytes(event["args"]["message"]))
        assert message.kind == MessageKind.ERC7786

        path = write_config(deps, tmp_path)
        config = load_config(path)
        signatures = SignatureStore(config.signatures)
        for key in env.validators[:3]:
            assert Validator(config.chains["customs"], key, signatures).tick() is not None
        relayer = Relayer(
            config, mnemonic_key(RELAYER_INDEX), RelayStore(tmp_path / "relay.sqlite"), signatures
        )
        relayer.run(until_idle=True)
        sent_txs = relayer.store.db.execute("SELECT kind FROM txs").fetchall()

        kinds = [row[0] for row in sent_txs]
        assert "process" in kinds and not {"accept", "deliver"} & set(kinds), kinds
        assert recipient.functions.received().call() == 1
        assert bytes(recipient.functions.lastReceiveId().call()) == message.id
        assert recipient.functions.lastGateway().call() == tax.bus.address
        assert decode_evm(bytes(recipient.functions.lastSender().call())) == (
            customs.chain_id, sender.address,
        )  # fmt: skip
        assert bytes(recipient.functions.lastPayload().call()) == b"assessment request"
        result = CliRunner().invoke(
            cli_main, ["bus", "status", "--config", str(path), "0x" + message.id.hex(), "--json"]
        )
        assert result.exit_code == 0, result.output
        status = json.loads(result.output)
        assert (status["state"], status["recipient"]) == ("delivered", recipient.address)
