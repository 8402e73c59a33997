"""Resolve did:ethr identifiers into W3C DID Core documents from ERC-1056 event history.

The algorithm follows the did:ethr method spec and the reference resolver
(decentralized-identity/ethr-did-resolver): the history is read by walking the
``changed`` / ``previousChange`` linked list, one single-block log query per
block that holds changes (never a full-range scan), then replayed in order.

Differences from the reference resolver, on purpose:
- "now" is the timestamp of the chain's latest block (or of the requested
  version's block), not the wall clock, so a permissioned chain with its own
  clock and tests that travel in time resolve consistently;
- an entry is live while ``validTo > now`` (the registry's own test), not ``>=``;
- public keys keep the legacy did:ethr encodings (``publicKeyHex``,
  ``publicKeyBase64``, ``publicKeyBase58``, ``publicKeyPem``) named by the
  attribute, instead of converting to JWK/multibase;
- a service endpoint is parsed as JSON only when it is strict JSON (no
  ``NaN``/``Infinity``, no number that overflows a double) nested at most
  :data:`MAX_ENDPOINT_DEPTH` deep; any other value is kept as the opaque
  string it is on chain (see :func:`parse_endpoint`). Anyone may write any
  bytes to the registry, so resolution never fails on what a value holds.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from eth_utils.address import to_checksum_address
from eth_utils.crypto import keccak

from trustspace.did.registry import bytes32_to_str
from trustspace.errors import InputError, UnreachableError
from trustspace.event_logs import ape_logs
from trustspace.index.source import get_logs

__all__ = [
    "MAX_ENDPOINT_DEPTH",
    "NULL_ADDRESS",
    "ApeSource",
    "ChainSource",
    "ParsedDID",
    "ReceiptSource",
    "RegistryEvent",
    "Resolution",
    "ResolutionError",
    "Resolver",
    "Web3Source",
    "build_document",
    "chain_id_of",
    "checked_address",
    "did_for",
    "endpoint_of",
    "history",
    "parse_did",
    "parse_endpoint",
    "require_code",
    "unreachable",
    "view_call",
]

NULL_ADDRESS = "0x0000000000000000000000000000000000000000"
DID_PATTERN = re.compile(
    r"^did:ethr:(?:(?P<network>[^:?#]+):)?(?P<id>0x[0-9a-fA-F]{40}|0x[0-9a-fA-F]{66})"
    r"(?:\?(?P<query>[^#]*))?$"
)
ATTRIBUTE_PATTERN = re.compile(r"^did/(pub|svc)/(\w+)(/(\w+))?(/(\w+))?$")
RECOVERY_2020 = "EcdsaSecp256k1RecoveryMethod2020"
SECP256K1_2019 = "EcdsaSecp256k1VerificationKey2019"

# did:ethr attribute purpose → legacy type suffix, and legacy type → VM type.
LEGACY_ATTR_TYPES = {
    "sigAuth": "SignatureAuthentication2018",
    "veriKey": "VerificationKey2018",
    "enc": "KeyAgreementKey2019",
}
LEGACY_ALGO_MAP = {
    "Secp256k1VerificationKey2018": SECP256K1_2019,
    "Secp256k1SignatureAuthentication2018": SECP256K1_2019,
    "Ed25519SignatureAuthentication2018": "Ed25519VerificationKey2018",
    "Ed25519VerificationKey2018": "Ed25519VerificationKey2018",
    "RSAVerificationKey2018": "RSAVerificationKey2018",
    "X25519KeyAgreementKey2019": "X25519KeyAgreementKey2019",
}
OWNER, DELEGATE, ATTRIBUTE = "DIDOwnerChanged", "DIDDelegateChanged", "DIDAttributeChanged"
#: Deepest nesting of arrays/objects a service endpoint may have to be read as JSON.
MAX_ENDPOINT_DEPTH = 32


class ResolutionError(InputError):
    """The DID is malformed, names an unknown chain, or its history cannot be read."""


def _nesting_depth(text: str) -> int:
    """The deepest ``[``/``{`` nesting of ``text``, strings skipped (no recursion)."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _finite_float(literal: str) -> float:
    number = float(literal)
    if number in (float("inf"), float("-inf")):
        raise ValueError(f"{literal} overflows a double")
    return number


def parse_endpoint(text: str) -> Any:
    """A service endpoint: the JSON value ``text`` holds, or ``text`` itself.

    ``text`` is read as JSON only if it is strict JSON (RFC 8259: ``NaN``,
    ``Infinity`` and numbers that overflow a double are refused) nested at most
    :data:`MAX_ENDPOINT_DEPTH` deep; anything else stays the opaque string it
    is (``"https://hub.example"``, ``"NaN"``, ``"[[[[…"``), as the did:ethr
    reference resolver keeps a value that ``JSON.parse`` refuses. The result can
    always be printed as strict JSON.
    """
    if _nesting_depth(text) > MAX_ENDPOINT_DEPTH:
        return text
    try:
        return json.loads(text, parse_constant=_no_constant, parse_float=_finite_float)
    except (ValueError, RecursionError):
        return text


@dataclass(frozen=True)
class RegistryEvent:
    """One decoded ERC-1056 event; fields not used by its kind are None."""

    kind: str
    block: int
    order: tuple[int, int]  # (transaction index, log index) inside the block
    previous_change: int
    owner: str | None = None
    delegate_type: str | None = None
    delegate: str | None = None
    name: str | None = None
    value: bytes | None = None
    valid_to: int = 0


class ChainSource(Protocol):
    """What the resolver needs from one chain: its registry's state and logs."""

    chain_id: int
    log_queries: int

    def changed(self, identity: str, block: int | None = None) -> int: ...

    def events_in_block(self, identity: str, block: int) -> list[RegistryEvent]: ...

    def block_timestamp(self, block: int | None) -> int: ...

    def latest_block(self) -> int: ...


def _b32(raw: Any) -> str:
    return bytes32_to_str(bytes(raw))


def _event(kind: str, args: Any, block: int, order: tuple[int, int]) -> RegistryEvent:
    get = args.get if hasattr(args, "get") else lambda k: getattr(args, k)
    previous = int(get("previousChange"))
    if kind == OWNER:
        return RegistryEvent(kind, block, order, previous, owner=to_checksum_address(get("owner")))
    if kind == DELEGATE:
        return RegistryEvent(
            kind,
            block,
            order,
            previous,
            delegate_type=_b32(get("delegateType")),
            delegate=to_checksum_address(get("delegate")),
            valid_to=int(get("validTo")),
        )
    return RegistryEvent(
        kind,
        block,
        order,
        previous,
        name=_b32(get("name")),
        value=bytes(get("value")),
        valid_to=int(get("validTo")),
    )


def endpoint_of(w3: Any) -> str:
    """The node's URL (or the provider's name) for messages."""
    return str(getattr(w3.provider, "endpoint_uri", None) or type(w3.provider).__name__)


_REASONS = (
    "Connection refused",
    "Name or service not known",
    "Temporary failure in name resolution",
    "No route to host",
    "Network is unreachable",
    "timed out",
)


def unreachable(w3: Any, err: BaseException) -> UnreachableError:
    """One line saying which node did not answer and why (not urllib3's whole chain)."""
    detail = str(err)
    reason = next((r.lower() for r in _REASONS if r in detail), type(err).__name__)
    return UnreachableError(f"cannot reach the node at {endpoint_of(w3)}: {reason}")


def chain_id_of(w3: Any) -> int:
    """The chain id the node reports; :class:`UnreachableError` if it does not answer."""
    try:
        return int(w3.eth.chain_id)
    except (OSError, TimeoutError) as err:
        raise unreachable(w3, err) from err
    except Exception as err:  # the node answered, but not as a JSON-RPC node
        raise UnreachableError(
            f"{endpoint_of(w3)} does not answer as an Ethereum JSON-RPC node: {err}"
        ) from err


def checked_address(value: str, what: str) -> str:
    """``value`` as a checksummed address, or :class:`InputError` naming ``what`` it is."""
    try:
        return to_checksum_address(value)
    except (ValueError, TypeError) as err:
        raise InputError(f"{what} {value!r} is not an address") from err


def require_code(w3: Any, address: str, what: str, chain_id: int) -> None:
    """Refuse an address that holds no contract (a typo, or the wrong chain)."""
    try:
        code = w3.eth.get_code(address)
    except (OSError, TimeoutError) as err:
        raise unreachable(w3, err) from err
    if len(code) == 0:
        raise InputError(f"no contract at {what} {address} on chain {chain_id} ({endpoint_of(w3)})")


def view_call(w3: Any, call: Any, block: int | None, what: str, kind: str) -> Any:
    """Run a web3 view ``call`` (at ``block``), with one clear error for each way it fails:
    the node is gone (:class:`UnreachableError`), the node keeps no state for that
    block, or the contract is not ``kind`` (:class:`ResolutionError`)."""
    name = call.fn_name
    try:
        return call.call() if block is None else call.call(block_identifier=block)
    except (OSError, TimeoutError) as err:
        raise unreachable(w3, err) from err
    except Exception as err:
        if block is not None:
            try:
                call.call()
            except Exception:  # fails at the head too: the contract is the problem
                pass
            else:
                raise ResolutionError(
                    f"the node keeps no state for block {block}: {what} can be read "
                    "there only through an archive node"
                ) from err
        raise ResolutionError(f"{what} does not answer {name}(): is it {kind}?") from err


class Web3Source:
    """A chain reached over JSON-RPC with web3.py (anvil, QBFT/IBFT nodes, public chains).

    The node must answer (:class:`~trustspace.errors.UnreachableError`) and the
    registry address must hold a contract (:class:`ResolutionError`).
    """

    def __init__(self, w3: Any, registry: str) -> None:
        from trustspace.artifacts import abi

        self.w3 = w3
        self.registry = checked_address(registry, "registry")
        self.chain_id = chain_id_of(w3)
        try:
            require_code(w3, self.registry, "registry", self.chain_id)
        except UnreachableError:
            raise
        except InputError as err:
            raise ResolutionError(str(err)) from err
        self.contract = w3.eth.contract(address=self.registry, abi=abi("DIDRegistry"))
        self.log_queries = 0
        self._topics = {
            keccak(text=f"{e['name']}({','.join(i['type'] for i in e['inputs'])})"): e["name"]
            for e in abi("DIDRegistry")
            if e["type"] == "event"
        }

    def changed(self, identity: str, block: int | None = None) -> int:
        call = self.contract.functions.changed(identity)
        what = f"registry {self.registry} on chain {self.chain_id}"
        return int(view_call(self.w3, call, block, what, "an ERC-1056 registry"))

    def events_in_block(self, identity: str, block: int) -> list[RegistryEvent]:
        self.log_queries += 1
        topic = "0x" + "00" * 12 + to_checksum_address(identity)[2:].lower()
        logs = get_logs(
            self.w3,
            {
                "address": self.registry,
                "topics": [None, topic],
                "fromBlock": block,
                "toBlock": block,
            },
        )
        events = []
        for log in logs:
            kind = self._topics.get(bytes(log["topics"][0]))
            if kind is None:
                continue  # not an ERC-1056 event
            decoded = self.contract.events[kind]().process_log(log)
            order = (int(log["transactionIndex"]), int(log["logIndex"]))
            events.append(_event(kind, decoded["args"], block, order))
        return sorted(events, key=lambda e: e.order)

    def block_timestamp(self, block: int | None) -> int:
        return int(self.w3.eth.get_block("latest" if block is None else block)["timestamp"])

    def latest_block(self) -> int:
        return int(self.w3.eth.block_number)


class ApeSource:
    """The registry as an ape contract on ape's current provider (boa, anvil, a node)."""

    def __init__(self, contract: Any) -> None:
        from ape import chain

        self.contract = contract
        self.chain = chain
        # The provider's own id: ape caches chain ids by network name, and every
        # chain reached by URL is named "custom".
        self.chain_id = int(chain.provider.chain_id)
        self.log_queries = 0

    def changed(self, identity: str, block: int | None = None) -> int:
        if block is None:
            return int(self.contract.changed(identity))
        return int(self.contract.changed(identity, block_id=block))

    def events_in_block(self, identity: str, block: int) -> list[RegistryEvent]:
        self.log_queries += 1
        events = []
        for kind in (OWNER, DELEGATE, ATTRIBUTE):
            for log in ape_logs(
                getattr(self.contract, kind), block, block, search_topics={"identity": identity}
            ):
                order = (int(log.transaction_index or 0), int(log.log_index))
                events.append(_event(kind, log.event_arguments, block, order))
        return sorted(events, key=lambda e: e.order)

    def block_timestamp(self, block: int | None) -> int:
        return int(self.chain.blocks["latest" if block is None else block].timestamp)

    def latest_block(self) -> int:
        return int(self.chain.blocks.height)


class ReceiptSource(ApeSource):
    """An ApeSource whose logs come from receipts handed to :meth:`record`.

    For providers that keep no log index (ape's in-process boa EVM) and for
    tools that already hold the receipts; everything else is read from chain.
    """

    def __init__(self, contract: Any) -> None:
        super().__init__(contract)
        self._logs: dict[tuple[str, int], list[RegistryEvent]] = {}

    def record(self, receipt: Any) -> Any:
        """Index the registry events of ``receipt``; return the receipt."""
        for kind in (OWNER, DELEGATE, ATTRIBUTE):
            for log in receipt.decode_logs(getattr(self.contract, kind)):
                if log.contract_address != self.contract.address:
                    continue
                identity = to_checksum_address(log.event_arguments["identity"])
                block = int(log.block_number)
                order = (int(log.transaction_index or 0), int(log.log_index))
                self._logs.setdefault((identity, block), []).append(
                    _event(kind, log.event_arguments, block, order)
                )
        return receipt

    def events_in_block(self, identity: str, block: int) -> list[RegistryEvent]:
        self.log_queries += 1
        found = self._logs.get((to_checksum_address(identity), block), [])
        return sorted(found, key=lambda e: e.order)


@dataclass
class Resolution:
    """A DID resolution result: document, document metadata, resolution metadata."""

    did: str
    document: dict[str, Any] | None
    document_metadata: dict[str, Any] = field(default_factory=dict)
    resolution_metadata: dict[str, Any] = field(default_factory=dict)
    #: The block the document is read as of: the head, the block asked for, or the
    #: last block at or before the time asked for. Facts shown beside the document
    #: (the consortium view) must be read at this block too.
    block: int = 0
    #: The head block when the resolution ran (``block == head`` means "current").
    head: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "didDocument": self.document,
            "didDocumentMetadata": self.document_metadata,
            "didResolutionMetadata": self.resolution_metadata,
        }


@dataclass(frozen=True)
class ParsedDID:
    """A did:ethr identifier split into its parts (chain id, address, version query)."""

    did: str
    chain_id: int | None
    address: str
    public_key: str | None
    version_id: int | None
    version_time: str | None


def parse_did(did: str) -> ParsedDID:
    """Split ``did:ethr:[0x<chainid>:]0x<address or compressed key>[?versionId=N]``."""
    match = DID_PATTERN.match(did)
    if not match:
        raise ResolutionError(f"not a valid did:ethr: {did}")
    network = match.group("network")
    chain_id: int | None = None
    if network is not None:
        try:
            chain_id = int(network, 16) if network.startswith("0x") else int(network)
        except ValueError as err:
            raise ResolutionError(f"unknown network {network!r} in {did}") from err
    ident = match.group("id")
    public_key = None
    if len(ident) > 42:
        from eth_keys.datatypes import PublicKey

        public_key = ident
        try:
            key = PublicKey.from_compressed_bytes(bytes.fromhex(ident[2:]))
        except Exception as err:  # eth_keys raises its own ValidationError and others
            raise ResolutionError(
                f"{ident} in {did} is not a compressed secp256k1 public key"
            ) from err
        address = key.to_checksum_address()
    else:
        address = to_checksum_address(ident)
    version_id = version_time = None
    for part in (match.group("query") or "").split("&"):
        key_, _, val = part.partition("=")
        if key_ == "versionId" and val:
            if not val.isdigit():
                raise ResolutionError(f"versionId must be a block number, got {val!r}")
            version_id = int(val)
        elif key_ == "versionTime" and val:
            version_time = val
    base = did.split("?")[0]
    return ParsedDID(base, chain_id, address, public_key, version_id, version_time)


def _iso(timestamp: int) -> str:
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse_iso(text: str) -> int:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as err:
        raise ResolutionError(f"not an ISO 8601 time: {text!r}") from err
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp())


def did_for(address: str, chain_id: int | None = None) -> str:
    """The did:ethr of ``address`` on ``chain_id`` (bare form when None)."""
    addr = to_checksum_address(address)
    return f"did:ethr:{addr}" if chain_id is None else f"did:ethr:{hex(chain_id)}:{addr}"


def history(source: ChainSource, identity: str, head: int | None = None) -> list[RegistryEvent]:
    """All events of ``identity`` up to block ``head`` (default: latest), oldest first,
    following the ``changed`` linked list."""
    events: list[RegistryEvent] = []
    block = source.changed(identity, head)
    while block:
        in_block = source.events_in_block(identity, block)
        if not in_block:
            raise ResolutionError(
                f"no logs in block {block} although previousChange points there "
                "(the node may have pruned its logs; use an archive node)"
            )
        events[:0] = in_block
        earlier = [e.previous_change for e in in_block if e.previous_change < block]
        block = max(earlier) if earlier else 0
    return events


def build_document(
    did: str,
    address: str,
    chain_id: int,
    events: list[RegistryEvent],
    now: int,
    public_key: str | None = None,
) -> tuple[dict[str, Any], bool]:
    """Replay ``events`` (oldest first, already cut at the version asked) into a document.

    Returns ``(document, deactivated)``. The rules are those of the did:ethr
    method, except that delegates and attributes count while ``validTo > now``
    (the reference resolver says ``>=``), the same test as the registry's
    ``validDelegate``, so a delegate revoked in the latest block is gone; ids
    ``#delegate-N`` / ``#service-N`` number every delegate or key event and
    every service event, live or not, so that ids stay stable over time.
    """
    controller = address
    deactivated = False
    delegate_count = service_count = 0
    pks: dict[str, dict[str, Any]] = {}
    auth: dict[str, str] = {}
    signing: dict[str, str] = {}
    agreement: dict[str, str] = {}
    services: dict[str, dict[str, Any]] = {}
    for ev in events:
        subject = ev.delegate_type if ev.kind == DELEGATE else ev.name
        obj = ev.delegate if ev.kind == DELEGATE else ("0x" + (ev.value or b"").hex())
        index = f"{ev.kind}-{subject}-{obj}"
        if ev.kind == OWNER:
            controller = ev.owner or NULL_ADDRESS
            if controller == NULL_ADDRESS:
                deactivated = True
                break
            continue
        if ev.valid_to > now:
            if ev.kind == DELEGATE:
                delegate_count += 1
                ref = f"{did}#delegate-{delegate_count}"
                if ev.delegate_type in ("sigAuth", "veriKey"):
                    pks[index] = {
                        "id": ref,
                        "type": RECOVERY_2020,
                        "controller": did,
                        "blockchainAccountId": f"eip155:{chain_id}:{ev.delegate}",
                    }
                    signing[index] = ref
                    if ev.delegate_type == "sigAuth":
                        auth[index] = ref
                continue
            match = ATTRIBUTE_PATTERN.match(ev.name or "")
            if not match:
                continue
            section, algorithm, purpose, encoding = match[1], match[2], match[4], match[6]
            value = ev.value or b""
            if section == "pub":
                delegate_count += 1
                ref = f"{did}#delegate-{delegate_count}"
                legacy = f"{algorithm}{LEGACY_ATTR_TYPES.get(purpose or '', purpose or '')}"
                pk: dict[str, Any] = {
                    "id": ref,
                    "type": LEGACY_ALGO_MAP.get(legacy, algorithm),
                    "controller": did,
                }
                if encoding in (None, "hex"):
                    pk["publicKeyHex"] = value.hex()
                elif encoding == "base64":
                    pk["publicKeyBase64"] = base64.b64encode(value).decode()
                elif encoding == "base58":
                    pk["publicKeyBase58"] = _base58(value)
                elif encoding == "pem":
                    pk["publicKeyPem"] = value.decode("utf-8", errors="replace")
                else:
                    pk["value"] = value.hex()
                pks[index] = pk
                if purpose == "sigAuth":
                    auth[index] = ref
                    signing[index] = ref
                elif purpose == "enc":
                    agreement[index] = ref
                else:
                    signing[index] = ref
            else:
                service_count += 1
                try:
                    text = value.decode("utf-8")
                except UnicodeDecodeError:
                    continue  # not a DID service: the registry is open to any data
                endpoint = parse_endpoint(text)
                services[index] = {
                    "id": f"{did}#service-{service_count}",
                    "type": algorithm,
                    "serviceEndpoint": endpoint,
                }
        else:
            # Revoked or expired: ids stay consumed, the entry goes.
            if ev.kind == DELEGATE or (ev.name or "").startswith("did/pub/"):
                delegate_count += 1
            elif (ev.name or "").startswith("did/svc/"):
                service_count += 1
            for table in (auth, signing, pks, services, agreement):
                table.pop(index, None)
    if deactivated:
        base = {"id": did, "verificationMethod": [], "authentication": [], "assertionMethod": []}
        return {"@context": _context(base), **base}, True
    vms: list[dict[str, Any]] = [
        {
            "id": f"{did}#controller",
            "type": RECOVERY_2020,
            "controller": did,
            "blockchainAccountId": f"eip155:{chain_id}:{controller}",
        }
    ]
    authentication = [f"{did}#controller"]
    assertion = [f"{did}#controller"]
    if public_key and controller == address:
        vms.append(
            {
                "id": f"{did}#controllerKey",
                "type": SECP256K1_2019,
                "controller": did,
                "publicKeyHex": public_key[2:].lower(),
            }
        )
        authentication.append(f"{did}#controllerKey")
        assertion.append(f"{did}#controllerKey")
    doc: dict[str, Any] = {
        "id": did,
        "verificationMethod": vms + list(pks.values()),
        "authentication": authentication + list(auth.values()),
        "assertionMethod": assertion + list(signing.values()),
    }
    if services:
        doc["service"] = list(services.values())
    if agreement:
        doc["keyAgreement"] = list(agreement.values())
    return {"@context": _context(doc), **doc}, False


def _context(doc: dict[str, Any]) -> list[Any]:
    contexts: list[Any] = [
        "https://www.w3.org/ns/did/v1",
        "https://w3id.org/security/suites/secp256k1recovery-2020/v2",
    ]
    vms = doc.get("verificationMethod", [])
    if any(
        vm["type"] in (SECP256K1_2019, "RSAVerificationKey2018")
        or "publicKeyBase58" in vm
        or "publicKeyPem" in vm
        for vm in vms
    ):
        contexts.append("https://w3id.org/security/v2")
    inline = {}
    if any("publicKeyHex" in vm for vm in vms):
        inline["publicKeyHex"] = "https://w3id.org/security#publicKeyHex"
    if any("publicKeyBase64" in vm for vm in vms):
        inline["publicKeyBase64"] = "https://w3id.org/security#publicKeyBase64"
    if inline:
        contexts.append(inline)
    return contexts


_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def _base58(data: bytes) -> str:
    number = int.from_bytes(data, "big")
    out = ""
    while number:
        number, rem = divmod(number, 58)
        out = _B58[rem] + out
    return "1" * (len(data) - len(data.lstrip(b"\x00"))) + out


class Resolver:
    """Resolves did:ethr DIDs on several chains at once, one ChainSource per chain id."""

    def __init__(self, sources: Sequence[ChainSource], default_chain_id: int | None = None) -> None:
        if not sources:
            raise ValueError("at least one chain is needed")
        self.sources = {s.chain_id: s for s in sources}
        self.default_chain_id = default_chain_id or sources[0].chain_id

    def source_for(self, chain_id: int | None) -> ChainSource:
        cid = self.default_chain_id if chain_id is None else chain_id
        if cid not in self.sources:
            raise ResolutionError(f"no registry configured for chain {cid} ({hex(cid)})")
        return self.sources[cid]

    def resolve(
        self, did: str, at_block: int | None = None, at_time: str | None = None
    ) -> Resolution:
        """Resolve ``did``; ``at_block`` / ``?versionId=`` and ``at_time`` / ``?versionTime=``
        give the document as it was then."""
        parsed = parse_did(did)
        source = self.source_for(parsed.chain_id)
        at_block = at_block if at_block is not None else parsed.version_id
        at_time = at_time if at_time is not None else parsed.version_time
        # One head block for the whole resolution: a change landing meanwhile
        # is either wholly in (before head) or wholly out.
        head = source.latest_block()
        events = history(source, parsed.address, head)
        stamps: dict[int, int] = {}

        def stamp(block: int) -> int:
            if block not in stamps:
                stamps[block] = source.block_timestamp(block)
            return stamps[block]

        if at_block is not None:
            if at_block < 0 or at_block > head:
                raise ResolutionError(
                    f"block {at_block} is not on chain {source.chain_id} (its head is {head})"
                )
            now = stamp(at_block)
            cut = at_block
            block = at_block
        elif at_time is not None:
            now = _parse_iso(at_time)
            cut = max((e.block for e in events if stamp(e.block) <= now), default=0)
            block = _block_at(stamp, head, now)
        else:
            cut = head
            now = stamp(cut)
            block = head
        current = [e for e in events if e.block <= cut]
        later = [e.block for e in events if e.block > cut]
        document, deactivated = build_document(
            parsed.did, parsed.address, source.chain_id, current, now, parsed.public_key
        )
        meta: dict[str, Any] = {}
        if deactivated:
            meta["deactivated"] = True
        if current:
            version = max(e.block for e in current)
            meta["versionId"] = str(version)
            meta["updated"] = _iso(stamp(version))
        if later:
            meta["nextVersionId"] = str(min(later))
            meta["nextUpdate"] = _iso(stamp(min(later)))
        return Resolution(
            parsed.did,
            document,
            meta,
            {"contentType": "application/did+ld+json", "chainId": source.chain_id},
            block=block,
            head=head,
        )


def _block_at(stamp: Any, head: int, moment: int) -> int:
    """The last block at or before ``moment`` (0 if the chain started later): a binary
    search over block timestamps, about log2(head) block reads."""
    if stamp(head) <= moment:
        return head
    low, high = 0, head  # stamp(high) > moment
    while low < high:
        mid = (low + high + 1) // 2
        if stamp(mid) <= moment:
            low = mid
        else:
            high = mid - 1
    return low
