# pragma version 0.4.3
"""
@title DIDRegistryFactory
@license Apache-2.0
@notice Deploys a DIDRegistry with CREATE2 under a salt derived from the chain
        id, so that the registry address differs on every chain even when
        the factory itself has the same address on several chains (same
        deployer key, same nonce). ERC-1056 signed messages bind the registry
        address but not the chain id; distinct addresses make a signature
        made for one chain useless on any other.
@custom:security Anyone may call `deploy`: the address depends only on this
        factory, the chain id and the init code, so a front-runner can only
        deploy the very same code at the very same address (the registry
        has no owner and no constructor arguments). A second deploy of the
        same code on the same chain reverts.
"""

# @dev Largest init code accepted (the EIP-3860 limit).
_MAX_INITCODE: constant(uint256) = 49_152


# @dev A registry was deployed at `registry` for `chain_id` from init code `codehash`.
event RegistryDeployed:
    registry: indexed(address)
    chain_id: uint256
    codehash: bytes32


@external
@view
def salt() -> bytes32:
    """
    @notice The CREATE2 salt this factory uses on the current chain.
    @return keccak256 of the ABI-encoded chain id.
    """
    return self._salt()


@external
@view
def registry_address(initcode_hash: bytes32) -> address:
    """
    @notice Where `deploy` puts a registry with this init code hash on this chain.
    @param initcode_hash keccak256 of the registry's init code.
    @return The CREATE2 address.
    """
    return self._create2_address(initcode_hash)


@external
def deploy(initcode: Bytes[_MAX_INITCODE]) -> address:
    """
    @notice Deploy `initcode` (the DIDRegistry's) with the chain-derived salt.
    @param initcode Creation code of the registry (no constructor arguments).
    @return The address of the new registry.
    """
    registry: address = raw_create(initcode, salt=self._salt())
    log RegistryDeployed(registry=registry, chain_id=chain.id, codehash=keccak256(initcode))
    return registry


@internal
@view
def _salt() -> bytes32:
    """
    @dev keccak256 of the ABI-encoded chain id.
    """
    return keccak256(abi_encode(chain.id))


@internal
@view
def _create2_address(initcode_hash: bytes32) -> address:
    """
    @dev The CREATE2 address of init code `initcode_hash` under this factory and salt.
    """
    digest: bytes32 = keccak256(
        concat(b"\xff", convert(self, bytes20), self._salt(), initcode_hash)
    )
    return convert(convert(slice(digest, 12, 20), bytes20), address)
