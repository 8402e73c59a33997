"""Finding 3 of issue 11: a failed message stayed retryable forever.

A message proven under a validator set that governance later retired stayed ``failed``, and
anyone could ``retry`` it after the rotation (and after a pause and resume): whatever the
retired keys proved kept a way in. Decision (docs/bus.md, "Failed messages"): the bus records
the validator-set epoch a message was proven under; anyone may retry while that set is the
origin's current one; after a rotation only the Consortium may retry it (a CALL proposal), or
discard it for good. A pause stops retries; resume restores the rule as it was (governance
discards what it does not want retried before resuming).

On the old code there is no ``discard`` and ``retry`` after a rotation succeeds, so each test
below fails there.
"""

import ape

from tests.utils.bus_harness import ORIGIN, ORIGIN_BUS, govern, process

RETRY_GAS = 1_000_000


def _sorted(keys):
    return sorted((k.address for k in keys), key=lambda a: int(a, 16))


def _fail(bus, sim, recorder, signers, relayer):
    """A message whose recipient reverts: delivered once, now in the failed state."""
    recorder.setFailing(True, sender=relayer)
    message = sim.add(recorder, b"late")
    tx = process(bus, sim, message, signers, relayer)
    assert len(tx.decode_logs(bus.DeliveryFailed)) == 1
    recorder.setFailing(False, sender=relayer)
    return message


def _rotate(bus, gov, approvers, validator_keys):
    keys = [validator_keys[n] for n in ("forex", "ministry", "customs_2")]
    govern(gov, approvers, bus, "setValidators", ORIGIN, ORIGIN_BUS, _sorted(keys), 2)


def _proposal(gov, approvers, bus, method, *args):
    """Propose and approve ``bus.method(*args)`` as a CALL; returns the id (not executed)."""
    data = getattr(bus, method).encode_input(*args)
    pid = gov.propose("call", sender=approvers[0], target=bus, data=data)
    gov.approve(pid, sender=approvers[1])
    return pid


def test_failed_message__discarded_by_governance__never_retried_or_delivered(
    bus_setup, bus_gov, bus_approvers, origin_sim, recorder, three_signers, relayer, outsider
):
    bus = bus_setup
    message = _fail(bus, origin_sim, recorder, three_signers, relayer)
    assert bus.failure(message.id) == (True, False, 1)
    pid = _proposal(bus_gov, bus_approvers, bus, "discard", message.encode())
    tx = bus_gov.execute(pid, sender=bus_approvers[0])
    (event,) = tx.decode_logs(bus.Discarded)
    assert (bytes(event.id), event.origin, event.nonce) == (message.id, ORIGIN, message.nonce)
    assert bus.failure(message.id) == (False, True, 1)
    assert not bus.failed(message.id) and bus.processed(ORIGIN, message.nonce)
    # The recipient works again, but the message is gone: no retry, no second delivery.
    with ape.reverts(bus.MessageBusNotFailed, id=message.id):
        bus.retry(message.encode(), sender=outsider, gas_limit=RETRY_GAS)
    with ape.reverts(bus.MessageBusAlreadyProcessed, id=message.id):
        process(bus, origin_sim, message, three_signers, relayer)
    assert recorder.received() == 0


def test_discard__not_consortium__reverts(
    bus_setup, origin_sim, recorder, three_signers, relayer, customs_admin
):
    message = _fail(bus_setup, origin_sim, recorder, three_signers, relayer)
    with ape.reverts(bus_setup.MessageBusNotConsortium, caller=customs_admin.address):
        bus_setup.discard(message.encode(), sender=customs_admin)
    assert bus_setup.failed(message.id)


def test_discard__delivered_or_discarded_message__reverts(
    bus_setup, bus_gov, bus_approvers, origin_sim, recorder, three_signers, relayer
):
    bus = bus_setup
    delivered = origin_sim.add(recorder)
    process(bus, origin_sim, delivered, three_signers, relayer)
    with ape.reverts(bus.MessageBusNotFailed, id=delivered.id):
        govern(bus_gov, bus_approvers, bus, "discard", delivered.encode())
    failed = _fail(bus, origin_sim, recorder, three_signers, relayer)
    govern(bus_gov, bus_approvers, bus, "discard", failed.encode())
    with ape.reverts(bus.MessageBusNotFailed, id=failed.id):
        govern(bus_gov, bus_approvers, bus, "discard", failed.encode())


def test_failed_message__after_rotation__anyone_refused_governance_retries(
    bus_setup, bus_gov, bus_approvers, validator_keys, origin_sim, recorder, three_signers,
    relayer, outsider,
):  # fmt: skip
    bus = bus_setup
    message = _fail(bus, origin_sim, recorder, three_signers, relayer)
    _rotate(bus, bus_gov, bus_approvers, validator_keys)
    for caller in (relayer, outsider):
        with ape.reverts(
            bus.MessageBusRetryNeedsGovernance, id=message.id, provenEpoch=1, currentEpoch=2
        ):
            bus.retry(message.encode(), sender=caller, gas_limit=RETRY_GAS)
    assert bus.failed(message.id) and recorder.received() == 0
    pid = _proposal(bus_gov, bus_approvers, bus, "retry", message.encode())
    tx = bus_gov.execute(pid, sender=bus_approvers[0])
    (retried,) = tx.decode_logs(bus.Retried)
    assert (bytes(retried.id), retried.by) == (message.id, bus_gov.consortium.address)
    (delivered,) = tx.decode_logs(bus.Delivered)
    assert (bytes(delivered.id), delivered.origin, delivered.nonce) == (
        message.id, ORIGIN, message.nonce,
    )  # fmt: skip
    assert bus.failure(message.id) == (False, False, 0)
    assert recorder.received() == 1


def test_failed_message__governance_retry_fails_again__stays_with_its_old_set(
    bus_setup, bus_gov, bus_approvers, validator_keys, origin_sim, recorder, three_signers,
    relayer,
):  # fmt: skip
    bus = bus_setup
    message = _fail(bus, origin_sim, recorder, three_signers, relayer)
    _rotate(bus, bus_gov, bus_approvers, validator_keys)
    recorder.setFailing(True, sender=relayer)
    govern(bus_gov, bus_approvers, bus, "retry", message.encode())
    # Failing again under governance does not adopt the message into the new set.
    assert bus.failure(message.id) == (True, False, 1)
    recorder.setFailing(False, sender=relayer)
    with ape.reverts(bus.MessageBusRetryNeedsGovernance):
        bus.retry(message.encode(), sender=relayer, gas_limit=RETRY_GAS)


def test_failed_message__pause_and_resume_same_set__retry_stops_then_reopens(
    bus_setup, bus_gov, bus_approvers, origin_sim, recorder, three_signers, relayer,
    customs_admin, outsider,
):  # fmt: skip
    bus = bus_setup
    message = _fail(bus, origin_sim, recorder, three_signers, relayer)
    bus.pause(ORIGIN, sender=customs_admin)
    with ape.reverts(bus.MessageBusOriginPaused, origin=ORIGIN):
        bus.retry(message.encode(), sender=outsider, gas_limit=RETRY_GAS)
    govern(bus_gov, bus_approvers, bus, "resume", ORIGIN)
    # Governance resumed without replacing the set: it still trusts what the set proved.
    tx = bus.retry(message.encode(), sender=outsider, gas_limit=RETRY_GAS)
    assert len(tx.decode_logs(bus.Delivered)) == 1
    assert recorder.received() == 1


def test_failed_message__pause_rotation_resume__needs_governance_discard_while_paused(
    bus_setup, bus_gov, bus_approvers, validator_keys, origin_sim, recorder, three_signers,
    relayer, customs_admin, outsider,
):  # fmt: skip
    bus = bus_setup
    suspicious = _fail(bus, origin_sim, recorder, three_signers, relayer)
    parked = _fail(bus, origin_sim, recorder, three_signers, relayer)
    bus.pause(ORIGIN, sender=customs_admin)
    # The incident response: discard during the pause, rotate the keys, resume.
    govern(bus_gov, bus_approvers, bus, "discard", suspicious.encode())
    _rotate(bus, bus_gov, bus_approvers, validator_keys)
    govern(bus_gov, bus_approvers, bus, "resume", ORIGIN)
    with ape.reverts(bus.MessageBusNotFailed, id=suspicious.id):
        bus.retry(suspicious.encode(), sender=outsider, gas_limit=RETRY_GAS)
    with ape.reverts(bus.MessageBusRetryNeedsGovernance, id=parked.id):
        bus.retry(parked.encode(), sender=outsider, gas_limit=RETRY_GAS)
    assert recorder.received() == 0
