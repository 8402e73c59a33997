"""``trustspace connector run``: the provider's connector (FastAPI served by uvicorn).

Listens on 127.0.0.1 by default (put a TLS-terminating reverse proxy in front to publish it);
its URL is what the provider announces as the ``did/svc/DataConnector`` service of its DID and
what consumers sign as the request's audience. The journal (SQLite) keeps used request ids and
the transfers promised to the chain; on start the connector reconciles it with the chain
(nothing logged twice, nothing served lost), on stop it logs any queued batch.

An offer whose policy names a ``credentialType`` needs the hub, where credentials are verified
(DID registry, Consortium, CredentialRegistry), and the JSON Schema documents of the accepted
credentials (``--credential-schema``). The hub is ``--hub-network`` (a chain name, NAME=URL or a
URL, read over JSON-RPC with the addresses of its deployment record); without it, the connected
chain when it is its own hub (its record has no HubLink following another chain), else the
local ``hub`` chain, which must have the chain id the connected chain follows.
"""

from __future__ import annotations

import threading
from contextlib import closing
from pathlib import Path
from typing import Any

import click

from trustspace.cli.options import (
    CommandError,
    account_option,
    bind_socket,
    connected,
    err_console,
    load_account,
    network_option,
    plain,
    recorded_address,
)
from trustspace.crypto.hashing import to_hex

__all__ = ["connector"]


def _datasets(
    specs: tuple[str, ...], policies: tuple[str, ...]
) -> dict[int, tuple[Path, list[Path]]]:
    """``OFFER=FILE`` and ``OFFER=POLICY`` pairs (several policies for an offer: one per offer
    version served), checked before anything connects."""
    found: dict[int, tuple[Path, list[Path]]] = {}
    for spec in specs:
        offer, sep, path = spec.partition("=")
        if not sep or not offer.strip().isdigit() or not path:
            raise CommandError(f"--dataset {spec!r}: expected OFFER_ID=FILE")
        file = Path(path)
        if not file.is_file():
            raise CommandError(f"--dataset {spec!r}: no such file {file}")
        if int(offer) in found:
            raise CommandError(f"--dataset {spec!r}: offer {int(offer)} is given twice")
        found[int(offer)] = (file, [])
    for spec in policies:
        offer, sep, path = spec.partition("=")
        if not sep or not offer.strip().isdigit() or int(offer) not in found:
            raise CommandError(f"--policy {spec!r}: expected OFFER_ID=FILE for a --dataset offer")
        if not Path(path).is_file():
            raise CommandError(f"--policy {spec!r}: no such file {path}")
        found[int(offer)][1].append(Path(path))
    if not found:
        raise CommandError("give at least one --dataset OFFER_ID=FILE")
    for offer_id, (_, given) in found.items():
        if not given:
            raise CommandError(
                f"--dataset {offer_id}: give its --policy {offer_id}=POLICY.json (the offer's "
                "policy document: without it the connector cannot check the agreement's purpose)"
            )
    return found


def _audience(audience: str | None, host: str, port: int) -> str:
    """The URL consumers sign: an http(s) URL with a host."""
    from urllib.parse import urlsplit

    if audience is None:
        return f"http://{host}:{port}"
    parts = urlsplit(audience)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise CommandError(
            f"--audience {audience!r} is not an http(s) URL (e.g. https://connector.example)"
        )
    return audience


def _journal(path: Path) -> Any:
    """The SQLite journal at ``path``, refused in one line when it is not one."""
    import sqlite3

    from trustspace.dataspace.journal import Journal

    try:
        return Journal(path)
    except sqlite3.DatabaseError as err:
        raise CommandError(
            f"--journal {path} is not a connector journal (SQLite: {err}): give another file"
        ) from err


def _version_of(client: Any, offer_id: int, digest: bytes) -> int | None:
    """The offer version whose policy digest is ``digest`` (``OfferPublished`` events)."""
    try:
        for event in client.events("OfferPublished", offerId=offer_id):
            value = event.policyDigest
            raw = bytes.fromhex(value.removeprefix("0x")) if isinstance(value, str) else value
            if bytes(raw).rjust(32, b"\0") == digest:
                return int(event.version)
    except Exception:  # a node without logs: the message just names no version
        return None
    return None


def _digest_mismatch(offer: Any, given: bytes, version: int | None) -> str:
    """Why a ``--policy`` is not the offer's: its digest, the chain's, and the versions."""
    line = (
        f"--policy {offer.id}: its digest {to_hex(given)} is not offer {offer.id}'s policy "
        f"digest {to_hex(offer.policy_digest)} (version {offer.version}, the latest)"
    )
    if version is not None:
        return (
            f"{line}; it is the policy of version {version}: the offer was updated, give the "
            f"policy of version {offer.version} (it also serves the agreements made under "
            "older versions: docs/dataspace.md, Offer updates)"
        )
    return f"{line}; no version of the offer has this policy: give the provider's policy file"


def _dataset(client: Any, provider: int, offer_id: int, file: Path, policies: list[Any]) -> Any:
    """The dataset of ``offer_id``: the policy of its latest version, and those of the older
    versions it serves (each matched to its version by its digest)."""
    from trustspace.dataspace.connector import Dataset

    o = client.offer(offer_id)
    if o.provider_org == 0:
        raise CommandError(f"--dataset {offer_id}: no offer {offer_id} on this chain")
    if o.provider_org != provider:
        raise CommandError(f"--dataset {offer_id}: not an offer of organisation {provider}")
    latest = [p for p in policies if p.digest() == o.policy_digest]
    if not latest:
        given = policies[0].digest()
        raise CommandError(_digest_mismatch(o, given, _version_of(client, offer_id, given)))
    older: dict[int, Any] = {}
    for policy in policies:
        if policy.digest() == o.policy_digest:
            continue
        version = _version_of(client, offer_id, policy.digest())
        if version is None or version == o.version:
            raise CommandError(
                f"--policy {offer_id}: digest {to_hex(policy.digest())} is the policy of no "
                f"older version of offer {offer_id} (latest: version {o.version})"
            )
        older[version] = policy
    return Dataset(offer_id, file, latest[0], older)


def _schemas(paths: tuple[Path, ...]) -> list[dict[str, Any]]:
    from trustspace.credentials.model import CredentialError
    from trustspace.credentials.schemas import load_schema

    try:
        return [load_schema(p) for p in paths]
    except CredentialError as err:
        raise CommandError(f"--credential-schema: {err}") from err


def _hub_verifier(hub_network: str | None, schemas: list[dict[str, Any]]) -> Any:
    """The credentials Verifier over the hub (see the module docstring for which chain)."""
    from ape import chain

    from trustspace.cli.options import connected_network
    from trustspace.deploy import records
    from trustspace.deploy.wiring import hub_of
    from trustspace.paths import deployments_folder

    if hub_network is None:
        here = records.find(deployments_folder(), chain.chain_id, connected_network())
        hub_chain = hub_of(here) if here is not None else 0
        if hub_chain == 0:
            from ape.contracts import ContractInstance

            from trustspace.artifacts import contract_type
            from trustspace.dataspace.hub import hub_verifier
            from trustspace.did.resolver import ApeSource

            def bind(name: str) -> Any:
                try:
                    address = recorded_address(name, None, "--hub-network")
                except CommandError as err:
                    raise CommandError(
                        f"credential checks need the hub's {name}; this chain is its own hub "
                        f"and: {err.args[0]}"
                    ) from err
                return ContractInstance(address, contract_type(name))

            registry = bind("CredentialRegistry")
            return hub_verifier(
                ApeSource(bind("DIDRegistry")), bind("Consortium"), registry, schemas
            )
        return _web3_hub("hub", schemas, hub_chain)
    return _web3_hub(hub_network, schemas, None)


def _web3_hub(name: str, schemas: list[dict[str, Any]], expected_chain: int | None) -> Any:
    from trustspace.artifacts import abi
    from trustspace.cli.recorded import connect_target, parse_target
    from trustspace.dataspace.hub import Web3Reader, hub_verifier
    from trustspace.did.resolver import Web3Source

    hub = connect_target(parse_target(name))
    if expected_chain is not None and hub.chain_id != expected_chain:
        raise CommandError(
            f"this chain follows hub chain {expected_chain}, but {name} is chain {hub.chain_id}: "
            "give --hub-network"
        )

    def reader(contract: str) -> Web3Reader:
        return Web3Reader(hub.w3.eth.contract(address=hub.address(contract), abi=abi(contract)))

    registry = reader("CredentialRegistry")
    source = Web3Source(hub.w3, hub.address("DIDRegistry"))
    return hub_verifier(source, reader("Consortium"), registry, schemas)


def _flush_loop(conn: Any, every: float, stop: threading.Event) -> None:
    """Log queued batches every ``every`` seconds; a failure is retried at the next tick."""
    while not stop.wait(every):
        try:
            flushed = conn.flush()
        except Exception as err:  # the journal keeps them: the next tick or a restart retries
            err_console.print(plain(f"connector: batch not logged yet ({type(err).__name__})"))
            continue
        if flushed:
            err_console.print(plain(f"connector: logged a batch of {flushed} transfers"))


@click.group()
def connector() -> None:
    """The provider's data connector (docs/dataspace.md)."""


@connector.command()
@click.option("--dataset", "dataset_specs", multiple=True, help="OFFER_ID=FILE (repeatable).")
@click.option("--policy", "policy_specs", multiple=True, help="OFFER_ID=POLICY.json.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=8750, show_default=True)
@click.option("--audience", default=None, help="The URL consumers sign (default http://HOST:PORT).")
@click.option(
    "--journal",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("connector.sqlite"),
    show_default=True,
    help="SQLite journal (request ids, transfers promised to the chain).",
)
@click.option("--batch-size", type=int, default=0, show_default=True, help="0: log each transfer.")
@click.option(
    "--flush-every",
    type=float,
    default=30.0,
    show_default=True,
    help="Batched mode: also log queued transfers every this many seconds.",
)
@click.option("--max-lifetime", type=int, default=300, show_default=True, help="Seconds.")
@click.option("--data-service", "service_address", default=None, help="DataService address.")
@click.option(
    "--hub-network",
    default=None,
    help="The hub where presentations are verified (policies naming a credentialType). "
    "Default: this chain if it is its own hub, else the local hub chain.",
)
@click.option(
    "--credential-schema",
    "credential_schemas",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="JSON Schema of an accepted credential (repeatable; with a credentialType policy).",
)
@account_option
@network_option
def run(
    dataset_specs: tuple[str, ...],
    policy_specs: tuple[str, ...],
    host: str,
    port: int,
    audience: str | None,
    journal: Path,
    batch_size: int,
    flush_every: float,
    max_lifetime: int,
    service_address: str | None,
    hub_network: str | None,
    credential_schemas: tuple[Path, ...],
    account_alias: str,
    network: str,
) -> None:
    """Serve datasets to holders of live agreements; log every transfer on chain."""
    from ape.contracts import ContractInstance

    from trustspace.artifacts import contract_type
    from trustspace.consortium.constants import Role
    from trustspace.dataspace.client import DataServiceClient
    from trustspace.dataspace.connector import Connector, create_app
    from trustspace.dataspace.policy import Policy

    found = _datasets(dataset_specs, policy_specs)
    loaded = {offer: [Policy.load(p) for p in policies] for offer, (_, policies) in found.items()}
    if not 0 < port < 65536:
        raise CommandError(f"--port {port}: expected 1..65535")
    if batch_size < 0 or max_lifetime <= 0 or flush_every <= 0:
        raise CommandError("--batch-size must be ≥ 0, --max-lifetime and --flush-every > 0")
    if not journal.parent.is_dir():
        raise CommandError(f"--journal {journal}: folder {journal.parent} does not exist")
    url = _audience(audience, host, port)
    opened = _journal(journal)
    wanted = sorted(
        {
            policy.credential_type
            for policies in loaded.values()
            for policy in policies
            if policy.credential_type
        }
    )
    schemas = _schemas(credential_schemas)
    if wanted and not schemas:
        raise CommandError(
            f"a --policy requires a {wanted[0]} credential: give its --credential-schema FILE"
        )
    account = load_account(account_alias)
    with closing(bind_socket(host, port, "connector")) as sock, connected(network):
        address = recorded_address("DataService", service_address, "--data-service")
        verifier = _hub_verifier(hub_network, schemas) if wanted else None
        client = DataServiceClient(ContractInstance(address, contract_type("DataService")))
        if not client.consortium.has_role(account.address, int(Role.NOTARY)):
            raise CommandError(
                f"{account.address} holds no live NOTARY role: a connector logs transfers as a "
                "NOTARY account of the provider"
            )
        provider = client.org_of(account)
        datasets = {
            offer: _dataset(client, provider, offer, found[offer][0], policies)
            for offer, policies in loaded.items()
        }
        conn = Connector(
            client,
            account,
            url,
            datasets,
            opened,
            max_lifetime=max_lifetime,
            batch_size=batch_size,
            verifier=verifier,
        )
        recovered = conn.recover()
        err_console.print(plain(f"connector: journal reconciled {recovered}"))
        import uvicorn

        app = create_app(conn)
        server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
        stop = threading.Event()
        if batch_size:
            threading.Thread(
                target=_flush_loop, args=(conn, flush_every, stop), daemon=True
            ).start()
        sock.listen(128)
        err_console.print(plain(f"connector: serving offers {sorted(datasets)} at {conn.audience}"))
        try:
            server.run(sockets=[sock])
        finally:
            stop.set()
        if batch_size:
            flushed = conn.flush()
            err_console.print(plain(f"connector: logged {flushed} queued transfers on stop"))
