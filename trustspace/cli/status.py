"""``trustspace status``: what runs on each chain, from the deployment records.

Per chain: the recorded contracts and whether their code is there, the organisations
with kind and status, the governance threshold and open proposals, the message bus's
validator sets per origin chain and its lanes. A chain that does not answer is one line
for that chain; the others are still reported.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from trustspace.cli import options
from trustspace.cli.options import (
    EXIT_BAD_INPUT,
    EXIT_OK,
    EXIT_UNREACHABLE,
    CommandError,
    connected,
    console,
    emit,
    err_console,
    json_option,
    text,
)
from trustspace.consortium.constants import OrgKind, OrgStatus
from trustspace.deploy import records
from trustspace.errors import TrustspaceError
from trustspace.networks import DEFAULT_CHAINS, LOCAL_CHAIN_IDS
from trustspace.paths import deployments_folder

__all__ = ["ChainTarget", "default_targets", "status"]

ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"


@dataclass(frozen=True)
class ChainTarget:
    """A chain to report on: the network choice to connect with, and its record if known."""

    network: str
    record: Path | None = None


def _choice_for(record: records.DeploymentRecord) -> str:
    """How to connect to a recorded chain: its network name, or for a record made by URL on
    a local chain id, that chain's default local URL."""
    _, _, name = record.network.partition(":")
    if name and name != "custom":
        return record.network
    for spec in DEFAULT_CHAINS:
        if spec.chain_id == record.chain_id:
            return options.local_url(spec.name) or spec.url
    return record.network


def default_targets(folder: Path) -> list[ChainTarget]:
    """Every local chain that has a (current) deployment record in ``folder``."""
    return [
        ChainTarget(_choice_for(record), path)
        for path, record in records.current(folder)
        if record.chain_id in LOCAL_CHAIN_IDS
    ]


def _record_of(chain_id: int, network: str | None) -> tuple[Path | None, Any]:
    folder = deployments_folder()
    if network:
        ecosystem, _, name = network.partition(":")
        path = records.record_path(folder, ecosystem or "ethereum", name or "local", chain_id)
        own = records.load(path)
        if own is not None and own.chain_id == chain_id:
            return path, own
    return next(
        ((path, record) for path, record in records.current(folder) if record.chain_id == chain_id),
        (None, None),
    )


def _chain_report(target: ChainTarget, peers: set[int]) -> dict[str, Any]:
    """Everything ``status`` says about one connected chain."""
    from ape import chain
    from ape.contracts import ContractInstance

    from trustspace.artifacts import contract_type
    from trustspace.cli.gov import bind_consortium
    from trustspace.crypto.hashing import keccak

    chain_id = int(chain.provider.chain_id)
    network = chain.provider.network
    path, record = _record_of(chain_id, f"{network.ecosystem.name}:{network.name}")
    report: dict[str, Any] = {
        "network": target.network,
        "chain_id": chain_id,
        "reachable": True,
        "block": int(chain.blocks.head.number or 0),
        "record": str(path) if path else None,
        "contracts": [],
        "organisations": [],
        "governance": None,
        "validators": [],
        "lanes": [],
        "hub": None,
        "problems": [],
    }
    if record is None:
        report["problems"].append(
            f"no deployment record for chain {chain_id} in {deployments_folder()}: deploy the "
            "suite (ape run deploy suite) or point TRUSTSPACE_DEPLOYMENTS at your records"
        )
        return report
    genesis = "0x" + bytes(chain.provider.get_block(0).hash).hex()
    if record.genesis and record.genesis.lower() != genesis:
        # Same chain id, other chain: a node restarted from nothing, or another node on the
        # port (anvil deploys to the same addresses, so the code alone would look right).
        report["problems"].append(
            f"the node is not the chain {path} was made on (its block 0 is "
            f"{genesis[:12]}…, the record's {record.genesis[:12]}…): the chain was restarted "
            "or this is another node; redeploy, or pass --network with the right node's URL"
        )
        return report
    addresses: dict[str, str] = {}
    for name, entry in record.deployed():
        code = bytes(chain.provider.get_code(entry.address))
        if not code:
            state = "no code (stale record: was the chain reset?)"
        elif entry.codehash and "0x" + keccak(code).hex() != entry.codehash.lower():
            state = "other code than recorded"
        else:
            state = "ok"
            addresses[name] = entry.address
        report["contracts"].append({"name": name, "address": entry.address, "code": state})
        if state != "ok":
            report["problems"].append(f"{name} {entry.address}: {state}")
    for name, entry in record.contracts.items():
        if entry.status != records.DEPLOYED:
            report["contracts"].append(
                {"name": name, "address": entry.address, "code": entry.status}
            )
    if "Consortium" in addresses:
        ctx = bind_consortium(addresses["Consortium"])
        for org in ctx.gov.organisations():
            report["organisations"].append(
                {
                    "org_id": org.org_id,
                    "name": org.name,
                    "kind": org.kind.name.lower() if isinstance(org.kind, OrgKind) else org.kind,
                    "status": org.status.name.lower()
                    if isinstance(org.status, OrgStatus)
                    else org.status,
                    "accounts": len(org.accounts),
                }
            )
        open_views = ctx.reader.proposals(("open",))
        report["governance"] = {
            "consortium": ctx.address,
            "threshold": int(ctx.contract.threshold()),
            "live_admin_orgs": int(ctx.contract.live_admin_orgs()),
            "proposals_made": ctx.reader.count(),
            "open_proposals": [
                {
                    "id": v.proposal_id,
                    "summary": v.summary(),
                    "approvals": v.live_approvals,
                    "needed": v.needed,
                }
                for v in open_views
            ],
        }
    if "MessageBus" in addresses:
        bus = ContractInstance(addresses["MessageBus"], contract_type("MessageBus"))
        names: dict[int, str] = {o["org_id"]: o["name"] for o in report["organisations"]}
        for peer in sorted(peers - {chain_id}):
            origin_bus, threshold, epoch, paused = bus.originConfig(peer)
            if str(origin_bus) != ZERO_ADDRESS:
                keys, orgs = bus.validators(peer)
                report["validators"].append(
                    {
                        "origin": peer,
                        "origin_bus": str(origin_bus),
                        "threshold": int(threshold),
                        "epoch": int(epoch),
                        "paused": bool(paused),
                        "validators": [
                            {"address": str(k), "org_id": int(o), "org_name": names.get(int(o))}
                            for k, o in zip(keys, orgs, strict=True)
                        ],
                    }
                )
            destination = str(bus.destinationBus(peer))
            if destination != ZERO_ADDRESS:
                report["lanes"].append({"to": peer, "bus": destination})
    if "HubLink" in addresses and "Consortium" in addresses:
        report["hub"] = _hub_report(addresses["HubLink"], addresses["Consortium"])
    return report


def _hub_report(link_address: str, consortium_address: str) -> dict[str, Any]:
    """Whether this chain is the hub or a domain, whether its Consortium is bound to its
    HubLink, and how far the hub's messages went (sent per domain, or applied here)."""
    from ape.contracts import ContractInstance

    from trustspace.artifacts import contract_type

    link = ContractInstance(link_address, contract_type("HubLink"))
    consortium = ContractInstance(consortium_address, contract_type("Consortium"))
    hub_chain = int(link.hub_chain())
    hub: dict[str, Any] = {
        "link": link_address,
        "role": "hub" if hub_chain == 0 else "domain",
        "hub_chain": hub_chain or None,
        "bound": str(consortium.hub_link()) == link_address,
    }
    if hub_chain:
        hub["applied"] = int(link.applied_seq())
    else:
        hub["domains"] = [
            {"chain_id": int(d), "sent": int(link.sent_seq(int(d)))} for d in link.domains()
        ]
    return hub


def _peers() -> set[int]:
    ids = set(LOCAL_CHAIN_IDS) - {1337}
    folder = deployments_folder()
    if folder.is_dir():
        for path in folder.glob("*.json"):
            try:
                record = records.load(path)
            except records.DeploymentError:
                continue
            if record is not None:
                ids.add(record.chain_id)
    return ids


def _render(report: dict[str, Any]) -> None:
    head = f"chain {report.get('chain_id') or '?'}  ({report['network']})"
    if report["reachable"] is False:
        console.print(text((head, "bold"), "  ", ("unreachable", "red"), f": {report['error']}"),
                      soft_wrap=True)  # fmt: skip
        return
    if report.get("error"):
        console.print(text((head, "bold"), "  ", ("error", "red"), f": {report['error']}"),
                      soft_wrap=True)  # fmt: skip
        return
    console.print(text((head, "bold"), f"  block {report['block']}"), soft_wrap=True)
    if report["record"]:
        console.print(f"  record  {report['record']}", soft_wrap=True)
    for problem in report["problems"]:
        console.print(text("  ", ("problem", "red"), f"  {problem}"), soft_wrap=True)
    if report["contracts"]:
        console.print("  contracts", soft_wrap=True)
        width = max(len(c["name"]) for c in report["contracts"])
        for c in report["contracts"]:
            console.print(f"    {c['name']:<{width}}  {c['address']}  {c['code']}", soft_wrap=True)
    if report["organisations"]:
        console.print("  organisations", soft_wrap=True)
        for o in report["organisations"]:
            console.print(
                f"    {o['org_id']:>3}  {o['name']}  {o['kind']}  {o['status']}  "
                f"{o['accounts']} account(s)",
                soft_wrap=True,
            )
    gov = report["governance"]
    if gov:
        console.print(
            f"  governance  threshold {gov['threshold']} of {gov['live_admin_orgs']} live admin "
            f"organisation(s); {len(gov['open_proposals'])} open proposal(s) of "
            f"{gov['proposals_made']} made",
            soft_wrap=True,
        )
        for p in gov["open_proposals"]:
            console.print(
                f"    #{p['id']}  {p['approvals']}/{p['needed']}  {p['summary']}", soft_wrap=True
            )
    if report["validators"]:
        console.print("  bus validators (per origin chain)", soft_wrap=True)
        for v in report["validators"]:
            console.print(
                f"    from {v['origin']}: threshold {v['threshold']}, epoch {v['epoch']}"
                + (", PAUSED" if v["paused"] else "")
                + f", origin bus {v['origin_bus']}",
                soft_wrap=True,
            )
            for k in v["validators"]:
                console.print(
                    f"      {k['address']}  {k['org_name'] or 'unknown'} (org {k['org_id']})",
                    soft_wrap=True,
                )
    if report["lanes"]:
        console.print("  lanes (outgoing)", soft_wrap=True)
        for lane in report["lanes"]:
            console.print(f"    to {lane['to']}: bus {lane['bus']}", soft_wrap=True)
    hub = report.get("hub")
    if hub:
        bound = "" if hub["bound"] else " (Consortium not bound yet: run trustspace deploy wire)"
        if hub["role"] == "domain":
            console.print(
                f"  hub  follows chain {hub['hub_chain']} for organisations; "
                f"{hub['applied']} hub message(s) applied{bound}",
                soft_wrap=True,
            )
        else:
            sent = ", ".join(f"{d['chain_id']} ({d['sent']} sent)" for d in hub["domains"])
            console.print(
                f"  hub  this chain governs organisations; domains: {sent or 'none'}{bound}",
                soft_wrap=True,
            )


@click.command()
@click.option(
    "--network",
    "networks",
    multiple=True,
    help="A chain to report on (ape network choice or RPC URL; repeatable). Default: every "
    "local chain with a deployment record.",
)
@json_option
def status(networks: tuple[str, ...], as_json: bool) -> None:
    """Per chain: contracts, organisations, governance, bus validators and lanes, hub links."""
    folder = deployments_folder()
    targets = [ChainTarget(n) for n in networks] or default_targets(folder)
    if not targets:
        raise CommandError(
            f"no deployment record of a local chain in {folder}: pass --network NAME_OR_URL "
            "(repeatable), or point TRUSTSPACE_DEPLOYMENTS at your records"
        )
    peers = _peers()
    reports = []
    for target in targets:
        try:
            with connected(target.network):
                reports.append(_chain_report(target, peers))
        except Exception as err:
            from ape.exceptions import ApeException

            if options._is_unreachable(err):
                reports.append(
                    {
                        "network": target.network,
                        "reachable": False,
                        "error": f"{_one_line(err)} (start it with trustspace chains up, or "
                        "pass --network with the URL of a running node)",
                    }
                )
            elif isinstance(err, TrustspaceError | ApeException | click.ClickException):
                reports.append({"network": target.network, "reachable": None,
                                "error": _one_line(err)})  # fmt: skip
            else:
                raise
    code, error = _outcome(reports)

    def render() -> None:
        for report in reports:
            _render(report)

    payload: dict[str, Any] = {"ok": code == EXIT_OK, "chains": reports}
    if code != EXIT_OK:
        payload.update(exit_code=code, error=error)
    emit(as_json, payload, render)
    if code != EXIT_OK:
        # Every chain was reported; the exit code and one line on stderr still tell a script
        # and a person that something is wrong.
        if not as_json:
            err_console.print(text(("error: ", "bold red"), error), soft_wrap=True)
        sys.exit(code)


def _outcome(reports: list[dict[str, Any]]) -> tuple[int, str]:
    """The exit code and one line for the whole run: 3 when a chain did not answer, 2 when a
    network was not understood or a reachable chain's record is missing or wrong, else 0."""
    down = [r for r in reports if r["reachable"] is False]
    if down:
        first = down[0]
        more = f" (and {len(down) - 1} more chain(s))" if len(down) > 1 else ""
        return EXIT_UNREACHABLE, f"cannot reach {first['network']}{more}: {first['error']}"
    wrong = [r for r in reports if r.get("error") or r.get("problems")]
    if wrong:
        first = wrong[0]
        problem = first.get("error") or first["problems"][0]
        more = f" (and {len(wrong) - 1} more chain(s))" if len(wrong) > 1 else ""
        return EXIT_BAD_INPUT, f"{first['network']}{more}: {problem}"
    return EXIT_OK, ""


def _one_line(err: BaseException) -> str:
    message = str(err).strip().splitlines()
    return message[0] if message else type(err).__name__
