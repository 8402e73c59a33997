"""The ``trustspace`` command: one click group, a sub-group per capability."""

from __future__ import annotations

import click

from trustspace import __version__
from trustspace.cli.bus import bus, relay, validator
from trustspace.cli.chains import chains
from trustspace.cli.compute import compute
from trustspace.cli.connector import connector
from trustspace.cli.data import data
from trustspace.cli.deploy import deploy
from trustspace.cli.did import did
from trustspace.cli.gov import gov
from trustspace.cli.index import index
from trustspace.cli.notary import COMMANDS as NOTARY_COMMANDS
from trustspace.cli.options import DEBUG_META, TrustspaceGroup
from trustspace.cli.portal import portal
from trustspace.cli.schema import schema
from trustspace.cli.status import status
from trustspace.cli.toolchain import doctor
from trustspace.cli.vc import vc

__all__ = ["main"]


def _debug(ctx: click.Context, _param: click.Parameter, value: bool) -> bool:
    ctx.meta[DEBUG_META] = value
    return value


@click.group(cls=TrustspaceGroup)
@click.version_option(__version__, prog_name="trustspace")
@click.option(
    "--debug",
    is_flag=True,
    expose_value=False,
    callback=_debug,
    help="Show the Python traceback of a failure.",
)
def main() -> None:
    """Trusted data space tooling: local chains, governance, DIDs, notarization.

    Exit codes: 0 done (or valid), 1 not valid, 2 bad input, 3 chain or contract unreachable.
    """


main.add_command(chains)
main.add_command(compute)
main.add_command(deploy)
main.add_command(validator)
main.add_command(relay)
main.add_command(bus)
main.add_command(did)
main.add_command(doctor)
main.add_command(gov)
main.add_command(schema)
main.add_command(status)
main.add_command(vc)
for command in NOTARY_COMMANDS:
    main.add_command(command)
main.add_command(data)
main.add_command(connector)
main.add_command(portal)
main.add_command(index)
