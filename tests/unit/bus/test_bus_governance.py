"""Validator sets, senders, pause and resume: only through the Consortium (pause: any ADMIN)."""

import ape

from tests.utils.bus_harness import (
    ORIGIN,
    ORIGIN_BUS,
    OTHER_ORIGIN,
    accept,
    deliver,
    govern,
    process,
)
from trustspace.consortium.constants import Role


def _sorted(keys):
    return sorted((k.address for k in keys), key=lambda a: int(a, 16))


def test_set_validators__records_organisations_from_consortium(bus_setup, validator_keys):
    keys, orgs = bus_setup.validators(ORIGIN)
    expected = {
        validator_keys[n].address: o
        for n, o in [
            ("customs", 1),
            ("tax", 2),
            ("maritime", 3),
            ("forex", 4),
            ("ministry", 5),
            ("customs_2", 1),
        ]
    }
    assert list(keys) == _sorted(validator_keys.values())
    assert dict(zip(keys, orgs, strict=True)) == expected
    assert bus_setup.originConfig(ORIGIN) == (ORIGIN_BUS, 3, 1, False)


def test_set_validators__event_carries_the_set(
    bus_setup, bus_gov, bus_approvers, validator_keys, five_org_consortium
):
    keys = _sorted([validator_keys["tax"], validator_keys["forex"]])
    data = bus_setup.setValidators.encode_input(OTHER_ORIGIN, ORIGIN_BUS, keys, 2)
    pid = bus_gov.propose("call", sender=bus_approvers[0], target=bus_setup, data=data)
    bus_gov.approve(pid, sender=bus_approvers[1])
    tx = bus_gov.execute(pid, sender=bus_approvers[0])
    (event,) = tx.decode_logs(bus_setup.ValidatorsChanged)
    assert (event.origin, event.originBus, list(event.validators), event.threshold, event.epoch) == (
        OTHER_ORIGIN, ORIGIN_BUS, keys, 2, 1,
    )  # fmt: skip
    assert sorted(event.organisations) == [2, 4]


def test_set_validators__not_consortium__reverts(bus_setup, customs_admin, validator_keys):
    with ape.reverts(bus_setup.MessageBusNotConsortium):
        bus_setup.setValidators(
            ORIGIN, ORIGIN_BUS, _sorted(validator_keys.values()), 3, sender=customs_admin
        )


def test_set_validators__unsorted_or_duplicate__reverts(
    bus_setup, bus_gov, bus_approvers, validator_keys
):
    keys = _sorted(validator_keys.values())
    for bad in (list(reversed(keys)), [keys[0], keys[0], keys[1]]):
        with ape.reverts(bus_setup.MessageBusBadValidatorSet):
            govern(bus_gov, bus_approvers, bus_setup, "setValidators", ORIGIN, ORIGIN_BUS, bad, 1)


def test_set_validators__key_without_validator_role__reverts(
    bus_setup, bus_gov, bus_approvers, outsider
):
    with ape.reverts(bus_setup.MessageBusNotValidator, validator=outsider.address):
        govern(
            bus_gov,
            bus_approvers,
            bus_setup,
            "setValidators",
            ORIGIN,
            ORIGIN_BUS,
            [outsider.address],
            1,
        )


def test_set_validators__threshold_above_distinct_organisations__reverts(
    bus_setup, bus_gov, bus_approvers, validator_keys
):
    # Six keys, five organisations: a threshold of six can never be met.
    with ape.reverts(bus_setup.MessageBusBadThreshold, threshold=6, organisations=5):
        govern(
            bus_gov,
            bus_approvers,
            bus_setup,
            "setValidators",
            ORIGIN,
            ORIGIN_BUS,
            _sorted(validator_keys.values()),
            6,
        )


def test_set_validators__origin_bus_cannot_change__reverts(
    bus_setup, bus_gov, bus_approvers, validator_keys
):
    with ape.reverts(bus_setup.MessageBusOriginBusChanged):
        govern(
            bus_gov,
            bus_approvers,
            bus_setup,
            "setValidators",
            ORIGIN,
            "0x" + "11" * 20,
            _sorted(validator_keys.values()),
            3,
        )


def test_set_validators__this_chain_as_origin__reverts(
    bus_setup, bus_gov, bus_approvers, validator_keys, chain
):
    with ape.reverts(bus_setup.MessageBusBadOrigin):
        govern(
            bus_gov,
            bus_approvers,
            bus_setup,
            "setValidators",
            chain.chain_id,
            ORIGIN_BUS,
            _sorted(validator_keys.values()),
            3,
        )


def test_new_validator_set__old_checkpoints_stale(
    bus_setup, bus_gov, bus_approvers, validator_keys, origin_sim, recorder, three_signers, relayer
):
    message = origin_sim.add(recorder)
    accept(bus_setup, origin_sim, three_signers, relayer)
    govern(
        bus_gov,
        bus_approvers,
        bus_setup,
        "setValidators",
        ORIGIN,
        ORIGIN_BUS,
        _sorted(three_signers),
        2,
    )
    assert bus_setup.checkpoint(ORIGIN, origin_sim.tree.root()) == (False, 0)
    with ape.reverts(bus_setup.MessageBusStaleCheckpoint):
        deliver(bus_setup, origin_sim, [message], relayer)
    # Keys left out of the new set no longer count.
    with ape.reverts(bus_setup.MessageBusUnknownSigner, signer=validator_keys["forex"].address):
        process(
            bus_setup,
            origin_sim,
            message,
            [validator_keys["forex"], validator_keys["tax"]],
            relayer,
        )
    process(bus_setup, origin_sim, message, three_signers[:2], relayer)
    assert recorder.received() == 1


def test_pause__any_admin_at_once__stops_deliveries(
    bus_setup, maritime_admin, origin_sim, recorder, three_signers, relayer
):
    message = origin_sim.add(recorder)
    tx = bus_setup.pause(ORIGIN, sender=maritime_admin)
    (event,) = tx.decode_logs(bus_setup.Paused)
    assert (event.origin, event.by) == (ORIGIN, maritime_admin.address)
    with ape.reverts(bus_setup.MessageBusOriginPaused, origin=ORIGIN):
        process(bus_setup, origin_sim, message, three_signers, relayer)
    with ape.reverts(bus_setup.MessageBusOriginPaused):
        accept(bus_setup, origin_sim, three_signers, relayer)


def test_pause__not_admin__reverts(bus_setup, outsider, validator_keys):
    with ape.reverts(bus_setup.MessageBusNotAdmin, caller=outsider.address):
        bus_setup.pause(ORIGIN, sender=outsider)
    with ape.reverts(bus_setup.MessageBusNotAdmin):
        bus_setup.pause(ORIGIN, sender=validator_keys["customs"])


def test_resume__admin_alone_cannot__proposal_can(
    bus_setup, bus_gov, bus_approvers, customs_admin, origin_sim, recorder, three_signers, relayer
):
    bus_setup.pause(ORIGIN, sender=customs_admin)
    with ape.reverts(bus_setup.MessageBusNotConsortium):
        bus_setup.resume(ORIGIN, sender=customs_admin)
    data = bus_setup.resume.encode_input(ORIGIN)
    pid = bus_gov.propose("call", sender=bus_approvers[0], target=bus_setup, data=data)
    bus_gov.approve(pid, sender=bus_approvers[1])
    tx = bus_gov.execute(pid, sender=bus_approvers[0])
    assert [e.origin for e in tx.decode_logs(bus_setup.Resumed)] == [ORIGIN]
    message = origin_sim.add(recorder)
    process(bus_setup, origin_sim, message, three_signers, relayer)
    assert recorder.received() == 1


def test_resume__not_paused__reverts(bus_setup, bus_gov, bus_approvers):
    with ape.reverts(bus_setup.MessageBusNotPaused):
        govern(bus_gov, bus_approvers, bus_setup, "resume", ORIGIN)


def test_drop_validator__role_revoked__anyone_drops_it(
    bus_setup, bus_gov, bus_approvers, validator_keys, outsider, origin_sim, recorder, relayer
):
    tax = validator_keys["tax"]
    with ape.reverts(bus_setup.MessageBusValidatorStillLive):
        bus_setup.dropValidator(ORIGIN, tax, sender=outsider)
    bus_gov.enact("revoke_role", approvers=bus_approvers, account=tax, roles=Role.VALIDATOR)
    tx = bus_setup.dropValidator(ORIGIN, tax, sender=outsider)
    (event,) = tx.decode_logs(bus_setup.ValidatorDropped)
    assert (event.origin, event.validator, event.by) == (ORIGIN, tax.address, outsider.address)
    assert tax.address not in list(bus_setup.validators(ORIGIN)[0])
    message = origin_sim.add(recorder)
    signers = [tax, validator_keys["customs"], validator_keys["maritime"]]
    with ape.reverts(bus_setup.MessageBusUnknownSigner, signer=tax.address):
        process(bus_setup, origin_sim, message, signers, relayer)
