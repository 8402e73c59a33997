"""Signed transactions over plain web3.py, for the daemons and the multi-chain benches.

The daemons run as their own processes against any JSON-RPC node and send many
small transactions, so they use web3.py directly rather than ape (see
docs/architecture.md, "Two chain stacks"); ABIs and bytecode come from the same
shipped manifest as everywhere else (:mod:`trustspace.artifacts`). Fees follow the
network (:mod:`trustspace.fees`): legacy or EIP-1559 prices from the node or the
chain's ``TRUSTSPACE_FEES`` setting, gas estimated without a price, and an account that
cannot pay is told by :class:`trustspace.fees.FeeError` before anything is sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eth_account import Account
from eth_account.signers.local import LocalAccount
from hexbytes import HexBytes
from web3 import Web3
from web3.contract import Contract
from web3.types import TxReceipt

from trustspace.artifacts import Artifact, artifact
from trustspace.fees import FeeSettings, refusal, web3_fees

__all__ = ["Prepared", "TxSender", "at", "connect"]


def connect(url: str, timeout: float = 30.0) -> Web3:
    """A web3 client for a JSON-RPC url."""
    return Web3(Web3.HTTPProvider(url, request_kwargs={"timeout": timeout}))


def _resolve(contract: str | Artifact) -> Artifact:
    return contract if isinstance(contract, Artifact) else artifact(contract)


def at(w3: Web3, contract: str | Artifact, address: str) -> Contract:
    """A contract object at ``address``: a deployable contract by name, or any artifact."""
    abi = _resolve(contract).abi
    return w3.eth.contract(address=Web3.to_checksum_address(address), abi=abi)


@dataclass(frozen=True)
class Prepared:
    """A signed transaction not yet sent: its hash is known before it reaches the node."""

    raw: bytes
    tx_hash: str
    nonce: int
    #: Its gas limit and price (wei per gas at most), for the message if the node refuses it.
    gas: int = 0
    price: int = 0


class TxSender:
    """Signs transactions with a local key and sends them to one chain."""

    def __init__(
        self, w3: Web3, key: LocalAccount | str | bytes, fees: FeeSettings | None = None
    ) -> None:
        """``fees`` None: the chain's setting in ``TRUSTSPACE_FEES``, else prices from the node."""
        self.w3 = w3
        self.account: LocalAccount = key if isinstance(key, LocalAccount) else Account.from_key(key)
        self.address = self.account.address
        self.chain_id = w3.eth.chain_id
        self.fees = web3_fees(w3, self.chain_id, fees)

    def prepare(self, call: Any, gas: int | None = None, nonce: int | None = None) -> Prepared:
        """Build and sign ``call`` (a web3 contract function call); estimate gas if not given.

        Gas is estimated without a price (the node assumes no balance), then priced by the
        network's fee policy; :class:`trustspace.fees.FeeError` if the account cannot pay.
        """
        if nonce is None:
            nonce = self.w3.eth.get_transaction_count(self.address, "pending")
        if gas is None:
            gas = int(call.estimate_gas({"from": self.address}) * 1.25) + 50_000
        quote = self.fees.payable(
            self.fees.quote(), self.address, self.w3.eth.get_balance(self.address), gas
        )
        params: dict[str, Any] = {
            "from": self.address,
            "nonce": nonce,
            "chainId": self.chain_id,
            "gas": gas,
            **quote.params(),
        }
        tx = call.build_transaction(params)
        signed = self.account.sign_transaction(tx)
        return Prepared(
            bytes(signed.raw_transaction), HexBytes(signed.hash).to_0x_hex(), nonce, gas,
            quote.price,
        )  # fmt: skip

    def send(self, prepared: Prepared, timeout: float = 60.0) -> TxReceipt:
        """Send a prepared transaction and wait for its receipt (a fee the node refuses:
        :class:`trustspace.fees.FeeError`)."""
        try:
            self.w3.eth.send_raw_transaction(prepared.raw)
        except Exception as err:
            if not refusal(err):
                raise
            raise self.fees.cannot_pay(
                self.address, None, None, prepared.gas, prepared.price, 0
            ) from err
        return self.w3.eth.wait_for_transaction_receipt(
            HexBytes(prepared.tx_hash), timeout=timeout, poll_latency=0.05
        )

    def transact(self, call: Any, gas: int | None = None) -> TxReceipt:
        """Prepare, send and wait; raises if the transaction reverted."""
        receipt = self.send(self.prepare(call, gas))
        if receipt["status"] != 1:
            raise RuntimeError(f"transaction {receipt['transactionHash'].hex()} reverted")
        return receipt

    def deploy(self, contract: str | Artifact, *args: Any) -> Contract:
        """Deploy a contract (a deployable one by name, or any artifact) and return it."""
        compiled = _resolve(contract)
        abi = compiled.abi
        factory = self.w3.eth.contract(abi=abi, bytecode=compiled.bytecode)
        receipt = self.transact(factory.constructor(*args))
        address = receipt["contractAddress"]
        assert address is not None
        return self.w3.eth.contract(address=address, abi=abi)
