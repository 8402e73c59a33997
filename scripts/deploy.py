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
from ape.exceptions import ApeException, ContractLogicError, NetworkError, ProviderError
from eth_utils.crypto import keccak
from rich.console import Console
from rich.text import Text

from trustspace.ape_tuning import cache_custom_networks, quiet_revert_traces
from trustspace.artifacts import revert_reason
from trustspace.deploy.config import CONTRACT_NAMES, SuiteConfig, local_config
from trustspace.deploy.deployer import SuiteDeployer, load_suite
from trustspace.deploy.deployer import is_local_network as _is_local
from trustspace.deploy.records import DeploymentError
from trustspace.deploy.stacks import ApeChain, hex0x
from trustspace.errors import TrustspaceError, UnreachableError

cache_custom_networks()
quiet_revert_traces(lambda: False)
# Values read from records and chains are printed as plain text: no markup, no emoji codes
# (":customs:" in a network name is otherwise drawn as an emoji).
console = Console(soft_wrap=True, markup=False, emoji=False, highlight=False)
STYLES = {"exists": "dim", "deployed": "green", "completed": "cyan", "pending": "yellow",
          "missing": "yellow", "wiring": "cyan", "stale": "bold red"}  # fmt: skip
#: Exit codes of the trustspace commands: bad input 2, chain unreachable 3.
BAD_INPUT, UNREACHABLE = 2, 3


class Refused(click.ClickException):
    """One line on stderr and an exit code (2: fix the input, 3: the chain did not answer)."""

    def __init__(self, message: str, exit_code: int = BAD_INPUT) -> None:
        super().__init__(message)
        self.exit_code = exit_code


class DeployCommand(ConnectedProviderCommand):
    """ape's connected command, with every failure a user meets told in one line: an unknown
    network name, a node that does not answer, a refused record or config."""

    def parse_args(self, ctx, args):
        given = list(args)  # click's parser consumes the list
        ctx.meta["deploy.network"] = (
            given[given.index("--network") + 1] if "--network" in given[:-1] else "the default"
        )
        try:
            return super().parse_args(ctx, args)
        except click.BadParameter as err:
            if err.param is None or err.param.name != "network":
                raise
            raise click.BadParameter(
                f"unknown network {ctx.meta['deploy.network']!r}: use ethereum:<name>:node for "
                "a network of `ape networks list`, ethereum:customs:http://127.0.0.1:PORT for "
                "a local chain on another port, or an RPC URL",
                ctx=ctx,
                param=err.param,
            ) from None

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except UnreachableError as err:
            raise Refused(str(err), UNREACHABLE) from None
        except TrustspaceError as err:
            raise Refused(str(err)) from None
        except (ProviderError, NetworkError) as err:
            raise Refused(
                f"cannot reach the chain of --network {ctx.meta.get('deploy.network')}: "
                f"{str(err).rstrip('.')}; start it "
                "(`trustspace chains up`) or check the network's URL",
                UNREACHABLE,
            ) from None
        except ApeException as err:
            raise Refused(f"{type(err).__name__}: {err}", 1) from None


def _report(event, name, detail):
    style = STYLES.get(event, "bold red")
    console.print(Text.assemble((f"{event:>9}", style), f" {name:<20} {detail}"))


def _choice(provider):
    """The network as the user can pass it again (``ethereum:customs:http://…`` included)."""
    return str(getattr(provider, "network_choice", "") or
               f"{provider.network.ecosystem.name}:{provider.network.name}:node")  # fmt: skip


def _load_config(ctx, param, value):
    """Read ``--config`` while parsing: a bad file is told before anything connects."""
    if value is None:
        return None
    try:
        return SuiteConfig.load(value)
    except DeploymentError as err:
        raise click.BadParameter(str(err), ctx=ctx, param=param) from None


def _sender(account, provider):
    if account is not None:
        return account
    if _is_local(provider):
        return accounts.test_accounts[0]
    raise click.UsageError("--account is required on a non-local network")


def _config(loaded, provider):
    if loaded is not None:
        return loaded
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
            Text.assemble((network, "bold"), f" chain {provider.chain_id}, sender "
                          f"{sender.address}, record {deployer.path}")
        )  # fmt: skip
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
        raise Refused(str(err)) from err
    console.print(
        Text.assemble(("recorded", "green"), f" {len(suite.contracts)} contracts in {suite.path}")
    )


def _common(function):
    for option in reversed(
        [
            account_option(prompt=False),
            click.option("--config", type=click.Path(exists=True, dir_okay=False),
                         callback=_load_config,
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


@cli.command(cls=DeployCommand)
@_common
def suite(provider, account, config, deployments, replace_stale, yes):
    """Deploy every missing contract of the suite (a re-run deploys nothing)."""
    _run(provider, account, config, deployments, replace_stale, yes, list(CONTRACT_NAMES))


@cli.command(cls=DeployCommand)
@click.argument("name", type=click.Choice(CONTRACT_NAMES))
@_common
def contract(provider, name, account, config, deployments, replace_stale, yes):
    """Deploy one contract (what it needs must already be recorded)."""
    _run(provider, account, config, deployments, replace_stale, yes, [name])


@cli.command(cls=DeployCommand)
@click.option("--deployments", type=click.Path(file_okay=False))
def status(provider, deployments):
    """Show what is recorded for this network, whether the chain agrees and what to run next
    (always prints, also with no record or a stale one)."""
    from trustspace.deploy.records import default_folder, load, record_path

    folder = Path(deployments) if deployments else default_folder()
    ecosystem, network = provider.network.ecosystem.name, provider.network.name
    path = record_path(folder, ecosystem, network, provider.chain_id)
    choice = _choice(provider)
    try:
        record = load(path)
    except DeploymentError as err:
        raise Refused(str(err)) from err
    console.print(
        Text.assemble((f"{ecosystem}:{network}", "bold"), f" chain {provider.chain_id}, "
                      f"record {path}")
    )  # fmt: skip
    if record is None:
        console.print(f"nothing recorded: next `ape run deploy suite --network {choice}`")
        return
    chain = ApeChain(None, provider, project)
    stale = []
    if record.chain_id != int(provider.chain_id):
        stale.append(f"the record is of chain {record.chain_id}, the node is chain "
                     f"{provider.chain_id}")  # fmt: skip
    elif record.genesis and record.genesis != chain.genesis():
        stale.append("block 0 differs: the chain was restarted since this record was made")
    for name in CONTRACT_NAMES:
        entry = record.contracts.get(name)
        if entry is None:
            _report("missing", name, "")
            continue
        note = ""
        if entry.status == "deployed" and not stale:
            code = chain.code(entry.address)
            if not code:
                note = "  no code (stale)"
                stale.append(f"{name} at {entry.address} has no code")
            elif entry.codehash and hex0x(keccak(code)) != entry.codehash:
                note = "  other code (stale)"
                stale.append(f"{name} at {entry.address} holds other code than recorded")
        _report(entry.status, name, f"{entry.address} block {entry.block} tx {entry.tx_hash}"
                f"{note}")  # fmt: skip
    for key, wired in record.wiring.items():
        _report("wiring", key, f"proposal {wired.get('proposal_id')} {wired.get('status')}")
    for problem in stale:
        _report("stale", "", problem)
    if stale:
        console.print(
            f"next: `ape run deploy suite --network {choice} --replace-stale` (moves the "
            "record aside and deploys afresh)"
        )
        return
    pending = [n for n, e in record.contracts.items() if e.status != "deployed"]
    missing = [n for n in CONTRACT_NAMES if n not in record.contracts]
    if pending or missing:
        console.print(
            f"pending {', '.join(pending) or '-'}, missing {', '.join(missing) or '-'}: next "
            f"`ape run deploy suite --network {choice}` (completes, never deploys twice)"
        )
        return
    open_calls = [k for k, w in record.wiring.items() if w.get("status") != "executed"]
    if not record.wiring or open_calls:
        console.print(
            f"next: `ape run deploy wire --network {choice} --peer NAME` (links the Notary "
            "and the bus to their peers by governance)"
        )
        return
    console.print("deployed and wired: nothing to run")


def _peer_url(network, chain_id):
    """Where to ask the peer chain whether its record still holds: the port `trustspace chains
    up` started it on, else the URL of the network in ape's configuration (None: unknown)."""
    from trustspace.devnet.chains import running

    ecosystem, _, name = network.partition(":")
    if name in ("", "custom"):
        return None
    for chain in running():
        if ecosystem == "ethereum" and chain.name == name and chain.chain_id == chain_id:
            return chain.url
    try:
        from ape import networks

        uri = networks.get_provider_from_choice(f"{ecosystem}:{name}:node").uri
    except Exception:  # not a network of ape's configuration, or no URL configured
        return None
    return str(uri) if uri else None


def _validators(path):
    import json

    try:
        spec = json.loads(Path(path).read_text())
        keys, threshold = list(spec["keys"]), int(spec["threshold"])
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise Refused(
            f"--validators {path}: {err!r}; it must be JSON like "
            '{"keys": ["0x…", …], "threshold": k}'
        ) from None
    return keys, threshold


@cli.command(cls=DeployCommand)
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
    from trustspace.deploy.peers import Peer, peer_problems, resolve_peer
    from trustspace.deploy.records import default_folder
    from trustspace.deploy.wiring import Wiring, wiring_calls

    folder = Path(deployments) if deployments else default_folder()
    keys, threshold = _validators(validators) if validators else ([], 0)
    try:
        suite = load_suite(project, provider, folder)
        records = {}
        for spec_text in peers:
            found = resolve_peer(folder, spec_text)
            if found.record.chain_id == suite.record.chain_id:
                raise DeploymentError(
                    f"--peer {spec_text}: {found.record.network} is chain "
                    f"{found.record.chain_id}, the chain being wired; name another chain"
                )
            peer = Peer(found.record, _peer_url(found.record.network, found.record.chain_id))
            if peer.url is None:
                _report("unchecked", spec_text, f"no RPC URL known for {peer.record.network}: "
                        "its record is trusted as it is")  # fmt: skip
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
        calls = wiring_calls(suite.record, records, keys, threshold)
    except (KeyError, ValueError) as err:
        raise Refused(str(err).strip("'\"")) from err
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
            raise Refused(
                f"wiring refused by the chain: {revert_reason(err)} (the open proposal is kept "
                "in the record; fix the cause and run wire again to resume it)",
                1,
            ) from err
        return
    if account is None:
        raise click.UsageError("--account (an ADMIN of this chain) is required here")
    if not yes:
        click.confirm(f"Propose {len(todo)} governance calls from {account.address}?", abort=True)
    ids = wiring.propose(calls, account)
    console.print(f"proposed {ids}: other agencies approve, then anyone of them executes")
