"""``trustspace deploy``: deploy the suite on a network, wire it to its peers, show its state.

The same deployer, records and wiring as ``ape run deploy`` (:mod:`trustspace.deploy`), with
the CLI's conventions: any folder (the code comes from the shipped manifest, no checkout
needed), ``--network`` by local chain name, ape network or URL, ``--account`` an ape alias,
``--json`` one document, and one line for every mistake. On the local chains the deployer is
the test account 0, the five local agencies are seeded and the test admins enact the wiring;
on any other network ``--account`` and ``--config`` are required and nothing is sent before
a confirmation (``--yes`` for scripts).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from trustspace.cli.options import (
    EXIT_NOT_VALID,
    CommandError,
    TrustspaceGroup,
    connected,
    connected_network,
    console,
    describe_revert,
    emit,
    err_console,
    json_option,
    load_account,
    local_url,
    plain,
)
from trustspace.deploy.config import CONTRACT_NAMES, SuiteConfig, local_config

__all__ = ["deploy"]


@click.group(cls=TrustspaceGroup)
def deploy() -> None:
    """Deploy the suite on a network and record it (re-running deploys nothing new).

    Records go to $TRUSTSPACE_DEPLOYMENTS (default: deployments/ of the checkout, else of
    the current folder): the other commands take contract addresses from them.
    """


def _folder(deployments: str | None) -> Path:
    from trustspace.paths import deployments_folder

    return Path(deployments) if deployments else deployments_folder()


def _provider() -> Any:
    from ape import networks

    return networks.provider


def _is_local() -> bool:
    from trustspace.deploy.deployer import is_local_network

    return is_local_network(_provider())


def _sender(account_alias: str | None) -> Any:
    from ape import accounts

    if account_alias is not None:
        return load_account(account_alias)
    if _is_local():
        return accounts.test_accounts[0]
    raise CommandError("--account is required on a network that is not a local chain")


def _config(loaded: SuiteConfig | None, folder: Path) -> SuiteConfig | None:
    from ape import accounts

    from trustspace.deploy.records import find
    from trustspace.networks import local_spec

    if loaded is not None:
        return loaded
    if not _is_local():
        return None
    # The local hub governs organisations: another local chain follows it when the hub's
    # suite (its HubLink) is recorded here; deployed alone, it governs itself.
    hub = local_spec("hub")
    hub_id = hub.chain_id if hub is not None else 0
    follows = 0
    if _provider().chain_id != hub_id:
        record = find(folder, hub_id, "ethereum:hub")
        if record is not None and "HubLink" in dict(record.deployed()):
            follows = hub_id
        else:
            err_console.print(
                f"note: no hub suite is recorded in {folder}: this chain will govern its own "
                "organisations (deploy the hub first to have it follow the hub)"
            )
    return local_config(
        accounts.test_accounts[1:6],
        hub_chain=follows,
        hub_network="ethereum:hub" if follows else None,
    )


def _confirm(question: str, yes: bool, as_json: bool) -> None:
    if yes or _is_local():
        return
    if as_json or not click.get_text_stream("stdin").isatty():
        raise CommandError(f"{question} needs a confirmation: pass --yes to send without asking")
    if not click.confirm(question, err=True):
        raise CommandError("not confirmed: nothing was sent")


def validator_committee(path: Path) -> tuple[list[str], int]:
    """The keys and threshold of a ``--validators`` file, checked before anything connects:
    distinct addresses, and an integer threshold between 1 and the number of keys."""
    from eth_utils.address import to_checksum_address

    from trustspace.crypto.address import is_valid_address

    shape = '{"keys": ["0x…", …], "threshold": k}'
    try:
        spec = json.loads(path.read_text())
    except (OSError, ValueError) as err:
        raise CommandError(f"--validators {path}: {err}; expected a JSON file {shape}") from err
    keys = spec.get("keys") if isinstance(spec, dict) else None
    threshold = spec.get("threshold") if isinstance(spec, dict) else None
    if (
        not isinstance(keys, list)
        or not keys
        or not all(isinstance(k, str) and is_valid_address(k) for k in keys)
    ):
        raise CommandError(
            f"--validators {path}: keys must be a non-empty list of addresses: {shape}"
        )
    checksummed = [str(to_checksum_address(k)) for k in keys]
    if len(set(checksummed)) != len(checksummed):
        raise CommandError(f"--validators {path}: a key is listed twice")
    if isinstance(threshold, bool) or not isinstance(threshold, int):
        raise CommandError(f"--validators {path}: threshold must be a whole number: {shape}")
    if not 1 <= threshold <= len(checksummed):
        raise CommandError(
            f"--validators {path}: threshold {threshold} must be between 1 and the "
            f"{len(checksummed)} keys"
        )
    return checksummed, threshold


def peer_url(network: str, chain_id: int) -> str | None:
    """Where to ask a peer chain whether its record still holds: the port ``trustspace chains
    up`` started it on, else the URL of that network in ape's configuration (None: unknown)."""
    from trustspace.networks import local_spec

    ecosystem, _, name = network.partition(":")
    if name in ("", "custom"):
        return None
    spec = local_spec(name) if ecosystem == "ethereum" else None
    if spec is not None and spec.chain_id == chain_id:
        return local_url(name)  # where `chains up` started it, or would (TRUSTSPACE_BASE_PORT)
    try:
        from ape import networks

        uri = networks.get_provider_from_choice(f"{ecosystem}:{name}:node").uri
    except Exception:  # not a network of ape's configuration, or no URL configured
        return None
    return str(uri) if uri else None


def _local_committee(suite: Any) -> tuple[list[str], int]:
    """The local validator keys, enrolled with VALIDATOR in the five agencies on this chain
    by the test admins' decisions (skipped where already done)."""
    from ape import accounts

    from trustspace.consortium.governance import Governance
    from trustspace.deploy.wiring import enrol_validators
    from trustspace.networks import LOCAL_VALIDATOR_INDICES, LOCAL_VALIDATOR_THRESHOLD

    admins = list(accounts.test_accounts[1 : 1 + int(suite.consortium.threshold())])
    keys = [str(accounts.test_accounts[i].address) for i in LOCAL_VALIDATOR_INDICES]
    enrol_validators(Governance(suite.consortium), keys, admins)
    return keys, LOCAL_VALIDATOR_THRESHOLD


def _network_required(f: Any) -> Any:
    """``--network`` with no default: a deployment on ape's in-process chain would vanish
    with the command, leaving a record of nothing."""
    return click.option(
        "--network",
        required=True,
        help="hub, customs, tax (the local chains), another ape network choice "
        "(ethereum:qbft:node) or an RPC URL.",
    )(f)


def _options(f: Any) -> Any:
    for option in reversed(
        [
            _network_required,
            click.option("--account", "account_alias", default=None,
                         help="ape account alias that pays (default on local chains: TEST::0)."),
            click.option("--config", type=click.Path(dir_okay=False),
                         help="Suite config JSON (organisations, admins, threshold: see "
                         "deployments/consortium.example.json); default on local chains: the "
                         "five local agencies, TEST::1 … TEST::5 their admins, 3 of 5."),
            click.option("--deployments", type=click.Path(file_okay=False),
                         help="Folder of deployment records (default $TRUSTSPACE_DEPLOYMENTS)."),
            click.option("--replace-stale", is_flag=True,
                         help="Move aside a record whose contracts are gone and deploy afresh."),
            click.option("--yes", is_flag=True, help="Send without asking (non-local networks)."),
            json_option,
        ]
    ):  # fmt: skip
        f = option(f)
    return f


def _deploy(
    only: list[str],
    network: str,
    account_alias: str | None,
    config: str | None,
    deployments: str | None,
    replace_stale: bool,
    yes: bool,
    as_json: bool,
) -> None:
    from trustspace.deploy.deployer import SuiteDeployer

    if config is not None and not Path(config).is_file():
        raise CommandError(
            f"--config {config} does not exist (see deployments/consortium.example.json)"
        )
    loaded = SuiteConfig.load(config) if config else None  # a bad file is told before connecting
    events: list[dict[str, str]] = []

    def report(event: str, name: str, detail: str) -> None:
        events.append({"event": event, "contract": name, "detail": detail})
        if not as_json:
            console.print(f"{event:>9} {name:<20} {detail}", soft_wrap=True)

    with connected(network):
        sender = _sender(account_alias)
        provider = _provider()
        deployer = SuiteDeployer(
            None,
            provider,
            sender,
            _config(loaded, _folder(deployments)),
            folder=_folder(deployments),
            report=report,
            replace_stale=replace_stale,
        )
        todo = [n for n, s in deployer.status().items() if s != "deployed" and n in only]
        where = f"{connected_network()} (chain {provider.chain_id})"
        if todo:
            _confirm(f"Deploy {', '.join(todo)} on {where} from {sender.address}?", yes, as_json)
        suite = deployer.deploy(only)
        deployed = {name: entry.address for name, entry in suite.record.deployed() if name in only}
        payload = {
            "ok": True,
            "network": connected_network(),
            "chain_id": int(provider.chain_id),
            "record": str(suite.path),
            "sender": str(sender.address),
            "contracts": deployed,
            "events": events,
        }

    def render() -> None:
        if not todo:
            console.print(f"nothing to do on {where}: everything is already deployed")
        for name, address in deployed.items():
            console.print(f"{name:<20} {address}", soft_wrap=True)
        console.print(f"recorded in {suite.path}", soft_wrap=True)

    emit(as_json, payload, render)


@deploy.command()
@_options
def suite(**kwargs: Any) -> None:
    """Deploy every missing contract of the suite (a re-run deploys nothing)."""
    _deploy(list(CONTRACT_NAMES), **kwargs)


@deploy.command()
@click.argument("name", type=click.Choice(CONTRACT_NAMES))
@_options
def contract(name: str, **kwargs: Any) -> None:
    """Deploy one contract (what it needs must already be recorded)."""
    _deploy([name], **kwargs)


def status_of(folder: Path, network: str) -> dict[str, Any]:
    """What the record of the connected network says, checked against the chain, and the
    command to run next (``network`` as the user gave it, repeated in that command)."""
    from eth_utils.crypto import keccak

    from trustspace.deploy.records import load, record_path
    from trustspace.deploy.stacks import ApeChain, hex0x

    provider = _provider()
    ecosystem, name = provider.network.ecosystem.name, provider.network.name
    path = record_path(folder, ecosystem, name, provider.chain_id)
    record = load(path)
    result: dict[str, Any] = {
        "ok": True,
        "network": f"{ecosystem}:{name}",
        "chain_id": int(provider.chain_id),
        "record": str(path),
        "contracts": [],
        "problems": [],
        "wiring": [],
        "next": None,
    }
    if record is None:
        result["next"] = f"trustspace deploy suite --network {network}"
        return result
    chain = ApeChain(None, provider)
    problems: list[str] = result["problems"]
    if record.chain_id != int(provider.chain_id):
        problems.append(
            f"the record is of chain {record.chain_id}, the node is chain {provider.chain_id}"
        )
    elif record.genesis and record.genesis != chain.genesis():
        problems.append("block 0 differs: the chain was restarted since this record was made")
    for contract_name in CONTRACT_NAMES:
        entry = record.contracts.get(contract_name)
        if entry is None:
            result["contracts"].append({"name": contract_name, "status": "missing"})
            continue
        state = entry.status
        if entry.status == "deployed" and not problems:
            code = chain.code(entry.address)
            if not code:
                state = "stale"
                problems.append(f"{contract_name} at {entry.address} has no code")
            elif entry.codehash and hex0x(keccak(code)) != entry.codehash:
                state = "stale"
                problems.append(
                    f"{contract_name} at {entry.address} holds other code than recorded"
                )
        result["contracts"].append(
            {"name": contract_name, "status": state, "address": entry.address,
             "block": entry.block, "tx_hash": entry.tx_hash}
        )  # fmt: skip
    result["wiring"] = [
        {"call": key, "proposal_id": wired.get("proposal_id"), "status": wired.get("status")}
        for key, wired in record.wiring.items()
    ]
    unfinished = [c["name"] for c in result["contracts"] if c["status"] in ("missing", "pending")]
    open_calls = [k for k, w in record.wiring.items() if w.get("status") != "executed"]
    if problems:
        result["next"] = (
            f"trustspace deploy suite --network {network} --replace-stale "
            "(moves the record aside and deploys afresh)"
        )
    elif unfinished:
        result["next"] = (
            f"trustspace deploy suite --network {network} (completes {', '.join(unfinished)}, "
            "never deploys twice)"
        )
    elif not record.wiring or open_calls:
        result["next"] = (
            f"trustspace deploy wire --network {network} --peer NAME (links the Notary and the "
            "bus to their peers by governance)"
        )
    return result


@deploy.command()
@_network_required
@click.option("--deployments", type=click.Path(file_okay=False))
@json_option
def status(network: str, deployments: str | None, as_json: bool) -> None:
    """What is recorded for this network, whether the chain agrees and what to run next
    (always prints, also with no record or a stale one; exit 1 when the record is stale)."""
    with connected(network):
        result = status_of(_folder(deployments), network)

    def render() -> None:
        console.print(
            f"{result['network']} chain {result['chain_id']}, record {result['record']}",
            soft_wrap=True,
        )
        if not result["contracts"]:
            console.print("nothing recorded")
        for c in result["contracts"]:
            where = f"{c['address']} block {c['block']} tx {c['tx_hash']}" if "address" in c else ""
            console.print(f"{c['status']:>9} {c['name']:<20} {where}".rstrip(), soft_wrap=True)
        for w in result["wiring"]:
            console.print(
                f"{'wiring':>9} {w['call']:<24} proposal {w['proposal_id']} {w['status']}"
            )
        for problem in result["problems"]:
            console.print(f"    stale {plain(problem)}", soft_wrap=True)
        if result["next"]:
            console.print(f"next: {result['next']}", soft_wrap=True)
        else:
            console.print("deployed and wired: nothing to run")

    emit(as_json, result, render)
    if result["problems"]:
        raise SystemExit(EXIT_NOT_VALID)


@deploy.command()
@click.option(
    "--peer",
    "peers",
    multiple=True,
    required=True,
    help="Peer chain by network name (tax, ethereum:tax) or by a chain id that exactly one "
    "record has; its record must be in the deployments folder (repeatable).",
)
@click.option(
    "--validators",
    type=click.Path(dir_okay=False),
    help='JSON {"keys": [...], "threshold": k}: validator keys (holding VALIDATOR here) '
    "whose checkpoints of the peers this chain's bus accepts.",
)
@_network_required
@click.option(
    "--account",
    "account_alias",
    default=None,
    help="An ADMIN of this chain who proposes (required off the local chains).",
)
@click.option(
    "--local-validators/--no-local-validators",
    default=True,
    show_default=True,
    help="On a local chain without --validators: the test accounts TEST::11 … TEST::15 join "
    "the five agencies with VALIDATOR here, and 3 of them must sign the peers' checkpoints.",
)
@click.option(
    "--trust-unchecked-peer",
    is_flag=True,
    help="Wire a peer whose node cannot be asked (no URL known) as its record says.",
)
@click.option("--deployments", type=click.Path(file_okay=False))
@click.option("--yes", is_flag=True, help="Propose without asking (non-local networks).")
@json_option
def wire(
    peers: tuple[str, ...],
    validators: str | None,
    local_validators: bool,
    trust_unchecked_peer: bool,
    network: str,
    account_alias: str | None,
    deployments: str | None,
    yes: bool,
    as_json: bool,
) -> None:
    """Link the suite to its peers by governance: the Notary mirrors over the bus.

    On local chains the test admins enact the proposals; elsewhere --account (an ADMIN)
    proposes them and the other agencies approve and execute (docs/governance.md)."""
    from ape import accounts

    from trustspace.deploy.deployer import load_suite
    from trustspace.deploy.peers import Peer, peer_problems, resolve_peer
    from trustspace.deploy.wiring import Wiring, wiring_calls

    folder = _folder(deployments)
    keys: list[str] = []
    threshold = 0
    if validators:
        keys, threshold = validator_committee(Path(validators))
    proposer = load_account(account_alias) if account_alias else None
    with connected(network):
        suite = load_suite(None, _provider(), folder, connected_network())
        records = {}
        unchecked: list[str] = []
        for text in peers:
            found = resolve_peer(folder, text)
            if found.record.chain_id == suite.record.chain_id:
                raise CommandError(
                    f"--peer {text}: {found.record.network} is chain {found.record.chain_id}, "
                    "the chain being wired; name another chain"
                )
            peer = Peer(found.record, peer_url(found.record.network, found.record.chain_id))
            problems = peer_problems(peer)
            if peer.url is None and trust_unchecked_peer:
                unchecked.append(peer.record.network)
                err_console.print(
                    f"warning: {peer.record.network} is wired unchecked (--trust-unchecked-peer): "
                    f"its Notary {peer.record.address('Notary')} and MessageBus "
                    f"{peer.record.address('MessageBus')} are trusted as the record says"
                )
            elif peer.url is None:
                raise CommandError(
                    f"--peer {text}: {problems[0]}; wiring would trust its addresses for good. "
                    "Name a network ape knows the URL of, or pass --trust-unchecked-peer after "
                    "checking the record yourself"
                )
            elif problems:
                raise CommandError(
                    f"--peer {text}: the record {peer.record.network} is stale: "
                    f"{'; '.join(problems)}. A bus origin cannot be changed once wired: redeploy "
                    f"the peer (`trustspace deploy suite --network {text} --replace-stale`) first"
                )
            if peer.record.chain_id in records:
                raise CommandError(f"--peer {text}: chain {peer.record.chain_id} given twice")
            records[peer.record.chain_id] = peer.record
        if not validators and local_validators and _is_local():
            keys, threshold = _local_committee(suite)  # only once the peers are known good
        calls = wiring_calls(suite.record, records, keys, threshold)
        wiring = Wiring(suite, lambda event, name, detail: None)
        todo = wiring.pending(calls)
        done: dict[str, Any] = {
            "ok": True,
            "network": connected_network(),
            "unchecked_peers": unchecked,
            "calls": [],
        }
        if todo and _is_local():
            admins = list(accounts.test_accounts[1 : 1 + int(suite.consortium.threshold())])
            from ape.exceptions import ContractLogicError

            try:
                wiring.enact(calls, admins)
            except ContractLogicError as err:
                raise CommandError(
                    f"wiring refused by the chain: {describe_revert(err)} (the open proposal is "
                    "kept in the record; fix the cause and run wire again to resume it)"
                ) from err
            done["enacted"] = True
        elif todo:
            if proposer is None:
                raise CommandError("--account (an ADMIN of this chain) is required here")
            _confirm(f"Propose {len(todo)} governance calls from {proposer.address}?", yes, as_json)
            done["proposed"] = wiring.propose(calls, proposer)
        wired = suite.record.wiring
        done["calls"] = [
            {
                "call": c.key,
                "description": c.description,
                "proposal_id": wired.get(c.key, {}).get("proposal_id"),
                "status": wired.get(c.key, {}).get("status"),
            }
            for c in calls
        ]

    def render() -> None:
        if not todo:
            console.print("nothing to do: every wiring call is executed")
        for c in done["calls"]:
            console.print(
                f"{c['status'] or '-':>9} {c['call']:<24} proposal {c['proposal_id']}  "
                f"{c['description']}",
                soft_wrap=True,
            )
        if done.get("proposed"):
            console.print(
                f"proposed {done['proposed']}: other agencies approve, then one of them executes "
                "(trustspace gov approve / execute)"
            )

    emit(as_json, done, render)
