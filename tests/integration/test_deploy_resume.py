"""An interrupted deploy is completed by the next run: pending → deployed, nothing twice.

The operator's path: ``trustspace deploy suite`` is stopped by Ctrl-C (SIGINT) or a supervisor
(SIGTERM) while anvil holds the Consortium's transaction unmined (automine off), i.e. once
the record shows it pending. The states a signal cannot be timed to (sent and mined but not
recorded; recorded but never sent) are made by a deployer whose chain stops it at that step.
"""

from __future__ import annotations

import signal
from typing import Any

import pytest

from tests.utils.deploy_cli import (
    ape_network,
    deployer_key,
    founding_admin_keys,
    interrupt,
    no_traceback,
    pending_in,
    record_of,
    rpc,
    said,
    spec_named,
    start_trustspace_deploy,
    trustspace_deploy,
    wait_until,
)
from trustspace.deploy.config import CONTRACT_NAMES, local_config
from trustspace.deploy.deployer import SuiteDeployer
from trustspace.deploy.records import DeploymentError
from trustspace.deploy.stacks import Mined, SignedTx, Web3Chain, create_address
from trustspace.devnet.chains import local_chains

pytestmark = pytest.mark.anvil


@pytest.fixture
def hub(tmp_path):
    """A fresh hub chain, as ``chains up`` makes it, on a free port."""
    with local_chains([spec_named("hub")]) as (chain,):
        yield chain


def _transactions_sent(url: str) -> int:
    return int(rpc(url, "eth_getTransactionCount", deployer_key().address, "latest"), 16)


def _interrupted_while_consortium_pending(hub, tmp_path, how):
    """Start ``trustspace deploy suite``, stop it by ``how`` once the Consortium is pending."""
    rpc(hub.url, "evm_setAutomine", False)
    records, home = tmp_path / "deployments", tmp_path / "home"
    path = records / "ethereum-hub.json"
    process = start_trustspace_deploy(
        ["suite", "--network", ape_network(hub)], records, home, tmp_path / "first.log"
    )
    wait_until(lambda: pending_in(path, "Consortium"), "the Consortium to be recorded pending")
    # Recorded pending happens just before the send: wait for the node to hold it, or the
    # stop may land between the two (that case: test_deployer__stopped_before_sending__…).
    wait_until(
        lambda: int(rpc(hub.url, "txpool_status")["pending"], 16) == 1,
        "the Consortium's transaction in the node's pool",
    )
    code = interrupt(process, how)
    return code, records, home


def test_ape_run_deploy_suite__interrupted_while_consortium_pending__next_run_completes_it(
    hub, tmp_path
):
    code, records, home = _interrupted_while_consortium_pending(hub, tmp_path, signal.SIGINT)
    assert code != 0
    stopped = record_of(records, "hub")
    assert list(stopped.contracts) == ["Consortium"]
    sent = stopped.contracts["Consortium"]
    assert sent.status == "pending" and sent.tx_hash.startswith("0x") and sent.block is None
    assert sent.address == create_address(deployer_key().address, 0)

    status = trustspace_deploy(["status", "--network", ape_network(hub)], records, home)
    assert status.returncode == 0, status.stderr
    assert f"pending Consortium {sent.address}" in said(status)
    assert "missing DIDRegistryFactory" in said(status) and "missing MessageBus" in said(status)
    assert f"next: trustspace deploy suite --network {ape_network(hub)}" in said(status)

    rpc(hub.url, "evm_setAutomine", True)
    rpc(hub.url, "evm_mine")  # the interrupted run's transaction lands
    again = trustspace_deploy(["suite", "--network", ape_network(hub)], records, home)
    assert again.returncode == 0 and no_traceback(again), again.stderr[-2000:]
    assert f"completed Consortium {sent.address} (sent by an earlier run)" in said(again)
    record = record_of(records, "hub")
    assert [n for n, _ in record.deployed()] == list(CONTRACT_NAMES)
    consortium = record.contracts["Consortium"]
    receipt = rpc(hub.url, "eth_getTransactionReceipt", sent.tx_hash)
    assert consortium.tx_hash == sent.tx_hash and consortium.address == sent.address
    assert consortium.block == int(receipt["blockNumber"], 16)
    assert consortium.gas_used == int(receipt["gasUsed"], 16)
    assert consortium.codehash and consortium.deployed_at
    assert _transactions_sent(hub.url) == len(CONTRACT_NAMES)  # one transaction each


def test_ape_run_deploy_suite__rerun_while_the_earlier_transaction_waits__waits_not_resends(
    hub, tmp_path
):
    """SIGTERM, and the next run starts before the node mined the earlier transaction: the
    run waits for it (resending failed with "transaction already imported", and a node that
    counts pending nonces would have deployed a second Consortium)."""
    code, records, home = _interrupted_while_consortium_pending(hub, tmp_path, signal.SIGTERM)
    assert code != 0
    sent = record_of(records, "hub").contracts["Consortium"]
    log = tmp_path / "second.log"
    second = start_trustspace_deploy(["suite", "--network", ape_network(hub)], records, home, log)
    wait_until(lambda: "waiting in the node's pool" in log.read_text(), "the run to wait")
    assert int(rpc(hub.url, "txpool_status")["pending"], 16) == 1
    rpc(hub.url, "evm_setAutomine", True)
    rpc(hub.url, "evm_mine")
    assert second.wait(timeout=300) == 0, log.read_text()[-3000:]
    assert "Traceback" not in log.read_text()
    record = record_of(records, "hub")
    assert record.contracts["Consortium"].tx_hash == sent.tx_hash
    assert [n for n, _ in record.deployed()] == list(CONTRACT_NAMES)
    assert _transactions_sent(hub.url) == len(CONTRACT_NAMES)


# ---------------------------------------------------------------- the SDK, stopped at a step


class StoppingChain(Web3Chain):
    """Web3Chain whose ``stop_at``-th send stops the process: ``"before"`` sending (recorded
    pending, never sent), ``"after"`` mining (mined, not recorded deployed) or ``"broadcast"``
    (in the node's pool, the process gone before the receipt)."""

    def __init__(self, w3: Any, key: Any, stop_at: int, when: str) -> None:
        super().__init__(w3, key, network="hub")
        self.sends, self.stop_at, self.when = 0, stop_at, when

    def send(self, signed: SignedTx) -> Mined:
        self.sends += 1
        if self.sends != self.stop_at:
            return super().send(signed)
        if self.when == "after":
            super().send(signed)
        elif self.when == "broadcast":
            self.w3.eth.send_raw_transaction(signed.payload.raw)
        raise KeyboardInterrupt


def _deployer(url, folder, events, stop_at=0, when=""):
    from trustspace.bus.web3tx import connect

    w3 = connect(url)
    chain = (
        StoppingChain(w3, deployer_key(), stop_at, when)
        if stop_at
        else Web3Chain(w3, deployer_key(), network="hub")
    )
    return SuiteDeployer.on(
        chain, local_config(founding_admin_keys()), folder,
        report=lambda event, name, detail: events.append((event, name)),
    )  # fmt: skip


NOTARY = CONTRACT_NAMES.index("Notary") + 1  # the fourth transaction


def test_deployer__stopped_after_mining_before_recording__completes_from_the_receipt(hub, tmp_path):
    events: list[tuple[str, str]] = []
    with pytest.raises(KeyboardInterrupt):
        _deployer(hub.url, tmp_path, events, NOTARY, "after").deploy()
    pending = record_of(tmp_path, "hub").contracts["Notary"]
    assert pending.status == "pending" and pending.block is None
    events.clear()
    suite = _deployer(hub.url, tmp_path, events).deploy()
    assert ("completed", "Notary") in events and ("deployed", "Notary") not in events
    notary = record_of(tmp_path, "hub").contracts["Notary"]
    receipt = rpc(hub.url, "eth_getTransactionReceipt", pending.tx_hash)
    assert (notary.status, notary.address, notary.tx_hash) == (
        "deployed", pending.address, pending.tx_hash,
    )  # fmt: skip
    assert notary.block == int(receipt["blockNumber"], 16)
    assert notary.gas_used == int(receipt["gasUsed"], 16)
    assert suite.notary.functions.consortium().call() == suite.consortium.address
    assert _transactions_sent(hub.url) == len(CONTRACT_NAMES)


def test_deployer__stopped_before_sending__sends_it_once_on_the_next_run(hub, tmp_path):
    events: list[tuple[str, str]] = []
    with pytest.raises(KeyboardInterrupt):
        _deployer(hub.url, tmp_path, events, NOTARY, "before").deploy()
    assert record_of(tmp_path, "hub").contracts["Notary"].status == "pending"
    assert _transactions_sent(hub.url) == NOTARY - 1
    events.clear()
    _deployer(hub.url, tmp_path, events).deploy()
    assert ("deployed", "Notary") in events and ("completed", "Notary") not in events
    notary = record_of(tmp_path, "hub").contracts["Notary"]
    assert notary.address == create_address(deployer_key().address, NOTARY - 1)
    assert _transactions_sent(hub.url) == len(CONTRACT_NAMES)


def test_deployer__earlier_transaction_still_in_the_pool__refused_then_completed_once_mined(
    hub, tmp_path
):
    """web3.py signs at the pending nonce: resending here would deploy a second Consortium."""
    events: list[tuple[str, str]] = []
    rpc(hub.url, "evm_setAutomine", False)
    with pytest.raises(KeyboardInterrupt):
        _deployer(hub.url, tmp_path, events, 1, "broadcast").deploy()
    impatient = _deployer(hub.url, tmp_path, events)
    impatient.pool_wait = 0.5
    with pytest.raises(DeploymentError, match="still waiting in the node's pool"):
        impatient.deploy()
    assert int(rpc(hub.url, "txpool_status")["pending"], 16) == 1
    assert record_of(tmp_path, "hub").contracts["Consortium"].status == "pending"

    rpc(hub.url, "evm_setAutomine", True)
    rpc(hub.url, "evm_mine")
    events.clear()
    _deployer(hub.url, tmp_path, events).deploy()
    assert ("completed", "Consortium") in events
    assert _transactions_sent(hub.url) == len(CONTRACT_NAMES)


def test_ape_run_deploy_status__no_record_then_a_restarted_chain__prints_state_and_next_step(
    hub, tmp_path
):
    from tests.utils.deploy_cli import deploy_over_web3

    records, home = tmp_path / "deployments", tmp_path / "home"
    empty = trustspace_deploy(["status", "--network", ape_network(hub)], records, home)
    assert empty.returncode == 0 and no_traceback(empty), empty.stderr[-2000:]
    assert f"nothing recorded next: trustspace deploy suite --network {ape_network(hub)}" in (
        said(empty)
    )
    with local_chains([spec_named("hub")]) as (earlier,):  # the chain before a restart
        deploy_over_web3(earlier.url, "hub", records)
    stale = trustspace_deploy(["status", "--network", ape_network(hub)], records, home)
    assert stale.returncode == 1 and no_traceback(stale), stale.stderr[-2000:]
    assert "stale block 0 differs: the chain was restarted" in said(stale)
    assert f"next: trustspace deploy suite --network {ape_network(hub)} --replace-stale" in (
        said(stale)
    )
    assert [n for n, _ in record_of(records, "hub").deployed()] == list(CONTRACT_NAMES)
