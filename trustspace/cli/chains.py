"""``trustspace chains``: start, stop and list the local hub, customs and tax chains."""

from __future__ import annotations

from dataclasses import asdict

import click
from rich.table import Table

from trustspace.cli.options import CommandError, console, emit, err_console, json_option
from trustspace.devnet import chains as local
from trustspace.networks import DEFAULT_CHAINS

__all__ = ["chains", "down", "status", "up"]


def _table(title: str, rows: list[local.RunningChain]) -> Table:
    table = Table(title=title)
    for column in ("network", "chain id", "url", "pid", "fees"):
        table.add_column(column, no_wrap=True)
    for chain in rows:
        fees = "none (free gas)" if chain.free_gas else "anvil default"
        table.add_row(chain.name, str(chain.chain_id), chain.url, str(chain.pid), fees)
    return table


@click.group(name="chains")
def chains() -> None:
    """Local anvil chains on 127.0.0.1: hub (31337), customs (31338), tax (31339).

    trustspace commands reach them by name (--network customs) wherever they were
    started; ape commands in the checkout (ape run, ape console) use the ports of
    ape-config.yaml (8545-8547), or --network ethereum:customs:http://127.0.0.1:PORT.
    """


@chains.command()
@click.option(
    "--base-port",
    type=int,
    default=None,
    envvar="TRUSTSPACE_BASE_PORT",
    show_envvar=True,
    help="First port (default 8545, 8546, 8547).",
)
@click.option("--persist", is_flag=True, help="Keep chain state across restarts.")
@click.option(
    "--free-gas",
    is_flag=True,
    help="Run like a free-gas permissioned network: base fee 0, gas price 0, accounts "
    "without ether (see docs/operations.md).",
)
@json_option
def up(base_port: int | None, persist: bool, free_gas: bool, as_json: bool) -> None:
    """Start the three chains (those already running are left as they are)."""
    try:
        started = local.up(local.specs_from(base_port), persist=persist, free_gas=free_gas)
    except local.ChainError as err:
        raise CommandError(str(err)) from err
    moved = [c for c in started if c.url != next(s.url for s in DEFAULT_CHAINS if s.name == c.name)]

    def render() -> None:
        console.print(_table("local chains running", started))
        if moved:
            err_console.print(
                "trustspace commands find them by name (--network customs); for ape commands "
                f"use --network ethereum:{moved[0].name}:{moved[0].url} and so on"
            )

    emit(as_json, [asdict(c) for c in started], render)


@chains.command()
@json_option
def down(as_json: bool) -> None:
    """Stop the chains started by `trustspace chains up`."""
    stopped = local.down()

    def render() -> None:
        if stopped:
            console.print(_table("stopped", stopped))
        else:
            console.print("no local chains were running")

    emit(as_json, [asdict(c) for c in stopped], render)


@chains.command()
@json_option
def status(as_json: bool) -> None:
    """List the running chains and whether each answers over JSON-RPC."""
    rows = local.running()
    payload = [{**asdict(c), "answering": local.rpc_chain_id(c.url) == c.chain_id} for c in rows]

    def render() -> None:
        if not rows:
            console.print("no local chains are running; start them with `trustspace chains up`")
            return
        console.print(_table("local chains", rows))

    emit(as_json, payload, render)
