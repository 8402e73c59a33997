"""The integration examples of docs/integration.md, run against a deployed local chain:
web3.py and ethers make every call of examples/calls.json; the Java file is generated from it."""

import json
import shutil
import subprocess
import sys

import pytest

from trustspace.consortium.constants import Role
from trustspace.consortium.governance import Governance
from trustspace.deploy.config import local_config
from trustspace.deploy.deployer import SuiteDeployer
from trustspace.devnet.chains import free_port, local_chains
from trustspace.networks import ChainSpec
from trustspace.paths import project_root

pytestmark = pytest.mark.anvil
ROOT = project_root()
CALLS = json.loads((ROOT / "examples" / "calls.json").read_text())["steps"]
STEPS = [s["id"] for s in CALLS if not s.get("optional")]


@pytest.fixture(scope="module")
def deployed_chain(project, networks, deployer, founding_admins, spare_accounts, tmp_path_factory):
    """One anvil chain with the suite, and NOTARY accounts of two organisations (one per
    example: a schema name and version are unique per organisation)."""
    folder = tmp_path_factory.mktemp("deployments")
    spec = ChainSpec("customs", 31338, free_port())
    admins = founding_admins
    with local_chains([spec]):
        with networks.parse_network_choice(spec.url) as provider:
            suite = SuiteDeployer(
                project, provider, deployer, local_config(admins), folder=folder
            ).deploy()
            gov = Governance(suite.consortium)
            clerks = spare_accounts[1:3]
            for org_id, clerk in enumerate(clerks, start=1):
                gov.enact("add_account", approvers=admins[:3], org_id=org_id, account=clerk)
                gov.enact("grant_role", approvers=admins[:3], account=clerk, roles=Role.NOTARY)
        yield spec.url, suite.path, [c.private_key for c in clerks]


def _check(steps):
    assert list(steps) == STEPS
    assert steps["check_validity"] == 1
    assert steps["verify"] == 1
    assert steps["resolve_did_changed"]["services"] == ["https://customs.example/api"]


def test_python_example__web3py__makes_every_call(deployed_chain):
    url, record, keys = deployed_chain
    run = subprocess.run(
        [sys.executable, str(ROOT / "examples/python/integration.py"),
         "--rpc", url, "--record", str(record), "--key", keys[0]],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr[-3000:]
    _check(json.loads(run.stdout.strip().splitlines()[-1]))


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_js_example__ethers__makes_every_call(deployed_chain):
    url, record, keys = deployed_chain
    run = subprocess.run(
        ["node", str(ROOT / "examples/js/integration.mjs"), url, str(record), keys[1]],
        capture_output=True, text=True, timeout=120, cwd=ROOT,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr[-3000:]
    _check(json.loads(run.stdout.strip().splitlines()[-1]))


def test_java_example__is_generated_from_the_call_list():
    run = subprocess.run([sys.executable, str(ROOT / "examples/java/generate.py"), "--check"])
    assert run.returncode == 0, "run `python examples/java/generate.py` and commit the result"


def test_integration_doc__snippets__are_copied_from_the_tested_examples():
    text = (ROOT / "docs" / "integration.md").read_text()
    blocks = text.split("<!-- from ")[1:]
    assert len(blocks) >= 5
    for block in blocks:
        source, _, rest = block.partition(" -->")
        code = rest.split("```", 2)[1].split("\n", 1)[1]
        lines = (ROOT / source).read_text().splitlines()
        for line in code.splitlines():
            if line.strip():
                assert line in lines, f"{source}: {line!r}"
