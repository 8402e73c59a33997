"""``trustspace compute``: joint statistics under threshold encryption (docs/privacy.md).

party run, keygen, open, contribute, aggregate, decrypt and show. Each agency runs its
own party (``compute party run``, an HTTP process on 127.0.0.1 holding its key share
encrypted under ``TRUSTSPACE_COMPUTE_PASSPHRASE``); the other commands talk to the
parties (``--party URL``, repeated) and record every step on the ``Computations``
contract of the connected network (``--computations`` overrides the deployment record).

Conventions (:mod:`trustspace.cli.options`): ``--network``, ``--account``, ``--json``
(one JSON document on stdout in every outcome), exit codes 0 done, 1 ``show --party``
re-derived totals that differ from the published ones, 2 bad input or
refused (a contribution or a share that fails its check is named), 3 a chain or a
party unreachable. Input is checked before connecting.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from trustspace.cli import options
from trustspace.cli.options import (
    CommandError,
    account_option,
    connected,
    console,
    emit,
    err_console,
    json_option,
    load_account,
    network_option,
    text,
)
from trustspace.crypto.address import is_valid_address

__all__ = ["compute"]

MAX_VALUE_BITS = 24


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=err_console,
        transient=True,
    )


def _urls(parties: Sequence[str]) -> list[str]:
    if not parties:
        raise CommandError("name the parties with --party URL (one per agency)")
    for url in parties:
        if not url.startswith(("http://", "https://")) or len(url) < 10:
            raise CommandError(f"--party {url!r}: give the party's URL, http://127.0.0.1:PORT")
    if len(set(parties)) != len(parties):
        raise CommandError("the same --party is named twice")
    return [u.rstrip("/") for u in parties]


def _values(raw: str | None, path: Path | None) -> list[int]:
    if (raw is None) == (path is None):
        raise CommandError("give the figures with --values 1,2,3 or --values-file FILE.json")
    if path is not None:
        try:
            data = json.loads(path.read_text())
        except (OSError, ValueError) as err:
            raise CommandError(
                f"--values-file {path}: not a JSON list of integers ({err})"
            ) from None
        items = data if isinstance(data, list) else None
    else:
        items = [v.strip() for v in (raw or "").split(",")]
    if not items:
        raise CommandError("--values: a comma-separated list of whole numbers, e.g. 120,0,75")
    values = []
    for item in items:
        try:
            value = int(str(item), 10)
        except ValueError:
            raise CommandError(f"--values: {item!r} is not a whole number") from None
        if not 0 <= value < 2**MAX_VALUE_BITS:
            raise CommandError(
                f"--values: {value} is outside 0 … {2**MAX_VALUE_BITS - 1} (state larger figures "
                "in thousands)"
            )
        values.append(value)
    return values


def _party_key(url: str) -> tuple[int, dict[str, Any]]:
    from trustspace.compute.client import PartyRefused, info

    answer = info(url)
    if answer.get("key") is None:
        raise PartyRefused(f"party {url} holds no key yet: run `trustspace compute keygen` first")
    return int(answer["org"]), answer["key"]


def _reachable(urls: Sequence[str]) -> tuple[dict[int, str], dict[str, Any]]:
    """Organisation -> URL of the parties that answer (up to n - k may be offline), and the
    key they hold (every answering party must hold the same)."""
    from trustspace.compute.client import PartyRefused, PartyUnreachable, info

    orgs: dict[int, str] = {}
    keys = []
    down = None
    for url in urls:
        try:
            answer = info(url)
        except PartyUnreachable as err:
            down = err
            continue
        orgs[int(answer["org"])] = url
        keys.append(answer.get("key"))
    if not orgs and down is not None:
        raise down
    if any(k is None for k in keys):
        raise PartyRefused("a party holds no key yet: run `trustspace compute keygen` first")
    first = keys[0]
    if first is None or any(k != first for k in keys):
        raise PartyRefused("the parties named hold different keys")
    return orgs, dict(first)


@contextmanager
def _records(network: str, override: str | None) -> Iterator[Any]:
    from ape.contracts import ContractInstance

    from trustspace.artifacts import contract_type
    from trustspace.compute.records import ComputationRecords

    with connected(network):
        address = options.recorded_address("Computations", override, "--computations")
        yield ComputationRecords(ContractInstance(address, contract_type("Computations")))


def _send(what: str, send: Callable[[], Any]) -> Any:
    from ape.exceptions import ContractLogicError

    try:
        return send()
    except ContractLogicError as err:
        raise CommandError(
            f"{what} was refused by the chain: {options.describe_revert(err)}"
        ) from err


def _known(records: Any, computation: int) -> Any:
    state = records.state(computation)
    if state.stage == "unknown":
        raise CommandError(f"no computation {computation} on this chain: open one first")
    return state


def _confirm(question: str, yes: bool, as_json: bool) -> None:
    """Ask before sending on a network that is not a local chain (refuse without a terminal)."""
    from ape import networks

    from trustspace.deploy.deployer import is_local_network

    if yes or is_local_network(networks.provider):
        return
    if as_json or not click.get_text_stream("stdin").isatty():
        raise CommandError(f"{question} needs a confirmation: pass --yes to send without asking")
    if not click.confirm(question, err=True):
        raise CommandError("not confirmed: nothing was sent")


def _yes_option(f: Any) -> Any:
    return click.option(
        "--yes", is_flag=True, help="Send without asking on a network that is not local."
    )(f)


def _computations_option(f: Any) -> Any:
    return click.option(
        "--computations",
        "computations_address",
        default=None,
        help="Computations contract address (default: the deployment record).",
    )(f)


def _computation_option(f: Any) -> Any:
    return click.option(
        "--computation",
        "computation",
        type=click.IntRange(min=1),
        required=True,
        help="The computation id (from `compute open`).",
    )(f)


def _party_option(f: Any) -> Any:
    return click.option(
        "--party", "parties", multiple=True, help="A party's URL; repeat for every agency."
    )(f)


@click.group()
def compute() -> None:
    """Joint statistics under threshold encryption, every step recorded on chain."""


@compute.group()
def party() -> None:
    """Run this agency's compute party."""


@party.command("run")
@click.option(
    "--home",
    type=click.Path(path_type=Path, file_okay=False),
    required=True,
    help="Folder of the key share and the kept documents.",
)
@click.option(
    "--org", type=click.IntRange(min=1), required=True, help="This agency's organisation id."
)
@click.option("--port", type=click.IntRange(1, 65535), required=True, help="Port on 127.0.0.1.")
@click.option("--rpc", default=None, help="JSON-RPC URL of the chain holding Computations.")
@click.option(
    "--computations",
    "computations_address",
    default=None,
    help="Computations address on that chain (needed to decrypt).",
)
def party_run(
    home: Path, org: int, port: int, rpc: str | None, computations_address: str | None
) -> None:
    """Serve until interrupted; the passphrase comes from TRUSTSPACE_COMPUTE_PASSPHRASE."""
    from trustspace.compute.party import PASSPHRASE_ENV, ChainView, serve

    passphrase = os.environ.get(PASSPHRASE_ENV, "")
    if not passphrase:
        raise CommandError(f"set {PASSPHRASE_ENV} to the passphrase that protects the key share")
    if bool(rpc) != bool(computations_address):
        raise CommandError(
            "--rpc and --computations go together (the party checks aggregates there)"
        )
    if computations_address is not None and not is_valid_address(computations_address):
        raise CommandError(
            f"--computations: {computations_address!r} is not an address "
            "(0x and 40 hex digits, as `trustspace deploy status` prints it)"
        )
    if rpc is not None and not rpc.startswith(("http://", "https://")):
        raise CommandError(f"--rpc: {rpc!r} is not an http(s) JSON-RPC URL")
    chain = ChainView(rpc, computations_address) if rpc and computations_address else None
    asyncio.run(serve(home, org, port, passphrase, chain))


@compute.command()
@_party_option
@click.option(
    "--threshold",
    type=click.IntRange(min=1),
    required=True,
    help="How many parties must join to decrypt.",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Write the key document (public) here.",
)
@json_option
def keygen(parties: tuple[str, ...], threshold: int, out: Path | None, as_json: bool) -> None:
    """Generate a joint key among the parties, without a dealer."""
    from trustspace.compute.client import keygen as run_keygen
    from trustspace.compute.documents import digest

    urls = _urls(parties)
    if threshold > len(urls):
        raise CommandError(f"--threshold {threshold} is more than the {len(urls)} parties named")
    with _progress() as bar:
        task = bar.add_task("dealerless key generation", total=5 * len(urls))
        result = run_keygen(urls, threshold, lambda _s: bar.advance(task))
    key_digest = "0x" + digest(result.key).hex()
    if out is not None:
        out.write_text(json.dumps(result.key, indent=1))
    payload = {
        "ok": True,
        "key_digest": key_digest,
        "threshold": threshold,
        "parties": result.parties,
        "disqualified": result.disqualified,
    }
    emit(
        as_json,
        payload,
        lambda: console.print(
            text(("joint key ", "bold"), key_digest, f" ({threshold} of {len(urls)} decrypt)")
        ),
    )


@compute.command("open")
@network_option
@account_option
@_computations_option
@_party_option
@click.option("--participants", required=True, help="Organisation ids taking part: 1,2,3.")
@click.option("--description", required=True, help="What is computed (sectors, units).")
@click.option(
    "--min-contributors",
    type=click.IntRange(min=2),
    default=None,
    help="Contributions the aggregate needs at least (default: every participant).",
)
@_yes_option
@json_option
def open_(
    network: str,
    account_alias: str,
    computations_address: str | None,
    parties: tuple[str, ...],
    participants: str,
    description: str,
    min_contributors: int | None,
    yes: bool,
    as_json: bool,
) -> None:
    """Open a computation under the parties' joint key (an ADMIN account)."""
    from trustspace.compute.documents import digest

    urls = _urls(parties)
    try:
        orgs = [int(p) for p in participants.split(",")]
    except ValueError:
        raise CommandError(
            f"--participants {participants!r}: organisation ids, e.g. 1,2,4"
        ) from None
    if min_contributors is not None and min_contributors > len(orgs):
        raise CommandError(
            f"--min-contributors {min_contributors}: at most the {len(orgs)} participants"
        )
    if len(description) > 128:
        raise CommandError("--description: at most 128 characters")
    _, key = _reachable(urls)
    holders = sorted({int(p["org"]) for p in key["parties"]})
    if sorted(set(orgs)) != holders:
        raise CommandError(
            f"--participants {participants}: the joint key is held by organisations "
            f"{','.join(map(str, holders))}; the participants must be exactly those"
        )
    with _records(network, computations_address) as records:
        sender = load_account(account_alias)
        _confirm("open a computation on this network?", yes, as_json)
        cid = _send(
            "opening",
            lambda: records.open(
                sender, orgs, int(key["threshold"]), digest(key), description, min_contributors
            ),
        )
    emit(
        as_json,
        {"ok": True, "computation": cid, "key_digest": "0x" + digest(key).hex()},
        lambda: console.print(text(("opened computation ", "bold"), str(cid))),
    )


@compute.command()
@network_option
@account_option
@_computations_option
@_computation_option
@click.option("--party", "own_party", required=True, help="Your agency's party URL.")
@click.option("--values", default=None, help="Your figures, comma-separated: 120,0,75.")
@click.option(
    "--values-file",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Or a JSON list of them.",
)
@_yes_option
@json_option
def contribute(
    network: str,
    account_alias: str,
    computations_address: str | None,
    computation: int,
    own_party: str,
    values: str | None,
    values_file: Path | None,
    yes: bool,
    as_json: bool,
) -> None:
    """Encrypt your figures (with range proofs), keep them at your party, record the digest."""
    from trustspace.compute import flow
    from trustspace.compute.documents import digest

    [url] = _urls([own_party])
    figures = _values(values, values_file)
    org, key = _party_key(url)
    with _records(network, computations_address) as records:
        _known(records, computation)
        sender = load_account(account_alias)
        _confirm("record your contribution on this network?", yes, as_json)
        with _progress() as bar:
            bar.add_task(f"encrypting {len(figures)} figures with range proofs", total=None)
            document = _send(
                "the contribution",
                lambda: flow.contribute(records, sender, computation, url, key, org, figures),
            )
    emit(
        as_json,
        {
            "ok": True,
            "computation": computation,
            "org": org,
            "digest": "0x" + digest(document).hex(),
        },
        lambda: console.print(text(("recorded contribution of organisation ", "bold"), str(org))),
    )


@compute.command()
@network_option
@account_option
@_computations_option
@_computation_option
@_party_option
@_yes_option
@json_option
def aggregate(
    network: str,
    account_alias: str,
    computations_address: str | None,
    computation: int,
    parties: tuple[str, ...],
    yes: bool,
    as_json: bool,
) -> None:
    """Sum the recorded contributions homomorphically (each checked) and record the aggregate."""
    from trustspace.compute import flow
    from trustspace.compute.documents import digest

    orgs, key = _reachable(_urls(parties))
    with _records(network, computations_address) as records:
        _known(records, computation)
        sender = load_account(account_alias)
        _confirm("record the aggregate on this network?", yes, as_json)
        document = _send(
            "the aggregate", lambda: flow.aggregate(records, sender, computation, key, orgs)
        )
    emit(
        as_json,
        {
            "ok": True,
            "computation": computation,
            "digest": "0x" + digest(document).hex(),
            "contributors": [c["org"] for c in document["contributions"]],
        },
        lambda: console.print(
            text(
                ("recorded aggregate of ", "bold"),
                f"{len(document['contributions'])} contributions",
            )
        ),
    )


@compute.command()
@network_option
@account_option
@_computations_option
@_computation_option
@_party_option
@_yes_option
@json_option
def decrypt(
    network: str,
    account_alias: str,
    computations_address: str | None,
    computation: int,
    parties: tuple[str, ...],
    yes: bool,
    as_json: bool,
) -> None:
    """Record your party's partial decryption; with enough shares, the opener's organisation
    decrypts and publishes."""
    from trustspace.compute import flow

    orgs, key = _reachable(_urls(parties))
    with _records(network, computations_address) as records:
        state = _known(records, computation)
        sender = load_account(account_alias)
        mine = _own_org(records, sender.address)
        _check_can_share(state, mine, sender.address, orgs)
        _confirm("record your share (and publish when enough) on this network?", yes, as_json)
        if mine in orgs and mine not in state.shares:
            _send(
                "the partial decryption",
                lambda: flow.share(records, sender, computation, orgs[mine]),
            )
        state = records.state(computation)
        result: dict[str, Any] = {
            "ok": True,
            "computation": computation,
            "shares": sorted(state.shares),
            "threshold": state.threshold,
        }
        enough = len(state.shares) >= state.threshold and state.stage == "decrypting"
        if enough and mine != state.opener:
            result["waiting_for_opener"] = state.opener
        if enough and mine == state.opener:
            document = flow.fetch_aggregate(records, computation, list(orgs.values()))
            with _progress() as bar:
                bar.add_task("verifying shares and solving the totals", total=None)
                published = _send(
                    "publishing",
                    lambda: flow.publish(records, sender, computation, key, document, orgs),
                )
            result |= {
                "totals": published.totals,
                "share_orgs": published.share_orgs,
                "offline": published.offline,
            }

    def render() -> None:
        console.print(
            text(
                ("shares recorded: ", "bold"),
                f"{len(result['shares'])} of {result['threshold']} needed",
            )
        )
        if "totals" in result:
            console.print(
                text(("published totals: ", "bold"), ", ".join(map(str, result["totals"])))
            )
        if "waiting_for_opener" in result:
            console.print(
                text(
                    "enough shares: organisation ",
                    str(result["waiting_for_opener"]),
                    " (the opener) publishes",
                )
            )

    emit(as_json, result, render)


def _check_can_share(state: Any, mine: int, address: str, orgs: dict[int, str]) -> None:
    """Refuse, before anything is sent, an account whose organisation cannot add a share."""
    computation = state.computation_id
    if mine == 0:
        raise CommandError(f"{address} belongs to no organisation on this chain")
    if mine not in state.participants:
        if mine == state.opener:
            return  # the opener's organisation publishes once enough shares are recorded
        listed = ", ".join(map(str, state.participants))
        raise CommandError(
            f"organisation {mine} is not a participant of computation {computation} "
            f"(participants: {listed})"
        )
    if mine in state.shares:
        return
    if state.stage != "decrypting":
        raise CommandError(
            f"computation {computation} is {state.stage}: shares are recorded only while it "
            "is decrypting (after `trustspace compute aggregate`)"
        )
    if mine not in orgs:
        raise CommandError(
            f"no party of organisation {mine} answers among --party: name its party's URL"
        )


def _own_org(records: Any, address: str) -> int:
    from ape.contracts import ContractInstance

    from trustspace.artifacts import contract_type

    consortium = ContractInstance(records.contract.consortium(), contract_type("Consortium"))
    return int(consortium.org_of(address))


@compute.command()
@network_option
@_computations_option
@_computation_option
@click.option(
    "--party",
    "parties",
    multiple=True,
    help="With the parties' URLs, re-derive the published totals from the recorded shares.",
)
@json_option
def show(
    network: str,
    computations_address: str | None,
    computation: int,
    parties: tuple[str, ...],
    as_json: bool,
) -> None:
    """The computation and its trail, from chain data only; with --party, also re-check the
    published totals against the recorded aggregate and partial decryptions (exit 1 if they
    differ)."""
    from trustspace.compute import flow

    urls = _urls(parties) if parties else []
    with _records(network, computations_address) as records:
        state = _known(records, computation)
        trail = records.trail(computation)
        check = None
        if urls:
            if state.stage != "published":
                raise CommandError(f"computation {computation} has no published totals to check")
            orgs, key = _reachable(urls)
            published = next((e.detail["totals"] for e in trail if e.step == "Published"), None)
            check = flow.verify(records, computation, key, orgs, published)
    payload = {
        "ok": check is None or check.matches,
        **state.to_json(),
        "trail": [e.to_json() for e in trail],
    }
    if check is not None:
        payload["verification"] = check.to_json()

    def render() -> None:
        console.print(
            text(
                (f"computation {computation}: ", "bold"),
                state.stage,
                f", threshold {state.threshold}, participants "
                f"{', '.join(map(str, state.participants))}",
            )
        )
        table = Table(title="trail (chain events)")
        for column in ("block", "step", "org", "account", "digest", "detail"):
            table.add_column(column)
        for e in trail:
            table.add_row(
                str(e.block),
                e.step,
                str(e.org),
                e.account,
                e.digest,
                ", ".join(f"{k}={v}" for k, v in e.detail.items()),
            )
        console.print(table)
        if check is not None:
            verdict = "match" if check.matches else "DO NOT MATCH"
            console.print(
                text(
                    ("re-derived totals: ", "bold"),
                    ", ".join(map(str, check.derived)),
                    f" (published totals {verdict})",
                )
            )

    emit(as_json, payload, render)
    if check is not None and not check.matches:
        sys.exit(options.EXIT_NOT_VALID)
