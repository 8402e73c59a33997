"""``trustspace did``: resolve did:ethr DIDs and manage them on the registry.

Chains are given as ``--chain URL=REGISTRY[,CONSORTIUM]`` (repeatable; or the
``TRUSTSPACE_DID_CHAINS`` variable, space separated); the chain id is read
from each node, the first chain is the default for bare ``did:ethr:0x…``.
Keys come from the environment (``TRUSTSPACE_DID_KEY`` pays and sends,
``TRUSTSPACE_DID_SIGNER_KEY`` signs a meta-transaction for the owner) or the
matching options; nothing is prompted.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from trustspace.did.consortium_view import Web3Consortium, consortium_view
from trustspace.did.registry import DEFAULT_VALIDITY, Web3Registry
from trustspace.did.resolver import ResolutionError, Resolver, Web3Source, parse_did
from trustspace.networks import LOCAL_CHAIN_IDS


@dataclass(frozen=True)
class RegistryTarget:
    url: str
    registry: str
    consortium: str | None


def _parse_chain(text: str) -> RegistryTarget:
    url, sep, rest = text.rpartition("=")
    if not sep or not url:
        raise click.BadParameter(f"expected URL=REGISTRY[,CONSORTIUM], got {text!r}")
    registry, _, consortium = rest.partition(",")
    return RegistryTarget(url, registry, consortium or None)


def _chains(values: tuple[str, ...]) -> list[RegistryTarget]:
    specs = [_parse_chain(part) for value in values for part in value.split()]
    if not specs:
        raise click.UsageError("no chain: give --chain URL=REGISTRY or set TRUSTSPACE_DID_CHAINS")
    return specs


def _w3(url: str) -> Any:
    from web3 import Web3

    return Web3(Web3.HTTPProvider(url))


chain_option = click.option(
    "--chain",
    "chains",
    multiple=True,
    envvar="TRUSTSPACE_DID_CHAINS",
    help="URL=REGISTRY[,CONSORTIUM]; repeatable, first is the default chain.",
)


@click.group()
def did() -> None:
    """Resolve and manage did:ethr identities (ERC-1056 registry)."""


@did.command()
@click.argument("did_url")
@chain_option
@click.option("--at-block", type=int, default=None, help="Resolve as of this block (versionId).")
@click.option("--at-time", default=None, help="Resolve as of this ISO time (versionTime).")
@click.option("--json", "as_json", is_flag=True, help="Print the resolution result as JSON.")
def resolve(
    did_url: str,
    chains: tuple[str, ...],
    at_block: int | None,
    at_time: str | None,
    as_json: bool,
) -> None:
    """Resolve DID_URL into its DID document, with the consortium view beside it."""
    specs = _chains(chains)
    sources, consortia = [], {}
    for spec in specs:
        w3 = _w3(spec.url)
        source = Web3Source(w3, spec.registry)
        sources.append(source)
        if spec.consortium:
            consortia[source.chain_id] = Web3Consortium(w3, spec.consortium)
    resolver = Resolver(sources)
    try:
        result = resolver.resolve(did_url, at_block=at_block, at_time=at_time)
    except ResolutionError as err:
        raise click.ClickException(str(err)) from err
    parsed = parse_did(did_url)
    chain_id = result.resolution_metadata["chainId"]
    view = None
    if chain_id in consortia:
        view = consortium_view(consortia[chain_id], parsed.address)
    out = result.as_dict()
    out["consortium"] = view
    if as_json:
        click.echo(json.dumps(out, indent=2))
        return
    _print(out)


def _print(out: dict[str, Any]) -> None:
    console = Console()
    doc = out["didDocument"]
    meta = out["didDocumentMetadata"]
    console.print(f"[bold]{doc['id']}[/bold]")
    status = "[red]deactivated[/red]" if meta.get("deactivated") else "[green]active[/green]"
    console.print(
        f"status {status}  version {meta.get('versionId', '-')}  updated {meta.get('updated', '-')}"
    )
    table = Table(title="verification methods")
    for col in ("id", "type", "material", "relationships"):
        table.add_column(col)
    for vm in doc.get("verificationMethod", []):
        rels = [
            r
            for r in ("authentication", "assertionMethod", "keyAgreement")
            if vm["id"] in doc.get(r, [])
        ]
        material = next(
            (str(v) for k, v in vm.items() if k not in ("id", "type", "controller")), ""
        )
        table.add_row(vm["id"].split("#")[-1], vm["type"], material, ", ".join(rels))
    console.print(table)
    if doc.get("service"):
        services = Table(title="services")
        for col in ("id", "type", "endpoint"):
            services.add_column(col)
        for svc in doc["service"]:
            services.add_row(
                svc["id"].split("#")[-1], svc["type"], json.dumps(svc["serviceEndpoint"])
            )
        console.print(services)
    view = out.get("consortium")
    if view:
        org = view["organisation"]
        console.print(
            f"consortium: {org['name']} (#{org['id']}, {org['kind']}, {org['status']}) "
            f"via {view['relation']}; roles: {', '.join(view['roles']) or '-'}"
        )
    else:
        console.print("consortium: not a member identity")


def _registry(chain: str, key: str, yes: bool) -> Web3Registry:
    spec = _chains((chain,))[0]
    registry = Web3Registry(_w3(spec.url), spec.registry, key)
    chain_id = int(registry.w3.eth.chain_id)
    # Local development chains need no confirmation before sending.
    if chain_id not in LOCAL_CHAIN_IDS and not yes:
        click.confirm(
            f"send from {registry.sender.address} to registry {registry.address} "
            f"on chain {chain_id}?",
            abort=True,
        )
    return registry


def _remember_json(ctx: click.Context, _param: click.Parameter, value: bool) -> bool:
    ctx.meta["did_json"] = value
    return value


def write_options(func: Any) -> Any:
    func = click.option(
        "--json",
        "as_json",
        is_flag=True,
        expose_value=False,
        callback=_remember_json,
        help="Print the receipt summary as JSON.",
    )(func)
    func = click.option(
        "--yes", is_flag=True, help="Do not ask before sending on a non-local chain."
    )(func)
    func = click.option(
        "--signer-key",
        envvar="TRUSTSPACE_DID_SIGNER_KEY",
        default=None,
        help="Owner key that signs a meta-transaction (another key pays).",
    )(func)
    func = click.option(
        "--key",
        envvar="TRUSTSPACE_DID_KEY",
        required=True,
        help="Key that sends and pays for the transaction.",
    )(func)
    func = click.option(
        "--chain",
        envvar="TRUSTSPACE_DID_CHAINS",
        required=True,
        help="URL=REGISTRY of the chain to write to.",
    )(func)
    return func


def _done(receipt: Any, what: str) -> None:
    if click.get_current_context().meta.get("did_json"):
        summary = {
            "result": what,
            "transactionHash": "0x" + bytes(receipt["transactionHash"]).hex(),
            "blockNumber": int(receipt["blockNumber"]),
            "gasUsed": int(receipt["gasUsed"]),
        }
        click.echo(json.dumps(summary))
        return
    Console().print(
        f"[green]{what}[/green] in block {receipt['blockNumber']} (gas {receipt['gasUsed']:,})"
    )


def _value(value: str, hex_value: bool) -> bytes:
    return bytes.fromhex(value.removeprefix("0x")) if hex_value else value.encode()


@did.command("change-owner")
@click.argument("identity")
@click.argument("new_owner")
@write_options
def change_owner(
    identity: str, new_owner: str, chain: str, key: str, signer_key: str | None, yes: bool
) -> None:
    """Hand IDENTITY to NEW_OWNER (0x000…0 deactivates it for good)."""
    reg = _registry(chain, key, yes)
    if signer_key:
        receipt = reg.change_owner_signed(identity, new_owner, signer_key)
    else:
        receipt = reg.change_owner(identity, new_owner)
    _done(receipt, "owner changed")


@did.command("add-delegate")
@click.argument("identity")
@click.argument("delegate")
@click.option(
    "--type",
    "delegate_type",
    default="veriKey",
    type=click.Choice(["veriKey", "sigAuth"]),
    show_default=True,
)
@click.option(
    "--validity", type=int, default=DEFAULT_VALIDITY, show_default=True, help="Seconds from now."
)
@write_options
def add_delegate(
    identity: str,
    delegate: str,
    delegate_type: str,
    validity: int,
    chain: str,
    key: str,
    signer_key: str | None,
    yes: bool,
) -> None:
    """Make DELEGATE a delegate of IDENTITY."""
    reg = _registry(chain, key, yes)
    if signer_key:
        receipt = reg.add_delegate_signed(identity, delegate_type, delegate, validity, signer_key)
    else:
        receipt = reg.add_delegate(identity, delegate_type, delegate, validity)
    _done(receipt, "delegate added")


@did.command("revoke-delegate")
@click.argument("identity")
@click.argument("delegate")
@click.option(
    "--type",
    "delegate_type",
    default="veriKey",
    type=click.Choice(["veriKey", "sigAuth"]),
    show_default=True,
)
@write_options
def revoke_delegate(
    identity: str,
    delegate: str,
    delegate_type: str,
    chain: str,
    key: str,
    signer_key: str | None,
    yes: bool,
) -> None:
    """End DELEGATE's delegation for IDENTITY now."""
    reg = _registry(chain, key, yes)
    if signer_key:
        receipt = reg.revoke_delegate_signed(identity, delegate_type, delegate, signer_key)
    else:
        receipt = reg.revoke_delegate(identity, delegate_type, delegate)
    _done(receipt, "delegate revoked")


@did.command("set-attribute")
@click.argument("identity")
@click.argument("name")
@click.argument("value")
@click.option("--hex", "hex_value", is_flag=True, help="VALUE is hex bytes (keys).")
@click.option("--validity", type=int, default=DEFAULT_VALIDITY, show_default=True)
@write_options
def set_attribute(
    identity: str,
    name: str,
    value: str,
    hex_value: bool,
    validity: int,
    chain: str,
    key: str,
    signer_key: str | None,
    yes: bool,
) -> None:
    """Publish a service (did/svc/<type>) or key (did/pub/<alg>/<purpose>/<enc>) attribute."""
    reg = _registry(chain, key, yes)
    data = _value(value, hex_value)
    if signer_key:
        receipt = reg.set_attribute_signed(identity, name, data, validity, signer_key)
    else:
        receipt = reg.set_attribute(identity, name, data, validity)
    _done(receipt, "attribute set")


@did.command("revoke-attribute")
@click.argument("identity")
@click.argument("name")
@click.argument("value")
@click.option("--hex", "hex_value", is_flag=True, help="VALUE is hex bytes (keys).")
@write_options
def revoke_attribute(
    identity: str,
    name: str,
    value: str,
    hex_value: bool,
    chain: str,
    key: str,
    signer_key: str | None,
    yes: bool,
) -> None:
    """Withdraw a service or key attribute (same NAME and VALUE as when set)."""
    reg = _registry(chain, key, yes)
    data = _value(value, hex_value)
    if signer_key:
        receipt = reg.revoke_attribute_signed(identity, name, data, signer_key)
    else:
        receipt = reg.revoke_attribute(identity, name, data)
    _done(receipt, "attribute revoked")
