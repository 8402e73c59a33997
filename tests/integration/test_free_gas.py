"""Free-gas and legacy-only networks: the whole flow on anvil chains that charge nothing and
whose accounts hold no ether, once with EIP-1559 and once with legacy transactions only.

The flow is the demo's scenario (trustspace.devnet.demo.Scenario, small): deploy through the
ape stack, governance, a DID service endpoint, a notarized batch verified by disclosure, bus
wiring, three validator processes and a relayer (web3.py) mirroring the batch and one
document's revocation from customs to tax. Then every transaction on every chain is read back: none
paid a fee, and in the legacy run each one is type 0. A fee-charging chain tells an
account without ether that it cannot pay, in both stacks.
"""

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from rich.console import Console

from tests.utils.deployments import recorded
from trustspace.bus.web3tx import TxSender, connect
from trustspace.cli import main
from trustspace.deploy.config import CONTRACT_NAMES
from trustspace.devnet import chains as devchains
from trustspace.devnet.chains import RunningChain, free_port, local_chains, mnemonic_key
from trustspace.devnet.demo import ENDPOINT_ATTRIBUTE, Scenario
from trustspace.did.registry import Web3Registry
from trustspace.fees import ENV, FeeError
from trustspace.networks import ChainSpec
from trustspace.paths import project_root

pytestmark = pytest.mark.anvil

#: anvil's mnemonic funds indices 0-19 (``--accounts 20``): 25 never holds ether.
UNFUNDED_INDEX = 25


def _transactions(chains: list[RunningChain]) -> list[tuple[str, int, int, int]]:
    """(chain, type, fee paid in wei, status) of every transaction mined on ``chains``."""
    found = []
    for chain in chains:
        w3 = connect(chain.url)
        for number in range(1, w3.eth.block_number + 1):
            block = w3.eth.get_block(number, full_transactions=True)
            for tx in block["transactions"]:
                assert not isinstance(tx, bytes)  # full transactions, not hashes
                receipt = w3.eth.get_transaction_receipt(tx["hash"])
                paid = int(receipt["effectiveGasPrice"]) * int(receipt["gasUsed"])
                found.append((chain.name, int(tx["type"]), paid, int(receipt["status"])))
    return found


def _run_flow(project, networks, accounts, workdir):
    """The demo's scenario (20 declarations) on free-gas chains, then a DID write through the
    web3.py registry client; returns the result and every transaction mined."""
    with local_chains(free_gas=True) as chains:
        assert all(c.free_gas for c in chains)
        hub = connect(chains[0].url)
        assert hub.eth.get_balance(mnemonic_key(0).address) == 0
        scenario = Scenario(project, networks, accounts, chains, Console(file=io.StringIO()),
                            declarations=20, workdir=workdir)  # fmt: skip
        result = scenario.run()
        registry = Web3Registry(
            hub, result.suites["hub"].record.address("DIDRegistry"), mnemonic_key(6).key
        )
        identity = mnemonic_key(6).address
        receipt = registry.set_attribute(identity, ENDPOINT_ATTRIBUTE, b"https://x.example", 60)
        assert receipt["status"] == 1
        balances = {hub.eth.get_balance(mnemonic_key(i).address) for i in range(20)}
        return result, _transactions(chains), balances


def _assert_flow_done(result):
    assert set(result.suites) == {"hub", "customs", "tax"}
    assert result.statuses["verified on customs"] == "VALID"
    assert result.mirrored
    assert result.statuses["verified on tax"] == "VALID"
    assert result.statuses["assessment"] == "VALID"
    assert result.statuses["after revocation on tax"] == "DOCUMENT_REVOKED"


def test_flow__free_gas_chains_and_unfunded_accounts__runs_and_pays_no_fee(
    project, networks, accounts, tmp_path, monkeypatch
):
    monkeypatch.delenv(ENV, raising=False)
    result, txs, balances = _run_flow(project, networks, accounts, tmp_path)
    _assert_flow_done(result)
    assert len(txs) > 100
    assert {chain for chain, *_ in txs} == {"hub", "customs", "tax"}
    assert all(status == 1 for *_, status in txs)
    assert sum(paid for _, _, paid, _ in txs) == 0
    assert {kind for _, kind, _, _ in txs} == {2}, "EIP-1559 chains get dynamic-fee transactions"
    assert balances == {0}


def test_flow__legacy_transactions_only__every_transaction_is_type_0(
    project, networks, accounts, tmp_path, monkeypatch
):
    # The URL networks' and the daemons' setting (the daemons inherit the environment).
    monkeypatch.setenv(ENV, "legacy")
    result, txs, _ = _run_flow(project, networks, accounts, tmp_path)
    _assert_flow_done(result)
    assert len(txs) > 100
    assert {kind for _, kind, _, _ in txs} == {0}
    assert sum(paid for _, _, paid, _ in txs) == 0


def test_ape_run_deploy__free_gas_url_network_and_unfunded_account__deploys(tmp_path):
    """The command of the issue: it failed with "gas required exceeds allowance: 0"."""
    spec = ChainSpec("agencies", 2026, free_port())
    env = {**os.environ, "TRUSTSPACE_DEPLOYMENTS": str(tmp_path)}
    env.pop(ENV, None)
    command = [str(Path(sys.executable).parent / "ape"), "run", "deploy", "suite", "--network", spec.url, "--account", "TEST::0",
               "--yes", "--config", str(project_root() / "deployments/consortium.example.json")]  # fmt: skip
    with local_chains([spec], free_gas=True):
        run = subprocess.run(
            command, cwd=project_root(), env=env, capture_output=True, text=True, timeout=300
        )
        assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
        record = recorded(tmp_path / "ethereum-custom-2026.json")
        assert len(list(record.deployed())) == len(CONTRACT_NAMES)
        assert connect(spec.url).eth.get_balance(mnemonic_key(0).address) == 0


def test_unfunded_account__fee_charging_chain__both_stacks_say_who_cannot_pay(networks, accounts):
    spec = ChainSpec("customs", 31338, free_port())
    unfunded = mnemonic_key(UNFUNDED_INDEX)
    with local_chains([spec]):
        w3 = connect(spec.url)
        assert w3.eth.get_balance(unfunded.address) == 0
        with pytest.raises(FeeError, match=f"account {unfunded.address} cannot pay .* chain 31338"):
            TxSender(w3, unfunded).deploy("DIDRegistryFactory")
        # The funded neighbour pays the market price.
        funded = TxSender(w3, mnemonic_key(0))
        funded.deploy("DIDRegistryFactory")
        with networks.parse_network_choice(spec.url):
            from ape.contracts import ContractContainer

            from trustspace.artifacts import contract_type

            account = accounts.generate_test_account()
            with pytest.raises(
                FeeError, match=f"account {account.address} cannot pay .* needs up to"
            ):
                ContractContainer(contract_type("DIDRegistryFactory")).deploy(sender=account)
        assert w3.eth.get_transaction_count(unfunded.address) == 0


def _consecutive_free_ports(count=3):
    for base in range(9300, 9400 - count):
        if all(devchains.port_is_free(base + i) for i in range(count)):
            return base
    raise RuntimeError("no free port range in 9300-9399")


def test_chains_up_free_gas__chains_charge_nothing_and_fund_nobody(tmp_path, monkeypatch):
    monkeypatch.setenv("TRUSTSPACE_HOME", str(tmp_path))
    runner = CliRunner()
    base = _consecutive_free_ports()
    result = runner.invoke(main, ["chains", "up", "--base-port", str(base), "--free-gas", "--json"])
    assert result.exit_code == 0, result.output
    try:
        started = json.loads(result.output)
        assert [c["free_gas"] for c in started] == [True, True, True]
        for chain in started:
            w3 = connect(chain["url"])
            assert w3.eth.get_block("latest")["baseFeePerGas"] == 0
            assert w3.eth.get_balance(mnemonic_key(0).address) == 0
    finally:
        runner.invoke(main, ["chains", "down", "--json"])
    assert devchains.running() == []
