"""Validator committees decided on the hub, held as a hash on a domain, applied by anyone.

A hub and two domains (customs, tax) in the in-process EVM, linked through real buses with
validator-signed checkpoints (tests/utils/hub_network.py). The committees' keys are keys no
chain has an account for: they count as VALIDATOR only through the hub.
"""

from __future__ import annotations

from dataclasses import replace
from types import SimpleNamespace

import ape
import pytest
from eth_abi.abi import encode
from eth_account import Account

from tests.utils.hub_network import (
    CUSTOMS,
    HUB,
    TAX,
    ZERO,
    add_domain,
    decide_committee,
)
from trustspace.consortium.constants import Role
from trustspace.deploy.hub import (
    Committee,
    apply_committee,
    committee_digest,
    committee_on_hub,
    pending_digest,
)
from trustspace.errors import InputError

OTHER = 31340


@pytest.fixture(scope="session")
def hub_keys():
    """Five keys no Consortium knows (shaped like ape test accounts)."""
    keys = [Account.from_key(bytes([0x60 + i]) * 32) for i in range(5)]
    return [SimpleNamespace(address=k.address, private_key=k.key) for k in keys]


@pytest.fixture
def net(fresh_network):
    """Every committee test changes the network; its messages are forgotten after it."""
    return fresh_network


@pytest.fixture
def customs_committee(net, hub_keys):
    """Customs' checkpoints signed by three hub-assigned keys of organisations 1, 2, 3."""
    members = [(hub_keys[i].address, i + 1) for i in range(3)]
    return Committee.of(CUSTOMS, net.domains[CUSTOMS].bus.address, members, 2)


def _applied(net, committee, caller):
    decide_committee(net, committee)
    net.relay()
    with net.on(TAX):
        return apply_committee(net.domains[TAX].link, committee, sender=caller)


def _validator(chain, key):
    return int(chain.consortium.org_with_role(key, Role.VALIDATOR))


def test_set_committee__relayed__tax_holds_its_hash_pending_and_applies_nothing(
    net, customs_committee
):
    decision = decide_committee(net, customs_committee)
    (event,) = decision.executed.decode_logs(net.hub.link.CommitteeSet)
    assert event.origin == CUSTOMS and event.threshold == 2
    assert list(event.keys) == list(customs_committee.keys)
    assert committee_on_hub(net.hub.link, CUSTOMS) == customs_committee
    assert list(net.hub.link.committee_origins()) == [CUSTOMS]
    # The origin itself is not sent its own committee.
    assert len(net.pending(TAX)) == 1 and not net.pending(CUSTOMS)
    (tx,) = net.relay()
    tax = net.domains[TAX]
    (pending,) = tx.decode_logs(tax.link.CommitteePending)
    assert pending.origin == CUSTOMS
    assert bytes(pending.digest) == committee_digest(customs_committee)
    assert pending_digest(tax.link, CUSTOMS) == committee_digest(customs_committee)
    assert tax.bus.originConfig(CUSTOMS)[0] == ZERO
    assert _validator(tax, customs_committee.keys[0]) == 0


@pytest.mark.parametrize("size", [3, 16])
def test_committee_message__delivered__fits_the_recipient_gas_not_failed(net, size):
    keys = [Account.from_key(bytes([0x80 + i]) * 32).address for i in range(size)]
    members = [(key, 1 + i % 5) for i, key in enumerate(keys)]
    committee = Committee.of(
        CUSTOMS, net.domains[CUSTOMS].bus.address, members, 5 if size > 5 else 3
    )
    decide_committee(net, committee)
    (tx,) = net.relay(TAX)
    bus = net.domains[TAX].bus
    assert len(tx.decode_logs(bus.Delivered)) == 1
    assert not tx.decode_logs(bus.DeliveryFailed)
    assert pending_digest(net.domains[TAX].link, CUSTOMS) == committee_digest(committee)


def test_apply_committee__by_anyone__bus_set_and_keys_count_as_validator(
    net, customs_committee, outsider
):
    tx = _applied(net, customs_committee, outsider)
    tax = net.domains[TAX]
    (applied,) = tx.decode_logs(tax.link.CommitteeApplied)
    assert applied.origin == CUSTOMS and applied.caller == outsider.address
    assert bytes(applied.digest) == committee_digest(customs_committee)
    (followed,) = tx.decode_logs(tax.consortium.CommitteeFollowed)
    assert followed.origin == CUSTOMS and followed.threshold == 2
    assert followed.origin_bus == net.domains[CUSTOMS].bus.address
    assert list(followed.keys) == list(customs_committee.keys)
    assert tax.bus.originConfig(CUSTOMS) == (net.domains[CUSTOMS].bus.address, 2, 1, False)
    keys, orgs = tax.bus.validators(CUSTOMS)
    assert list(keys) == list(customs_committee.keys)
    assert list(orgs) == list(customs_committee.orgs)
    for key, org in zip(customs_committee.keys, customs_committee.orgs, strict=True):
        assert _validator(tax, key) == org
        assert tax.consortium.org_of(key) == org
        assert not tax.consortium.has_role(key, Role.NOTARY)
        assert not tax.consortium.has_role(key, Role.VALIDATOR | Role.NOTARY)
        assert _validator(net.domains[CUSTOMS], key) == 0  # only where it was applied
    assert pending_digest(tax.link, CUSTOMS) is None


def test_apply_committee__twice__reverts_nothing_pending(net, customs_committee, outsider):
    _applied(net, customs_committee, outsider)
    with net.on(TAX), ape.reverts("hublink: no pending committee"):
        net.domains[TAX].link.apply_committee(*customs_committee.args(), sender=outsider)
    with pytest.raises(InputError, match="no committee"):
        apply_committee(net.domains[TAX].link, customs_committee, sender=outsider)


def test_apply_committee__wrong_preimage__reverts_and_stays_pending(
    net, customs_committee, outsider
):
    decide_committee(net, customs_committee)
    net.relay()
    tax = net.domains[TAX]
    lower = replace(customs_committee, threshold=1)
    with net.on(TAX), ape.reverts("hublink: not the pending committee"):
        tax.link.apply_committee(*lower.args(), sender=outsider)
    with pytest.raises(InputError, match="another one"):
        apply_committee(tax.link, lower, sender=outsider)
    assert pending_digest(tax.link, CUSTOMS) == committee_digest(customs_committee)
    assert _validator(tax, customs_committee.keys[0]) == 0


def test_suspended_organisation__hub_assigned_validator__stops_counting_and_can_be_dropped(
    net, customs_committee, outsider
):
    _applied(net, customs_committee, outsider)
    key = customs_committee.keys[customs_committee.orgs.index(1)]
    other = customs_committee.keys[customs_committee.orgs.index(2)]
    net.enact("suspend_org", org_id=1)
    net.relay()
    tax = net.domains[TAX]
    assert _validator(tax, key) == 0
    assert _validator(tax, other) == 2
    with net.on(TAX):
        with ape.reverts(tax.bus.MessageBusValidatorStillLive, validator=other):
            tax.bus.dropValidator(CUSTOMS, other, sender=outsider)
        tax.bus.dropValidator(CUSTOMS, key, sender=outsider)
    assert list(tax.bus.validators(CUSTOMS)[0]) == [k for k in customs_committee.keys if k != key]


def test_replaced_committee__dropped_key__stops_counting(
    net, customs_committee, hub_keys, outsider
):
    _applied(net, customs_committee, outsider)
    dropped = customs_committee.keys[0]
    kept = [
        (k, o)
        for k, o in zip(customs_committee.keys, customs_committee.orgs, strict=True)
        if k != dropped
    ]
    replacement = Committee.of(
        CUSTOMS, customs_committee.origin_bus, [*kept, (hub_keys[3].address, 4)], 2
    )
    _applied(net, replacement, outsider)
    tax = net.domains[TAX]
    assert _validator(tax, dropped) == 0 and tax.consortium.org_of(dropped) == 0
    assert tax.consortium.hub_validator(dropped) == 0
    assert _validator(tax, hub_keys[3].address) == 4
    for key, org in kept:
        assert _validator(tax, key) == org
        assert tax.consortium.hub_validator(key) == org | 1 << 8
    assert tax.bus.originConfig(CUSTOMS)[2] == 2  # epoch


def test_key_in_two_committees__one_replaced__still_counts_for_the_other(
    net, customs_committee, hub_keys, outsider
):
    key, org = customs_committee.keys[0], customs_committee.orgs[0]
    # A third chain that is no domain of this hub: only tax applies its committee.
    other_committee = Committee.of(OTHER, outsider.address, [(key, org)], 1)
    _applied(net, customs_committee, outsider)
    _applied(net, other_committee, outsider)
    tax = net.domains[TAX]
    assert tax.consortium.hub_validator(key) == org | 2 << 8
    moved = Committee.of(CUSTOMS, customs_committee.origin_bus, [(hub_keys[4].address, 5)], 1)
    _applied(net, moved, outsider)
    assert _validator(tax, key) == org


def test_apply_committee__key_of_another_organisation_here__reverts_and_stays_pending(
    net, validator_keys, hub_keys, outsider
):
    # validator_keys["customs"] is an account of organisation 1 on tax.
    clash = Committee.of(
        CUSTOMS,
        net.domains[CUSTOMS].bus.address,
        [(validator_keys["customs"].address, 2), (hub_keys[0].address, 3)],
        1,
    )
    decide_committee(net, clash)
    net.relay()
    tax = net.domains[TAX]
    with net.on(TAX), ape.reverts("consortium: key of another organisation"):
        tax.link.apply_committee(*clash.args(), sender=outsider)
    assert pending_digest(tax.link, CUSTOMS) == committee_digest(clash)


def test_apply_committee__bus_refuses_the_set__reverts_and_stays_pending(net, hub_keys, outsider):
    # tax's bus already takes the hub's checkpoints from the hub's bus: another bus is refused.
    wrong_bus = Committee.of(HUB, net.domains[CUSTOMS].bus.address, [(hub_keys[0].address, 1)], 1)
    decide_committee(net, wrong_bus)
    net.relay()
    tax = net.domains[TAX]
    with net.on(TAX), ape.reverts(tax.bus.MessageBusOriginBusChanged):
        tax.link.apply_committee(*wrong_bus.args(), sender=outsider)
    assert pending_digest(tax.link, HUB) == committee_digest(wrong_bus)
    assert _validator(tax, hub_keys[0].address) == 0


def test_follow_committee__called_by_anyone_but_the_link__reverts(net, customs_committee, outsider):
    with net.on(TAX), ape.reverts("consortium: not from the hub"):
        net.domains[TAX].consortium.follow_committee(*customs_committee.args(), sender=outsider)


def test_apply_committee__unknown_organisation_here__reverts(lone_domain, outsider, newcomer):
    _, link = lone_domain
    committee = Committee.of(CUSTOMS, newcomer.address, [(outsider.address, 9)], 1)
    link.handle(1, newcomer, _committee_body(1, committee), sender=outsider)
    with ape.reverts("consortium: unknown organisation"):
        link.apply_committee(*committee.args(), sender=outsider)


def test_domain_registered_later__bootstrap__receives_stored_committees(
    net, customs_committee, outsider
):
    with net.on(HUB):
        net.hub.gov.decide_call(net.hub.link, "remove_domain", TAX, approvers=list(net.admins[:2]))
    decide_committee(net, customs_committee)
    assert not net.pending(TAX)
    add_domain(net, TAX)
    txs = net.relay(TAX)
    assert len(txs) == 2  # the organisation table, then the committee
    tax = net.domains[TAX]
    assert pending_digest(tax.link, CUSTOMS) == committee_digest(customs_committee)
    with net.on(TAX):
        apply_committee(tax.link, customs_committee, sender=outsider)
    assert _validator(tax, customs_committee.keys[0]) == customs_committee.orgs[0]


def test_committee_message__replayed_or_out_of_order__reverts(net, customs_committee):
    decide_committee(net, customs_committee)
    net.enact("suspend_org", org_id=3)
    first, second = net.pending(TAX)
    bus = net.domains[TAX].bus
    with ape.reverts(bus.MessageBusOutOfOrder, expected=first.sequence, actual=second.sequence):
        net.deliver(TAX, second)
    net.delivered.discard(second.id)
    assert pending_digest(net.domains[TAX].link, CUSTOMS) is None
    net.deliver(TAX, first)
    seq = net.domains[TAX].link.applied_seq()
    with ape.reverts(bus.MessageBusAlreadyProcessed, id=first.id):
        net.deliver(TAX, first)
    assert net.domains[TAX].link.applied_seq() == seq


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"origin": 0}, "hublink: bad origin"),
        ({"origin": 2**32}, "hublink: bad origin"),
        ({"origin_bus": ZERO}, "hublink: zero address"),
        ({"keys": [], "orgs": []}, "hublink: bad committee"),
        ({"orgs": [1]}, "hublink: bad committee"),
        ({"keys": "reversed"}, "hublink: keys not increasing"),
        ({"orgs": [1, 0]}, "hublink: unknown organisation"),
        ({"orgs": [1, 6]}, "hublink: unknown organisation"),
        ({"threshold": 0}, "hublink: bad threshold"),
        ({"orgs": [2, 2], "threshold": 2}, "hublink: bad threshold"),
    ],
)
def test_set_committee__bad_committee__reverts(net, hub_keys, change, reason):
    keys = sorted((a.address for a in hub_keys[:2]), key=lambda k: int(k, 16))
    args = {
        "origin": CUSTOMS,
        "origin_bus": net.domains[CUSTOMS].bus.address,
        "keys": keys,
        "orgs": [1, 2],
        "threshold": 2,
    }
    args.update(change)
    if args["keys"] == "reversed":
        args["keys"] = keys[::-1]
    with net.on(HUB), ape.reverts(reason):
        net.hub.gov.decide_call(
            net.hub.link, "set_committee", *args.values(), approvers=list(net.admins[:2])
        )


def test_set_committee__not_by_consortium_or_on_a_domain__reverts(net, customs_committee, outsider):
    with net.on(HUB), ape.reverts("hublink: not consortium"):
        net.hub.link.set_committee(*customs_committee.args(), sender=outsider)
    with net.on(TAX), ape.reverts("hublink: not the hub"):
        net.domains[TAX].gov.decide_call(
            net.domains[TAX].link,
            "set_committee",
            *customs_committee.args(),
            approvers=list(net.admins[:2]),
        )


def test_committee__bad_input__refused_before_sending(net):
    bus = net.domains[CUSTOMS].bus.address
    with pytest.raises(InputError, match="1 to 16 keys"):
        Committee.of(CUSTOMS, bus, [], 1)
    with pytest.raises(InputError, match="twice"):
        Committee.of(CUSTOMS, bus, [(bus, 1), (bus, 2)], 1)
    with pytest.raises(InputError, match="threshold"):
        Committee.of(CUSTOMS, bus, [(bus, 1)], 2)


@pytest.fixture
def lone_domain(project, deployer, seeds, hub_admins, outsider, newcomer):
    """A Consortium bound to a HubLink whose "bus" is ``outsider`` and whose hub peer on
    chain 1 is ``newcomer``: the test plays the bus and the hub."""
    from trustspace.consortium.governance import Governance, deploy_consortium

    consortium = deploy_consortium(project, deployer, seeds, threshold=2)
    link = deployer.deploy(project.HubLink, consortium, outsider, 1, newcomer)
    Governance(consortium).enact("bind", approvers=hub_admins[:2], target=link)
    return consortium, link


def _committee_words(seq, committee):
    return [
        seq,
        0,
        0,
        0,
        committee.origin,
        int(committee.origin_bus, 16),
        committee.threshold,
        *(int(k, 16) for k in committee.keys),
        *committee.orgs,
    ]


def _committee_body(seq, committee, names=()):
    return encode(["uint256[]", "string[]"], [_committee_words(seq, committee), list(names)])


def test_handle__malformed_committee__reverts(lone_domain, outsider, newcomer):
    _, link = lone_domain
    committee = Committee.of(CUSTOMS, newcomer.address, [(outsider.address, 1)], 1)
    words = _committee_words(1, committee)
    bodies = [
        _committee_body(1, committee, names=["Rogue"]),
        encode(["uint256[]", "string[]"], [words[:-1], []]),  # a key without organisation
        encode(["uint256[]", "string[]"], [words[:7], []]),  # no key
        encode(["uint256[]", "string[]"], [[*words[:4], 0, *words[5:]], []]),  # origin 0
        encode(["uint256[]", "string[]"], [[*words[:6], 256, *words[7:]], []]),  # threshold
        encode(["uint256[]", "string[]"], [[*words[:7], 1 << 160, words[8]], []]),  # key
        encode(["uint256[]", "string[]"], [[1, 0, 0], []]),  # no first organisation
    ]
    for body in bodies:
        with ape.reverts("hublink: malformed message"):
            link.handle(1, newcomer, body, sender=outsider)
    assert link.applied_seq() == 0
    link.handle(1, newcomer, _committee_body(1, committee), sender=outsider)
    assert link.pending_committee(CUSTOMS) == committee_digest(committee)


def test_set_committee__seventeenth_origin__reverts_too_many(net, hub_keys):
    with net.on(HUB):
        hub_link = net.hub.link
        for origin in range(40_001, 40_017):
            committee = Committee.of(origin, hub_keys[0].address, [(hub_keys[0].address, 1)], 1)
            decide_committee(net, committee)
        assert len(hub_link.committee_origins()) == 16
        # Replacing a stored origin's committee still works: it takes no new slot.
        decide_committee(net, replace(committee, threshold=1, keys=(hub_keys[1].address,)))
        with ape.reverts("hublink: too many committees"):
            decide_committee(net, replace(committee, origin=40_017))


def test_applied_committee__checkpoint_signed_by_hub_assigned_keys__delivers_on_tax(
    project, deployer, net, customs_committee, hub_keys, outsider, bus_sender, relayer
):
    """End to end: keys that are accounts on no chain sign customs' checkpoint, and tax's bus
    accepts it because the hub made them customs' committee."""
    from tests.utils.bus_harness import DELIVERY_GAS, sign
    from trustspace.bus.checkpoint import Checkpoint
    from trustspace.bus.message import Message
    from trustspace.bus.tree import MessageTree

    _applied(net, customs_committee, outsider)
    customs, tax = net.domains[CUSTOMS], net.domains[TAX]
    with net.on(TAX):
        recorder = deployer.deploy(project.RecordingRecipient)
    with net.on(CUSTOMS):
        voters = list(net.admins[:2])
        customs.gov.decide_call(
            customs.bus, "setSender", bus_sender.address, True, approvers=voters
        )
        customs.gov.decide_call(
            customs.bus, "setDestinationBus", TAX, tax.bus.address, approvers=voters
        )
        tx = customs.bus.dispatch(TAX, recorder, b"from customs", sender=bus_sender)
    message = Message.decode(bytes(tx.decode_logs(customs.bus.Dispatched)[0].message))
    assert message.nonce == 0  # nothing else was dispatched on customs in this network
    tree = MessageTree()
    tree.append(message.id)
    count = 1
    cp = Checkpoint(CUSTOMS, customs.bus.address, tree.root(count), count - 1)
    signers = [hub_keys[0], hub_keys[1]]  # organisations 1 and 2: the threshold
    with net.on(TAX):
        delivered = tax.bus.process(
            cp.root, cp.index, sign(cp, signers), message.encode(), tree.proof(message.nonce, count),
            sender=relayer, gas_limit=DELIVERY_GAS,
        )  # fmt: skip
    assert delivered.decode_logs(tax.bus.Delivered)
    assert recorder.received() == 1
