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
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from rich.text import Text

from trustspace.cli.options import (
    EXIT_BAD_INPUT,
    EXIT_NOT_VALID,
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
from trustspace.crypto.hashing import from_hex, to_hex
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
from trustspace.notary.tree import MerkleTree
from trustspace.notary.trust import ApeChainReader, TrustedNotary, check_claims, trusted_notary

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


def chain_options(f: F) -> F:
    """``--network`` and ``--notary`` for every command that reads the chain."""
    f = click.option(
        "--notary",
        "notary_address",
        default=None,
        help="The Notary you trust (its code is checked). Default: your deployment record "
        "for the connected chain ($TRUSTSPACE_DEPLOYMENTS). Never taken from a bundle.",
    )(f)
    return network_option(f)


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
    groups = _plan(paths, out, encoding)
    results: list[dict[str, Any]] = []
    with connected(network):
        client, trusted = trusted_client(notary_address)
        orgs = Organisations(trusted.consortium)
        sender = load_account(account_alias)
        for batch_dir, planned in groups:
            if batch_dir is not None:
                tree = MerkleTree([p.digest for p in planned])
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

    def render() -> None:
        table = Table(title=f"Notarized {len(results)} document(s)")
        for col in ("document", "digest (sha256)", "record", "bundle"):
            table.add_column(col, overflow="fold")
        for r in results:
            table.add_row(r["path"], r["digest"], r["record_id"], r["bundle"])
        console.print(table)
        print_report(text(("hashed as ", "dim"), HASHED_AS[encoding]), trust_rows(trusted))

    emit(
        as_json,
        {"ok": True, "documents": results, "hashed_as": encoding, **trusted.to_json()},
        render,
    )


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
@chain_options
@json_option
def verify(
    path: Path,
    bundle_file: Path,
    offline: bool,
    issuer: str | None,
    json_record: bool,
    network: str,
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
        _report_offline(path, bundle, base, as_json)
        return
    with connected(network):
        client, trusted = trusted_client(notary_address)
        check_claims(trusted, chain_id=bundle.chain_id, notary=bundle.notary)
        orgs = Organisations(trusted.consortium)
        status = client.bundle_status(bundle)
        rec = client.record(bundle.record_id)
        revoked_at, reason = rec.revoked_at, rec.reason
        if bundle.batch is not None and not revoked_at:
            revoked_at, reason = (
                int(v) for v in client.contract.documentRevocation(bundle.record_id, bundle.digest)
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
            "schema": schema_json(client, rec.schema_id) if rec.exists else None,
            "attested_at": rec.attested_at if rec.exists else None,
            "expires_at": rec.expires_at or None,
            "revoked_at": revoked_at or None,
            "revocation_reason": _reason(reason) if revoked_at else None,
            **trusted.to_json(),
        }
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
        if report["schema"]:
            s = report["schema"]
            rows.append(("schema", f"{s['id']} {s['name']} {s['version']}"))
        if report["attested_at"]:
            rows.append(("attested", _utc(report["attested_at"])))
        if report["expires_at"]:
            rows.append(("expires", _utc(report["expires_at"])))
        if report["revoked_at"]:
            rows.append(
                ("revoked", f"{_utc(report['revoked_at'])} ({report['revocation_reason']})")
            )
        rows.append(("record", report["record_id"]))
        if bundle.batch is not None:
            rows.append(("batch", f"document {bundle.batch.index} of {bundle.batch.size}"))
        print_report(text(mark), rows + trust_rows(trusted))

    emit(as_json, report, render)
    if not report["ok"]:
        sys.exit(EXIT_NOT_VALID)


def _reason(code: int) -> str:
    try:
        return RevocationReason(code).name
    except ValueError:
        return f"code {code}"


def _report_offline(path: Path, bundle: Bundle, base: dict[str, Any], as_json: bool) -> None:
    claimed = {
        "org_id": bundle.org_id,
        "org_name": bundle.org_name,
        "chain_id": bundle.chain_id,
        "notary": bundle.notary,
        "schema_id": bundle.schema_id,
        "attested_at": bundle.attested_at,
    }
    report = {"ok": True, "mode": "offline", "result": OFFLINE_RESULT, **base, CLAIMED_KEY: claimed}

    def render() -> None:
        rows: list[tuple[str, str | Text]] = [
            ("document", f"{path} ({HASHED_AS[base['hashed_as']]} {base['digest']})"),
            ("record", f"{base['record_id']} (not looked up)"),
            (
                f"attester ({CLAIMED})",
                f"{bundle.org_name or 'unnamed'} (org {bundle.org_id})",
            ),
            (f"chain ({CLAIMED})", str(bundle.chain_id)),
            (f"notary ({CLAIMED})", str(bundle.notary)),
        ]
        if bundle.batch is not None:
            rows.insert(2, ("batch", f"document {bundle.batch.index} of {bundle.batch.size}"))
        print_report(text((OFFLINE_RESULT, "bold yellow")), rows)

    emit(as_json, report, render)


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
@chain_options
@json_option
def revoke(
    record_id: str | None,
    bundle_file: Path | None,
    document: str | None,
    reason: str,
    yes: bool,
    account_alias: str,
    network: str,
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
    with connected(network):
        client, trusted = trusted_client(notary_address)
        if bundle is not None:
            check_claims(trusted, chain_id=bundle.chain_id, notary=bundle.notary)
        sender = load_account(account_alias)
        orgs = Organisations(trusted.consortium)
        rec = client.record(target)
        if not rec.exists:
            raise CommandError(
                f"no record {to_hex(target)} on Notary {trusted.notary} (chain "
                f"{trusted.chain_id}): nothing was sent"
            )
        if bundle is not None and bundle.batch is not None:
            status = client.bundle_status(bundle)
        else:
            status = client.status(target)
        already = rec.revoked_at
        if doc is not None and not already:
            already = int(client.contract.documentRevocation(target, doc)[0])
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
                f"{_utc(already)}: nothing was sent",
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
@click.argument("record_id")
@chain_options
@json_option
def trace(record_id: str, network: str, notary_address: str | None, as_json: bool) -> None:
    """Show the lineage of RECORD_ID as a tree, from its oldest ancestor down."""
    rid = parse_id(record_id, "RECORD_ID")
    with connected(network):
        client, trusted = trusted_client(notary_address)
        orgs = Organisations(trusted.consortium)
        try:
            tree = client.lineage(rid)
        except KeyError as err:
            raise CommandError(
                f"unknown record {record_id} on Notary {trusted.notary} (chain {trusted.chain_id})"
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
        print_report(Text(""), trust_rows(trusted))

    emit(
        as_json,
        {"ok": True, "record_id": to_hex(rid), "lineage": tree.to_json(), **trusted.to_json()},
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
    help="Where to write the (secret) commitment of a new record.",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the disclosure here (default: stdout).",
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
    account_alias: str | None,
    network: str,
    notary_address: str | None,
    as_json: bool,
) -> None:
    """Selective disclosure of SOURCE (a JSON record, or a commitment file).

    A plain record is committed field by field with fresh salts; --anchor puts
    its root on chain as a batch; the commitment (values and salts: keep it
    secret) is written to --commitment. Then --field NAME reveals those fields
    only, with proofs, as a disclosure document.
    """
    try:
        data = load_json_record(source)
    except BundleError as err:
        raise CommandError(str(err)) from err
    if isinstance(data, dict) and data.get("type") == "trustspace.commitment":
        try:
            commitment = Commitment.from_json(data)
        except (KeyError, TypeError, ValueError) as err:
            raise CommandError(f"{source}: not a commitment: {err}") from err
        created = False
    else:
        if not isinstance(data, dict) or not data:
            raise CommandError(f"{source}: a record must be a JSON object of fields")
        commitment = commit(data)
        created = True
    if anchor:
        if account_alias is None:
            raise CommandError("--anchor needs --account")
        with connected(network):
            client, _trusted = trusted_client(notary_address)
            # Under the organisation's own disclosure schema (registered on first use), so that
            # no ordinary batch can pose as a disclosure (docs/notary.md).
            client.anchor_disclosure(commitment, sender=load_account(account_alias))
    if created or anchor:
        target = commitment_out or source.with_name(source.stem + ".commitment.json")
        target.write_text(json.dumps(commitment.to_json(), indent=2) + "\n")
        if not as_json:
            err_console.print(f"commitment (secret) written to {target}", style="dim")
    result: dict[str, Any] = {
        "ok": True,
        "root": to_hex(commitment.root),
        "anchor": commitment.anchor,
    }
    if fields:
        try:
            disclosure = commitment.disclose(fields)
        except KeyError as err:
            raise CommandError(str(err.args[0])) from err
        document = disclosure.to_json()
        if out is not None:
            out.write_text(json.dumps(document, indent=2) + "\n")
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


@click.command(name="verify-disclosure")
@click.argument("disclosure_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--offline",
    is_flag=True,
    help="Check the proofs against the root only: no chain, so no validity and no issuer.",
)
@click.option("--issuer", default=None, help="Organisation (id or name) that must have issued it.")
@chain_options
@json_option
def verify_disclosure_command(
    disclosure_file: Path,
    offline: bool,
    issuer: str | None,
    network: str,
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
    with connected(network):
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
COMMANDS = [notarize, verify, revoke, trace, disclose, verify_disclosure]
