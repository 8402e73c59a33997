"""``python -m trustspace.bus validator|relay|bus …``: the bus commands without the root CLI."""

from __future__ import annotations

import click

from trustspace.cli.bus import bus, relay, validator
from trustspace.cli.options import TrustspaceGroup


@click.group(cls=TrustspaceGroup)
def main() -> None:
    """Message bus daemons and status."""


main.add_command(validator)
main.add_command(relay)
main.add_command(bus)

if __name__ == "__main__":
    main()
