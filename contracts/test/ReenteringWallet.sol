// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";

/// @title ReenteringWallet
/// @custom:license Apache-2.0
/// @notice Test-only hostile ERC-1271 wallet: while asked whether a signature is valid, it calls
///         back into the contract that asked (prepared calldata, e.g. a second signed attestation)
///         and then vouches for its owner's signature anyway. Shows that a contract signer cannot
///         change state during the check (the check runs in a static context).
/// @dev Deliberately not `view`, so that it can try the state-changing call; it therefore does
///      not inherit IERC1271, whose function is declared `view` (same selector).
contract ReenteringWallet {
    /// @dev The EOA whose ECDSA signatures this wallet accepts.
    address private immutable _owner;
    /// @dev Where the re-entering call goes (zero: no re-entry).
    address public target;
    /// @dev Calldata of the re-entering call.
    bytes public reentry;

    /// @param owner_ The EOA allowed to sign for the wallet.
    constructor(address owner_) {
        _owner = owner_;
    }

    /// @notice Prepare the re-entering call (zero target disarms).
    /// @param target_ The contract to call back.
    /// @param data Calldata sent to it from inside `isValidSignature`.
    function arm(address target_, bytes calldata data) external {
        target = target_;
        reentry = data;
    }

    /// @notice ERC-1271: try the re-entering call, then answer as an honest wallet would.
    /// @param hash The signed digest.
    /// @param signature ECDSA signature of the owner.
    /// @return magicValue 0x1626ba7e when the owner signed `hash`.
    function isValidSignature(bytes32 hash, bytes calldata signature) external returns (bytes4 magicValue) {
        if (target != address(0)) {
            // The outcome is ignored on purpose: a hostile wallet vouches whatever happened.
            (bool ok,) = target.call(reentry);
            ok;
        }
        (address recovered, ECDSA.RecoverError err,) = ECDSA.tryRecover(hash, signature);
        if (err == ECDSA.RecoverError.NoError && recovered == _owner) return 0x1626ba7e;
        return 0xffffffff;
    }
}
