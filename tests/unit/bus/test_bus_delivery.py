"""Delivery on the destination: one-call, accepted checkpoints and batches, failures and retries."""

import ape
from eth_utils.crypto import keccak

from tests.utils.bus_harness import DELIVERY_GAS, ORIGIN, ORIGIN_BUS, accept, deliver, process, sign


def test_process__three_of_five__delivers_once_and_records(
    bus_setup, origin_sim, recorder, three_signers, relayer, bus_sender
):
    bus = bus_setup
    message = origin_sim.add(recorder, b"declaration 42", sender=bus_sender)
    tx = process(bus, origin_sim, message, three_signers, relayer)
    (event,) = tx.decode_logs(bus.Delivered)
    assert (bytes(event.id), event.origin, event.nonce) == (message.id, ORIGIN, 0)
    assert recorder.received() == 1
    assert (recorder.lastOrigin(), recorder.lastSender(), bytes(recorder.lastBody())) == (
        ORIGIN, bus_sender.address, b"declaration 42",
    )  # fmt: skip
    assert bus.processed(ORIGIN, 0)
    assert not bus.failed(message.id)
    assert not bus.processed(ORIGIN, 1)


def test_process__two_of_five__reverts(bus_setup, origin_sim, recorder, validator_keys, relayer):
    message = origin_sim.add(recorder)
    with ape.reverts(bus_setup.MessageBusBelowThreshold, organisations=2, threshold=3):
        process(
            bus_setup,
            origin_sim,
            message,
            [validator_keys["tax"], validator_keys["forex"]],
            relayer,
        )


def test_accept_checkpoint__emits_signing_organisations(
    bus_setup, origin_sim, recorder, validator_keys, relayer
):
    bus = bus_setup
    origin_sim.add(recorder)
    cp = origin_sim.checkpoint()
    signers = [validator_keys[n] for n in ("tax", "forex", "ministry", "maritime")]
    tx = bus.acceptCheckpoint(ORIGIN, cp.root, cp.index, sign(cp, signers), sender=relayer)
    (event,) = tx.decode_logs(bus.CheckpointAccepted)
    assert (event.origin, bytes(event.root), event.index) == (ORIGIN, cp.root, 0)
    assert event.organisations == (1 << 2) | (1 << 3) | (1 << 4) | (1 << 5)
    assert bus.checkpoint(ORIGIN, cp.root) == (True, 0)


def test_checkpoint_digest__matches_python(bus_setup):
    from trustspace.bus.checkpoint import DOMAIN_SEPARATOR, Checkpoint

    cp = Checkpoint(ORIGIN, ORIGIN_BUS, keccak(b"root"), 7)
    assert bytes(bus_setup.domainSeparator()) == DOMAIN_SEPARATOR
    assert bytes(bus_setup.checkpointDigest(ORIGIN, ORIGIN_BUS, cp.root, 7)) == cp.digest()


def test_deliver__batch_under_accepted_checkpoint__delivers_all(
    bus_setup, origin_sim, recorder, noop, three_signers, relayer
):
    bus = bus_setup
    messages = [origin_sim.add(recorder if i % 2 else noop, b"m%d" % i) for i in range(7)]
    accept(bus, origin_sim, three_signers, relayer)
    tx = deliver(bus, origin_sim, messages[1:6], relayer)
    assert [e.nonce for e in tx.decode_logs(bus.Delivered)] == [1, 2, 3, 4, 5]
    assert recorder.received() == 3
    assert [bus.processed(ORIGIN, i) for i in range(7)] == [
        False,
        True,
        True,
        True,
        True,
        True,
        False,
    ]


def test_deliver__unaccepted_checkpoint__reverts(bus_setup, origin_sim, recorder, relayer):
    message = origin_sim.add(recorder)
    with ape.reverts(bus_setup.MessageBusUnknownCheckpoint):
        deliver(bus_setup, origin_sim, [message], relayer)


def test_deliver__older_checkpoint_still_usable(
    bus_setup, origin_sim, recorder, three_signers, relayer
):
    bus = bus_setup
    first = origin_sim.add(recorder, b"a")
    accept(bus, origin_sim, three_signers, relayer)
    origin_sim.add(recorder, b"b")
    accept(bus, origin_sim, three_signers, relayer)
    deliver(bus, origin_sim, [origin_sim.messages[1]], relayer)
    # The first message under the first (one-leaf) root: height 0, the leaf is the subroot.
    bus.deliver(
        ORIGIN,
        origin_sim.tree.root(1),
        0,
        first.id,
        [first.encode()],
        [],
        sender=relayer,
        gas_limit=DELIVERY_GAS,
    )
    assert recorder.received() == 2


def test_recipient_reverts__failed_then_retried_after_fix(
    bus_setup, origin_sim, recorder, three_signers, relayer, outsider
):
    bus = bus_setup
    recorder.setFailing(True, sender=relayer)
    message = origin_sim.add(recorder, b"late")
    tx = process(bus, origin_sim, message, three_signers, relayer)
    (event,) = tx.decode_logs(bus.DeliveryFailed)
    assert bytes(event.id) == message.id
    # RecordingRecipientRefused(0)
    assert (
        bytes(event.reason) == keccak(text="RecordingRecipientRefused(uint256)")[:4] + b"\x00" * 32
    )
    assert bus.failed(message.id) and bus.processed(ORIGIN, 0)
    # Still failing: stays failed.
    tx = bus.retry(message.encode(), sender=outsider, gas_limit=1_000_000)
    assert tx.decode_logs(bus.DeliveryFailed) and bus.failed(message.id)
    recorder.setFailing(False, sender=relayer)
    tx = bus.retry(message.encode(), sender=outsider, gas_limit=1_000_000)
    (retried,) = tx.decode_logs(bus.Retried)
    assert (bytes(retried.id), retried.by) == (message.id, outsider.address)
    assert len(tx.decode_logs(bus.Delivered)) == 1
    assert not bus.failed(message.id)
    assert recorder.received() == 1
    with ape.reverts(bus.MessageBusNotFailed):
        bus.retry(message.encode(), sender=outsider, gas_limit=1_000_000)


def test_recipient_without_code__failed_not_reverted(
    bus_setup, origin_sim, three_signers, relayer, outsider
):
    bus = bus_setup
    message = origin_sim.add(outsider)
    tx = process(bus, origin_sim, message, three_signers, relayer)
    (event,) = tx.decode_logs(bus.DeliveryFailed)
    assert bytes(event.reason)[:4] == keccak(text="MessageBusRecipientNotContract(address)")[:4]


def test_ordered_lane__in_sequence_delivers_out_of_sequence_reverts(
    bus_setup, origin_sim, recorder, three_signers, relayer, bus_sender
):
    bus = bus_setup
    first = origin_sim.add(recorder, b"1", sender=bus_sender, sequence=1)
    second = origin_sim.add(recorder, b"2", sender=bus_sender, sequence=2)
    accept(bus, origin_sim, three_signers, relayer)
    with ape.reverts(bus.MessageBusOutOfOrder, expected=1, actual=2):
        deliver(bus, origin_sim, [second], relayer)
    deliver(bus, origin_sim, [first, second], relayer)
    assert bus.deliveredSequence(ORIGIN, bus_sender, recorder) == 2


def test_ordered_lane__recipient_failure_reverts_and_lane_waits(
    bus_setup, origin_sim, recorder, three_signers, relayer, bus_sender
):
    bus = bus_setup
    recorder.setFailing(True, sender=relayer)
    first = origin_sim.add(recorder, b"1", sender=bus_sender, sequence=1)
    accept(bus, origin_sim, three_signers, relayer)
    with ape.reverts(bus.MessageBusOrderedDeliveryFailed):
        deliver(bus, origin_sim, [first], relayer)
    assert not bus.processed(ORIGIN, 0)
    recorder.setFailing(False, sender=relayer)
    deliver(bus, origin_sim, [first], relayer)
    assert recorder.received() == 1


def test_prepare_flags__marks_words_without_processing_anything(
    bus_setup, origin_sim, recorder, three_signers, relayer, outsider
):
    bus = bus_setup
    assert not bus.flagsPrepared(ORIGIN, 0)
    bus.prepareFlags(ORIGIN, 0, 2, sender=outsider)
    assert bus.flagsPrepared(ORIGIN, 0) and bus.flagsPrepared(ORIGIN, 1)
    assert not any(bus.processed(ORIGIN, n) for n in (0, 1, 254, 255, 509))
    message = origin_sim.add(recorder)
    process(bus, origin_sim, message, three_signers, relayer)
    assert bus.processed(ORIGIN, 0) and not bus.processed(ORIGIN, 1)
    # Preparing again leaves a word in use untouched.
    bus.prepareFlags(ORIGIN, 0, 1, sender=outsider)
    assert bus.processed(ORIGIN, 0)
