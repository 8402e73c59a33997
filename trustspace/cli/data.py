"""``trustspace data``: the catalog, negotiation, fetch and the supervisor's log.

``offer`` / ``withdraw`` publish and retire a dataset offer (provider ADMIN); ``list`` shows the
catalog of one or more chains; ``request`` / ``accept`` / ``approve`` / ``terminate`` negotiate
an agreement; ``fetch`` sends a signed request to the provider's connector and verifies the
payload against the chain; ``log`` (AUDITOR) lists every agreement and transfer of a provider or
consumer organisation with totals per purpose. See docs/dataspace.md.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.table import Table

from trustspace.cli.options import (
    EXIT_NOT_VALID,
    CommandError,
    account_option,
    address_argument,
    connected,
    connected_network,
    console,
    emit,
    json_option,
    load_account,
    network_option,
    plain,
    recorded_address,
    text,
)
from trustspace.crypto.hashing import hash_json, keccak, to_hex
from trustspace.event_logs import INDEX_NOTE, ape_read_from

__all__ = ["data"]

F = TypeVar("F", bound=Callable[..., Any])


def _service_option(f: F) -> F:
    return click.option(
        "--data-service",
        "service_address",
        default=None,
        help="The DataService (its code is checked). Default: from the deployment record of "
        "the connected network.",
    )(f)


def _client(service_address: str | None) -> Any:
    from ape.contracts import ContractInstance

    from trustspace.artifacts import contract_type
    from trustspace.dataspace.client import DataServiceClient

    address = recorded_address("DataService", service_address, "--data-service")
    return DataServiceClient(ContractInstance(address, contract_type("DataService")))


def _check_service_flag(service_address: str | None) -> None:
    if service_address is not None:
        address_argument(service_address, "--data-service")


def _read_json(path: Path, what: str) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise CommandError(f"{what} {path} is not a JSON file: {err}") from err


def _schema_id(value: str) -> bytes:
    """A schema given as 0x + 32 bytes of hex, or as a name (its keccak256)."""
    text = value.strip()
    if text[:2].lower() == "0x":
        try:
            raw = bytes.fromhex(text[2:])
        except ValueError:
            raw = b""
        if len(raw) != 32:
            raise CommandError(
                f"--schema {value!r}: a 0x schema id must be 32 bytes (0x and 64 hex digits); "
                "give a name to have it hashed"
            )
        return raw
    if not text:
        raise CommandError("--schema must not be empty")
    return keccak(text.encode())


_STATE_ERROR = re.compile(r"DataServiceWrongState\(agreementId=(\d+), state=(\d+)\)")


@contextmanager
def _refusals() -> Iterator[None]:
    """A DataService refusal as one line naming the agreement's state, with the hint of
    :data:`trustspace.cli.options.REVERT_HINTS` (exit 2, as every chain refusal)."""
    from ape.exceptions import ContractLogicError

    from trustspace.cli.options import REVERT_HINTS, describe_revert
    from trustspace.dataspace.client import State

    try:
        yield
    except ContractLogicError as err:
        reason = describe_revert(err)
        name = reason.split("(", 1)[0]
        if not name.startswith("DataService"):
            raise
        line = reason
        found = _STATE_ERROR.search(reason)
        if found:
            state = int(found.group(2))
            label = State(state).name if state in State._value2member_map_ else str(state)
            line = f"agreement {found.group(1)} is {label} ({reason})"
        hint = REVERT_HINTS.get(name)
        message = f"the chain refused the transaction: {line}" + (f": {hint}" if hint else "")
        raise CommandError(message, code=name) from err


@click.group()
def data() -> None:
    """Dataset offers, usage agreements and traceable transfers (docs/dataspace.md).

    Exit codes: 0 done, 1 refused or not verified (fetch), 2 bad input, 3 unreachable.
    """


@data.command()
@click.option("--title", default=None, help="Title of the dataset.")
@click.option("--schema", default=None, help="Schema: a name (hashed) or 0x + 32 bytes.")
@click.option(
    "--description",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="DCAT-style description (JSON); its RFC 8785 SHA-256 goes on chain.",
)
@click.option(
    "--policy",
    "policy_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Usage policy (JSON, docs/dataspace.md); its RFC 8785 SHA-256 goes on chain.",
)
@click.option("--update", "update_id", type=int, default=None, help="Publish a new version.")
@account_option
@_service_option
@network_option
@json_option
def offer(
    title: str | None,
    schema: str | None,
    description: Path | None,
    policy_file: Path | None,
    update_id: int | None,
    account_alias: str,
    service_address: str | None,
    network: str,
    as_json: bool,
) -> None:
    """Publish a dataset offer for your organisation (ADMIN), or a new version (--update)."""
    from trustspace.dataspace.policy import Policy

    missing = [
        flag
        for flag, value in (
            ("--title", title),
            ("--schema", schema),
            ("--description", description),
            ("--policy", policy_file),
        )
        if value is None
    ]
    if missing:
        raise CommandError(f"give {', '.join(missing)}")
    assert title is not None and schema is not None
    assert description is not None and policy_file is not None
    if not description.is_file():
        raise CommandError(f"--description {description}: no such file")
    description_digest = hash_json(_read_json(description, "--description"))
    policy = Policy.load(policy_file)
    schema_id = _schema_id(schema)
    _check_service_flag(service_address)
    sender = load_account(account_alias)
    with connected(network), _refusals():
        client = _client(service_address)
        if update_id is None:
            offer_id, tx = client.publish_offer(
                title, schema_id, description_digest, policy, sender=sender
            )
            version = 1
        else:
            offer_id = update_id
            version, tx = client.update_offer(
                offer_id, title, schema_id, description_digest, policy, sender=sender
            )
        payload = {
            "ok": True,
            "network": connected_network(),
            "offer_id": offer_id,
            "version": version,
            "policy_digest": to_hex(policy.digest()),
            "description_digest": to_hex(description_digest),
            "tx": str(tx.txn_hash),
        }
    emit(
        as_json,
        payload,
        lambda: console.print(plain(f"offer {offer_id} version {version} published ({title})")),
    )


@data.command()
@click.argument("offer_id", type=int)
@account_option
@_service_option
@network_option
@json_option
def withdraw(
    offer_id: int, account_alias: str, service_address: str | None, network: str, as_json: bool
) -> None:
    """Withdraw an offer (provider ADMIN): no new agreement; existing ones go on."""
    _check_service_flag(service_address)
    sender = load_account(account_alias)
    with connected(network), _refusals():
        tx = _client(service_address).withdraw_offer(offer_id, sender=sender)
    emit(
        as_json,
        {"ok": True, "offer_id": offer_id, "tx": str(tx.txn_hash)},
        lambda: console.print(plain(f"offer {offer_id} withdrawn")),
    )


def _endpoint_of(client: Any, provider_org: int) -> str | None:
    """The provider's connector URL from its DID, None when it announces none."""
    return _endpoint_or_why(client, provider_org)[0]


def _endpoint_or_why(client: Any, provider_org: int) -> tuple[str | None, str]:
    """The provider's connector URL from its DID, or None and why there is none."""
    from ape.contracts import ContractInstance

    from trustspace.artifacts import contract_type
    from trustspace.dataspace.endpoint import connector_endpoint
    from trustspace.errors import InputError

    try:
        registry = ContractInstance(
            recorded_address("DIDRegistry", None, "--registry"), contract_type("DIDRegistry")
        )
        identity = str(client.consortium.organisation(provider_org).did)
        if int(identity, 16) == 0:
            return None, (
                f"the provider organisation {provider_org} has no DID: its connector URL is "
                'announced on its DID (docs/dataspace.md, the "Connector endpoint" part); give '
                "--connector URL"
            )
        return connector_endpoint(registry, identity), ""
    except (InputError, CommandError) as err:
        why = str(err).replace("give the connector URL", "give --connector URL")
        return None, why


@data.command(name="list")
@click.option(
    "--network",
    "networks",
    multiple=True,
    default=("ethereum:local",),
    show_default=True,
    help="Chains whose catalog to show (repeat for several).",
)
@_service_option
@click.option("--all", "show_all", is_flag=True, help="Include withdrawn offers.")
@json_option
def list_offers(
    networks: tuple[str, ...], service_address: str | None, show_all: bool, as_json: bool
) -> None:
    """The catalog: every offer of every chain given, with the provider's connector."""
    _check_service_flag(service_address)
    from trustspace.cli.options import EXIT_UNREACHABLE, UNREACHABLE_HINT, _is_unreachable, fail

    rows: list[dict[str, Any]] = []
    down: list[str] = []
    for network in networks:
        try:
            rows.extend(
                _catalog(network, service_address if len(networks) == 1 else None, show_all)
            )
        except Exception as err:
            if len(networks) == 1 or not _is_unreachable(err):
                raise
            down.append(network)

    def render() -> None:
        table = Table(title="Dataset offers")
        for column in ("network", "offer", "version", "provider", "title", "policy", "connector"):
            table.add_column(column)
        for r in rows:
            table.add_row(
                plain(r["network"]),
                plain(r["id"]) + (" (withdrawn)" if r["withdrawn"] else ""),
                plain(r["version"]),
                plain(f"{r['provider']} (org {r['providerOrg']})"),
                plain(r["title"]),
                plain(r["policyDigest"]),
                plain(r["endpoint"] or "-"),
            )
        console.print(table)

    if not down:
        emit(as_json, {"ok": True, "offers": rows}, render)
        return
    if not as_json:
        render()
    fail(
        f"cannot reach the chain {', '.join(down)}: its offers are not shown{UNREACHABLE_HINT}",
        EXIT_UNREACHABLE,
        as_json=as_json,
        offers=rows,
        unreachable=down,
    )


def _catalog(network: str, service_address: str | None, show_all: bool) -> list[dict[str, Any]]:
    """The offers of one chain, with their provider and connector."""
    rows: list[dict[str, Any]] = []
    with connected(network):
        client = _client(service_address)
        for o in client.offers():
            if o.withdrawn and not show_all:
                continue
            org = client.consortium.organisation(o.provider_org)
            rows.append(
                {
                    "network": connected_network(),
                    **o.to_json(),
                    "provider": str(org.name),
                    "endpoint": _endpoint_of(client, o.provider_org),
                }
            )
    return rows


def _policy_option(help_text: str) -> Callable[[F], F]:
    return click.option(
        "--policy",
        "policy_file",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help=help_text,
    )


def _load_policy(path: Path | None) -> Any:
    from trustspace.dataspace.policy import Policy

    if path is None:
        return None
    if not path.is_file():
        raise CommandError(f"--policy {path}: no such file")
    return Policy.load(path)


def _check_policy(policy: Any, path: Path | None, offer: Any) -> None:
    """Refuse a ``--policy`` document that is not the offer's (by its digest on chain)."""
    if offer.provider_org == 0:
        raise CommandError(f"no offer {offer.id} on {connected_network()}")
    if policy.digest() != offer.policy_digest:
        raise CommandError(
            f"--policy {path} is not the policy of offer {offer.id} version {offer.version} "
            f"(digest {to_hex(policy.digest())}, the chain has {to_hex(offer.policy_digest)}): "
            "ask the provider for its policy document"
        )


@data.command()
@click.argument("offer_id", type=int)
@click.option("--purpose", required=True, help='The purpose, e.g. "VAT assessment".')
@_policy_option(
    "The offer's policy document (from the provider; checked against its digest on chain): "
    "refuse a purpose it does not permit before anything is sent."
)
@account_option
@_service_option
@network_option
@json_option
def request(
    offer_id: int,
    purpose: str,
    policy_file: Path | None,
    account_alias: str,
    service_address: str | None,
    network: str,
    as_json: bool,
) -> None:
    """Request an agreement on an offer for a purpose (consumer ADMIN)."""
    if not purpose.strip():
        raise CommandError("--purpose must not be empty")
    policy = _load_policy(policy_file)
    if policy is not None and purpose not in policy.purposes:
        raise CommandError(
            f"--purpose {purpose!r} is not among the policy's purposes "
            f"({', '.join(repr(p) for p in policy.purposes)}): the connector would refuse "
            "every fetch under such an agreement"
        )
    _check_service_flag(service_address)
    sender = load_account(account_alias)
    with connected(network), _refusals():
        client = _client(service_address)
        if policy is not None:
            _check_policy(policy, policy_file, client.offer(offer_id))
        agreement_id, tx = client.request(offer_id, purpose, sender=sender)
    emit(
        as_json,
        {"ok": True, "agreement_id": agreement_id, "offer_id": offer_id, "tx": str(tx.txn_hash)},
        lambda: console.print(plain(f"agreement {agreement_id} requested on offer {offer_id}")),
    )


def _step(name: str, doc: str) -> Callable[..., None]:
    @click.argument("agreement_id", type=int)
    @account_option
    @_service_option
    @network_option
    @json_option
    def command(
        agreement_id: int,
        account_alias: str,
        service_address: str | None,
        network: str,
        as_json: bool,
        **extra: Any,
    ) -> None:
        policy_file: Path | None = extra.get("policy_file")
        policy = _load_policy(policy_file)
        _check_service_flag(service_address)
        sender = load_account(account_alias)
        with connected(network), _refusals():
            client = _client(service_address)
            if policy is not None:
                _check_purpose(client, agreement_id, policy, policy_file)
            if name == "terminate":
                tx = client.terminate(agreement_id, extra.get("reason") or "", sender=sender)
            else:
                tx = getattr(client, name)(agreement_id, sender=sender)
            state = client.agreement(agreement_id).state.name.lower()
        emit(
            as_json,
            {"ok": True, "agreement_id": agreement_id, "state": state, "tx": str(tx.txn_hash)},
            lambda: console.print(plain(f"agreement {agreement_id}: {state}")),
        )

    command.__doc__ = doc
    if name == "accept":
        command = _policy_option(
            "The offer's policy document: refuse (before sending) an agreement whose purpose "
            "it does not permit."
        )(command)
    if name == "terminate":
        command = click.option("--reason", default="", help="Why (its keccak256 is logged).")(
            command
        )
    return data.command(name=name)(command)


def _check_purpose(client: Any, agreement_id: int, policy: Any, path: Path | None) -> None:
    """Refuse to accept an agreement whose purpose the offer's policy does not permit."""
    from trustspace.dataspace.client import purpose_hash

    agreement = client.agreement(agreement_id)
    if agreement.state.name == "NONE":
        raise CommandError(f"no agreement {agreement_id} on {connected_network()}")
    _check_policy(policy, path, client.offer(agreement.offer_id))
    if not any(purpose_hash(p) == agreement.purpose_hash for p in policy.purposes):
        raise CommandError(
            f"agreement {agreement_id}'s purpose is none of the policy's purposes "
            f"({', '.join(repr(p) for p in policy.purposes)}): the connector would refuse every "
            "fetch; terminate it instead (trustspace data terminate)"
        )


_step("accept", "Accept a requested agreement (provider ADMIN).")
_step("approve", "Approve an agreement for your organisation (ADMIN; k-of-n policies).")
_step("terminate", "Terminate an agreement (ADMIN of the provider or the consumer).")


def _presentation(path: Path | None) -> tuple[str, bytes, str] | None:
    """The VP JWT in ``path``, its nonce (the request's, 0x + 32 bytes) and its audience."""
    if path is None:
        return None
    from trustspace.credentials import jws
    from trustspace.errors import InputError

    try:
        token = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError as err:
        raise CommandError(f"--presentation {path}: no such file") from err
    except (OSError, UnicodeDecodeError) as err:
        raise CommandError(f"--presentation {path}: cannot read it ({err})") from err
    try:
        payload = jws.decode(token).payload
    except InputError as err:
        raise CommandError(f"--presentation {path} is not a JWT: {err}") from err
    nonce, audience = payload.get("nonce"), payload.get("aud")
    if "vp" not in payload or not isinstance(audience, str):
        raise CommandError(f"--presentation {path} is not a presentation (no vp or aud claim)")
    text = nonce[2:] if isinstance(nonce, str) and nonce.startswith("0x") else ""
    if len(text) != 64 or any(c not in "0123456789abcdef" for c in text):
        raise CommandError(
            f"--presentation {path}: its nonce must be 0x and 64 lowercase hex digits (the "
            "request is signed with it); present again with such a --nonce"
        )
    return token, bytes.fromhex(text), audience


@data.command()
@click.argument("agreement_id", type=int)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--connector", "connector_url", default=None, help="Connector URL (default: DID).")
@click.option("--require-attestation", is_flag=True, help="Fail unless the Notary attests it.")
@click.option("--timeout", type=float, default=30.0, show_default=True)
@click.option(
    "--presentation",
    "presentation_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="A VP JWT for a policy naming a credentialType (`trustspace vc present --audience "
    "CONNECTOR_URL --nonce 0x<64 hex>`): the request is signed with its nonce.",
)
@account_option
@_service_option
@network_option
@json_option
def fetch(
    agreement_id: int,
    out: Path,
    connector_url: str | None,
    require_attestation: bool,
    timeout: float,
    presentation_file: Path | None,
    account_alias: str,
    service_address: str | None,
    network: str,
    as_json: bool,
) -> None:
    """Fetch a dataset under an agreement and verify it against the transfer log."""
    from trustspace.dataspace.consumer import RefusedError, VerificationError
    from trustspace.dataspace.consumer import fetch as do_fetch
    from trustspace.dataspace.request import sign_request

    if connector_url is not None and not connector_url.startswith(("http://", "https://")):
        raise CommandError(f"--connector {connector_url!r} is not an http(s) URL")
    if not out.parent.is_dir():
        raise CommandError(f"--out {out}: folder {out.parent} does not exist")
    presentation = _presentation(presentation_file)
    _check_service_flag(service_address)
    sender = load_account(account_alias)
    with connected(network):
        client = _client(service_address)
        agreement = client.agreement(agreement_id)
        if agreement.state.name == "NONE":
            raise CommandError(f"no agreement {agreement_id} on {connected_network()}")
        url, why = (
            (connector_url, "")
            if connector_url
            else _endpoint_or_why(client, agreement.provider_org)
        )
        if url is None:
            raise CommandError(why)
        notary = None
        if require_attestation:
            from ape.contracts import ContractInstance

            from trustspace.artifacts import contract_type
            from trustspace.notary.client import NotaryClient

            notary = NotaryClient(
                ContractInstance(
                    recorded_address("Notary", None, "--notary"), contract_type("Notary")
                )
            )

        if presentation is not None and presentation[2] != url:
            raise CommandError(
                f"--presentation {presentation_file} was made for {presentation[2]}, "
                f"not for the connector {url}"
            )

        def signer(message: Any) -> bytes:
            return bytes(sender.sign_message(message).encode_rsv())

        signed = sign_request(
            signer,
            sender.address,
            agreement_id,
            agreement.offer_id,
            url,
            client.chain_id,
            client.address,
            nonce=presentation[1] if presentation else None,
        ).with_presentation(presentation[0] if presentation else None)
        try:
            result = do_fetch(
                url,
                signed,
                client,
                notary=notary,
                require_attestation=require_attestation,
                timeout=timeout,
            )
        except RefusedError as err:
            raise CommandError(str(err), EXIT_NOT_VALID, code=err.code) from err
        except VerificationError as err:
            raise CommandError(f"not verified: {err}", EXIT_NOT_VALID) from err
    out.write_bytes(result.payload)
    payload = {"ok": True, "agreement_id": agreement_id, "out": str(out), **result.to_json()}
    emit(
        as_json,
        payload,
        lambda: console.print(
            plain(
                f"fetched {len(result.payload)} bytes to {out}; digest {to_hex(result.digest)} "
                f"matches the transfer log ({result.logged})"
            )
        ),
    )


@data.command()
@click.option("--provider", "provider_org", type=int, default=None, help="Provider org id.")
@click.option("--consumer", "consumer_org", type=int, default=None, help="Consumer org id.")
@account_option
@_service_option
@network_option
@json_option
def log(
    provider_org: int | None,
    consumer_org: int | None,
    account_alias: str,
    service_address: str | None,
    network: str,
    as_json: bool,
) -> None:
    """Every agreement and transfer of a provider or consumer, totals per purpose (AUDITOR)."""
    from trustspace.consortium.constants import Role

    if provider_org is None and consumer_org is None:
        raise CommandError("give --provider ORG_ID or --consumer ORG_ID")
    _check_service_flag(service_address)
    auditor = load_account(account_alias)
    with connected(network):
        client = _client(service_address)
        if not client.consortium.has_role(auditor.address, int(Role.AUDITOR)):
            raise CommandError(
                f"{auditor.address} holds no live AUDITOR role: the log is for supervisors; ask "
                f"your Consortium to grant it (trustspace gov propose grant-role "
                f"account={auditor.address} roles=AUDITOR, on the hub chain if this chain follows "
                "one)"
            )
        for flag, org_id in (("--provider", provider_org), ("--consumer", consumer_org)):
            if org_id is not None and int(client.consortium.organisation(org_id).status) == 0:
                raise CommandError(
                    f"{flag} {org_id}: no such organisation on {connected_network()} "
                    "(`trustspace status` lists them)"
                )
        from trustspace.dataspace.audit import audit_log

        found = audit_log(client, provider_org, consumer_org)
        source = ape_read_from()
    rows, transfers, batches, totals = (
        found["agreements"],
        found["transfers"],
        found["batches"],
        found["totals"],
    )
    payload = {"ok": True, **found, "source": source}

    def render() -> None:
        table = Table(title="Agreements")
        for column in ("id", "offer", "provider", "consumer", "purpose", "state", "transfers"):
            table.add_column(column)
        for r in rows:
            table.add_row(
                plain(r["id"]),
                plain(f"{r['offerId']} v{r['offerVersion']}"),
                plain(r["providerOrg"]),
                plain(r["consumerOrg"]),
                plain(r["purpose"]),
                plain(f"{r['state'].lower()} ({r['standing']})"),
                plain(r["transfers"]),
            )
        console.print(table)
        log_table = Table(title="Transfers")
        for column in ("agreement", "no", "consumer", "digest", "size", "time"):
            log_table.add_column(column)
        for t in transfers:
            log_table.add_row(
                plain(t["agreementId"]),
                plain(t["transferNo"]),
                plain(t["consumer"]),
                plain(t["payloadDigest"]),
                plain(t["size"]),
                plain(t["time"]),
            )
        console.print(log_table)
        for b in batches:
            console.print(
                plain(
                    f"batch of agreement {b['agreementId']}: {b['count']} transfers from "
                    f"no. {b['firstNo']} under root {b['root']}"
                )
            )
        for purpose, total in totals.items():
            console.print(
                plain(f"purpose {purpose}: {total['transfers']} transfers, {total['bytes']} bytes")
            )
        if source == "index":
            console.print(text((INDEX_NOTE, "dim")))

    emit(as_json, payload, render)
