// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

import {IERC7786Recipient} from "@openzeppelin/contracts/interfaces/draft-IERC7786.sol";

/// @title Erc7786WrongSelectorRecipient
/// @custom:license Apache-2.0
/// @notice Test-only ERC-7786 recipient that returns normally but, until told otherwise,
///         answers with a value other than the `receiveMessage` selector.
contract Erc7786WrongSelectorRecipient is IERC7786Recipient {
    /// @dev What `receiveMessage` returns while not acknowledging.
    bytes4 public constant WRONG = 0xdeadbeef;

    /// @dev Whether `receiveMessage` returns its own selector.
    bool public acknowledging;
    /// @dev Calls that returned the selector.
    uint256 public received;

    /// @notice Return the right selector from now on (or stop).
    /// @param value Whether to acknowledge.
    function setAcknowledging(bool value) external {
        acknowledging = value;
    }

    /// @inheritdoc IERC7786Recipient
    function receiveMessage(bytes32, bytes calldata, bytes calldata) external payable returns (bytes4) {
        if (!acknowledging) return WRONG;
        received += 1;
        return IERC7786Recipient.receiveMessage.selector;
    }
}
