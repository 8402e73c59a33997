"""``trustspace mirror RECORD --to CHAIN``: send a record's copy to another chain's Notary.

The attesting organisation's notary calls ``Notary.mirror(record, chain)``: the Notary
dispatches the record (an attestation or a whole batch, with its validity and revocation)
over the message bus to its peer Notary on that chain, where validators' checkpoints and a
relayer deliver it as the foreign record ``foreignId(origin chain, record)``. A later
revocation is mirrored the same way; the revocation of one document of a batch with
``--revocation BUNDLE`` (``Notary.mirrorDocumentRevocation``, the document's proof bundle
gives its place in the batch). The command checks first what the contract would refuse
(unknown record, another organisation's record, a document not revoked or not in the batch,
no peer or bus for that chain), then prints the bus message id and how to follow it. The
chain operations are :mod:`trustspace.notary.mirroring`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from eth_utils.address import to_checksum_address

from trustspace.cli.notary import (
    Organisations,
    bundle_chain_options,
    chain_errors,
    check_notary_flag,
    choose_network,
    parse_id,
    print_report,
    trust_rows,
    trusted_client,
)
from trustspace.cli.options import (
    CommandError,
    account_option,
    connected,
    emit,
    json_option,
    load_account,
    text,
)
from trustspace.crypto.hashing import to_hex
from trustspace.notary.bundle import Bundle, BundleError, verify_offline
from trustspace.notary.mirroring import mirror_document_revocation, mirror_record
from trustspace.notary.preflight import check_mirror, check_mirror_revocation
from trustspace.notary.trust import check_claims

__all__ = ["destination_chain_id", "mirror"]


def destination_chain_id(spec: str) -> int:
    """``--to``: a chain id (``31339``), a local chain's name (``tax``) or a network of your
    deployment records (``ethereum:tax``, ``ethereum:tax:node``)."""
    from trustspace.deploy import records
    from trustspace.networks import DEFAULT_CHAINS
    from trustspace.paths import deployments_folder

    value = spec.strip()
    if value.isdigit():
        return int(value)
    parts = value.split(":")
    name = parts[1] if len(parts) > 1 else parts[0]
    folder = deployments_folder()
    if folder.is_dir():
        for path in sorted(folder.glob("*.json")):
            try:
                record = records.load(path)
            except records.DeploymentError:
                continue
            if record is not None and record.network in (value, ":".join(parts[:2])):
                return record.chain_id
    for chain in DEFAULT_CHAINS:
        if chain.name == name:
            return chain.chain_id
    raise CommandError(
        f"--to {spec!r}: not a chain id, a local chain (hub, customs, tax) or a network of "
        f"your deployment records in {folder}"
    )


def _revocation_bundle(path: Path) -> Bundle:
    """``--revocation``: a self-consistent proof bundle of one document of a batch."""
    try:
        bundle = Bundle.load(path)
        verify_offline(bundle)
    except BundleError as err:
        raise CommandError(f"--revocation {path}: {err}; nothing was sent") from err
    if bundle.batch is None:
        raise CommandError(
            f"--revocation {path}: the bundle is of a single attestation, not of a document of a "
            "batch: mirror the attestation (revoked or not) with `trustspace mirror RECORD_ID`"
        )
    return bundle


@click.command()
@click.argument("record_id", required=False)
@click.option(
    "--to",
    "to",
    required=True,
    help="Destination chain: chain id, local chain name (tax) or network (ethereum:tax).",
)
@click.option(
    "--revocation",
    "revocation_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Mirror the revocation of this bundle's document (one document of a batch, revoked "
    "with `trustspace revoke --bundle`), with its batch.",
)
@account_option
@bundle_chain_options
@json_option
def mirror(
    record_id: str | None,
    to: str,
    revocation_file: Path | None,
    account_alias: str,
    network: str | None,
    notary_address: str | None,
    as_json: bool,
) -> None:
    """Mirror RECORD_ID (an attestation or a batch) to the Notary of chain --to over the
    message bus, or with --revocation BUNDLE the revocation of one document of a batch.

    Re-run it after a revocation to mirror the revocation. Prints the bus message id; follow the
    delivery with `trustspace bus status RECORD_ID`, then verify on the destination with
    `trustspace verify FILE --bundle B --network <destination>` (a document of a mirrored
    batch too).
    """
    bundle: Bundle | None = None
    if revocation_file is not None:
        if record_id:
            raise CommandError("give RECORD_ID or --revocation BUNDLE, not both")
        bundle = _revocation_bundle(revocation_file)
        rid = bundle.record_id
    elif record_id:
        rid = parse_id(record_id, "RECORD_ID")
    else:
        raise CommandError("give RECORD_ID (an attestation or a batch) or --revocation BUNDLE")
    destination = destination_chain_id(to)
    check_notary_flag(notary_address)
    sender = load_account(account_alias)
    with connected(choose_network(network, bundle.chain_id if bundle else None)), chain_errors():
        client, trusted = trusted_client(notary_address)
        rec = client.record(rid)
        if bundle is not None and bundle.batch is not None:
            check_claims(trusted, chain_id=bundle.chain_id, notary=bundle.notary)
            document, index, proof = bundle.digest, bundle.batch.index, list(bundle.batch.proof)
            peer = check_mirror_revocation(client, sender, rec, document, index, proof, destination)
            sent = mirror_document_revocation(
                client, rid, document, index, proof, destination, sender=sender
            )
        else:
            document = None
            peer = check_mirror(client, sender, rec, destination)
            sent = mirror_record(client, rid, destination, sender=sender)
        peer = to_checksum_address(peer)
        orgs = Organisations(trusted.consortium)
        payload: dict[str, Any] = {
            "ok": True,
            "record_id": to_hex(rid),
            "kind": rec.kind.name,
            "document": to_hex(document) if document is not None else None,
            "org_id": rec.org_id,
            "org_name": orgs.name(rec.org_id),
            "destination_chain_id": destination,
            "destination_notary": peer,
            "foreign_id": to_hex(sent.foreign_id),
            "message_id": to_hex(sent.message_id),
            "tx_hash": str(sent.tx.txn_hash),
            "revoked": bool(rec.revoked_at) or document is not None,
            # bus status finds a record's message by its id; a revocation by its message id.
            "follow": f"trustspace bus status {to_hex(sent.message_id if document else rid)}",
            **trusted.to_json(),
        }

    def render() -> None:
        what = "batch" if rec.kind.name == "BATCH" else "record"
        rows: list[tuple[str, str | Any]] = [
            (what, f"{payload['record_id']} ({orgs.label(rec.org_id)})"),
        ]
        if document is not None:
            rows.append(("document", f"{payload['document']} (revoked)"))
        rows += [
            ("to", f"chain {destination}, Notary {peer}"),
            ("message", payload["message_id"]),
            ("there as", payload["foreign_id"]),
            ("tx", payload["tx_hash"]),
            ("follow", payload["follow"]),
        ]
        if document is not None:
            note = " (the document's revocation, with its batch)"
        else:
            note = " (revocation included)" if rec.revoked_at else ""
        print_report(text(("mirrored", "bold green"), note), rows + trust_rows(trusted))

    emit(as_json, payload, render)
