"""The Notary as a bus recipient: foreign records from a peer chain, and mirroring out."""

import ape
import pytest
from eth_abi.abi import encode
from eth_utils.address import to_checksum_address
from eth_utils.crypto import keccak

from tests.utils.bus_harness import ORIGIN, govern, process
from trustspace.bus.message import Message
from trustspace.consortium.constants import Role

PEER = to_checksum_address("0x000000000000000000000000000000000000b0b0")
VALID, REVOKED, ORG_NOT_LIVE, UNKNOWN = 1, 2, 4, 0


def record_word(
    org_id=1, schema_id=1, attested_at=1_700_000_000, expires_at=0, revoked_at=0, reason=0, kind=1
):
    return (
        org_id | schema_id << 32 | attested_at << 64 | expires_at << 104
        | revoked_at << 144 | reason << 184 | kind << 200
    )  # fmt: skip


@pytest.fixture
def mirror_notary(project, deployer, five_org_consortium, bus_setup, bus_gov, bus_approvers):
    notary = deployer.deploy(project.Notary, five_org_consortium)
    for data in (notary.setBus.encode_input(bus_setup), notary.setPeer.encode_input(ORIGIN, PEER)):
        bus_gov.enact("call", approvers=bus_approvers, target=notary, data=data)
    return notary


def mirrored(origin_sim, notary, origin_id, word, sender=PEER):
    return origin_sim.add(notary, encode(["bytes32", "uint256"], [origin_id, word]), sender=sender)


def test_foreign_attestation__recorded_and_valid(
    mirror_notary, bus_setup, origin_sim, three_signers, relayer
):
    origin_id = keccak(b"declaration")
    message = mirrored(origin_sim, mirror_notary, origin_id, record_word(org_id=1))
    tx = process(bus_setup, origin_sim, message, three_signers, relayer)
    foreign = mirror_notary.foreignId(ORIGIN, origin_id)
    (event,) = tx.decode_logs(mirror_notary.ForeignRecorded)
    assert (bytes(event.id), event.origin, bytes(event.originId), event.orgId, event.revokedAt) == (
        bytes(foreign), ORIGIN, origin_id, 1, 0,
    )  # fmt: skip
    assert mirror_notary.isValid(foreign)
    assert mirror_notary.status(foreign) == VALID
    assert mirror_notary.foreignOrigin(foreign) == (ORIGIN, origin_id)
    assert mirror_notary.record(foreign).kind == 3  # FOREIGN
    assert not mirror_notary.isValid(origin_id)


def test_foreign_revocation__follows_and_is_kept_out_of_order(
    mirror_notary, bus_setup, origin_sim, three_signers, relayer
):
    origin_id = keccak(b"declaration")
    attested = mirrored(origin_sim, mirror_notary, origin_id, record_word())
    revoked = mirrored(
        origin_sim, mirror_notary, origin_id, record_word(revoked_at=1_700_000_100, reason=3)
    )
    # The revocation arrives first; the late attestation must not undo it.
    process(bus_setup, origin_sim, revoked, three_signers, relayer)
    process(bus_setup, origin_sim, attested, three_signers, relayer)
    foreign = mirror_notary.foreignId(ORIGIN, origin_id)
    assert mirror_notary.status(foreign) == REVOKED
    assert mirror_notary.record(foreign).reason == 3


def test_foreign_record__organisation_suspended_here__not_live(
    mirror_notary, bus_setup, bus_gov, bus_approvers, origin_sim, three_signers, relayer
):
    origin_id = keccak(b"assessment")
    process(
        bus_setup,
        origin_sim,
        mirrored(origin_sim, mirror_notary, origin_id, record_word(org_id=3)),
        three_signers,
        relayer,
    )
    bus_gov.enact("suspend_org", approvers=bus_approvers, org_id=3)
    assert mirror_notary.status(mirror_notary.foreignId(ORIGIN, origin_id)) == ORG_NOT_LIVE


def test_foreign_record__from_untrusted_sender__delivery_fails(
    mirror_notary, bus_setup, origin_sim, three_signers, relayer, outsider
):
    origin_id = keccak(b"forged")
    message = mirrored(origin_sim, mirror_notary, origin_id, record_word(), sender=outsider)
    tx = process(bus_setup, origin_sim, message, three_signers, relayer)
    (failed,) = tx.decode_logs(bus_setup.DeliveryFailed)
    assert bytes(failed.reason)[:4] == keccak(text="NotaryUntrustedSender(uint32,address)")[:4]
    assert mirror_notary.status(mirror_notary.foreignId(ORIGIN, origin_id)) == UNKNOWN


def test_handle__not_the_bus__reverts(mirror_notary, outsider):
    body = encode(["bytes32", "uint256"], [keccak(b"x"), record_word()])
    with ape.reverts(mirror_notary.NotaryNotBus, caller=outsider.address):
        mirror_notary.handle(ORIGIN, PEER, body, sender=outsider)


def test_foreign_record__cannot_be_revoked_locally(
    mirror_notary,
    bus_setup,
    bus_gov,
    bus_approvers,
    origin_sim,
    three_signers,
    relayer,
    customs_notary,
):
    origin_id = keccak(b"declaration")
    process(
        bus_setup,
        origin_sim,
        mirrored(origin_sim, mirror_notary, origin_id, record_word(org_id=1)),
        three_signers,
        relayer,
    )
    bus_gov.enact("add_account", approvers=bus_approvers, org_id=1, account=customs_notary)
    bus_gov.enact("grant_role", approvers=bus_approvers, account=customs_notary, roles=Role.NOTARY)
    foreign = mirror_notary.foreignId(ORIGIN, origin_id)
    with ape.reverts(mirror_notary.NotaryForeignRecord):
        mirror_notary.revoke(foreign, 1, sender=customs_notary)


def test_set_bus_and_peer__not_consortium__revert(mirror_notary, customs_admin, bus_setup):
    with ape.reverts(mirror_notary.NotaryNotConsortium):
        mirror_notary.setBus(bus_setup, sender=customs_admin)
    with ape.reverts(mirror_notary.NotaryNotConsortium):
        mirror_notary.setPeer(ORIGIN, PEER, sender=customs_admin)


def test_mirror__dispatches_the_record_to_the_peer(
    mirror_notary, bus_setup, bus_gov, bus_approvers, customs_notary, tax_notary, chain
):
    notary = mirror_notary
    for account, org in ((customs_notary, 1), (tax_notary, 2)):
        bus_gov.enact("add_account", approvers=bus_approvers, org_id=org, account=account)
        bus_gov.enact("grant_role", approvers=bus_approvers, account=account, roles=Role.NOTARY)
    notary.registerSchema("customs-declaration", "1.0", b"\x00" * 32, "", sender=customs_notary)
    schema = notary.schemaCount()
    notary.attest(keccak(b"doc"), schema, b"\x00" * 32, 0, sender=customs_notary)
    record_id = notary.recordId(keccak(b"doc"), 1)
    with ape.reverts(notary.NotaryNotAttester):
        notary.mirror(record_id, ORIGIN, sender=tax_notary)
    with ape.reverts(bus_setup.MessageBusSenderNotPermitted):
        notary.mirror(record_id, ORIGIN, sender=customs_notary)
    govern(bus_gov, bus_approvers, bus_setup, "setSender", notary, True)
    with ape.reverts(notary.NotaryNoPeer, chainId=31339):
        notary.mirror(record_id, 31339, sender=customs_notary)
    tx = notary.mirror(record_id, ORIGIN, sender=customs_notary)
    (dispatched,) = tx.decode_logs(bus_setup.Dispatched)
    message = Message.decode(bytes(dispatched.message))
    assert (message.origin, message.sender, message.destination, message.recipient) == (
        chain.chain_id, notary.address, ORIGIN, PEER,
    )  # fmt: skip
    origin_id, word = bytes(message.body[:32]), int.from_bytes(message.body[32:], "big")
    assert origin_id == bytes(record_id) and word & 0xFFFFFFFF == 1
    (event,) = tx.decode_logs(notary.Mirrored)
    assert (bytes(event.id), event.destination, bytes(event.messageId)) == (
        bytes(record_id),
        ORIGIN,
        message.id,
    )
