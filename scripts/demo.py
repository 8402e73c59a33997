"""``ape run demo`` (``make demo``): the trustspace end-to-end demo on three local chains."""

import click
from ape import accounts, networks, project
from rich.console import Console

from trustspace.ape_tuning import tune_ape
from trustspace.devnet.demo import run_demo


@click.command()
@click.option(
    "--declarations", default=10_000, show_default=True, help="Declarations in the batch."
)
def cli(declarations):
    """Start hub, customs and tax chains, deploy, run the scenario, stop the chains."""
    tune_ape()
    run_demo(project, networks, accounts.test_accounts, Console(), declarations=declarations)
