"""``ape console`` extras: contracts bound from the deployment record, helpers, clear errors."""

import os
import subprocess

import pytest

from trustspace.console import NotDeployed, namespace
from trustspace.consortium.constants import Role
from trustspace.deploy.config import local_config
from trustspace.deploy.deployer import SuiteDeployer
from trustspace.devnet.chains import free_port, local_chains
from trustspace.networks import ChainSpec
from trustspace.paths import project_root


@pytest.fixture
def recorded_suite(
    project, chain, deployer, customs_admin, tax_admin, maritime_admin, forex_admin,
    ministry_admin, tmp_path,
):  # fmt: skip
    admins = [customs_admin, tax_admin, maritime_admin, forex_admin, ministry_admin]
    config = local_config(admins, dids=admins, threshold=2)
    return SuiteDeployer(project, chain.provider, deployer, config, folder=tmp_path).deploy()


def test_namespace__recorded_chain__binds_contracts_and_helpers(
    project, chain, recorded_suite, tmp_path, customs_admin, tax_admin, customs_notary
):
    said: list[str] = []
    names = namespace(project, chain.provider, tmp_path, said.append)
    assert names["consortium"].address == recorded_suite.consortium.address
    assert names["notary"].address == recorded_suite.notary.address
    assert names["did"].address == recorded_suite.did_registry.address
    assert names["bus"].address == recorded_suite.bus.address
    assert any("helpers()" in line for line in said)
    for name in ("propose", "enact", "attest_file", "status", "resolve", "did_of", "trace"):
        assert names[name].__doc__, name

    names["enact"](
        "add_account", approvers=[customs_admin, tax_admin], org_id=1, account=customs_notary
    )
    names["enact"](
        "grant_role",
        approvers=[customs_admin, tax_admin],
        account=customs_notary,
        roles=Role.NOTARY,
    )
    schema = names["notary_client"]().register_schema("declaration", "1", sender=customs_notary)
    document = tmp_path / "d1.json"
    document.write_text('{"value": 1}')
    record_id = names["attest_file"](document, schema, sender=customs_notary)
    assert names["status"](record_id) == "VALID"
    assert names["verify_file"](document, 1) == "VALID"
    assert names["did_of"](customs_admin).endswith(customs_admin.address)


def test_namespace__no_deployment__explains_instead_of_failing(project, chain, tmp_path):
    said: list[str] = []
    names = namespace(project, chain.provider, tmp_path / "empty", said.append)
    assert "no trustspace deployment recorded" in said[0]
    assert "trustspace deploy suite" in said[0]
    assert not names["consortium"]
    assert isinstance(names["bus"], NotDeployed)
    with pytest.raises(RuntimeError, match="Consortium is not deployed on this chain"):
        names["consortium"].threshold()


@pytest.mark.anvil
def test_ape_console__on_a_deployed_anvil__starts_with_the_suite(tmp_path):
    port = free_port()
    env = {**os.environ, "TRUSTSPACE_DEPLOYMENTS": str(tmp_path)}
    url = f"http://127.0.0.1:{port}"
    with local_chains([ChainSpec("customs", 31338, port)]):
        deploy = subprocess.run(
            ["ape", "run", "deploy", "suite", "--network", url],
            cwd=project_root(), env=env, capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert deploy.returncode == 0, deploy.stdout[-2000:] + deploy.stderr[-2000:]
        again = subprocess.run(
            ["ape", "run", "deploy", "suite", "--network", url],
            cwd=project_root(), env=env, capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert "nothing to do" in again.stdout
        code = "print('THRESHOLD', consortium.threshold(), 'ORGS', consortium.org_count())"
        console = subprocess.run(
            ["ape", "console", "--network", url, "-c", code],
            cwd=project_root(), env=env, capture_output=True, text=True, timeout=300,
        )  # fmt: skip
    assert "THRESHOLD 3 ORGS 5" in console.stdout, console.stdout[-2000:] + console.stderr[-2000:]
