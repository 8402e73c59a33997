"""abi/ and the manifest shipped in the package match a fresh build; the SDK works from it alone."""

import json
import shutil
import subprocess
import sys
import tomllib

from trustspace.artifacts import DEPLOYABLE, ape_contracts, shipped_manifest_path
from trustspace.deploy.deployer import SuiteDeployer, local_config
from trustspace.devnet.abi_export import abi_of, build_manifest, dumps, stale_abis
from trustspace.paths import project_root

REPAIR = "run `make abi` and commit abi/ and trustspace/data/manifest.json"


def test_abi_folder__matches_a_fresh_build(project):
    stale = stale_abis(project, project_root() / "abi")
    assert not stale, f"abi/ differs from the build for {stale}: {REPAIR}"


def test_abi_files__are_the_build_abis(project):
    for name in DEPLOYABLE:
        on_disk = json.loads((project_root() / "abi" / f"{name}.json").read_text())
        assert on_disk == abi_of(project, name)


def test_shipped_manifest__matches_a_fresh_build(project):
    shipped = json.loads(shipped_manifest_path().read_text())
    fresh = build_manifest(project, shipped["version"])
    assert dumps(shipped) == dumps(fresh), f"trustspace/data/manifest.json is stale: {REPAIR}"
    assert set(shipped["contractTypes"]) == set(DEPLOYABLE)
    for entry in shipped["contractTypes"].values():
        assert entry["abi"] and entry["deploymentBytecode"]["bytecode"].startswith("0x")


def test_shipped_manifest_and_portal_files__are_package_data():
    config = tomllib.loads((project_root() / "pyproject.toml").read_text())
    patterns = config["tool"]["setuptools"]["package-data"]["trustspace"]
    package = project_root() / "trustspace"
    for pattern in ("data/*.json", "portal/templates/*.html", "portal/static/*"):
        assert pattern in patterns
        assert list(package.glob(pattern)), pattern  # the pattern names files that exist


def test_ape_contracts__from_the_shipped_manifest__call_a_deployment(
    project,
    chain,
    deployer,
    customs_admin,
    tax_admin,
    maritime_admin,
    forex_admin,
    ministry_admin,
    tmp_path,
):
    config = local_config([customs_admin, tax_admin, maritime_admin, forex_admin, ministry_admin])
    suite = SuiteDeployer(project, chain.provider, deployer, config, folder=tmp_path).deploy()
    contracts = ape_contracts(suite.record)
    assert contracts["Consortium"].org_count() == 5
    assert contracts["Notary"].consortium() == suite.consortium.address


SDK_ONLY = """
import sys, trustspace
assert trustspace.__file__.startswith(sys.argv[1]), trustspace.__file__
from web3 import Web3
from trustspace.artifacts import web3_contracts, contract_type
from trustspace.deploy.records import DeploymentRecord, ContractRecord
record = DeploymentRecord("ethereum:qbft", 1337, {
    "Notary": ContractRecord("Notary", "0x" + "11" * 20, "0x" + "22" * 32, "0x" + "33" * 20),
})
notary = web3_contracts(Web3(), record)["Notary"]
data = notary.encode_abi("status", [b"\\x01" * 32])
assert data.startswith("0x"), data
assert contract_type("Notary").deployment_bytecode.bytecode.startswith("0x")
print("ok", data[:10])
"""


def test_sdk__copied_package_alone__builds_contract_objects_from_its_manifest(tmp_path):
    shutil.copytree(
        project_root() / "trustspace",
        tmp_path / "trustspace",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    run = subprocess.run(
        [sys.executable, "-c", SDK_ONLY, str(tmp_path)],
        cwd=tmp_path,
        env={"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.startswith("ok 0x")
