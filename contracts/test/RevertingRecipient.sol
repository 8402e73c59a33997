// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

import {IMessageRecipient} from "../../interfaces/IMessageRecipient.sol";

/// @title RevertingRecipient
/// @custom:license Apache-2.0
/// @notice Test-only recipient that always reverts, with a reason string or a 10 kB payload.
contract RevertingRecipient is IMessageRecipient {
    /// @dev Whether to revert with a huge payload instead of a short reason.
    bool public huge;

    /// @notice Choose the revert payload.
    /// @param value True for 10 kB of revert data.
    function setHuge(bool value) external {
        huge = value;
    }

    /// @inheritdoc IMessageRecipient
    function handle(uint32, address, bytes calldata) external view {
        if (huge) {
            assembly {
                revert(0, 10240)
            }
        }
        revert("recipient: refused");
    }
}
