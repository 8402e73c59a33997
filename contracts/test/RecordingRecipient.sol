// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

import {IMessageRecipient} from "../../interfaces/IMessageRecipient.sol";

/// @title RecordingRecipient
/// @custom:license Apache-2.0
/// @notice Test-only recipient that counts messages and keeps the last one; can be told to fail.
contract RecordingRecipient is IMessageRecipient {
    /// @dev A message was received.
    event Received(uint32 origin, address sender, bytes body);

    /// @dev Messages received so far.
    uint256 public received;
    /// @dev Origin of the last message.
    uint32 public lastOrigin;
    /// @dev Sender of the last message.
    address public lastSender;
    /// @dev Body of the last message.
    bytes public lastBody;
    /// @dev Whether `handle` reverts.
    bool public failing;

    /// @dev Raised while `failing` is set.
    error RecordingRecipientRefused(uint256 received);

    /// @notice Make `handle` revert (or stop reverting).
    /// @param value Whether to revert.
    function setFailing(bool value) external {
        failing = value;
    }

    /// @inheritdoc IMessageRecipient
    function handle(uint32 origin, address sender, bytes calldata body) external {
        if (failing) revert RecordingRecipientRefused(received);
        received += 1;
        lastOrigin = origin;
        lastSender = sender;
        lastBody = body;
        emit Received(origin, sender, body);
    }
}
