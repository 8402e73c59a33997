"""Resolver on boa: versions, deactivation, long histories, consortium view, ABI."""

from __future__ import annotations

import pytest

from trustspace.artifacts import abi
from trustspace.did.consortium_view import consortium_view
from trustspace.did.resolver import ResolutionError, did_for, parse_did

DAY = 86400
SVC = "did/svc/HubService"


def test_abi__shipped_copy__equals_compiled(registry):
    compiled = {
        (e.name, e.type, tuple(i.type for i in e.inputs))
        for e in registry.contract_type.abi
        if e.type in ("function", "event")
    }
    ours = {
        (e["name"], e["type"], tuple(i["type"] for i in e["inputs"])) for e in abi("DIDRegistry")
    }
    assert compiled == ours


def test_parse_did__forms():
    addr = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
    assert parse_did(f"did:ethr:{addr}").chain_id is None
    assert parse_did(f"did:ethr:0x7a6a:{addr}").chain_id == 31338
    assert parse_did(f"did:ethr:0x7a6a:{addr}?versionId=12").version_id == 12
    with pytest.raises(ResolutionError):
        parse_did("did:web:example.org")


def test_resolve__unknown_chain__raises(resolver, identity_owner):
    with pytest.raises(ResolutionError, match="no registry configured"):
        resolver.resolve(did_for(identity_owner.address, 999))


def test_resolve__bare_did__uses_default_chain(resolver, identity_owner):
    result = resolver.resolve(did_for(identity_owner.address))
    assert result.document["verificationMethod"][0]["blockchainAccountId"].endswith(
        identity_owner.address
    )


def test_resolve__at_block__gives_that_version(
    registry, source, resolver, identity_owner, new_owner, b32, chain
):
    first = source.record(
        registry.setAttribute(identity_owner, b32(SVC), b"https://a", DAY, sender=identity_owner)
    )
    chain.pending_timestamp += 100
    second = source.record(registry.changeOwner(identity_owner, new_owner, sender=identity_owner))
    did = did_for(identity_owner.address, chain.chain_id)
    old = resolver.resolve(did, at_block=first.block_number)
    assert old.document["service"][0]["serviceEndpoint"] == "https://a"
    assert old.document["verificationMethod"][0]["blockchainAccountId"].endswith(
        identity_owner.address
    )
    assert old.document_metadata["versionId"] == str(first.block_number)
    assert old.document_metadata["nextVersionId"] == str(second.block_number)
    assert resolver.resolve(f"{did}?versionId={first.block_number}").document == old.document
    new = resolver.resolve(did)
    assert new.document["verificationMethod"][0]["blockchainAccountId"].endswith(new_owner.address)
    assert "nextVersionId" not in new.document_metadata
    by_time = resolver.resolve(did, at_time=old.document_metadata["updated"])
    assert by_time.document == old.document


def test_resolve__expired_delegate__drops_out(
    registry, source, resolver, identity_owner, delegate_key, b32, chain
):
    source.record(
        registry.addDelegate(
            identity_owner, b32("sigAuth"), delegate_key, DAY, sender=identity_owner
        )
    )
    did = did_for(identity_owner.address, chain.chain_id)
    assert len(resolver.resolve(did).document["authentication"]) == 2
    chain.pending_timestamp += DAY + 1
    chain.mine()
    assert len(resolver.resolve(did).document["authentication"]) == 1


def test_resolve__deactivated__empty_document_and_flag(
    registry, source, resolver, identity_owner, b32, chain
):
    source.record(
        registry.setAttribute(identity_owner, b32(SVC), b"https://a", DAY, sender=identity_owner)
    )
    source.record(registry.changeOwner(identity_owner, "0x" + "00" * 20, sender=identity_owner))
    result = resolver.resolve(did_for(identity_owner.address, chain.chain_id))
    assert result.document_metadata["deactivated"] is True
    assert result.document["verificationMethod"] == []


def test_resolve__1000_changes__one_single_block_query_per_change(
    registry, source, resolver, identity_owner, b32, chain
):
    for i in range(1000):
        source.record(
            registry.setAttribute(identity_owner, b32(SVC), b"e%d" % i, DAY, sender=identity_owner)
        )
    result = resolver.resolve(did_for(identity_owner.address, chain.chain_id))
    # Every value stays live, each under its own id: 1000 services.
    assert len(result.document["service"]) == 1000
    # One single-block lookup per block with changes, no range scans.
    assert source.log_queries == 1000


def test_consortium_view__org_did_and_account(consortium, customs_admin, outsider):
    org_id = consortium.org_of(customs_admin)
    view = consortium_view(consortium, customs_admin.address)
    assert view is not None
    assert view["organisation"]["id"] == org_id
    assert view["organisation"]["name"] == "Customs Authority"
    assert view["organisation"]["kind"] == "CUSTOMS"
    assert view["organisation"]["status"] == "ACTIVE"
    assert view["relation"] == "account"
    assert "ADMIN" in view["roles"]
    assert consortium_view(consortium, outsider.address) is None


# ---------------------------------------------------------- crafted endpoint values


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("https://hub.example", "https://hub.example"),
        ('{"uri":"https://x.example","accept":["didcomm/v2"]}',
         {"uri": "https://x.example", "accept": ["didcomm/v2"]}),
        ("1.5", 1.5),
        ("NaN", "NaN"),
        ("[Infinity]", "[Infinity]"),
        ("-Infinity", "-Infinity"),
        ("1e400", "1e400"),
        ("[" * 1500, "[" * 1500),
        ("[" * 33 + "]" * 33, "[" * 33 + "]" * 33),
        ('["[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["]', ["[" * 36]),
    ],
)  # fmt: skip
def test_parse_endpoint__strict_json_or_the_opaque_string(text, expected):
    from trustspace.did.resolver import parse_endpoint

    assert parse_endpoint(text) == expected


def test_parse_endpoint__at_the_depth_limit__parsed():
    from trustspace.did.resolver import MAX_ENDPOINT_DEPTH, parse_endpoint

    value = parse_endpoint("[" * MAX_ENDPOINT_DEPTH + "]" * MAX_ENDPOINT_DEPTH)
    for _ in range(MAX_ENDPOINT_DEPTH - 1):
        value = value[0]
    assert value == []
