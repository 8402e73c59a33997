"""Deploy the DID registry so that its address differs on every chain.

ERC-1056 signed messages bind the registry address but not the chain id. The
registry is therefore always deployed through ``DIDRegistryFactory``, which
uses CREATE2 with a salt derived from ``chain.id`` inside the factory: even
where the factory has the same address on two chains (same deployer key and
nonce), the registries do not, and a signature made for one chain is
rejected on every other.
"""

from __future__ import annotations

from typing import Any

from eth_utils.crypto import keccak


def _project() -> Any:
    from ape import project

    return project


def registry_initcode() -> bytes:
    """Creation code of the compiled DIDRegistry (it takes no constructor arguments)."""
    code = _project().DIDRegistry.contract_type.deployment_bytecode.bytecode
    return bytes.fromhex(code.removeprefix("0x"))


def deploy_factory(sender: Any) -> Any:
    """Deploy a DIDRegistryFactory from ``sender`` (an ape account)."""
    return sender.deploy(_project().DIDRegistryFactory)


def deploy_registry(sender: Any, factory: Any = None) -> Any:
    """Deploy (or find) this chain's DIDRegistry through the factory; return the ape contract.

    ``factory`` is an existing DIDRegistryFactory (address or contract); without
    one a new factory is deployed first. Re-running with the same factory is a
    no-op that returns the registry already there.
    """
    project = _project()
    if factory is None:
        factory = deploy_factory(sender)
    elif isinstance(factory, str):
        factory = project.DIDRegistryFactory.at(factory)
    initcode = registry_initcode()
    address = factory.registry_address(keccak(initcode))
    from ape import chain

    if len(chain.provider.get_code(address)) == 0:
        factory.deploy(initcode, sender=sender)
    return project.DIDRegistry.at(address)
