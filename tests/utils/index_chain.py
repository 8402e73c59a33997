"""A Notary with real traffic on a local anvil, for the indexer's tests and bench.

:func:`deploy_notary` deploys a Consortium and a Notary through the one deployer (records in
a folder of the caller), makes the customs admin a NOTARY by governance and registers a
schema; :func:`attest_many` sends attestations many to a block (automine off, then
``evm_mine``), so that thousands of events are set up in seconds.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eth_account.signers.local import LocalAccount
from web3 import Web3
from web3.contract import Contract
from web3.logs import DISCARD

from trustspace.bus.web3tx import connect
from trustspace.consortium.constants import Action, Role
from trustspace.consortium.governance import Governance
from trustspace.deploy.config import local_config
from trustspace.deploy.deployer import SuiteDeployer
from trustspace.devnet.chains import mnemonic_key

__all__ = [
    "NotarySuite",
    "attest_many",
    "deploy_log_emitter",
    "deploy_notary",
    "emit_logs",
    "send_many",
]

ZERO = bytes(32)

#: A contract that emits LOG1(topic = i) for i in 0..n-1, n the first calldata word: traffic
#: no shipped ABI knows (kept raw by the indexer), thousands of logs per transaction.
_EMITTER_RUNTIME = "60005b8060003511156018578060006000a16001016002565b00"
_EMITTER_INIT = "601a600c600039601a6000f3" + _EMITTER_RUNTIME


@dataclass
class NotarySuite:
    """A deployed Consortium + Notary and the NOTARY key that attests."""

    w3: Web3
    consortium: Contract
    notary: Contract
    clerk: LocalAccount
    schema_id: int
    record_path: Path


def send_many(w3: Web3, key: LocalAccount, calls: list[Any], per_block: int = 200) -> list[Any]:
    """Send ``calls`` (web3 contract function calls) ``per_block`` to a block, mined with
    ``evm_mine``; returns the receipts (every one must succeed)."""
    nonce = int(w3.eth.get_transaction_count(key.address, "pending"))
    price = int(w3.eth.gas_price) * 2
    chain_id = int(w3.eth.chain_id)
    receipts = []
    w3.provider.make_request("evm_setAutomine", [False])  # type: ignore[arg-type]
    try:
        for first in range(0, len(calls), per_block):
            hashes = []
            for call in calls[first : first + per_block]:
                tx = call.build_transaction(
                    {"from": key.address, "nonce": nonce, "gas": 400_000, "gasPrice": price,
                     "chainId": chain_id}
                )  # fmt: skip
                nonce += 1
                hashes.append(w3.eth.send_raw_transaction(key.sign_transaction(tx).raw_transaction))
            w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]
            for tx_hash in hashes:
                receipt = w3.eth.wait_for_transaction_receipt(tx_hash, poll_latency=0.01)
                assert receipt["status"] == 1, receipt
                receipts.append(receipt)
    finally:
        w3.provider.make_request("evm_setAutomine", [True])  # type: ignore[arg-type]
    return receipts


def deploy_notary(url: str, folder: Path) -> NotarySuite:
    """Consortium + Notary on the anvil at ``url``, customs admin a NOTARY, one schema."""
    w3 = connect(url)
    admins = [mnemonic_key(i) for i in (1, 2, 3, 4, 5)]
    config = local_config(admins, threshold=2)
    deployer = SuiteDeployer.over_web3(
        w3, mnemonic_key(0), config, folder=folder, replace_stale=True
    )
    suite = deployer.deploy(["Consortium", "Notary"])
    Governance(suite.consortium).decide(
        Action.GRANT_ROLE, approvers=admins[:2], reason="indexer test",
        account=admins[0].address, roles=int(Role.NOTARY),
    )  # fmt: skip
    clerk = admins[0]
    send_many(w3, clerk, [suite.notary.functions.registerSchema("decl", "1", ZERO, "")])
    return NotarySuite(w3, suite.consortium, suite.notary, clerk, 1, suite.path)


def attest_many(
    suite: NotarySuite, count: int, per_block: int = 200, parent: bytes = ZERO, tag: str = ""
) -> list[bytes]:
    """``count`` attestations of fresh digests (``parent`` for all of them); their record ids."""
    salt = (tag or os.urandom(8).hex()).encode()
    calls = [
        suite.notary.functions.attest(
            Web3.keccak(salt + i.to_bytes(8, "big")), suite.schema_id, parent, 0
        )
        for i in range(count)
    ]
    receipts = send_many(suite.w3, suite.clerk, calls, per_block)
    ids = []
    for receipt in receipts:
        for log in suite.notary.events.Attested().process_receipt(receipt, errors=DISCARD):
            ids.append(bytes(log["args"]["id"]))
    return ids


def deploy_log_emitter(w3: Web3, key: LocalAccount) -> str:
    """Deploy the raw log emitter; its address."""
    tx: dict[str, Any] = {
        "from": key.address, "nonce": w3.eth.get_transaction_count(key.address),
        "gas": 200_000, "gasPrice": int(w3.eth.gas_price) * 2, "chainId": int(w3.eth.chain_id),
        "data": "0x" + _EMITTER_INIT,
    }  # fmt: skip
    tx_hash = w3.eth.send_raw_transaction(key.sign_transaction(tx).raw_transaction)
    receipt = w3.eth.wait_for_transaction_receipt(tx_hash)
    assert receipt["status"] == 1 and receipt["contractAddress"]
    return str(receipt["contractAddress"])


def emit_logs(w3: Web3, key: LocalAccount, emitter: str, count: int) -> None:
    """One transaction (one block, automine) emitting ``count`` raw logs."""
    tx: dict[str, Any] = {
        "from": key.address, "to": emitter, "nonce": w3.eth.get_transaction_count(key.address),
        "gas": 2_000 * count + 100_000, "gasPrice": int(w3.eth.gas_price) * 2,
        "chainId": int(w3.eth.chain_id), "data": "0x" + count.to_bytes(32, "big").hex(),
    }  # fmt: skip
    tx_hash = w3.eth.send_raw_transaction(key.sign_transaction(tx).raw_transaction)
    receipt = w3.eth.wait_for_transaction_receipt(tx_hash, poll_latency=0.01)
    assert receipt["status"] == 1 and len(receipt["logs"]) == count, receipt
