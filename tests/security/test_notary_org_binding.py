"""Finding 5 of issue 11: a delegated request must name the organisation it is signed for.

Before the fix the EIP-712 ``Attest`` / ``Revoke`` messages named the key only, and the
record went to whatever organisation the key belonged to *when the request was
submitted*. Attack: a customs officer's key signs a customs declaration request (or a
revocation) that is not submitted at once — back offices queue them, relayers retry;
governance then moves the key to tax (remove from customs, add to tax, grant NOTARY).
Anyone holding the queued request submits it: on the old code it became a **tax**
attestation (and a queued revocation revoked a tax record). Now the request carries
``orgId`` = customs and the Notary refuses it with ``NotaryOrgMismatch``.
"""

from __future__ import annotations

import ape
import pytest

from trustspace.consortium.constants import Role
from trustspace.crypto import eip712
from trustspace.notary.client import Status
from trustspace.notary.tree import record_id

CUSTOMS, TAX = 1, 2


@pytest.fixture
def move_key(notary_gov, approvers):
    """Governance moves ``account`` to organisation ``org_id`` with NOTARY, the only way a key
    changes organisation: remove it from the old one, add it to the new one, grant the role."""

    def move(account, org_id):
        notary_gov.enact("remove_account", approvers=approvers, account=account)
        notary_gov.enact("add_account", approvers=approvers, org_id=org_id, account=account)
        notary_gov.enact("grant_role", approvers=approvers, account=account, roles=int(Role.NOTARY))

    return move


def test_key_moved_from_customs_to_tax__customs_signed_attestation__refused(
    notary, client, notary_gov, enroll, move_key, newcomer, outsider, schema_id, digest
):
    enroll(newcomer, CUSTOMS)
    # Signed while the key is a customs NOTARY; queued, not submitted.
    request = client.attest_request(newcomer.address, digest("customs declaration"), schema_id)
    assert request.org_id == CUSTOMS
    signature = client.sign(request, newcomer.private_key)

    move_key(newcomer, TAX)
    assert notary_gov.consortium.org_of(newcomer) == TAX

    # The relayer submits the queued request: it must not become a tax attestation.
    with ape.reverts(
        notary.NotaryOrgMismatch, signer=newcomer.address, signedOrgId=CUSTOMS, currentOrgId=TAX
    ):
        client.attest_by_sig(request, signature, sender=outsider)
    assert client.status(record_id(digest("customs declaration"), TAX)) == Status.UNKNOWN
    assert client.status(record_id(digest("customs declaration"), CUSTOMS)) == Status.UNKNOWN
    assert not notary.isNonceUsed(newcomer, request.nonce)  # the revert spent nothing

    # The moved key still works for tax, with a request that says so.
    retagged = client.attest_request(newcomer.address, digest("tax assessment"), schema_id)
    rid, tx = client.attest_by_sig(
        retagged, client.sign(retagged, newcomer.private_key), sender=outsider
    )
    (event,) = tx.decode_logs(notary.Attested)
    assert (event.orgId, event.attester) == (TAX, newcomer.address)
    assert rid == record_id(digest("tax assessment"), TAX)


def test_key_moved_from_customs_to_tax__customs_signed_revocation__cannot_revoke_a_tax_record(
    notary, client, chain, enroll, move_key, newcomer, tax_notary, outsider, schema_id, digest
):
    tax_record, _ = client.attest(digest("tax assessment"), schema_id, sender=tax_notary)
    enroll(newcomer, CUSTOMS)
    # A revocation signed by the key while it is customs (e.g. of a record id it was handed).
    request = eip712.RevokeRequest(
        revoker=newcomer.address, org_id=CUSTOMS, id=tax_record, reason=4, nonce=77,
        deadline=chain.pending_timestamp + 3600,
    )  # fmt: skip
    signature = client.sign(request, newcomer.private_key)

    move_key(newcomer, TAX)

    with ape.reverts(
        notary.NotaryOrgMismatch, signer=newcomer.address, signedOrgId=CUSTOMS, currentOrgId=TAX
    ):
        client.revoke_by_sig(request, signature, sender=outsider)
    assert client.status(tax_record) == Status.VALID
