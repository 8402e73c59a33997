"""Gas of the MessageBus, measured from receipts on local anvil chains (never on boa).

Run with ``.venv/bin/python bench/gas_bus.py`` after ``ape compile``; writes
bench/gas_bus.json. Origin: customs (31338); destination: tax (31339); a 3-of-5
validator set of five organisations; recipients are no-op contracts (NoopRecipient for
``dispatch`` messages, Erc7786NoopRecipient for ERC-7786 ``sendMessage`` messages).

The ERC-7786 figures are in ``results`` only, not in ``receipts``: bench/bus_suite.py builds a
floor figure for every receipt key and has no floor model for them yet.
"""

from __future__ import annotations

import json
import statistics
from pathlib import Path
from typing import Any

from web3.logs import DISCARD

from tests.utils.bus_local import SENDER_INDEX, LocalBus, mnemonic_key
from tests.utils.contracts import test_contract
from trustspace.bus.checkpoint import Checkpoint, select_signatures, sign_checkpoint
from trustspace.bus.interop import encode_evm
from trustspace.bus.message import Message
from trustspace.bus.tree import MessageTree, height_for
from trustspace.bus.web3tx import TxSender
from trustspace.devnet.chains import local_chains

OUT = Path(__file__).with_name("gas_bus.json")
BODY = b"\x11" * 64  # a typical mirrored attestation: digest + ids
DELIVERY_GAS = 8_000_000
TARGETS = {
    "dispatch_after_first_p99": 55_000,
    "dispatch_after_first_max": 55_000,
    "process_one_call_3_of_5": 90_000,  # with the flag word prepared (relayer does it)
    "accept_checkpoint_3_of_5": 90_000,
    "deliver_one_under_checkpoint": 75_000,
    "deliver_batch_50_per_message": 35_000,
}


def measure() -> dict[str, Any]:
    """Every figure (``results``) and the receipt each came from (``receipts``: key → web3
    receipt and the transaction's calldata), for the floors of bench/bus_suite.py."""
    receipts: dict[str, Any] = {}
    dispatch_receipts: list[Any] = []

    def keep(key: str, w3: Any, receipt: Any) -> int:
        tx = w3.eth.get_transaction(receipt["transactionHash"])
        receipts[key] = {"receipt": receipt, "calldata": bytes(tx["input"])}
        return int(receipt["gasUsed"])

    with local_chains() as chains:
        env = LocalBus([c for c in chains if c.name in ("customs", "tax")])
        deps = env.deploy()
        customs, tax = deps["customs"], deps["tax"]
        sender_key = mnemonic_key(SENDER_INDEX)
        env.allow_sender("customs", sender_key.address)
        origin_tx = TxSender(customs.w3, sender_key)
        dest_tx = TxSender(tax.w3, mnemonic_key(18))
        noop = env.sender("tax").deploy(test_contract("NoopRecipient"))
        tree = MessageTree()
        messages: list[Message] = []

        def dispatch() -> int:
            receipt = origin_tx.transact(
                customs.bus.functions.dispatch(tax.chain_id, noop.address, BODY)
            )
            (event,) = customs.bus.events.Dispatched().process_receipt(receipt)
            message = Message.decode(bytes(event["args"]["message"]))
            messages.append(message)
            tree.append(message.id)
            dispatch_receipts.append(receipt)
            return int(receipt["gasUsed"])

        dispatch_gas = [dispatch() for _ in range(260)]
        dispatch_receipts_260 = list(dispatch_receipts)
        orgs = dict(zip(*tax.bus.functions.validators(customs.chain_id).call(), strict=True))

        def signatures(count: int) -> tuple[Checkpoint, bytes]:
            cp = Checkpoint(customs.chain_id, customs.bus.address, tree.root(count), count - 1)
            sigs: dict[str, bytes] = {k.address: sign_checkpoint(cp, k.key) for k in env.validators}
            packed = select_signatures(sigs, orgs, 3)
            assert packed is not None
            return cp, packed

        def gas_of(call: Any, key: str | None = None) -> int:
            receipt = dest_tx.transact(call, gas=DELIVERY_GAS)
            return keep(key, tax.w3, receipt) if key else int(receipt["gasUsed"])

        # One-call delivery of message 0 under the checkpoint of count 1.
        cp, sigs = signatures(1)
        process_gas = gas_of(
            tax.bus.functions.process(cp.root, cp.index, sigs, messages[0].encode(), []),
            "process_one_call_3_of_5_fresh_flag_word",
        )
        # The same with the flag word prepared ahead (what the relayer does once per 255).
        gas_of(tax.bus.functions.prepareFlags(customs.chain_id, 1, 1), "prepareFlags_one_word")
        cp_w, sigs_w = signatures(256)
        process_prepared = gas_of(
            tax.bus.functions.process(
                cp_w.root, cp_w.index, sigs_w, messages[255].encode(), tree.proof(255, 256)
            ),
            "process_one_call_3_of_5",
        )
        # A second one-call delivery (flag word already in use).
        cp2, sigs2 = signatures(2)
        process_gas_2 = gas_of(
            tax.bus.functions.process(
                cp2.root, cp2.index, sigs2, messages[1].encode(), tree.proof(1, 2)
            ),
            "process_one_call_3_of_5_word_in_use",
        )
        # Checkpoint over messages 0..9, then one delivery under it.
        cp10, sigs10 = signatures(10)
        accept_gas = gas_of(
            tax.bus.functions.acceptCheckpoint(cp10.origin, cp10.root, cp10.index, sigs10),
            "accept_checkpoint_3_of_5",
        )
        height = height_for(10)
        levels = tree.levels(10, height)
        deliver_one = gas_of(
            tax.bus.functions.deliver(
                cp10.origin, cp10.root, height, levels[height][0],
                [messages[2].encode()], tree.proof(2, 10, height),
            ),
            "deliver_one_under_checkpoint",
        )  # fmt: skip
        # Batch of 50: messages 10..59 under the checkpoint of count 60.
        cp60, sigs60 = signatures(60)
        gas_of(tax.bus.functions.acceptCheckpoint(cp60.origin, cp60.root, cp60.index, sigs60))
        height = height_for(60)
        levels = tree.levels(60, height)
        batch = messages[10:60]
        siblings = [s for m in batch for s in tree.proof(m.nonce, 60, height)]
        batch_gas = gas_of(
            tax.bus.functions.deliver(
                cp60.origin, cp60.root, height, levels[height][0],
                [m.encode() for m in batch], siblings,
            ),
            "deliver_batch_50_total",
        )  # fmt: skip
        # ERC-7786: ten sendMessage (nonces 260..269), one dispatch (270), then the one-call
        # delivery of each kind under the same checkpoint, both flag words prepared (word 1).
        erc_noop = env.sender("tax").deploy(test_contract("Erc7786NoopRecipient"))
        target = encode_evm(tax.chain_id, erc_noop.address)
        send_gas = []
        for _ in range(10):
            receipt = origin_tx.transact(customs.bus.functions.sendMessage(target, BODY, []))
            events = customs.bus.events.Dispatched().process_receipt(receipt, errors=DISCARD)
            message = Message.decode(bytes(events[0]["args"]["message"]))
            messages.append(message)
            tree.append(message.id)
            send_gas.append(int(receipt["gasUsed"]))
        dispatch()
        cp271, sigs271 = signatures(271)

        def process_at(nonce: int) -> int:
            return gas_of(
                tax.bus.functions.process(
                    cp271.root, cp271.index, sigs271, messages[nonce].encode(),
                    tree.proof(nonce, 271),
                )
            )  # fmt: skip

        process_erc7786 = process_at(260)
        process_handle = process_at(270)
        # What the no-op recipient itself costs when called directly (to subtract).
        noop_call = gas_of(noop.functions.handle(customs.chain_id, sender_key.address, BODY))

        # The dispatch receipts behind the figures: the first, the largest and the p99.
        later = sorted(dispatch_receipts_260[1:], key=lambda r: int(r["gasUsed"]))
        keep("dispatch_first", customs.w3, dispatch_receipts_260[0])
        keep("dispatch_after_first_max", customs.w3, later[-1])
        keep("dispatch_after_first_p99", customs.w3, later[int(0.99 * len(later))])

    after_first = dispatch_gas[1:]
    results = {
        "dispatch_first": dispatch_gas[0],
        "dispatch_after_first_max": max(after_first),
        "dispatch_after_first_p99": sorted(after_first)[int(0.99 * len(after_first))],
        "dispatch_after_first_mean": int(statistics.mean(after_first)),
        "dispatch_after_first_median": int(statistics.median(after_first)),
        "process_one_call_3_of_5": process_prepared,
        "process_one_call_3_of_5_fresh_flag_word": process_gas,
        "process_one_call_3_of_5_word_in_use": process_gas_2,
        "accept_checkpoint_3_of_5": accept_gas,
        "deliver_one_under_checkpoint": deliver_one,
        "deliver_batch_50_total": batch_gas,
        "deliver_batch_50_per_message": batch_gas // 50,
        "noop_recipient_direct_call": noop_call,
        "sendMessage_erc7786_median_of_10": int(statistics.median(send_gas)),
        "sendMessage_erc7786_max_of_10": max(send_gas),
        "process_one_call_3_of_5_erc7786": process_erc7786,
        "process_one_call_3_of_5_same_checkpoint_handle": process_handle,
    }
    return {"results": results, "receipts": receipts, "dispatches": len(dispatch_gas)}


def write(measured: dict[str, Any]) -> dict[str, Any]:
    """Write bench/gas_bus.json from ``measure()``'s output; return the report."""
    results = measured["results"]
    report = {
        "chain": "anvil 1.7.1 (cancun), solc 0.8.37 optimizer on, via-ir off",
        "dispatches": measured["dispatches"],
        "note": "a dispatch that completes a subtree of 2**k leaves reads k cold branch slots "
        "(2,100 gas each): 1 dispatch in 2**k pays k of them, so the maximum grows with the count",
        "body_bytes": len(BODY),
        "recipient": "NoopRecipient (figures include its call; it costs a few hundred gas inside)",
        "results": results,
        "targets": {
            k: {"target": v, "measured": results[k], "met": results[k] <= v}
            for k, v in TARGETS.items()
        },
    }
    OUT.write_text(json.dumps(report, indent=2) + "\n")
    return report


def main() -> None:
    results = write(measure())["results"]
    for key, value in results.items():
        target = TARGETS.get(key)
        mark = (
            ""
            if target is None
            else f"  (target {target:,}: {'met' if value <= target else 'MISSED'})"
        )
        print(f"{key:>34}: {value:>9,}{mark}")


if __name__ == "__main__":
    main()
