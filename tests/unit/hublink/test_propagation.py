"""The hub governs organisations; the domain chains follow over the bus (HubLink).

A hub and two domains (customs, tax) in the in-process EVM, linked through real buses with
validator-signed checkpoints (tests/utils/hub_network.py).
"""

from __future__ import annotations

import ape
import pytest

from tests.utils.hub_network import CUSTOMS, HUB, TAX, ZERO, add_domain
from trustspace.consortium.constants import OrgKind, OrgStatus, Role


@pytest.fixture(scope="session")
def net(hub_network):
    return hub_network


@pytest.fixture
def fresh(fresh_network):
    return fresh_network


def _status(chain, org_id):
    return OrgStatus(chain.consortium.organisation(org_id).status)


def test_register__snapshot__domains_know_the_hub_table_and_sequence(net):
    for chain_id, domain in net.domains.items():
        assert domain.consortium.hub_chain() == HUB
        assert domain.consortium.hub_link() == domain.link.address
        assert domain.link.applied_seq() == 1  # five organisations: one chunk
        assert net.hub.link.sent_seq(chain_id) == 1
        assert domain.consortium.org_count() == 5
    assert list(net.hub.link.domains()) == [CUSTOMS, TAX]
    assert net.hub.consortium.hub_chain() == 0


def test_suspend_on_hub__delivered__every_domain_drops_roles_and_records(
    fresh, customs_admin, validator_keys
):
    net = fresh
    net.enact("suspend_org", org_id=1)
    assert len(net.pending(CUSTOMS)) == 1 and len(net.pending(TAX)) == 1
    # Before delivery the domains still hold the old state: nothing is applied early.
    assert _status(net.domains[TAX], 1) == OrgStatus.ACTIVE
    txs = net.relay()
    for tx in txs:
        assert not tx.decode_logs(net.domains[TAX].bus.DeliveryFailed)
    for domain in net.domains.values():
        assert _status(domain, 1) == OrgStatus.SUSPENDED
        assert not domain.consortium.has_role(customs_admin, Role.ADMIN)
        assert not domain.consortium.has_role(validator_keys["customs"], Role.VALIDATOR)
        assert domain.link.applied_seq() == 2


def test_hub_decision__event_carries_hub_proposal_id(fresh):
    net = fresh
    decision = net.enact("suspend_org", org_id=3, reason="licence lapsed")
    (tx,) = net.relay(TAX)
    with net.on(TAX):
        (changed,) = tx.decode_logs(net.domains[TAX].consortium.OrganisationStatusChanged)
    assert changed.org_id == 3 and changed.status == OrgStatus.SUSPENDED
    assert changed.proposal_id == decision.proposal_id


def test_reinstate_remove_add_set_did__domains_follow_every_kind(fresh, newcomer):
    net = fresh
    net.enact("suspend_org", org_id=2)
    net.enact("reinstate_org", org_id=2, approvers=[net.admins[0], net.admins[2]])
    net.enact("remove_org", org_id=4)
    net.enact("add_org", name="Port Authority", kind=OrgKind.MARITIME, did=newcomer.address)
    net.enact("set_did", org_id=5, did="0x" + "ab" * 20)
    net.relay()
    for domain in net.domains.values():
        for org_id in range(1, 7):
            hub = net.hub.consortium.organisation(org_id)
            mirror = domain.consortium.organisation(org_id)
            assert (mirror.name, mirror.kind, mirror.status, mirror.did) == (
                hub.name,
                hub.kind,
                hub.status,
                hub.did,
            ), org_id
        assert domain.consortium.org_by_did(newcomer) == 6
        assert domain.consortium.org_count() == 6


def test_domain__local_organisation_proposal__refused(net, ministry_admin):
    with net.on(TAX):
        gov = net.domains[TAX].gov
        cases: list[tuple[str, dict[str, object]]] = [
            ("suspend_org", {"org_id": 1}),
            ("reinstate_org", {"org_id": 1}),
            ("remove_org", {"org_id": 1}),
            ("add_org", {"name": "Rogue", "kind": OrgKind.OTHER, "did": ZERO}),
            ("set_did", {"org_id": 1, "did": ZERO}),
        ]
        for action, values in cases:
            with ape.reverts("consortium: hub governs organisations"):
                gov.propose(action, sender=ministry_admin, **values)


def test_domain__local_matters__still_governed_locally(net, ministry_admin, tax_admin, newcomer):
    with net.on(TAX):
        gov = net.domains[TAX].gov
        gov.enact("add_account", approvers=[ministry_admin, tax_admin], org_id=2, account=newcomer)
        gov.enact(
            "grant_role", approvers=[ministry_admin, tax_admin], account=newcomer, roles=Role.NOTARY
        )
        assert net.domains[TAX].consortium.has_role(newcomer, Role.NOTARY)


def test_follow__called_by_anyone_but_the_link__reverts(net, outsider, ministry_admin):
    with net.on(TAX), ape.reverts("consortium: not from the hub"):
        net.domains[TAX].consortium.follow(1, "Rogue", 1 | (1 << 8), 0, bytes(32), sender=outsider)
    with net.on(HUB), ape.reverts("consortium: not from the hub"):
        net.hub.consortium.follow(1, "Rogue", 1, 0, bytes(32), sender=ministry_admin)


def test_handle__not_from_the_bus__reverts(net, outsider):
    with net.on(TAX), ape.reverts("hublink: not our bus"):
        net.domains[TAX].link.handle(HUB, net.hub.link.address, b"", sender=outsider)


def test_hub_link__hub_only_functions__refuse_outsiders(net, outsider):
    with net.on(HUB):
        for call in (
            lambda: net.hub.link.announce(1, True, 0, bytes(32), sender=outsider),
            lambda: net.hub.link.add_domain(31340, outsider.address, sender=outsider),
            lambda: net.hub.link.remove_domain(TAX, sender=outsider),
        ):
            with ape.reverts("hublink: not consortium"):
                call()


def test_bind__twice__reverts(net, ministry_admin):
    with net.on(TAX), ape.reverts("consortium: already bound"):
        net.domains[TAX].gov.propose("bind", sender=ministry_admin, target=net.domains[TAX].link)


def test_bind__link_of_another_consortium__reverts(project, deployer, chain, seeds, ministry_admin):
    from trustspace.consortium.governance import Governance, deploy_consortium

    mine = deploy_consortium(project, deployer, seeds, threshold=2)
    other = deploy_consortium(project, deployer, seeds, threshold=2)
    bus = deployer.deploy(project.MessageBus, other, 200_000)
    link = deployer.deploy(project.HubLink, other, bus, 0, ZERO)
    with ape.reverts("consortium: hub link not ours"):
        Governance(mine).propose("bind", sender=ministry_admin, target=link)


def test_out_of_order_delivery__waits__then_applies_in_hub_order(fresh):
    net = fresh
    net.enact("suspend_org", org_id=3)
    net.enact("reinstate_org", org_id=3)
    first, second = net.pending(TAX)
    bus = net.domains[TAX].bus
    lane_seq = first.sequence
    with ape.reverts(bus.MessageBusOutOfOrder, expected=lane_seq, actual=lane_seq + 1):
        net.deliver(TAX, second)
    net.delivered.discard(second.id)
    assert _status(net.domains[TAX], 3) == OrgStatus.ACTIVE
    net.deliver(TAX, first)
    assert _status(net.domains[TAX], 3) == OrgStatus.SUSPENDED
    net.deliver(TAX, second)
    assert _status(net.domains[TAX], 3) == OrgStatus.ACTIVE


def test_replayed_delivery__reverts__nothing_applied_twice(fresh):
    net = fresh
    net.enact("suspend_org", org_id=3)
    (message,) = net.pending(TAX)
    net.deliver(TAX, message)
    seq = net.domains[TAX].link.applied_seq()
    with ape.reverts(net.domains[TAX].bus.MessageBusAlreadyProcessed, id=message.id):
        net.deliver(TAX, message)
    assert net.domains[TAX].link.applied_seq() == seq


def test_removed_domain__gets_nothing__re_added_catches_up_by_snapshot(fresh):
    net = fresh
    with net.on(HUB):
        net.hub.gov.decide_call(net.hub.link, "remove_domain", TAX, approvers=list(net.admins[:2]))
    assert list(net.hub.link.domains()) == [CUSTOMS]
    net.enact("suspend_org", org_id=4)
    assert not net.pending(TAX)
    net.relay()
    assert _status(net.domains[TAX], 4) == OrgStatus.ACTIVE  # offline from the hub's view
    add_domain(net, TAX)
    net.relay()
    assert _status(net.domains[TAX], 4) == OrgStatus.SUSPENDED


def test_mirrored_record__hub_suspension__reads_org_not_live_on_both_domains(fresh):
    """Validity parity without enacting anything on the domains (was a strict xfail)."""
    from trustspace.notary.client import Status

    net = fresh
    # Organisation ids agree on every chain: the notary of org 1 on customs is org 1 on tax.
    assert all(
        d.consortium.organisation(1).name == net.hub.consortium.organisation(1).name
        for d in net.domains.values()
    )
    net.enact("suspend_org", org_id=1)
    net.relay()
    for domain in net.domains.values():
        assert not domain.consortium.is_org_live(1)
    assert Status.ORG_NOT_LIVE  # the Notary's verdict for such records: see tests/security


def test_local_threshold__hub_suspensions_below_it__clamped_so_domain_can_still_govern(fresh):
    net = fresh
    with net.on(TAX):
        net.domains[TAX].gov.enact("set_threshold", approvers=list(net.admins[:4]), threshold=4)
    for org_id in (1, 3):
        net.enact("suspend_org", org_id=org_id, approvers=[net.admins[0], net.admins[3]])
    net.relay(TAX)
    assert net.domains[TAX].consortium.live_admin_orgs() == 3
    assert net.domains[TAX].consortium.threshold() == 3


@pytest.fixture
def lone_domain(project, deployer, seeds, hub_admins, outsider, newcomer):
    """A Consortium bound to a HubLink whose "bus" is ``outsider`` and whose hub peer on
    chain 1 is ``newcomer``: the test plays the bus and the hub, to send what no honest
    hub would."""
    from trustspace.consortium.governance import Governance, deploy_consortium

    consortium = deploy_consortium(project, deployer, seeds, threshold=2)
    link = deployer.deploy(project.HubLink, consortium, outsider, 1, newcomer)
    Governance(consortium).enact("bind", approvers=hub_admins[:2], target=link)
    return consortium, link


def _hub_message(seq, first, states):
    from eth_abi.abi import encode

    words = [seq, 0, 0, first] + [word for _, word in states]
    return encode(["uint256[]", "string[]"], [words, [name for name, _ in states]])


def test_follow__organisation_id_skipping_one__reverts(lone_domain, outsider, newcomer):
    consortium, link = lone_domain
    skipped = int(consortium.org_count()) + 2
    body = _hub_message(1, skipped, [("Rogue Agency", 1 | (int(OrgKind.OTHER) << 8))])
    with ape.reverts("consortium: hub organisation out of order"):
        link.handle(1, newcomer, body, sender=outsider)
    assert link.applied_seq() == 0


def test_handle__sequence_gap_or_malformed_body__reverts(lone_domain, outsider, newcomer):
    _, link = lone_domain
    with ape.reverts("hublink: message out of order"):
        link.handle(
            1,
            newcomer,
            _hub_message(2, 1, [("Customs Authority", 1 | (int(OrgKind.CUSTOMS) << 8))]),
            sender=outsider,
        )
    body = _hub_message(1, 1, [("Customs Authority", 1 | (int(OrgKind.CUSTOMS) << 8))])
    from eth_abi.abi import encode

    names_without_state = encode(["uint256[]", "string[]"], [[1, 0, 0, 1], ["Customs Authority"]])
    with ape.reverts("hublink: malformed message"):
        link.handle(1, newcomer, names_without_state, sender=outsider)
    with ape.reverts("hublink: not the hub"):
        link.handle(1, outsider, body, sender=outsider)  # right bus, wrong sender
    with ape.reverts("hublink: not the hub"):
        link.handle(2, newcomer, body, sender=outsider)  # right sender, wrong origin
    link.handle(1, newcomer, body, sender=outsider)
    assert link.applied_seq() == 1


def test_bind__account_without_code__reverts(consortium, governance, customs_admin, outsider):
    with ape.reverts("consortium: hub link has no code"):
        governance.propose("bind", sender=customs_admin, target=outsider)


def test_follow__status_only_for_an_organisation_not_here__reverts(lone_domain, outsider, newcomer):
    consortium, link = lone_domain
    unknown = int(consortium.org_count()) + 1
    body = _hub_message(1, unknown, [("", 2 | (1 << 200))])
    with ape.reverts("consortium: hub organisation out of order"):
        link.handle(1, newcomer, body, sender=outsider)


def test_follow__status_only__changes_status_and_nothing_else(lone_domain, outsider, newcomer):
    consortium, link = lone_domain
    before = consortium.organisation(2)
    link.handle(1, newcomer, _hub_message(1, 2, [("", 2 | (1 << 200))]), sender=outsider)
    after = consortium.organisation(2)
    assert after.status == OrgStatus.SUSPENDED
    assert (after.name, after.kind, after.did) == (before.name, before.kind, before.did)
