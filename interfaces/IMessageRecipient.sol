// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

/// @title IMessageRecipient
/// @notice What a contract implements to receive messages from the trustspace MessageBus.
/// @dev The bus calls `handle` with a gas cap; a revert is recorded as a failed delivery that
///      anyone may retry. Recipients must check `msg.sender` is their bus and that `origin` and
///      `sender` are ones they trust: the bus proves where a message came from, not that the
///      sender is allowed to tell the recipient anything.
interface IMessageRecipient {
    /// @notice Receive one message proven to come from `sender` on chain `origin`.
    /// @param origin Chain id of the origin chain.
    /// @param sender The contract (or account) that dispatched the message there.
    /// @param body The application payload.
    function handle(uint32 origin, address sender, bytes calldata body) external;
}
