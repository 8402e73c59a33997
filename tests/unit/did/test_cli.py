"""``trustspace did`` over JSON-RPC (an in-process eth-tester chain): the consortium view
at the document's block, and one clear line (or one JSON document) for every mistake."""

from __future__ import annotations

import json
import socket

import pytest

from trustspace.cli.did import is_local
from trustspace.cli.options import EXIT_BAD_INPUT, EXIT_OK, EXIT_UNREACHABLE
from trustspace.consortium.constants import Action, OrgKind
from trustspace.consortium.governance import OrgSeed, constructor_args, encode_args, reason_hash
from trustspace.did.resolver import did_for


@pytest.fixture
def tax_did(web3_chain):
    """The Tax Administration's DID key."""
    return web3_chain.actor("tax did")


@pytest.fixture
def customs_admin_key(web3_chain):
    return web3_chain.actor("customs admin")


@pytest.fixture
def tax_admin_key(web3_chain):
    return web3_chain.actor("tax admin")


@pytest.fixture
def consortium(web3_chain, customs_admin_key, tax_admin_key, tax_did):
    """Customs (org 1) and Tax (org 2, DID ``tax_did``), threshold 1."""
    seeds = [
        OrgSeed("Customs Authority", OrgKind.CUSTOMS, [customs_admin_key.address]),
        OrgSeed("Tax Administration", OrgKind.TAX, [tax_admin_key.address], did=tax_did.address),
    ]
    address = web3_chain.deploy("Consortium", *constructor_args(seeds, 1, 86400))
    from trustspace.artifacts import abi

    return web3_chain.w3.eth.contract(address=address, abi=abi("Consortium"))


def suspend_tax(web3_chain, consortium, customs_admin_key):
    """Customs proposes and executes the suspension of Tax (threshold 1)."""
    args, reason = encode_args("suspend_org", org_id=2), reason_hash("audit")
    web3_chain.send(
        customs_admin_key, consortium.functions.propose(int(Action.SUSPEND_ORG), args, reason)
    )
    web3_chain.send(customs_admin_key, consortium.functions.execute(1, args, reason))


def one_line(result) -> str:
    lines = (result.stdout + result.stderr).strip().splitlines()
    assert len(lines) == 1, lines
    assert "Traceback" not in lines[0]
    return lines[0]


# ---------------------------------------------------------------- --at-block


def test_resolve__at_block__consortium_view_read_at_that_block(
    web3_chain, run_cli, consortium, customs_admin_key, tax_did
):
    then = web3_chain.set_attribute(tax_did, "did/svc/TaxApi", b"https://tax.example/api")
    suspend_tax(web3_chain, consortium, customs_admin_key)
    did = did_for(tax_did.address, web3_chain.w3.eth.chain_id)
    chain = web3_chain.chain_arg(consortium.address)
    block = int(then["blockNumber"])

    old = run_cli("resolve", did, "--at-block", str(block), "--json", "--chain", chain)
    assert old.exit_code == EXIT_OK, old.output
    out = json.loads(old.stdout)
    assert out["consortium"]["organisation"]["status"] == "ACTIVE"
    assert out["consortiumAt"] == {"block": block, "current": False}

    now = json.loads(run_cli("resolve", did, "--json", "--chain", chain).stdout)
    assert now["consortium"]["organisation"]["status"] == "SUSPENDED"
    head = web3_chain.w3.eth.block_number
    assert now["consortiumAt"] == {"block": head, "current": True}

    shown = run_cli("resolve", did, "--at-block", str(block), "--chain", chain).stdout
    assert f"consortium at block {block} (the document's block; today's may differ)" in shown
    assert "Tax Administration (#2, TAX, ACTIVE) via did" in shown
    assert "SUSPENDED" not in shown
    current = run_cli("resolve", did, "--chain", chain).stdout
    assert f"consortium (current, block {head}): Tax Administration (#2, TAX, SUSPENDED)" in current


def test_resolve__version_id_in_did_url__consortium_view_at_that_block(
    web3_chain, run_cli, consortium, customs_admin_key, tax_did
):
    then = web3_chain.set_attribute(tax_did, "did/svc/TaxApi", b"https://tax.example/api")
    suspend_tax(web3_chain, consortium, customs_admin_key)
    block = int(then["blockNumber"])
    did = f"{did_for(tax_did.address, web3_chain.w3.eth.chain_id)}?versionId={block}"
    res = run_cli("resolve", did, "--json", "--chain", web3_chain.chain_arg(consortium.address))
    out = json.loads(res.stdout)
    assert out["consortiumAt"] == {"block": block, "current": False}
    assert out["consortium"]["organisation"]["status"] == "ACTIVE"


def test_resolve__at_time__consortium_view_at_the_last_block_of_that_time(
    web3_chain, run_cli, consortium, customs_admin_key, tax_did
):
    web3_chain.time_travel(1000)
    then = web3_chain.set_attribute(tax_did, "did/svc/TaxApi", b"https://tax.example/api")
    web3_chain.time_travel(1000)
    suspend_tax(web3_chain, consortium, customs_admin_key)
    result = run_cli(
        "resolve",
        did_for(tax_did.address, web3_chain.w3.eth.chain_id),
        "--at-time",
        json.loads(
            run_cli(
                "resolve",
                did_for(tax_did.address, web3_chain.w3.eth.chain_id),
                "--json",
                "--at-block",
                str(then["blockNumber"]),
                "--chain",
                web3_chain.chain_arg(),
            ).stdout
        )["didDocumentMetadata"]["updated"],
        "--json",
        "--chain",
        web3_chain.chain_arg(consortium.address),
    )
    out = json.loads(result.stdout)
    assert out["consortiumAt"] == {"block": int(then["blockNumber"]), "current": False}
    assert out["consortium"]["organisation"]["status"] == "ACTIVE"


def test_resolve__at_block_before_the_consortium_existed__says_not_deployed(
    web3_chain, run_cli, tax_did, customs_admin_key, tax_admin_key
):
    then = web3_chain.set_attribute(tax_did, "did/svc/TaxApi", b"https://tax.example/api")
    seeds = [OrgSeed("Tax Administration", OrgKind.TAX, [tax_admin_key.address], tax_did.address)]
    consortium = web3_chain.deploy("Consortium", *constructor_args(seeds, 1, 86400))
    did = did_for(tax_did.address, web3_chain.w3.eth.chain_id)
    block = str(then["blockNumber"])
    res = run_cli(
        "resolve", did, "--at-block", block, "--json", "--chain", web3_chain.chain_arg(consortium)
    )
    out = json.loads(res.stdout)
    assert out["consortium"] is None
    assert out["consortiumAt"] == {"block": int(block), "current": False, "deployed": False}
    shown = run_cli(
        "resolve", did, "--at-block", block, "--chain", web3_chain.chain_arg(consortium)
    )
    assert (
        f"consortium at block {block} (the document's block; today's may differ): not deployed yet"
        in shown.stdout
    )


def test_resolve__at_block_beyond_the_head__one_line_bad_input(web3_chain, run_cli, tax_did):
    head = web3_chain.w3.eth.block_number
    res = run_cli(
        "resolve",
        did_for(tax_did.address, web3_chain.w3.eth.chain_id),
        "--at-block",
        str(head + 10),
        "--chain",
        web3_chain.chain_arg(),
    )
    assert res.exit_code == EXIT_BAD_INPUT
    chain_id = web3_chain.w3.eth.chain_id
    assert (
        one_line(res) == f"error: block {head + 10} is not on chain {chain_id} (its head is {head})"
    )


# -------------------------------------------------------- bad registry, no node


def free_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.mark.parametrize("as_json", [False, True])
def test_resolve__unreachable_rpc__one_line_exit_unreachable(run_cli, tax_did, as_json):
    url = free_url()
    registry = "0x" + "11" * 20
    args = ["resolve", did_for(tax_did.address, 31338), "--chain", f"{url}={registry}"]
    res = run_cli(*args, *(["--json"] if as_json else []))
    assert res.exit_code == EXIT_UNREACHABLE
    message = f"cannot reach the node at {url}: connection refused"
    if as_json:
        assert json.loads(res.stdout) == {"ok": False, "error": message, "exit_code": 3}
        assert res.stderr == ""
    else:
        assert one_line(res) == f"error: {message}"


@pytest.mark.parametrize(
    ("registry", "message"),
    [
        ("0x1234", "registry '0x1234' is not an address"),
        ("0x" + "22" * 20, "no contract at registry 0x2222222222222222222222222222222222222222"),
    ],
)
@pytest.mark.parametrize("as_json", [False, True])
def test_resolve__bad_registry_address__one_line_bad_input(
    web3_chain, run_cli, tax_did, registry, message, as_json
):
    res = run_cli(
        "resolve",
        did_for(tax_did.address, web3_chain.w3.eth.chain_id),
        "--chain",
        f"{web3_chain.url}={registry}",
        *(["--json"] if as_json else []),
    )
    assert res.exit_code == EXIT_BAD_INPUT
    if as_json:
        doc = json.loads(res.stdout)
        assert doc["ok"] is False and doc["exit_code"] == EXIT_BAD_INPUT
        assert doc["error"].startswith(message)
    else:
        assert one_line(res).startswith(f"error: {message}")


def test_resolve__registry_address_holds_another_contract__one_line_bad_input(
    web3_chain, run_cli, consortium, tax_did
):
    chain_id = web3_chain.w3.eth.chain_id
    res = run_cli(
        "resolve",
        did_for(tax_did.address, chain_id),
        "--chain",
        f"{web3_chain.url}={consortium.address}",
    )
    assert res.exit_code == EXIT_BAD_INPUT
    assert one_line(res) == (
        f"error: registry {consortium.address} on chain {chain_id} does not answer "
        "changed(): is it an ERC-1056 registry?"
    )


def test_resolve__no_chain_given__one_json_document(run_cli, tax_did, monkeypatch, tmp_path):
    monkeypatch.delenv("TRUSTSPACE_DID_CHAINS", raising=False)
    monkeypatch.setenv("TRUSTSPACE_DEPLOYMENTS", str(tmp_path))  # no records: nothing to use
    res = run_cli("resolve", did_for(tax_did.address, 31338), "--json")
    assert res.exit_code == EXIT_BAD_INPUT
    assert json.loads(res.stdout)["error"] == (
        "no chain: no deployment record of a local chain holds a DIDRegistry; name one with "
        "--network (customs, NAME=URL, …) or give --chain URL=REGISTRY"
    )


# ----------------------------------------------------------------- local chains


@pytest.mark.parametrize(
    ("url", "chain_id", "local"),
    [
        ("http://127.0.0.1:8546", 31338, True),
        ("http://localhost:8545", 1337, True),
        ("http://[::1]:8545", 31337, True),
        ("https://qbft.agency.example:8545", 1337, False),
        ("http://10.0.0.5:8546", 31338, False),
        ("http://127.0.0.1:8545", 1, False),
        ("http://127.0.0.1.evil.example:8545", 31337, False),
        ("http://localhost@evil.example:8545", 31337, False),
    ],
)
def test_is_local__needs_a_local_chain_id_and_a_node_on_this_machine(url, chain_id, local):
    assert is_local(url, chain_id) is local
