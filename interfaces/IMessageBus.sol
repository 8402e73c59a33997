// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

/// @title IMessageBus
/// @notice Cross-chain message bus of trustspace: dispatch on the origin chain, checkpoints
///         signed by validator organisations, Merkle-proven delivery on the destination.
/// @dev Message layout (packed, see docs/bus.md): version uint8 | nonce uint32 | origin uint32 |
///      sender address | destination uint32 | recipient address | sequence uint32 | body.
interface IMessageBus {
    // ----------------------------------------------------------------- errors

    /// @dev The caller is not the Consortium (governance functions).
    error MessageBusNotConsortium(address caller);
    /// @dev The caller holds no live ADMIN role in the Consortium (pause).
    error MessageBusNotAdmin(address caller);
    /// @dev The caller was not registered as a sender by governance.
    error MessageBusSenderNotPermitted(address sender);
    /// @dev A message was addressed to the zero address.
    error MessageBusZeroRecipient(address sender);
    /// @dev The destination is this chain or does not fit in uint32.
    error MessageBusBadDestination(uint256 destination);
    /// @dev The body exceeds the maximum size.
    error MessageBusBodyTooLarge(uint256 size, uint256 max);
    /// @dev The tree of this bus is full (2**32 - 1 messages).
    error MessageBusTreeFull(uint32 count);
    /// @dev No validator set was configured for this origin chain.
    error MessageBusUnknownOrigin(uint32 origin);
    /// @dev Governance tried to use this chain as an origin of itself.
    error MessageBusBadOrigin(uint32 origin);
    /// @dev The origin bus address of an origin chain cannot change once set.
    error MessageBusOriginBusChanged(address current, address proposed);
    /// @dev A validator set is empty, too large, unsorted, has duplicates or the zero address.
    error MessageBusBadValidatorSet(uint256 position);
    /// @dev A validator does not hold VALIDATOR in a live organisation of the Consortium.
    error MessageBusNotValidator(address validator);
    /// @dev The threshold is zero or above the number of distinct validator organisations.
    error MessageBusBadThreshold(uint256 threshold, uint256 organisations);
    /// @dev Deliveries and checkpoints from this origin are paused.
    error MessageBusOriginPaused(uint32 origin);
    /// @dev The origin is not paused (resume).
    error MessageBusNotPaused(uint32 origin);
    /// @dev A checkpoint with the zero root (Nomad, 2022).
    error MessageBusZeroRoot(uint32 origin);
    /// @dev The signature bytes are not a whole number of 65-byte signatures.
    error MessageBusBadSignatureLength(uint256 length);
    /// @dev A signature could not be recovered (malformed or malleable).
    error MessageBusBadSignature(uint256 position);
    /// @dev Signers must be strictly increasing by address (no duplicates).
    error MessageBusSignersNotSorted(uint256 position, address signer);
    /// @dev A signer is not in the current validator set of the origin.
    error MessageBusUnknownSigner(address signer);
    /// @dev Too few distinct organisations signed.
    error MessageBusBelowThreshold(uint256 organisations, uint256 threshold);
    /// @dev The checkpoint was never accepted for this origin.
    error MessageBusUnknownCheckpoint(uint32 origin, bytes32 root);
    /// @dev The checkpoint was accepted under a validator set that has since changed.
    error MessageBusStaleCheckpoint(uint32 origin, bytes32 root);
    /// @dev The message is shorter than its header or has an unknown version.
    error MessageBusMalformedMessage(uint256 position);
    /// @dev The message was sent from another origin than the checkpoint's.
    error MessageBusWrongOrigin(uint32 expected, uint32 actual);
    /// @dev The message is addressed to another chain.
    error MessageBusWrongDestination(uint32 expected, uint32 actual);
    /// @dev The message was delivered (or attempted) before.
    error MessageBusAlreadyProcessed(bytes32 id);
    /// @dev The Merkle proof does not lead from the message to the checkpoint root.
    error MessageBusInvalidProof(bytes32 id);
    /// @dev The proof shape does not fit (height above 32, index beyond it, sibling count).
    error MessageBusBadProofShape(uint256 height, uint256 siblings);
    /// @dev The bus never calls itself, the Consortium or a protected contract.
    error MessageBusProtectedRecipient(address recipient);
    /// @dev The transaction left too little gas for the recipient's cap (griefing guard).
    error MessageBusInsufficientGas(uint256 available, uint256 required);
    /// @dev The message is not in the failed state (retry).
    error MessageBusNotFailed(bytes32 id);
    /// @dev An ordered message arrived out of its lane's sequence.
    error MessageBusOutOfOrder(uint32 expected, uint32 actual);
    /// @dev An ordered message's recipient reverted; ordered lanes never skip a message.
    error MessageBusOrderedDeliveryFailed(bytes32 id, bytes reason);
    /// @dev The validator still holds its role in its organisation (drop).
    error MessageBusValidatorStillLive(address validator);
    /// @dev The recipient address holds no code.
    error MessageBusRecipientNotContract(address recipient);

    // ----------------------------------------------------------------- events

    /// @dev A message left this chain; `message` is the full packed message.
    event Dispatched(bytes32 indexed id, uint32 indexed destination, uint32 nonce, bytes message);
    /// @dev A checkpoint of `origin` was accepted; `organisations` is the bitmap of signing orgs.
    event CheckpointAccepted(
        uint32 indexed origin, bytes32 indexed root, uint32 index, uint256 organisations
    );
    /// @dev A message was handed to its recipient, which returned normally.
    event Delivered(bytes32 indexed id, uint32 indexed origin, uint32 nonce);
    /// @dev The recipient reverted (or ran out of its gas cap); `reason` is its revert data.
    event DeliveryFailed(bytes32 indexed id, uint32 indexed origin, uint32 nonce, bytes reason);
    /// @dev A failed message was attempted again (followed by Delivered or DeliveryFailed).
    event Retried(bytes32 indexed id, address indexed by);
    /// @dev An ADMIN paused deliveries from `origin`.
    event Paused(uint32 indexed origin, address indexed by);
    /// @dev Governance resumed deliveries from `origin`.
    event Resumed(uint32 indexed origin);
    /// @dev Governance set the validator set of `origin` (epoch counts the sets).
    event ValidatorsChanged(
        uint32 indexed origin,
        address originBus,
        address[] validators,
        uint256[] organisations,
        uint8 threshold,
        uint32 epoch
    );
    /// @dev A validator whose role lapsed in the Consortium was dropped from a set.
    event ValidatorDropped(uint32 indexed origin, address indexed validator, address by);
    /// @dev Governance allowed or disallowed a sender.
    event SenderChanged(address indexed sender, bool allowed);

    // ------------------------------------------------------------- origin side

    /// @notice Send `body` to `recipient` on chain `destination` (no ordering).
    /// @param destination Chain id of the destination.
    /// @param recipient Contract on the destination that receives the message.
    /// @param body Application payload.
    /// @return id keccak256 of the packed message.
    function dispatch(uint32 destination, address recipient, bytes calldata body)
        external
        returns (bytes32 id);

    /// @notice Send `body` on the strictly ordered lane (this chain, sender, recipient).
    /// @param destination Chain id of the destination.
    /// @param recipient Contract on the destination that receives the message.
    /// @param body Application payload.
    /// @return id keccak256 of the packed message.
    function dispatchOrdered(uint32 destination, address recipient, bytes calldata body)
        external
        returns (bytes32 id);

    /// @notice Root of the outgoing message tree.
    /// @return The Merkle root over all message ids dispatched so far.
    function root() external view returns (bytes32);

    /// @notice Number of messages dispatched (the next nonce).
    /// @return The count.
    function count() external view returns (uint32);

    // -------------------------------------------------------- destination side

    /// @notice Verify a signed checkpoint of `origin` once, so messages can be delivered under it.
    /// @param origin Chain id of the origin.
    /// @param root Tree root the validators signed.
    /// @param index Index of the last message under the root.
    /// @param signatures 65-byte signatures (r, s, v) ordered by strictly increasing signer.
    function acceptCheckpoint(uint32 origin, bytes32 root, uint32 index, bytes calldata signatures)
        external;

    /// @notice Deliver messages under an accepted checkpoint.
    /// @param origin Chain id of the origin.
    /// @param root An accepted root of `origin`.
    /// @param height Proof height shared by the messages (2**height >= messages under the root).
    /// @param subRoot Node at level `height` on the leftmost path; the rest are empty subtrees.
    /// @param messages Packed messages.
    /// @param siblings `height` siblings per message, message after message, leaf level first.
    function deliver(
        uint32 origin,
        bytes32 root,
        uint8 height,
        bytes32 subRoot,
        bytes[] calldata messages,
        bytes32[] calldata siblings
    ) external;

    /// @notice Verify a checkpoint and deliver one message in one call (nothing is stored for the root).
    /// @param index Index of the last message under the root.
    /// @param signatures 65-byte signatures ordered by strictly increasing signer.
    /// @param message The packed message.
    /// @param proof Siblings from the leaf upwards; missing upper levels are empty subtrees.
    function process(
        bytes32 root,
        uint32 index,
        bytes calldata signatures,
        bytes calldata message,
        bytes32[] calldata proof
    ) external;

    /// @notice Try a failed message again.
    /// @param message The packed message (its id must be in the failed state).
    function retry(bytes calldata message) external;

    // ------------------------------------------------------------- governance

    /// @notice Allow or disallow `sender` to dispatch (Consortium only).
    /// @param sender Contract or account.
    /// @param allowed Whether it may dispatch.
    function setSender(address sender, bool allowed) external;

    /// @notice Set the validator set and threshold of `origin` (Consortium only).
    /// @param origin Chain id of the origin.
    /// @param originBus The bus contract on the origin (fixed once set).
    /// @param validators Validator keys, strictly increasing; each must hold VALIDATOR.
    /// @param threshold Distinct organisations needed.
    function setValidators(
        uint32 origin,
        address originBus,
        address[] calldata validators,
        uint8 threshold
    ) external;

    /// @notice Drop a validator that no longer holds VALIDATOR for its organisation (anyone).
    /// @param origin Chain id of the origin.
    /// @param validator The validator key.
    function dropValidator(uint32 origin, address validator) external;

    /// @notice Stop checkpoints and deliveries from `origin` at once (any ADMIN).
    /// @param origin Chain id of the origin.
    function pause(uint32 origin) external;

    /// @notice Resume `origin` (Consortium only).
    /// @param origin Chain id of the origin.
    function resume(uint32 origin) external;
}
