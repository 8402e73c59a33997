"""DID registry on two real anvil chains (31338, 31339): no cross-chain replay,
resolution over JSON-RPC with single-block log queries, and the CLI.

The chains and registries are shared by the module (starting anvil is slow), but no test
reads what another wrote: each one works on identities of its own, fresh keys named by
role and funded by the deployer (``actors``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from eth_account import Account
from eth_utils.crypto import keccak
from web3 import Web3

from trustspace.artifacts import abi
from trustspace.cli.did import did as did_cli
from trustspace.deploy.deployer import deploy_contract, deploy_did_registry
from trustspace.deploy.stacks import Web3Chain
from trustspace.devnet.chains import free_port, local_chains
from trustspace.did import registry as reg
from trustspace.did.resolver import Resolver, Web3Source, did_for
from trustspace.networks import DEFAULT_CHAINS, ChainSpec

pytestmark = pytest.mark.anvil
DAY = 86400


@pytest.fixture(scope="module")
def anvils() -> Any:
    """Two anvil nodes (customs 31338, tax 31339) on free local ports; stopped at teardown."""
    specs = [ChainSpec(s.name, s.chain_id, free_port()) for s in DEFAULT_CHAINS[1:]]
    with local_chains(specs) as running:
        yield {chain.chain_id: chain.url for chain in running}


def _send(w3: Web3, key: Any, tx: dict[str, Any]) -> Any:
    acct = Account.from_key(key)
    tx = {
        **tx,
        "from": acct.address,
        "nonce": w3.eth.get_transaction_count(acct.address),
        "chainId": w3.eth.chain_id,
        "gas": tx.get("gas", 3_000_000),
        "maxFeePerGas": w3.eth.gas_price * 2,
        "maxPriorityFeePerGas": 0,
    }
    signed = acct.sign_transaction(tx)
    return w3.eth.wait_for_transaction_receipt(w3.eth.send_raw_transaction(signed.raw_transaction))


@pytest.fixture(scope="module")
def deployed(anvils: Any, project: Any, deployer: Any) -> Any:
    """Factory + registry on both chains, from the same key at the same nonces, by the one
    deployer (trustspace.deploy.deployer) over web3.py. (``project`` is requested so that ape sets up
    its isolation of the in-process chain before this module-scoped fixture, as before.)"""
    out = {}
    for chain_id, url in anvils.items():
        w3 = Web3(Web3.HTTPProvider(url))
        chain = Web3Chain(w3, deployer.private_key)
        factory = deploy_contract(chain, "DIDRegistryFactory")
        registry = deploy_did_registry(chain, factory.address)
        out[chain_id] = (w3, factory.address, registry.address)
    return out


@pytest.fixture
def actors(request: Any, deployed: Any, deployer: Any) -> Callable[..., Any]:
    """actors("identity", "payer", …): fresh keys for this test, funded on both chains."""

    def make(*roles: str) -> list[Any]:
        made = []
        for role in roles:
            key = keccak(text=f"{request.node.nodeid}: {role}")
            acct = Account.from_key(key)
            for w3, _, _ in deployed.values():
                _send(w3, deployer.private_key, {"to": acct.address, "value": 10**19})
            made.append(acct)
        return made if len(made) > 1 else made[0]

    return make


def test_factory__same_key_same_nonce__registries_differ_per_chain(deployed: Any) -> None:
    (_, factory_a, registry_a), (_, factory_b, registry_b) = deployed.values()
    assert factory_a == factory_b
    assert registry_a != registry_b
    for w3, _, registry in deployed.values():
        assert len(w3.eth.get_code(registry)) > 0


def test_signed_change__made_for_one_chain__rejected_on_the_other(
    deployed: Any, actors: Any
) -> None:
    identity, payer, new_owner = actors("identity", "payer", "new owner")
    (w3_a, _, registry_a), (w3_b, _, registry_b) = deployed.values()
    digest = reg.change_owner_digest(registry_a, 0, identity, new_owner)
    sig = reg.sign_digest(digest, identity.key)
    contract_b = w3_b.eth.contract(address=registry_b, abi=abi("DIDRegistry"))
    call = contract_b.functions.changeOwnerSigned(identity.address, *sig.args(), new_owner.address)
    with pytest.raises(Exception, match="did: signer not owner"):
        call.call({"from": payer.address})
    # The same signature is good where it was made for.
    contract_a = w3_a.eth.contract(address=registry_a, abi=abi("DIDRegistry"))
    _send(
        w3_a,
        payer.key,
        {
            "to": registry_a,
            "data": contract_a.encode_abi(
                "changeOwnerSigned", [identity.address, *sig.args(), new_owner.address]
            ),
        },
    )
    assert contract_a.functions.identityOwner(identity.address).call() == new_owner.address
    assert contract_b.functions.identityOwner(identity.address).call() == identity.address


def _history(w3: Web3, registry: str, identity: Any, delegate: Any) -> None:
    """Three changes in three blocks: a service set, a delegate added, the service revoked."""
    client = reg.Web3Registry(w3, registry, identity.key)
    client.set_attribute(identity.address, "did/svc/HubService", b"https://hub", DAY)
    client.add_delegate(identity.address, "sigAuth", delegate.address, DAY)
    client.revoke_attribute(identity.address, "did/svc/HubService", b"https://hub")


def test_resolver__two_chains__single_block_log_queries(
    deployed: Any, actors: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    identity, delegate = actors("identity", "delegate")
    sources = []
    for w3, _, registry in deployed.values():
        _history(w3, registry, identity, delegate)
        source = Web3Source(w3, registry)
        queries: list[tuple[Any, Any]] = []
        original = w3.eth.get_logs

        def spy(params: Any, _orig: Any = original, _q: Any = queries) -> Any:
            _q.append((params["fromBlock"], params["toBlock"]))
            return _orig(params)

        monkeypatch.setattr(w3.eth, "get_logs", spy)
        sources.append((source, queries))
    resolver = Resolver([s for s, _ in sources])
    for source, queries in sources:
        result = resolver.resolve(did_for(identity.address, source.chain_id))
        doc = result.document
        assert doc is not None
        assert "service" not in doc
        assert doc["authentication"][-1].endswith("#delegate-1")
        assert all(a == b for a, b in queries) and len(queries) == 3


def _cli(*args: str, env: dict[str, str] | None = None) -> Any:
    res = CliRunner(mix_stderr=False).invoke(did_cli, list(args), env=env)
    assert res.exit_code == 0, res.stdout + res.stderr
    return res


def _keys(**keys: Any) -> dict[str, str]:
    """Environment variables holding the keys, for ``--account env:NAME``."""
    return {name: acct.key.hex() for name, acct in keys.items()}


def test_cli__resolve_and_signed_write(deployed: Any, actors: Any) -> None:
    identity, payer = actors("identity", "payer")
    (w3, _, registry) = deployed[31339]
    chain = f"{w3.provider.endpoint_uri}={registry}"
    env = _keys(PAYER_KEY=payer, OWNER_KEY=identity)
    # A local chain on this machine: sent without a question (no input is given).
    _cli(
        "set-attribute", identity.address, "did/svc/Messaging", "https://msg",
        "--chain", chain, "--account", "env:PAYER_KEY", "--signer-account", "env:OWNER_KEY",
        env=env,
    )  # fmt: skip
    res = _cli("resolve", did_for(identity.address, 31339), "--json", "--chain", chain)
    out = json.loads(res.stdout)
    assert out["didDocument"]["service"][0]["serviceEndpoint"] == "https://msg"
    assert out["consortium"] is None and out["consortiumAt"] is None
    res = _cli("resolve", did_for(identity.address, 31339), "--chain", chain)
    assert "Messaging" in res.stdout


def _test_alias(accounts: Any, account: Any) -> str:
    """The ``TEST::<n>`` alias of one of ape's test accounts."""
    index = next(i for i, a in enumerate(accounts) if a.address == account.address)
    return f"TEST::{index}"


def test_cli__every_write_command__direct_and_signed(
    deployed: Any, actors: Any, accounts: Any, deployer: Any
) -> None:
    identity, delegate, successor = actors("identity", "delegate", "successor")
    (w3, _, registry) = deployed[31338]
    chain = f"{w3.provider.endpoint_uri}={registry}"
    env = _keys(OWNER_KEY=identity, SUCCESSOR_KEY=successor)
    direct = ["--chain", chain, "--account", "env:OWNER_KEY"]
    # An ape test account (the deployer's) pays for the meta-transactions the owner signs.
    payer = _test_alias(accounts, deployer)
    signed = ["--chain", chain, "--account", payer, "--signer-account", "env:OWNER_KEY"]
    did = did_for(identity.address, 31338)

    def doc() -> Any:
        return json.loads(_cli("resolve", did, "--json", "--chain", chain).stdout)

    _cli("add-delegate", identity.address, delegate.address, "--type", "sigAuth", *direct, env=env)
    _cli(
        "set-attribute", identity.address, "did/pub/Secp256k1/veriKey/hex", "02" + "ab" * 32,
        "--hex", *signed, env=env,
    )  # fmt: skip
    _cli("set-attribute", identity.address, "did/svc/HubService", "https://hub", *direct, env=env)
    out = doc()["didDocument"]
    assert len(out["verificationMethod"]) == 3 and len(out["authentication"]) == 2
    assert out["service"][0]["type"] == "HubService"
    _cli(
        "revoke-delegate", identity.address, delegate.address, "--type", "sigAuth", *signed,
        env=env,
    )  # fmt: skip
    _cli(
        "revoke-attribute", identity.address, "did/svc/HubService", "https://hub", *signed,
        env=env,
    )  # fmt: skip
    _cli(
        "revoke-attribute", identity.address, "did/pub/Secp256k1/veriKey/hex", "02" + "ab" * 32,
        "--hex", *direct, env=env,
    )  # fmt: skip
    summary = json.loads(
        _cli("add-delegate", identity.address, delegate.address, "--json", *signed, env=env).stdout
    )
    assert summary["result"] == "delegate added" and summary["gasUsed"] > 21_000
    assert summary["chainId"] == 31338
    out = doc()["didDocument"]
    assert "service" not in out and len(out["authentication"]) == 1
    assert len(out["assertionMethod"]) == 2
    _cli("change-owner", identity.address, successor.address, *signed, env=env)
    owner = doc()["didDocument"]["verificationMethod"][0]["blockchainAccountId"]
    assert owner.endswith(successor.address)
    # The former key can no longer act, directly or by signature.
    res = CliRunner(mix_stderr=False).invoke(
        did_cli, ["change-owner", identity.address, identity.address, *direct], env=env
    )
    assert res.exit_code == 2
    # The deprecation warning of an env: key may precede it; the error is the last line.
    assert res.stderr.strip().splitlines()[-1] == "error: the registry refused: did: not owner"
    _cli(
        "change-owner", identity.address, "0x" + "00" * 20, "--chain", chain,
        "--account", payer, "--signer-account", "env:SUCCESSOR_KEY", env=env,
    )  # fmt: skip
    result = doc()
    assert result["didDocumentMetadata"]["deactivated"] is True
    assert result["didDocument"]["verificationMethod"] == []


def test_cli__resolve_unknown_chain__clean_error(deployed: Any, actors: Any) -> None:
    (w3, _, registry) = deployed[31338]
    identity = actors("identity")
    res = CliRunner(mix_stderr=False).invoke(
        did_cli,
        [
            "resolve",
            did_for(identity.address, 5),
            "--chain",
            f"{w3.provider.endpoint_uri}={registry}",
        ],
    )
    assert res.exit_code == 2
    assert res.stderr.strip() == "error: no registry configured for chain 5 (0x5)"


def _deploy_consortium(w3: Web3, project: Any, deployer: Any, seeds: list[Any]) -> str:
    from trustspace.consortium.governance import constructor_args

    ct = project.Consortium.contract_type
    contract_abi = [a.model_dump(by_alias=True, mode="json") for a in ct.abi]
    factory = w3.eth.contract(abi=contract_abi, bytecode=ct.deployment_bytecode.bytecode)
    data = factory.constructor(*constructor_args(seeds, 1, 86400)).build_transaction(
        {"from": deployer.address, "gas": 8_000_000, "maxFeePerGas": 10**10,
         "maxPriorityFeePerGas": 0}
    )["data"]  # fmt: skip
    receipt = _send(w3, deployer.private_key, {"data": data, "gas": 8_000_000})
    return str(receipt["contractAddress"])


def test_cli__consortium_view_over_rpc(
    deployed: Any, project: Any, actors: Any, deployer: Any
) -> None:
    from trustspace.consortium.constants import OrgKind
    from trustspace.consortium.governance import OrgSeed

    org_did, admin = actors("tax did", "tax admin")
    (w3, _, registry) = deployed[31339]
    seeds = [OrgSeed("Tax Administration", OrgKind.TAX, [admin], did=org_did.address)]
    consortium = _deploy_consortium(w3, project, deployer, seeds)
    chain = f"{w3.provider.endpoint_uri}={registry},{consortium}"
    out = json.loads(
        _cli("resolve", did_for(org_did.address, 31339), "--json", "--chain", chain).stdout
    )
    view = out["consortium"]
    assert view["relation"] == "did"
    assert view["organisation"]["name"] == "Tax Administration"
    assert view["organisation"]["kind"] == "TAX"
    assert view["organisation"]["status"] == "ACTIVE"
    assert view["roles"] == []
    assert out["consortiumAt"] == {"block": w3.eth.block_number, "current": True}
    out = json.loads(
        _cli("resolve", did_for(admin.address, 31339), "--json", "--chain", chain).stdout
    )
    assert out["consortium"]["relation"] == "account"
    assert out["consortium"]["roles"] == ["ADMIN"]
    table = _cli("resolve", did_for(admin.address, 31339), "--chain", chain).stdout
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


def test_ape_source__over_ape_provider__same_document_as_web3(deployed: Any, actors: Any) -> None:
    # In a child process: switching ape's provider inside the test session
    # would break ape's snapshot isolation of the boa chain.
    identity, delegate = actors("identity", "delegate")
    (w3, _, registry) = deployed[31338]
    _history(w3, registry, identity, delegate)
    did = did_for(identity.address, 31338)
    expected = Resolver([Web3Source(w3, registry)]).resolve(did).document
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run(
        [sys.executable, "-c", APE_SOURCE_SCRIPT, w3.provider.endpoint_uri, registry, did],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(root)},
    )
    assert out.returncode == 0, out.stderr[-2000:]
    got = json.loads(out.stdout.strip().splitlines()[-1])
    assert got["doc"] == expected
    assert got["queries"] == 3
