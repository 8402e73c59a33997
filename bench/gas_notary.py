"""Measure Notary gas from receipts on anvil and write ``bench/gas_notary.json``.

Run: ``python bench/gas_notary.py [--network ethereum:local:foundry]``. Never
measure on boa: its ``gas_used`` omits the intrinsic cost. The Consortium is
the real one (same governance path as production), so the membership check is
included in every figure.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.chdir(ROOT)  # ape finds the project (ape-config.yaml) from the working directory

TARGETS = {
    "attest": 60_000,
    "anchor_batch": 60_000,
    "attest_by_sig": 75_000,
    "revoke": 50_000,
    "verify_inclusion_2^20_estimate": 40_000,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--network", default="ethereum:local:foundry")
    parser.add_argument("--out", default=str(ROOT / "bench" / "gas_notary.json"))
    args = parser.parse_args()

    from ape import accounts, networks, project

    from trustspace import eip712
    from trustspace.governance import Governance, OrgSeed, deploy_consortium
    from trustspace.hashing import hash_bytes
    from trustspace.merkle import MerkleTree, record_id
    from trustspace.notary import NotaryClient
    from trustspace.roles import OrgKind, Role

    with networks.parse_network_choice(args.network) as provider:
        test = accounts.test_accounts
        deployer, customs_admin, tax_admin, notary_key, relayer, owner = (
            test[0],
            test[1],
            test[3],
            test[7],
            test[9],
            test[11],
        )
        consortium = deploy_consortium(
            project,
            deployer,
            [
                OrgSeed("Customs Authority", OrgKind.CUSTOMS, [customs_admin]),
                OrgSeed("Tax Administration", OrgKind.TAX, [tax_admin]),
            ],
            threshold=2,
        )
        gov = Governance(consortium)
        approvers = [customs_admin, tax_admin]
        wallet = deployer.deploy(project.ContractWallet, owner)
        for account in (notary_key, wallet):
            gov.enact("add_account", approvers=approvers, org_id=1, account=account)
            gov.enact("grant_role", approvers=approvers, account=account, roles=int(Role.NOTARY))
        notary = deployer.deploy(project.Notary, consortium)
        client = NotaryClient(notary)
        schema = client.register_schema("customs-declaration", "1.0", sender=notary_key)

        gas: dict[str, int] = {}

        rid, tx = client.attest(hash_bytes(b"doc-1"), schema, sender=notary_key)
        gas["attest"] = tx.gas_used
        _, tx = client.attest(
            hash_bytes(b"doc-2"), schema, sender=notary_key, parent=rid, expires_at=2**39
        )
        gas["attest_with_parent_and_expiry"] = tx.gas_used
        # Descendants come from Derived logs, which a JSON-RPC node serves (boa does not).
        child_id = record_id(hash_bytes(b"doc-2"), 1)
        lineage = client.lineage(child_id)
        assert lineage.record.id == rid and [c.record.id for c in lineage.children] == [child_id]

        documents = [hash_bytes(i.to_bytes(4, "big")) for i in range(2**20)]
        tree = MerkleTree(documents)
        batch, tx = client.anchor_batch(tree, schema, sender=notary_key)
        gas["anchor_batch"] = tx.gas_used
        small, tx = client.anchor_batch(MerkleTree(documents[:3]), schema, sender=notary_key)
        gas["anchor_batch_size_3"] = tx.gas_used

        # Delegated: the first nonce of a bitmap word writes a fresh slot; later nonces of
        # the same word (sequential nonces) rewrite it. Both are reported.
        chain_id = provider.chain_id
        for label, nonce in (("attest_by_sig_first_in_word", 0), ("attest_by_sig", 1)):
            request = client.attest_request(
                str(notary_key.address), hash_bytes(label.encode()), schema, nonce=nonce
            )
            signature = eip712.sign(request, notary_key.private_key, chain_id, notary.address)
            _, tx = client.attest_by_sig(request, signature, sender=relayer)
            gas[label] = tx.gas_used
        for label, nonce in (
            ("attest_by_sig_erc1271_first_in_word", 0),
            ("attest_by_sig_erc1271", 1),
        ):
            request = client.attest_request(
                str(wallet.address), hash_bytes(label.encode()), schema, nonce=nonce
            )
            signature = eip712.sign(request, owner.private_key, chain_id, notary.address)
            _, tx = client.attest_by_sig(request, signature, sender=relayer)
            gas[label] = tx.gas_used

        gas["revoke"] = client.revoke(rid, 1, sender=notary_key).gas_used
        gas["revoke_batch_document"] = client.revoke_document(
            batch, documents[5], 1, sender=notary_key
        ).gas_used
        gas["revoke_whole_batch"] = client.revoke(small, 1, sender=notary_key).gas_used

        index = 2**20 - 1
        proof = tree.proof(index)
        assert notary.verifyInclusion(batch, documents[index], index, proof)
        assert record_id(tree.root, 1) == batch
        gas["verify_inclusion_2^20_estimate"] = notary.verifyInclusion.estimate_gas_cost(
            batch, documents[index], index, proof, sender=relayer
        )
        gas["document_status_2^20_estimate"] = notary.documentStatus.estimate_gas_cost(
            batch, documents[index], index, proof, sender=relayer
        )

    report = {
        "network": args.network,
        "gas": gas,
        "targets": TARGETS,
        "within_target": {k: gas[k] <= v for k, v in TARGETS.items()},
    }
    Path(args.out).write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
