// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

import {ERC7786Recipient} from "@openzeppelin/contracts/crosschain/ERC7786Recipient.sol";

/// @title Erc7786RecordingRecipient
/// @custom:license Apache-2.0
/// @notice Test-only ERC-7786 recipient built on OpenZeppelin's `ERC7786Recipient`, unmodified:
///         it only implements the two abstract hooks (one authorized gateway, set at deployment)
///         and records what it received.
contract Erc7786RecordingRecipient is ERC7786Recipient {
    /// @dev A message passed OpenZeppelin's gateway and replay checks.
    event Processed(address gateway, bytes32 receiveId, bytes sender, bytes payload);

    /// @dev The one gateway this recipient accepts.
    address private immutable _gateway;

    /// @dev Messages processed so far.
    uint256 public received;
    /// @dev Gateway of the last message.
    address public lastGateway;
    /// @dev receiveId of the last message.
    bytes32 public lastReceiveId;
    /// @dev ERC-7930 sender of the last message.
    bytes public lastSender;
    /// @dev Payload of the last message.
    bytes public lastPayload;

    /// @notice Accept messages from `gateway` only.
    /// @param gateway The authorized ERC-7786 destination gateway.
    constructor(address gateway) {
        _gateway = gateway;
    }

    function _isAuthorizedGateway(address gateway, bytes calldata) internal view override returns (bool) {
        return gateway == _gateway;
    }

    function _processMessage(
        address gateway,
        bytes32 receiveId,
        bytes calldata sender,
        bytes calldata payload
    ) internal override {
        received += 1;
        lastGateway = gateway;
        lastReceiveId = receiveId;
        lastSender = sender;
        lastPayload = payload;
        emit Processed(gateway, receiveId, sender, payload);
    }
}
