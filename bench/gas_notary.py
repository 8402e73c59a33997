"""Notary gas from receipts on anvil, in the shape of ``bench/gas_notary.json``.

Run: ``python bench/gas_notary.py [--network ethereum:local:foundry] [--mirroring-only]``.
A thin view over bench/gas_suite.py (which ``make bench`` runs for every contract); kept
because docs/notary.md cites this file and its JSON. Mirroring is measured here
(:func:`measure_mirroring`): sending a batch and a document revocation through a real
MessageBus, and what the destination Notary pays to record them (``handle``, called by the
account governance set as its bus: a proven delivery adds the bus's own ``process`` cost,
in bench/gas_bus.py).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

#: Key of bench/gas_notary.json → row of bench/gas_suite.py.
ROWS = {
    "attest": "notary.attest",
    "attest_with_parent_and_expiry": "notary.attest_with_parent_and_expiry",
    "anchor_batch": "notary.anchorBatch_size_2^20",
    "anchor_batch_size_3": "notary.anchorBatch_size_3",
    "attest_by_sig_first_in_word": "notary.attestBySig_first_in_word",
    "attest_by_sig": "notary.attestBySig",
    "attest_by_sig_erc1271_first_in_word": "notary.attestBySig_erc1271_first_in_word",
    "attest_by_sig_erc1271": "notary.attestBySig_erc1271",
    "revoke": "notary.revoke",
    "revoke_batch_document": "notary.revokeDocument",
    "revoke_whole_batch": "notary.revoke_whole_batch",
    "verify_inclusion_2^20_estimate": "notary.verifyInclusion_2^20_estimate",
    "document_status_2^20_estimate": "notary.documentStatus_2^20_estimate",
}
#: Rows measured by :func:`measure_mirroring` (batch of MIRROR_BATCH documents).
MIRROR_BATCH = 2**10
MIRROR_ROWS = (
    "mirror_batch_dispatch",
    "mirror_document_revocation_dispatch_2^10",
    "foreign_batch_record",
    "foreign_batch_record_again",
    "foreign_document_revocation_2^10",
    "document_status_foreign_batch_2^10_estimate",
)
TARGETED = ("attest", "anchor_batch", "attest_by_sig", "revoke", "verify_inclusion_2^20_estimate")


def measure_mirroring(network: str) -> dict[str, int]:
    """Gas of mirroring a batch of ``MIRROR_BATCH`` documents and one document revocation,
    from receipts (the view by ``eth_estimateGas``)."""
    from ape import accounts, networks, project

    from trustspace.ape_tuning import tune_ape
    from trustspace.bus.message import Message
    from trustspace.consortium.constants import OrgKind, Role
    from trustspace.consortium.governance import Governance, OrgSeed, deploy_consortium
    from trustspace.crypto.hashing import hash_bytes
    from trustspace.notary.client import NotaryClient
    from trustspace.notary.mirroring import mirror_document_revocation, mirror_record
    from trustspace.notary.tree import MerkleTree

    tune_ape()
    destination, peer_bus = 31339, "0x000000000000000000000000000000000000bB05"
    gas: dict[str, int] = {}
    with networks.parse_network_choice(network):
        test = accounts.test_accounts
        deployer, customs_admin, tax_admin, maritime_admin = test[0], test[1], test[3], test[4]
        notary_key, bus_stand_in = test[7], test[12]
        consortium = deploy_consortium(
            project,
            deployer,
            [
                OrgSeed("Customs Authority", OrgKind.CUSTOMS, [customs_admin]),
                OrgSeed("Tax Administration", OrgKind.TAX, [tax_admin]),
                OrgSeed("Maritime Authority", OrgKind.MARITIME, [maritime_admin]),
            ],
            threshold=2,
        )
        gov, approvers = Governance(consortium), [customs_admin, tax_admin]

        def call(target: Any, method: str, *args: Any) -> None:
            data = getattr(target, method).encode_input(*args)
            gov.enact("call", approvers=approvers, target=target, data=data)

        gov.enact("add_account", approvers=approvers, org_id=1, account=notary_key)
        gov.enact("grant_role", approvers=approvers, account=notary_key, roles=int(Role.NOTARY))
        origin = deployer.deploy(project.Notary, consortium)
        there = deployer.deploy(project.Notary, consortium)  # the destination's Notary
        bus = deployer.deploy(project.MessageBus, consortium, 200_000)
        call(bus, "setSender", origin, True)
        call(bus, "setDestinationBus", destination, peer_bus)
        call(origin, "setBus", bus)
        call(origin, "setPeer", destination, there)
        origin_chain = int(origin.provider.chain_id)
        call(there, "setBus", bus_stand_in)
        call(there, "setPeer", origin_chain, origin)

        client = NotaryClient(origin)
        schema = client.register_schema("customs-declaration", "1.0", sender=notary_key)
        documents = [hash_bytes(i.to_bytes(4, "big")) for i in range(MIRROR_BATCH)]
        tree = MerkleTree(documents)
        batch, _ = client.anchor_batch(tree, schema, sender=notary_key)
        client.revoke_document(batch, documents[5], 1, sender=notary_key)

        def body(tx: Any) -> bytes:
            (dispatched,) = tx.decode_logs(bus.Dispatched)
            return Message.decode(bytes(dispatched.message)).body

        sent = mirror_record(client, batch, destination, sender=notary_key)
        gas["mirror_batch_dispatch"] = int(sent.tx.gas_used)
        batch_body = body(sent.tx)
        revocation = mirror_document_revocation(
            client, batch, documents[5], 5, tree.proof(5), destination, sender=notary_key
        )
        gas["mirror_document_revocation_dispatch_2^10"] = int(revocation.tx.gas_used)
        revocation_body = body(revocation.tx)

        tx = there.handle(origin_chain, origin, batch_body, sender=bus_stand_in)
        gas["foreign_batch_record"] = int(tx.gas_used)
        tx = there.handle(origin_chain, origin, batch_body, sender=bus_stand_in)
        gas["foreign_batch_record_again"] = int(tx.gas_used)
        tx = there.handle(origin_chain, origin, revocation_body, sender=bus_stand_in)
        gas["foreign_document_revocation_2^10"] = int(tx.gas_used)
        index = MIRROR_BATCH - 1
        args = (sent.foreign_id, documents[index], index, tree.proof(index))
        assert int(there.documentStatus(*args)) == 1  # VALID
        gas["document_status_foreign_batch_2^10_estimate"] = int(
            there.documentStatus.estimate_gas_cost(*args, sender=bus_stand_in)
        )
    return gas


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--network", default="ethereum:local:foundry")
    parser.add_argument("--out", default=str(ROOT / "bench" / "gas_notary.json"))
    parser.add_argument(
        "--mirroring-only", action="store_true", help="measure mirroring only, print, write nothing"
    )
    args = parser.parse_args()

    if args.mirroring_only:
        print(json.dumps(measure_mirroring(args.network), indent=2))
        return

    from bench.gas_suite import TARGETS, run

    measured = {f.id.removeprefix("gas."): int(f.measured or 0) for f in run(network=args.network)}
    gas = {key: measured[row] for key, row in ROWS.items()}
    gas.update(measure_mirroring(args.network))
    targets = {key: TARGETS[ROWS[key]][0] for key in TARGETED}
    report = {
        "network": args.network,
        "gas": gas,
        "targets": targets,
        "within_target": {k: gas[k] <= v for k, v in targets.items()},
    }
    Path(args.out).write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
