"""Organisation ids must fit the 32 bits of a record (the Consortium is replaced by a stub)."""

import ape
import pytest
from ape.contracts import ContractContainer
from ethpm_types import ContractType

from trustspace.crypto.hashing import hash_bytes

TOO_LARGE = 2**32
# Runtime: return TOO_LARGE as one 32-byte word for any call (org_with_role, is_org_live...).
# PUSH5 0x0100000000 PUSH1 0 MSTORE PUSH1 32 PUSH1 0 RETURN
_RUNTIME = bytes.fromhex("640100000000600052602060" + "00f3")
# Init: copy the runtime (14 bytes at offset 11) to memory and return it.
_INIT = bytes.fromhex("600e80600b6000396000f3") + _RUNTIME
_ABI = [
    {
        "type": "function",
        "name": "org_with_role",
        "stateMutability": "view",
        "inputs": [{"name": "account", "type": "address"}, {"name": "role", "type": "uint256"}],
        "outputs": [{"name": "", "type": "uint256"}],
    }
]


@pytest.fixture
def huge_org_consortium(deployer):
    """A stand-in Consortium for which every account is a NOTARY of organisation 2**32."""
    stub = ContractContainer(
        ContractType.model_validate(
            {
                "contractName": "HugeOrgConsortium",
                "abi": _ABI,
                "deploymentBytecode": {"bytecode": _INIT.hex()},
            }
        )
    )
    consortium = deployer.deploy(stub)
    assert consortium.org_with_role(deployer, 2) == TOO_LARGE
    return consortium


def test_attest__organisation_id_above_32_bits__reverts(
    project, deployer, huge_org_consortium, customs_notary
):
    notary = deployer.deploy(project.Notary, huge_org_consortium)
    with ape.reverts(notary.NotaryOrgIdTooLarge, orgId=TOO_LARGE):
        notary.attest(hash_bytes(b"doc"), 1, bytes(32), 0, sender=customs_notary)
    with ape.reverts(notary.NotaryOrgIdTooLarge, orgId=TOO_LARGE):
        notary.registerSchema("s", "1", bytes(32), "", sender=customs_notary)
