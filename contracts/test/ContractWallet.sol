// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {IERC1271} from "@openzeppelin/contracts/interfaces/IERC1271.sol";

/// @title ContractWallet
/// @custom:license Apache-2.0
/// @notice Test-only ERC-1271 smart-contract wallet: a signature is valid when its single owner
///         EOA signed the hash. Lets the tests register a contract account as a NOTARY signer.
contract ContractWallet is IERC1271 {
    /// @dev The EOA whose ECDSA signatures this wallet accepts.
    address private immutable _owner;

    /// @param owner_ The EOA allowed to sign for the wallet.
    constructor(address owner_) {
        _owner = owner_;
    }

    /// @notice ERC-1271: magic value if `owner` signed `hash`, 0xffffffff otherwise.
    /// @param hash The signed digest.
    /// @param signature ECDSA signature of the owner.
    /// @return magicValue 0x1626ba7e when valid.
    function isValidSignature(bytes32 hash, bytes calldata signature) external view returns (bytes4 magicValue) {
        (address recovered, ECDSA.RecoverError err,) = ECDSA.tryRecover(hash, signature);
        if (err == ECDSA.RecoverError.NoError && recovered == _owner) return IERC1271.isValidSignature.selector;
        return 0xffffffff;
    }

    /// @notice The owner EOA.
    /// @return The owner.
    function owner() external view returns (address) {
        return _owner;
    }
}
