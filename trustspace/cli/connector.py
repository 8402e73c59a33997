"""``trustspace connector run``: the provider's connector (FastAPI served by uvicorn).

Listens on 127.0.0.1 by default (put a TLS-terminating reverse proxy in front to publish it);
its URL is what the provider announces as the ``did/svc/DataConnector`` service of its DID and
what consumers sign as the request's audience. The journal (SQLite) keeps used request ids and
the transfers promised to the chain; on start the connector reconciles it with the chain
(nothing logged twice, nothing served lost), on stop it logs any queued batch.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import click

from trustspace.cli.options import (
    CommandError,
    account_option,
    connected,
    err_console,
    load_account,
    network_option,
    plain,
    recorded_address,
)

__all__ = ["connector"]


def _datasets(
    specs: tuple[str, ...], policies: tuple[str, ...]
) -> dict[int, tuple[Path, Path | None]]:
    """``OFFER=FILE`` and ``OFFER=POLICY`` pairs, checked before anything connects."""
    found: dict[int, tuple[Path, Path | None]] = {}
    for spec in specs:
        offer, sep, path = spec.partition("=")
        if not sep or not offer.strip().isdigit() or not path:
            raise CommandError(f"--dataset {spec!r}: expected OFFER_ID=FILE")
        file = Path(path)
        if not file.is_file():
            raise CommandError(f"--dataset {spec!r}: no such file {file}")
        found[int(offer)] = (file, None)
    for spec in policies:
        offer, sep, path = spec.partition("=")
        if not sep or not offer.strip().isdigit() or int(offer) not in found:
            raise CommandError(f"--policy {spec!r}: expected OFFER_ID=FILE for a --dataset offer")
        if not Path(path).is_file():
            raise CommandError(f"--policy {spec!r}: no such file {path}")
        found[int(offer)] = (found[int(offer)][0], Path(path))
    if not found:
        raise CommandError("give at least one --dataset OFFER_ID=FILE")
    return found


def _flush_loop(conn: Any, every: float, stop: threading.Event) -> None:
    """Log queued batches every ``every`` seconds; a failure is retried at the next tick."""
    while not stop.wait(every):
        try:
            flushed = conn.flush()
        except Exception as err:  # the journal keeps them: the next tick or a restart retries
            err_console.print(plain(f"connector: batch not logged yet ({type(err).__name__})"))
            continue
        if flushed:
            err_console.print(plain(f"connector: logged a batch of {flushed} transfers"))


@click.group()
def connector() -> None:
    """The provider's data connector (docs/dataspace.md)."""


@connector.command()
@click.option("--dataset", "dataset_specs", multiple=True, help="OFFER_ID=FILE (repeatable).")
@click.option("--policy", "policy_specs", multiple=True, help="OFFER_ID=POLICY.json.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=8750, show_default=True)
@click.option("--audience", default=None, help="The URL consumers sign (default http://HOST:PORT).")
@click.option(
    "--journal",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("connector.sqlite"),
    show_default=True,
    help="SQLite journal (request ids, transfers promised to the chain).",
)
@click.option("--batch-size", type=int, default=0, show_default=True, help="0: log each transfer.")
@click.option(
    "--flush-every",
    type=float,
    default=30.0,
    show_default=True,
    help="Batched mode: also log queued transfers every this many seconds.",
)
@click.option("--max-lifetime", type=int, default=300, show_default=True, help="Seconds.")
@click.option("--data-service", "service_address", default=None, help="DataService address.")
@account_option
@network_option
def run(
    dataset_specs: tuple[str, ...],
    policy_specs: tuple[str, ...],
    host: str,
    port: int,
    audience: str | None,
    journal: Path,
    batch_size: int,
    flush_every: float,
    max_lifetime: int,
    service_address: str | None,
    account_alias: str,
    network: str,
) -> None:
    """Serve datasets to holders of live agreements; log every transfer on chain."""
    from ape.contracts import ContractInstance

    from trustspace.artifacts import contract_type
    from trustspace.consortium.constants import Role
    from trustspace.dataspace.client import DataServiceClient
    from trustspace.dataspace.connector import Connector, Dataset, create_app
    from trustspace.dataspace.journal import Journal
    from trustspace.dataspace.policy import Policy

    found = _datasets(dataset_specs, policy_specs)
    datasets = {
        offer: Dataset(offer, file, Policy.load(policy) if policy else None)
        for offer, (file, policy) in found.items()
    }
    if not 0 < port < 65536:
        raise CommandError(f"--port {port}: expected 1..65535")
    if batch_size < 0 or max_lifetime <= 0 or flush_every <= 0:
        raise CommandError("--batch-size must be ≥ 0, --max-lifetime and --flush-every > 0")
    if not journal.parent.is_dir():
        raise CommandError(f"--journal {journal}: folder {journal.parent} does not exist")
    account = load_account(account_alias)
    with connected(network):
        address = recorded_address("DataService", service_address, "--data-service")
        client = DataServiceClient(ContractInstance(address, contract_type("DataService")))
        if not client.consortium.has_role(account.address, int(Role.NOTARY)):
            raise CommandError(
                f"{account.address} holds no live NOTARY role: a connector logs transfers as a "
                "NOTARY account of the provider"
            )
        provider = client.org_of(account)
        for offer, ds in datasets.items():
            o = client.offer(offer)
            if o.provider_org != provider:
                raise CommandError(f"--dataset {offer}: not an offer of organisation {provider}")
            if ds.policy is not None and ds.policy.digest() != o.policy_digest:
                raise CommandError(
                    f"--policy {offer}: its digest differs from the offer's policy digest on chain"
                )
        conn = Connector(
            client,
            account,
            audience or f"http://{host}:{port}",
            datasets,
            Journal(journal),
            max_lifetime=max_lifetime,
            batch_size=batch_size,
        )
        recovered = conn.recover()
        err_console.print(plain(f"connector: journal reconciled {recovered}"))
        err_console.print(plain(f"connector: serving offers {sorted(datasets)} at {conn.audience}"))
        import uvicorn

        app = create_app(conn)
        stop = threading.Event()
        if batch_size:
            threading.Thread(
                target=_flush_loop, args=(conn, flush_every, stop), daemon=True
            ).start()
        try:
            uvicorn.run(app, host=host, port=port, log_level="warning")
        finally:
            stop.set()
        if batch_size:
            flushed = conn.flush()
            err_console.print(plain(f"connector: logged {flushed} queued transfers on stop"))
