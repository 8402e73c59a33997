"""The end-to-end demo, run by ``make demo`` (``ape run demo``) and, smaller, by the e2e test.

One scenario on three local anvil chains (hub, customs, tax) started here on
free ports and stopped at the end:

1. the suite is deployed on each chain through :mod:`trustspace.deploy.deployer`;
2. five agencies (customs, tax, maritime, foreign exchange, a ministry) are the
   founding organisations, each with a did:ethr identity that publishes its
   service endpoint on the hub's DID registry; staff accounts get roles by
   3-of-5 proposals;
3. customs commits 10,000 declarations field by field (selective disclosure)
   and anchors all of them as one Merkle batch, in one transaction;
4. tax checks one declaration's declared value from a disclosure: the value,
   its salt and two Merkle proofs (field → declaration → batch), nothing else;
5. the batch itself is mirrored to the tax chain over the MessageBus, signed by
   3 of 5 validator organisations (see :func:`Scenario.mirror`), and tax checks the
   declaration's inclusion proof against the mirrored batch on its own chain;
6. tax derives an assessment from the mirrored batch (lineage), then customs
   revokes the declaration's entry in the batch and that revocation follows it:
   on tax the declaration reads DOCUMENT_REVOKED, the rest of the batch stays VALID;
7. customs issues an AEO credential to a trading company through a clerk's DID
   delegate key; tax verifies a presentation revealing only the company's name and
   AEO level; customs suspends the credential and tax's verification says "suspended"
   (:mod:`trustspace.devnet.demo_credentials`);
8. customs offers declaration data to tax for "VAT assessment" on the customs chain;
   tax requests, customs accepts, tax fetches from customs' connector (found through
   customs' DID) and checks the payload against the transfer log and customs'
   attestation; the supervisor's log shows the transfer; customs terminates and the
   next fetch is refused (:mod:`trustspace.devnet.demo_dataspace`);
9. customs, tax and foreign exchange, each its own compute process, add up their
   per-sector import figures under a joint threshold key; the ministry publishes only
   the totals and the trail is read back from the chain
   (:mod:`trustspace.devnet.demo_compute`);
10. the ministry's proposal on the hub suspends customs; the customs and tax chains
   follow within seconds (the hub's HubLink sends the decision over the bus), and the
   mirrored batch reads ORG_NOT_LIVE on tax although tax enacted nothing;
11. the provenance trail and the gas of every step are printed.
"""

from __future__ import annotations

import random
import shutil
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.tree import Tree

from trustspace.consortium.constants import Role
from trustspace.consortium.governance import Governance
from trustspace.consortium.tables import role_names
from trustspace.crypto.hashing import hash_json, to_hex
from trustspace.dataspace.client import DataServiceClient
from trustspace.deploy.config import CONTRACT_NAMES, LOCAL_AGENCIES, local_config
from trustspace.deploy.deployer import Suite, SuiteDeployer
from trustspace.devnet.chains import RunningChain, local_chains
from trustspace.devnet.demo_compute import run_compute_demo
from trustspace.devnet.demo_credentials import build_stand
from trustspace.devnet.demo_credentials import run_demo as run_credentials_demo
from trustspace.devnet.demo_dataspace import run_dataspace_demo
from trustspace.networks import LOCAL_VALIDATOR_INDICES, LOCAL_VALIDATOR_THRESHOLD
from trustspace.notary.client import NotaryClient, RevocationReason, Status
from trustspace.notary.disclosure import Commitment, Disclosure, commit, verify_disclosure
from trustspace.notary.mirroring import (
    Sent,
    mirror_document_revocation,
    mirror_record,
    verify_mirrored_document,
)
from trustspace.notary.preflight import foreign_id
from trustspace.notary.tree import MerkleTree
from trustspace.notary.tree import verify as merkle_verify

__all__ = [
    "ADMIN_INDICES",
    "AGENCIES",
    "CLERK_INDEX",
    "COUNTRIES",
    "CUSTOMS_ORG_ID",
    "DISCLOSED_FIELDS",
    "ENDPOINT_ATTRIBUTE",
    "GOODS",
    "OFFICER_INDEX",
    "RELAYER_INDEX",
    "THRESHOLD",
    "VALIDATOR_INDICES",
    "DeclarationProof",
    "DemoResult",
    "GasLine",
    "Scenario",
    "TrailEntry",
    "make_declarations",
    "run_demo",
]

AGENCIES = LOCAL_AGENCIES
# anvil's test mnemonic: 0 deploys, 1-5 are the agencies' admins (and DID identities),
# 6 the customs clerk, 7 the tax officer, 11-15 one validator key per agency.
ADMIN_INDICES = (1, 2, 3, 4, 5)
CLERK_INDEX = 6
OFFICER_INDEX = 7
VALIDATOR_INDICES = LOCAL_VALIDATOR_INDICES
RELAYER_INDEX = 18
CUSTOMS_ORG_ID = 1
THRESHOLD = LOCAL_VALIDATOR_THRESHOLD
DISCLOSED_FIELDS = ("declared_value", "currency")
ENDPOINT_ATTRIBUTE = "did/svc/TrustspaceAPI"
COUNTRIES = ("CN", "DE", "US", "BR", "IN", "JP", "NG", "TR", "VN", "ZA")
GOODS = ("850440", "870323", "300490", "610910", "847130", "940360", "030617", "720851")


def make_declarations(count: int, seed: int = 2026) -> list[dict[str, Any]]:
    """``count`` synthetic customs declarations (deterministic for a seed)."""
    rng = random.Random(seed)
    return [
        {
            "declaration_id": f"CUS-2026-{i:07d}",
            "declarant": f"Importer {rng.randrange(1, 2000):04d} Ltd",
            "hs_code": rng.choice(GOODS),
            "origin_country": rng.choice(COUNTRIES),
            "declared_value": rng.randrange(500, 2_000_000) * 100,
            "currency": "EUR",
            "gross_mass_kg": rng.randrange(1, 40_000),
            "accepted_on": f"2026-11-{rng.randrange(1, 28):02d}",
        }
        for i in range(count)
    ]


@dataclass(frozen=True)
class DeclarationProof:
    """What customs hands to tax for one declaration: a field disclosure and the
    declaration's place in the anchored batch."""

    disclosure: Disclosure
    batch_id: bytes
    batch_root: bytes
    batch_size: int
    index: int
    proof: list[bytes]

    @property
    def declaration_root(self) -> bytes:
        """The declaration's commitment root, a document of the batch."""
        return self.disclosure.root


@dataclass
class GasLine:
    """One step of the closing table."""

    step: str
    chain: str
    txs: int = 0
    gas: int = 0


@dataclass
class TrailEntry:
    """One line of the provenance trail."""

    chain: str
    block: int
    tx_hash: str
    actor: str
    event: str


@dataclass
class DemoResult:
    """What the scenario produced, for tests and the closing summary."""

    suites: dict[str, Suite[Any]]
    gas: list[GasLine] = field(default_factory=list)
    trail: list[TrailEntry] = field(default_factory=list)
    batch_id: bytes = b""
    revealed: dict[str, Any] = field(default_factory=dict)
    statuses: dict[str, str] = field(default_factory=dict)
    mirrored: bool = False
    record_id: bytes = b""
    foreign_id: bytes = b""
    assessment_id: bytes = b""
    message_ids: list[str] = field(default_factory=list)
    lineage: dict[str, Any] = field(default_factory=dict)
    #: The supervisor's view of customs' data transfers (``dataspace.audit_log``).
    transfers: dict[str, Any] = field(default_factory=dict)
    #: The per-sector totals the ministry published from the joint computation.
    totals: list[int] = field(default_factory=list)
    #: Seconds from the hub's suspension of customs to each domain showing it.
    suspension_seconds: dict[str, float] = field(default_factory=dict)
    seconds: float = 0.0


class Scenario:
    """The demo scenario on running local chains (see the module docstring)."""

    def __init__(
        self,
        project: Any,
        networks: Any,
        accounts: Any,
        chains: Sequence[RunningChain],
        console: Console,
        declarations: int = 10_000,
        workdir: Path | None = None,
    ) -> None:
        self.project = project
        self.networks = networks
        self.keys = accounts
        self.chains = {c.name: c for c in chains}
        self.console = console
        self.count = declarations
        self.workdir = workdir or Path(".trustspace") / "demo"
        self.result = DemoResult(suites={})
        self.admins = [accounts[i] for i in ADMIN_INDICES]
        self.clerk = accounts[CLERK_INDEX]
        self.officer = accounts[OFFICER_INDEX]
        self.validators = [accounts[i] for i in VALIDATOR_INDICES]

    # ---------------------------------------------------------------- helpers

    @contextmanager
    def on(self, name: str) -> Iterator[Any]:
        """Make chain ``name`` the one ape talks to for the length of a block."""
        with self.networks.parse_network_choice(self.chains[name].url) as provider:
            yield provider

    def gas(self, step: str, chain: str, receipts: Sequence[Any]) -> None:
        """Add receipts' gas to the closing table under ``step``."""
        line = next((g for g in self.result.gas if g.step == step and g.chain == chain), None)
        if line is None:
            line = GasLine(step, chain)
            self.result.gas.append(line)
        for receipt in receipts:
            line.txs += 1
            line.gas += int(receipt.gas_used)

    def trail(self, chain: str, receipt: Any, actor: str, event: str) -> None:
        """Add one transaction to the provenance trail."""
        self.result.trail.append(
            TrailEntry(chain, int(receipt.block_number), str(receipt.txn_hash), actor, event)
        )

    def progress(self) -> Progress:
        """A progress bar in the demo's style."""
        return Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=self.console,
            transient=False,
        )

    def _enact(
        self,
        gov: Governance[Any, Any],
        step: str,
        chain: str,
        action: str,
        reason: str,
        **values: Any,
    ) -> None:
        """Propose by customs, approve by tax and maritime (3 of 5), execute; count the gas."""
        decision = gov.decide(action, approvers=self.admins[:THRESHOLD], reason=reason, **values)
        self.gas(step, chain, decision.receipts)

    # ---------------------------------------------------------------- steps

    def deploy(self) -> None:
        """Deploy the suite on every chain through the deploy module (records in the workdir)."""
        self.console.rule("[bold]1. Deploy the suite on hub, customs and tax")
        hub_id = self.chains["hub"].chain_id
        folder = self.workdir / "deployments"
        with self.progress() as bar:
            task = bar.add_task("deploying", total=len(CONTRACT_NAMES) * len(self.chains))

            def report(event: str, name: str, detail: str) -> None:
                if event in ("deployed", "exists", "completed"):
                    bar.advance(task)

            for name in self.chains:
                # The hub governs organisations; customs and tax follow it (HubLink).
                config = local_config(
                    self.admins, dids=self.admins, threshold=THRESHOLD,
                    hub_chain=0 if name == "hub" else hub_id,
                )  # fmt: skip
                with self.on(name) as provider:
                    bar.update(task, description=f"deploying on {name}")
                    suite = SuiteDeployer(
                        self.project,
                        provider,
                        self.keys[0],
                        config,
                        folder=folder,
                        report=report,
                        replace_stale=True,
                    ).deploy()
                self.result.suites[name] = suite
                line = GasLine("deploy the suite", name)
                for _, entry in suite.record.deployed():
                    line.txs += 1
                    line.gas += entry.gas_used or 0
                self.result.gas.append(line)
        table = Table(title="Deployments (recorded in " + str(folder) + ")")
        shown = ("Consortium", "DIDRegistry", "Notary", "MessageBus")
        for column in ("chain", "id", *shown):
            table.add_column(column)
        for name, suite in self.result.suites.items():
            table.add_row(
                name,
                str(suite.record.chain_id),
                *(suite.record.address(c)[:12] + "…" for c in shown),
            )
        self.console.print(table)

    def join(self) -> None:
        """Agencies publish their DID service endpoints; staff get roles by 3-of-5 votes."""
        from trustspace.did.registry import str_to_bytes32
        from trustspace.did.resolver import ApeSource, Resolver, did_for

        self.console.rule("[bold]2. Five agencies join with DIDs")
        hub = self.result.suites["hub"]
        hub_id = hub.record.chain_id
        with self.on("hub"):
            receipts = []
            for (name, _), admin in zip(AGENCIES, self.admins, strict=True):
                slug = name.split()[0].lower()
                tx = hub.did_registry.setAttribute(
                    admin,
                    str_to_bytes32(ENDPOINT_ATTRIBUTE),
                    f"https://{slug}.agencies.example/trustspace".encode(),
                    365 * 86400,
                    sender=admin,
                )
                receipts.append(tx)
                self.trail("hub", tx, name, "DID service endpoint published")
            self.gas("DIDs: 5 service endpoints", "hub", receipts)
            source = ApeSource(hub.did_registry)
            # ape 0.8.51 caches chain ids by network name, and every chain reached by URL is
            # named "custom": the id ApeSource reads may belong to another chain.
            source.chain_id = hub_id
            resolved = Resolver([source]).resolve(did_for(self.admins[0].address, hub_id))
        table = Table(title="Founding organisations (threshold 3 of 5 distinct agencies)")
        for column in ("id", "agency", "kind", "DID (hub registry)"):
            table.add_column(column)
        for org_id, ((name, kind), admin) in enumerate(
            zip(AGENCIES, self.admins, strict=True), start=1
        ):
            table.add_row(str(org_id), name, kind.name, did_for(admin.address, hub_id))
        self.console.print(table)
        services = (resolved.document or {}).get("service", [])
        endpoint = services[0]["serviceEndpoint"] if services else "-"
        self.console.print(f"resolved {resolved.did}: service endpoint {endpoint}")
        staff = [
            ("customs", 1, self.clerk, Role.NOTARY, "customs clerk"),
            ("tax", 2, self.officer, Role.NOTARY | Role.AUDITOR, "tax officer"),
        ]
        for chain, org_id, account, roles, who in staff:
            suite = self.result.suites[chain]
            with self.on(chain):
                gov = Governance(suite.consortium)
                step = "governance: staff roles (3 of 5)"
                self._enact(gov, step, chain, "add_account", f"{who} account",
                            org_id=org_id, account=account)  # fmt: skip
                self._enact(gov, step, chain, "grant_role", f"{who} roles",
                            account=account, roles=roles)  # fmt: skip
            self.console.print(
                f"[green]{who}[/] {account.address} holds {role_names(int(roles))} on {chain} "
                "(approved by customs, tax and maritime)"
            )

    def notarize(self) -> DeclarationProof:
        """Customs commits every declaration field by field and anchors them as one batch."""
        self.console.rule(f"[bold]3. Customs notarizes {self.count:,} declarations as one batch")
        declarations = make_declarations(self.count)
        commitments: list[Commitment] = []
        with self.progress() as bar:
            task = bar.add_task("committing declarations field by field", total=self.count)
            step = max(1, self.count // 50)
            for i, declaration in enumerate(declarations):
                commitments.append(commit(declaration))
                if i % step == step - 1:
                    bar.advance(task, step)
            bar.update(task, completed=self.count)
            tree_task = bar.add_task("building the batch Merkle tree", total=1)
            tree = MerkleTree([c.root for c in commitments])
            bar.advance(tree_task)
        suite = self.result.suites["customs"]
        with self.on("customs"):
            client = NotaryClient(suite.notary)
            tx = suite.notary.registerSchema(
                "customs-declaration", "1.0", hash_json({"fields": sorted(declarations[0])}),
                "https://customs.agencies.example/schemas/declaration/1.0", sender=self.clerk,
            )  # fmt: skip
            (event,) = tx.decode_logs(suite.notary.SchemaRegistered)
            schema = int(event.schemaId)
            self.gas("register the declaration schema", "customs", [tx])
            self.trail("customs", tx, "Customs Authority", f"schema {schema} registered")
            batch_id, tx = client.anchor_batch(tree, schema, sender=self.clerk)
            self.gas(f"anchor {self.count:,} declarations (one batch)", "customs", [tx])
            self.trail("customs", tx, "Customs Authority", f"batch of {self.count:,} anchored")
        self.result.batch_id = batch_id
        self.console.print(
            f"[green]anchored[/] root {to_hex(tree.root)[:18]}… of {tree.size:,} declarations "
            f"(depth {tree.depth}) in one transaction, {tx.gas_used:,} gas"
        )
        index = self.count // 2 + 7 if self.count > 10 else 0
        chosen = commitments[index]
        return DeclarationProof(
            disclosure=chosen.disclose(DISCLOSED_FIELDS, chain_id=suite.record.chain_id,
                                       notary=suite.notary.address),
            batch_id=batch_id,
            batch_root=tree.root,
            batch_size=tree.size,
            index=index,
            proof=tree.proof(index),
        )  # fmt: skip

    def verify(self, proof: DeclarationProof, chain: str = "customs") -> dict[str, Any]:
        """Tax checks the disclosed fields offline and the declaration's batch on ``chain``."""
        revealed = verify_disclosure(proof.disclosure)
        included = merkle_verify(
            proof.batch_root, proof.batch_size, proof.declaration_root, proof.index, proof.proof
        )
        with self.on(chain):
            client = NotaryClient(self.result.suites[chain].notary)
            status = client.document_status(
                proof.batch_id, proof.declaration_root, proof.index, proof.proof
            )
        table = Table(title=f"What tax sees of declaration #{proof.index:,}")
        table.add_column("field")
        table.add_column("value")
        for name, value in revealed.items():
            table.add_row(name, f"{value:,}" if isinstance(value, int) else str(value))
        hidden = proof.disclosure.size - len(revealed)
        table.add_row("[dim]other fields[/]", f"[dim]{hidden} salted hashes, values hidden[/]")
        table.add_row(
            "[dim]other declarations[/]",
            f"[dim]{proof.batch_size - 1:,} hidden behind {len(proof.proof)} sibling hashes[/]",
        )
        self.console.print(table)
        self.console.print(
            f"fields match the declaration root: [green]yes[/]; declaration in the batch: "
            f"[green]{'yes' if included else 'NO'}[/]; on-chain status on {chain}: "
            f"[bold]{status.name}[/]"
        )
        self.result.revealed = revealed
        self.result.statuses[f"verified on {chain}"] = status.name
        return revealed

    def wire_bus(self) -> None:
        """Governance wires the bus: the five validator keys join their agencies with VALIDATOR
        on customs and tax; then the deploy module's wiring calls (3-of-5 proposals) let each
        Notary mirror over its bus to the other, customs and tax accept the hub's and each
        other's checkpoints signed by 3 of the 5 validator organisations, both bind to their
        HubLink, and the hub registers them as its domains."""
        from trustspace.deploy.wiring import Wiring, enrol_validators, wiring_calls

        suites = self.result.suites
        step = "bus wiring (3-of-5 proposals)"
        keys = [k.address for k in self.validators]
        approvers = self.admins[:THRESHOLD]
        for name in ("customs", "tax"):
            with self.on(name):
                gov = Governance(suites[name].consortium)
                for decision in enrol_validators(gov, keys, approvers):
                    self.gas(step, name, decision.receipts)
        for name in ("customs", "tax", "hub"):  # domains bound before the hub sends to them
            peers = {s.record.chain_id: s.record for n, s in suites.items() if n != name}
            calls = wiring_calls(
                suites[name].record, peers, keys if name != "hub" else (), THRESHOLD
            )
            with self.on(name):
                self.gas(step, name, Wiring(suites[name]).enact(calls, approvers))
        self.console.print(
            f"each Notary mirrors over its bus to the other; customs and tax accept checkpoints "
            f"signed by {THRESHOLD} of {len(keys)} validator organisations and follow the hub"
        )

    @contextmanager
    def bus_daemons(self) -> Iterator[Path]:
        """Validator processes (3 of the 5 organisations online) and a relayer, stopped after."""
        from trustspace.bus.config import BusConfig, ChainConfig
        from trustspace.devnet.chains import mnemonic_key
        from trustspace.devnet.daemons import spawn_relayer, spawn_validator, stop

        folder = (self.workdir / "bus").resolve()
        # The chains are new on every run: progress and signatures of an earlier run are void.
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        config = BusConfig(
            chains={
                name: ChainConfig(name, self.chains[name].url, self.result.suites[name].bus.address)
                for name in ("hub", "customs", "tax")
            },
            signatures=folder / "signatures",
            database=folder / "relay.sqlite",
        )
        path = folder / "bus.json"
        config.write(path)
        online = VALIDATOR_INDICES[:THRESHOLD]
        processes = [
            spawn_validator(path, origin, mnemonic_key(i), confirmations=0)
            for origin in ("hub", "customs")
            for i in online
        ]
        processes.append(spawn_relayer(path, mnemonic_key(RELAYER_INDEX)))
        offline = " and ".join(name for name, _ in AGENCIES[THRESHOLD:])
        self.console.print(
            f"started {len(online)} validator processes for each of hub and customs, and a "
            f"relayer; the validators of {offline} are offline: {THRESHOLD} of 5 suffice"
        )
        try:
            yield path
        finally:
            for process in processes:
                stop(process)
            self.console.print("[dim]stopped the validators and the relayer[/]")

    def mirror(
        self,
        what: str,
        config: Path,
        expected: Status,
        send: Callable[[NotaryClient], Sent],
        probe: Callable[[NotaryClient], Status],
        timeout: float = 60.0,
    ) -> bool:
        """Dispatch ``what`` from customs to tax (``send``, a call of
        :mod:`trustspace.notary.mirroring`) and wait until the tax chain's Notary answers
        ``expected`` (``probe``)."""
        from trustspace.bus.config import load_config
        from trustspace.bus.status import message_status

        customs, tax = self.result.suites["customs"], self.result.suites["tax"]
        with self.on("customs"):
            sent = send(NotaryClient(customs.notary))
        self.gas(f"mirror the {what}: dispatch", "customs", [sent.tx])
        self.trail("customs", sent.tx, "Customs Authority", f"{what} dispatched to tax")
        started = time.perf_counter()
        with (
            self.on("tax"),
            self.console.status(f"validators sign, the relayer delivers the {what} to tax"),
        ):
            client = NotaryClient(tax.notary)
            status = Status.UNKNOWN
            while time.perf_counter() - started < timeout:
                status = probe(client)
                if status == expected:
                    break
                time.sleep(0.2)
        self.result.foreign_id = sent.foreign_id
        self.result.message_ids.append(to_hex(sent.message_id))
        if status != expected:
            self.console.print(f"[red]the {what} did not arrive within {timeout:.0f} s[/]")
            return False
        report = message_status(load_config(config), sent.message_id)
        orgs = sorted({org for org in report.signers.values() if org})
        names = ", ".join(AGENCIES[o - 1][0] for o in orgs)
        with self.on("tax"):
            receipt = tax.notary.provider.get_receipt(report.delivery_tx)
        self.gas(f"mirror the {what}: proven delivery", "tax", [receipt])
        self.trail("tax", receipt, "relayer", f"{what} delivered, signed by {len(orgs)} orgs")
        self.console.print(
            f"[green]{what} mirrored[/] in {time.perf_counter() - started:.1f} s: checkpoint "
            f"signed by {names}; on tax it reads [bold]{status.name}[/] "
            f"(foreign record {to_hex(sent.foreign_id)[:18]}…)"
        )
        return True

    def mirror_batch(self, proof: DeclarationProof, config: Path) -> bool:
        """Mirror the whole batch of declarations from customs to tax (one message)."""
        tax_chain = self.result.suites["tax"].record.chain_id
        origin_chain = self.result.suites["customs"].record.chain_id
        self.result.record_id = proof.batch_id
        return self.mirror(
            "batch",
            config,
            Status.VALID,
            send=lambda c: mirror_record(c, proof.batch_id, tax_chain, sender=self.clerk),
            probe=lambda c: c.status(foreign_id(origin_chain, proof.batch_id)),
        )

    def verify_on_tax(self, proof: DeclarationProof) -> str:
        """Tax checks the disclosed declaration's inclusion proof against the mirrored batch
        on its own chain: in Python and by its own Notary."""
        customs, tax = self.result.suites["customs"], self.result.suites["tax"]
        verify_disclosure(proof.disclosure)
        with self.on("tax"):
            check = verify_mirrored_document(
                NotaryClient(tax.notary), customs.record.chain_id, proof.batch_id,
                proof.declaration_root, proof.index, proof.proof,
            )  # fmt: skip
        status = check.status.name if check.proof_ok else "NOT_INCLUDED"
        self.result.statuses["verified on tax"] = status
        self.console.print(
            f"tax checks declaration #{proof.index:,}'s inclusion proof against the batch "
            f"mirrored to its own chain: [bold]{status}[/] (no call to the customs chain)"
        )
        return status

    def revoke(self, proof: DeclarationProof) -> None:
        """Customs revokes the declaration's entry in its batch."""
        with self.on("customs"):
            client = NotaryClient(self.result.suites["customs"].notary)
            reason = RevocationReason.ISSUED_IN_ERROR
            tx = client.revoke_document(
                proof.batch_id, proof.declaration_root, reason, sender=self.clerk
            )
            self.gas("revoke the declaration (its batch entry)", "customs", [tx])
            self.trail("customs", tx, "Customs Authority", "declaration revoked (issued in error)")
            status = client.document_status(
                proof.batch_id, proof.declaration_root, proof.index, proof.proof
            )
        self.result.statuses["after revocation on customs"] = status.name
        self.console.print(
            f"on customs: the declaration's batch entry is [bold]{status.name}[/]; the other "
            f"{proof.batch_size - 1:,} stay VALID"
        )

    def mirror_revocation(self, proof: DeclarationProof, config: Path) -> bool:
        """Mirror the declaration's revocation; on tax it then reads DOCUMENT_REVOKED."""
        tax_chain = self.result.suites["tax"].record.chain_id
        foreign = self.result.foreign_id
        args = (proof.declaration_root, proof.index, proof.proof)
        arrived = self.mirror(
            "revocation",
            config,
            Status.DOCUMENT_REVOKED,
            send=lambda c: mirror_document_revocation(
                c, proof.batch_id, *args, tax_chain, sender=self.clerk
            ),
            probe=lambda c: c.document_status(foreign, *args),
        )
        if arrived:
            self.result.statuses["after revocation on tax"] = Status.DOCUMENT_REVOKED.name
        return arrived

    def assess(self, proof: DeclarationProof, parent: bytes | None) -> None:
        """Tax attests its assessment, derived from the mirrored batch when there is one."""
        suite = self.result.suites["tax"]
        value = self.result.revealed.get("declared_value", 0)
        assessment = {
            "assessment_id": "TAX-2026-0000001",
            "declaration_root": to_hex(proof.declaration_root),
            "taxable_value": value,
            "vat": value * 19 // 100,
        }
        with self.on("tax"):
            client = NotaryClient(suite.notary)
            tx = suite.notary.registerSchema(
                "tax-assessment", "1.0", bytes(32), "", sender=self.officer
            )
            (event,) = tx.decode_logs(suite.notary.SchemaRegistered)
            self.gas("tax assessment (schema + attest)", "tax", [tx])
            rid, tx = client.attest(
                hash_json(assessment), int(event.schemaId), sender=self.officer, parent=parent
            )
            self.gas("tax assessment (schema + attest)", "tax", [tx])
            link = "derived from the mirrored batch" if parent else "no cross-chain parent"
            self.trail("tax", tx, "Tax Administration", f"assessment attested ({link})")
            self.result.statuses["assessment"] = client.status(rid).name
            if parent:
                self.result.lineage = client.lineage(rid).to_json()
        self.result.assessment_id = rid
        self.console.print(
            f"tax assessment {to_hex(rid)[:18]}… attested: VAT {assessment['vat']:,} ({link})"
        )

    def credentials(self) -> None:
        """Customs issues an AEO credential; tax verifies a selective presentation; suspended."""
        self.console.rule("[bold]7. Customs issues a credential; tax checks only what it needs")
        hub = self.result.suites["hub"]
        with self.on("hub"):
            stand = build_stand(
                self.keys[0],
                self.admins[0],
                self.admins[1],
                self.clerk,
                consortium=hub.consortium,
                did_registry=hub.did_registry,
                registry=hub.contract("CredentialRegistry"),
                approvers=self.admins[:THRESHOLD],
            )
            lines = run_credentials_demo(stand)
        for line in lines:
            self.console.print(line)
        self.result.statuses["AEO credential after customs suspended it"] = lines[-1].rsplit(
            ": ", 1
        )[-1]

    def share_data(self) -> None:
        """Customs shares declaration data with tax under an agreement; every transfer logged."""
        self.console.rule("[bold]8. Customs shares declaration data with tax under an agreement")
        customs = self.result.suites["customs"]
        with self.on("customs"):
            outcome = run_dataspace_demo(
                DataServiceClient(customs.contract("DataService")),
                customs_admin=self.admins[0],
                tax_admin=self.admins[1],
                connector_account=self.clerk,
                tax_clerk=self.admins[1],
                notary=NotaryClient(customs.notary),
                registry=customs.did_registry,
                folder=self.workdir / "dataspace",
                say=self.console.print,
            )
        self.result.statuses["data fetch after customs terminated"] = str(outcome["refusal"])
        self.result.transfers = outcome["log"]

    def compute(self) -> None:
        """Joint per-sector import totals under threshold encryption, each agency a process."""
        self.console.rule("[bold]9. Customs, tax and forex add up their figures under encryption")
        hub = self.result.suites["hub"]
        agencies = {"customs": (1, self.admins[0]), "tax": (2, self.admins[1])}
        agencies["forex"] = (4, self.admins[3])
        with self.on("hub"):
            outcome = run_compute_demo(
                hub.contract("Computations"),
                agencies,
                (5, self.admins[4]),
                self.workdir / "compute",
                self.console,
            )
        self.result.totals = outcome.totals

    def suspend(self) -> None:
        """The ministry proposes on the hub to suspend customs; tax and maritime approve. The
        domains follow over the bus: roles of customs drop, its records (and the batch
        mirrored to tax) read ORG_NOT_LIVE, with nothing enacted on customs or tax."""
        from trustspace.consortium.constants import OrgStatus

        self.console.rule("[bold]10. The ministry suspends customs on the hub; the domains follow")
        hub = self.result.suites["hub"]
        ministry, tax_admin, maritime_admin = self.admins[4], self.admins[1], self.admins[2]
        with self.on("hub"):
            decision = Governance(hub.consortium).decide(
                "suspend_org", approvers=[ministry, tax_admin, maritime_admin],
                reason="licence withdrawn pending audit", org_id=CUSTOMS_ORG_ID,
            )  # fmt: skip
        started = time.monotonic()
        self.gas("hub decision: suspend customs (3 of 5)", "hub", decision.receipts)
        self.trail("hub", decision.executed, "Ministry of Trade", "customs suspended")
        pending = ["customs", "tax"]
        while pending and time.monotonic() - started < 60:
            for name in list(pending):
                with self.on(name):
                    org = self.result.suites[name].consortium.organisation(CUSTOMS_ORG_ID)
                if int(org.status) == OrgStatus.SUSPENDED:
                    self.result.suspension_seconds[name] = time.monotonic() - started
                    pending.remove(name)
            time.sleep(0.05)
        table = Table(title="customs (organisation 1) after the hub's decision")
        for column in ("chain", "status", "seen after", "customs clerk may notarize"):
            table.add_column(column)
        for name in ("hub", "customs", "tax"):
            suite = self.result.suites[name]
            with self.on(name):
                status = OrgStatus(int(suite.consortium.organisation(CUSTOMS_ORG_ID).status))
                may = bool(suite.consortium.has_role(self.clerk, int(Role.NOTARY)))
            seconds = self.result.suspension_seconds.get(name)
            seen = "decided here" if name == "hub" else (
                f"{seconds:.1f} s" if seconds is not None else "not yet"
            )  # fmt: skip
            table.add_row(name, status.name, seen, "yes" if may else "no")
        self.console.print(table)
        if self.result.mirrored:
            with self.on("tax"):
                verdict = NotaryClient(self.result.suites["tax"].notary).status(
                    self.result.foreign_id
                )
            self.result.statuses["tax after the hub suspended customs"] = verdict.name
            self.console.print(f"the batch mirrored to tax now reads [bold]{verdict.name}[/]")

    def report(self) -> None:
        """Print the provenance trail and the gas table."""
        self.console.rule("[bold]11. Provenance trail")
        trail = Table()
        for column in ("chain", "block", "agency", "event", "tx"):
            trail.add_column(column)
        for entry in self.result.trail:
            trail.add_row(
                entry.chain, str(entry.block), entry.actor, entry.event, entry.tx_hash[:10] + "…"
            )
        self.console.print(trail)
        if self.result.lineage:
            self.console.print(_lineage_tree(self.result.lineage))
        gas = Table(title="Gas per step (anvil receipts)")
        for column in ("step", "chain", "txs", "gas"):
            gas.add_column(column, justify="right" if column in ("txs", "gas") else "left")
        for line in self.result.gas:
            gas.add_row(line.step, line.chain, str(line.txs), f"{line.gas:,}")
        gas.add_row(
            "[bold]total[/]",
            "",
            str(sum(g.txs for g in self.result.gas)),
            f"[bold]{sum(g.gas for g in self.result.gas):,}[/]",
        )
        self.console.print(gas)

    def run(self) -> DemoResult:
        """Every step in order; returns what happened."""
        started = time.perf_counter()
        self.deploy()
        self.join()
        proof = self.notarize()
        self.console.rule("[bold]4. Tax verifies one declared value by selective disclosure")
        self.verify(proof, "customs")
        self.console.rule("[bold]5. The batch is mirrored to tax by 3 of 5 validator orgs")
        self.wire_bus()
        with self.bus_daemons() as config:
            self.result.mirrored = self.mirror_batch(proof, config)
            if self.result.mirrored:
                self.verify_on_tax(proof)
            self.console.rule("[bold]6. Tax derives its assessment; customs revokes")
            self.assess(proof, self.result.foreign_id if self.result.mirrored else None)
            self.revoke(proof)
            if self.result.mirrored:
                self.mirror_revocation(proof, config)
            self.credentials()
            self.share_data()
            self.compute()
            self.suspend()
        self.report()
        self.result.seconds = time.perf_counter() - started
        return self.result


def _lineage_tree(node: dict[str, Any], tree: Tree | None = None) -> Tree:
    """The lineage JSON of ``NotaryClient.lineage`` as a rich tree."""
    kinds = {"FOREIGN": "mirrored from customs", "DOCUMENT": "attested on tax"}
    label = f"{node['id'][:18]}… {kinds.get(node['kind'], node['kind'])}: {node['status']}"
    branch = (
        Tree(f"[bold]Lineage on the tax chain[/]\n{label}") if tree is None else tree.add(label)
    )
    for child in node["children"]:
        _lineage_tree(child, branch)
    return branch


def _bytes32(value: Any) -> bytes:
    """A bytes32 value as ape returns it (HexBytes, bytes or hex text), as bytes."""
    if isinstance(value, str):
        return bytes.fromhex(value.removeprefix("0x")).rjust(32, b"\x00")
    return bytes(value).rjust(32, b"\x00")


def _quiet_ape() -> None:
    """Keep ape's per-transaction INFO lines out of the demo's tables."""
    from ape.logging import LogLevel, logger

    logger.set_level(LogLevel.WARNING)


def run_demo(
    project: Any,
    networks: Any,
    accounts: Any,
    console: Console,
    declarations: int = 10_000,
    workdir: Path | None = None,
    on_chains: Callable[[Sequence[RunningChain]], None] | None = None,
    before_stop: Callable[[Scenario], None] | None = None,
) -> DemoResult:
    """Start three local chains, run the scenario on them, stop them; returns the result.

    ``on_chains`` sees the chains once started; ``before_stop`` sees the finished scenario
    while its chains still run (tests use both).
    """
    started = time.perf_counter()
    _quiet_ape()
    with ExitStack() as stack:
        with console.status("starting hub, customs and tax (anvil on free local ports)"):
            chains = stack.enter_context(local_chains())
        for chain in chains:
            console.print(f"[green]started[/] {chain.name} (chain {chain.chain_id}) at {chain.url}")
        if on_chains is not None:
            on_chains(chains)
        scenario = Scenario(project, networks, accounts, chains, console, declarations, workdir)
        result = scenario.run()
        if before_stop is not None:
            before_stop(scenario)
    console.print("[dim]stopped the three chains[/]")
    result.seconds = time.perf_counter() - started
    console.print(f"[bold green]demo finished in {result.seconds:.1f} s[/]")
    return result
