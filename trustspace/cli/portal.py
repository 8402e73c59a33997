"""``trustspace portal``: the read-only web portal over the chains (FastAPI served by uvicorn).

The chains are the ``--network`` options (each a local chain name, ``NAME=URL``, an ape network
choice or a URL, as for the bus commands) or, without any, every local chain whose deployment
record holds a Consortium. Each must answer at start (exit 3 otherwise); the portal then serves
until interrupted. It listens on 127.0.0.1 unless told otherwise and answers only requests
naming its own host.
"""

from __future__ import annotations

import socket
from contextlib import closing
from pathlib import Path
from typing import Any

import click

from trustspace.cli.options import (
    EXIT_BAD_INPUT,
    CommandError,
    bind_socket,
    console,
    emit,
    json_option,
    text,
)

__all__ = ["allowed_hosts", "portal"]

LOOPBACK = ("127.0.0.1", "localhost", "::1")


def allowed_hosts(host: str) -> tuple[list[str], bool]:
    """The ``Host`` names the portal answers when listening on ``host``, and whether any IP
    address is one. Every interface (``0.0.0.0``, ``::``) takes addresses and this machine's
    names, never any name: a name is what DNS rebinding points at the portal."""
    if host in LOOPBACK:
        return ["127.0.0.1", "localhost", "::1"], False
    if host in ("0.0.0.0", "::"):
        names = {"localhost", socket.gethostname(), socket.getfqdn()}
        return sorted(n for n in names if n), True
    return [host], False


def connect_chains(networks: tuple[str, ...]) -> list[Any]:
    """The portal's chains, connected (CommandError exit 3 naming one that does not answer)."""
    from trustspace.cli.recorded import connect_target, local_recorded, parse_target
    from trustspace.portal.chains import PortalChain, portal_web3

    targets = [parse_target(n) for n in networks] or local_recorded("Consortium")
    if not targets:
        raise CommandError(
            "no chains: no deployment record of a local chain holds a Consortium; name the "
            "chains with --network (hub, customs, tax, NAME=URL or a URL) or set "
            "TRUSTSPACE_DEPLOYMENTS to the folder of your records"
        )
    chains: list[PortalChain] = []
    for target in targets:
        chain = connect_target(target)
        if any(c.chain_id == chain.chain_id for c in chains):
            raise CommandError(f"--network {target.label}: chain {chain.chain_id} given twice")
        # The pages read through a client that does not retry: see ``portal_web3``.
        w3 = portal_web3(chain.url)
        chains.append(
            PortalChain(chain.label, chain.url, chain.chain_id, w3, chain.record, chain.folder)
        )
    return chains


@click.command()
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on (loopback by default: the portal has no login).",
)
@click.option("--port", default=8600, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--network",
    "networks",
    multiple=True,
    help="A chain to read (repeatable): hub, customs, tax, NAME=URL, an ape network or a URL. "
    "Default: every local chain with a deployment record.",
)
@click.option(
    "--bus-config",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="The bus config (bus.json) whose signature folder shows who signed a message. "
    "Default: the chains above, signatures under $TRUSTSPACE_HOME/bus.",
)
@json_option
def portal(
    host: str, port: int, networks: tuple[str, ...], bus_config: Path | None, as_json: bool
) -> None:
    """Serve the read-only web portal: verify documents; explore records, the consortium,
    bus messages, DIDs, credentials, data agreements and computations."""
    import uvicorn

    from trustspace.bus.config import load_config
    from trustspace.errors import InputError
    from trustspace.paths import state_home
    from trustspace.portal.app import PortalSettings, create_app

    config = None
    if bus_config is not None:
        try:
            config = load_config(bus_config)
        except InputError as err:
            raise CommandError(f"--bus-config {bus_config}: {err}", EXIT_BAD_INPUT) from err
    with closing(bind_socket(host, port, "portal")) as sock:
        chains = connect_chains(networks)
        allowed, any_ip = allowed_hosts(host)
        app = create_app(PortalSettings(chains, state_home(), config, allowed, any_ip))
        server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
        sock.listen(128)  # before the URL is printed: a script may open it at once
        shown = f"[{host}]" if ":" in host else host
        url = f"http://{shown}:{port}"
        emit(
            as_json,
            {
                "ok": True,
                "url": url,
                "chains": [
                    {"label": c.label, "chain_id": c.chain_id, "url": c.url} for c in chains
                ],
            },
            lambda: console.print(
                text(
                    ("portal ", "bold"),
                    f"{url} reading ",
                    ", ".join(f"{c.label} ({c.chain_id})" for c in chains),
                    "; Ctrl-C stops it",
                ),
                soft_wrap=True,
            ),
        )
        if host not in LOOPBACK and not as_json:
            console.print(
                text(
                    ("warning: ", "bold yellow"),
                    f"listening on {host}: anyone who reaches it "
                    "reads what the portal shows (it has no login)",
                ),
                soft_wrap=True,
            )
        server.run(sockets=[sock])
