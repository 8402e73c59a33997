"""Issue 11, "also decide": a redeployed destination bus must not deliver old messages again.

A message id did not name the destination bus, only the destination chain. After the bus on
a chain is redeployed (a fresh contract: no processed flags) and governance gives it the
origin's validator set, every message the origin ever sent to that chain is under a genuine
checkpoint of the origin, so a relayer could deliver each again through the new bus.

Decision: bind it. The message header names the destination bus (message version 2), the
origin bus takes it from the governed ``destinationBus(destination)``, and a bus refuses a
message addressed to another bus with ``MessageBusWrongDestinationBus``. On the old code the
redeployed bus delivers the old message a second time (the recorder counts 2).
"""

import ape

from tests.utils.bus_harness import (
    ORIGIN,
    ORIGIN_BUS,
    RECIPIENT_GAS,
    accept,
    deliver,
    govern,
    process,
)


def test_redeployed_destination_bus__old_messages_replayed__refused(
    project, deployer, bus_setup, bus_gov, bus_approvers, five_org_consortium, validator_keys,
    origin_sim, recorder, three_signers, relayer,
):  # fmt: skip
    old_bus = bus_setup
    first = origin_sim.add(recorder, b"pay once")
    process(old_bus, origin_sim, first, three_signers, relayer)
    assert recorder.received() == 1
    # The destination chain redeploys its bus and governance trusts the same origin there.
    new_bus = deployer.deploy(project.MessageBus, five_org_consortium, RECIPIENT_GAS)
    keys = sorted((k.address for k in validator_keys.values()), key=lambda a: int(a, 16))
    govern(bus_gov, bus_approvers, new_bus, "setValidators", ORIGIN, ORIGIN_BUS, keys, 3)
    # Genuine signatures over the origin's real root: only the bus binding stops the replay.
    with ape.reverts(
        new_bus.MessageBusWrongDestinationBus, expected=new_bus.address, actual=old_bus.address
    ):
        process(new_bus, origin_sim, first, three_signers, relayer)
    accept(new_bus, origin_sim, three_signers, relayer)
    with ape.reverts(new_bus.MessageBusWrongDestinationBus):
        deliver(new_bus, origin_sim, [first], relayer)
    assert not new_bus.processed(ORIGIN, first.nonce)
    assert recorder.received() == 1


def test_redeployed_destination_bus__messages_for_it__delivered_there_only(
    project, deployer, bus_setup, bus_gov, bus_approvers, five_org_consortium, validator_keys,
    origin_sim, recorder, three_signers, relayer,
):  # fmt: skip
    old_bus = bus_setup
    new_bus = deployer.deploy(project.MessageBus, five_org_consortium, RECIPIENT_GAS)
    keys = sorted((k.address for k in validator_keys.values()), key=lambda a: int(a, 16))
    govern(bus_gov, bus_approvers, new_bus, "setValidators", ORIGIN, ORIGIN_BUS, keys, 3)
    # The origin re-pointed destinationBus: its next message names the new bus.
    message = origin_sim.add(recorder, b"after the move", destination_bus=new_bus.address)
    with ape.reverts(
        old_bus.MessageBusWrongDestinationBus, expected=old_bus.address, actual=new_bus.address
    ):
        process(old_bus, origin_sim, message, three_signers, relayer)
    tx = process(new_bus, origin_sim, message, three_signers, relayer)
    (event,) = tx.decode_logs(new_bus.Delivered)
    assert (bytes(event.id), event.origin, event.nonce) == (message.id, ORIGIN, message.nonce)
    assert recorder.received() == 1
