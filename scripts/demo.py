"""``ape run demo``: the trustspace end-to-end demo on the in-process chain."""

import click
from ape import accounts, project
from ape.cli import ConnectedProviderCommand, network_option
from rich.console import Console

from trustspace.ape_tuning import cache_custom_networks
from trustspace.demo import run_membership_demo


@click.command(cls=ConnectedProviderCommand)
@network_option(default="ethereum:local:boa")
def cli(network):
    """Deploy a five-agency Consortium, govern it and print its state."""
    cache_custom_networks()
    run_membership_demo(project, accounts.test_accounts, Console())
