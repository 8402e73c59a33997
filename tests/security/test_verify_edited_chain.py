"""A genuine bundle whose chain id was edited to another chain is refused, not VALID.

Two anvil chains (customs 31338, tax 31339) with the suite deployed by the same key at the
same nonces, so their Notaries share one address: the bundle's Notary claim matches on both.
A document notarized on customs, its bundle's ``chain_id`` edited to tax: ``verify`` without
``--network`` follows the chain id to the officer's own record for tax and must refuse it
(exit 2, saying why) — the bundle's transaction hash binds customs' chain id (EIP-155), and
tax never saw it. Run as a subprocess from outside the checkout.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from trustspace.bus.web3tx import TxSender, connect
from trustspace.consortium.constants import Role
from trustspace.consortium.governance import Governance
from trustspace.crypto.hashing import hash_file
from trustspace.deploy.config import local_config
from trustspace.deploy.deployer import SuiteDeployer
from trustspace.devnet.chains import free_port, local_chains, mnemonic_key
from trustspace.networks import ChainSpec
from trustspace.notary.bundle import Bundle

pytestmark = pytest.mark.anvil
TRUSTSPACE = str(Path(sys.executable).with_name("trustspace"))


def _verify(cwd: Path, folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TRUSTSPACE_DEPLOYMENTS": str(folder), "COLUMNS": "400"}
    return subprocess.run(
        [TRUSTSPACE, "verify", *args], cwd=cwd, env=env, capture_output=True, text=True,
        timeout=180,
    )  # fmt: skip


def test_edited_chain_id__bundle_moved_to_a_chain_with_the_same_notary_address__refused(tmp_path):
    specs = [ChainSpec("customs", 31338, free_port()), ChainSpec("tax", 31339, free_port())]
    admins = [mnemonic_key(i) for i in (1, 2, 3, 4, 5)]
    clerk = mnemonic_key(6)
    folder = tmp_path / "officer-deployments"
    with local_chains(specs) as running:
        suites = {}
        for spec, node in zip(specs, running, strict=True):
            w3 = connect(node.url)
            suite = SuiteDeployer.over_web3(
                w3, mnemonic_key(0), local_config(admins, threshold=2), folder=folder
            ).deploy()
            # The officer's record says where the chain is (a URL, as deployed).
            data = json.loads(suite.path.read_text())
            data["network"] = node.url
            suite.path.write_text(json.dumps(data))
            suites[spec.chain_id] = (w3, suite)
        (w3, customs), (_, tax) = suites[31338], suites[31339]
        assert customs.notary.address == tax.notary.address  # the premise of the attack
        gov = Governance(customs.consortium)
        gov.enact("add_account", approvers=admins[:2], org_id=1, account=clerk.address)
        gov.enact("grant_role", approvers=admins[:2], account=clerk.address, roles=Role.NOTARY)
        sender = TxSender(w3, clerk)
        notary = customs.notary
        sender.transact(
            notary.functions.registerSchema("customs-declaration", "1.0", b"\0" * 32, "")
        )
        document = tmp_path / "declaration.xml"
        document.write_text("<declaration n='42'/>")
        digest = hash_file(document)
        receipt = sender.transact(notary.functions.attest(digest, 1, b"\0" * 32, 0))
        rid = bytes(notary.functions.recordId(digest, 1).call())
        bundle = tmp_path / "declaration.xml.bundle.json"
        Bundle(
            digest=digest, org_id=1, record_id=rid, chain_id=31338, notary=notary.address,
            schema_id=1, tx_hash="0x" + bytes(receipt["transactionHash"]).hex(),
            block_number=int(receipt["blockNumber"]), name=document.name,
        ).save(bundle)  # fmt: skip

        genuine = _verify(tmp_path, folder, str(document), "--bundle", str(bundle), "--json")
        assert genuine.returncode == 0, genuine.stdout + genuine.stderr
        report = json.loads(genuine.stdout)
        assert report["valid"] and report["chain_id"] == 31338

        edited = json.loads(bundle.read_text())
        edited["attestation"]["chain_id"] = 31339
        bundle.write_text(json.dumps(edited))
        refused = _verify(tmp_path, folder, str(document), "--bundle", str(bundle), "--json")
        assert refused.returncode == 2, refused.stdout + refused.stderr
        out = json.loads(refused.stdout)
        assert "valid" not in out and out["ok"] is False
        assert out["error"].startswith(
            f"the bundle's transaction {edited['attestation']['tx_hash']} is not on chain 31339"
        )
        human = _verify(tmp_path, folder, str(document), "--bundle", str(bundle))
        assert human.returncode == 2 and "VALID" not in human.stdout
        assert "Traceback" not in human.stderr and "edited" in human.stderr
