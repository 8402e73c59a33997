"""DID registry on two real anvil chains (31338, 31339): no cross-chain replay,
resolution over JSON-RPC with single-block log queries, and the CLI."""

from __future__ import annotations

import json
import subprocess
from typing import Any

import pytest
from click.testing import CliRunner
from eth_account import Account
from web3 import Web3

from trustspace.artifacts import abi
from trustspace.cli.did import did as did_cli
from trustspace.devnet.chains import DEFAULT_CHAINS, ChainSpec, free_port, local_chains
from trustspace.did import registry as reg
from trustspace.did.resolver import Resolver, Web3Source, did_for

pytestmark = pytest.mark.anvil
DAY = 86400


@pytest.fixture(scope="module")
def anvils() -> Any:
    """Two anvil nodes (customs 31338, tax 31339) on free local ports; stopped at teardown."""
    specs = [ChainSpec(s.name, s.chain_id, free_port()) for s in DEFAULT_CHAINS[1:]]
    with local_chains(specs) as running:
        yield {chain.chain_id: chain.url for chain in running}


def _send(w3: Web3, key: str, tx: dict[str, Any]) -> Any:
    acct = Account.from_key(key)
    tx = {
        **tx,
        "from": acct.address,
        "nonce": w3.eth.get_transaction_count(acct.address),
        "chainId": w3.eth.chain_id,
        "gas": 3_000_000,
        "maxFeePerGas": w3.eth.gas_price * 2,
        "maxPriorityFeePerGas": 0,
    }
    signed = acct.sign_transaction(tx)
    return w3.eth.wait_for_transaction_receipt(w3.eth.send_raw_transaction(signed.raw_transaction))


@pytest.fixture(scope="module")
def deployed(anvils: Any, project: Any, accounts: Any) -> Any:
    """Factory + registry on both chains, from the same key at the same nonces."""
    key = accounts[0].private_key
    factory_ct = project.DIDRegistryFactory.contract_type
    initcode = bytes.fromhex(
        project.DIDRegistry.contract_type.deployment_bytecode.bytecode.removeprefix("0x")
    )
    out = {}
    for chain_id, url in anvils.items():
        w3 = Web3(Web3.HTTPProvider(url))
        receipt = _send(w3, key, {"data": factory_ct.deployment_bytecode.bytecode})
        factory = w3.eth.contract(
            address=receipt["contractAddress"],
            abi=[a.model_dump(by_alias=True, mode="json") for a in factory_ct.abi],
        )
        _send(w3, key, {"to": factory.address, "data": factory.encode_abi("deploy", [initcode])})
        registry = factory.functions.registry_address(Web3.keccak(initcode)).call()
        out[chain_id] = (w3, factory.address, registry)
    return out


def test_factory__same_key_same_nonce__registries_differ_per_chain(deployed: Any) -> None:
    (_, factory_a, registry_a), (_, factory_b, registry_b) = deployed.values()
    assert factory_a == factory_b
    assert registry_a != registry_b
    for w3, _, registry in deployed.values():
        assert len(w3.eth.get_code(registry)) > 0


def test_signed_change__made_for_one_chain__rejected_on_the_other(
    deployed: Any, accounts: Any
) -> None:
    identity, payer, new_owner = accounts[1], accounts[4], accounts[2]
    (w3_a, _, registry_a), (w3_b, _, registry_b) = deployed.values()
    digest = reg.change_owner_digest(registry_a, 0, identity, new_owner)
    sig = reg.sign_digest(digest, identity.private_key)
    contract_b = w3_b.eth.contract(address=registry_b, abi=abi("DIDRegistry"))
    call = contract_b.functions.changeOwnerSigned(identity.address, *sig.args(), new_owner.address)
    with pytest.raises(Exception, match="did: signer not owner"):
        call.call({"from": payer.address})
    # The same signature is good where it was made for.
    contract_a = w3_a.eth.contract(address=registry_a, abi=abi("DIDRegistry"))
    _send(
        w3_a,
        payer.private_key,
        {
            "to": registry_a,
            "data": contract_a.encode_abi(
                "changeOwnerSigned", [identity.address, *sig.args(), new_owner.address]
            ),
        },
    )
    assert contract_a.functions.identityOwner(identity.address).call() == new_owner.address
    assert contract_b.functions.identityOwner(identity.address).call() == identity.address


def test_resolver__two_chains__single_block_log_queries(deployed: Any, accounts: Any) -> None:
    identity, delegate = accounts[6], accounts[7]
    sources = []
    for w3, _, registry in deployed.values():
        client = reg.Web3Registry(w3, registry, identity.private_key)
        client.set_attribute(identity.address, "did/svc/HubService", b"https://hub", DAY)
        client.add_delegate(identity.address, "sigAuth", delegate.address, DAY)
        client.revoke_attribute(identity.address, "did/svc/HubService", b"https://hub")
        source = Web3Source(w3, registry)
        queries: list[tuple[Any, Any]] = []
        original = w3.eth.get_logs

        def spy(params: Any, _orig: Any = original, _q: Any = queries) -> Any:
            _q.append((params["fromBlock"], params["toBlock"]))
            return _orig(params)

        w3.eth.get_logs = spy  # type: ignore[method-assign]
        sources.append((source, queries))
    resolver = Resolver([s for s, _ in sources])
    for source, queries in sources:
        result = resolver.resolve(did_for(identity.address, source.chain_id))
        doc = result.document
        assert doc is not None
        assert "service" not in doc
        assert doc["authentication"][-1].endswith("#delegate-1")
        assert all(a == b for a, b in queries) and len(queries) == 3


def test_cli__resolve_and_signed_write(deployed: Any, accounts: Any) -> None:
    identity, payer = accounts[8], accounts[9]
    (w3, _, registry) = deployed[31339]
    url = w3.provider.endpoint_uri
    runner = CliRunner()
    res = runner.invoke(
        did_cli,
        [
            "set-attribute",
            identity.address,
            "did/svc/Messaging",
            "https://msg",
            "--chain",
            f"{url}={registry}",
            "--key",
            payer.private_key,
            "--signer-key",
            identity.private_key,
        ],
    )
    assert res.exit_code == 0, res.output
    res = runner.invoke(
        did_cli,
        [
            "resolve",
            did_for(identity.address, 31339),
            "--json",
            "--chain",
            f"{url}={registry}",
        ],
    )
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert out["didDocument"]["service"][0]["serviceEndpoint"] == "https://msg"
    assert out["consortium"] is None
    res = runner.invoke(
        did_cli, ["resolve", did_for(identity.address, 31339), "--chain", f"{url}={registry}"]
    )
    assert res.exit_code == 0 and "Messaging" in res.output


def _cli(*args: str) -> Any:
    res = CliRunner().invoke(did_cli, list(args))
    assert res.exit_code == 0, res.output
    return res


def test_cli__every_write_command__direct_and_signed(deployed: Any, accounts: Any) -> None:
    # anvil funds accounts 0-9 only: senders come from there.
    identity, payer, delegate, successor = accounts[3], accounts[5], accounts[15], accounts[16]
    (w3, _, registry) = deployed[31338]
    chain = f"{w3.provider.endpoint_uri}={registry}"
    direct = ["--chain", chain, "--key", identity.private_key]
    signed = ["--chain", chain, "--key", payer.private_key, "--signer-key", identity.private_key]
    did = did_for(identity.address, 31338)

    def doc() -> Any:
        return json.loads(_cli("resolve", did, "--json", "--chain", chain).output)

    _cli("add-delegate", identity.address, delegate.address, "--type", "sigAuth", *direct)
    _cli(
        "set-attribute",
        identity.address,
        "did/pub/Secp256k1/veriKey/hex",
        "02" + "ab" * 32,
        "--hex",
        *signed,
    )
    _cli("set-attribute", identity.address, "did/svc/HubService", "https://hub", *direct)
    out = doc()["didDocument"]
    assert len(out["verificationMethod"]) == 3 and len(out["authentication"]) == 2
    assert out["service"][0]["type"] == "HubService"
    _cli("revoke-delegate", identity.address, delegate.address, "--type", "sigAuth", *signed)
    _cli("revoke-attribute", identity.address, "did/svc/HubService", "https://hub", *signed)
    _cli(
        "revoke-attribute",
        identity.address,
        "did/pub/Secp256k1/veriKey/hex",
        "02" + "ab" * 32,
        "--hex",
        *direct,
    )
    summary = json.loads(
        _cli("add-delegate", identity.address, delegate.address, "--json", *signed).output
    )
    assert summary["result"] == "delegate added" and summary["gasUsed"] > 21_000
    out = doc()["didDocument"]
    assert "service" not in out and len(out["authentication"]) == 1
    assert len(out["assertionMethod"]) == 2
    _cli("change-owner", identity.address, successor.address, *signed)
    owner = doc()["didDocument"]["verificationMethod"][0]["blockchainAccountId"]
    assert owner.endswith(successor.address)
    # The former key can no longer act, directly or by signature.
    res = CliRunner().invoke(did_cli, ["change-owner", identity.address, identity.address, *direct])
    assert res.exit_code != 0
    _cli(
        "change-owner",
        identity.address,
        "0x" + "00" * 20,
        "--chain",
        chain,
        "--key",
        payer.private_key,
        "--signer-key",
        successor.private_key,
    )
    result = doc()
    assert result["didDocumentMetadata"]["deactivated"] is True
    assert result["didDocument"]["verificationMethod"] == []


def test_cli__resolve_unknown_chain__clean_error(deployed: Any, accounts: Any) -> None:
    (w3, _, registry) = deployed[31338]
    res = CliRunner().invoke(
        did_cli,
        [
            "resolve",
            did_for(accounts[1].address, 5),
            "--chain",
            f"{w3.provider.endpoint_uri}={registry}",
        ],
    )
    assert res.exit_code != 0 and "no registry configured for chain 5" in res.output


def test_cli__consortium_view_over_rpc(deployed: Any, project: Any, accounts: Any) -> None:
    from trustspace.consortium.constants import OrgKind
    from trustspace.consortium.governance import OrgSeed, constructor_args

    org_did, admin, deployer = accounts[17], accounts[18], accounts[0]
    (w3, _, registry) = deployed[31339]
    ct = project.Consortium.contract_type
    abi = [a.model_dump(by_alias=True, mode="json") for a in ct.abi]
    args = constructor_args(
        [OrgSeed("Tax Administration", OrgKind.TAX, [admin], did=org_did.address)], 1, 86400
    )
    factory = w3.eth.contract(abi=abi, bytecode=ct.deployment_bytecode.bytecode)
    data = factory.constructor(*args).build_transaction(
        {
            "from": deployer.address,
            "gas": 8_000_000,
            "maxFeePerGas": 10**10,
            "maxPriorityFeePerGas": 0,
        }
    )["data"]
    acct = Account.from_key(deployer.private_key)
    tx = {
        "from": acct.address,
        "data": data,
        "gas": 8_000_000,
        "nonce": w3.eth.get_transaction_count(acct.address),
        "chainId": w3.eth.chain_id,
        "maxFeePerGas": w3.eth.gas_price * 2,
        "maxPriorityFeePerGas": 0,
    }
    receipt = w3.eth.wait_for_transaction_receipt(
        w3.eth.send_raw_transaction(acct.sign_transaction(tx).raw_transaction)
    )
    consortium = receipt["contractAddress"]
    chain = f"{w3.provider.endpoint_uri}={registry},{consortium}"
    out = json.loads(
        _cli("resolve", did_for(org_did.address, 31339), "--json", "--chain", chain).output
    )
    view = out["consortium"]
    assert view["relation"] == "did"
    assert view["organisation"]["name"] == "Tax Administration"
    assert view["organisation"]["kind"] == "TAX"
    assert view["organisation"]["status"] == "ACTIVE"
    assert view["roles"] == []
    out = json.loads(
        _cli("resolve", did_for(admin.address, 31339), "--json", "--chain", chain).output
    )
    assert out["consortium"]["relation"] == "account"
    assert out["consortium"]["roles"] == ["ADMIN"]
    table = _cli("resolve", did_for(admin.address, 31339), "--chain", chain).output
    assert "Tax Administration" in table


APE_SOURCE_SCRIPT = """
import json, sys
from ape import networks, project
from trustspace.did.resolver import ApeSource, Resolver
url, registry, did = sys.argv[1:4]
with networks.parse_network_choice(url):
    source = ApeSource(project.DIDRegistry.at(registry))
    doc = Resolver([source]).resolve(did).document
    print(json.dumps({"doc": doc, "queries": source.log_queries}))
"""


def test_ape_source__over_ape_provider__same_document_as_web3(deployed: Any, accounts: Any) -> None:
    # In a child process: switching ape's provider inside the test session
    # would break ape's snapshot isolation of the boa chain.
    import sys
    from pathlib import Path

    identity = accounts[6]  # has history on both chains (test_resolver__two_chains…)
    (w3, _, registry) = deployed[31338]
    did = did_for(identity.address, 31338)
    expected = Resolver([Web3Source(w3, registry)]).resolve(did).document
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run(
        [sys.executable, "-c", APE_SOURCE_SCRIPT, w3.provider.endpoint_uri, registry, did],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
        env={**__import__("os").environ, "PYTHONPATH": str(root)},
    )
    assert out.returncode == 0, out.stderr[-2000:]
    got = json.loads(out.stdout.strip().splitlines()[-1])
    assert got["doc"] == expected
    assert got["queries"] == 3
