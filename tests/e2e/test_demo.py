"""The demo's scenario end to end, smaller: three anvil chains, deploy, DIDs, a batch of 100
declarations, selective disclosure, revocation, trail and gas; the chains are stopped after."""

import io

import pytest
from rich.console import Console

from trustspace.chains import _alive
from trustspace.demo import AGENCIES, run_demo

pytestmark = pytest.mark.anvil


def test_demo__small_scenario__runs_end_to_end_and_stops_its_chains(
    project, networks, accounts, tmp_path
):
    out = io.StringIO()
    pids = []
    result = run_demo(
        project,
        networks,
        accounts,
        Console(file=out, width=200),
        declarations=100,
        workdir=tmp_path,
        on_chains=lambda chains: pids.extend(c.pid for c in chains),
    )
    text = out.getvalue()

    assert set(result.suites) == {"hub", "customs", "tax"}
    chain_ids = {name: s.record.chain_id for name, s in result.suites.items()}
    assert chain_ids == {"hub": 31337, "customs": 31338, "tax": 31339}
    registries = {s.record.address("DIDRegistry") for s in result.suites.values()}
    assert len(registries) == 3, "CREATE2 salted by chain id: one registry address per chain"
    assert sorted(p.name for p in (tmp_path / "deployments").glob("*.json")) == [
        "ethereum-custom-31337.json",
        "ethereum-custom-31338.json",
        "ethereum-custom-31339.json",
    ]
    for name, _ in AGENCIES:
        assert name in text
    assert "service endpoint https://customs.agencies.example/trustspace" in text

    assert set(result.revealed) == {"declared_value", "currency"}
    assert result.statuses["verified on customs"] == "VALID"
    assert result.statuses["after revocation on customs"] == "DOCUMENT_REVOKED"
    assert result.statuses["assessment"] == "VALID"

    steps = {line.step for line in result.gas}
    assert "anchor 100 declarations (one batch)" in steps
    assert all(line.gas > 0 and line.txs > 0 for line in result.gas)
    assert "Provenance trail" in text and "Gas per step" in text
    assert [e.event for e in result.trail if e.chain == "customs"][-1].startswith(
        "declaration revoked"
    )
    assert pids and not any(_alive(pid) for pid in pids)
