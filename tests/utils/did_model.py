"""A plain-Python model of one ERC-1056 identity, for property tests.

It records what each successful operation should have done (owner, nonce,
delegations with expiry, attribute changes, deactivation) and renders the
document resolution should give. The rendering is declarative, written
independently of the resolver's event replay: an entry is in the document
if its latest change is live; its id is the counter value of that change;
its position is where its current unbroken run of live changes began.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

NULL_ADDRESS = "0x0000000000000000000000000000000000000000"
_PUB = re.compile(r"^did/pub/(\w+)/(\w+)/(\w+)$")
_SVC = re.compile(r"^did/svc/(\w+)$")
_TYPES = {
    ("Secp256k1", "veriKey"): "EcdsaSecp256k1VerificationKey2019",
    ("Secp256k1", "sigAuth"): "EcdsaSecp256k1VerificationKey2019",
    ("Ed25519", "veriKey"): "Ed25519VerificationKey2018",
    ("Ed25519", "sigAuth"): "Ed25519VerificationKey2018",
    ("X25519", "enc"): "X25519KeyAgreementKey2019",
    ("RSA", "veriKey"): "RSAVerificationKey2018",
}


@dataclass(frozen=True)
class Change:
    """One successful registry operation on the identity."""

    seq: int
    block: int
    kind: str  # "owner" | "delegate" | "attribute"
    key: tuple[str, str]  # (delegate type, delegate) or (name, value hex)
    valid_to: int = 0
    owner: str | None = None
    value: bytes = b""


@dataclass
class IdentityModel:
    """What the registry should hold for one identity."""

    address: str
    owner: str | None = None
    deactivated: bool = False
    delegations: dict[tuple[str, str], int] = field(default_factory=dict)
    changes: list[Change] = field(default_factory=list)
    changed: int = 0

    def current_owner(self) -> str:
        if self.deactivated:
            return NULL_ADDRESS
        return self.owner or self.address

    def _add(self, block: int, kind: str, key: tuple[str, str], **kw: Any) -> None:
        self.changes.append(Change(len(self.changes), block, kind, key, **kw))
        self.changed = block

    def change_owner(self, new_owner: str, block: int) -> None:
        self.owner = new_owner
        self.deactivated = new_owner == NULL_ADDRESS
        self._add(block, "owner", ("", ""), owner=new_owner)

    def set_delegate(self, kind: str, delegate: str, valid_to: int, block: int) -> None:
        self.delegations[(kind, delegate)] = valid_to
        self._add(block, "delegate", (kind, delegate), valid_to=valid_to)

    def set_attribute(self, name: str, value: bytes, valid_to: int, block: int) -> None:
        self._add(block, "attribute", (name, value.hex()), valid_to=valid_to, value=value)

    def valid_delegate(self, kind: str, delegate: str, now: int) -> bool:
        """What ``validDelegate`` should answer at block time ``now`` (strictly later)."""
        return not self.deactivated and self.delegations.get((kind, delegate), 0) > now

    def document(
        self, chain_id: int, now: int, upto_block: int | None = None
    ) -> tuple[dict[str, Any], bool]:
        """The document (and deactivation flag) resolution should give at time ``now``,
        counting only changes made up to ``upto_block``."""
        did = f"did:ethr:{hex(chain_id)}:{self.address}"
        changes = [c for c in self.changes if upto_block is None or c.block <= upto_block]
        owners = [c.owner or NULL_ADDRESS for c in changes if c.kind == "owner"]
        if NULL_ADDRESS in owners:
            empty = {
                "id": did,
                "verificationMethod": [],
                "authentication": [],
                "assertionMethod": [],
            }
            return {"@context": _contexts([]), **empty}, True
        controller = owners[-1] if owners else self.address

        # Every delegate change and every did/pub change takes the next
        # #delegate-N, every did/svc change the next #service-N, live or not.
        number: dict[int, int] = {}
        delegates = services = 0
        for c in changes:
            if c.kind == "delegate" or (c.kind == "attribute" and c.key[0].startswith("did/pub/")):
                delegates += 1
                number[c.seq] = delegates
            elif c.kind == "attribute" and c.key[0].startswith("did/svc/"):
                services += 1
                number[c.seq] = services

        runs: dict[tuple[str, str, str], list[Change]] = {}
        for c in changes:
            if c.kind == "owner":
                continue
            run = runs.setdefault((c.kind, *c.key), [])
            if c.valid_to > now:
                run.append(c)
            else:
                run.clear()
        live = sorted(
            ((run[0].seq, run[-1]) for run in runs.values() if run), key=lambda item: item[0]
        )

        vms: list[dict[str, Any]] = [_recovery(f"{did}#controller", did, chain_id, controller)]
        auth, assertion, agreement, svcs = [vms[0]["id"]], [vms[0]["id"]], [], []
        for _, c in live:
            ref = f"{did}#delegate-{number.get(c.seq, 0)}"
            if c.kind == "delegate":
                kind, delegate = c.key
                if kind not in ("veriKey", "sigAuth"):
                    continue
                vms.append(_recovery(ref, did, chain_id, delegate))
                assertion.append(ref)
                if kind == "sigAuth":
                    auth.append(ref)
                continue
            name = c.key[0]
            pub, svc = _PUB.match(name), _SVC.match(name)
            if pub:
                alg, purpose, encoding = pub.groups()
                vms.append(
                    {
                        "id": ref,
                        "type": _TYPES.get((alg, purpose), alg),
                        "controller": did,
                        **_material(encoding, c.value),
                    }
                )
                if purpose == "enc":
                    agreement.append(ref)
                else:
                    assertion.append(ref)
                    if purpose == "sigAuth":
                        auth.append(ref)
            elif svc:
                text = c.value.decode("utf-8", errors="strict") if _utf8(c.value) else None
                if text is None:
                    continue
                try:
                    endpoint: Any = json.loads(text)
                except ValueError:
                    endpoint = text
                svcs.append(
                    {
                        "id": f"{did}#service-{number[c.seq]}",
                        "type": svc.group(1),
                        "serviceEndpoint": endpoint,
                    }
                )
        doc: dict[str, Any] = {
            "id": did,
            "verificationMethod": vms,
            "authentication": auth,
            "assertionMethod": assertion,
        }
        if svcs:
            doc["service"] = svcs
        if agreement:
            doc["keyAgreement"] = agreement
        return {"@context": _contexts(vms), **doc}, False


def _utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _recovery(ref: str, did: str, chain_id: int, account: str) -> dict[str, Any]:
    return {
        "id": ref,
        "type": "EcdsaSecp256k1RecoveryMethod2020",
        "controller": did,
        "blockchainAccountId": f"eip155:{chain_id}:{account}",
    }


def _material(encoding: str, value: bytes) -> dict[str, str]:
    import base64

    if encoding == "base64":
        return {"publicKeyBase64": base64.b64encode(value).decode()}
    if encoding == "hex":
        return {"publicKeyHex": value.hex()}
    raise ValueError(f"encoding not modelled: {encoding}")


def _contexts(vms: list[dict[str, Any]]) -> list[Any]:
    contexts: list[Any] = [
        "https://www.w3.org/ns/did/v1",
        "https://w3id.org/security/suites/secp256k1recovery-2020/v2",
    ]
    if any(vm["type"] == "EcdsaSecp256k1VerificationKey2019" for vm in vms):
        contexts.append("https://w3id.org/security/v2")
    inline = {}
    if any("publicKeyHex" in vm for vm in vms):
        inline["publicKeyHex"] = "https://w3id.org/security#publicKeyHex"
    if any("publicKeyBase64" in vm for vm in vms):
        inline["publicKeyBase64"] = "https://w3id.org/security#publicKeyBase64"
    if inline:
        contexts.append(inline)
    return contexts
