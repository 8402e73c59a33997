// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

import {IMessageRecipient} from "../../interfaces/IMessageRecipient.sol";

/// @title ReenteringRecipient
/// @custom:license Apache-2.0
/// @notice Test-only recipient that calls back into the bus with prepared calldata (e.g. the
///         same delivery again) and records what the bus answered.
contract ReenteringRecipient is IMessageRecipient {
    /// @dev The bus to call back.
    address public bus;
    /// @dev Calldata of the re-entering call.
    bytes public reentry;
    /// @dev Times `handle` ran.
    uint256 public handled;
    /// @dev Whether the re-entering call succeeded.
    bool public reentered;
    /// @dev What the bus answered to the re-entering call.
    bytes public reentryResult;

    /// @notice Prepare the re-entering call.
    /// @param bus_ The bus.
    /// @param data Calldata sent to the bus from inside `handle`.
    function arm(address bus_, bytes calldata data) external {
        bus = bus_;
        reentry = data;
    }

    /// @inheritdoc IMessageRecipient
    function handle(uint32, address, bytes calldata) external {
        handled += 1;
        (bool ok, bytes memory result) = bus.call(reentry);
        reentered = ok;
        reentryResult = result;
    }
}
