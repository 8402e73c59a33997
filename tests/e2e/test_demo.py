"""The demo's scenario end to end, smaller: three anvil chains, deploy, DIDs, a batch of 100
declarations, selective disclosure, mirroring through 3 of 5 validator organisations (real
validator and relayer processes), revocation, trail and gas; everything is stopped after.
The integration examples then read the mirrored record on the tax chain, and the portal is
walked in headless Chromium over the same chains (tests/utils/portal_walk.py)."""

import io
import json
import shutil
import subprocess
import sys

import pytest
from rich.console import Console

from tests.utils.portal_walk import walk_demo_portal
from trustspace.crypto.hashing import to_hex
from trustspace.devnet.chains import _alive
from trustspace.devnet.demo import AGENCIES, Scenario, run_demo
from trustspace.devnet.demo_compute import FIGURES as COMPUTE_FIGURES
from trustspace.notary.client import Status
from trustspace.paths import project_root

pytestmark = pytest.mark.anvil
ROOT = project_root()


def _read_mirrored_with_examples(
    scenario: Scenario, found: dict[str, tuple[int, str, str]]
) -> None:
    """Run the web3.py and ethers examples against the demo's tax chain (chains still up), as
    the tax officer the demo itself used."""
    url = scenario.chains["tax"].url
    record = str(scenario.workdir / "deployments" / "ethereum-custom-31339.json")
    key = scenario.officer.private_key
    foreign = to_hex(scenario.result.foreign_id)
    commands = {
        "python": [sys.executable, str(ROOT / "examples/python/integration.py"), "--rpc", url,
                   "--record", record, "--key", key, "--mirrored", foreign],
    }  # fmt: skip
    if shutil.which("node"):
        commands["js"] = ["node", str(ROOT / "examples/js/integration.mjs"), url, record, key,
                          foreign]  # fmt: skip
    for name, command in commands.items():
        run = subprocess.run(command, capture_output=True, text=True, timeout=120, cwd=ROOT)
        found[name] = (run.returncode, run.stdout, run.stderr)


def test_demo__small_scenario__runs_end_to_end_and_stops_what_it_started(
    project, networks, accounts, tmp_path
):
    out = io.StringIO()
    pids: list[int] = []
    examples: dict[str, tuple[int, str, str]] = {}
    portal: dict[str, str] = {}

    def before_stop(scenario: Scenario) -> None:
        _read_mirrored_with_examples(scenario, examples)
        portal.update(walk_demo_portal(scenario))

    result = run_demo(
        project,
        networks,
        accounts,
        Console(file=out, width=200),
        declarations=100,
        workdir=tmp_path,
        on_chains=lambda chains: pids.extend(c.pid for c in chains),
        before_stop=before_stop,
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
    assert result.mirrored
    assert result.statuses["verified on tax"] == "VALID"
    assert result.statuses["assessment"] == "VALID"
    assert result.statuses["after revocation on customs"] == "DOCUMENT_REVOKED"
    assert result.statuses["after revocation on tax"] == "DOCUMENT_REVOKED"
    assert result.statuses["tax after the hub suspended customs"] == "ORG_NOT_LIVE"
    assert set(result.suspension_seconds) == {"customs", "tax"}  # both domains followed the hub
    assert result.statuses["AEO credential after customs suspended it"] == "suspended"
    assert "tax verified the presentation: name=" in text and "aeoLevel=" in text
    assert result.totals == [sum(column) for column in zip(*COMPUTE_FIGURES.values(), strict=True)]
    assert "trail of computation" in text
    assert result.statuses["data fetch after customs terminated"] == "agreement terminated"
    assert result.transfers["totals"]["VAT assessment"]["transfers"] == 1
    (transfer,) = result.transfers["transfers"]  # the one fetch, logged once
    assert transfer["payloadDigest"].startswith("0x") and transfer["size"] > 0
    assert "did/svc/DataConnector" in text  # tax found the connector through customs' DID
    assert "matches the transfer log and customs' attestation" in text
    assert "customs suspended" in [e.event for e in result.trail if e.chain == "hub"]
    assert result.lineage["kind"] == "FOREIGN"
    assert [c["kind"] for c in result.lineage["children"]] == ["DOCUMENT"]
    assert "signed by Customs Authority, Tax Administration, Maritime Authority" in text

    steps = {line.step for line in result.gas}
    assert "anchor 100 declarations (one batch)" in steps
    assert "mirror the batch: proven delivery" in steps
    assert all(line.gas > 0 and line.txs > 0 for line in result.gas)
    assert "Provenance trail" in text and "Gas per step" in text
    assert [e.event for e in result.trail if e.chain == "tax"][-1].startswith(
        "revocation delivered"
    )
    assert pids and not any(_alive(pid) for pid in pids)
    assert "stopped the validators and the relayer" in text

    assert "verify" in portal and "/compute" in portal, "the portal walk did not run"
    assert examples, "the examples did not run"
    for name, (code, stdout, stderr) in examples.items():
        assert code == 0, (name, stderr[-3000:])
        mirrored = json.loads(stdout.strip().splitlines()[-1])["read_mirrored"]
        assert mirrored["origin"] == 31338
        # The mirrored batch, read after the hub suspended customs: ORG_NOT_LIVE on tax.
        assert mirrored["status"] == Status.ORG_NOT_LIVE and mirrored["kind"] == 3, (name, mirrored)
