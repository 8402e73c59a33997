"""Deploying over JSON-RPC (anvil): records per chain, a reset chain is reported, not trusted."""

import sys
from pathlib import Path

import pytest

from tests.utils.deployments import recorded
from trustspace.deploy.config import local_config
from trustspace.deploy.deployer import SuiteDeployer, load_suite
from trustspace.deploy.records import DeploymentError
from trustspace.devnet.chains import free_port, local_chains
from trustspace.networks import ChainSpec

pytestmark = pytest.mark.anvil


def _deployer(project, provider, actors, folder, **kwargs):
    deployer, admins = actors
    return SuiteDeployer(project, provider, deployer, local_config(admins), folder=folder, **kwargs)


def test_deploy__chain_reset_between_runs__is_reported_then_replaced(
    project, networks, deployer, founding_admins, tmp_path
):
    spec = ChainSpec("tax", 31339, free_port())
    with local_chains([spec]), networks.parse_network_choice(spec.url) as provider:
        first = _deployer(project, provider, (deployer, founding_admins), tmp_path).deploy()
        record = recorded(first.path)
        assert record.chain_id == 31339
        assert all(e.block and e.gas_used for _, e in record.deployed())
    with local_chains([spec]), networks.parse_network_choice(spec.url) as provider:
        with pytest.raises(DeploymentError, match="has no code"):
            _deployer(project, provider, (deployer, founding_admins), tmp_path)
        with pytest.raises(DeploymentError, match="no code on chain 31339"):
            load_suite(project, provider, tmp_path)
        again = _deployer(
            project, provider, (deployer, founding_admins), tmp_path, replace_stale=True
        ).deploy()
        assert again.notary.consortium() == again.consortium.address
        assert len(list(tmp_path.glob("*.stale-*.json"))) == 1


def test_ape_run_deploy__non_local_chain_id__asks_before_sending(tmp_path):
    """A chain id that is not one of the local ones counts as a real network: confirm first."""
    import os
    import subprocess

    from trustspace.paths import project_root

    spec = ChainSpec("agencies", 2026, free_port())
    env = {**os.environ, "TRUSTSPACE_DEPLOYMENTS": str(tmp_path)}
    command = [str(Path(sys.executable).with_name("ape")), "run", "deploy", "suite", "--network", spec.url, "--account", "TEST::0",
               "--config", str(project_root() / "deployments/consortium.example.json")]  # fmt: skip
    with local_chains([spec]):
        declined = subprocess.run(
            command, input="n\n", cwd=project_root(), env=env, capture_output=True, text=True,
            timeout=300,
        )  # fmt: skip
        # No terminal to ask on: refused, never sent without a yes.
        assert declined.returncode == 2
        assert "Deploy Consortium, DIDRegistryFactory, DIDRegistry, Notary, MessageBus" in (
            declined.stderr
        )
        assert "pass --yes" in declined.stderr
        assert not list(tmp_path.glob("*.json"))
        accepted = subprocess.run(
            [*command, "--yes"], cwd=project_root(), env=env, capture_output=True, text=True,
            timeout=300,
        )  # fmt: skip
    assert accepted.returncode == 0, accepted.stdout[-2000:] + accepted.stderr[-2000:]
    assert recorded(tmp_path / "ethereum-custom-2026.json").chain_id == 2026


def test_deploy_over_web3__same_deployer__records_rebinds_and_governs(tmp_path):
    """The web3.py stack (the daemons' one) goes through the same deployer, records and
    governance loop: the whole suite, the DID registry by its factory, a no-op re-run."""
    from trustspace.bus.web3tx import connect
    from trustspace.consortium.constants import Role
    from trustspace.consortium.governance import Governance
    from trustspace.deploy.config import CONTRACT_NAMES
    from trustspace.deploy.deployer import bind_suite, did_registry_address
    from trustspace.deploy.stacks import Web3Chain
    from trustspace.devnet.chains import mnemonic_key

    spec = ChainSpec("customs", 31338, free_port())
    admins = [mnemonic_key(i) for i in (1, 2, 3, 4, 5)]
    config = local_config(admins, threshold=2)
    with local_chains([spec]):
        w3 = connect(spec.url)
        events = []
        deployer = SuiteDeployer.over_web3(
            w3, mnemonic_key(0), config, folder=tmp_path,
            report=lambda e, n, d: events.append((e, n)),
        )  # fmt: skip
        suite = deployer.deploy()
        assert set(suite.contracts) == set(CONTRACT_NAMES)
        assert suite.path.name == "ethereum-custom-31338.json"
        record = recorded(suite.path)
        assert all(e.block and e.gas_used and e.codehash for _, e in record.deployed())
        factory = record.address("DIDRegistryFactory")
        chain = Web3Chain(w3)
        assert record.address("DIDRegistry") == did_registry_address(chain, factory)
        assert suite.notary.functions.consortium().call() == suite.consortium.address

        events.clear()
        SuiteDeployer.over_web3(w3, mnemonic_key(0), config, folder=tmp_path).deploy()
        bound = bind_suite(chain, tmp_path)
        assert {n: c.address for n, c in bound.contracts.items()} == {
            n: c.address for n, c in suite.contracts.items()
        }

        clerk = mnemonic_key(6)
        gov = Governance(bound.consortium)
        decision = gov.decide(
            "add_account", approvers=admins[:2], reason="clerk", org_id=1, account=clerk.address
        )
        assert len(decision.receipts) == 3
        assert all(r["status"] == 1 for r in decision.receipts)
        gov.enact("grant_role", approvers=admins[:2], account=clerk.address, roles=Role.NOTARY)
        assert gov.roles_of(clerk.address) == Role.NOTARY
        assert [v.name for v in gov.organisations()][:2] == [
            "Customs Authority", "Tax Administration",
        ]  # fmt: skip


def test_did_registry_over_web3__same_key_and_nonce_on_two_chains__addresses_differ():
    """The unrecorded factory path the DID chain tests need: one key, the same nonces on
    customs and tax, the same factory address, a different registry on each chain."""
    from trustspace.bus.web3tx import connect
    from trustspace.deploy.deployer import deploy_contract, deploy_did_registry
    from trustspace.deploy.stacks import Web3Chain
    from trustspace.devnet.chains import mnemonic_key

    specs = [ChainSpec("customs", 31338, free_port()), ChainSpec("tax", 31339, free_port())]
    found = []
    with local_chains(specs) as running:
        for chain in running:
            stack = Web3Chain(connect(chain.url), mnemonic_key(0))
            factory = deploy_contract(stack, "DIDRegistryFactory")
            registry = deploy_did_registry(stack, factory.address)
            assert deploy_did_registry(stack, factory.address).address == registry.address
            assert registry.functions.identityOwner(stack.deployer).call() == stack.deployer
            found.append((factory.address, registry.address))
    (factory_a, registry_a), (factory_b, registry_b) = found
    assert factory_a == factory_b
    assert registry_a != registry_b
