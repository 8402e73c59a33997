"""Calling the trustspace contracts by ABI from Python with web3.py (no trustspace package).

    python examples/python/integration.py --rpc http://127.0.0.1:8546 \
        --record deployments/ethereum-customs.json --key $NOTARY_KEY [--mirrored 0xFOREIGN_ID]

The key must belong to an account holding NOTARY in its organisation. Prints the
steps of examples/calls.json with their results as JSON.
"""

import argparse
import hashlib
import json
from pathlib import Path

from eth_account import Account
from web3 import Web3

ROOT = Path(__file__).resolve().parents[2]
ZERO32 = b"\x00" * 32


def contract(w3, record, name):
    """A web3 contract from abi/<Name>.json and the address in the deployment record."""
    abi = json.loads((ROOT / "abi" / f"{name}.json").read_text())
    return w3.eth.contract(address=record["contracts"][name]["address"], abi=abi)


def send(w3, account, call):
    """Sign and send a contract call; wait for the receipt; fail loudly if it reverted."""
    tx = call.build_transaction({"from": account.address,
                                 "nonce": w3.eth.get_transaction_count(account.address)})
    signed = account.sign_transaction(tx)
    receipt = w3.eth.wait_for_transaction_receipt(w3.eth.send_raw_transaction(signed.raw_transaction))
    assert receipt["status"] == 1, receipt
    return receipt


def leaf(document):
    return Web3.keccak(b"\x00" + document)


def node(left, right):
    return Web3.keccak(b"\x01" + left + right)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rpc", required=True)
    parser.add_argument("--record", required=True, help="a deployments/*.json record")
    parser.add_argument("--key", required=True, help="private key of a NOTARY account")
    parser.add_argument("--mirrored", help="id of a record mirrored to this chain (optional)")
    args = parser.parse_args()
    w3 = Web3(Web3.HTTPProvider(args.rpc))
    record = json.loads(Path(args.record).read_text())
    account = Account.from_key(args.key)
    notary = contract(w3, record, "Notary")
    registry = contract(w3, record, "DIDRegistry")
    steps = {}

    # register_schema
    receipt = send(w3, account, notary.functions.registerSchema(
        "customs-declaration", "1.0", ZERO32, "https://customs.example/schemas/declaration/1.0"))
    schema_id = notary.events.SchemaRegistered().process_receipt(receipt)[0]["args"]["schemaId"]
    steps["register_schema"] = schema_id

    # attest
    digest = hashlib.sha256(b"declaration CUS-2026-0000001").digest()
    receipt = send(w3, account, notary.functions.attest(digest, schema_id, ZERO32, 0))
    record_id = notary.events.Attested().process_receipt(receipt)[0]["args"]["id"]
    steps["attest"] = "0x" + record_id.hex()

    # check_validity
    steps["check_validity"] = notary.functions.status(record_id).call()

    # anchor_batch
    doc_a = hashlib.sha256(b"declaration A").digest()
    doc_b = hashlib.sha256(b"declaration B").digest()
    root = node(leaf(doc_a), leaf(doc_b))
    receipt = send(w3, account, notary.functions.anchorBatch(root, 2, schema_id, 0))
    batch_id = notary.events.BatchAnchored().process_receipt(receipt)[0]["args"]["id"]
    steps["anchor_batch"] = "0x" + batch_id.hex()

    # verify: document B is leaf 1; its proof is the sibling leaf A
    steps["verify"] = notary.functions.documentStatus(batch_id, doc_b, 1, [leaf(doc_a)]).call()

    # publish_service
    name = b"did/svc/AgencyAPI".ljust(32, b"\x00")
    send(w3, account, registry.functions.setAttribute(
        account.address, name, b"https://customs.example/api", 86400))
    steps["publish_service"] = "did/svc/AgencyAPI"

    # resolve_did_owner, resolve_did_changed: owner, then the events of the last change
    steps["resolve_did_owner"] = registry.functions.identityOwner(account.address).call()
    changed = registry.functions.changed(account.address).call()
    events = registry.events.DIDAttributeChanged().get_logs(
        from_block=changed, to_block=changed, argument_filters={"identity": account.address})
    steps["resolve_did_changed"] = {
        "block": changed,
        "services": [e["args"]["value"].decode() for e in events],
    }

    # read_mirrored: where a foreign record came from, and its status here
    if args.mirrored:
        foreign = bytes.fromhex(args.mirrored.removeprefix("0x"))
        origin, origin_id = notary.functions.foreignOrigin(foreign).call()
        steps["read_mirrored"] = {
            "origin": origin,
            "origin_id": "0x" + origin_id.hex(),
            "status": notary.functions.status(foreign).call(),
            "kind": notary.functions.record(foreign).call()[6],
        }
    print(json.dumps(steps))


if __name__ == "__main__":
    main()
