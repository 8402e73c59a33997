"""Dispatch on the origin side: permitted senders, message layout, the tree mirror."""

import ape
import pytest
from ape.utils import ZERO_ADDRESS
from eth_utils.crypto import keccak

from tests.utils.bus_harness import ORIGIN, ORIGIN_BUS, OTHER_ORIGIN, govern
from trustspace.bus.message import Message
from trustspace.bus.tree import ZERO_HASHES, IncrementalTree


def test_dispatch__permitted_sender__emits_full_message_and_updates_root(
    bus_setup, bus_sender, noop, chain
):
    bus = bus_setup
    tree = IncrementalTree()
    assert bus.root() == ZERO_HASHES[32]
    for i in range(5):
        tx = bus.dispatch(ORIGIN, noop, b"body %d" % i, sender=bus_sender)
        (event,) = tx.decode_logs(bus.Dispatched)
        message = Message.decode(bytes(event.message))
        assert message == Message(
            nonce=i, origin=chain.chain_id, sender=bus_sender.address, destination=ORIGIN,
            destination_bus=ORIGIN_BUS, recipient=noop.address, body=b"body %d" % i,
        )  # fmt: skip
        assert bytes(event.id) == message.id == keccak(bytes(event.message))
        assert event.destination == ORIGIN and event.nonce == i
        tree.insert(message.id)
        assert bytes(bus.root()) == tree.root()
    assert bus.count() == 5
    root, count = bus.tree()
    assert (bytes(root), count) == (tree.root(), 5)


def test_dispatch__unregistered_sender__reverts(bus_setup, outsider, noop):
    with ape.reverts(bus_setup.MessageBusSenderNotPermitted, sender=outsider.address):
        bus_setup.dispatch(ORIGIN, noop, b"x", sender=outsider)


def test_dispatch__sender_disallowed_by_governance__reverts(
    bus_setup, bus_gov, bus_approvers, bus_sender, noop
):
    govern(bus_gov, bus_approvers, bus_setup, "setSender", bus_sender, False)
    assert not bus_setup.isSender(bus_sender)
    with ape.reverts(bus_setup.MessageBusSenderNotPermitted):
        bus_setup.dispatch(ORIGIN, noop, b"x", sender=bus_sender)


def test_set_sender__not_consortium__reverts(bus_setup, customs_admin, outsider):
    with ape.reverts(bus_setup.MessageBusNotConsortium, caller=customs_admin.address):
        bus_setup.setSender(outsider, True, sender=customs_admin)


@pytest.mark.parametrize("destination", ["local", 0, "unnamed"])
def test_dispatch__to_a_chain_without_a_named_bus__reverts(
    bus_setup, bus_sender, noop, chain, destination
):
    dest = {"local": chain.chain_id, "unnamed": OTHER_ORIGIN}.get(destination, destination)
    with ape.reverts(bus_setup.MessageBusUnknownDestination, destination=dest):
        bus_setup.dispatch(dest, noop, b"x", sender=bus_sender)


@pytest.mark.parametrize("destination", ["local", 0])
def test_set_destination_bus__this_chain_or_zero__reverts(
    bus_setup, bus_gov, bus_approvers, chain, destination
):
    dest = chain.chain_id if destination == "local" else destination
    with ape.reverts(bus_setup.MessageBusBadDestination, destination=dest):
        govern(bus_gov, bus_approvers, bus_setup, "setDestinationBus", dest, ORIGIN_BUS)


def test_set_destination_bus__not_consortium__reverts(bus_setup, customs_admin):
    with ape.reverts(bus_setup.MessageBusNotConsortium, caller=customs_admin.address):
        bus_setup.setDestinationBus(OTHER_ORIGIN, ORIGIN_BUS, sender=customs_admin)


def test_set_destination_bus__repointed__new_messages_name_the_new_bus(
    bus_setup, bus_gov, bus_approvers, bus_sender, noop
):
    redeployed = "0x" + "b2" * 20
    data = bus_setup.setDestinationBus.encode_input(ORIGIN, redeployed)
    pid = bus_gov.propose("call", sender=bus_approvers[0], target=bus_setup, data=data)
    bus_gov.approve(pid, sender=bus_approvers[1])
    tx = bus_gov.execute(pid, sender=bus_approvers[0])
    (event,) = tx.decode_logs(bus_setup.DestinationBusChanged)
    assert (event.destination, event.bus.lower()) == (ORIGIN, redeployed)
    assert bus_setup.destinationBus(ORIGIN).lower() == redeployed
    sent = bus_setup.dispatch(ORIGIN, noop, b"x", sender=bus_sender)
    message = Message.decode(bytes(sent.decode_logs(bus_setup.Dispatched)[0].message))
    assert message.destination_bus.lower() == redeployed
    # Zero stops dispatching to that chain.
    govern(bus_gov, bus_approvers, bus_setup, "setDestinationBus", ORIGIN, ZERO_ADDRESS)
    with ape.reverts(bus_setup.MessageBusUnknownDestination, destination=ORIGIN):
        bus_setup.dispatch(ORIGIN, noop, b"x", sender=bus_sender)


def test_dispatch__tree_full__reverts(bus_setup, bus_sender, noop, chain):
    # Slots 0-31 hold the tree branch, slot 32 the count; 2**32 - 1 messages fill the tree.
    chain.provider.env.set_storage(bus_setup.address, 32, 2**32 - 1)
    assert bus_setup.count() == 2**32 - 1
    with ape.reverts(bus_setup.MessageBusTreeFull, count=2**32 - 1):
        bus_setup.dispatch(ORIGIN, noop, b"x", sender=bus_sender)


def test_dispatch__zero_recipient__reverts(bus_setup, bus_sender):
    with ape.reverts(bus_setup.MessageBusZeroRecipient):
        bus_setup.dispatch(ORIGIN, ZERO_ADDRESS, b"x", sender=bus_sender)


def test_dispatch__body_too_large__reverts(bus_setup, bus_sender, noop):
    with ape.reverts(bus_setup.MessageBusBodyTooLarge):
        bus_setup.dispatch(ORIGIN, noop, b"\x01" * 16385, sender=bus_sender)


def test_dispatch_ordered__numbers_each_lane(bus_setup, bus_sender, noop, recorder):
    bus = bus_setup
    seqs = []
    for recipient in (noop, noop, recorder, noop):
        tx = bus.dispatchOrdered(ORIGIN, recipient, b"o", sender=bus_sender)
        seqs.append(Message.decode(bytes(tx.decode_logs(bus.Dispatched)[0].message)).sequence)
    assert seqs == [1, 2, 1, 3]
    assert bus.outgoingSequence(ORIGIN, bus_sender, noop) == 3
