"""Issue 11, "also decide": a validator key moved to another organisation.

The validator set stores each key's organisation as the Consortium reported it when
governance registered the set. A key later moved (removed from organisation A, added to B
and granted VALIDATOR there) kept counting for A: with B's own key beside it, B counted
twice toward the threshold. Here the set is 3-of-5 organisations; the maritime key moves to
the tax organisation, so customs and tax alone — two organisations — would reach three.

Decision: the bus sees the move. At verification each signer must still belong to the
organisation it was registered under (one ``org_of`` call per signer), else
``MessageBusSignerMoved``; ``validators()`` lists only keys that count. To count for B the
key needs a new ``setValidators``. On the old code the moved key's signature was counted for
its old organisation and the message was delivered (checked against the unfixed contract).
"""

import ape

from tests.utils.bus_harness import ORIGIN, ORIGIN_BUS, accept, govern, process
from trustspace.consortium.constants import Role

CUSTOMS, TAX, MARITIME = 1, 2, 3


def _move(gov, approvers, key, to_org):
    gov.enact("remove_account", approvers=approvers, account=key)
    gov.enact("add_account", approvers=approvers, org_id=to_org, account=key)
    gov.enact("grant_role", approvers=approvers, account=key, roles=Role.VALIDATOR)


def test_moved_validator__key_moved_to_an_org_in_the_set__does_not_count_twice(
    bus_setup, bus_gov, bus_approvers, five_org_consortium, validator_keys, origin_sim,
    recorder, relayer,
):  # fmt: skip
    bus = bus_setup
    moved = validator_keys["maritime"]
    _move(bus_gov, bus_approvers, moved, TAX)
    assert five_org_consortium.org_with_role(moved, Role.VALIDATOR) == TAX
    message = origin_sim.add(recorder)
    signers = [validator_keys["customs"], validator_keys["tax"], moved]
    with ape.reverts(
        bus.MessageBusSignerMoved, signer=moved.address, registered=MARITIME, current=TAX
    ):
        process(bus, origin_sim, message, signers, relayer)
    with ape.reverts(bus.MessageBusSignerMoved, signer=moved.address):
        accept(bus, origin_sim, signers, relayer)
    assert recorder.received() == 0
    keys, orgs = bus.validators(ORIGIN)
    assert moved.address not in list(keys) and MARITIME not in list(orgs)


def test_moved_validator__reregistered_by_governance__counts_once_for_its_new_org(
    bus_setup, bus_gov, bus_approvers, validator_keys, origin_sim, recorder, relayer
):
    bus = bus_setup
    moved = validator_keys["maritime"]
    _move(bus_gov, bus_approvers, moved, TAX)
    keys = sorted((k.address for k in validator_keys.values()), key=lambda a: int(a, 16))
    govern(bus_gov, bus_approvers, bus, "setValidators", ORIGIN, ORIGIN_BUS, keys, 3)
    assert dict(zip(*bus.validators(ORIGIN), strict=True))[moved.address] == TAX
    message = origin_sim.add(recorder)
    signers = [validator_keys["customs"], validator_keys["tax"], moved]
    with ape.reverts(bus.MessageBusBelowThreshold, organisations=2, threshold=3):
        process(bus, origin_sim, message, signers, relayer)
    process(bus, origin_sim, message, [*signers, validator_keys["forex"]], relayer)
    assert recorder.received() == 1


def test_moved_validator__key_removed_from_its_org__stops_counting_before_anyone_drops_it(
    bus_setup, bus_gov, bus_approvers, validator_keys, origin_sim, recorder, relayer
):
    bus = bus_setup
    tax = validator_keys["tax"]
    bus_gov.enact("remove_account", approvers=bus_approvers, account=tax)
    message = origin_sim.add(recorder)
    signers = [validator_keys["customs"], tax, validator_keys["maritime"]]
    with ape.reverts(bus.MessageBusSignerMoved, signer=tax.address, registered=TAX, current=0):
        process(bus, origin_sim, message, signers, relayer)
    assert recorder.received() == 0
