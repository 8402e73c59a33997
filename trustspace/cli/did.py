"""``trustspace did``: resolve did:ethr DIDs and manage them on the registry.

Chains are named by network (``--network customs``, repeatable: a built-in local
chain, an ape network, ``NAME=URL`` or a URL), their DIDRegistry and Consortium
taken from the network's deployment record; without ``--network``, ``resolve``
uses every local chain whose record holds a DIDRegistry. ``--chain
URL=REGISTRY[,CONSORTIUM]`` (repeatable; or the ``TRUSTSPACE_DID_CHAINS``
variable, space separated) still overrides for a chain without records here.
The chain id is read from each node; the first chain is the default for bare
``did:ethr:0x…``.

Who signs a write: ``--account`` is an ape account alias (``ape accounts
import <alias>``; it signs unattended when ``APE_ACCOUNTS_<alias>_PASSPHRASE`` is
set), ``TEST::<n>`` for a local test account. Deprecated, kept for existing
scripts: ``env:VARIABLE`` (a private key held in that environment variable)
or ``file:PATH`` (a file holding the key), each with a warning.
``--signer-account`` (same forms) signs a meta-transaction as the identity's
owner while ``--account`` pays. A private key is never taken on the command
line, where shell history and process listings would keep it.

A write asks before sending unless the chain is one of our local chains: a
chain id of :data:`trustspace.networks.LOCAL_CHAIN_IDS` served from this
machine (127.0.0.1, localhost, ::1). Chain id 1337, for one, is also the id of
many real QBFT networks. ``--yes`` sends without asking.

Everything read from a chain is printed as plain text (never as rich markup),
with control and bidirectional-override characters shown escaped; ``--json``
prints one strict JSON document in every outcome.
"""

from __future__ import annotations

import json
import os
import re
import stat
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import click

from trustspace.cli.options import (
    EXIT_BAD_INPUT,
    EXIT_UNREACHABLE,
    CommandError,
    TrustspaceGroup,
    console,
    emit,
    err_console,
    json_option,
    load_account,
    text,
)
from trustspace.cli.recorded import RecordedChain, connect_target, local_recorded, parse_target
from trustspace.did.consortium_view import Web3Consortium, consortium_view
from trustspace.did.registry import (
    DEFAULT_VALIDITY,
    ApeSigner,
    KeySigner,
    Signer,
    Web3Registry,
    str_to_bytes32,
)
from trustspace.did.resolver import (
    Resolution,
    ResolutionError,
    Resolver,
    Web3Source,
    chain_id_of,
    checked_address,
    parse_did,
    require_code,
)
from trustspace.errors import InputError, TrustspaceError
from trustspace.event_logs import INDEX_NOTE, read_from
from trustspace.networks import DEFAULT_CHAINS, LOCAL_CHAIN_IDS

__all__ = ["LOCAL_HOSTS", "RegistryTarget", "did", "is_local", "load_signer", "shown"]

#: Host names that mean "this machine" in a node URL.
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})

# What a private key looks like: refused wherever an account name is expected.
_KEY_PATTERN = re.compile(r"^(0x)?[0-9a-fA-F]{64}$")

# Characters that reorder or hide text on a terminal: bidirectional overrides,
# embeddings, isolates and marks (Unicode category Cf, the ones that matter).
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


@dataclass(frozen=True)
class RegistryTarget:
    """One ``--chain`` value: the node URL, its registry and optional consortium."""

    url: str
    registry: str
    consortium: str | None


def _parse_chain(value: str) -> RegistryTarget:
    url, sep, rest = value.rpartition("=")
    if not sep or not url:
        raise CommandError(f"--chain expects URL=REGISTRY[,CONSORTIUM], got {value!r}")
    if urlparse(url).scheme not in ("http", "https"):
        raise CommandError(f"--chain: {url!r} is not an http(s) node URL")
    registry, _, consortium = rest.partition(",")
    return RegistryTarget(url, registry, consortium or None)


def _chains(values: tuple[str, ...]) -> list[RegistryTarget]:
    specs = [_parse_chain(part) for value in values for part in value.split()]
    if not specs:
        raise CommandError("no chain: give --chain URL=REGISTRY or set TRUSTSPACE_DID_CHAINS")
    return specs


def _w3(url: str) -> Any:
    from web3 import Web3

    return Web3(Web3.HTTPProvider(url, request_kwargs={"timeout": 15}))


def is_local(url: str, chain_id: int) -> bool:
    """True only for one of our local chains: a local chain id on a node of this machine."""
    return chain_id in LOCAL_CHAIN_IDS and urlparse(url).hostname in LOCAL_HOSTS


def shown(value: Any) -> str:
    """``value`` as text safe to put on a terminal: control characters and bidirectional
    overrides appear as ``\\xNN`` / ``\\uNNNN`` escapes instead of acting."""
    out = []
    for char in str(value):
        if char in _BIDI or unicodedata.category(char) == "Cc":
            code = ord(char)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
        else:
            out.append(char)
    return "".join(out)


@contextmanager
def _reaching() -> Iterator[None]:
    """A node that drops the connection mid-command is 'unreachable', not 'bad input'."""
    try:
        yield
    except TrustspaceError:
        raise
    except (OSError, TimeoutError) as err:
        raise CommandError(f"cannot reach the chain: {err}", EXIT_UNREACHABLE) from err


def load_signer(spec: str, option: str = "--account") -> Signer:
    """The signer ``spec`` names: an ape alias, ``TEST::<n>``, ``env:VARIABLE`` or ``file:PATH``."""
    if _KEY_PATTERN.match(spec.strip()):
        # Never echo it: it is a key, and now it is in this shell's history.
        raise CommandError(
            f"{option} takes an ape account alias, env:VARIABLE or file:PATH, never a private "
            "key: a key on a command line is kept in shell history and process listings"
        )
    kind, sep, rest = spec.partition(":")
    if sep and kind in ("env", "file"):
        err_console.print(
            text(
                ("warning: ", "yellow"),
                f"{option} {kind}:… is deprecated: import the key as an ape account "
                "(`ape accounts import ALIAS`) and give --account ALIAS, with "
                "APE_ACCOUNTS_<ALIAS>_PASSPHRASE set to sign unattended",
            ),
            soft_wrap=True,
        )
    if sep and kind == "env":
        value = os.environ.get(rest)
        if not value:
            raise CommandError(f"no key: the environment variable {rest} is not set")
        try:
            return KeySigner(value.strip())
        except InputError as err:
            raise CommandError(
                f"the environment variable {rest} does not hold a private key"
            ) from err
    if sep and kind == "file":
        path = Path(rest).expanduser()
        try:
            content = path.read_text().strip()
            mode = path.stat().st_mode
        except OSError as err:
            raise CommandError(f"cannot read the key file {path}: {err.strerror}") from err
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            err_console.print(
                text(("warning: ", "yellow"), f"key file {path} is readable by other users")
            )
        try:
            return KeySigner(content)
        except InputError as err:
            raise CommandError(
                f"the key file {path} does not hold a private key (32 bytes as hex)"
            ) from err
    return ApeSigner(load_account(spec))


chain_option = click.option(
    "--chain",
    "chains",
    multiple=True,
    envvar="TRUSTSPACE_DID_CHAINS",
    help="URL=REGISTRY[,CONSORTIUM] for a chain without deployment records here "
    "(overrides --network); repeatable, first is the default chain.",
)
networks_option = click.option(
    "--network",
    "networks",
    multiple=True,
    metavar="NETWORK",
    help="A chain by name (hub, customs, tax, an ape network, NAME=URL or a URL), its "
    "DIDRegistry and Consortium from its deployment record; repeatable, first is the "
    "default chain. Default: every local chain with a recorded DIDRegistry.",
)


def _recorded_targets(networks: tuple[str, ...], did_url: str) -> list[RegistryTarget]:
    """Registry targets from deployment records: the networks named, or else the local
    chains with a recorded DIDRegistry (only the one the DID names, if it names one)."""
    if networks:
        chains = [connect_target(parse_target(n)) for n in networks]
    else:
        local = local_recorded("DIDRegistry")
        if not local:
            raise CommandError(
                "no chain: no deployment record of a local chain holds a DIDRegistry; name "
                "one with --network (customs, NAME=URL, …) or give --chain URL=REGISTRY"
            )
        wanted = parse_did(did_url).chain_id
        ids = {spec.name: spec.chain_id for spec in DEFAULT_CHAINS}
        pick = [t for t in local if wanted is None or ids.get(t.label) == wanted]
        chains = [connect_target(pick[0] if pick else local[0])]
    return [_recorded_target(chain) for chain in chains]


def _recorded_target(chain: RecordedChain) -> RegistryTarget:
    consortium = chain.address("Consortium") if chain.has("Consortium") else None
    return RegistryTarget(chain.url, chain.address("DIDRegistry"), consortium)


@click.group(cls=TrustspaceGroup)
def did() -> None:
    """Resolve and manage did:ethr identities (ERC-1056 registry)."""


@did.command()
@click.argument("did_url")
@networks_option
@chain_option
@click.option(
    "--at-block",
    type=click.IntRange(min=0),
    default=None,
    help="Resolve as of this block (versionId); the consortium view is read there too.",
)
@click.option("--at-time", default=None, help="Resolve as of this ISO time (versionTime).")
@json_option
def resolve(
    did_url: str,
    networks: tuple[str, ...],
    chains: tuple[str, ...],
    at_block: int | None,
    at_time: str | None,
    as_json: bool,
) -> None:
    """Resolve DID_URL into its DID document, with the consortium view beside it.

    The consortium view is read at the block the document is resolved at, so a
    historical document is shown beside the consortium as it was then.
    """
    if at_block is not None and at_time is not None:
        raise CommandError("give --at-block or --at-time, not both")
    parse_did(did_url)  # a malformed DID or ?versionId= is refused before any network access
    if chains:
        targets = _chains(chains)
        if networks:
            targets += _recorded_targets(networks, did_url)
    else:
        targets = _recorded_targets(networks, did_url)
    with _reaching():
        sources, consortia = [], {}
        for target in targets:
            w3 = _w3(target.url)
            source = Web3Source(w3, target.registry)
            sources.append(source)
            if target.consortium:
                consortia[source.chain_id] = Web3Consortium(w3, target.consortium, source.chain_id)
        result = Resolver(sources).resolve(did_url, at_block=at_block, at_time=at_time)
        chain_id = result.resolution_metadata["chainId"]
        read = read_from(next(s.w3 for s in sources if s.chain_id == chain_id))
        consortium = consortia.get(chain_id)
        view, at = (None, None)
        if consortium is not None:
            view, at = _consortium_at(consortium, parse_did(did_url).address, result)
    out = result.as_dict()
    out["consortium"] = view
    out["consortiumAt"] = at
    out["source"] = read

    def render() -> None:
        _print(out)
        if read == "index":
            console.print(text((INDEX_NOTE, "dim")))

    emit(as_json, out, render)


def _consortium_at(
    consortium: Web3Consortium, address: str, result: Resolution
) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    """The consortium view at the document's block, and where it was read.

    A node that keeps no state for that block (not an archive node) gives the
    current view instead, labelled as such; never today's view unlabelled.
    """
    block = result.block
    at: dict[str, Any] = {"block": block, "current": block == result.head}
    try:
        if not consortium.deployed_at(block):
            at["deployed"] = False
            return None, at
        return consortium_view(consortium, address, block=block), at
    except ResolutionError:
        if block == result.head:
            raise
    view = consortium_view(consortium, address, block=result.head)
    at = {
        "block": result.head,
        "current": True,
        "requested": block,
        "note": f"the node keeps no state for block {block}: this is the current view",
    }
    return view, at


def _endpoint(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def _print_rows(title: str, rows: list[tuple[str, ...]]) -> None:
    """A titled block of rows, columns padded, every value whole on one line."""
    console.print(text((title, "bold")))
    widths = [max(len(shown(row[i])) for row in rows) for i in range(len(rows[0]))] if rows else []
    for row in rows:
        cells = [shown(value).ljust(width) for value, width in zip(row, widths, strict=True)]
        console.print("  " + "  ".join(cells).rstrip(), soft_wrap=True)


def _print(out: dict[str, Any]) -> None:
    doc = out["didDocument"]
    meta = out["didDocumentMetadata"]
    console.print(text((shown(doc["id"]), "bold")), soft_wrap=True)
    status = ("deactivated", "red") if meta.get("deactivated") else ("active", "green")
    console.print(
        text(
            "status ",
            status,
            f"  version {shown(meta.get('versionId', '-'))}",
            f"  updated {shown(meta.get('updated', '-'))}",
        )
    )
    # Plain lines, never a table: a table wraps or cuts ids and keys at the terminal's
    # width, and they must stay copyable.
    rows: list[tuple[str, ...]] = []
    for vm in doc.get("verificationMethod", []):
        rels = [
            r
            for r in ("authentication", "assertionMethod", "keyAgreement")
            if vm["id"] in doc.get(r, [])
        ]
        material = next(
            (str(v) for k, v in vm.items() if k not in ("id", "type", "controller")), ""
        )
        rows.append((vm["id"].split("#")[-1], vm["type"], material, ", ".join(rels) or "-"))
    _print_rows("verification methods", rows)
    if doc.get("service"):
        _print_rows(
            "services",
            [
                (svc["id"].split("#")[-1], svc["type"], _endpoint(svc["serviceEndpoint"]))
                for svc in doc["service"]
            ],
        )
    at = out.get("consortiumAt")
    if at is None:
        console.print("consortium: none configured for this chain")
        return
    if at.get("current"):
        where = f"consortium (current, block {at['block']})"
    else:
        where = f"consortium at block {at['block']} (the document's block; today's may differ)"
    if at.get("note"):
        err_console.print(text(("note: ", "yellow"), at["note"]))
    view = out.get("consortium")
    if at.get("deployed") is False:
        console.print(f"{where}: not deployed yet")
    elif view:
        org = view["organisation"]
        console.print(
            text(
                f"{where}: ",
                (shown(org["name"]), "bold"),
                f" (#{org['id']}, {org['kind']}, {org['status']}) via {view['relation']}; ",
                f"roles: {', '.join(view['roles']) or '-'}",
            ),
            soft_wrap=True,
        )
    else:
        console.print(f"{where}: not a member identity")


# ----------------------------------------------------------------- writes


def _confirm(prompt: str) -> None:
    try:
        agreed = click.confirm(prompt, default=False, err=True)
    except click.Abort:
        agreed = False
    if not agreed:
        raise CommandError("not sent: not confirmed (--yes sends without asking)", EXIT_BAD_INPUT)


@dataclass
class _Write:
    registry: Web3Registry
    chain_id: int
    owner: Signer | None


def _prepare(
    chain: str | None,
    network: str | None,
    account: str,
    signer_account: str | None,
    yes: bool,
    action: str,
) -> _Write:
    if (chain is None) == (network is None):
        raise CommandError(
            "name the chain to write to: --network NETWORK (its DIDRegistry from its "
            "deployment record) or --chain URL=REGISTRY, one of them"
        )
    # Signers first: a key given where an account name belongs is refused before any
    # network access.
    sender = load_signer(account, "--account")
    owner = load_signer(signer_account, "--signer-account") if signer_account else None
    if chain is not None:
        target = _chains((chain,))[0]
    else:
        target = _recorded_target(connect_target(parse_target(str(network))))
    w3 = _w3(target.url)
    chain_id = chain_id_of(w3)
    address = checked_address(target.registry, "registry")
    require_code(w3, address, "registry", chain_id)
    registry = Web3Registry(w3, address, sender)
    if not yes and not is_local(target.url, chain_id):
        signed = f", signed by {owner.address}" if owner else ""
        _confirm(
            f"{action}: send from {sender.address}{signed} to registry {address} "
            f"on chain {chain_id} at {target.url}?"
        )
    return _Write(registry, chain_id, owner)


def write_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """--network/--chain, --account, --signer-account, --yes and --json of every write."""
    func = json_option(func)
    func = click.option(
        "--yes", is_flag=True, help="Send without asking, on any chain (local ones never ask)."
    )(func)
    func = click.option(
        "--signer-account",
        envvar="TRUSTSPACE_DID_SIGNER_ACCOUNT",
        default=None,
        help="The identity owner who signs a meta-transaction (--account pays): "
        "alias, TEST::<n>, env:VARIABLE or file:PATH.",
    )(func)
    func = click.option(
        "--account",
        envvar="TRUSTSPACE_DID_ACCOUNT",
        required=True,
        help="Who sends and pays: ape account alias, TEST::<n>, env:VARIABLE or file:PATH "
        "(never a key itself).",
    )(func)
    func = click.option(
        "--chain",
        envvar="TRUSTSPACE_DID_CHAINS",
        default=None,
        help="URL=REGISTRY of the chain to write to (a chain without records here).",
    )(func)
    func = click.option(
        "--network",
        default=None,
        metavar="NETWORK",
        help="The chain to write to by name (customs, NAME=URL, …): its DIDRegistry from its "
        "deployment record.",
    )(func)
    return func


def _done(receipt: Any, what: str, chain_id: int, as_json: bool) -> None:
    summary = {
        "ok": True,
        "result": what,
        "chainId": chain_id,
        "transactionHash": "0x" + bytes(receipt["transactionHash"]).hex(),
        "blockNumber": int(receipt["blockNumber"]),
        "gasUsed": int(receipt["gasUsed"]),
    }
    emit(
        as_json,
        summary,
        lambda: console.print(
            text(
                (what, "green"), f" in block {summary['blockNumber']} (gas {summary['gasUsed']:,})"
            )
        ),
    )


def _address(value: str, what: str) -> str:
    try:
        return checked_address(value, what)
    except InputError as err:
        raise CommandError(str(err)) from err


def _value(value: str, hex_value: bool) -> bytes:
    if not hex_value:
        return value.encode()
    try:
        return bytes.fromhex(value.removeprefix("0x"))
    except ValueError as err:
        raise CommandError(f"--hex: {value!r} is not hex") from err


@did.command("change-owner")
@click.argument("identity")
@click.argument("new_owner")
@write_options
def change_owner(
    identity: str,
    new_owner: str,
    network: str | None,
    chain: str | None,
    account: str,
    signer_account: str | None,
    yes: bool,
    as_json: bool,
) -> None:
    """Hand IDENTITY to NEW_OWNER (0x000…0 deactivates it for good)."""
    identity, new_owner = _address(identity, "IDENTITY"), _address(new_owner, "NEW_OWNER")
    with _reaching():
        w = _prepare(chain, network, account, signer_account, yes, f"change owner of {identity}")
        if w.owner:
            receipt = w.registry.change_owner_signed(identity, new_owner, w.owner)
        else:
            receipt = w.registry.change_owner(identity, new_owner)
    _done(receipt, "owner changed", w.chain_id, as_json)


delegate_type_option = click.option(
    "--type",
    "delegate_type",
    default="veriKey",
    type=click.Choice(["veriKey", "sigAuth"]),
    show_default=True,
)


@did.command("add-delegate")
@click.argument("identity")
@click.argument("delegate")
@delegate_type_option
@click.option(
    "--validity", type=int, default=DEFAULT_VALIDITY, show_default=True, help="Seconds from now."
)
@write_options
def add_delegate(
    identity: str,
    delegate: str,
    delegate_type: str,
    validity: int,
    network: str | None,
    chain: str | None,
    account: str,
    signer_account: str | None,
    yes: bool,
    as_json: bool,
) -> None:
    """Make DELEGATE a delegate of IDENTITY."""
    identity, delegate = _address(identity, "IDENTITY"), _address(delegate, "DELEGATE")
    with _reaching():
        w = _prepare(chain, network, account, signer_account, yes, f"add delegate to {identity}")
        if w.owner:
            receipt = w.registry.add_delegate_signed(
                identity, delegate_type, delegate, validity, w.owner
            )
        else:
            receipt = w.registry.add_delegate(identity, delegate_type, delegate, validity)
    _done(receipt, "delegate added", w.chain_id, as_json)


@did.command("revoke-delegate")
@click.argument("identity")
@click.argument("delegate")
@delegate_type_option
@write_options
def revoke_delegate(
    identity: str,
    delegate: str,
    delegate_type: str,
    network: str | None,
    chain: str | None,
    account: str,
    signer_account: str | None,
    yes: bool,
    as_json: bool,
) -> None:
    """End DELEGATE's delegation for IDENTITY now."""
    identity, delegate = _address(identity, "IDENTITY"), _address(delegate, "DELEGATE")
    with _reaching():
        w = _prepare(chain, network, account, signer_account, yes, f"revoke delegate of {identity}")
        if w.owner:
            receipt = w.registry.revoke_delegate_signed(identity, delegate_type, delegate, w.owner)
        else:
            receipt = w.registry.revoke_delegate(identity, delegate_type, delegate)
    _done(receipt, "delegate revoked", w.chain_id, as_json)


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
    network: str | None,
    chain: str | None,
    account: str,
    signer_account: str | None,
    yes: bool,
    as_json: bool,
) -> None:
    """Publish a service (did/svc/<type>) or key (did/pub/<alg>/<purpose>/<enc>) attribute."""
    identity, data = _address(identity, "IDENTITY"), _value(value, hex_value)
    str_to_bytes32(name)  # a name over 32 bytes is refused before anything is asked
    with _reaching():
        w = _prepare(
            chain, network, account, signer_account, yes, f"set attribute {name} of {identity}"
        )
        if w.owner:
            receipt = w.registry.set_attribute_signed(identity, name, data, validity, w.owner)
        else:
            receipt = w.registry.set_attribute(identity, name, data, validity)
    _done(receipt, "attribute set", w.chain_id, as_json)


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
    network: str | None,
    chain: str | None,
    account: str,
    signer_account: str | None,
    yes: bool,
    as_json: bool,
) -> None:
    """Withdraw a service or key attribute (same NAME and VALUE as when set)."""
    identity, data = _address(identity, "IDENTITY"), _value(value, hex_value)
    str_to_bytes32(name)  # a name over 32 bytes is refused before anything is asked
    with _reaching():
        w = _prepare(
            chain, network, account, signer_account, yes, f"revoke attribute {name} of {identity}"
        )
        if w.owner:
            receipt = w.registry.revoke_attribute_signed(identity, name, data, w.owner)
        else:
            receipt = w.registry.revoke_attribute(identity, name, data)
    _done(receipt, "attribute revoked", w.chain_id, as_json)
