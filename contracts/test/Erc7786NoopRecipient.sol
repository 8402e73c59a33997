// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

import {IERC7786Recipient} from "@openzeppelin/contracts/interfaces/draft-IERC7786.sol";

/// @title Erc7786NoopRecipient
/// @custom:license Apache-2.0
/// @notice Test-only ERC-7786 recipient that only acknowledges (the gas benchmarks' baseline,
///         the counterpart of NoopRecipient).
contract Erc7786NoopRecipient is IERC7786Recipient {
    /// @inheritdoc IERC7786Recipient
    function receiveMessage(bytes32, bytes calldata, bytes calldata) external payable returns (bytes4) {
        return IERC7786Recipient.receiveMessage.selector;
    }
}
