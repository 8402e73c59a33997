"""The ``trustspace`` command: one click group, a sub-group per capability."""

from __future__ import annotations

import click

from trustspace import __version__
from trustspace.cli.bus import bus, relay, validator
from trustspace.cli.chains import chains
from trustspace.cli.did import did
from trustspace.cli.notary import COMMANDS as NOTARY_COMMANDS
from trustspace.cli.toolchain import doctor


@click.group()
@click.version_option(__version__, prog_name="trustspace")
def main() -> None:
    """Trusted data space tooling: local chains, governance, DIDs, notarization."""


main.add_command(chains)
main.add_command(validator)
main.add_command(relay)
main.add_command(bus)
main.add_command(did)
main.add_command(doctor)
for command in NOTARY_COMMANDS:
    main.add_command(command)
