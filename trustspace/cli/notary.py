"""``trustspace`` notarization commands.

notarize, verify, revoke, trace, disclose and verify-disclosure.

Which contract answers is decided by the relying party only
(:mod:`trustspace.notary.trust`): ``--notary ADDRESS`` (its code checked), else
the deployment record for the connected chain (``$TRUSTSPACE_DEPLOYMENTS``).
A bundle or disclosure that names another chain or another Notary is refused
(exit 2); every report prints the chain id and the contracts it trusted.

Conventions (:mod:`trustspace.cli.options`): ``--network``, ``--account``,
``--json`` (one JSON document on stdout in every outcome), exit codes 0 valid /
done, 1 not valid, 2 bad input (or refused), 3 chain unreachable. Values from a
chain or a file are printed as plain text, never as rich markup.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import click
from eth_utils.address import to_checksum_address
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.text import Text

from trustspace.cli import options
from trustspace.cli.options import (
    DEFAULT_NETWORK,
    EXIT_BAD_INPUT,
    EXIT_NOT_VALID,
    EXIT_UNREACHABLE,
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
from trustspace.crypto.hashing import from_hex, to_hex
from trustspace.event_logs import INDEX_NOTE, ape_read_from
from trustspace.notary import disclosure as sd
from trustspace.notary.bundle import (
    ENCODING_BYTES,
    ENCODING_JSON,
    Bundle,
    BundleError,
    batch_bundles,
    document_digest,
    load_json_record,
    verify_offline,
)
from trustspace.notary.client import LineageNode, NotaryClient, RevocationReason, Status
from trustspace.notary.disclosure import Commitment, Disclosure, DisclosureError, commit
from trustspace.notary.preflight import (
    check_attest,
    check_revoke,
    foreign_id,
)
from trustspace.notary.tree import MerkleTree
from trustspace.notary.trust import (
    ApeChainReader,
    TrustedNotary,
    TrustError,
    check_claims,
    trusted_notary,
)

__all__ = [
    "BUNDLE_SUFFIX",
    "CLAIMED",
    "CLAIMED_KEY",
    "COMMANDS",
    "HASHED_AS",
    "OFFLINE_RESULT",
    "F",
    "Organisations",
    "bundle_path",
    "chain_options",
    "collect_files",
    "disclose",
    "json_record_option",
    "notarize",
    "parse_id",
    "print_report",
    "progress",
    "revoke",
    "schema_json",
    "trace",
    "trust_rows",
    "trusted_client",
    "verify",
    "verify_disclosure_command",
]

BUNDLE_SUFFIX = ".bundle.json"
#: What an offline check proves, in the words every offline report uses.
OFFLINE_RESULT = "proof self-consistent; anchoring not checked"
CLAIMED = "claimed by the bundle"
CLAIMED_KEY = "claimed_by_bundle"
HASHED_AS = {
    ENCODING_BYTES: "SHA-256 of the file's bytes",
    ENCODING_JSON: "SHA-256 of the RFC 8785 canonical JSON record",
}

F = TypeVar("F", bound=Callable[..., Any])


# ------------------------------------------------------------------ shared options


NOTARY_HELP = (
    "The Notary you trust (its code is checked). Default: the Notary of your deployment "
    "record for the connected chain ($TRUSTSPACE_DEPLOYMENTS). Never taken from a bundle."
)


def _notary_option(f: F) -> F:
    return click.option("--notary", "notary_address", default=None, help=NOTARY_HELP)(f)


def chain_options(f: F) -> F:
    """``--network`` and ``--notary`` for every command that reads the chain."""
    return network_option(_notary_option(f))


def bundle_chain_options(f: F) -> F:
    """``--network`` (default: the chain named by the bundle) and ``--notary``."""
    f = _notary_option(f)
    return click.option(
        "--network",
        default=None,
        help="ape network choice (ethereum:customs:node) or an RPC URL. Default: the network "
        "your deployment records (or the built-in local chains) give for the chain id the "
        f"bundle names; else {DEFAULT_NETWORK}. Only the chain comes from the bundle, "
        "never the contract.",
    )(f)


def choose_network(network: str | None, chain_id: int | None) -> str:
    """``--network`` if given, else the network of ``chain_id`` (a bundle's), else the default."""
    if network:
        return network
    if chain_id is not None:
        from ape import networks

        # A process already on that chain (ape console, tests) stays on it.
        active = networks.active_provider
        if active is not None and active.is_connected and int(active.chain_id) == int(chain_id):
            return str(active.network_choice)
        return options.network_for_chain_id(int(chain_id))
    return DEFAULT_NETWORK


def check_notary_flag(notary_address: str | None) -> None:
    """A malformed ``--notary`` is bad input before anything connects."""
    if notary_address is not None and not is_valid_address(notary_address):
        raise CommandError(
            f"--notary {notary_address!r} is not an address (0x and 40 hex digits); leave it "
            "out to use the Notary of your deployment record"
        )


@contextmanager
def chain_errors() -> Iterator[None]:
    """ape's "no contract there" as one line (exit 3) instead of a traceback."""
    from ape.exceptions import ContractNotFoundError

    try:
        yield
    except ContractNotFoundError as err:
        raise CommandError(
            f"no contract where expected: {err} (was the chain reset? check "
            "--network and your deployment records)",
            EXIT_UNREACHABLE,
        ) from err


def json_record_option(f: F) -> F:
    """``--json-record``: hash a JSON file as its RFC 8785 canonical form."""
    return click.option(
        "--json-record",
        is_flag=True,
        help="The file is a JSON record: hash its RFC 8785 canonical form (key order, "
        "whitespace and number spelling do not count), not its bytes.",
    )(f)


def trusted_client(notary_address: str | None) -> tuple[NotaryClient, TrustedNotary]:
    """The relying party's Notary on the connected chain, with why it is trusted."""
    from ape.contracts import ContractInstance

    from trustspace.artifacts import contract_type

    reader = ApeChainReader()
    trusted = trusted_notary(reader, notary=notary_address, network=reader.network())
    return NotaryClient(ContractInstance(trusted.notary, contract_type("Notary"))), trusted


class Organisations:
    """Names of the trusted Consortium's organisations (read once each)."""

    def __init__(self, consortium: str) -> None:
        from ape.contracts import ContractInstance

        from trustspace.artifacts import contract_type

        self.contract = ContractInstance(consortium, contract_type("Consortium"))
        self._names: dict[int, str] = {}

    def name(self, org_id: int) -> str | None:
        """The name of ``org_id``, None if the Consortium does not know it."""
        if org_id not in self._names:
            self._names[org_id] = str(self.contract.organisation(org_id).name)
        return self._names[org_id] or None

    def resolve(self, spec: str) -> int:
        """An organisation id from ``spec``: an id, or a name (case-insensitive, unique)."""
        if spec.strip().isdigit():
            org_id = int(spec)
            if self.name(org_id) is None:
                raise CommandError(f"--issuer {spec}: no organisation {org_id} in the Consortium")
            return org_id
        wanted = spec.strip().casefold()
        hits = [i for i in map(int, self.contract.organisations()) if _fold(self.name(i)) == wanted]
        if not hits:
            raise CommandError(f"--issuer {spec!r}: no organisation of that name")
        if len(hits) > 1:
            raise CommandError(
                f"--issuer {spec!r}: {len(hits)} organisations have that name "
                f"(ids {', '.join(map(str, hits))}): give the id"
            )
        return hits[0]

    def label(self, org_id: int) -> str:
        """``Name (org N)``."""
        return f"{self.name(org_id) or 'unknown organisation'} (org {org_id})"


def _fold(name: str | None) -> str | None:
    return None if name is None else name.strip().casefold()


def parse_id(value: str, what: str) -> bytes:
    """A 32-byte hex id, or a bad-input error naming ``what``."""
    try:
        return from_hex(value)
    except ValueError as err:
        raise CommandError(f"{what}: {err}") from err


def schema_json(client: NotaryClient, schema_id: int) -> dict[str, Any]:
    """The schema as the trusted Notary holds it."""
    s = client.schema(schema_id)
    return {"id": schema_id, "name": s["name"], "version": s["version"], "org_id": s["org_id"]}


def collect_files(directory: Path) -> list[Path]:
    """Every regular file under ``directory`` in a stable order, bundles excluded."""
    return sorted(
        p
        for p in directory.rglob("*")
        if p.is_file() and not p.name.endswith(BUNDLE_SUFFIX) and not p.name.startswith(".")
    )


def bundle_path(out: Path, base: Path, document: Path) -> Path:
    """Bundle file for ``document``: its path relative to ``base``, mirrored under ``out``."""
    rel = document.relative_to(base) if document.is_relative_to(base) else Path(document.name)
    return out.joinpath(*rel.parts[:-1], rel.name + BUNDLE_SUFFIX)


@contextmanager
def progress() -> Iterator[Progress]:
    """A progress bar on stderr that prints file names as typed (no markup)."""
    bar = Progress(
        TextColumn("{task.description}", markup=False),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err_console,
        transient=True,
    )
    with bar:
        yield bar


def print_report(headline: Text, rows: list[tuple[str, str | Text]]) -> None:
    """A headline and aligned ``label  value`` lines; long ids are never wrapped or cut."""
    console.print(headline, soft_wrap=True)
    width = max((len(label) for label, _ in rows), default=0)
    for label, value in rows:
        line = Text(f"  {label.ljust(width)}  ")
        line.append(value)
        console.print(line, soft_wrap=True)


def trust_rows(trusted: TrustedNotary) -> list[tuple[str, str | Text]]:
    """The lines every on-chain report ends with: which chain and contracts answered."""
    return [
        ("chain", str(trusted.chain_id)),
        ("notary", f"{trusted.notary} (trusted from {trusted.source}; code: {trusted.code_check})"),
        ("consortium", trusted.consortium),
    ]


def _utc(ts: int) -> str:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(ts, tz=UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


# ------------------------------------------------------------------ notarize


@dataclass
class _Planned:
    path: Path
    digest: bytes
    target: Path


def _plan(
    paths: tuple[Path, ...], out: Path, encoding: str
) -> list[tuple[Path | None, list[_Planned]]]:
    """Every document with its digest and bundle file, checked before anything is sent:
    two documents never share a bundle file, and no bundle of another document is overwritten."""
    groups: list[tuple[Path | None, list[_Planned]]] = []
    owner: dict[str, Path] = {}
    for path in paths:
        if path.is_dir():
            files = collect_files(path)
            if not files:
                raise CommandError(f"{path}: no files to notarize")
            base, batch = path, path
        else:
            files, base, batch = [path], path.parent, None
        planned = []
        with progress() as bar:
            task = bar.add_task(f"hashing {path}", total=len(files))
            for f in files:
                target = bundle_path(out, base, f)
                # Case-folded: a bundle set must survive a copy to a case-insensitive disk.
                key = str(target.absolute()).casefold()
                if key in owner:
                    raise CommandError(
                        f"{f} and {owner[key]} would share the bundle file {target}: notarize "
                        "them with separate --out folders; nothing was sent"
                    )
                owner[key] = f
                planned.append(_Planned(f, document_digest(f, encoding), target))
                bar.advance(task)
        groups.append((batch, planned))
    for _, planned in groups:
        for p in planned:
            if p.target.exists():
                try:
                    previous = Bundle.load(p.target).digest
                except BundleError:
                    previous = None
                if previous != p.digest:
                    raise CommandError(
                        f"{p.target} already holds the bundle of another document: choose "
                        "another --out (or move it away); nothing was sent"
                    )
    return groups


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--schema", "schema_id", type=int, required=True, help="Registered schema id.")
@click.option("--expires-at", type=int, default=0, help="Unix expiry (0: never).")
@click.option("--parent", default=None, help="Parent record id (single files only).")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("bundles"),
    show_default=True,
    help="Directory for the proof bundles (the documents' folder tree is mirrored).",
)
@click.option(
    "--list",
    "list_all",
    is_flag=True,
    help="Print every document with its digest, record and bundle (default: one line per "
    "record sent and a summary; --json always lists them).",
)
@json_record_option
@account_option
@chain_options
@json_option
def notarize(
    paths: tuple[Path, ...],
    schema_id: int,
    expires_at: int,
    parent: str | None,
    out: Path,
    list_all: bool,
    json_record: bool,
    account_alias: str,
    network: str,
    notary_address: str | None,
    as_json: bool,
) -> None:
    """Notarize files: each FILE is attested alone, each DIRECTORY becomes one batch.

    Writes one proof bundle per document into --out, mirroring the folder tree
    (dir/a/b.xml -> OUT/a/b.xml.bundle.json); refuses before sending anything if two
    documents would share a bundle file.
    """
    encoding = ENCODING_JSON if json_record else ENCODING_BYTES
    parent_id = parse_id(parent, "--parent") if parent else None
    if parent_id is not None and any(p.is_dir() for p in paths):
        raise CommandError("--parent applies to single files only, not to a directory (batch)")
    check_notary_flag(notary_address)
    sender = load_account(account_alias)  # an unknown alias is told before connecting
    groups = _plan(paths, out, encoding)
    results: list[dict[str, Any]] = []
    sent: list[dict[str, Any]] = []
    with connected(network), chain_errors():
        client, trusted = trusted_client(notary_address)
        orgs = Organisations(trusted.consortium)
        check_attest(
            client,
            sender,
            digests=[
                (str(batch_dir), MerkleTree([p.digest for p in planned]).root)
                if batch_dir is not None
                else (str(planned[0].path), planned[0].digest)
                for batch_dir, planned in groups
            ],
            schema_id=schema_id,
            parent=parent_id,
            expires_at=expires_at,
            now=_chain_time(),
        )
        for batch_dir, planned in groups:
            root: bytes | None = None
            if batch_dir is not None:
                tree = MerkleTree([p.digest for p in planned])
                root = tree.root
                rid, tx = client.anchor_batch(tree, schema_id, sender=sender, expires_at=expires_at)
                rec = client.record(rid)
                bundles = batch_bundles(
                    [p.digest for p in planned],
                    org_id=rec.org_id,
                    chain_id=trusted.chain_id,
                    notary=trusted.notary,
                    names=[str(p.path.relative_to(batch_dir)) for p in planned],
                    schema_id=schema_id,
                    tree=tree,
                    tx_hash=str(tx.txn_hash),
                    block_number=int(tx.block_number),
                    attested_at=rec.attested_at,
                    org_name=orgs.name(rec.org_id),
                    encoding=encoding,
                )
            else:
                (p,) = planned
                rid, tx = client.attest(
                    p.digest, schema_id, sender=sender, parent=parent_id, expires_at=expires_at
                )
                rec = client.record(rid)
                bundles = [
                    Bundle(
                        digest=p.digest,
                        name=p.path.name,
                        org_id=rec.org_id,
                        org_name=orgs.name(rec.org_id),
                        record_id=rid,
                        chain_id=trusted.chain_id,
                        notary=trusted.notary,
                        schema_id=schema_id,
                        tx_hash=str(tx.txn_hash),
                        block_number=int(tx.block_number),
                        attested_at=rec.attested_at,
                        encoding=encoding,
                    )
                ]
            sent.append(
                {
                    "record_id": to_hex(rid),
                    "kind": "batch" if batch_dir is not None else "attestation",
                    "source": str(batch_dir if batch_dir is not None else planned[0].path),
                    "documents": len(planned),
                    "root": to_hex(root) if root is not None else None,
                    "tx_hash": str(tx.txn_hash),
                    "block_number": int(tx.block_number),
                    "gas_used": _gas_used(tx),
                }
            )
            with progress() as bar:
                task = bar.add_task("writing bundles", total=len(planned))
                for p, b in zip(planned, bundles, strict=True):
                    p.target.parent.mkdir(parents=True, exist_ok=True)
                    b.save(p.target)
                    results.append(
                        {
                            "path": str(p.path),
                            "digest": to_hex(b.digest),
                            "record_id": to_hex(rid),
                            "batch_index": b.batch.index if b.batch else None,
                            "bundle": str(p.target),
                        }
                    )
                    bar.advance(task)
        org_label = orgs.label(rec.org_id)

    gas = sum(r["gas_used"] or 0 for r in sent)
    summary = {
        "files": len(results),
        "records": len(sent),
        "gas_used": gas if all(r["gas_used"] is not None for r in sent) else None,
        "out": str(out),
    }

    def render() -> None:
        if list_all:
            # One line per document, ids in full (never wrapped or cut): copyable.
            for r in results:
                console.print(
                    f"{r['path']}  {r['digest']}  {r['record_id']}  {r['bundle']}", soft_wrap=True
                )
        for r in sent:
            what = (
                f"batch of {r['documents']} documents from {r['source']}, root {r['root']}"
                if r["kind"] == "batch"
                else f"attestation of {r['source']}"
            )
            console.print(
                text(("record ", "dim"), f"{r['record_id']} {what}; tx {r['tx_hash']} "
                     f"block {r['block_number']}" + (f" gas {r['gas_used']}" if r["gas_used"]
                     else "")),
                soft_wrap=True,
            )  # fmt: skip
        gas_part = f", gas {summary['gas_used']}" if summary["gas_used"] else ""
        console.print(
            text(
                ("Notarized", "bold green"),
                f" {len(results)} document(s) in {len(sent)} record(s) as {org_label}{gas_part}; "
                f"bundles in {out}" + ("" if list_all else " (--list shows every document)"),
            ),
            soft_wrap=True,
        )
        print_report(text(("hashed as ", "dim"), HASHED_AS[encoding]), trust_rows(trusted))

    emit(
        as_json,
        {
            "ok": True,
            "summary": summary,
            "records": sent,
            "documents": results,
            "hashed_as": encoding,
            **trusted.to_json(),
        },
        render,
    )


def _gas_used(tx: Any) -> int | None:
    try:
        return int(tx.gas_used)
    except (AttributeError, TypeError, ValueError):
        return None


def _chain_time() -> int | None:
    from ape import chain

    try:
        return int(chain.pending_timestamp)
    except Exception:
        return None


# ------------------------------------------------------------------ verify


def _load_bundle(bundle_file: Path) -> Bundle:
    try:
        return Bundle.load(bundle_file)
    except BundleError as err:
        raise CommandError(f"{bundle_file}: {err}", EXIT_BAD_INPUT) from err


def _check_file(path: Path, bundle: Bundle, encoding: str) -> bytes:
    """The document's digest, checked offline against the bundle (exit 1 if it differs)."""
    try:
        digest = document_digest(path, encoding)
    except BundleError as err:
        raise CommandError(str(err), EXIT_BAD_INPUT) from err
    try:
        verify_offline(bundle, digest)
    except BundleError as err:
        raise CommandError(f"not valid: {err}", EXIT_NOT_VALID, valid=False) from err
    return digest


@click.command()
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--bundle",
    "bundle_file",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
)
@click.option(
    "--offline",
    is_flag=True,
    help="Check the file against the bundle only: no chain, so no validity and no inclusion.",
)
@click.option(
    "--issuer", default=None, help="Organisation (id or name) that must have attested it."
)
@json_record_option
@bundle_chain_options
@json_option
def verify(
    path: Path,
    bundle_file: Path,
    offline: bool,
    issuer: str | None,
    json_record: bool,
    network: str | None,
    notary_address: str | None,
    as_json: bool,
) -> None:
    """Verify a document against its proof bundle on the Notary you trust.

    Reports valid or not, by which organisation, when, on which chain and contract.
    The file is hashed as the bundle says it was notarized (--json-record forces the
    canonical JSON form).
    """
    bundle = _load_bundle(bundle_file)
    encoding = ENCODING_JSON if json_record else bundle.encoding
    if offline and issuer:
        raise CommandError("--issuer needs the chain: offline, the organisation is only a claim")
    check_notary_flag(notary_address)
    digest = _check_file(path, bundle, encoding)
    base: dict[str, Any] = {
        "document": str(path),
        "digest": to_hex(digest),
        "hashed_as": encoding,
        "record_id": to_hex(bundle.record_id),
        "batch": None
        if bundle.batch is None
        else {"index": bundle.batch.index, "size": bundle.batch.size},
    }
    if offline:
        _report_offline(path, bundle, base, network, notary_address, as_json)
        return
    with connected(choose_network(network, bundle.chain_id)), chain_errors():
        client, trusted = trusted_client(notary_address)
        mirrored = _mirrored_copy(client, trusted, bundle)
        if mirrored is None:
            check_claims(trusted, chain_id=bundle.chain_id, notary=bundle.notary)
            _check_transaction(bundle, trusted)
            checked_id = bundle.record_id
            status = client.bundle_status(bundle)
        else:
            checked_id = mirrored
            if bundle.batch is None:
                status = client.status(mirrored)
            else:  # a document of a mirrored batch: the origin's proof, the foreign batch
                batch = bundle.batch
                status = client.document_status(mirrored, bundle.digest, batch.index, batch.proof)
        orgs = Organisations(trusted.consortium)
        rec = client.record(checked_id)
        revoked_at, reason = rec.revoked_at, rec.reason
        if bundle.batch is not None and not revoked_at:
            revoked_at, reason = (
                int(v) for v in client.contract.documentRevocation(checked_id, bundle.digest)
            )
        expected = orgs.resolve(issuer) if issuer else None
        org_id = rec.org_id if rec.exists else None
        report = {
            **base,
            "ok": status == Status.VALID,
            "valid": status == Status.VALID,
            "status": status.name,
            "included": status not in (Status.NOT_INCLUDED, Status.UNKNOWN),
            "org_id": org_id,
            "org_name": orgs.name(org_id) if org_id is not None else None,
            "schema": schema_json(client, rec.schema_id)
            if rec.exists and mirrored is None
            else None,
            "attested_at": rec.attested_at if rec.exists else None,
            "expires_at": rec.expires_at or None,
            "revoked_at": revoked_at or None,
            "revocation_reason": _reason(reason) if revoked_at else None,
            "mirrored_from": None
            if mirrored is None
            else {
                "chain_id": bundle.chain_id,
                "notary": bundle.notary,
                "foreign_id": to_hex(mirrored),
            },
            **trusted.to_json(),
        }
        if mirrored is not None and rec.schema_id:
            report["schema"] = {"id": rec.schema_id, "origin_chain_id": bundle.chain_id}
        if expected is not None:
            report["issuer_expected"] = {"org_id": expected, "org_name": orgs.name(expected)}
            if org_id != expected:
                report.update(ok=False, valid=False)
                report["error"] = (
                    f"attested by {orgs.label(org_id) if org_id else 'nobody on this Notary'}, "
                    f"not by {orgs.label(expected)}"
                )

    def render() -> None:
        mark = ("VALID", "bold green") if report["valid"] else ("NOT VALID", "bold red")
        rows: list[tuple[str, str | Text]] = [
            ("status", report["status"]),
            ("document", f"{path} ({HASHED_AS[encoding]} {report['digest']})"),
            (
                "attester",
                orgs.label(org_id) if org_id is not None else "no such record on this Notary",
            ),
        ]
        if report.get("error"):
            rows.append(("issuer", text((report["error"], "red"))))
        if report["schema"] and "name" in report["schema"]:
            s = report["schema"]
            rows.append(("schema", f"{s['id']} {s['name']} {s['version']}"))
        elif report["schema"]:
            rows.append(("schema", f"{report['schema']['id']} (of chain {bundle.chain_id})"))
        if report["attested_at"]:
            rows.append(("attested", _utc(report["attested_at"])))
        if report["expires_at"]:
            rows.append(("expires", _utc(report["expires_at"])))
        if report["revoked_at"]:
            rows.append(
                ("revoked", f"{_utc(report['revoked_at'])}, reason {report['revocation_reason']}")
            )
        rows.append(("record", report["record_id"]))
        if mirrored is not None:
            rows.append(
                ("mirrored", f"from chain {bundle.chain_id} (Notary {bundle.notary}) as "
                 f"{to_hex(mirrored)}")
            )  # fmt: skip
        if bundle.batch is not None:
            rows.append(("batch", f"document {bundle.batch.index} of {bundle.batch.size}"))
        print_report(text(mark), rows + trust_rows(trusted))

    emit(as_json, report, render)
    if not report["ok"]:
        sys.exit(EXIT_NOT_VALID)


def _mirrored_copy(client: NotaryClient, trusted: TrustedNotary, bundle: Bundle) -> bytes | None:
    """The foreign id of the bundle's record when the bundle is of another chain whose Notary
    the trusted Notary takes mirrored records from (its peer); None for a bundle of this chain.

    A bundle of another chain is refused (:func:`check_claims`) unless the trusted Notary's
    governance made the bundle's Notary its peer for that chain: then only the copy that peer
    sent over the message bus answers, never anything the bundle says.
    """
    if int(bundle.chain_id) == trusted.chain_id:
        return None
    peer = str(client.contract.mirroring(int(bundle.chain_id))[1])
    if int(peer, 16) == 0 or not is_valid_address(str(bundle.notary)):
        check_claims(trusted, chain_id=bundle.chain_id, notary=bundle.notary)
        return None
    if to_checksum_address(str(bundle.notary)) != to_checksum_address(peer):
        raise TrustError(
            f"the bundle names Notary {bundle.notary} on chain {bundle.chain_id}, but the Notary "
            f"you trust on chain {trusted.chain_id} ({trusted.notary}) takes mirrored records of "
            f"chain {bundle.chain_id} only from {peer}: refusing it"
        )
    return foreign_id(int(bundle.chain_id), bundle.record_id)


def _check_transaction(bundle: Bundle, trusted: TrustedNotary) -> None:
    """The bundle's transaction must be on the connected chain and have made its record at the
    trusted Notary: a bundle whose chain id was edited to another chain names a transaction
    that chain never saw (transaction hashes bind the chain id), and is refused."""
    if not bundle.tx_hash:
        return
    logs = _receipt_logs(str(bundle.tx_hash))
    if logs is None:
        raise TrustError(
            f"the bundle's transaction {bundle.tx_hash} is not on chain {trusted.chain_id}: "
            "the bundle's chain id or transaction was edited, or the chain was reset; "
            "refusing to check it here"
        )
    # A transaction found that made no record at the trusted Notary (a bundle naming another
    # contract, edited to name this one) is left to the chain's answer: UNKNOWN, not valid.


def _receipt_logs(tx_hash: str) -> list[tuple[str, list[bytes]]] | None:
    """``(address, topics)`` of each log of ``tx_hash`` on the connected chain; None if the
    chain does not know the transaction. Asked without waiting (ape's ``get_receipt`` waits
    for a transaction still to be mined)."""
    from ape import chain
    from ape.exceptions import TransactionNotFoundError

    provider = chain.provider
    web3 = getattr(provider, "_web3", None)
    if web3 is not None:
        from web3.exceptions import TransactionNotFound

        try:
            raw = web3.eth.get_transaction_receipt(tx_hash)
        except (TransactionNotFound, ValueError):
            return None
        if raw is None:
            return None
        return [(str(log["address"]), [bytes(t) for t in log["topics"]]) for log in raw["logs"]]
    try:
        receipt = provider.get_receipt(tx_hash)
    except (TransactionNotFoundError, ValueError):
        return None
    return [(str(log["address"]), [_topic(t) for t in log["topics"]]) for log in receipt.logs]


def _topic(value: Any) -> bytes:
    if isinstance(value, str):
        return bytes.fromhex(value.removeprefix("0x")).rjust(32, b"\x00")
    return bytes(value).rjust(32, b"\x00")


def _reason(code: int) -> str:
    try:
        return RevocationReason(code).name
    except ValueError:
        return f"code {code}"


def _report_offline(
    path: Path,
    bundle: Bundle,
    base: dict[str, Any],
    network: str | None,
    notary_address: str | None,
    as_json: bool,
) -> None:
    claimed = {
        "org_id": bundle.org_id,
        "org_name": bundle.org_name,
        "chain_id": bundle.chain_id,
        "notary": bundle.notary,
        "schema_id": bundle.schema_id,
        "attested_at": bundle.attested_at,
    }
    attester = _offline_attester(bundle, network, notary_address)
    report = {
        "ok": True,
        "mode": "offline",
        "result": OFFLINE_RESULT,
        **base,
        CLAIMED_KEY: claimed,
        "attester": attester,
    }

    def render() -> None:
        if attester["verified"]:
            label = "attester"
            who = (
                f"{attester['org_name'] or 'unnamed organisation'} (org {bundle.org_id}), named "
                f"by the Consortium you trust on chain {bundle.chain_id}"
            )
        else:
            label = f"attester ({CLAIMED})"
            who = (
                f"{bundle.org_name or 'unnamed'} (org {bundle.org_id}); name unverified: "
                f"{attester['why']}"
            )
        rows: list[tuple[str, str | Text]] = [
            ("document", f"{path} ({HASHED_AS[base['hashed_as']]} {base['digest']})"),
            ("record", f"{base['record_id']} (not looked up)"),
            (label, who),
            (f"chain ({CLAIMED})", str(bundle.chain_id)),
            (f"notary ({CLAIMED})", str(bundle.notary)),
        ]
        if bundle.batch is not None:
            rows.insert(2, ("batch", f"document {bundle.batch.index} of {bundle.batch.size}"))
        print_report(text((OFFLINE_RESULT, "bold yellow")), rows)

    emit(as_json, report, render)


def _offline_attester(
    bundle: Bundle, network: str | None, notary_address: str | None
) -> dict[str, Any]:
    """The attesting organisation's name from the Consortium the relying party trusts on the
    bundle's chain when that chain answers; else the bundle's claim, marked unverified.
    Only the name is looked up: the record itself stays unchecked (that is what offline means)."""
    out: dict[str, Any] = {"org_id": bundle.org_id, "org_name": None, "verified": False}
    try:
        with connected(choose_network(network, bundle.chain_id)):
            reader = ApeChainReader()
            if reader.chain_id() != int(bundle.chain_id):
                out["why"] = f"the network answers for chain {reader.chain_id()}"
                return out
            trusted = trusted_notary(reader, notary=notary_address, network=reader.network())
            out.update(
                org_name=Organisations(trusted.consortium).name(bundle.org_id),
                verified=True,
                consortium=trusted.consortium,
            )
    except Exception as err:
        out["why"] = _first_line(err) or type(err).__name__
    return out


def _first_line(err: BaseException) -> str:
    return str(err).strip().splitlines()[0] if str(err).strip() else ""


# ------------------------------------------------------------------ revoke


@click.command()
@click.argument("record_id", required=False)
@click.option(
    "--bundle",
    "bundle_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Revoke the document of this bundle (one document of its batch); checked first.",
)
@click.option(
    "--document", default=None, help="Revoke only this document digest of batch RECORD_ID."
)
@click.option(
    "--reason",
    type=click.Choice([r.name.lower() for r in RevocationReason]),
    default="unspecified",
    show_default=True,
)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation before sending.")
@account_option
@bundle_chain_options
@json_option
def revoke(
    record_id: str | None,
    bundle_file: Path | None,
    document: str | None,
    reason: str,
    yes: bool,
    account_alias: str,
    network: str | None,
    notary_address: str | None,
    as_json: bool,
) -> None:
    """Revoke a record (attestation or whole batch), or one document of a batch.

    Shows what will be revoked (record, document, attesting organisation, current
    status) and asks before sending, unless --yes. A bundle is checked offline first:
    its record id must follow from its document, proof and organisation.
    """
    code = RevocationReason[reason.upper()]
    bundle: Bundle | None = None
    if bundle_file is not None:
        if record_id or document:
            raise CommandError("give RECORD_ID (with --document) or --bundle, not both")
        bundle = _load_bundle(bundle_file)
        try:
            verify_offline(bundle)
        except BundleError as err:
            raise CommandError(
                f"refusing to revoke: {bundle_file} is not self-consistent ({err}); "
                "nothing was sent"
            ) from err
        target = bundle.record_id
        doc = bundle.digest if bundle.batch is not None else None
    elif record_id:
        target = parse_id(record_id, "RECORD_ID")
        doc = parse_id(document, "--document") if document else None
    else:
        raise CommandError("give RECORD_ID or --bundle")
    check_notary_flag(notary_address)
    chain_id = bundle.chain_id if bundle is not None else None
    sender = load_account(account_alias)
    with connected(choose_network(network, chain_id)), chain_errors():
        client, trusted = trusted_client(notary_address)
        if bundle is not None:
            check_claims(trusted, chain_id=bundle.chain_id, notary=bundle.notary)
        orgs = Organisations(trusted.consortium)
        rec = client.record(target)
        if not rec.exists:
            raise CommandError(
                f"no record {to_hex(target)} on Notary {trusted.notary} (chain "
                f"{trusted.chain_id}): check the id (or --network); nothing was sent"
            )
        check_revoke(client, sender, rec, doc)
        if bundle is not None and bundle.batch is not None:
            status = client.bundle_status(bundle)
        else:
            status = client.status(target)
        already, already_reason = rec.revoked_at, rec.reason
        if doc is not None and not already:
            already, already_reason = (
                int(v) for v in client.contract.documentRevocation(target, doc)
            )
        plan: dict[str, Any] = {
            "record_id": to_hex(target),
            "document": to_hex(doc) if doc else None,
            "document_name": bundle.name if bundle else None,
            "org_id": rec.org_id,
            "org_name": orgs.name(rec.org_id),
            "kind": rec.kind.name,
            "status": status.name,
            "reason": code.name,
            **trusted.to_json(),
        }
        if already:
            raise CommandError(
                f"{plan['document'] or plan['record_id']} was already revoked at "
                f"{_utc(already)} (reason {_reason(already_reason)}): nothing was sent",
                **plan,
            )
        _show_plan(plan, orgs.label(rec.org_id), trusted, as_json)
        if not yes:
            _confirm(f"Revoke {plan['document'] or plan['record_id']} ({code.name})?")
        if doc is None:
            tx = client.revoke(target, code, sender=sender)
        else:
            tx = client.revoke_document(target, doc, code, sender=sender)
    payload = {"ok": True, **plan, "tx_hash": str(tx.txn_hash)}
    emit(
        as_json,
        payload,
        lambda: console.print(
            text(("revoked", "green"), f" {payload['document'] or payload['record_id']}"),
            soft_wrap=True,
        ),
    )


def _show_plan(plan: dict[str, Any], attester: str, trusted: TrustedNotary, as_json: bool) -> None:
    rows: list[tuple[str, str | Text]] = [("record", f"{plan['record_id']} ({plan['kind']})")]
    if plan["document"]:
        name = f" {plan['document_name']}" if plan["document_name"] else ""
        rows.append(("document", f"{plan['document']}{name}"))
    rows += [
        ("attester", attester),
        ("status now", plan["status"]),
        ("reason", plan["reason"]),
    ]
    # With --json the plan goes to stderr: stdout holds only the one JSON document.
    out = err_console if as_json else console
    out.print(text(("About to revoke", "bold")), soft_wrap=True)
    width = max(len(label) for label, _ in rows + trust_rows(trusted))
    for label, value in rows + trust_rows(trusted):
        line = Text(f"  {label.ljust(width)}  ")
        line.append(value)
        out.print(line, soft_wrap=True)


def _confirm(question: str) -> None:
    try:
        answer = click.confirm(question, default=False, err=True)
    except click.Abort:
        answer = False
    if not answer:
        raise CommandError("not confirmed: nothing was revoked (--yes skips the question)")


# ------------------------------------------------------------------ trace


@click.command()
@click.argument("record_id", required=False)
@click.option(
    "--bundle",
    "bundle_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Trace the record of this bundle, on the chain it names (instead of RECORD_ID).",
)
@bundle_chain_options
@json_option
def trace(
    record_id: str | None,
    bundle_file: Path | None,
    network: str | None,
    notary_address: str | None,
    as_json: bool,
) -> None:
    """Show the lineage of RECORD_ID (or of --bundle's record) as a tree, from its oldest
    ancestor down."""
    bundle: Bundle | None = None
    if bundle_file is not None:
        if record_id:
            raise CommandError("give RECORD_ID or --bundle, not both")
        bundle = _load_bundle(bundle_file)
        rid = bundle.record_id
    elif record_id:
        rid = parse_id(record_id, "RECORD_ID")
    else:
        raise CommandError("give RECORD_ID or --bundle")
    check_notary_flag(notary_address)
    with connected(choose_network(network, bundle.chain_id if bundle else None)), chain_errors():
        client, trusted = trusted_client(notary_address)
        if bundle is not None:
            check_claims(trusted, chain_id=bundle.chain_id, notary=bundle.notary)
        orgs = Organisations(trusted.consortium)
        source = ape_read_from()
        try:
            tree = client.lineage(rid)
        except KeyError as err:
            raise CommandError(
                f"unknown record {to_hex(rid)} on Notary {trusted.notary} (chain "
                f"{trusted.chain_id}): check the id, or --network for the chain it was made on"
            ) from err
        labels: dict[int, str] = {}

        def collect(node: LineageNode) -> None:
            labels.setdefault(node.record.org_id, orgs.label(node.record.org_id))
            for child in node.children:
                collect(child)

        collect(tree)

    def label(node: LineageNode) -> Text:
        colour = "green" if node.status == Status.VALID else "red"
        return text(
            f"{to_hex(node.record.id)} {labels[node.record.org_id]} "
            f"schema {node.record.schema_id} {_utc(node.record.attested_at)} ",
            (node.status.name, colour),
            (" ◀", "bold") if node.record.id == rid else "",
        )

    def render() -> None:
        # Guides drawn by hand, one line per record: rich's Tree wraps long ids.
        def add(node: LineageNode, prefix: str, last: bool, root: bool) -> None:
            guide = "" if root else prefix + ("└── " if last else "├── ")
            line = Text(guide)
            line.append(label(node))
            console.print(line, soft_wrap=True)
            inner = "" if root else prefix + ("    " if last else "│   ")
            for i, child in enumerate(node.children):
                add(child, inner, i == len(node.children) - 1, False)

        add(tree, "", True, True)
        if source == "index":
            console.print(text((INDEX_NOTE, "dim")))
        print_report(Text(""), trust_rows(trusted))

    emit(
        as_json,
        {
            "ok": True,
            "record_id": to_hex(rid),
            "lineage": tree.to_json(),
            **trusted.to_json(),
            "source": source,
        },
        render,
    )


# ------------------------------------------------------------------ disclosure


@click.command()
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--field", "fields", multiple=True, help="Field to reveal (repeatable).")
@click.option("--anchor", is_flag=True, help="Anchor the commitment root on chain (new records).")
@click.option(
    "--commitment",
    "commitment_out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Where to write the (secret) commitment of a new record, created with mode 0600. "
    "Default: SOURCE's folder, <stem>.commitment.json.",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the disclosure here (default: stdout).",
)
@click.option(
    "--force",
    is_flag=True,
    help="Overwrite an existing --commitment or --out file (an anchored commitment's salts "
    "are then lost: the anchored root can no longer be disclosed).",
)
@click.option("--account", "account_alias", default=None, help="Signer for --anchor.")
@chain_options
@json_option
def disclose(
    source: Path,
    fields: tuple[str, ...],
    anchor: bool,
    commitment_out: Path | None,
    out: Path | None,
    force: bool,
    account_alias: str | None,
    network: str,
    notary_address: str | None,
    as_json: bool,
) -> None:
    """Selective disclosure of SOURCE (a JSON record, or a commitment file).

    A plain record is committed field by field with fresh salts; --anchor puts
    its root on chain as a batch; the commitment (values and salts: keep it
    secret) is written to --commitment with mode 0600, never over an existing file
    unless --force. Then --field NAME reveals those fields only, with proofs, as a
    disclosure document.
    """
    try:
        data = load_json_record(source)
    except BundleError as err:
        raise CommandError(f"{err}: give a JSON object of fields, or a commitment file") from err
    if isinstance(data, dict) and data.get("type") == "trustspace.commitment":
        try:
            commitment = Commitment.from_json(data)
        except (KeyError, TypeError, ValueError, AttributeError) as err:
            raise CommandError(f"{source}: not a commitment: {err}") from err
        created = False
    else:
        if not isinstance(data, dict) or not data:
            raise CommandError(
                f"{source}: a record must be a JSON object of fields (got "
                f"{type(data).__name__}{'' if data else ', empty'})"
            )
        commitment = commit(data)
        created = True
    if anchor and account_alias is None:
        raise CommandError("--anchor needs --account (the notary who signs the anchoring)")
    if anchor and commitment.anchor:
        raise CommandError(
            f"{source} is already anchored as batch {commitment.anchor.get('batch_id')}: "
            "disclose from it without --anchor"
        )
    if commitment_out is not None and not (created or anchor):
        raise CommandError("--commitment applies to a new record or --anchor only")
    if fields:
        missing = [f for f in fields if f not in commitment.record]
        if missing:
            raise CommandError(
                f"no field {', '.join(map(repr, missing))} in {source}: its fields are "
                f"{', '.join(map(repr, commitment.record))}"
            )
    target = None
    if created or anchor:
        target = commitment_out or source.with_name(source.stem + ".commitment.json")
        _refuse_overwrite(target, force, "--commitment", secret=True)
    if out is not None:
        _refuse_overwrite(out, force, "--out")
    check_notary_flag(notary_address)
    if target is not None and not anchor:
        write_secret(target, commitment.to_json(), replace=force)
    if anchor:
        assert account_alias is not None and target is not None
        sender = load_account(account_alias)
        with connected(network), chain_errors():
            client, _trusted = trusted_client(notary_address)
            schema = client.disclosure_schema(client.org_of(sender))
            if schema:
                check_attest(
                    client,
                    sender,
                    digests=[(f"the commitment of {source}", commitment.root)],
                    schema_id=schema,
                )
            else:
                _check_disclosure_anchor(client, sender, commitment.root, source)
            # Written once every check passed and before sending: the salts of a root that
            # goes on chain are never only in memory, and a refused anchoring leaves no file.
            from ape.exceptions import ContractLogicError

            existed = target.exists()
            write_secret(target, commitment.to_json(), replace=force)  # never a racing file
            try:
                # Under the organisation's own disclosure schema (registered on first use), so
                # that no ordinary batch can pose as a disclosure (docs/notary.md).
                client.anchor_disclosure(commitment, sender=sender)
            except ContractLogicError:
                # A revert may also come from a view read after the anchoring was mined: the
                # file goes only if the chain confirms that the root is not there.
                if not existed and not _root_on_chain(client, sender, commitment.root):
                    target.unlink(missing_ok=True)
                raise
        write_secret(target, commitment.to_json(), replace=True)
    if target is not None and not as_json:
        err_console.print(f"commitment (secret, mode 0600) written to {target}", style="dim")
    result: dict[str, Any] = {
        "ok": True,
        "root": to_hex(commitment.root),
        "anchor": commitment.anchor,
        "commitment": None if target is None else str(target),
    }
    if fields:
        try:
            disclosure = commitment.disclose(fields)
        except KeyError as err:
            raise CommandError(str(err.args[0])) from err
        document = disclosure.to_json()
        if out is not None:
            _write_new(out, json.dumps(document, indent=2) + "\n")
            result["disclosure"] = str(out)
        elif not as_json:
            click.echo(json.dumps(document, indent=2))
        else:
            result["disclosure"] = document
    emit(
        as_json,
        result,
        lambda: console.print(
            f"root {result['root']}" + (f" -> {out}" if out else ""), soft_wrap=True
        ),
    )


def _root_on_chain(client: NotaryClient, sender: Any, root: bytes) -> bool:
    """True unless the chain answers that ``root`` is not anchored by the sender's
    organisation (any doubt counts as anchored: salts are kept, never lost)."""
    from trustspace.notary.tree import record_id

    try:
        return bool(client.record(record_id(root, client.org_of(sender))).exists)
    except Exception:  # the node failed again: keep the file
        return True


def _check_disclosure_anchor(client: NotaryClient, sender: Any, root: bytes, source: Path) -> None:
    """Before the organisation has a disclosure schema: only role and duplicate root."""
    from trustspace.notary.preflight import notary_org
    from trustspace.notary.tree import record_id

    org_id = notary_org(client, sender, "the signing account (--account)")
    if client.record(record_id(root, org_id)).exists:
        raise CommandError(f"the commitment of {source} is already anchored: nothing was sent")


def _refuse_overwrite(path: Path, force: bool, flag: str, *, secret: bool = False) -> None:
    if path.exists() and not force:
        what = "a commitment (its salts would be lost)" if secret else "a file"
        raise CommandError(
            f"{path} exists and may hold {what}: choose another {flag}, or pass --force to "
            "overwrite it; nothing was written or sent"
        )


def write_secret(path: Path, payload: Any, *, replace: bool = False) -> None:
    """Write ``payload`` as JSON to ``path``, created with mode 0600 (never readable by others,
    not even for an instant); an existing file is replaced only with ``replace``."""
    import os

    data = (json.dumps(payload, indent=2) + "\n").encode()
    path.parent.mkdir(parents=True, exist_ok=True)
    if not replace:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        return
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _write_new(path: Path, content: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content)


@click.command(name="verify-disclosure")
@click.argument("disclosure_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--offline",
    is_flag=True,
    help="Check the proofs against the root only: no chain, so no validity and no issuer.",
)
@click.option("--issuer", default=None, help="Organisation (id or name) that must have issued it.")
@bundle_chain_options
@json_option
def verify_disclosure_command(
    disclosure_file: Path,
    offline: bool,
    issuer: str | None,
    network: str | None,
    notary_address: str | None,
    as_json: bool,
) -> None:
    """Verify a disclosure on the Notary you trust: each revealed field against the root,
    the root on chain, and who issued it."""
    try:
        disclosure = Disclosure.from_json(load_json_record(disclosure_file))
    except (DisclosureError, BundleError) as err:
        raise CommandError(f"{disclosure_file}: {err}") from err
    if offline and issuer:
        raise CommandError("--issuer needs the chain: offline, the organisation is only a claim")
    try:
        revealed = sd.verify_disclosure(disclosure)
    except DisclosureError as err:
        raise CommandError(f"not valid: {err}", EXIT_NOT_VALID, valid=False) from err
    if offline:
        claimed = {
            "org_id": disclosure.org_id,
            "chain_id": disclosure.chain_id,
            "notary": disclosure.notary,
        }
        payload: dict[str, Any] = {
            "ok": True,
            "mode": "offline",
            "result": "proofs self-consistent with the root; anchoring not checked",
            "root": to_hex(disclosure.root),
            "fields": revealed,
            "claimed_by_disclosure": claimed,
        }

        def render_offline() -> None:
            rows: list[tuple[str, str | Text]] = [
                (name, json.dumps(value)) for name, value in revealed.items()
            ]
            rows.append(("issuer (claimed by the disclosure)", f"org {disclosure.org_id}"))
            print_report(text((payload["result"], "bold yellow")), rows)

        emit(as_json, payload, render_offline)
        return
    if disclosure.org_id is None:
        raise CommandError(
            f"{disclosure_file} names no organisation: its batch cannot be located on chain"
        )
    check_notary_flag(notary_address)
    with connected(choose_network(network, disclosure.chain_id)), chain_errors():
        client, trusted = trusted_client(notary_address)
        check_claims(
            trusted, chain_id=disclosure.chain_id, notary=disclosure.notary, what="the disclosure"
        )
        orgs = Organisations(trusted.consortium)
        check = client.check_disclosure(disclosure)
        statuses = {k: v.name for k, v in check.fields.items()}
        batch = check.batch_id
        rec = client.record(batch)
        expected = orgs.resolve(issuer) if issuer else None
        org_id = rec.org_id if rec.exists else None
        valid = check.valid
        payload = {
            "ok": valid,
            "valid": valid,
            "fields": revealed,
            "status": statuses,
            "batch_id": to_hex(batch),
            "issuer": None if org_id is None else {"org_id": org_id, "org_name": orgs.name(org_id)},
            "schema": schema_json(client, rec.schema_id) if rec.exists else None,
            "attested_at": rec.attested_at if rec.exists else None,
            **trusted.to_json(),
        }
        if check.problem() is not None:
            payload["error"] = check.problem()
        if expected is not None:
            payload["issuer_expected"] = {"org_id": expected, "org_name": orgs.name(expected)}
            if org_id != expected:
                payload.update(ok=False, valid=False)
                payload["error"] = (
                    f"issued by {orgs.label(org_id) if org_id else 'nobody on this Notary'}, "
                    f"not by {orgs.label(expected)}"
                )

    def render() -> None:
        mark = ("VALID", "bold green") if payload["valid"] else ("NOT VALID", "bold red")
        rows: list[tuple[str, str | Text]] = [
            (name, f"{json.dumps(value)}  {statuses.get(name, '')}")
            for name, value in revealed.items()
        ]
        rows.append(
            ("issuer", orgs.label(org_id) if org_id is not None else "no such batch on chain")
        )
        if payload.get("error"):
            rows.append(("expected", text((payload["error"], "red"))))
        if payload["schema"]:
            s = payload["schema"]
            rows.append(("schema", f"{s['id']} {s['name']} {s['version']}"))
        if payload["attested_at"]:
            rows.append(("attested", _utc(payload["attested_at"])))
        rows.append(("batch", payload["batch_id"]))
        print_report(text(mark, f" disclosure {disclosure_file.name}"), rows + trust_rows(trusted))

    emit(as_json, payload, render)
    if not payload["ok"]:
        sys.exit(EXIT_NOT_VALID)


# The command object keeps the short name the issue asks for.
verify_disclosure = verify_disclosure_command


#: Registered at the root of the ``trustspace`` command.
def _commands() -> list[click.Command]:
    from trustspace.cli.mirror import mirror

    return [notarize, verify, revoke, trace, disclose, verify_disclosure, mirror]


COMMANDS = _commands()
