"""Actors and deploy fixtures for the DID registry tests."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

import pytest

from trustspace.did import registry as reg
from trustspace.did.resolver import ReceiptSource, Resolver

DAY = 86400


@pytest.fixture(scope="session")
def deployer(accounts: Any) -> Any:
    return accounts[0]


@pytest.fixture(scope="session")
def identity_owner(accounts: Any) -> Any:
    """Controls its own identity (no owner set yet)."""
    return accounts[1]


@pytest.fixture(scope="session")
def new_owner(accounts: Any) -> Any:
    return accounts[2]


@pytest.fixture(scope="session")
def delegate_key(accounts: Any) -> Any:
    return accounts[3]


@pytest.fixture(scope="session")
def payer(accounts: Any) -> Any:
    """Sends meta-transactions signed by someone else."""
    return accounts[4]


@pytest.fixture(scope="session")
def outsider(accounts: Any) -> Any:
    return accounts[5]


@pytest.fixture(scope="session")
def registry(project: Any, deployer: Any) -> Any:
    from trustspace.deploy.did import deploy_registry

    return deploy_registry(deployer)


@pytest.fixture
def source(registry: Any) -> ReceiptSource:
    """Registry logs indexed from receipts (boa keeps no log index): pass each tx to record()."""
    return ReceiptSource(registry)


@pytest.fixture
def resolver(source: ReceiptSource) -> Resolver:
    return Resolver([source])


@pytest.fixture
def sign(registry: Any) -> Callable[..., reg.Signature]:
    """sign(op, signer, identity, *args, nonce=None): a signature for a *Signed call."""
    digests: dict[str, Callable[..., bytes]] = {
        "changeOwner": reg.change_owner_digest,
        "addDelegate": reg.add_delegate_digest,
        "revokeDelegate": reg.revoke_delegate_digest,
        "setAttribute": reg.set_attribute_digest,
        "revokeAttribute": reg.revoke_attribute_digest,
    }

    def _sign(op: str, signer: Any, identity: Any, *args: Any, nonce: int | None = None) -> Any:
        if nonce is None:
            owner = registry.identityOwner(identity)
            nonce = registry.call_view_method("nonce", owner)
        digest = digests[op](registry.address, nonce, identity, *args)
        return reg.sign_digest(digest, signer.private_key)

    return _sign


@pytest.fixture
def b32() -> Callable[[str], bytes]:
    return reg.str_to_bytes32


# ----------------------------------------------------- a JSON-RPC chain for the CLI
# The CLI reaches chains with web3.py over a URL. These tests give it an in-process
# eth-tester chain instead (fresh for every test): ``trustspace.cli.did._w3`` is patched
# so that the chain's URL opens it. Actors are fresh keys named by role, funded per test.

TESTER_URL = "https://did.agency.example:8545"


class Web3Chain:
    """One fresh eth-tester chain, with the registry deployed, reached by the CLI at ``url``."""

    def __init__(self) -> None:
        from web3 import EthereumTesterProvider, Web3

        from trustspace.artifacts import abi

        self.tester = EthereumTesterProvider()
        self.w3 = Web3(self.tester)
        self.url = TESTER_URL
        self._funder = self.w3.eth.accounts[0]
        self.registry = self.deploy("DIDRegistry")
        self.contract = self.w3.eth.contract(
            address=Web3.to_checksum_address(self.registry), abi=abi("DIDRegistry")
        )

    def deploy(self, name: str, *args: Any) -> str:
        from trustspace.artifacts import abi, bytecode

        factory = self.w3.eth.contract(abi=abi(name), bytecode=bytecode(name))
        tx = factory.constructor(*args).transact({"from": self._funder})
        return str(self.w3.eth.wait_for_transaction_receipt(tx)["contractAddress"])

    def actor(self, role: str) -> Any:
        """A key named ``role`` (the same address in every test), funded on this chain."""
        from eth_account import Account
        from eth_utils.crypto import keccak

        account = Account.from_key(keccak(text=f"trustspace did test actor: {role}"))
        self.w3.eth.send_transaction(
            {"from": self._funder, "to": account.address, "value": self.w3.to_wei(100, "ether")}
        )
        return account

    def send(self, account: Any, call: Any) -> Any:
        """Sign ``call`` (a web3 contract function call) with ``account`` and mine it."""
        tx = call.build_transaction(
            {
                "from": account.address,
                "nonce": self.w3.eth.get_transaction_count(account.address),
                "chainId": self.w3.eth.chain_id,
            }
        )
        signed = account.sign_transaction(tx)
        receipt = self.w3.eth.wait_for_transaction_receipt(
            self.w3.eth.send_raw_transaction(signed.raw_transaction)
        )
        assert receipt["status"] == 1
        return receipt

    def set_attribute(self, identity: Any, name: str, value: bytes, validity: int = DAY) -> Any:
        """``identity`` publishes attribute ``name`` = ``value`` on its own DID."""
        return self.send(
            identity,
            self.contract.functions.setAttribute(
                identity.address, reg.str_to_bytes32(name), value, validity
            ),
        )

    def chain_arg(self, consortium: str | None = None) -> str:
        """The ``--chain`` value for this chain."""
        return f"{self.url}={self.registry}" + (f",{consortium}" if consortium else "")

    def time_travel(self, seconds: int) -> None:
        """Mine the next block ``seconds`` after the latest one."""
        latest = int(self.w3.eth.get_block("latest")["timestamp"])
        tester = self.tester.ethereum_tester
        assert tester is not None
        tester.time_travel(latest + seconds)


@pytest.fixture
def web3_chain(monkeypatch: pytest.MonkeyPatch) -> Web3Chain:
    """A fresh eth-tester chain with a DIDRegistry; the DID CLI reaches it at its ``url``."""
    # The module, not the click group that trustspace.cli re-exports under the same name.
    did_cli = importlib.import_module("trustspace.cli.did")
    built = Web3Chain()
    real = did_cli._w3
    monkeypatch.setattr(did_cli, "_w3", lambda url: built.w3 if url == built.url else real(url))
    return built


@pytest.fixture
def run_cli() -> Callable[..., Any]:
    """run_cli(*args, input=None): the ``trustspace did`` command on a wide terminal, stdout
    and stderr apart (``.stdout`` is the one JSON document with ``--json``)."""
    from click.testing import CliRunner

    from trustspace.cli.did import did as did_cli

    def run(*args: str, input: str | None = None) -> Any:
        runner = CliRunner(mix_stderr=False)
        return runner.invoke(did_cli, list(args), input=input, env={"COLUMNS": "4000"})

    return run
