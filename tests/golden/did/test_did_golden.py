"""Golden DID documents: scripted histories resolve to these exact documents,
and each validates as DID Core with pydid.

Regenerate after an intended change with ``UPDATE_GOLDEN=1 ape test tests/golden/did``.
"""

from __future__ import annotations

import json
import os
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from trustspace.deploy.did import deploy_registry
from trustspace.did.registry import str_to_bytes32
from trustspace.did.resolver import ReceiptSource, Resolver, did_for

HERE = Path(__file__).parent
DAY = 86400
ZERO = "0x0000000000000000000000000000000000000000"


def validate_did_core(doc: dict[str, Any]) -> None:
    """Validate with pydid. pydid 0.5.3 leaves list items unparsed under pydantic 2.14
    (its document model then fails on any verification method), so the document
    shell and each verification method and service are deserialized separately,
    and every relationship reference must name a method of the document."""
    import pydid

    warnings.simplefilter("ignore")
    shell = {k: v for k, v in doc.items() if k not in ("verificationMethod", "service")}
    shell = {
        k: v
        for k, v in shell.items()
        if k not in ("authentication", "assertionMethod", "keyAgreement")
    }
    pydid.DIDDocument.deserialize(shell)
    ids = set()
    for vm in doc.get("verificationMethod", []):
        method = pydid.VerificationMethod.deserialize(vm)
        assert str(method.controller) == doc["id"]
        ids.add(vm["id"])
    for svc in doc.get("service", []):
        pydid.Service.deserialize(svc)
        ids.add(svc["id"])
    assert len(ids) == len(doc.get("verificationMethod", [])) + len(doc.get("service", []))
    for rel in ("authentication", "assertionMethod", "keyAgreement"):
        for ref in doc.get(rel, []):
            pydid.DIDUrl.parse(ref)
            assert ref in ids, f"{rel} names {ref}, which is not in the document"


Script = Callable[[Any, Any, Any, Any], None]

# Values anyone may write (issue 11, findings 12 and 13): each stays the opaque string it
# is, except valid strict JSON within the depth limit, which is parsed.
CRAFTED = [
    b'{"a":"[@","uri":"https://evil.example/collect","b":"]https://tax.gov.example/api"}',
    b"[link=https://evil.example]https://tax.gov.example[/link]",
    b"[/]",
    b"NaN",
    b'{"uri":"https://tax.example","weight":Infinity}',
    b"[1e400]",
    b"[" * 1500,
]


def _crafted_values(reg: Any, src: Any, me: Any, others: Any) -> None:
    for n, value in enumerate(CRAFTED):
        src.record(
            reg.setAttribute(me, str_to_bytes32(f"did/svc/Crafted{n}"), value, DAY, sender=me)
        )


def _services_and_keys(reg: Any, src: Any, me: Any, others: Any) -> None:
    src.record(
        reg.setAttribute(
            me,
            str_to_bytes32("did/svc/HubService"),
            b"https://hub.customs.example/did",
            DAY,
            sender=me,
        )
    )
    src.record(
        reg.setAttribute(
            me,
            str_to_bytes32("did/svc/Messaging"),
            b'{"uri":"https://msg.example","accept":["didcomm/v2"]}',
            DAY,
            sender=me,
        )
    )
    src.record(
        reg.setAttribute(
            me,
            str_to_bytes32("did/pub/Secp256k1/veriKey/hex"),
            bytes.fromhex("02" + "b9" * 32),
            DAY,
            sender=me,
        )
    )
    src.record(
        reg.setAttribute(
            me, str_to_bytes32("did/pub/Ed25519/veriKey/base58"), bytes(range(32)), DAY, sender=me
        )
    )
    src.record(
        reg.setAttribute(
            me, str_to_bytes32("did/pub/X25519/enc/base64"), bytes(range(32, 64)), DAY, sender=me
        )
    )


def _delegates_and_revocations(reg: Any, src: Any, me: Any, others: Any) -> None:
    src.record(reg.addDelegate(me, str_to_bytes32("veriKey"), others[0], DAY, sender=me))
    src.record(reg.addDelegate(me, str_to_bytes32("sigAuth"), others[1], DAY, sender=me))
    src.record(reg.setAttribute(me, str_to_bytes32("did/svc/Old"), b"https://old", DAY, sender=me))
    src.record(reg.revokeAttribute(me, str_to_bytes32("did/svc/Old"), b"https://old", sender=me))
    src.record(reg.revokeDelegate(me, str_to_bytes32("veriKey"), others[0], sender=me))
    src.record(reg.setAttribute(me, str_to_bytes32("did/svc/New"), b"https://new", DAY, sender=me))


def _new_owner(reg: Any, src: Any, me: Any, others: Any) -> None:
    src.record(reg.changeOwner(me, others[0], sender=me))
    src.record(
        reg.setAttribute(
            me, str_to_bytes32("did/svc/HubService"), b"https://hub", DAY, sender=others[0]
        )
    )


def _deactivated(reg: Any, src: Any, me: Any, others: Any) -> None:
    src.record(reg.addDelegate(me, str_to_bytes32("sigAuth"), others[1], DAY, sender=me))
    src.record(reg.changeOwner(me, ZERO, sender=me))


SCRIPTS: dict[str, Script] = {
    "services_and_keys": _services_and_keys,
    "delegates_and_revocations": _delegates_and_revocations,
    "new_owner": _new_owner,
    "deactivated": _deactivated,
    "crafted_values": _crafted_values,
}


@pytest.mark.parametrize("name", sorted(SCRIPTS))
def test_golden_document(
    name: str, project: Any, deployer: Any, did_subject: Any, did_counterparts: Any, chain: Any
) -> None:
    registry = deploy_registry(deployer)
    source = ReceiptSource(registry)
    me = did_subject
    SCRIPTS[name](registry, source, me, did_counterparts)
    chain.mine()
    result = Resolver([source]).resolve(did_for(me.address, chain.chain_id))
    got = {
        "didDocument": result.document,
        "deactivated": bool(result.document_metadata.get("deactivated")),
    }
    path = HERE / f"{name}.json"
    if os.environ.get("UPDATE_GOLDEN") or not path.exists():
        path.write_text(json.dumps(got, indent=2) + "\n")
    assert got == json.loads(path.read_text())
    assert result.document is not None
    validate_did_core(result.document)


def _compressed_key(account: Any) -> str:
    from eth_keys.datatypes import PrivateKey

    key = PrivateKey(bytes.fromhex(account.private_key.removeprefix("0x")))
    return "0x" + key.public_key.to_compressed_bytes().hex()


@pytest.mark.parametrize("transferred", [False, True])
def test_golden_public_key_did(
    transferred: bool,
    project: Any,
    deployer: Any,
    did_subject: Any,
    did_counterparts: Any,
    chain: Any,
) -> None:
    """A did:ethr named by its compressed public key lists #controllerKey while the
    key's own address controls the identity, and drops it after a transfer."""
    registry = deploy_registry(deployer)
    source = ReceiptSource(registry)
    me = did_subject
    source.record(
        registry.setAttribute(
            me, str_to_bytes32("did/svc/HubService"), b"https://hub", DAY, sender=me
        )
    )
    if transferred:
        source.record(registry.changeOwner(me, did_counterparts[0], sender=me))
    chain.mine()
    did = f"did:ethr:{hex(chain.chain_id)}:{_compressed_key(me)}"
    result = Resolver([source]).resolve(did)
    assert result.document is not None
    got = {"didDocument": result.document, "deactivated": False}
    path = HERE / f"public_key_did{'_transferred' if transferred else ''}.json"
    if os.environ.get("UPDATE_GOLDEN") or not path.exists():
        path.write_text(json.dumps(got, indent=2) + "\n")
    assert got == json.loads(path.read_text())
    ids = [vm["id"].split("#")[1] for vm in result.document["verificationMethod"]]
    assert ("controllerKey" in ids) is not transferred
    validate_did_core(result.document)
