"""``trustspace validator``, ``trustspace relay`` and ``trustspace bus``: operate the message bus.

Which chains: by name, from their deployment records (``--chain customs --chain tax``;
without ``--chain`` every built-in local chain whose record holds a MessageBus), so no
bus address is typed by hand; or a bus config file (``--config bus.json``) for chains
without records here. Signatures and relayer state live under ``$TRUSTSPACE_HOME/bus``
unless ``--signatures`` / ``--db`` (or the config) say otherwise.

Who signs: ``--account ALIAS``, an ape account — ``TEST::<n>`` on local chains, or a
keystore (``ape accounts import ALIAS``) whose passphrase the daemon reads from
``APE_ACCOUNTS_<ALIAS>_PASSPHRASE``, ape's own variable, since a daemon never prompts.
A key is never taken from a flag's value or a file of this project, so it stays out of
shell history and process listings.
"""

from __future__ import annotations

import logging
import re
import signal
from pathlib import Path
from typing import Any

import click
from eth_account.signers.local import LocalAccount

from trustspace.bus.config import (
    FAST_WINDOW,
    RELAYER_FAST_POLL,
    RELAYER_POLL,
    VALIDATOR_POLL,
    BusConfig,
    ChainConfig,
    load_config,
)
from trustspace.bus.keys import key_from_ape_account, key_from_hex
from trustspace.bus.signatures import Combined, SignatureSource, SignatureStore
from trustspace.cli.options import (
    EXIT_BAD_INPUT,
    EXIT_NOT_VALID,
    EXIT_UNREACHABLE,
    CommandError,
    console,
    emit,
    json_option,
    load_account,
    plain,
    text,
)
from trustspace.cli.recorded import connect_target, local_recorded, parse_target
from trustspace.errors import InputError, TrustspaceError, UnreachableError
from trustspace.paths import state_home

__all__ = [
    "ACCOUNT",
    "CONFIG",
    "bus",
    "bus_config",
    "bus_status",
    "daemon_key",
    "relay",
    "relay_run",
    "signature_sources",
    "validator",
    "validator_run",
]

_KEY_PATTERN = re.compile(r"^(0x)?[0-9a-fA-F]{64}$")


def _load_file(path: str) -> BusConfig:
    try:
        return load_config(path)
    except InputError as err:
        raise CommandError(str(err), EXIT_BAD_INPUT) from err


def _chain_config(spec: str) -> ChainConfig:
    """One chain from its deployment record: node URL, bus address, chain id and codehash."""
    chain = connect_target(parse_target(spec))
    address = chain.address("MessageBus")
    return ChainConfig(chain.label, chain.url, address, chain.chain_id,
                       chain.codehash("MessageBus"))  # fmt: skip


def bus_config(
    config_path: str | None,
    chains: tuple[str, ...],
    signatures: str | None = None,
    database: str | None = None,
    minimum: int = 2,
) -> BusConfig:
    """The bus config of a command: the ``--config`` file, or the chains' deployment records.

    ``--signatures`` / ``--db`` override the file's folders; without a file they default
    to ``$TRUSTSPACE_HOME/bus/signatures`` and ``$TRUSTSPACE_HOME/bus/relay.sqlite``.
    """
    if config_path is not None and chains:
        raise CommandError("give --config or --chain, not both (a config names its own chains)")
    if config_path is not None:
        config = _load_file(config_path)
    else:
        specs = list(chains) or [t.label for t in local_recorded("MessageBus")]
        if not specs:
            raise CommandError(
                "no chains: no deployment record of a local chain holds a MessageBus; name "
                "the chains (--chain customs --chain tax, or NAME=URL) or give --config bus.json"
            )
        found: dict[str, ChainConfig] = {}
        for spec in specs:
            chain = _chain_config(spec)
            if chain.name in found:
                raise CommandError(f"chain {chain.name!r} given twice")
            found[chain.name] = chain
        if len(found) < minimum:
            raise CommandError(
                f"a bus links at least two chains, got {', '.join(found)}: add another --chain"
            )
        home = state_home() / "bus"
        config = BusConfig(found, home / "signatures", home / "relay.sqlite")
    if signatures is not None or database is not None:
        config = BusConfig(
            config.chains,
            Path(signatures) if signatures is not None else config.signatures,
            Path(database) if database is not None else config.database,
            config.announcements,
        )
    return config


def _check_chains(config: BusConfig) -> dict[str, int]:
    """Each chain answers and holds code at its bus address; its chain id. One clear line
    otherwise: exit 3 for a node that does not answer, 2 for a wrong bus address."""
    from trustspace.bus.web3tx import connect

    ids = {}
    for chain in config.chains.values():
        w3 = connect(chain.rpc, timeout=15)
        try:
            ids[chain.name] = int(w3.eth.chain_id)
            code = bytes(w3.eth.get_code(w3.to_checksum_address(chain.bus)))
        except Exception as err:  # requests, web3 and OS errors of a node that is not there
            raise CommandError(
                f"cannot reach {chain.name} at {chain.rpc}: is the chain running? "
                "(`trustspace chains up` starts the local ones)",
                EXIT_UNREACHABLE,
            ) from err
        if chain.chain_id is not None and ids[chain.name] != chain.chain_id:
            raise CommandError(
                f"{chain.name}: the node at {chain.rpc} reports chain id {ids[chain.name]}, "
                f"the config says {chain.chain_id}: fix the rpc or chain_id"
            )
        if not code:
            raise CommandError(
                f"no contract at the bus address {chain.bus} on {chain.name}: fix the bus "
                "address (the MessageBus of its deployment record) or deploy the bus"
            )
    return ids


def daemon_key(alias: str) -> LocalAccount:
    """The signing key of ape account ``alias``: ``TEST::<n>``, or a keystore decrypted with
    ``APE_ACCOUNTS_<alias>_PASSPHRASE``."""
    if _KEY_PATTERN.match(alias.strip()):
        raise CommandError(
            "--account takes an ape account alias (or TEST::<n>), never a private key: a key on "
            "a command line is kept in shell history and process listings"
        )
    if alias.upper().startswith("TEST::"):
        return key_from_hex(str(load_account(alias).private_key))
    try:
        return key_from_ape_account(alias)
    except InputError as err:
        raise CommandError(str(err), EXIT_BAD_INPUT) from err


class _Stopper:
    """Stops a daemon loop cleanly on SIGTERM or SIGINT."""

    def __init__(self) -> None:
        self.stopped = False
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGINT, self._stop)

    def _stop(self, *_: Any) -> None:
        self.stopped = True

    def __call__(self) -> bool:
        return self.stopped


def _logging(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(asctime)s %(name)s %(levelname)s %(message)s",
    )


def _unreachable(err: Exception) -> bool:
    return isinstance(err, UnreachableError | ConnectionError | TimeoutError)


CONFIG = click.option("--config", "config_path", default=None, type=click.Path(exists=True),
                      help="Bus config JSON (chains with rpc and bus, signature folder, "
                           "database): for chains without deployment records here.")  # fmt: skip
CHAINS = click.option("--chain", "chains", multiple=True, metavar="NETWORK",
                      help="A chain by name (hub, customs, tax, an ape network, NAME=URL or a "
                           "URL), its bus from its deployment record; repeatable. Default: every "
                           "local chain with a recorded MessageBus.")  # fmt: skip
SIGNATURES = click.option("--signatures", default=None, type=click.Path(file_okay=False),
                          help="Signature folder shared by validators and relayer [default: "
                               "the config's, or $TRUSTSPACE_HOME/bus/signatures].")  # fmt: skip
ACCOUNT = click.option("--account", "account", required=True, metavar="ALIAS",
                       help="ape account that signs: TEST::<n> locally, or a keystore whose "
                            "passphrase is in APE_ACCOUNTS_<ALIAS>_PASSPHRASE.")  # fmt: skip


@click.group(name="validator")
def validator() -> None:
    """Sign checkpoints of an origin chain's bus."""


@validator.command(name="run")
@CONFIG
@click.option("--chain", required=True, metavar="NETWORK",
              help="Origin chain to sign for: a name in --config, or else a network whose "
                   "deployment record holds the bus (customs, NAME=URL, …).")  # fmt: skip
@ACCOUNT
@SIGNATURES
@click.option("--confirmations", default=None, type=click.IntRange(min=0),
              help="Blocks a checkpoint must be buried under before it is signed "
                   "[default: 0 on a local chain (anvil mines only on a transaction), "
                   "1 elsewhere; use 2+ on a chain that can reorganise].")  # fmt: skip
@click.option("--poll", default=VALIDATOR_POLL, show_default=True,
              type=click.FloatRange(min=0.01),
              help="Seconds between polls of the node (one eth_blockNumber when no block is "
                   "new); what a message waits for: docs/bus.md, Latency.")  # fmt: skip
@click.option(
    "--publish",
    "publish",
    default=None,
    metavar="HOST:PORT",
    help="Also serve this validator's signatures over HTTP (e.g. 127.0.0.1:9101).",
)
@click.option("--once", is_flag=True, help="Sign the current checkpoint and exit.")
@click.option("-v", "--verbose", is_flag=True)
def validator_run(
    config_path: str | None, chain: str, account: str, signatures: str | None,
    confirmations: int | None, poll: float, publish: str | None, once: bool, verbose: bool,
) -> None:  # fmt: skip
    """Check the node, then sign checkpoints as the origin chain grows and publish them."""
    from trustspace.bus.publish import SignatureServer, parse_listen
    from trustspace.bus.validator import Validator

    _logging(verbose)
    key = daemon_key(account)  # before any network access
    if config_path is not None:
        config = _load_file(config_path)
        try:
            spec = config.chain(chain)
        except InputError as err:
            raise CommandError(str(err)) from err
        folder = Path(signatures) if signatures is not None else config.signatures
    else:
        spec = _chain_config(chain)
        folder = Path(signatures) if signatures is not None else state_home() / "bus/signatures"
    try:
        listen = parse_listen(publish) if publish else None
    except ValueError as err:
        raise CommandError(f"--publish: {err}") from err
    store = SignatureStore(folder)
    try:
        daemon = Validator(spec, key, store, confirmations)
    except TrustspaceError as err:
        code = EXIT_UNREACHABLE if _unreachable(err) else EXIT_BAD_INPUT
        raise CommandError(str(err), code) from err
    except Exception as err:  # the node did not answer the checks
        raise CommandError(
            f"cannot reach the node of {spec.name} at {spec.rpc}: is the chain running?",
            EXIT_UNREACHABLE,
        ) from err
    if once:
        cp = daemon.tick()
        click.echo(f"signed index {cp.index}" if cp else "nothing new to sign")
        return
    server = None
    if listen is not None:
        server = SignatureServer(store, key.address, *listen)
        try:
            server.start()
        except OSError as err:
            raise CommandError(f"--publish {publish}: {err}") from err
        click.echo(f"publishing signatures at {server.url}")
    click.echo(
        f"validator {daemon.key.address} signing {spec.name} (chain {daemon.origin}, "
        f"{daemon.confirmations} confirmations) into {folder}"
    )
    try:
        daemon.run(poll=poll, stop=_Stopper())
    finally:
        if server is not None:
            server.stop()


def signature_sources(config: BusConfig) -> SignatureSource:
    """The shared folder, plus the endpoints announced on chain if the config names them."""
    store = SignatureStore(config.signatures)
    if config.announcements is None:
        return store
    from trustspace.bus.announced import announced_source

    return Combined([store, announced_source(config)])


@click.group(name="relay")
def relay() -> None:
    """Deliver messages between the configured chains."""


@relay.command(name="run")
@CONFIG
@CHAINS
@ACCOUNT
@SIGNATURES
@click.option("--db", "db_path", type=click.Path(dir_okay=False), default=None,
              help="SQLite file for progress [default: the config's database, or "
                   "$TRUSTSPACE_HOME/bus/relay.sqlite].")  # fmt: skip
@click.option("--batch-size", default=50, show_default=True, type=click.IntRange(1, 200))
@click.option("--poll", default=RELAYER_POLL, show_default=True,
              type=click.FloatRange(min=0.01),
              help="Seconds between turns while nothing is on its way.")  # fmt: skip
@click.option("--fast-poll", default=RELAYER_FAST_POLL, show_default=True,
              type=click.FloatRange(min=0.01),
              help="Seconds between turns while a message seen in the last "
                   f"{FAST_WINDOW:g} s waits for its signatures.")  # fmt: skip
@click.option("--confirmations", default=0, show_default=True, type=click.IntRange(min=0))
@click.option("--max-retries", default=5, show_default=True, type=click.IntRange(min=0))
@click.option("--backoff", default=1.0, show_default=True, type=float,
              help="First back-off in seconds; doubles per attempt up to 60 s.")  # fmt: skip
@click.option("--until-idle", is_flag=True, help="Exit once a pass finds nothing to do.")
@click.option("-v", "--verbose", is_flag=True)
def relay_run(
    config_path: str | None, chains: tuple[str, ...], account: str, signatures: str | None,
    db_path: str | None, batch_size: int, poll: float, fast_poll: float, confirmations: int,
    max_retries: int, backoff: float, until_idle: bool, verbose: bool,
) -> None:  # fmt: skip
    """Watch every chain, gather signatures, deliver in batches; resumable after any crash."""
    from trustspace.bus.relayer import Relayer, RelayerOptions
    from trustspace.bus.store import RelayStore

    _logging(verbose)
    key = daemon_key(account)  # before any network access
    config = bus_config(config_path, chains, signatures, db_path)
    _check_chains(config)
    config.database.parent.mkdir(parents=True, exist_ok=True)
    store = RelayStore(config.database)
    options = RelayerOptions(
        batch_size=batch_size, poll=poll, fast_poll=fast_poll, confirmations=confirmations,
        max_retries=max_retries, backoff_base=backoff,
    )  # fmt: skip
    relayer = Relayer(config, key, store, signature_sources(config), options)
    click.echo(f"relayer {relayer.key.address} serving {', '.join(config.chains)}")
    relayer.run(stop=_Stopper(), until_idle=until_idle)
    counts = store.counts()
    click.echo(
        f"messages in {config.database} (every run so far): "
        + (", ".join(f"{n} {state}" for state, n in sorted(counts.items())) or "none")
    )


@click.group(name="bus")
def bus() -> None:
    """Inspect the message bus."""


def _ident(value: str) -> bytes:
    raw = value[2:] if value.lower().startswith("0x") else value
    try:
        ident = bytes.fromhex(raw)
    except ValueError:
        raise CommandError(
            f"not an id: {value!r}; give a message id, a record id or a transaction hash "
            "(0x and 64 hex digits)"
        ) from None
    if len(ident) != 32:
        raise CommandError(
            f"an id has 32 bytes (0x and 64 hex digits), got {len(ident)} in {value!r}"
        )
    return ident


@bus.command(name="status")
@CONFIG
@CHAINS
@SIGNATURES
@click.argument("ident", metavar="ID")
@json_option
def bus_status(
    config_path: str | None, chains: tuple[str, ...], signatures: str | None, ident: str,
    as_json: bool,
) -> None:  # fmt: skip
    """Where a message is: dispatched, signed by whom, delivered or failed and why.

    ID is a message id, the transaction hash of a dispatch (a `mirror`, for one) or the
    id of a mirrored Notary record (its latest mirror message is shown).

    Exit code 0 if found, 1 if no chain dispatched it, 2 for a malformed id or config,
    3 if a chain cannot be reached — the same with --json (always one JSON document).
    """
    from trustspace.bus.status import lookup
    from trustspace.event_logs import INDEX_NOTE

    wanted = _ident(ident)
    config = bus_config(config_path, chains, signatures)
    _check_chains(config)
    try:
        status = lookup(config, wanted)
    except Exception as err:  # a chain that stopped answering meanwhile
        if not _unreachable(err) and not isinstance(err, OSError):
            raise
        raise CommandError(f"a chain stopped answering: {err}", EXIT_UNREACHABLE) from err
    payload = status.to_json()
    if status.state == "unknown":
        raise CommandError(
            f"no message found for {status.id} on {', '.join(config.chains)}: not a message "
            "id, dispatch transaction or mirrored record id there",
            EXIT_NOT_VALID,
            **payload,
        )

    def render() -> None:
        shown_fields = {k: v for k, v in payload.items() if k != "source"}
        width = max(len(key) for key in shown_fields)
        for key, value in shown_fields.items():
            if key == "signers":
                value = ", ".join(f"{s} (org {o})" for s, o in value.items()) or "none yet"
            elif isinstance(value, list):
                value = ", ".join(str(v) for v in value) or "-"
            shown = "" if value is None else plain(value)
            # One line per field and never wrapped or cut: ids stay copyable.
            console.print(f"{key:<{width}}  {shown}", soft_wrap=True)
        if status.source == "index":
            console.print(text((INDEX_NOTE, "dim")))

    emit(as_json, {"ok": True, **payload}, render)
