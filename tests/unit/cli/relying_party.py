"""The relying party's side of verification, for the CLI tests: its own deployment record.

An officer who verifies a bundle trusts the Notary of *their* deployment record for the
connected chain (``$TRUSTSPACE_DEPLOYMENTS``), never the one a bundle names. These helpers
write such a record for contracts a test deployed, with the code hashes the deployer records.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

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
) -> Path:
    """Write the relying party's record of ``notary`` and ``consortium`` into ``folder``.

    ``codehashes`` overrides the recorded hash of a contract (None: not recorded).
    """
    chain_id = int(chain.provider.chain_id)
    record = DeploymentRecord(network=network, chain_id=chain_id)
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
