"""``trustspace chains``: start, stop and list the local hub, customs and tax chains."""

from __future__ import annotations

import json
from dataclasses import asdict

import click
from rich.console import Console
from rich.table import Table

from trustspace.devnet import chains as local

__all__ = ["chains", "down", "status", "up"]

console = Console()


def _table(title: str, rows: list[local.RunningChain]) -> Table:
    table = Table(title=title)
    for column in ("chain", "chain id", "url", "pid"):
        table.add_column(column)
    for chain in rows:
        table.add_row(chain.name, str(chain.chain_id), chain.url, str(chain.pid))
    return table


@click.group(name="chains")
def chains() -> None:
    """Local anvil chains on 127.0.0.1: hub (31337), customs (31338), tax (31339)."""


@chains.command()
@click.option("--base-port", type=int, default=None, help="First port (default 8545, 8546, 8547).")
@click.option("--persist", is_flag=True, help="Keep chain state across restarts.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
def up(base_port: int | None, persist: bool, as_json: bool) -> None:
    """Start the three chains (those already running are left as they are)."""
    try:
        started = local.up(local.specs_from(base_port), persist=persist)
    except local.ChainError as err:
        raise click.ClickException(str(err)) from err
    if as_json:
        click.echo(json.dumps([asdict(c) for c in started]))
    else:
        console.print(_table("local chains running", started))


@chains.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
def down(as_json: bool) -> None:
    """Stop the chains started by `trustspace chains up`."""
    stopped = local.down()
    if as_json:
        click.echo(json.dumps([asdict(c) for c in stopped]))
    elif stopped:
        console.print(_table("stopped", stopped))
    else:
        console.print("no local chains were running")


@chains.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
def status(as_json: bool) -> None:
    """List the running chains and whether each answers over JSON-RPC."""
    rows = local.running()
    if as_json:
        click.echo(
            json.dumps(
                [{**asdict(c), "answering": local.rpc_chain_id(c.url) == c.chain_id} for c in rows]
            )
        )
        return
    if not rows:
        console.print("no local chains are running; start them with `trustspace chains up`")
        return
    console.print(_table("local chains", rows))
