"""DIDRegistryFactory: chain-derived CREATE2 salt, predictable address, idempotent deploy."""

from __future__ import annotations

import ape
from eth_abi import encode
from eth_utils.crypto import keccak

from trustspace.deploy.did import deploy_factory, deploy_registry, registry_initcode


def test_salt__is_keccak_of_chain_id(project, deployer, chain):
    factory = deploy_factory(deployer)
    assert factory.salt() == keccak(encode(["uint256"], [chain.chain_id]))


def test_deploy__lands_at_predicted_address_and_logs(project, deployer, outsider, chain):
    factory = deploy_factory(deployer)
    initcode = registry_initcode()
    predicted = factory.registry_address(keccak(initcode))
    tx = factory.deploy(initcode, sender=outsider)
    [log] = tx.decode_logs(factory.RegistryDeployed)
    assert log.registry == predicted
    assert log.chain_id == chain.chain_id
    assert log.codehash == keccak(initcode)
    assert project.DIDRegistry.at(predicted).identityOwner(outsider) == outsider.address


def test_deploy__same_code_twice__reverts(project, deployer):
    factory = deploy_factory(deployer)
    factory.deploy(registry_initcode(), sender=deployer)
    with ape.reverts():
        factory.deploy(registry_initcode(), sender=deployer)


def test_deploy_registry__rerun_with_factory__returns_same_registry(project, deployer):
    factory = deploy_factory(deployer)
    first = deploy_registry(deployer, factory=factory)
    again = deploy_registry(deployer, factory=factory.address)
    assert first.address == again.address
