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
from rich.console import Console

from trustspace.ape_tuning import cache_custom_networks
from trustspace.deploy.config import CONTRACT_NAMES, SuiteConfig, local_config
from trustspace.deploy.deployer import SuiteDeployer, load_suite
from trustspace.deploy.deployer import is_local_network as _is_local
from trustspace.deploy.records import DeploymentError

cache_custom_networks()
console = Console()
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
    """Show what is recorded for this network and whether the chain agrees."""
    try:
        found = load_suite(project, provider, Path(deployments) if deployments else None)
    except DeploymentError as err:
        raise click.ClickException(str(err)) from err
    for name, entry in found.record.deployed():
        console.print(f"{name:<20} {entry.address} block {entry.block} tx {entry.tx_hash}")


@cli.command(cls=ConnectedProviderCommand)
@click.option(
    "--peer",
    "peers",
    multiple=True,
    type=int,
    help="Chain id of a peer chain whose record is in the deployments folder (repeat).",
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

    from trustspace.deploy.records import default_folder, find
    from trustspace.deploy.wiring import Wiring, wiring_calls

    folder = Path(deployments) if deployments else default_folder()
    try:
        suite = load_suite(project, provider, folder)
        records = {}
        for chain_id in peers:
            record = find(folder, chain_id)
            if record is None:
                raise DeploymentError(f"no record of chain {chain_id} in {folder}")
            records[chain_id] = record
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
        wiring.enact(calls, list(accounts.test_accounts[1 : 1 + threshold_now]))
        return
    if account is None:
        raise click.UsageError("--account (an ADMIN of this chain) is required here")
    if not yes:
        click.confirm(f"Propose {len(todo)} governance calls from {account.address}?", abort=True)
    ids = wiring.propose(calls, account)
    console.print(f"proposed {ids}: other agencies approve, then anyone of them executes")
