"""``trustspace validator``, ``trustspace relay`` and ``trustspace bus``: operate the message bus.

Keys come from an environment variable (``--key-env``) or an ape account (``--account``,
passphrase from ``APE_ACCOUNTS_<alias>_PASSPHRASE``), never from a flag's value or a
file of this project, so they stay out of shell history and process listings.
"""

from __future__ import annotations

import logging
import signal
from pathlib import Path
from typing import Any

import click
from eth_account.signers.local import LocalAccount
from rich.table import Table

from trustspace.bus.config import BusConfig, load_config
from trustspace.bus.keys import key_from_ape_account, key_from_env
from trustspace.bus.signatures import Combined, SignatureSource, SignatureStore
from trustspace.cli.options import (
    EXIT_BAD_INPUT,
    EXIT_NOT_VALID,
    EXIT_UNREACHABLE,
    console,
    dumps,
    emit,
    fail,
    json_option,
    plain,
)
from trustspace.errors import InputError, TrustspaceError, UnreachableError

__all__ = [
    "ACCOUNT",
    "CONFIG",
    "bus",
    "bus_status",
    "relay",
    "relay_run",
    "signature_sources",
    "validator",
    "validator_run",
]


def _config(path: str) -> BusConfig:
    try:
        return load_config(path)
    except InputError as err:
        fail(str(err), EXIT_BAD_INPUT)


def _key(key_env: str, account: str | None) -> LocalAccount:
    try:
        return key_from_ape_account(account) if account else key_from_env(key_env)
    except InputError as err:
        fail(str(err), EXIT_BAD_INPUT)


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


CONFIG = click.option("--config", "config_path", required=True, type=click.Path(exists=True),
                      help="Bus config JSON (chains, signature directory, database).")  # fmt: skip
ACCOUNT = click.option("--account", "account", default=None, metavar="ALIAS",
                       help="ape account to sign with; passphrase from "
                            "APE_ACCOUNTS_<ALIAS>_PASSPHRASE (instead of --key-env).")  # fmt: skip


@click.group(name="validator")
def validator() -> None:
    """Sign checkpoints of an origin chain's bus."""


@validator.command(name="run")
@CONFIG
@click.option("--chain", required=True, help="Origin chain to sign for (a name in the config).")
@click.option("--key-env", default="TRUSTSPACE_VALIDATOR_KEY", show_default=True,
              help="Environment variable holding the validator's private key.")  # fmt: skip
@ACCOUNT
@click.option("--confirmations", default=1, show_default=True, type=click.IntRange(min=0),
              help="Blocks a checkpoint must be buried under before it is signed.")  # fmt: skip
@click.option("--poll", default=1.0, show_default=True, type=float, help="Seconds between polls.")
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
    config_path: str, chain: str, key_env: str, account: str | None, confirmations: int,
    poll: float, publish: str | None, once: bool, verbose: bool,
) -> None:  # fmt: skip
    """Check the node, then sign checkpoints as the origin chain grows and publish them."""
    from trustspace.bus.publish import SignatureServer, parse_listen
    from trustspace.bus.validator import Validator

    _logging(verbose)
    config = _config(config_path)
    try:
        spec = config.chain(chain)
        listen = parse_listen(publish) if publish else None
    except (InputError, ValueError) as err:
        fail(str(err), EXIT_BAD_INPUT)
    key = _key(key_env, account)
    store = SignatureStore(config.signatures)
    try:
        daemon = Validator(spec, key, store, confirmations)
    except TrustspaceError as err:
        fail(str(err), EXIT_UNREACHABLE if _unreachable(err) else EXIT_BAD_INPUT)
    except Exception as err:  # the node did not answer the checks
        if not _unreachable(err) and not isinstance(err, OSError):
            raise
        fail(f"cannot reach the node of {chain} at {spec.rpc}: {err}", EXIT_UNREACHABLE)
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
            fail(str(err), EXIT_BAD_INPUT)
        click.echo(f"publishing signatures at {server.url}")
    click.echo(f"validator {daemon.key.address} signing {chain} (chain {daemon.origin})")
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
@click.option("--key-env", default="TRUSTSPACE_RELAYER_KEY", show_default=True,
              help="Environment variable holding the relayer's private key.")  # fmt: skip
@ACCOUNT
@click.option("--db", "db_path", type=click.Path(), default=None,
              help="SQLite file for progress (default: the config's database).")  # fmt: skip
@click.option("--batch-size", default=50, show_default=True, type=click.IntRange(1, 200))
@click.option("--poll", default=0.5, show_default=True, type=float)
@click.option("--confirmations", default=0, show_default=True, type=click.IntRange(min=0))
@click.option("--max-retries", default=5, show_default=True, type=click.IntRange(min=0))
@click.option("--backoff", default=1.0, show_default=True, type=float,
              help="First back-off in seconds; doubles per attempt up to 60 s.")  # fmt: skip
@click.option("--until-idle", is_flag=True, help="Exit once a pass finds nothing to do.")
@click.option("-v", "--verbose", is_flag=True)
def relay_run(
    config_path: str, key_env: str, account: str | None, db_path: str | None, batch_size: int,
    poll: float, confirmations: int, max_retries: int, backoff: float, until_idle: bool,
    verbose: bool,
) -> None:  # fmt: skip
    """Watch every chain, gather signatures, deliver in batches; resumable after any crash."""
    from trustspace.bus.relayer import Relayer, RelayerOptions
    from trustspace.bus.store import RelayStore

    _logging(verbose)
    config = _config(config_path)
    key = _key(key_env, account)
    store = RelayStore(Path(db_path) if db_path else config.database)
    options = RelayerOptions(
        batch_size=batch_size, poll=poll, confirmations=confirmations,
        max_retries=max_retries, backoff_base=backoff,
    )  # fmt: skip
    relayer = Relayer(config, key, store, signature_sources(config), options)
    click.echo(f"relayer {relayer.key.address} serving {', '.join(config.chains)}")
    relayer.run(stop=_Stopper(), until_idle=until_idle)
    click.echo(dumps(store.counts()))


@click.group(name="bus")
def bus() -> None:
    """Inspect the message bus."""


@bus.command(name="status")
@CONFIG
@click.argument("message_id")
@json_option
def bus_status(config_path: str, message_id: str, as_json: bool) -> None:
    """Where message MESSAGE_ID is: dispatched, signed by whom, delivered or failed and why.

    Exit code 1 if no configured chain dispatched it, 2 for a malformed id or config,
    3 if a chain cannot be reached; with --json always exactly one JSON document.
    """
    from trustspace.bus.status import message_status

    raw = message_id[2:] if message_id.startswith("0x") else message_id
    try:
        ident = bytes.fromhex(raw)
    except ValueError:
        fail(f"not a message id: {message_id}", EXIT_BAD_INPUT, as_json)
    if len(ident) != 32:
        fail(f"a message id has 32 bytes, got {len(ident)}", EXIT_BAD_INPUT, as_json)
    config = _config(config_path)
    try:
        status = message_status(config, ident)
    except Exception as err:  # any chain of the config that does not answer
        if not _unreachable(err) and not isinstance(err, OSError):
            raise
        fail(f"a chain of the config cannot be reached: {err}", EXIT_UNREACHABLE, as_json)
    payload = status.to_json()
    if status.state == "unknown":
        fail("no chain in the config dispatched this message", EXIT_NOT_VALID, as_json,
             **payload)  # fmt: skip

    def render() -> None:
        table = Table(title=f"message {plain(status.id)}")
        table.add_column("field")
        table.add_column("value")
        for key, value in payload.items():
            if key == "signers":
                value = ", ".join(f"{s} (org {o})" for s, o in value.items()) or "none yet"
            table.add_row(key, "" if value is None else plain(value))
        console.print(table)

    emit(as_json, {"ok": True, **payload}, render)
