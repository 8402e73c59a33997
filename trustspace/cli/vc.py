"""``trustspace vc``: verifiable credentials between agencies.

issue, verify, present, revoke, suspend, status, new-list and accredit. Credentials are
W3C VC 1.1 JWTs (ES256K) signed by the ``--account`` key, which must be a live ``veriKey``
(or ``sigAuth``) delegate of its organisation's DID on the connected (hub) chain; status
lives in CredentialRegistry lists owned by the issuing organisation. Contract addresses
come from the deployment record of the connected chain (flags override).

Conventions (:mod:`trustspace.cli.options`): ``--network``, ``--account``, ``--json``
(one JSON document on stdout in every outcome), exit codes 0 valid / done, 1 not valid,
2 bad input (or refused), 3 chain unreachable.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from trustspace.cli import options
from trustspace.cli.options import (
    EXIT_NOT_VALID,
    CommandError,
    account_option,
    connected,
    console,
    emit,
    json_option,
    load_account,
    network_option,
    text,
)
from trustspace.consortium.constants import Action, Role
from trustspace.credentials import holder, issuer, jws
from trustspace.credentials.model import CredentialError, Purpose, Verdict, type_hash
from trustspace.credentials.registry import MAX_BATCH, Accreditation
from trustspace.credentials.schemas import SchemaStore, load_schema, schema_hash
from trustspace.credentials.status import read_bits, status_entries
from trustspace.did import registry as reg
from trustspace.errors import InputError

__all__ = ["vc"]

DAY = 86400
_DELEGATE_TYPES = ("veriKey", "sigAuth")
_INFINITIVE = {"revoked": "revoke", "suspended": "suspend", "reinstated": "reinstate"}


def _registry_option(f: Any) -> Any:
    return click.option(
        "--registry", "registry_address", default=None, metavar="ADDRESS",
        help="CredentialRegistry address (default: the deployment record of --network).",
    )(f)  # fmt: skip


def _did_registry_option(f: Any) -> Any:
    return click.option(
        "--did-registry", "did_registry_address", default=None, metavar="ADDRESS",
        help="DIDRegistry address (default: the deployment record of --network).",
    )(f)  # fmt: skip


def _bind(name: str, address: str) -> Any:
    from ape.contracts import ContractInstance

    from trustspace.artifacts import contract_type

    return ContractInstance(address, contract_type(name))


def _recorded(contract: str, override: str | None, flag: str) -> str:
    """:func:`options.recorded_address`, whose "no record" hint names both address options
    of the credential commands (--registry and --did-registry) rather than one of them."""
    try:
        return options.recorded_address(contract, override, flag)
    except CommandError as err:
        tail = f"or pass {flag} ADDRESS"
        if override is None and str(err).endswith(tail):
            raise CommandError(
                str(err).removesuffix(tail) + "or pass --registry ADDRESS and --did-registry "
                "ADDRESS (the CredentialRegistry and DIDRegistry of the hub)",
                err.exit_code,
            ) from err
        raise


class _Hub:
    """The contracts a credential command reads, bound on the connected chain."""

    def __init__(self, registry: str | None, did_registry: str | None) -> None:
        from ape import chain

        self.chain_id = int(chain.provider.chain_id)
        self.registry = _bind(
            "CredentialRegistry", _recorded("CredentialRegistry", registry, "--registry")
        )
        # The registry names its Consortium: no flag of its own, and a hint names only
        # options the credential commands have.
        named = str(self.registry.consortium())
        self.consortium = _bind(
            "Consortium",
            options.recorded_address("Consortium", named, "the registry's Consortium"),
        )
        self.did_registry = _bind(
            "DIDRegistry", _recorded("DIDRegistry", did_registry, "--did-registry")
        )

    def did_of_org(self, org_id: int) -> str:
        from trustspace.did.resolver import did_for

        org = self.consortium.organisation(org_id)
        identity = str(getattr(org, "did", org[-1] if isinstance(org, tuple | list) else ""))
        if int(identity, 16) == 0:
            raise CommandError(
                f"organisation {org_id} has no DID: set one first (gov propose set-did)"
            )
        return did_for(identity, self.chain_id)

    def verifier(self, schemas: SchemaStore, lists: dict[str, str], max_age: int) -> Any:
        from trustspace.credentials.verifier import Verifier
        from trustspace.did.resolver import ApeSource, Resolver

        return Verifier(
            Resolver([ApeSource(self.did_registry)]), self.consortium, self.registry, schemas,
            status_registry=None if lists else self.registry, status_lists=lists,
            max_status_age=max_age,
        )  # fmt: skip

    def where(self) -> dict[str, Any]:
        return {"chain_id": self.chain_id, "registry": str(self.registry.address)}


def _read_json(path: Path, what: str) -> Any:
    try:
        return json.loads(path.read_text())
    except OSError as err:
        raise CommandError(f"cannot read {what} {path}: {err.strerror}") from err
    except ValueError as err:
        raise CommandError(f"{what} {path} is not JSON: {err}") from err


def _read_token(path: Path, what: str = "credential") -> str:
    try:
        return path.read_text().strip()
    except OSError as err:
        raise CommandError(f"cannot read {what} {path}: {err.strerror}") from err


def _write(out: Path | None, token: str) -> str | None:
    if out is None:
        return None
    try:
        out.write_text(token + "\n")
    except OSError as err:
        raise CommandError(f"cannot write {out}: {err.strerror}") from err
    return str(out)


def _schema(path: Path) -> dict[str, Any]:
    try:
        return load_schema(path)
    except CredentialError as err:
        raise CommandError(str(err)) from err


def _time(text_value: str | None, default: int, flag: str) -> int:
    if text_value is None:
        return default
    if text_value.isdigit():
        return int(text_value)
    try:
        moment = datetime.fromisoformat(text_value.replace("Z", "+00:00"))
    except ValueError as err:
        raise CommandError(
            f"{flag} {text_value!r} is not a time (unix seconds or ISO 8601)"
        ) from err
    return int((moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp())


def _transact(what: str, send: Any) -> Any:
    from trustspace.cli.gov import transact

    return transact(what, send)


@click.group()
def vc() -> None:
    """Verifiable credentials: issue, present, verify; status lists; trusted issuers."""


# ------------------------------------------------------------------ issue


@vc.command()
@click.option("--subject", required=True, help="DID of the holder (did:ethr:…).")
@click.option("--type", "type_name", required=True, help="Credential type, e.g. AEOCertificate.")
@click.option(
    "--claims",
    "claims_path",
    required=True,
    type=click.Path(path_type=Path),
    help="JSON file of the subject's claims.",
)
@click.option(
    "--schema",
    "schema_path",
    required=True,
    type=click.Path(path_type=Path),
    help="JSON Schema file (registered for the type).",
)
@click.option(
    "--revocation-list", type=int, required=True, help="Your organisation's revocation list id."
)
@click.option(
    "--suspension-list", type=int, default=None, help="Your organisation's suspension list id."
)
@click.option(
    "--index",
    type=click.IntRange(min=0),
    required=True,
    help="This credential's entry in the lists.",
)
@click.option("--valid-from", default=None, help="Unix time or ISO 8601 (default: now).")
@click.option("--valid-until", default=None, help="Unix time or ISO 8601 (default: a year on).")
@click.option("--out", type=click.Path(path_type=Path), default=None, help="Write the JWT here.")
@account_option
@network_option
@_registry_option
@_did_registry_option
@json_option
def issue(
    subject: str, type_name: str, claims_path: Path, schema_path: Path, revocation_list: int,
    suspension_list: int | None, index: int, valid_from: str | None, valid_until: str | None,
    out: Path | None, account_alias: str, network: str, registry_address: str | None,
    did_registry_address: str | None, as_json: bool,
) -> None:  # fmt: skip
    """Issue a credential signed by your key as a delegate of your organisation's DID."""
    from trustspace.did.resolver import parse_did

    claims = _read_json(claims_path, "claims")
    if not isinstance(claims, dict):
        raise CommandError(f"claims {claims_path} must be a JSON object")
    schema = _schema(schema_path)
    try:
        parse_did(subject)
    except InputError as err:
        raise CommandError(f"--subject {subject!r} is not a did:ethr DID") from err
    signer = load_account(account_alias)
    with connected(network):
        from ape import chain

        hub = _Hub(registry_address, did_registry_address)
        org = int(hub.consortium.org_with_role(signer.address, int(Role.ISSUER)))
        if org == 0:
            raise CommandError(
                f"{account_alias} ({signer.address}) holds no live ISSUER role: "
                "ask your Consortium to grant it"
            )
        did = hub.did_of_org(org)
        identity = parse_did(did).address
        if not any(
            hub.did_registry.validDelegate(identity, reg.str_to_bytes32(t), signer.address)
            for t in _DELEGATE_TYPES
        ):
            raise CommandError(
                f"{account_alias} ({signer.address}) is not a live veriKey/sigAuth delegate "
                f"of {did}: "
                "the DID's owner adds it with `trustspace did add-delegate`"
            )
        for list_id, purpose in (
            (revocation_list, Purpose.REVOCATION),
            (suspension_list, Purpose.SUSPENSION),
        ):
            if list_id is None:
                continue
            owner, kind, capacity = (int(v) for v in hub.registry.list_info(list_id))
            if owner != org or kind != purpose:
                raise CommandError(
                    f"list {list_id} is not a {purpose.label} list of organisation {org}"
                )
            if index >= capacity:
                raise CommandError(
                    f"--index {index} is beyond list {list_id} ({capacity} entries): extend it"
                )
            if purpose is Purpose.REVOCATION and hub.registry.status(list_id, index):
                raise CommandError(
                    f"entry {index} of revocation list {list_id} is already revoked (for good): "
                    "a credential issued on it would be born revoked; choose a free --index"
                )
        if bytes(hub.registry.schema_type(schema_hash(schema))) != type_hash(type_name):
            raise CommandError(
                f"schema {schema_path} is not registered for {type_name}: "
                "`trustspace vc accredit` proposes it"
            )
        now = int(chain.blocks.head.timestamp)
        start = _time(valid_from, now, "--valid-from")
        end = _time(valid_until, start + 365 * DAY, "--valid-until")
        if not hub.registry.accredited_at(org, type_hash(type_name), schema_hash(schema), now):
            raise CommandError(
                f"organisation {org} is not accredited for {type_name} under this schema now"
            )
        entries = status_entries(
            hub.chain_id, str(hub.registry.address), revocation_list, suspension_list, index
        )
        try:
            token = issuer.issue_jwt(
                signer, did, subject, type_name, claims, schema, entries, now, start, end
            )
        except CredentialError as err:
            raise CommandError(str(err)) from err
        written = _write(out, token)
    payload = {"ok": True, **hub.where(), "issuer": did, "subject": subject, "type": type_name,
               "index": index, "credential": token, "written": written}  # fmt: skip
    emit(as_json, payload, lambda: _print_issued(payload))


def _print_issued(payload: dict[str, Any]) -> None:
    console.print(
        text(("issued ", "bold"), f"{payload['type']} to {payload['subject']}"), soft_wrap=True
    )
    console.print(f"  issuer {payload['issuer']}, status entry {payload['index']}", soft_wrap=True)
    if payload["written"]:
        console.print(f"  written to {payload['written']}", soft_wrap=True)
    else:
        console.print(payload["credential"], soft_wrap=True)


# ------------------------------------------------------------------ verify


@vc.command()
@click.argument("credential", type=click.Path(path_type=Path))
@click.option(
    "--schema",
    "schema_paths",
    multiple=True,
    type=click.Path(path_type=Path),
    help="JSON Schema files the verifier knows (repeat).",
)
@click.option("--audience", default=None, help="Your verifier id (presentations).")
@click.option("--nonce", default=None, help="The nonce you asked for (presentations).")
@click.option(
    "--status-list",
    "status_paths",
    multiple=True,
    type=click.Path(path_type=Path),
    help="Published status-list credentials to read status from instead of the chain "
    "(repeat; their age is reported).",
)
@click.option(
    "--max-status-age",
    type=click.IntRange(min=0),
    default=DAY,
    show_default=True,
    help="Oldest published status list accepted, in seconds.",
)
@network_option
@_registry_option
@_did_registry_option
@json_option
def verify(
    credential: Path, schema_paths: tuple[Path, ...], audience: str | None, nonce: str | None,
    status_paths: tuple[Path, ...], max_status_age: int, network: str,
    registry_address: str | None, did_registry_address: str | None, as_json: bool,
) -> None:  # fmt: skip
    """Verify a credential, a presentation (JWT) or an SD-JWT presentation. Exit 1 if not valid."""
    token = _read_token(credential)
    schemas = SchemaStore([_schema(p) for p in schema_paths])
    lists = {}
    for path in status_paths:
        published = _read_token(path, "status list file (--status-list)")
        try:
            lists[str(jws.decode(published).payload.get("jti", ""))] = published
        except InputError as err:
            raise CommandError(f"status list {path} is not a JWT: {err}") from err
    kind = "sd-jwt" if "~" in token else "credential"
    if kind == "credential":
        try:
            kind = "presentation" if "vp" in jws.decode(token).payload else "credential"
        except InputError:
            kind = "credential"  # the verifier reports it as malformed
    if kind != "credential" and (not audience or not nonce):
        raise CommandError(f"a {kind} is checked against your --audience and --nonce: give both")
    try:
        with connected(network):
            hub = _Hub(registry_address, did_registry_address)
            checker = hub.verifier(schemas, lists, max_status_age)
            if kind == "sd-jwt":
                verdict: Verdict = checker.verify_sd_jwt(token, str(audience), str(nonce))
            elif kind == "presentation":
                verdict = checker.verify_presentation(token, str(audience), str(nonce))
            else:
                verdict = checker.verify_credential(token)
    except Exception as err:
        if not lists or not options._is_unreachable(err):
            raise
        raise CommandError(
            f"cannot reach the chain ({' '.join(str(err).split())}): --status-list replaces "
            "only the status reads; the issuer's DID keys, its organisation, the schema's "
            "registration and the accreditation are read on the hub chain, so verifying "
            f"needs read access to it{options.UNREACHABLE_HINT}",
            options.EXIT_UNREACHABLE,
        ) from err
    payload = {"ok": verdict.valid, **hub.where(), "kind": kind, **verdict.as_dict()}
    # A presentation's own verdict names its holder (the JWT's signer), not an issuer.
    # Its credentials' issuers and types are under "credentials".
    if kind == "presentation":
        payload["holder"] = payload.pop("issuer")
        del payload["type"]
    if verdict.status_age is not None:
        payload["status_source"] = "published status lists"

    def render() -> None:
        mark = ("valid", "bold green") if verdict.valid else ("NOT VALID", "bold red")
        console.print(text(mark, f" {kind}: ", payload["message"]), soft_wrap=True)
        if kind == "presentation":
            console.print(f"  holder {verdict.issuer}", soft_wrap=True)
        for one in verdict.credentials or ([] if kind == "presentation" else [verdict]):
            console.print(f"  issuer {one.issuer}, type {one.credential_type}", soft_wrap=True)
            for name, value in one.subject.items():
                console.print(f"    {name}: {value}", soft_wrap=True)
        if verdict.status_age is not None:
            console.print(
                f"  status read from published lists, {verdict.status_age} s old", soft_wrap=True
            )

    emit(as_json, payload, render)
    if not verdict.valid:
        raise SystemExit(EXIT_NOT_VALID)


# ------------------------------------------------------------------ present


def _check_presentable(path: Path, token: str, did: str, account_alias: str) -> None:
    """A credential JWT about the holder ``did``, else one line (a verifier would refuse it)."""
    try:
        payload = jws.decode(token).payload
    except InputError as err:
        raise CommandError(f"{path} is not a credential JWT: {err}") from err
    if "vp" in payload:
        raise CommandError(
            f"{path} is a presentation, not a credential: present the credential files"
        )
    if "vc" not in payload:
        raise CommandError(f"{path} is not a credential JWT: it has no vc claim")
    subject = payload.get("sub")
    if subject != did:
        raise CommandError(
            f"{path} is about {subject}, not about {did} ({account_alias}): only a credential's "
            "subject may present it; use --account of the subject's key"
        )


@vc.command()
@click.argument("credentials", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--audience", required=True, help="The verifier the presentation is for.")
@click.option("--nonce", required=True, help="The verifier's nonce.")
@click.option("--out", type=click.Path(path_type=Path), default=None, help="Write the JWT here.")
@account_option
@network_option
@json_option
def present(
    credentials: tuple[Path, ...], audience: str, nonce: str, out: Path | None,
    account_alias: str, network: str, as_json: bool,
) -> None:  # fmt: skip
    """Present credentials as the holder (--account is the holder DID's key)."""
    from trustspace.did.resolver import did_for

    tokens = [_read_token(p) for p in credentials]
    signer = load_account(account_alias)
    with connected(network):
        from ape import chain

        did = did_for(signer.address, int(chain.provider.chain_id))
        for path, one in zip(credentials, tokens, strict=True):
            _check_presentable(path, one, did, account_alias)
        token = holder.present(
            signer, did, tokens, audience, nonce, int(chain.blocks.head.timestamp)
        )
    written = _write(out, token)
    payload = {"ok": True, "holder": did, "audience": audience, "nonce": nonce,
               "presentation": token, "written": written}  # fmt: skip

    def render() -> None:
        console.print(
            text(("presented ", "bold"), f"{len(tokens)} credential(s) as {did} to {audience}"),
            soft_wrap=True,
        )
        console.print(f"  written to {written}" if written else token, soft_wrap=True)

    emit(as_json, payload, render)


# ------------------------------------------------------------------ status lists


def _flip(
    purpose: Purpose, list_id: int, indices: tuple[int, ...], flag: bool, reason: str,
    account_alias: str, network: str, registry_address: str | None, as_json: bool, verb: str,
) -> None:  # fmt: skip
    from trustspace.consortium.governance import reason_hash

    if not indices:
        raise CommandError("give at least one entry index")
    signer = load_account(account_alias)
    with connected(network):
        from ape import chain

        address = options.recorded_address("CredentialRegistry", registry_address, "--registry")
        registry = _bind("CredentialRegistry", address)
        owner, kind, capacity = (int(v) for v in registry.list_info(list_id))
        if owner == 0:
            raise CommandError(f"no status list {list_id} in CredentialRegistry {address}")
        if kind != purpose:
            raise CommandError(
                f"list {list_id} is a {Purpose(kind).label} list, not a {purpose.label} list"
            )
        beyond = [i for i in indices if i >= capacity]
        if beyond:
            raise CommandError(f"entry {beyond[0]} is beyond list {list_id} ({capacity} entries)")
        twice = sorted({i for i in indices if indices.count(i) > 1})
        if twice:
            raise CommandError(
                f"{_entries(twice)} of list {list_id} given more than once: name each entry once"
            )
        _, _, bits = read_bits(registry, list_id)
        done = [i for i in indices if bits[i] == flag]
        if done:
            state = {"revoked": "already revoked", "suspended": "already suspended",
                     "reinstated": "not suspended"}[verb]  # fmt: skip
            raise CommandError(
                f"{_entries(done)} of list {list_id} {'is' if len(done) == 1 else 'are'} {state}:"
                f" nothing to change, nothing sent"
                + ("" if len(done) == len(indices) else "; leave out those entries")
            )
        why = reason_hash(reason)
        hashes = []
        for start in range(0, len(indices), MAX_BATCH):
            part = list(indices[start : start + MAX_BATCH])
            receipt = _send_flip(registry, signer, account_alias, owner, list_id, part, flag,
                                 why, verb)  # fmt: skip
            hashes.append(str(receipt.txn_hash))
        payload = {"ok": True, "chain_id": int(chain.provider.chain_id), "registry": address,
                   "list": list_id, "entries": list(indices), "value": flag,
                   "tx_hashes": hashes}  # fmt: skip

    def render() -> None:
        console.print(
            text(
                (f"{verb} ", "bold"),
                f"{len(indices)} entr{'y' if len(indices) == 1 else 'ies'} of list {list_id}",
            ),
            soft_wrap=True,
        )
        for h in hashes:
            console.print(f"  transaction {h}", soft_wrap=True)

    emit(as_json, payload, render)


def _entries(indices: list[int]) -> str:
    return f"entr{'y' if len(indices) == 1 else 'ies'} {', '.join(str(i) for i in indices)}"


def _send_flip(
    registry: Any, signer: Any, alias: str, owner: int, list_id: int, part: list[int],
    flag: bool, why: bytes, verb: str,
) -> Any:  # fmt: skip
    """One flip transaction; a refusal is one line "cannot <verb> entry … of list …: why"."""
    from ape.exceptions import ContractLogicError

    try:
        if len(part) == 1:
            return registry.set_status(list_id, part[0], flag, why, sender=signer)
        return registry.set_statuses(list_id, part, flag, why, sender=signer)
    except ContractLogicError as err:
        reason = options.describe_revert(err)
        hint = options.REVERT_HINTS.get(reason.split("(", 1)[0])
        line = f"cannot {_INFINITIVE[verb]} {_entries(part)} of list {list_id}: {reason}"
        consortium = _bind("Consortium", str(registry.consortium()))
        org = int(consortium.org_of(signer.address))
        if org != owner:
            whose = f"organisation {org}" if org else "no organisation"
            line += (
                f": {alias} ({signer.address}) belongs to {whose}, list {list_id} to "
                f"organisation {owner}; only the list's organisation's ISSUER accounts flip it"
            )
        elif hint:
            line += f": {hint}"
        raise CommandError(line) from err


@vc.command()
@click.argument("list_id", type=click.IntRange(min=1))
@click.argument("indices", nargs=-1, type=click.IntRange(min=0))
@click.option("--reason", default="", help="Why (its hash goes on chain with the event).")
@account_option
@network_option
@_registry_option
@json_option
def revoke(
    list_id: int, indices: tuple[int, ...], reason: str, account_alias: str, network: str,
    registry_address: str | None, as_json: bool,
) -> None:  # fmt: skip
    """Revoke credentials (final): set their entries of a revocation list, many per transaction."""
    _flip(
        Purpose.REVOCATION,
        list_id,
        indices,
        True,
        reason,
        account_alias,
        network,
        registry_address,
        as_json,
        "revoked",
    )


@vc.command()
@click.argument("list_id", type=click.IntRange(min=1))
@click.argument("indices", nargs=-1, type=click.IntRange(min=0))
@click.option("--reinstate", is_flag=True, help="Clear the entries instead (lift the suspension).")
@click.option("--reason", default="", help="Why (its hash goes on chain with the event).")
@account_option
@network_option
@_registry_option
@json_option
def suspend(
    list_id: int, indices: tuple[int, ...], reinstate: bool, reason: str, account_alias: str,
    network: str, registry_address: str | None, as_json: bool,
) -> None:  # fmt: skip
    """Suspend credentials (or --reinstate them): entries of a suspension list."""
    verb = "reinstated" if reinstate else "suspended"
    _flip(
        Purpose.SUSPENSION,
        list_id,
        indices,
        not reinstate,
        reason,
        account_alias,
        network,
        registry_address,
        as_json,
        verb,
    )


@vc.command("new-list")
@click.argument("purpose", type=click.Choice(["revocation", "suspension"]))
@click.option(
    "--words",
    type=click.IntRange(1, 128),
    default=1,
    show_default=True,
    help="Storage words (255 entries each).",
)
@account_option
@network_option
@_registry_option
@json_option
def new_list(
    purpose: str, words: int, account_alias: str, network: str, registry_address: str | None,
    as_json: bool,
) -> None:  # fmt: skip
    """Create a status list of your organisation (ISSUER accounts)."""
    signer = load_account(account_alias)
    kind = Purpose[purpose.upper()]
    with connected(network):
        address = options.recorded_address("CredentialRegistry", registry_address, "--registry")
        registry = _bind("CredentialRegistry", address)
        receipt = _transact(
            f"creating a {purpose} list",
            lambda: registry.create_list(int(kind), words, sender=signer),
        )
        [event] = list(receipt.decode_logs(registry.StatusListCreated))
    payload = {"ok": True, "registry": address, "list": int(event.list_id),
               "org_id": int(event.org_id), "purpose": purpose, "capacity": int(event.capacity),
               "tx_hash": str(receipt.txn_hash)}  # fmt: skip
    emit(as_json, payload, lambda: console.print(
        text(("created ", "bold"), f"{purpose} list {payload['list']} of organisation "
             f"{payload['org_id']}, {payload['capacity']} entries"), soft_wrap=True))  # fmt: skip


def _check_list_signer(hub: _Hub, did: str, signer: Any, alias: str, list_id: int) -> None:
    """``signer`` must be the owner or a live veriKey/sigAuth delegate of ``did`` now: a
    verifier rejects a status list signed by any other key (``status_unknown``)."""
    from trustspace.did.resolver import parse_did

    identity = parse_did(did).address
    if str(hub.did_registry.identityOwner(identity)).lower() == signer.address.lower():
        return
    if any(
        hub.did_registry.validDelegate(identity, reg.str_to_bytes32(t), signer.address)
        for t in _DELEGATE_TYPES
    ):
        return
    raise CommandError(
        f"{alias} ({signer.address}) is neither the owner nor a live veriKey/sigAuth delegate "
        f"of {did}, the DID of list {list_id}'s organisation: verifiers would reject a list it "
        "signs; sign with a delegate (the DID's owner adds one with `trustspace did add-delegate`)"
    )


@vc.command()
@click.argument("list_id", type=click.IntRange(min=1))
@click.argument("index", type=click.IntRange(min=0), required=False)
@click.option(
    "--publish",
    type=click.Path(path_type=Path),
    default=None,
    help="Write the list as a status-list credential (JWT) signed by --account.",
)
@click.option(
    "--account",
    "account_alias",
    default=None,
    help="Signs the published list (a delegate of your organisation's DID).",
)
@click.option(
    "--ttl",
    type=click.IntRange(min=60),
    default=DAY,
    show_default=True,
    help="Seconds the published list stays valid.",
)
@network_option
@_registry_option
@_did_registry_option
@json_option
def status(
    list_id: int, index: int | None, publish: Path | None, account_alias: str | None, ttl: int,
    network: str, registry_address: str | None, did_registry_address: str | None, as_json: bool,
) -> None:  # fmt: skip
    """Show a status list (or one entry); --publish writes it as a status-list credential."""
    if publish is not None and account_alias is None:
        raise CommandError("--publish needs --account to sign the status-list credential")
    signer = load_account(account_alias) if account_alias else None
    with connected(network):
        from ape import chain

        hub = _Hub(registry_address, did_registry_address)
        try:
            org, purpose, bits = read_bits(hub.registry, list_id)
        except CredentialError as err:
            raise CommandError(str(err)) from err
        if index is not None and index >= len(bits):
            raise CommandError(f"entry {index} is beyond list {list_id} ({len(bits)} entries)")
        payload: dict[str, Any] = {
            "ok": True, **hub.where(), "list": list_id, "org_id": org, "purpose": purpose.label,
            "capacity": len(bits), "set": sum(bits),
        }  # fmt: skip
        if index is not None:
            payload["index"] = index
            payload["value"] = bits[index]
        if publish is not None and signer is not None:
            did = hub.did_of_org(org)
            _check_list_signer(hub, did, signer, str(account_alias), list_id)
            uri = status_entries(hub.chain_id, str(hub.registry.address), list_id, None, 0)[
                0
            ].list_credential
            token = issuer.publish_status_list(
                signer,
                did,
                uri,
                purpose,
                bits,
                int(chain.blocks.head.timestamp),
                ttl,
            )
            payload["published"] = _write(publish, token)

    def render() -> None:
        console.print(
            text(
                ("list ", "bold"),
                f"{list_id}: {purpose.label}, organisation {org}, {len(bits)} entries, "
                f"{payload['set']} set",
            ),
            soft_wrap=True,
        )
        if index is not None:
            state = purpose.label.replace("revocation", "revoked").replace(
                "suspension", "suspended"
            )
            console.print(
                f"  entry {index}: {state if payload['value'] else 'not ' + state}", soft_wrap=True
            )
        if payload.get("published"):
            console.print(f"  published to {payload['published']}", soft_wrap=True)

    emit(as_json, payload, render)


# ------------------------------------------------------------------ accreditation


@vc.command()
@click.option(
    "--org", "org_id", type=click.IntRange(min=1), required=True, help="Organisation to accredit."
)
@click.option("--type", "type_name", required=True, help="Credential type, e.g. AEOCertificate.")
@click.option(
    "--schema",
    "schema_path",
    required=True,
    type=click.Path(path_type=Path),
    help="JSON Schema file.",
)
@click.option("--valid-from", default=None, help="Unix time or ISO 8601 (default: now).")
@click.option("--valid-until", default=None, help="Unix time or ISO 8601 (default: a year on).")
@click.option("--withdraw", is_flag=True, help="Propose withdrawing the accreditation instead.")
@click.option("--reason", default="", help="Justification (its hash goes on chain).")
@account_option
@network_option
@_registry_option
@json_option
def accredit(
    org_id: int, type_name: str, schema_path: Path, valid_from: str | None, valid_until: str | None,
    withdraw: bool, reason: str, account_alias: str, network: str, registry_address: str | None,
    as_json: bool,
) -> None:  # fmt: skip
    """Propose (as an ADMIN) that the Consortium accredits an organisation for a credential type
    and schema; proposes registering the schema first when it is not. Others approve with
    `trustspace gov approve`."""
    from trustspace.cli.gov import bind_consortium, propose_action, recorded_consortium
    from trustspace.consortium.calls import encode_call

    schema = _schema(schema_path)
    sender = load_account(account_alias)
    with connected(network):
        from ape import chain

        address = options.recorded_address("CredentialRegistry", registry_address, "--registry")
        registry = _bind("CredentialRegistry", address)
        ctx = bind_consortium(recorded_consortium(None))
        if org_id not in {int(o) for o in ctx.contract.organisations()}:
            raise CommandError(
                f"no organisation {org_id} in Consortium {ctx.address} (chain {ctx.chain_id}): "
                "--org takes the id of a member organisation"
            )
        shash, thash = schema_hash(schema), type_hash(type_name)
        registered = bytes(registry.schema_type(shash))
        if registered not in (b"\x00" * 32, thash):
            raise CommandError(f"schema {schema_path} is registered for another credential type")
        now = int(chain.blocks.head.timestamp)
        if registered != thash:
            step = "register_schema"
            args = ["0x" + shash.hex(), "0x" + thash.hex()]
        elif withdraw:
            step = "withdraw"
            args = [str(org_id), "0x" + thash.hex(), "0x" + shash.hex()]
        else:
            start = _time(valid_from, now, "--valid-from")
            acc = Accreditation(
                org_id,
                type_name,
                schema,
                start,
                _time(valid_until, start + 365 * DAY, "--valid-until"),
            )
            if not acc.valid_from < acc.valid_until or acc.valid_until <= now:
                raise CommandError(
                    "the accreditation must start before it ends, and end in the future"
                )
            step = "accredit"
            args = [
                str(org_id),
                "0x" + thash.hex(),
                "0x" + shash.hex(),
                str(acc.valid_from),
                str(acc.valid_until),
            ]
        _, data = encode_call("CredentialRegistry", step, args)
        outcome = propose_action(
            ctx, sender, account_alias, Action.CALL, {"target": address, "data": data}, reason
        )
    payload = {**outcome, "step": step, "registry": address}

    def render() -> None:
        p = payload["proposal"]
        console.print(text(("proposed ", "bold"), f"#{p['id']}: {p['summary']}"), soft_wrap=True)
        if step == "register_schema":
            console.print(
                "  the schema is not registered yet: this proposal registers it; "
                "run `vc accredit` again once it executes",
                soft_wrap=True,
            )
        console.print(
            f"  {p['live_approvals']} of {p['needed']} approvals; others approve with "
            f"`trustspace gov approve {p['id']}`",
            soft_wrap=True,
        )

    emit(as_json, payload, render)
