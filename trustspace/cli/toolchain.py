"""``trustspace doctor``: check the offline compilers and anvil, or provide them."""

from __future__ import annotations

import click

from trustspace.devnet import toolchain

__all__ = ["doctor"]


@click.command()
@click.option("--install", is_flag=True, help="Provide the compilers and anvil where ape looks.")
def doctor(install: bool) -> None:
    """Check that solc, vyper and anvil are where ape's plugins look (no downloads)."""
    try:
        if install:
            for line in toolchain.install():
                click.echo(line)
        toolchain.check_toolchain()
    except toolchain.ToolchainError as err:
        raise click.ClickException(str(err)) from err
    click.echo(
        f"toolchain ok: solc {toolchain.SOLC_VERSION}, vyper {toolchain.VYPER_VERSION}, "
        f"anvil {toolchain.ANVIL_VERSION}"
    )
