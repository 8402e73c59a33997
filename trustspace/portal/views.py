"""What each page shows, read from the chains with the SDK's readers (JSON-ready dicts).

Every function takes the portal's :class:`~trustspace.portal.chains.PortalChain` list and
returns plain data; the app renders it as HTML or returns it as JSON. Identifiers a visitor
typed are checked here (:class:`PortalInputError` → HTTP 400) before any chain is asked.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from eth_utils.address import is_address, to_checksum_address

from trustspace.bus.config import BusConfig, ChainConfig
from trustspace.bus.status import lookup
from trustspace.compute.records import ComputationRecords
from trustspace.consortium.constants import Role
from trustspace.consortium.governance import Governance
from trustspace.consortium.proposals import STATES, ProposalReader
from trustspace.consortium.tables import role_names
from trustspace.crypto.hashing import to_hex
from trustspace.dataspace.audit import audit_log
from trustspace.dataspace.client import DataServiceClient
from trustspace.did.resolver import Resolver, Web3Source, did_for, history, parse_did
from trustspace.errors import InputError
from trustspace.index.source import (
    IndexedChain,
    index_for,
    records_by_schema,
    records_of_organisation,
)
from trustspace.notary.bundle import Bundle, BundleError, verify_offline
from trustspace.notary.client import NotaryClient, RevocationReason, Status
from trustspace.notary.preflight import foreign_id
from trustspace.notary.trust import TrustError, check_claims, trusted_notary
from trustspace.portal.chains import PortalChain

__all__ = [
    "MAX_BUNDLE_BYTES",
    "NotFound",
    "PortalInputError",
    "bus_overview",
    "computations",
    "consortium",
    "credentials",
    "data_space",
    "did_page",
    "message",
    "parse_bundle",
    "parse_bytes32",
    "record",
    "records_of",
    "verify_digest",
]

#: A proof bundle of a batch of 2^40 documents is under 3 kB; 64 kB leaves room for ``extra``.
MAX_BUNDLE_BYTES = 64 * 1024
_HEX32 = re.compile(r"^0x[0-9a-fA-F]{64}$")
#: ASCII digits only: ``str.isdigit`` also accepts ``²`` and other digits ``int`` refuses.
_DECIMAL = re.compile(r"^[0-9]{1,20}$")
#: A bundle nests four levels; the JSON parser's own bound is the interpreter's recursion
#: limit, which imported libraries raise (py_ecc sets 100,000): deeper input is refused first.
MAX_JSON_DEPTH = 32
# A string (to its closing quote, or as far as it goes: possessive, so that a text of
# unterminated strings is scanned once, not once per quote) or a bracket.
_JSON_TOKEN = re.compile(r'"(?:[^"\\]++|\\.)*+"?|[\[\]{}]', re.DOTALL)


class PortalInputError(InputError):
    """Something a visitor typed or sent is malformed (HTTP 400)."""


class NotFound(InputError):
    """Well-formed, but no chain knows it (HTTP 404)."""


def parse_bytes32(value: str, what: str) -> bytes:
    """A 0x-prefixed 32-byte hex value, or :class:`PortalInputError` naming ``what``."""
    value = value.strip()
    if not _HEX32.match(value):
        raise PortalInputError(f"{what} must be 0x followed by 64 hex digits")
    return bytes.fromhex(value[2:])


def is_hex32(value: str) -> bool:
    """Whether ``value`` is 0x and 64 hex digits (surrounding blanks allowed)."""
    return bool(_HEX32.match(value.strip()))


def parse_request(raw: bytes) -> dict[str, Any]:
    """The verify request as JSON, strictly parsed: ``{"digest": "0x…", "bundle": TEXT}`` with
    the bundle file's text (parsed strictly in turn), or the bundle as an object."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise PortalInputError(f"the request is not JSON: {err}") from err
    value = _loads(text, "the request")
    if not isinstance(value, dict) or set(value) != {"digest", "bundle"}:
        raise PortalInputError('send {"digest": "0x…", "bundle": "…"} and nothing else')
    if not isinstance(value["digest"], str) or not isinstance(value["bundle"], str | dict):
        raise PortalInputError("digest is a 0x-hex string; bundle the bundle file's text")
    return value


def parse_int(value: str, what: str, limit: int = 2**64) -> int:
    """A decimal number from 0 to ``limit``."""
    value = value.strip()
    if not _DECIMAL.match(value) or int(value) > limit:
        raise PortalInputError(f"{what} must be a whole number from 0 to {limit}")
    return int(value)


def _loads(text: str, what: str) -> Any:
    """``text`` as JSON, strictly (no repeated member name, no NaN), at most
    :data:`MAX_JSON_DEPTH` deep; :class:`PortalInputError` naming ``what`` otherwise."""
    depth = 0
    for token in _JSON_TOKEN.finditer(text):
        mark = token.group()
        if mark in "[{":
            depth += 1
            if depth > MAX_JSON_DEPTH:
                raise PortalInputError(f"{what} nests deeper than {MAX_JSON_DEPTH} levels")
        elif mark in "]}":
            depth -= 1
    try:
        return json.loads(text, object_pairs_hook=_strict, parse_constant=_no_constant)
    except PortalInputError:
        raise
    except (ValueError, RecursionError) as err:
        # ValueError also covers an integer over Python's 4,300-digit conversion limit.
        raise PortalInputError(f"{what} is not JSON: {_first_line(err)}") from err


def _first_line(err: BaseException) -> str:
    return str(err).splitlines()[0][:200] if str(err) else type(err).__name__


def _reason(code: int) -> str:
    try:
        return RevocationReason(code).name
    except ValueError:
        return f"code {code}"


def _iso(stamp: int | None) -> str | None:
    from datetime import UTC, datetime

    if not stamp:
        return None
    return datetime.fromtimestamp(stamp, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _strict(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [k for k, _ in pairs]
    if len(set(keys)) != len(keys):
        raise PortalInputError("the bundle repeats a key: refusing an ambiguous bundle")
    return dict(pairs)


def _no_constant(name: str) -> Any:
    raise PortalInputError(f"the bundle holds {name}, which is not JSON")


def parse_bundle(raw: str | bytes | dict[str, Any]) -> Bundle:
    """A proof bundle from its JSON text (or the object of a strictly parsed request):
    size-limited, UTF-8, no repeated keys, no NaN."""
    if isinstance(raw, dict):
        raw = json.dumps(raw)
    data = raw.encode() if isinstance(raw, str) else raw
    if len(data) > MAX_BUNDLE_BYTES:
        raise PortalInputError(
            f"the bundle is {len(data):,} bytes; bundles are at most {MAX_BUNDLE_BYTES:,}"
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise PortalInputError(f"the bundle is not JSON: {err}") from err
    value = _loads(text, "the bundle")
    if not isinstance(value, dict):
        raise PortalInputError("the bundle is not a JSON object")
    try:
        bundle = Bundle.from_json(value)
    except BundleError as err:
        raise PortalInputError(str(err)) from err
    _check_numbers(value)
    return bundle


#: The bundle's numbers, where they sit and their bounds (the Notary's types: ``orgId``
#: uint256, ``schemaId`` uint32, a batch's ``size`` uint48; a chain id fits 256 bits).
_NUMBERS = (
    ("attestation", "org_id", 2**256, False),
    ("attestation", "chain_id", 2**256, False),
    ("attestation", "schema_id", 2**32, True),
    ("batch", "size", 2**48 + 1, False),
    ("batch", "index", 2**48, False),
)


def _check_numbers(value: dict[str, Any]) -> None:
    """Each number of the bundle a JSON integer within its type: ``Bundle.from_json`` takes
    ``int()`` of anything, so ``1.9`` read as 1 and ``-1`` or ``2**300`` failed later (500)."""
    for part, key, bound, nullable in _NUMBERS:
        section = value.get(part)
        if not isinstance(section, dict):
            continue
        number = section.get(key)
        if number is None and nullable:
            continue
        if type(number) is not int or not 0 <= number < bound:
            raise PortalInputError(
                f"malformed bundle: {part}.{key} must be a whole number from 0 to {bound - 1}"
            )


# ------------------------------------------------------------------ shared readers


class _Reader:
    """``ChainReader`` (trust decisions) over one portal chain."""

    def __init__(self, chain: PortalChain) -> None:
        self.c = chain

    def chain_id(self) -> int:
        return self.c.chain_id

    def code(self, address: str) -> bytes:
        return bytes(self.c.w3.eth.get_code(to_checksum_address(address)))

    def consortium_of(self, notary: str) -> str:
        from trustspace.bus.web3tx import at

        return str(at(self.c.w3, "Notary", notary).functions.consortium().call())


def _notary(chain: PortalChain) -> NotaryClient:
    return NotaryClient(chain.view("Notary"), chain.start_block("Notary"))


def _org_names(chain: PortalChain) -> dict[int, str]:
    if not chain.has("Consortium"):
        return {}
    gov: Governance[Any, Any] = Governance(chain.web3_contract("Consortium"))
    return {o.org_id: o.name for o in gov.organisations()}


def _with(chains: Sequence[PortalChain], contract: str) -> list[PortalChain]:
    return [c for c in chains if c.has(contract)]


def _chain(chains: Sequence[PortalChain], label: str, contract: str) -> PortalChain:
    found = [c for c in _with(chains, contract) if c.label == label]
    if not found:
        names = ", ".join(c.label for c in _with(chains, contract)) or "none"
        raise NotFound(f"no chain {label!r} with a {contract} (chains with one: {names})")
    return found[0]


# ------------------------------------------------------------------ verify


def verify_digest(chains: Sequence[PortalChain], digest_hex: str, bundle: Bundle) -> dict[str, Any]:
    """Check a document's digest (computed by the browser) against its bundle, then on the
    chain the bundle names, through the Notary of that chain's deployment record."""
    digest = parse_bytes32(digest_hex, "digest")
    report: dict[str, Any] = {
        "digest": to_hex(digest),
        "record_id": to_hex(bundle.record_id),
        "chain_id": bundle.chain_id,
        "batch": None
        if bundle.batch is None
        else {"index": bundle.batch.index, "size": bundle.batch.size},
        "valid": False,
        "included": False,
    }
    try:
        verify_offline(bundle, digest)
    except BundleError as err:
        return {**report, "status": "NOT_MATCHING", "reason": f"not valid: {err}"}
    chain = next((c for c in _with(chains, "Notary") if c.chain_id == bundle.chain_id), None)
    if chain is None:
        shown = ", ".join(f"{c.label} ({c.chain_id})" for c in chains) or "none"
        return {
            **report,
            "status": "UNKNOWN_CHAIN",
            "reason": f"the bundle is of chain {bundle.chain_id}, which this portal does not "
            f"read (chains: {shown})",
        }
    try:
        trusted = trusted_notary(_Reader(chain), folder=chain.folder, network=None)
        check_claims(trusted, chain_id=bundle.chain_id, notary=bundle.notary)
    except TrustError as err:
        return {**report, "status": "UNTRUSTED", "reason": f"not valid: {err}"}
    client = _notary(chain)
    status = client.bundle_status(bundle)
    rec = client.record(bundle.record_id)
    revoked_at, reason = rec.revoked_at, rec.reason
    if bundle.batch is not None and not revoked_at:
        revoked_at, reason = (
            int(v) for v in client.contract.documentRevocation(bundle.record_id, bundle.digest)
        )
    names = _org_names(chain)
    valid = status == Status.VALID
    report.update(
        chain=chain.label,
        notary=trusted.notary,
        status=status.name,
        valid=valid,
        included=status not in (Status.NOT_INCLUDED, Status.UNKNOWN),
        org_id=rec.org_id if rec.exists else None,
        organisation=names.get(rec.org_id) if rec.exists else None,
        attested_at=_iso(rec.attested_at) if rec.exists else None,
        revoked_at=_iso(revoked_at),
        revocation_reason=_reason(reason) if revoked_at else None,
        reason=None if valid else f"not valid: the Notary answers {status.name}",
        mirrored=_mirrors(chains, chain, bundle.record_id),
    )
    return report


def _mirrors(
    chains: Sequence[PortalChain], origin: PortalChain, rid: bytes
) -> list[dict[str, Any]]:
    """Copies of record ``rid`` of ``origin`` on the other chains."""
    out = []
    fid = foreign_id(origin.chain_id, rid)
    for chain in _with(chains, "Notary"):
        if chain.chain_id == origin.chain_id:
            continue
        client = _notary(chain)
        rec = client.record(fid)
        if rec.exists:
            out.append({"chain": chain.label, "id": to_hex(fid), "status": client.status(fid).name})
    return out


# ------------------------------------------------------------------ records


def _record_json(client: NotaryClient, rid: bytes, names: dict[int, str]) -> dict[str, Any]:
    rec = client.record(rid)
    return {
        "id": to_hex(rid),
        "kind": rec.kind.name,
        "status": client.status(rid).name,
        "org_id": rec.org_id,
        "organisation": names.get(rec.org_id, f"organisation {rec.org_id}"),
        "schema_id": rec.schema_id,
        "attested_at": _iso(rec.attested_at),
        "expires_at": _iso(rec.expires_at),
        "revoked_at": _iso(rec.revoked_at),
        "revocation_reason": _reason(rec.reason) if rec.revoked_at else None,
        "size": rec.size,
        "parent": to_hex(rec.parent) if rec.parent else None,
    }


def _tree(node: Any, names: dict[int, str]) -> dict[str, Any]:
    rec = node.record
    return {
        "id": to_hex(rec.id),
        "kind": rec.kind.name,
        "status": node.status.name,
        "organisation": names.get(rec.org_id, str(rec.org_id)),
        "children": [_tree(c, names) for c in node.children],
    }


def record(chains: Sequence[PortalChain], rid_hex: str) -> dict[str, Any]:
    """Record ``rid_hex`` on every chain that holds it: fields, lineage tree, revoked documents
    of a batch, the record's copies on other chains and the origin of a foreign copy."""
    rid = parse_bytes32(rid_hex, "record id")
    found = []
    for chain in _with(chains, "Notary"):
        client = _notary(chain)
        if not client.record(rid).exists:
            continue
        names = _org_names(chain)
        entry = {
            "chain": chain.label,
            "chain_id": chain.chain_id,
            **_record_json(client, rid, names),
        }
        entry["lineage"] = _tree(client.lineage(rid), names)
        height = client.contract.chain_manager.blocks.height + 1
        start = chain.start_block("Notary")
        entry["revoked_documents"] = [
            {
                "document": to_hex(bytes(e.document)),
                "reason": _reason(int(e.reason)),
                "revoker": str(e.revoker),
                "block": e.block_number,
            }
            for e in client.contract.DocumentRevoked.range(
                start, height, search_topics={"batchId": rid}
            )
        ]
        origin = list(
            client.contract.ForeignRecorded.range(start, height, search_topics={"id": rid})
        )
        entry["origin"] = (
            {"chain_id": int(origin[0].origin), "id": to_hex(bytes(origin[0].originId))}
            if origin
            else None
        )
        entry["mirrors"] = _mirrors(chains, chain, rid)
        found.append(entry)
    if not found:
        raise NotFound(f"no chain holds record {to_hex(rid)}")
    return {"id": to_hex(rid), "copies": found}


_CREATED_KINDS = (("Attested", "DOCUMENT"), ("BatchAnchored", "BATCH"))


def _indexed_records(
    index: IndexedChain,
    chain: PortalChain,
    client: NotaryClient,
    names: dict[int, str],
    org_id: int | None,
    schema_id: int | None,
    limit: int,
) -> list[dict[str, Any]]:
    """The newest ``limit + 1`` records of one organisation or one schema from the index."""
    notary = str(client.contract.address)
    found = (
        records_of_organisation(index, org_id, limit + 1, notary)
        if org_id is not None
        else records_by_schema(index, int(schema_id or 0), limit + 1, notary)
    )
    kinds = dict(_CREATED_KINDS)
    return [
        {
            "chain": chain.label,
            "id": to_hex(bytes.fromhex(str(row.args["id"])[2:])),
            "kind": kinds[str(row.event)],
            "organisation": names.get(int(row.args["orgId"]), str(int(row.args["orgId"]))),
            "schema_id": int(row.args["schemaId"]),
            "block": row.block_number,
            "log_index": row.log_index,
            "_client": client,
        }
        for row in found
        if row.args is not None and row.event in kinds
    ]


def records_of(
    chains: Sequence[PortalChain], org: str | None, schema: str | None, limit: int = 200
) -> dict[str, Any]:
    """Records (attestations and batches) of an organisation and/or a schema, newest first."""
    org_id = parse_int(org, "organisation id", 2**32) if org else None
    schema_id = parse_int(schema, "schema id", 2**32 - 1) if schema else None
    rows: list[dict[str, Any]] = []
    schemas: list[dict[str, Any]] = []
    counted = True  # whether "more" is the exact number of records not shown
    for chain in _with(chains, "Notary"):
        client = _notary(chain)
        names = _org_names(chain)
        contract = client.contract
        height = contract.chain_manager.blocks.height + 1
        start = chain.start_block("Notary")
        topics = {"orgId": org_id} if org_id is not None else {}
        index = index_for(chain.w3)
        if index is not None and (org_id is None) != (schema_id is None):
            # The index's own lookups (one indexed query, newest first) for what it holds;
            # the chain for the blocks it has not indexed yet.
            rows.extend(_indexed_records(index, chain, client, names, org_id, schema_id, limit))
            counted = False  # the index is asked for one page only
            start = max(start, index.next_block)
        for event_name, kind in _CREATED_KINDS:
            for e in getattr(contract, event_name).range(start, height, search_topics=topics):
                if schema_id is not None and int(e.schemaId) != schema_id:
                    continue
                rid = bytes(e.id)
                rows.append(
                    {
                        "chain": chain.label,
                        "id": to_hex(rid),
                        "kind": kind,
                        "organisation": names.get(int(e.orgId), str(int(e.orgId))),
                        "schema_id": int(e.schemaId),
                        "block": e.block_number,
                        "log_index": e.log_index,
                        "_client": client,
                    }
                )
        for e in contract.SchemaRegistered.range(start, height, search_topics=topics):
            schemas.append(
                {
                    "chain": chain.label,
                    "schema_id": int(e.schemaId),
                    "organisation": names.get(int(e.orgId), str(int(e.orgId))),
                    "name": str(e.name),
                    "version": str(e.version),
                    "uri": str(e.uri),
                }
            )
    rows.sort(key=lambda r: (r["block"], r["log_index"]), reverse=True)
    # The status is one call per record: only for the records shown, so that a chain with
    # many records costs a page one log query, not one call per record ever attested.
    shown = rows[:limit]
    for row in shown:
        row["status"] = row.pop("_client").status(bytes.fromhex(row["id"][2:])).name
        del row["log_index"]
    return {
        "org_id": org_id,
        "schema_id": schema_id,
        "records": shown,
        "more": max(0, len(rows) - limit),
        "more_counted": counted,
        "schemas": schemas,
    }


# ------------------------------------------------------------------ consortium


def consortium(chains: Sequence[PortalChain]) -> dict[str, Any]:
    """Per chain: organisations (kind, status, accounts with live roles) and every proposal
    with its approvals by organisation and what it misses before its policy passes."""
    out = []
    for chain in _with(chains, "Consortium"):
        contract = chain.web3_contract("Consortium")
        gov: Governance[Any, Any] = Governance(contract)
        now = int(chain.w3.eth.get_block("latest")["timestamp"])
        contracts = {e.address: n for n, e in chain.record.deployed()} if chain.record else {}
        reader = ProposalReader(gov, now, contracts)
        orgs = [
            {
                "id": o.org_id,
                "name": o.name,
                "kind": o.kind.name,
                "status": o.status.name,
                "accounts": [
                    {"address": a, "roles": role_names(int(gov.roles_of(a)))} for a in o.accounts
                ],
            }
            for o in gov.organisations()
        ]
        proposals = [v.to_json() for v in reversed(reader.proposals(STATES))]
        out.append(
            {
                "chain": chain.label,
                "chain_id": chain.chain_id,
                "address": contract.address,
                "threshold": int(contract.functions.threshold().call()),
                "organisations": orgs,
                "proposals": _plain(proposals),
            }
        )
    return {"chains": out, "roles": [r.name for r in Role]}


def _plain(value: Any) -> Any:
    """JSON-ready: bytes as 0x-hex, tuples as lists, everything else as text or number."""
    if isinstance(value, bytes | bytearray):
        return "0x" + bytes(value).hex()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


# ------------------------------------------------------------------ bus


def bus_config(chains: Sequence[PortalChain], config: BusConfig | None, home: Path) -> BusConfig:
    """The given bus config, or one over the chains with a MessageBus (signatures under
    ``home``)."""
    if config is not None:
        return config
    found = {
        c.label: ChainConfig(c.label, c.url, c.view("MessageBus").address, c.chain_id)
        for c in _with(chains, "MessageBus")
    }
    return BusConfig(found, home / "bus" / "signatures", home / "bus" / "relay.sqlite")


def _validator_orgs(chains: Sequence[PortalChain]) -> dict[int, str]:
    names: dict[int, str] = {}
    for chain in chains:
        for org_id, name in _org_names(chain).items():
            names.setdefault(org_id, name)
    return names


def message(chains: Sequence[PortalChain], config: BusConfig, ident_hex: str) -> dict[str, Any]:
    """A message's timeline (by message id, dispatch transaction or mirrored record id)."""
    ident = parse_bytes32(ident_hex, "message id")
    status = lookup(config, ident)
    if status.state == "unknown":
        raise NotFound(f"no configured chain dispatched a message {to_hex(ident)}")
    data = status.to_json()
    names = _validator_orgs(chains)
    data["signer_orgs"] = sorted(
        {names.get(o, f"organisation {o}") for o in status.signers.values()}
    )
    if status.failure_reason:
        from trustspace.artifacts import decode_revert

        raw = bytes.fromhex(status.failure_reason[2:])
        data["failure_text"] = decode_revert(raw) or status.failure_reason
    return data


def bus_overview(config: BusConfig, limit: int = 50) -> dict[str, Any]:
    """The most recent dispatched messages of every configured chain."""
    from trustspace.bus.message import Message
    from trustspace.bus.status import DISPATCHED_TOPIC
    from trustspace.bus.web3tx import at
    from trustspace.index.source import get_logs
    from trustspace.portal.chains import portal_web3

    rows: list[dict[str, Any]] = []
    for chain in config.chains.values():
        w3 = portal_web3(chain.rpc)
        bus = at(w3, "MessageBus", chain.bus)
        params = {
            "address": bus.address,
            "fromBlock": 0,
            "toBlock": "latest",
            "topics": [DISPATCHED_TOPIC],
        }
        for raw in get_logs(w3, params):
            event = bus.events.Dispatched().process_log(raw)
            msg = Message.decode(bytes(event["args"]["message"]))
            rows.append(
                {
                    "id": to_hex(bytes(event["args"]["id"])),
                    "origin": chain.name,
                    "destination": msg.destination,
                    "nonce": msg.nonce,
                    "block": int(raw["blockNumber"]),
                }
            )
    rows.sort(key=lambda r: -int(r["block"]))
    return {"messages": rows[:limit], "chains": list(config.chains)}


# ------------------------------------------------------------------ DIDs


def did_page(chains: Sequence[PortalChain], did: str | None) -> dict[str, Any]:
    """Without ``did``: the organisations' DIDs per chain. With one: its resolved document
    (on the chain its id names, else the first chain with a registry) and its history."""
    registries = _with(chains, "DIDRegistry")
    if did is None:
        listed = []
        for chain in registries:
            if not chain.has("Consortium"):
                continue
            gov: Governance[Any, Any] = Governance(chain.web3_contract("Consortium"))
            for o in gov.organisations():
                if is_address(o.did) and int(o.did, 16):
                    listed.append(
                        {
                            "chain": chain.label,
                            "organisation": o.name,
                            "did": did_for(o.did, chain.chain_id),
                        }
                    )
        return {"dids": listed}
    if len(did) > 300:
        raise PortalInputError("a DID is at most 300 characters")
    try:
        parsed = parse_did(did)
    except InputError as err:
        raise PortalInputError(str(err)) from err
    sources = [Web3Source(c.w3, c.view("DIDRegistry").address) for c in registries]
    if not sources:
        raise NotFound("no chain with a DIDRegistry")
    resolver = Resolver(sources)
    try:
        resolution = resolver.resolve(did)
    except InputError as err:
        raise NotFound(str(err)) from err
    source = resolver.source_for(parsed.chain_id)
    events = [
        {
            "block": e.block,
            "kind": e.kind,
            "owner": e.owner,
            "delegate": e.delegate,
            "delegate_type": e.delegate_type,
            "name": e.name,
            "value": _attribute_text(e.value),
            "valid_to": e.valid_to,
        }
        for e in history(source, parsed.address)
    ]
    return {"did": did, "resolution": _plain(resolution.as_dict()), "history": _plain(events)}


def _attribute_text(value: bytes | None) -> str | None:
    """An attribute value as text when it is UTF-8 (service endpoints are), else 0x-hex."""
    if value is None:
        return None
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        return "0x" + value.hex()


# ------------------------------------------------------------------ credentials, data, compute


def _purpose(code: int) -> str:
    from trustspace.credentials.model import Purpose

    try:
        return Purpose(code).label
    except ValueError:
        return f"purpose {code}"


def credentials(chains: Sequence[PortalChain]) -> dict[str, Any]:
    """The CredentialRegistry's schemas, accreditations and status lists, from its events."""
    out = []
    for chain in _with(chains, "CredentialRegistry"):
        view = chain.view("CredentialRegistry")
        names = _org_names(chain)
        height = view.chain_manager.blocks.height + 1
        start = chain.start_block("CredentialRegistry")

        def logs(name: str) -> list[Any]:
            return list(getattr(view, name).range(start, height))  # noqa: B023

        # One query of the status changes for all lists (not one per list).
        changes: dict[int, int] = {}
        for c in logs("StatusChanged"):
            changes[int(c.list_id)] = changes.get(int(c.list_id), 0) + 1

        def text32(raw: Any) -> str:
            value = bytes(raw).rstrip(b"\x00")
            try:
                return value.decode("ascii") if value.isascii() and value else to_hex(bytes(raw))
            except UnicodeDecodeError:
                return to_hex(bytes(raw))

        out.append(
            {
                "chain": chain.label,
                "schemas": [
                    {"type": text32(e.credential_type), "schema": to_hex(bytes(e.schema_hash))}
                    for e in logs("SchemaRegistered")
                ],
                "accreditations": [
                    {
                        "organisation": names.get(int(e.org_id), str(int(e.org_id))),
                        "type": text32(e.credential_type),
                        "valid_from": _iso(int(e.valid_from)),
                        "valid_until": _iso(int(e.valid_until)) or "open-ended",
                        "withdrawn": False,
                    }
                    for e in logs("Accredited")
                ]
                + [
                    {
                        "organisation": names.get(int(e.org_id), str(int(e.org_id))),
                        "type": text32(e.credential_type),
                        "valid_from": None,
                        "valid_until": _iso(int(e.valid_until)),
                        "withdrawn": True,
                    }
                    for e in logs("AccreditationWithdrawn")
                ],
                "status_lists": [
                    {
                        "list_id": int(e.list_id),
                        "organisation": names.get(int(e.org_id), str(int(e.org_id))),
                        "purpose": _purpose(int(e.purpose)),
                        "capacity": int(e.capacity),
                        "changes": changes.get(int(e.list_id), 0),
                    }
                    for e in logs("StatusListCreated")
                ],
            }
        )
    return {"chains": out}


def data_space(chains: Sequence[PortalChain]) -> dict[str, Any]:
    """Offers, agreements (purpose, standing) and transfer logs with totals per purpose."""
    out = []
    for chain in _with(chains, "DataService"):
        client = DataServiceClient(chain.view("DataService"), chain.start_block("DataService"))
        names = _org_names(chain)
        log = audit_log(client)
        offers = [
            {**_plain(o.to_json()), "provider": names.get(o.provider_org, str(o.provider_org))}
            for o in client.offers()
        ]
        for row in log["agreements"]:
            row["provider"] = names.get(int(row.get("providerOrg", 0)), "?")
            row["consumer"] = names.get(int(row.get("consumerOrg", 0)), "?")
        out.append({"chain": chain.label, "offers": offers, **_plain(log)})
    return {"chains": out}


def computations(chains: Sequence[PortalChain]) -> dict[str, Any]:
    """Every computation: participants, contributions, aggregate, shares, result and trail."""
    out = []
    for chain in _with(chains, "Computations"):
        view = chain.view("Computations")
        records = ComputationRecords(view)
        names = _org_names(chain)
        start = chain.start_block("Computations")
        height = view.chain_manager.blocks.height + 1
        rows = []
        for opened in view.Opened.range(start, height):
            cid = int(opened.computation_id)
            state = records.state(cid).to_json()
            state["description"] = str(opened.description)
            state["trail"] = [t.to_json() for t in records.trail(cid, start)]
            for step in state["trail"]:
                step["organisation"] = names.get(int(step.get("org", 0)), "?")
            rows.append(_plain(state))
        out.append(
            {
                "chain": chain.label,
                "computations": rows,
                "organisations": {str(k): v for k, v in names.items()},
            }
        )
    return {"chains": out}
