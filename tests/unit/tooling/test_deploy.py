"""Idempotent suite deployment and its records, on the in-process chain."""

import json

import pytest

from tests.utils.deployments import recorded
from trustspace.artifacts import DEPLOYABLE
from trustspace.deploy.config import CONTRACT_NAMES, SuiteConfig, local_config
from trustspace.deploy.deployer import SuiteDeployer, load_suite, suite_contract
from trustspace.deploy.records import PENDING, DeploymentError
from trustspace.deploy.wiring import Wiring, wiring_calls


@pytest.fixture
def suite_config(customs_admin, tax_admin, maritime_admin, forex_admin, ministry_admin):
    admins = [customs_admin, tax_admin, maritime_admin, forex_admin, ministry_admin]
    return local_config(admins, threshold=3)


@pytest.fixture
def make_deployer(project, chain, deployer, suite_config, tmp_path):
    events = []

    def build(**kwargs):
        kwargs.setdefault("config", suite_config)
        kwargs.setdefault("folder", tmp_path)
        return SuiteDeployer(
            project,
            chain.provider,
            deployer,
            report=lambda e, n, d: events.append((e, n)),
            **kwargs,
        )

    build.events = events  # type: ignore[attr-defined]  # the fixture's report log
    return build


def test_deploy__fresh_chain__deploys_and_wires_the_suite(make_deployer, tmp_path, chain):
    suite = make_deployer().deploy()
    assert set(suite.contracts) == set(CONTRACT_NAMES)
    assert suite.notary.consortium() == suite.consortium.address
    assert suite.consortium.org_count() == 5
    assert suite.consortium.threshold() == 3
    record = recorded(suite.path)
    assert record.chain_id == chain.chain_id
    assert set(record.compilers) == {"solidity", "vyper"}
    for name in CONTRACT_NAMES:
        entry = record.contracts[name]
        assert entry.status == "deployed"
        assert entry.tx_hash and entry.tx_hash.startswith("0x")
        assert entry.codehash and entry.codehash.startswith("0x")
        assert entry.block is not None and entry.compiler


def test_deploy__rerun__is_a_no_op_that_reports_what_exists(make_deployer):
    first = make_deployer().deploy()
    make_deployer.events.clear()
    second = make_deployer().deploy()
    assert {n: c.address for n, c in second.contracts.items()} == {
        n: c.address for n, c in first.contracts.items()
    }
    assert make_deployer.events == [("exists", name) for name in CONTRACT_NAMES]


def test_deploy__one_contract_then_the_rest__completes_without_duplicates(make_deployer):
    only = make_deployer().deploy(["Consortium"])
    assert set(only.contracts) == {"Consortium"}
    full = make_deployer().deploy()
    assert full.consortium.address == only.consortium.address
    assert full.notary.consortium() == only.consortium.address


def test_deploy__contract_whose_need_is_missing__is_refused(make_deployer):
    with pytest.raises(DeploymentError, match="Notary needs Consortium"):
        make_deployer().deploy(["Notary"])


def test_deploy__pending_entry_that_was_mined__is_completed_not_resent(
    make_deployer, chain, deployer
):
    suite = make_deployer().deploy()
    record = recorded(suite.path)
    record.contracts["Notary"].status = PENDING
    suite.path.write_text(json.dumps(record.to_json()))
    nonce = chain.provider.get_nonce(deployer.address)
    make_deployer.events.clear()
    again = make_deployer().deploy()
    assert chain.provider.get_nonce(deployer.address) == nonce
    assert ("completed", "Notary") in make_deployer.events
    assert again.notary.address == suite.notary.address


def test_deploy__record_of_another_chain_id__is_reported(make_deployer):
    suite = make_deployer().deploy()
    data = json.loads(suite.path.read_text())
    data["chain_id"] = 999
    suite.path.write_text(json.dumps(data))
    with pytest.raises(DeploymentError, match="records chain id 999"):
        make_deployer()


def test_deploy__recorded_address_without_code__is_reported_then_replaced_on_request(
    make_deployer, tmp_path, outsider
):
    suite = make_deployer().deploy()
    data = json.loads(suite.path.read_text())
    data["contracts"]["Notary"]["address"] = outsider.address
    suite.path.write_text(json.dumps(data))
    with pytest.raises(DeploymentError, match=r"Notary at .* has no code"):
        make_deployer()
    fresh = make_deployer(replace_stale=True).deploy()
    assert fresh.consortium.address != suite.consortium.address
    assert list(tmp_path.glob("*.stale-*.json"))


def test_load_suite__no_record__says_how_to_deploy(project, chain, tmp_path):
    with pytest.raises(DeploymentError, match="trustspace deploy suite"):
        load_suite(project, chain.provider, tmp_path)


def test_suite_config__threshold_above_admin_orgs__is_refused():
    data = {"organisations": [{"name": "Customs", "kind": "customs", "admins": []}], "threshold": 1}
    with pytest.raises(DeploymentError, match="threshold 1"):
        SuiteConfig.from_json(data)


def test_suite_config__json_round_trip(suite_config):
    assert SuiteConfig.from_json(suite_config.to_json()) == suite_config


@pytest.mark.parametrize(
    ("network", "chain_id", "uri", "local"),
    [
        ("local", 31337, "", True),
        ("local", 1337, "http://127.0.0.1:8545", True),
        # ape's "local" network pointed at a remote node is not local: no test keys there.
        ("local", 1337, "https://staging-rpc.agencies.example", False),
        ("customs", 31338, "http://127.0.0.1:8546", True),
        ("custom", 1337, "http://localhost:8545", True),
        ("agencies-hub", 1337, "https://rpc.hub.agencies.example", False),
        ("customs", 31338, "https://rpc.customs.agencies.example", False),
        ("mainnet", 1, "https://eth.example", False),
    ],
)
def test_is_local_network__needs_a_local_chain_id_on_this_machine(network, chain_id, uri, local):
    from types import SimpleNamespace

    from trustspace.deploy.deployer import is_local_network

    provider = SimpleNamespace(
        network=SimpleNamespace(name=network, ecosystem=SimpleNamespace(name="ethereum")),
        chain_id=chain_id,
        uri=uri,
    )
    assert is_local_network(provider) is local


def test_deploy__pending_entry_that_never_landed__is_sent_again_once(make_deployer, outsider):
    suite = make_deployer().deploy(["Consortium", "DIDRegistryFactory", "DIDRegistry"])
    record = recorded(suite.path)
    from trustspace.deploy.records import ContractRecord, save

    record.contracts["Notary"] = ContractRecord(
        contract_type="Notary",
        address=outsider.address,  # no code there: the earlier transaction never landed
        tx_hash="0x" + "ab" * 32,
        deployer=outsider.address,
        status=PENDING,
    )
    save(record, suite.path)
    make_deployer.events.clear()
    full = make_deployer().deploy()
    assert ("deployed", "Notary") in make_deployer.events
    assert full.notary.address != outsider.address
    assert recorded(suite.path).contracts["Notary"].status == "deployed"


def test_wiring__enacted_by_admins__links_notary_bus_and_peer_once(
    project, chain, deployer, suite_config, tmp_path, customs_admin, tax_admin, maritime_admin
):
    here = SuiteDeployer(project, chain.provider, deployer, suite_config, folder=tmp_path).deploy()
    peer = SuiteDeployer(
        project, chain.provider, deployer, suite_config, folder=tmp_path / "peer"
    ).deploy()
    calls = wiring_calls(here.record, {31339: peer.record})
    assert [c.key for c in calls] == [
        "bus.sender.Notary", "notary.bus", "notary.peer.31339", "bus.destination.31339",
        "bus.sender.HubLink", "consortium.bind",
    ]  # fmt: skip
    approvers = [customs_admin, tax_admin, maritime_admin]
    receipts = Wiring(here).enact(calls, approvers)
    assert len(receipts) == 6 * 4
    assert here.consortium.hub_link() == here.contract("HubLink").address
    assert here.bus.isSender(here.contract("HubLink"))
    assert here.bus.isSender(here.notary)
    assert here.bus.destinationBus(31339) == peer.bus.address
    assert tuple(here.notary.mirroring(31339)) == (here.bus.address, peer.notary.address)
    assert {e["status"] for e in recorded(here.path).wiring.values()} == {"executed"}
    assert Wiring(here).enact(calls, approvers) == []


def test_wiring__proposed_by_one_admin__waits_for_the_others(
    project, chain, deployer, suite_config, tmp_path, customs_admin
):
    here = SuiteDeployer(project, chain.provider, deployer, suite_config, folder=tmp_path).deploy()
    calls = wiring_calls(here.record, {})
    ids = Wiring(here).propose(calls, customs_admin)
    assert len(ids) == 4
    assert not any(here.consortium.is_executable(pid) for pid in ids)
    assert Wiring(here).propose(calls, customs_admin) == []
    assert not here.bus.isSender(here.notary)


def test_contract_names__are_the_deployable_contracts_of_the_manifest():
    assert sorted(CONTRACT_NAMES) == sorted(DEPLOYABLE)


def test_load_suite__without_a_project__binds_from_the_shipped_manifest(make_deployer, chain):
    suite = make_deployer().deploy()
    bound = load_suite(None, chain.provider, suite.path.parent)
    assert {n: c.address for n, c in bound.contracts.items()} == {
        n: c.address for n, c in suite.contracts.items()
    }
    assert bound.notary.consortium() == suite.consortium.address


def test_suite_contract__from_the_record_or_at_the_given_address(make_deployer, tmp_path):
    suite = make_deployer().deploy()
    assert suite_contract("Notary", folder=suite.path.parent).address == suite.notary.address
    overridden = suite_contract("Notary", suite.notary.address, folder=tmp_path / "none")
    assert overridden.consortium() == suite.consortium.address
    with pytest.raises(DeploymentError, match="no trustspace deployment recorded"):
        suite_contract("Notary", folder=tmp_path / "none")


def test_suite__contract_not_deployed__names_it(make_deployer):
    only = make_deployer().deploy(["Consortium"])
    with pytest.raises(DeploymentError, match="has no deployed Notary"):
        _ = only.notary


def test_wiring__decisions_recorded_with_proposal_and_execution_hash(
    make_deployer, customs_admin, tax_admin, maritime_admin
):
    here = make_deployer().deploy()
    calls = wiring_calls(here.record, {})
    receipts = Wiring(here).enact(calls, [customs_admin, tax_admin, maritime_admin])
    wiring = recorded(here.path).wiring
    executions = [receipts[i] for i in (3, 7, 11, 15)]
    assert [wiring[c.key]["tx_hash"] for c in calls] == [str(r.txn_hash) for r in executions]
    assert [wiring[c.key]["proposal_id"] for c in calls] == [1, 2, 3, 4]


def test_suite_config__hub_chain_and_hub_link__read_from_json(suite_config):
    data = {**suite_config.to_json(), "hub_chain": 31337, "hub_link": "0x" + "ab" * 20}
    config = SuiteConfig.from_json(data)
    assert config.hub_chain == 31337
    assert config.hub_link is not None and config.hub_link.lower() == "0x" + "ab" * 20
    assert SuiteConfig.from_json(suite_config.to_json()).hub_chain == 0


def test_hub_link__domain_without_the_hubs_record__refused_naming_what_to_do(
    make_deployer, suite_config
):
    domain = SuiteConfig.from_json({**suite_config.to_json(), "hub_chain": 31338})
    with pytest.raises(DeploymentError, match="deploy the hub's suite first"):
        make_deployer(config=domain).deploy()


def test_hub_link__domain_with_hub_link_in_config__follows_that_link(make_deployer, suite_config):
    hub_link = "0x" + "12" * 20
    domain = SuiteConfig.from_json(
        {**suite_config.to_json(), "hub_chain": 31338, "hub_link": hub_link}
    )
    suite = make_deployer(config=domain).deploy()
    link = suite.contract("HubLink")
    assert link.hub_chain() == 31338
    assert link.hub_peer().lower() == hub_link
    assert link.consortium() == suite.consortium.address and link.bus() == suite.bus.address


def test_suite_config__hub_network__names_the_hubs_record(suite_config):
    named = SuiteConfig.from_json({**suite_config.to_json(), "hub_network": "ethereum:hub"})
    assert named.hub_network == "ethereum:hub"
    assert SuiteConfig.from_json(suite_config.to_json()).hub_network is None
    local = local_config(["0x" + "11" * 20] * 5, hub_chain=31337, hub_network="ethereum:hub")
    assert (local.hub_chain, local.hub_network) == (31337, "ethereum:hub")
