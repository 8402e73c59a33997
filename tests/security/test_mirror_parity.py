"""Validity parity between an origin record and its mirror when the hub suspends the
attesting organisation.

A mirrored (foreign) record carries the origin's packed record, organisation id included;
the destination Notary answers ``isValid`` with *its own* Consortium's view of that
organisation. Parity holds because neither domain decides organisations: the hub does, and
its decision reaches every domain at the next delivery (contracts/HubLink.vy), with the same
organisation ids everywhere. Attack: a domain's own admins try to keep (or bring back) an
organisation the hub suspended; refused.
"""

from __future__ import annotations

import ape
import pytest

from tests.utils.bus_harness import DELIVERY_GAS, sign
from tests.utils.hub_network import CUSTOMS, TAX, build_network
from trustspace.bus.checkpoint import Checkpoint
from trustspace.bus.message import Message
from trustspace.bus.tree import MessageTree
from trustspace.consortium.constants import OrgKind, Role
from trustspace.consortium.governance import OrgSeed
from trustspace.notary.client import Status


@pytest.fixture
def network(
    project, deployer, chain, customs_admin, tax_admin, maritime_admin, customs_notary,
    validator_keys, relayer,
):  # fmt: skip
    """Hub, customs (origin Notary) and tax (mirror Notary); the customs Notary mirrors to tax."""
    env = getattr(chain.provider, "env", None)
    if env is None:
        pytest.skip("needs the in-process provider (boa) to switch chain ids")
    seeds = [
        OrgSeed("Customs Authority", OrgKind.CUSTOMS, [customs_admin]),
        OrgSeed("Tax Administration", OrgKind.TAX, [tax_admin]),
        OrgSeed("Maritime Authority", OrgKind.MARITIME, [maritime_admin]),
    ]
    admins = [tax_admin, maritime_admin, customs_admin]
    keys = [validator_keys["customs"], validator_keys["tax"], validator_keys["maritime"]]
    net = build_network(project, deployer, env, seeds, admins, keys, relayer)
    net.relay()
    customs, tax = net.domains[CUSTOMS], net.domains[TAX]
    voters = admins[:2]
    with net.on(CUSTOMS):
        gov = customs.gov
        gov.enact("add_account", approvers=voters, org_id=1, account=customs_notary)
        gov.enact("grant_role", approvers=voters, account=customs_notary, roles=Role.NOTARY)
        addresses = sorted((k.address for k in keys), key=lambda a: int(a, 16))
        gov.decide_call(customs.bus, "setSender", customs.notary.address, True, approvers=voters)
        gov.decide_call(customs.bus, "setDestinationBus", TAX, tax.bus.address, approvers=voters)
        gov.decide_call(customs.notary, "setBus", customs.bus.address, approvers=voters)
        gov.decide_call(customs.notary, "setPeer", TAX, tax.notary.address, approvers=voters)
    with net.on(TAX):
        gov = tax.gov
        gov.decide_call(
            tax.bus, "setValidators", CUSTOMS, customs.bus.address, addresses, 2, approvers=voters
        )
        gov.decide_call(tax.notary, "setBus", tax.bus.address, approvers=voters)
        gov.decide_call(tax.notary, "setPeer", CUSTOMS, customs.notary.address, approvers=voters)
    return net


def _mirror_one(net, customs_notary, relayer):
    """Attest on customs, mirror to tax, deliver; returns (record id, foreign id)."""
    customs, tax = net.domains[CUSTOMS], net.domains[TAX]
    with net.on(CUSTOMS):
        schema = customs.notary.registerSchema(
            "s", "1", bytes(32), "", sender=customs_notary
        ).return_value
        tx = customs.notary.attest(b"\x01" * 32, schema, bytes(32), 0, sender=customs_notary)
        rid = bytes(tx.decode_logs(customs.notary.Attested)[0].id)
        tx = customs.notary.mirror(rid, TAX, sender=customs_notary)
    message = Message.decode(bytes(tx.decode_logs(customs.bus.Dispatched)[0].message))
    tree = MessageTree()
    tree.append(message.id)
    cp = Checkpoint(CUSTOMS, customs.bus.address, tree.root(1), 0)
    with net.on(TAX):
        tax.bus.process(
            cp.root, cp.index, sign(cp, list(net.validators)), message.encode(),
            tree.proof(0, 1), sender=relayer, gas_limit=DELIVERY_GAS,
        )  # fmt: skip
    return rid, bytes(tax.notary.foreignId(CUSTOMS, rid))


def test_mirror_parity__hub_suspends_attester__origin_and_mirror_both_org_not_live(
    network, customs_notary, relayer
):
    net = network
    customs, tax = net.domains[CUSTOMS], net.domains[TAX]
    rid, foreign = _mirror_one(net, customs_notary, relayer)
    assert customs.notary.isValid(rid) and tax.notary.isValid(foreign)  # parity after delivery

    net.enact("suspend_org", org_id=1)  # on the hub; neither domain enacts anything
    net.relay()

    assert customs.notary.status(rid) == Status.ORG_NOT_LIVE
    assert tax.notary.status(foreign) == Status.ORG_NOT_LIVE
    assert tax.notary.isValid(foreign) == customs.notary.isValid(rid) is False

    net.enact("reinstate_org", org_id=1, approvers=[net.admins[0], net.admins[1]])
    net.relay()
    assert customs.notary.isValid(rid) and tax.notary.isValid(foreign)


def test_mirror_parity__domain_admins_try_to_reinstate_locally__refused(
    network, customs_notary, relayer
):
    net = network
    tax = net.domains[TAX]
    _, foreign = _mirror_one(net, customs_notary, relayer)
    net.enact("suspend_org", org_id=1)
    net.relay()
    with net.on(TAX), ape.reverts("consortium: hub governs organisations"):
        tax.gov.propose("reinstate_org", sender=net.admins[0], org_id=1)
    assert tax.notary.status(foreign) == Status.ORG_NOT_LIVE
