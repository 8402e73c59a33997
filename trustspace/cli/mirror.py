"""``trustspace mirror RECORD --to CHAIN``: send a record's copy to another chain's Notary.

The attesting organisation's notary calls ``Notary.mirror(record, chain)``: the Notary
dispatches the record (validity, revocation) over the message bus to its peer Notary on
that chain, where validators' checkpoints and a relayer deliver it as the foreign record
``foreignId(origin chain, record)``. A later revocation is mirrored the same way. The
command checks first what the contract would refuse (unknown record, a batch, another
organisation's record, no peer or bus for that chain), then prints the bus message id and
how to follow it.
"""

from __future__ import annotations

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
from trustspace.notary.preflight import check_mirror, foreign_id

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


@click.command()
@click.argument("record_id")
@click.option(
    "--to",
    "to",
    required=True,
    help="Destination chain: chain id, local chain name (tax) or network (ethereum:tax).",
)
@account_option
@bundle_chain_options
@json_option
def mirror(
    record_id: str,
    to: str,
    account_alias: str,
    network: str | None,
    notary_address: str | None,
    as_json: bool,
) -> None:
    """Mirror RECORD_ID (a single attestation) to the Notary of chain --to over the message bus.

    Re-run it after a revocation to mirror the revocation. Prints the bus message id; follow the
    delivery with `trustspace bus status RECORD_ID`, then verify on the destination with
    `trustspace verify FILE --bundle B --network <destination>`.
    """
    rid = parse_id(record_id, "RECORD_ID")
    destination = destination_chain_id(to)
    check_notary_flag(notary_address)
    sender = load_account(account_alias)
    with connected(choose_network(network, None)), chain_errors():
        client, trusted = trusted_client(notary_address)
        rec = client.record(rid)
        peer = to_checksum_address(check_mirror(client, sender, rec, destination))
        orgs = Organisations(trusted.consortium)
        tx = client.contract.mirror(rid, destination, sender=sender)
        (event,) = tx.decode_logs(client.contract.Mirrored)
        message = event.messageId
        message_id = to_hex(bytes(message) if not isinstance(message, str) else bytes.fromhex(
            message.removeprefix("0x")))  # fmt: skip
        payload: dict[str, Any] = {
            "ok": True,
            "record_id": to_hex(rid),
            "org_id": rec.org_id,
            "org_name": orgs.name(rec.org_id),
            "destination_chain_id": destination,
            "destination_notary": peer,
            "foreign_id": to_hex(foreign_id(trusted.chain_id, rid)),
            "message_id": message_id,
            "tx_hash": str(tx.txn_hash),
            "revoked": bool(rec.revoked_at),
            "follow": f"trustspace bus status {to_hex(rid)}",
            **trusted.to_json(),
        }

    def render() -> None:
        rows: list[tuple[str, str | Any]] = [
            ("record", f"{payload['record_id']} ({orgs.label(rec.org_id)})"),
            ("to", f"chain {destination}, Notary {peer}"),
            ("message", message_id),
            ("there as", payload["foreign_id"]),
            ("tx", payload["tx_hash"]),
            ("follow", f"{payload['follow']}  (or the message id)"),
        ]
        print_report(
            text(("mirrored", "bold green"), " (revocation included)" if rec.revoked_at else ""),
            rows + trust_rows(trusted),
        )

    emit(as_json, payload, render)
