"""The credentials demo on a suite that already exists (what `make demo` would hand it)."""

from __future__ import annotations

from trustspace.devnet.demo_credentials import build_stand, run_demo
from trustspace.did.resolver import ReceiptSource


def test_run_demo__reusing_a_deployed_suite_twice__ends_suspended_both_times(
    project, deployer, customs_admin, tax_admin, spare_accounts, vc_consortium
):
    from trustspace.deploy.did import deploy_registry

    registry = deployer.deploy(project.CredentialRegistry, vc_consortium)
    did_registry = deploy_registry(deployer)
    source = ReceiptSource(did_registry)  # boa keeps no log index: one reader of receipts for both
    for _ in range(2):  # the second run finds the clerk, the schema and the accreditation there
        stand = build_stand(
            deployer, customs_admin, tax_admin, spare_accounts[6], consortium=vc_consortium,
            did_registry=did_registry, registry=registry, source_factory=lambda _: source,
        )  # fmt: skip
        lines = run_demo(stand)
        assert lines[-1] == "tax verified again: suspended"
