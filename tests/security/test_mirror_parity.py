"""Validity parity between an origin record and its mirror when only one chain's
Consortium changes an organisation's status.

A mirrored (foreign) record carries the origin's packed record, organisation id included;
the destination Notary answers ``isValid`` with *its own* Consortium's view of that
organisation. Parity ("validity on the mirror chain equals validity on the origin once
delivered") therefore holds only while both Consortia agree on the organisation's status.
The cross-contract machine keeps them in step (every suspension is enacted on both chains);
this test shows what happens when only the origin suspends: the origin record reads
ORG_NOT_LIVE, the delivered mirror still reads VALID. Marked ``xfail(strict=True)`` until the
design decides (propagate status changes over the bus, or document parity as conditional).
"""

from __future__ import annotations

import pytest

from tests.security.conftest import CUSTOMS_CHAIN, TAX_CHAIN
from tests.utils.bus_harness import DELIVERY_GAS, RECIPIENT_GAS
from trustspace.bus.checkpoint import Checkpoint
from trustspace.bus.message import Message
from trustspace.bus.tree import MessageTree
from trustspace.consortium.constants import OrgKind, Role
from trustspace.consortium.governance import Governance, OrgSeed, deploy_consortium
from trustspace.notary.client import Status


@pytest.fixture
def two_chains(
    project, deployer, as_chain, customs_admin, tax_admin, maritime_admin, customs_notary,
    validator_keys, relayer,
):  # fmt: skip
    """customs (origin: Consortium, Notary, bus) and tax (Consortium, Notary, bus), peered."""
    seeds = [
        OrgSeed("Customs Authority", OrgKind.CUSTOMS, [customs_admin]),
        OrgSeed("Tax Administration", OrgKind.TAX, [tax_admin]),
        OrgSeed("Maritime Authority", OrgKind.MARITIME, [maritime_admin]),
    ]
    with as_chain(CUSTOMS_CHAIN):
        c_origin = deploy_consortium(project, deployer, seeds, threshold=2)
        origin = deployer.deploy(project.Notary, c_origin)
        bus_origin = deployer.deploy(project.MessageBus, c_origin, RECIPIENT_GAS)
    with as_chain(TAX_CHAIN):
        c_dest = deploy_consortium(project, deployer, seeds, threshold=2)
        mirror = deployer.deploy(project.Notary, c_dest)
        bus_dest = deployer.deploy(project.MessageBus, c_dest, RECIPIENT_GAS)
    voters = [customs_admin, tax_admin]
    gov_origin, gov_dest = Governance(c_origin), Governance(c_dest)

    def call(gov, target, method, *args):
        data = getattr(target, method).encode_input(*args)
        gov.enact("call", approvers=voters, target=target, data=data)

    gov_origin.enact("add_account", approvers=voters, org_id=1, account=customs_notary)
    gov_origin.enact("grant_role", approvers=voters, account=customs_notary, roles=Role.NOTARY)
    keys = [validator_keys["customs"], validator_keys["tax"], validator_keys["maritime"]]
    for org, key in enumerate(keys, start=1):
        gov_dest.enact("add_account", approvers=voters, org_id=org, account=key)
        gov_dest.enact("grant_role", approvers=voters, account=key, roles=Role.VALIDATOR)
    addresses = sorted((k.address for k in keys), key=lambda a: int(a, 16))
    call(gov_dest, bus_dest, "setValidators", CUSTOMS_CHAIN, bus_origin.address, addresses, 2)
    call(gov_origin, bus_origin, "setSender", origin, True)
    call(gov_origin, bus_origin, "setDestinationBus", TAX_CHAIN, bus_dest)
    call(gov_origin, origin, "setBus", bus_origin)
    call(gov_origin, origin, "setPeer", TAX_CHAIN, mirror)
    call(gov_dest, mirror, "setBus", bus_dest)
    call(gov_dest, mirror, "setPeer", CUSTOMS_CHAIN, origin)
    schema = origin.registerSchema("s", "1", bytes(32), "", sender=customs_notary).return_value
    return {
        "origin": origin, "mirror": mirror, "bus_origin": bus_origin, "bus_dest": bus_dest,
        "gov_origin": gov_origin, "schema": schema, "keys": keys, "voters": voters,
    }  # fmt: skip


@pytest.mark.xfail(
    strict=True,
    reason="mirror validity uses the destination Consortium's organisation status; a "
    "suspension enacted on the origin chain only is not mirrored, so parity breaks",
)
def test_mirror_parity__origin_only_suspension__mirror_still_valid(
    two_chains, customs_notary, maritime_admin, tax_admin, relayer
):
    from trustspace.bus.checkpoint import sign_checkpoint

    net = two_chains
    origin, mirror = net["origin"], net["mirror"]
    tx = origin.attest(b"\x01" * 32, net["schema"], bytes(32), 0, sender=customs_notary)
    rid = bytes(tx.decode_logs(origin.Attested)[0].id)
    tx = origin.mirror(rid, TAX_CHAIN, sender=customs_notary)
    message = Message.decode(bytes(tx.decode_logs(net["bus_origin"].Dispatched)[0].message))
    tree = MessageTree()
    tree.append(message.id)
    cp = Checkpoint(CUSTOMS_CHAIN, net["bus_origin"].address, tree.root(1), 0)
    ordered = sorted(net["keys"], key=lambda a: int(a.address, 16))
    sigs = b"".join(sign_checkpoint(cp, k.private_key) for k in ordered)
    net["bus_dest"].process(
        cp.root, cp.index, sigs, message.encode(), tree.proof(0, 1),
        sender=relayer, gas_limit=DELIVERY_GAS,
    )  # fmt: skip
    foreign = mirror.foreignId(CUSTOMS_CHAIN, rid)
    assert origin.isValid(rid) and mirror.isValid(foreign)  # parity after delivery

    # The customs organisation is suspended on its own chain only.
    net["gov_origin"].enact("suspend_org", approvers=[tax_admin, maritime_admin], org_id=1)

    assert origin.status(rid) == Status.ORG_NOT_LIVE
    assert mirror.isValid(foreign) == origin.isValid(rid)  # fails today: the mirror says VALID
