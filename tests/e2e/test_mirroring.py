"""End to end on three local anvil chains: a customs batch mirrored to tax, then one of its
documents revoked on customs and the revocation mirrored.

Five validator organisations sign customs' checkpoints (threshold 3) as separate
processes; one relayer process delivers; the tax Notary verifies a document's inclusion
proof against the foreign batch (VALID), then reads that document DOCUMENT_REVOKED while
its siblings stay VALID.
"""

from __future__ import annotations

import json
import time

import pytest
from click.testing import CliRunner
from eth_account import Account
from eth_utils.crypto import keccak
from web3.logs import DISCARD

from tests.utils.bus_local import (
    RELAYER_INDEX,
    LocalBus,
    mnemonic_key,
    spawn_relayer,
    spawn_validator,
    stop,
    write_config,
)
from trustspace.bus.web3tx import TxSender
from trustspace.cli.bus import bus as bus_group
from trustspace.consortium.constants import Action, Role
from trustspace.devnet.chains import local_chains
from trustspace.notary.tree import MerkleTree

pytestmark = pytest.mark.anvil

VALID, DOCUMENT_REVOKED = 1, 6


def wait_for(predicate, timeout=90.0, step=0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return False


def test_batch_on_customs__mirrored_to_tax__document_verified_then_revoked(
    tmp_path, customs_notary
):
    with local_chains() as chains:
        env = LocalBus(chains)
        deps = env.deploy()
        customs, tax = deps["customs"], deps["tax"]
        for dep in (customs, tax):
            dep.extra["notary"] = env.sender(dep.name).deploy("Notary", dep.consortium.address)
        for dep, peer in ((customs, tax), (tax, customs)):
            notary = dep.extra["notary"]
            env.govern(dep.name, Action.CALL, target=notary.address,
                       data=notary.functions.setBus(dep.bus.address)._encode_transaction_data())  # fmt: skip
            env.govern(dep.name, Action.CALL, target=notary.address,
                       data=notary.functions.setPeer(peer.chain_id, peer.extra["notary"].address)._encode_transaction_data())  # fmt: skip
            env.allow_sender(dep.name, notary.address)
        # The web3.py stack signs with the same test key (anvil and ape share the mnemonic).
        clerk = Account.from_key(customs_notary.private_key)
        env.govern("customs", Action.ADD_ACCOUNT, org_id=1, account=clerk.address)
        env.govern("customs", Action.GRANT_ROLE, account=clerk.address, roles=Role.NOTARY)
        config = write_config(deps, tmp_path)
        daemons = [spawn_validator(config, "customs", key) for key in env.validators]
        daemons.append(
            spawn_relayer(
                config, mnemonic_key(RELAYER_INDEX), "--db", str(tmp_path / "relay.sqlite")
            )
        )
        try:
            origin = customs.extra["notary"]
            clerk_tx = TxSender(customs.w3, clerk)
            clerk_tx.transact(
                origin.functions.registerSchema("customs-declaration", "1.0", b"\x00" * 32, "")
            )
            documents = [keccak(text=f"customs declaration 2026-{i:06}") for i in range(5)]
            tree = MerkleTree(documents)
            clerk_tx.transact(origin.functions.anchorBatch(tree.root, tree.size, 1, 0))
            batch_id = origin.functions.recordId(tree.root, 1).call()
            assert origin.functions.isValid(batch_id).call()

            receipt = clerk_tx.transact(origin.functions.mirror(batch_id, tax.chain_id))
            (mirrored,) = origin.events.Mirrored().process_receipt(receipt, errors=DISCARD)
            message_id = bytes(mirrored["args"]["messageId"])

            there = tax.extra["notary"]
            foreign = there.functions.foreignId(customs.chain_id, batch_id).call()
            assert wait_for(lambda: there.functions.status(foreign).call() == VALID), "not mirrored"
            assert tuple(there.functions.foreignOrigin(foreign).call()) == (
                customs.chain_id,
                batch_id,
            )
            record = there.functions.record(foreign).call()
            assert (record[0], record[7]) == (1, 5)  # attesting organisation customs, 5 documents
            # The destination verifies a document's inclusion proof (the origin's proof).
            proof = tree.proof(2)
            assert there.functions.verifyInclusion(foreign, documents[2], 2, proof).call()
            assert there.functions.documentStatus(foreign, documents[2], 2, proof).call() == VALID
            assert not there.functions.verifyInclusion(foreign, documents[2], 3, proof).call()

            status = CliRunner().invoke(
                bus_group, ["status", "--config", str(config), "0x" + message_id.hex(), "--json"]
            )
            assert status.exit_code == 0, status.output
            report = json.loads(status.output)
            assert report["state"] == "delivered"
            assert len({org for org in report["signers"].values() if org}) >= 3

            # One document's revocation follows the same way; its siblings stay valid.
            clerk_tx.transact(origin.functions.revokeDocument(batch_id, documents[2], 2))
            clerk_tx.transact(
                origin.functions.mirrorDocumentRevocation(
                    batch_id, documents[2], 2, proof, tax.chain_id
                )
            )
            assert wait_for(
                lambda: (
                    there.functions.documentStatus(foreign, documents[2], 2, proof).call()
                    == DOCUMENT_REVOKED
                )
            ), "revocation not mirrored"
            for i in (0, 1, 3, 4):
                assert (
                    there.functions.documentStatus(foreign, documents[i], i, tree.proof(i)).call()
                    == VALID
                )
        finally:
            for process in daemons:
                stop(process)
