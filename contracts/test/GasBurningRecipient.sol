// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

import {IMessageRecipient} from "../../interfaces/IMessageRecipient.sol";

/// @title GasBurningRecipient
/// @custom:license Apache-2.0
/// @notice Test-only recipient that loops until it has burnt all the gas it was given.
contract GasBurningRecipient is IMessageRecipient {
    /// @dev Written in the loop so the optimizer keeps it.
    uint256 public sink;

    /// @inheritdoc IMessageRecipient
    function handle(uint32, address, bytes calldata) external {
        while (true) {
            sink += 1;
        }
    }
}
