"""The relying party's side of verification, for the CLI tests: its own deployment record.

An officer who verifies a bundle trusts the Notary of *their* deployment record for the
connected chain (``$TRUSTSPACE_DEPLOYMENTS``), never the one a bundle names. These helpers
write such a record for contracts a test deployed, with the code hashes the deployer records.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from trustspace.crypto.hashing import keccak
from trustspace.deploy.records import ContractRecord, DeploymentRecord, record_path, save

#: The in-process test chain's network (the record file ``ethereum-local.json``).
NETWORK = "ethereum:local"


def codehash(chain: Any, address: str) -> str:
    """``0x``-hex keccak of the code at ``address``, as a deployment record holds it."""
    return "0x" + keccak(bytes(chain.provider.get_code(address))).hex()


def write_record(
    folder: Path,
    chain: Any,
    *,
    notary: Any,
    consortium: Any,
    network: str = NETWORK,
    codehashes: dict[str, str | None] | None = None,
    genesis: str | None = None,
) -> Path:
    """Write the relying party's record of ``notary`` and ``consortium`` into ``folder``.

    ``codehashes`` overrides the recorded hash of a contract (None: not recorded); ``genesis``
    the recorded hash of block 0 (default: none recorded).
    """
    chain_id = int(chain.provider.chain_id)
    record = DeploymentRecord(network=network, chain_id=chain_id, genesis=genesis)
    for name, contract in (("Consortium", consortium), ("Notary", notary)):
        address = str(getattr(contract, "address", contract))
        hashes = codehashes or {}
        record.contracts[name] = ContractRecord(
            contract_type=name,
            address=address,
            tx_hash="0x" + "00" * 32,
            deployer="0x" + "00" * 20,
            codehash=hashes[name] if name in hashes else codehash(chain, address),
        )
    ecosystem, _, name = network.partition(":")
    path = record_path(folder, ecosystem, name, chain_id)
    save(record, path)
    return path


def one_line(message: str) -> str:
    """``message`` with rich's line wrapping undone (errors print at terminal width)."""
    return " ".join(message.split())


# ------------------------------------------------------------------ fixtures
# Imported by the attack tests (tests/security/test_verify_*.py), which run over the
# Notary fixtures of tests/utils/fixtures/notary.py (``notary``, ``notary_consortium``).
# Each is defined as ``<name>_fixture`` with ``name=<name>``, so importing it does not
# shadow the parameter that requests it.


@pytest.fixture(name="officer_record")
def officer_record_fixture(tmp_path, monkeypatch, chain, notary, notary_consortium):
    """The relying party (a tax officer) trusts ``notary`` through its own deployment record."""
    folder = tmp_path / "officer-deployments"
    monkeypatch.setenv("TRUSTSPACE_DEPLOYMENTS", str(folder))
    return write_record(folder, chain, notary=notary, consortium=notary_consortium)


@pytest.fixture(name="cli")
def cli_fixture():
    """``cli("verify", …, code=0)``: the ``trustspace`` command, stdout apart from stderr."""
    from click.testing import CliRunner

    from trustspace.cli import main

    runner = CliRunner(mix_stderr=False)

    def invoke(*args: Any, code: int = 0, input: str | None = None) -> Any:
        result = runner.invoke(main, [str(a) for a in args], catch_exceptions=False, input=input)
        assert result.exit_code == code, (result.stdout, result.stderr)
        return result

    return invoke


@pytest.fixture(name="alias")
def alias_fixture(accounts):
    """``alias(account)``: the ``TEST::<n>`` name the CLI takes for a local test account."""

    def build(account: Any) -> str:
        index = next(i for i, a in enumerate(accounts) if a.address == account.address)
        return f"TEST::{index}"

    return build


def notarized_file(
    client: Any,
    folder: Path,
    name: str,
    content: str,
    *,
    sender: Any,
    schema_id: int,
    **claims: Any,
) -> tuple[Path, Path]:
    """Attest a file through the SDK and write its bundle as ``notarize`` does; ``claims``
    override what the bundle says (chain_id, notary, org_name, record_id …)."""
    from trustspace.crypto.hashing import hash_file
    from trustspace.notary.bundle import Bundle

    folder.mkdir(parents=True, exist_ok=True)
    document = folder / name
    document.write_text(content)
    digest = hash_file(document)
    rid, tx = client.attest(digest, schema_id, sender=sender)
    rec = client.record(rid)
    fields: dict[str, Any] = {
        "digest": digest,
        "name": name,
        "org_id": rec.org_id,
        "record_id": rid,
        "chain_id": client.chain_id,
        "notary": client.address,
        "schema_id": schema_id,
        "tx_hash": str(tx.txn_hash),
        "attested_at": rec.attested_at,
        **claims,
    }
    bundle = folder / (name + ".bundle.json")
    Bundle(**fields).save(bundle)
    return document, bundle
