"""Deploy the DID registry so that its address differs on every chain (ape helpers).

ERC-1056 signed messages bind the registry address but not the chain id. The
registry is therefore always deployed through ``DIDRegistryFactory``, which
uses CREATE2 with a salt derived from ``chain.id`` inside the factory: even
where the factory has the same address on two chains (same deployer key and
nonce), the registries do not, and a signature made for one chain is
rejected on every other.

The steps live once in :func:`trustspace.deploy.deployer.deploy_did_registry`
(any stack); these are its ape spellings for tests, benches and the console.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from trustspace.deploy.deployer import deploy_contract, deploy_did_registry
from trustspace.deploy.stacks import ApeChain

if TYPE_CHECKING:
    from ape.api import AccountAPI
    from ape.contracts import ContractInstance

__all__ = ["deploy_factory", "deploy_registry", "registry_initcode"]


def _project() -> Any:
    from ape import project

    return project


def _chain(sender: AccountAPI | None = None) -> ApeChain:
    """ape's connected chain, code from the checkout's build (as the tests compile it)."""
    return ApeChain(sender, project=_project())


def registry_initcode() -> bytes:
    """Creation code of the compiled DIDRegistry (it takes no constructor arguments)."""
    return _chain().initcode("DIDRegistry")


def deploy_factory(sender: AccountAPI) -> ContractInstance:
    """Deploy a DIDRegistryFactory from ``sender`` (an ape account)."""
    return deploy_contract(_chain(sender), "DIDRegistryFactory")


def deploy_registry(sender: AccountAPI, factory: Any = None) -> ContractInstance:
    """Deploy (or find) this chain's DIDRegistry through the factory; return the ape contract.

    ``factory`` is an existing DIDRegistryFactory (address or contract); without
    one a new factory is deployed first. Re-running with the same factory is a
    no-op that returns the registry already there.
    """
    address = None if factory is None else str(getattr(factory, "address", factory))
    return deploy_did_registry(_chain(sender), address)
