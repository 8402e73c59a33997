"""Deploying over JSON-RPC (anvil): records per chain, a reset chain is reported, not trusted."""

import pytest

from trustspace.deploy.deployer import SuiteDeployer, load_suite, local_config
from trustspace.deploy.records import DeploymentError, load
from trustspace.devnet.chains import ChainSpec, free_port, local_chains

pytestmark = pytest.mark.anvil


def _deployer(project, provider, accounts, folder, **kwargs):
    config = local_config([accounts[i] for i in (1, 2, 3, 4, 5)])
    return SuiteDeployer(project, provider, accounts[0], config, folder=folder, **kwargs)


def test_deploy__chain_reset_between_runs__is_reported_then_replaced(
    project, networks, accounts, tmp_path
):
    spec = ChainSpec("tax", 31339, free_port())
    with local_chains([spec]), networks.parse_network_choice(spec.url) as provider:
        first = _deployer(project, provider, accounts, tmp_path).deploy()
        record = load(first.path)
        assert record.chain_id == 31339
        assert all(e.block and e.gas_used for _, e in record.deployed())
    with local_chains([spec]), networks.parse_network_choice(spec.url) as provider:
        with pytest.raises(DeploymentError, match="has no code"):
            _deployer(project, provider, accounts, tmp_path)
        with pytest.raises(DeploymentError, match="no code on chain 31339"):
            load_suite(project, provider, tmp_path)
        again = _deployer(project, provider, accounts, tmp_path, replace_stale=True).deploy()
        assert again.notary.consortium() == again.consortium.address
        assert len(list(tmp_path.glob("*.stale-*.json"))) == 1


def test_ape_run_deploy__non_local_chain_id__asks_before_sending(tmp_path):
    """A chain id that is not one of the local ones counts as a real network: confirm first."""
    import os
    import subprocess

    from trustspace.paths import project_root

    spec = ChainSpec("agencies", 2026, free_port())
    env = {**os.environ, "TRUSTSPACE_DEPLOYMENTS": str(tmp_path)}
    command = ["ape", "run", "deploy", "suite", "--network", spec.url, "--account", "TEST::0",
               "--config", str(project_root() / "deployments/consortium.example.json")]  # fmt: skip
    with local_chains([spec]):
        declined = subprocess.run(
            command, input="n\n", cwd=project_root(), env=env, capture_output=True, text=True,
            timeout=300,
        )  # fmt: skip
        assert declined.returncode != 0
        assert "Deploy Consortium, DIDRegistryFactory, DIDRegistry, Notary, MessageBus" in (
            declined.stdout
        )
        assert not list(tmp_path.glob("*.json"))
        accepted = subprocess.run(
            [*command, "--yes"], cwd=project_root(), env=env, capture_output=True, text=True,
            timeout=300,
        )  # fmt: skip
    assert accepted.returncode == 0, accepted.stdout[-2000:] + accepted.stderr[-2000:]
    assert load(tmp_path / "ethereum-custom-2026.json").chain_id == 2026
