"""``ape run deploy``: deploy the trustspace suite (or one contract) and record it.

    ape run deploy suite --network ethereum:customs:node                 # local: test account 0
    ape run deploy suite --network ethereum:qbft:node --account agency-deployer \\
        --config deployments/consortium.example.json
    ape run deploy contract Notary --network ethereum:customs:node
    ape run deploy status --network ethereum:customs:node

The logic lives in ``trustspace.deploy.deployer`` (config, deployer, wiring); this file only parses
options and prints.
"""

from pathlib import Path

import click
from ape import accounts, project
from ape.cli import ConnectedProviderCommand, account_option
from ape.exceptions import ContractLogicError
from rich.console import Console

from trustspace.ape_tuning import cache_custom_networks, quiet_revert_traces
from trustspace.artifacts import revert_reason
from trustspace.deploy.config import CONTRACT_NAMES, SuiteConfig, local_config
from trustspace.deploy.deployer import SuiteDeployer, load_suite
from trustspace.deploy.deployer import is_local_network as _is_local
from trustspace.deploy.records import DeploymentError
from trustspace.deploy.stacks import ApeChain

cache_custom_networks()
quiet_revert_traces(lambda: False)
console = Console(soft_wrap=True)
STYLES = {"exists": "dim", "deployed": "green", "completed": "cyan", "pending": "yellow"}


def _report(event, name, detail):
    style = STYLES.get(event, "bold red")
    console.print(f"[{style}]{event:>9}[/] {name:<20} {detail}")


def _sender(account, provider):
    if account is not None:
        return account
    if _is_local(provider):
        return accounts.test_accounts[0]
    raise click.UsageError("--account is required on a non-local network")


def _config(path, provider):
    if path:
        return SuiteConfig.load(path)
    if _is_local(provider):
        return local_config(accounts.test_accounts[1:6])
    return None


def _run(provider, account, config, deployments, replace_stale, yes, only):
    sender = _sender(account, provider)
    network = f"{provider.network.ecosystem.name}:{provider.network.name}"
    try:
        deployer = SuiteDeployer(
            project,
            provider,
            sender,
            _config(config, provider),
            folder=Path(deployments) if deployments else None,
            report=_report,
            replace_stale=replace_stale,
        )
        todo = [n for n, s in deployer.status().items() if s != "deployed" and n in only]
        console.print(
            f"[bold]{network}[/] chain {provider.chain_id}, sender {sender.address}, "
            f"record {deployer.path}"
        )
        if todo and not _is_local(provider) and not yes:
            click.confirm(
                f"Deploy {', '.join(todo)} on {network} (chain {provider.chain_id}) "
                f"from {sender.address}?",
                abort=True,
            )
        if not todo:
            console.print("nothing to do: everything is already deployed")
        suite = deployer.deploy(only)
    except DeploymentError as err:
        raise click.ClickException(str(err)) from err
    console.print(f"[green]recorded[/] {len(suite.contracts)} contracts in {suite.path}")


def _common(function):
    for option in reversed(
        [
            account_option(prompt=False),
            click.option("--config", type=click.Path(exists=True, dir_okay=False),
                         help="Suite config (organisations, admins, threshold) as JSON; "
                         "defaults to five local agencies on local chains."),
            click.option("--deployments", type=click.Path(file_okay=False),
                         help="Folder of deployment records (default: deployments/)."),
            click.option("--replace-stale", is_flag=True,
                         help="Move aside a record whose contracts are gone and deploy afresh."),
            click.option("--yes", is_flag=True, help="Do not ask for confirmation."),
        ]
    ):  # fmt: skip
        function = option(function)
    return function


@click.group()
def cli():
    """Deploy the trustspace suite and record it under deployments/."""


@cli.command(cls=ConnectedProviderCommand)
@_common
def suite(provider, account, config, deployments, replace_stale, yes):
    """Deploy every missing contract of the suite (a re-run deploys nothing)."""
    _run(provider, account, config, deployments, replace_stale, yes, list(CONTRACT_NAMES))


@cli.command(cls=ConnectedProviderCommand)
@click.argument("name", type=click.Choice(CONTRACT_NAMES))
@_common
def contract(provider, name, account, config, deployments, replace_stale, yes):
    """Deploy one contract (what it needs must already be recorded)."""
    _run(provider, account, config, deployments, replace_stale, yes, [name])


@cli.command(cls=ConnectedProviderCommand)
@click.option("--deployments", type=click.Path(file_okay=False))
def status(provider, deployments):
    """Show what is recorded for this network and whether the chain agrees (always prints)."""
    from trustspace.deploy.records import default_folder, load, record_path

    folder = Path(deployments) if deployments else default_folder()
    ecosystem, network = provider.network.ecosystem.name, provider.network.name
    path = record_path(folder, ecosystem, network, provider.chain_id)
    choice = f"{ecosystem}:{network}"
    try:
        record = load(path)
    except DeploymentError as err:
        raise click.ClickException(str(err)) from err
    console.print(f"[bold]{choice}[/] chain {provider.chain_id}, record {path}")
    if record is None:
        console.print(
            f"nothing recorded: deploy with `ape run deploy suite --network {choice}:node`"
        )
        return
    chain = ApeChain(None, provider, project)
    problems = []
    for name in CONTRACT_NAMES:
        entry = record.contracts.get(name)
        if entry is None:
            console.print(f"{'missing':>9} {name:<20}")
            continue
        has_code = bool(chain.code(entry.address))
        note = "" if has_code or entry.status != "deployed" else "  [bold red]no code (stale)[/]"
        console.print(
            f"{entry.status:>9} {name:<20} {entry.address} block {entry.block} "
            f"tx {entry.tx_hash}{note}"
        )
    if record.genesis and record.genesis != chain.genesis():
        problems.append("block 0 differs: the chain was restarted since this record was made")
    for problem in problems:
        console.print(f"[bold red]stale[/] {problem}")
    pending = [n for n, e in record.contracts.items() if e.status != "deployed"]
    if pending:
        console.print(
            f"pending {', '.join(pending)}: complete with "
            f"`ape run deploy suite --network {choice}:node`"
        )
    for key, wired in record.wiring.items():
        console.print(
            f"{'wiring':>9} {key:<20} proposal {wired.get('proposal_id')} {wired.get('status')}"
        )


@cli.command(cls=ConnectedProviderCommand)
@click.option(
    "--peer",
    "peers",
    multiple=True,
    help="Peer chain by network name (customs, ethereum:tax) or by a chain id that exactly "
    "one record has; its record must be in the deployments folder (repeat).",
)
@click.option(
    "--validators",
    type=click.Path(exists=True, dir_okay=False),
    help='JSON {"keys": [...], "threshold": k}: validator keys (holding VALIDATOR '
    "here) whose checkpoints of the peers this chain's bus accepts.",
)
@account_option(prompt=False)
@click.option("--deployments", type=click.Path(file_okay=False))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def wire(provider, peers, validators, account, deployments, yes):
    """Link the suite by governance: the Notary mirrors over the bus to its peers.

    On local chains the test admins enact the proposals; elsewhere --account (an ADMIN)
    proposes them and the other agencies approve and execute (docs/governance.md).
    """
    import json

    from trustspace.deploy.peers import peer_problems, resolve_peer
    from trustspace.deploy.records import default_folder
    from trustspace.deploy.wiring import Wiring, wiring_calls

    folder = Path(deployments) if deployments else default_folder()
    try:
        suite = load_suite(project, provider, folder)
        records = {}
        for spec_text in peers:
            peer = resolve_peer(folder, spec_text)
            problems = peer_problems(peer)
            if problems:
                raise DeploymentError(
                    f"--peer {spec_text}: the record {peer.record.network} is stale: "
                    f"{'; '.join(problems)}. A bus origin cannot be changed once wired: "
                    "redeploy the peer (`ape run deploy suite --network "
                    f"{peer.record.network}:node --replace-stale`) before wiring"
                )
            if peer.record.chain_id in records:
                raise DeploymentError(f"--peer {spec_text}: chain {peer.record.chain_id} twice")
            records[peer.record.chain_id] = peer.record
        keys, threshold = [], 0
        if validators:
            spec = json.loads(Path(validators).read_text())
            keys, threshold = list(spec["keys"]), int(spec["threshold"])
        calls = wiring_calls(suite.record, records, keys, threshold)
    except (DeploymentError, KeyError, ValueError) as err:
        raise click.ClickException(str(err)) from err
    wiring = Wiring(suite, _report)
    todo = wiring.pending(calls)
    if not todo:
        console.print("nothing to do: every wiring call is executed")
        return
    for call in todo:
        console.print(f"  {call.key:<24} {call.contract}.{call.function}: {call.description}")
    if _is_local(provider):
        threshold_now = int(suite.consortium.threshold())
        try:
            wiring.enact(calls, list(accounts.test_accounts[1 : 1 + threshold_now]))
        except ContractLogicError as err:
            raise click.ClickException(
                f"wiring refused by the chain: {revert_reason(err)} (the open proposal is kept "
                "in the record; fix the cause and run wire again to resume it)"
            ) from err
        return
    if account is None:
        raise click.UsageError("--account (an ADMIN of this chain) is required here")
    if not yes:
        click.confirm(f"Propose {len(todo)} governance calls from {account.address}?", abort=True)
    ids = wiring.propose(calls, account)
    console.print(f"proposed {ids}: other agencies approve, then anyone of them executes")
