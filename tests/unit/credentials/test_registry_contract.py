"""CredentialRegistry: schemas and accreditations by governance, status lists by issuers."""

from __future__ import annotations

import ape
import pytest

from tests.utils.credentials import CUSTOMS, MARITIME, TAX, type_and_schema
from trustspace.consortium.governance import reason_hash
from trustspace.credentials.model import Purpose, type_hash
from trustspace.credentials.registry import set_status

YEAR = 365 * 86400
ZERO = b"\x00" * 32


def test_constructor__zero_consortium__reverts(project, deployer):
    with ape.reverts("credentials: zero consortium"):
        deployer.deploy(project.CredentialRegistry, "0x" + "00" * 20)


def test_consortium__after_deploy__is_the_governor(credential_registry, vc_consortium):
    assert credential_registry.consortium() == vc_consortium.address


# ------------------------------------------------------------------ schemas


def test_register_schema__by_proposal__records_type_and_logs(
    credential_registry, vc_gov, approvers
):
    thash, shash = type_hash("VesselRegistration"), b"\x11" * 32
    decision = vc_gov.decide_call(
        credential_registry, "register_schema", shash, thash, approvers=approvers
    )
    assert credential_registry.schema_type(shash) == thash
    logs = list(decision.receipts[-1].decode_logs(credential_registry.SchemaRegistered))
    assert [(bytes(e.schema_hash), bytes(e.credential_type)) for e in logs] == [(shash, thash)]


def test_register_schema__direct_call__reverts(credential_registry, customs_admin):
    with ape.reverts("credentials: not consortium"):
        credential_registry.register_schema(b"\x11" * 32, b"\x22" * 32, sender=customs_admin)


def test_register_schema__twice__reverts(credential_registry, vc_consortium, aeo_registered):
    thash, shash = aeo_registered
    with ape.reverts("credentials: schema registered"):
        credential_registry.register_schema(shash, thash, sender=vc_consortium)


def test_register_schema__zero_hash__reverts(credential_registry, vc_consortium):
    with ape.reverts("credentials: zero hash"):
        credential_registry.register_schema(ZERO, b"\x22" * 32, sender=vc_consortium)


# ------------------------------------------------------------------ accreditation


def test_accredit__registered_schema__holds_within_interval_only(
    credential_registry, aeo_registered
):
    thash, shash = aeo_registered
    [(start, end)] = [tuple(i) for i in credential_registry.accreditations(CUSTOMS, thash, shash)]
    assert credential_registry.accredited_at(CUSTOMS, thash, shash, start)
    assert credential_registry.accredited_at(CUSTOMS, thash, shash, end - 1)
    assert not credential_registry.accredited_at(CUSTOMS, thash, shash, start - 1)
    assert not credential_registry.accredited_at(CUSTOMS, thash, shash, end)
    assert not credential_registry.accredited_at(TAX, thash, shash, start)


def test_accredit__logs_interval(credential_registry, vc_gov, approvers, aeo_registered, chain):
    thash, shash = aeo_registered
    start = chain.pending_timestamp + 100
    decision = vc_gov.decide_call(
        credential_registry, "accredit", TAX, thash, shash, start, start + 50, approvers=approvers
    )
    [event] = decision.receipts[-1].decode_logs(credential_registry.Accredited)
    assert (event.org_id, bytes(event.credential_type), bytes(event.schema_hash)) == (
        TAX,
        thash,
        shash,
    )
    assert (event.valid_from, event.valid_until) == (start, start + 50)


def test_accredit__schema_of_another_type__reverts(
    credential_registry, vc_consortium, aeo_registered, chain
):
    _, shash = aeo_registered
    now = chain.pending_timestamp
    with ape.reverts("credentials: unknown schema"):
        credential_registry.accredit(
            CUSTOMS, type_hash("Other"), shash, now, now + 10, sender=vc_consortium
        )


def test_accredit__empty_interval__reverts(
    credential_registry, vc_consortium, aeo_registered, chain
):
    thash, shash = aeo_registered
    now = chain.pending_timestamp
    with ape.reverts("credentials: bad interval"):
        credential_registry.accredit(TAX, thash, shash, now + 10, now + 10, sender=vc_consortium)


def test_accredit__overlapping_current__reverts(
    credential_registry, vc_consortium, aeo_registered, chain
):
    thash, shash = aeo_registered
    now = chain.pending_timestamp
    with ape.reverts("credentials: overlapping accreditation"):
        credential_registry.accredit(CUSTOMS, thash, shash, now + 5, now + 10, sender=vc_consortium)


def test_accredit__suspended_org__reverts(
    credential_registry, vc_consortium, vc_gov, approvers, aeo_registered, chain
):
    thash, shash = aeo_registered
    vc_gov.enact("suspend_org", approvers=approvers, org_id=MARITIME)
    now = chain.pending_timestamp
    with ape.reverts("credentials: org not live"):
        credential_registry.accredit(MARITIME, thash, shash, now, now + 10, sender=vc_consortium)


def test_accredit__seventeenth_interval__reverts(
    credential_registry, vc_consortium, aeo_registered, chain
):
    thash, shash = aeo_registered
    start = chain.pending_timestamp + 10
    for i in range(16):
        credential_registry.accredit(
            TAX, thash, shash, start + 2 * i, start + 2 * i + 1, sender=vc_consortium
        )
    with ape.reverts("credentials: too many accreditations"):
        credential_registry.accredit(
            TAX, thash, shash, start + 40, start + 41, sender=vc_consortium
        )


def test_withdraw__keeps_past_interval_verifiable(
    credential_registry, vc_gov, approvers, aeo_registered, chain
):
    thash, shash = aeo_registered
    issued = chain.blocks.head.timestamp
    chain.pending_timestamp = issued + 100
    chain.mine()
    decision = vc_gov.decide_call(
        credential_registry, "withdraw", CUSTOMS, thash, shash, approvers=approvers
    )
    [event] = decision.receipts[-1].decode_logs(credential_registry.AccreditationWithdrawn)
    ended = event.valid_until
    assert credential_registry.accredited_at(CUSTOMS, thash, shash, issued)
    assert not credential_registry.accredited_at(CUSTOMS, thash, shash, ended)
    [interval] = credential_registry.accreditations(CUSTOMS, thash, shash)
    assert interval[1] == ended


def test_withdraw__pending_interval__never_holds(
    credential_registry, vc_consortium, aeo_registered, chain
):
    thash, shash = aeo_registered
    start = chain.pending_timestamp + 1000
    credential_registry.accredit(TAX, thash, shash, start, start + 10, sender=vc_consortium)
    credential_registry.withdraw(TAX, thash, shash, sender=vc_consortium)
    assert not credential_registry.accredited_at(TAX, thash, shash, start)


def test_withdraw__with_a_pending_renewal__ends_the_current_interval_now(
    credential_registry, vc_consortium, aeo_registered, chain
):
    thash, shash = aeo_registered
    start = chain.pending_timestamp
    credential_registry.accredit(TAX, thash, shash, start, start + 100, sender=vc_consortium)
    credential_registry.accredit(
        TAX, thash, shash, start + 100, start + 10_000, sender=vc_consortium
    )
    chain.pending_timestamp = start + 50
    receipt = credential_registry.withdraw(TAX, thash, shash, sender=vc_consortium)
    [event] = receipt.decode_logs(credential_registry.AccreditationWithdrawn)
    assert (event.org_id, event.credential_type, event.schema_hash, event.valid_until) == (
        TAX, thash, shash, start + 50,
    )  # fmt: skip
    for at in (start + 50, start + 99, start + 100, start + 5_000):
        assert not credential_registry.accredited_at(TAX, thash, shash, at)
    assert credential_registry.accredited_at(TAX, thash, shash, start + 49)
    assert [tuple(iv) for iv in credential_registry.accreditations(TAX, thash, shash)] == [
        (start, start + 50),
        (start + 100, start + 100),
    ]


def test_withdraw__not_accredited__reverts(credential_registry, vc_consortium, aeo_registered):
    thash, shash = aeo_registered
    with ape.reverts("credentials: not accredited"):
        credential_registry.withdraw(TAX, thash, shash, sender=vc_consortium)


# ------------------------------------------------------------------ status lists


def test_create_list__issuer__owned_by_its_org_and_logged(credential_registry, customs_clerk):
    receipt = credential_registry.create_list(int(Purpose.SUSPENSION), 2, sender=customs_clerk)
    [event] = receipt.decode_logs(credential_registry.StatusListCreated)
    assert (event.org_id, event.creator, event.purpose, event.capacity) == (
        CUSTOMS,
        customs_clerk.address,
        2,
        510,
    )
    assert tuple(credential_registry.list_info(event.list_id)) == (CUSTOMS, 2, 510)
    assert [int(w) for w in credential_registry.list_words(event.list_id, 0, 5)] == [1 << 255] * 2


def test_create_list__without_issuer_role__reverts(credential_registry, customs_admin):
    with ape.reverts("credentials: not issuer"):
        credential_registry.create_list(1, 1, sender=customs_admin)


@pytest.mark.parametrize("purpose", [0, 3])
def test_create_list__unknown_purpose__reverts(credential_registry, customs_clerk, purpose):
    with ape.reverts("credentials: bad purpose"):
        credential_registry.create_list(purpose, 1, sender=customs_clerk)


@pytest.mark.parametrize("words", [0, 129])
def test_create_list__size_out_of_bounds__reverts(credential_registry, customs_clerk, words):
    with ape.reverts("credentials: bad size"):
        credential_registry.create_list(1, words, sender=customs_clerk)


def test_extend_list__owner__grows_capacity(credential_registry, customs_clerk, customs_lists):
    rev, _ = customs_lists
    receipt = credential_registry.extend_list(rev, 3, sender=customs_clerk)
    [event] = receipt.decode_logs(credential_registry.StatusListExtended)
    assert (event.list_id, event.by, event.capacity) == (rev, customs_clerk.address, 4 * 255)
    credential_registry.set_status(rev, 4 * 255 - 1, True, ZERO, sender=customs_clerk)
    assert credential_registry.status(rev, 4 * 255 - 1)


def test_extend_list__other_org__reverts(credential_registry, tax_clerk, customs_lists):
    with ape.reverts("credentials: not list owner"):
        credential_registry.extend_list(customs_lists[0], 1, sender=tax_clerk)


def test_extend_list__beyond_max__reverts(credential_registry, customs_clerk, customs_lists):
    rev, _ = customs_lists
    for _ in range(63):
        credential_registry.extend_list(rev, 128, sender=customs_clerk)
    with ape.reverts("credentials: list full"):
        credential_registry.extend_list(rev, 128, sender=customs_clerk)


def test_set_status__revoke__sets_bit_and_logs_reason(
    credential_registry, customs_clerk, customs_lists
):
    rev, _ = customs_lists
    receipt = set_status(credential_registry, rev, [7], True, "fraud", customs_clerk)[0]
    assert credential_registry.status(rev, 7)
    assert not credential_registry.status(rev, 6)
    [event] = receipt.decode_logs(credential_registry.StatusChanged)
    assert (event.list_id, event.index, event.by, event.flag) == (
        rev,
        7,
        customs_clerk.address,
        True,
    )
    assert bytes(event.reason) == reason_hash("fraud")


def test_set_status__unrevoke__reverts(credential_registry, customs_clerk, customs_lists):
    rev, _ = customs_lists
    credential_registry.set_status(rev, 7, True, ZERO, sender=customs_clerk)
    with ape.reverts("credentials: revocation is final"):
        credential_registry.set_status(rev, 7, False, ZERO, sender=customs_clerk)


def test_set_status__suspend_then_reinstate__clears_bit(
    credential_registry, customs_clerk, customs_lists
):
    _, sus = customs_lists
    credential_registry.set_status(sus, 254, True, ZERO, sender=customs_clerk)
    assert credential_registry.status(sus, 254)
    credential_registry.set_status(sus, 254, False, ZERO, sender=customs_clerk)
    assert not credential_registry.status(sus, 254)
    assert int(credential_registry.list_words(sus, 0, 1)[0]) == 1 << 255


def test_set_status__index_beyond_capacity__reverts(
    credential_registry, customs_clerk, customs_lists
):
    with ape.reverts("credentials: index out of range"):
        credential_registry.set_status(customs_lists[0], 255, True, ZERO, sender=customs_clerk)


def test_set_status__other_org_issuer__reverts(credential_registry, tax_clerk, customs_lists):
    with ape.reverts("credentials: not list owner"):
        credential_registry.set_status(customs_lists[0], 1, True, ZERO, sender=tax_clerk)


def test_set_status__outsider__reverts(credential_registry, outsider, customs_lists):
    with ape.reverts("credentials: not issuer"):
        credential_registry.set_status(customs_lists[0], 1, True, ZERO, sender=outsider)


def test_set_status__unknown_list__reverts(credential_registry, customs_clerk, customs_lists):
    with ape.reverts("credentials: unknown list"):
        credential_registry.set_status(99, 1, True, ZERO, sender=customs_clerk)


def test_set_status__issuer_role_revoked__reverts(
    credential_registry, vc_gov, approvers, customs_clerk, customs_lists
):
    vc_gov.enact("revoke_role", approvers=approvers, account=customs_clerk, roles=4)
    with ape.reverts("credentials: not issuer"):
        credential_registry.set_status(customs_lists[0], 1, True, ZERO, sender=customs_clerk)


def test_set_statuses__batch__flips_each_and_logs_each(
    credential_registry, customs_clerk, customs_lists
):
    _, sus = customs_lists
    receipt = credential_registry.set_statuses(sus, [0, 100, 254], True, ZERO, sender=customs_clerk)
    assert [credential_registry.status(sus, i) for i in (0, 1, 100, 254)] == [
        True,
        False,
        True,
        True,
    ]
    assert [e.index for e in receipt.decode_logs(credential_registry.StatusChanged)] == [
        0,
        100,
        254,
    ]


def test_set_statuses__empty__reverts(credential_registry, customs_clerk, customs_lists):
    with ape.reverts("credentials: no entries"):
        credential_registry.set_statuses(customs_lists[1], [], True, ZERO, sender=customs_clerk)


def test_set_statuses__one_out_of_range__reverts_all(
    credential_registry, customs_clerk, customs_lists
):
    _, sus = customs_lists
    with ape.reverts("credentials: index out of range"):
        credential_registry.set_statuses(sus, [3, 300], True, ZERO, sender=customs_clerk)
    assert not credential_registry.status(sus, 3)


def test_set_statuses__unrevoke__reverts(credential_registry, customs_clerk, customs_lists):
    with ape.reverts("credentials: revocation is final"):
        credential_registry.set_statuses(customs_lists[0], [1], False, ZERO, sender=customs_clerk)


def test_status__unknown_list__reads_false(credential_registry):
    assert not credential_registry.status(42, 0)
    assert tuple(credential_registry.list_info(42)) == (0, 0, 0)
    assert list(credential_registry.list_words(42, 0, 10)) == []


def test_type_and_schema__helpers__match_contract_keys(aeo_registered):
    assert aeo_registered == type_and_schema()
