"""``trustspace validator``, ``trustspace relay`` and ``trustspace bus``: operate the message bus.

Keys come from environment variables (``--key-env``), never from files or flags,
so they stay out of shell history and process listings.
"""

from __future__ import annotations

import json
import logging
import os
import signal
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from trustspace.bus.config import BusConfig, ConfigError, load_config
from trustspace.bus.signatures import SignatureStore
from trustspace.bus.validator import Validator, key_from_hex

console = Console()


def _config(path: str) -> BusConfig:
    try:
        return load_config(path)
    except ConfigError as err:
        raise click.ClickException(str(err)) from err


def _key(env: str) -> Any:
    value = os.environ.get(env)
    if not value:
        raise click.ClickException(f"no key: set the environment variable {env}")
    try:
        return key_from_hex(value)
    except ValueError as err:
        raise click.ClickException(f"{env} does not hold a private key") from err


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


CONFIG = click.option("--config", "config_path", required=True, type=click.Path(exists=True),
                      help="Bus config JSON (chains, signature directory, database).")  # fmt: skip


@click.group(name="validator")
def validator() -> None:
    """Sign checkpoints of an origin chain's bus."""


@validator.command(name="run")
@CONFIG
@click.option("--chain", required=True, help="Origin chain to sign for (a name in the config).")
@click.option("--key-env", default="TRUSTSPACE_VALIDATOR_KEY", show_default=True,
              help="Environment variable holding the validator's private key.")  # fmt: skip
@click.option("--confirmations", default=1, show_default=True, type=click.IntRange(min=0),
              help="Blocks a checkpoint must be buried under before it is signed.")  # fmt: skip
@click.option("--poll", default=1.0, show_default=True, type=float, help="Seconds between polls.")
@click.option("--once", is_flag=True, help="Sign the current checkpoint and exit.")
@click.option("-v", "--verbose", is_flag=True)
def validator_run(
    config_path: str, chain: str, key_env: str, confirmations: int, poll: float, once: bool,
    verbose: bool,
) -> None:  # fmt: skip
    """Sign checkpoints as the origin chain grows and publish the signatures."""
    _logging(verbose)
    config = _config(config_path)
    try:
        spec = config.chain(chain)
    except ConfigError as err:
        raise click.ClickException(str(err)) from err
    daemon = Validator(spec, _key(key_env), SignatureStore(config.signatures), confirmations)
    if once:
        cp = daemon.tick()
        click.echo(f"signed index {cp.index}" if cp else "nothing new to sign")
        return
    click.echo(f"validator {daemon.key.address} signing {chain} (chain {daemon.origin})")
    daemon.run(poll=poll, stop=_Stopper())


@click.group(name="relay")
def relay() -> None:
    """Deliver messages between the configured chains."""


@relay.command(name="run")
@CONFIG
@click.option("--key-env", default="TRUSTSPACE_RELAYER_KEY", show_default=True,
              help="Environment variable holding the relayer's private key.")  # fmt: skip
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
    config_path: str, key_env: str, db_path: str | None, batch_size: int, poll: float,
    confirmations: int, max_retries: int, backoff: float, until_idle: bool, verbose: bool,
) -> None:  # fmt: skip
    """Watch every chain, gather signatures, deliver in batches; resumable after any crash."""
    from trustspace.bus.relayer import Relayer, RelayerOptions
    from trustspace.bus.store import RelayStore

    _logging(verbose)
    config = _config(config_path)
    store = RelayStore(Path(db_path) if db_path else config.database)
    options = RelayerOptions(
        batch_size=batch_size, poll=poll, confirmations=confirmations,
        max_retries=max_retries, backoff_base=backoff,
    )  # fmt: skip
    relayer = Relayer(config, _key(key_env), store, SignatureStore(config.signatures), options)
    click.echo(f"relayer {relayer.key.address} serving {', '.join(config.chains)}")
    relayer.run(stop=_Stopper(), until_idle=until_idle)
    click.echo(json.dumps(store.counts()))


@click.group(name="bus")
def bus() -> None:
    """Inspect the message bus."""


@bus.command(name="status")
@CONFIG
@click.argument("message_id")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
def bus_status(config_path: str, message_id: str, as_json: bool) -> None:
    """Where message MESSAGE_ID is: dispatched, signed by whom, delivered or failed and why."""
    from trustspace.bus.status import message_status

    raw = message_id[2:] if message_id.startswith("0x") else message_id
    try:
        ident = bytes.fromhex(raw)
    except ValueError as err:
        raise click.ClickException(f"not a message id: {message_id}") from err
    if len(ident) != 32:
        raise click.ClickException(f"a message id has 32 bytes, got {len(ident)}")
    status = message_status(_config(config_path), ident)
    if as_json:
        click.echo(json.dumps(status.to_json()))
        return
    table = Table(title=f"message {status.id}")
    table.add_column("field")
    table.add_column("value")
    for key, value in status.to_json().items():
        if key == "signers":
            value = ", ".join(f"{s} (org {o})" for s, o in value.items()) or "none yet"
        table.add_row(key, "" if value is None else str(value))
    console.print(table)
    if status.state == "unknown":
        raise click.ClickException("no chain in the config dispatched this message")
