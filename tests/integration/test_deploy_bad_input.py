"""Every mistake an operator makes with ``trustspace deploy``: one line saying what was wrong and
what to do, a non-zero exit code (2 bad input, 3 chain unreachable), no traceback, and
nothing recorded or sent.

The command runs from a folder outside the checkout with its records in an empty temporary
folder; mistakes that need a chain use one anvil on a free port.
"""

from __future__ import annotations

import json

import pytest

from tests.utils.deploy_cli import (
    ape_network,
    deploy_over_web3,
    deployer_key,
    no_traceback,
    refusal,
    rpc,
    spec_named,
    trustspace_deploy,
)
from trustspace.devnet.chains import free_port, local_chains

pytestmark = pytest.mark.anvil

ADMIN = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
CONFIGS = {
    "malformed.json": '{"organisations": [',
    "kind.json": json.dumps(
        {"organisations": [{"name": "Port", "kind": "harbour", "admins": [ADMIN]}],
         "threshold": 1}
    ),
    "zero.json": json.dumps(
        {"organisations": [{"name": "Customs", "kind": "customs", "admins": [ADMIN]}],
         "threshold": 0}
    ),
}  # fmt: skip
DOWN = f"http://127.0.0.1:{free_port()}"

# case: (arguments, chain given as --network (None: the arguments name it), exit code, what the
# line says); the tax chain has a record (in the module's folder), the hub none.
CASES = {
    "unknown network name": (
        ["suite", "--network", "ethereum:nowhere:node"], None, 2,
        "unknown network 'ethereum:nowhere:node': use hub, customs or tax",
    ),
    "chain down": (["suite", "--network", DOWN], None, 3,
                   "cannot reach the chain"),
    "status, chain down": (["status", "--network", DOWN], None, 3, "start it"),
    "missing --config": (["suite", "--config", "nope.json"], "hub", 2, "does not exist"),
    "malformed --config": (["suite", "--config", "malformed.json"], "hub", 2,
                           "malformed.json is not JSON"),
    "unknown organisation kind": (
        ["suite", "--config", "kind.json"], "hub", 2,
        "organisation 'Port' has unknown kind 'harbour'; use one of customs, tax,",
    ),
    "zero threshold": (["suite", "--config", "zero.json"], "hub", 2,
                       "threshold 0 must be between 1 and the 1 organisations"),
    "unknown --account": (["suite", "--account", "nobody"], "hub", 2,
                          "unknown account 'nobody'"),
    "wire --peer unknown name": (
        ["wire", "--peer", "nowhere"], "tax", 2,
        "--peer nowhere: no record of ethereum:nowhere in",
    ),
    "wire without a record here": (
        ["wire", "--peer", "tax"], "hub", 2,
        "no trustspace deployment recorded for ethereum:hub (chain id 31337)",
    ),
}  # fmt: skip


@pytest.fixture(scope="module")
def chains(tmp_path_factory):
    """The hub (no record) and the tax chain (its suite recorded in the module's folder)."""
    folder = tmp_path_factory.mktemp("deployments")
    with local_chains([spec_named("hub"), spec_named("tax")]) as (hub, tax):
        deploy_over_web3(tax.url, "tax", folder)
        yield {"hub": hub, "tax": tax}, folder


def _sent(chain):
    return int(rpc(chain.url, "eth_getTransactionCount", deployer_key().address, "latest"), 16)


@pytest.mark.parametrize("case", sorted(CASES))
def test_ape_run_deploy_mistake__one_line_exit_code_no_traceback(chains, tmp_path, case):
    running, tax_records = chains
    args, network, code, says = CASES[case]
    records = tax_records if network == "tax" else tmp_path / "deployments"
    for name, text in CONFIGS.items():
        (tmp_path / name).write_text(text)
    if network is not None:
        args = [*args, "--network", ape_network(running[network])]
    args = [str(tmp_path / a) if a in (*CONFIGS, "nope.json") else a for a in args]
    before = {p.name: p.read_bytes() for p in records.glob("*")}
    sent = {name: _sent(chain) for name, chain in running.items()}
    result = trustspace_deploy(args, records, tmp_path / "home")
    assert result.returncode == code, result.stdout[-2000:] + result.stderr[-2000:]
    line = refusal(result)
    assert line.startswith("error: ") and says in line, result.stderr[-2000:]
    assert no_traceback(result)
    assert {p.name: p.read_bytes() for p in records.glob("*")} == before  # nothing recorded
    assert {name: _sent(chain) for name, chain in running.items()} == sent  # nothing sent
