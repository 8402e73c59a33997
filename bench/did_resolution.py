"""DID resolution of an identity with 1,000 changes on anvil: wall time and JSON-RPC calls.

Run alone: ``python -m bench.did_resolution [--quick]``. The changes are
``setAttribute`` transactions, one per block (anvil mines each on arrival),
sent as signed raw transactions so that building the history stays quick; the
resolution then goes through ``Web3Source`` over HTTP like any agency
integration, with every JSON-RPC request counted by method.
"""

from __future__ import annotations

import os
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from bench.results import Figure

ROOT = Path(__file__).resolve().parents[1]
CHANGES = 1_000


#: One line for the method table of docs/performance.md.
METHOD = (
    "1,000 setAttribute changes of one identity, one per block; Resolver + Web3Source over "
    "HTTP; every JSON-RPC request counted by method"
)


def counting_provider(url: str) -> Any:
    """An HTTPProvider that counts each JSON-RPC request by method in ``.calls``."""
    from web3 import HTTPProvider

    class CountingHTTPProvider(HTTPProvider):
        calls: Counter[str]

        def make_request(self, method: Any, params: Any) -> Any:
            self.calls[str(method)] += 1
            return super().make_request(method, params)

    provider = CountingHTTPProvider(url, request_kwargs={"timeout": 60})
    provider.calls = Counter()
    return provider


def _write_history(w3: Any, registry: str, key: str, changes: int) -> int:
    """``changes`` setAttribute transactions by the identity itself; returns the last block."""
    from eth_account import Account

    from trustspace.artifacts import abi
    from trustspace.did import registry as reg

    contract = w3.eth.contract(address=registry, abi=abi("DIDRegistry"))
    identity = Account.from_key(key)
    name = reg.str_to_bytes32("did/svc/HubService")
    nonce = w3.eth.get_transaction_count(identity.address)
    fee = w3.eth.gas_price * 4
    chain_id = w3.eth.chain_id
    last = None
    for i in range(changes):
        tx = contract.functions.setAttribute(
            identity.address, name, f"https://hub.example.org/{i}".encode(), 86400
        ).build_transaction(
            {
                "from": identity.address,
                "nonce": nonce + i,
                "chainId": chain_id,
                "gas": 100_000,
                "maxFeePerGas": fee,
                "maxPriorityFeePerGas": 0,
            }
        )
        last = w3.eth.send_raw_transaction(identity.sign_transaction(tx).raw_transaction)
    receipt = w3.eth.wait_for_transaction_receipt(last, timeout=120)
    assert receipt["status"] == 1
    return int(receipt["blockNumber"])


def measure(changes: int = CHANGES) -> dict[str, Any]:
    from ape import accounts, networks
    from web3 import Web3

    from trustspace.ape_tuning import tune_ape
    from trustspace.deploy.did import deploy_registry
    from trustspace.did.resolver import Resolver, Web3Source, did_for

    os.chdir(ROOT)
    tune_ape()
    with networks.parse_network_choice("ethereum:local:foundry") as provider:
        deployer, identity = accounts.test_accounts[0], accounts.test_accounts[1]
        registry = str(deploy_registry(deployer).address)
        w3 = Web3(Web3.HTTPProvider(provider.uri))
        t0 = time.perf_counter()
        _write_history(w3, registry, identity.private_key, changes)
        t_write = time.perf_counter() - t0

        rpc = counting_provider(provider.uri)
        source = Web3Source(Web3(rpc), registry)
        setup_calls = sum(rpc.calls.values())
        rpc.calls.clear()
        did = did_for(identity.address, source.chain_id)
        t0 = time.perf_counter()
        result = Resolver([source]).resolve(did)
        t_resolve = time.perf_counter() - t0
        services = len(result.document["service"]) if result.document else 0
        assert services == changes, f"expected {changes} services, got {services}"
        return {
            "changes": changes,
            "resolve_s": round(t_resolve, 3),
            "rpc_calls": sum(rpc.calls.values()),
            "rpc_calls_by_method": dict(rpc.calls),
            "log_queries": source.log_queries,
            "source_setup_rpc_calls": setup_calls,
            "history_write_s": round(t_write, 2),
        }


def run(quick: bool = False) -> list[Figure]:
    changes = 100 if quick else CHANGES
    r = measure(changes)
    methods = ", ".join(f"{m} {n}" for m, n in sorted(r["rpc_calls_by_method"].items()))
    group = "Python tooling"
    return [
        Figure(
            id="python.did_resolve_1000_changes_s",
            group=group,
            name=f"DID resolution, {changes:,} changes on anvil: time",
            measured=r["resolve_s"],
            unit="s",
            note="Web3Source over HTTP, one block per change",
            details=r,
        ),
        Figure(
            id="python.did_resolve_1000_changes_rpc",
            group=group,
            name=f"DID resolution, {changes:,} changes: JSON-RPC calls",
            measured=r["rpc_calls"],
            unit="calls",
            note=f"{methods}; one single-block eth_getLogs per block with changes",
            details={},
        ),
    ]


if __name__ == "__main__":
    import json

    from ape.logging import logger

    logger.set_level("ERROR")
    print(json.dumps(measure(100 if "--quick" in sys.argv else CHANGES), indent=2))
