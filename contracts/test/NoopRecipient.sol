// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

import {IMessageRecipient} from "../../interfaces/IMessageRecipient.sol";

/// @title NoopRecipient
/// @custom:license Apache-2.0
/// @notice Test-only recipient that does nothing (the gas benchmarks' baseline).
contract NoopRecipient is IMessageRecipient {
    /// @inheritdoc IMessageRecipient
    function handle(uint32, address, bytes calldata) external {}
}
