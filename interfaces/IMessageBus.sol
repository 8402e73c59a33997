// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

/// @title IMessageBus
/// @notice Cross-chain message bus of trustspace: dispatch on the origin chain, checkpoints
///         signed by validator organisations, Merkle-proven delivery on the destination.
/// @dev Message layout (packed, version 2, see docs/bus.md): version uint8 | nonce uint32 |
///      origin uint32 | sender address | destination uint32 | destination bus address |
///      recipient address | sequence uint32 | body. The id is keccak256 of the whole message, so
///      it names the destination bus: a redeployed bus never takes messages meant for the old one.
///      A version byte with bit 7 set (KIND_ERC7786, 0x82) marks a message sent through the ERC-7786
///      `sendMessage`: same layout, delivered to `IERC7786Recipient.receiveMessage(id, ERC-7930
///      sender, body)` instead of `IMessageRecipient.handle`. The MessageBus also implements
///      OpenZeppelin's `IERC7786GatewaySource` (`sendMessage`, `supportsAttribute`, the
///      `MessageSent` event and `UnsupportedAttribute` error), which this file does not repeat
///      so that it compiles without OpenZeppelin.
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
    /// @dev A destination chain id that can never be one: this chain, zero, or above uint32.
    error MessageBusBadDestination(uint256 destination);
    /// @dev Governance named no bus on `destination`, so nothing may be dispatched there.
    error MessageBusUnknownDestination(uint32 destination);
    /// @dev The body exceeds the maximum size.
    error MessageBusBodyTooLarge(uint256 size, uint256 max);
    /// @dev The tree of this bus is full (2**32 - 1 messages).
    error MessageBusTreeFull(uint32 count);
    /// @dev No validator set was configured for this origin chain.
    error MessageBusUnknownOrigin(uint32 origin);
    /// @dev Governance tried to use this chain (or chain 0) as an origin.
    error MessageBusBadOrigin(uint32 origin);
    /// @dev Governance named the zero address as the bus of an origin chain.
    error MessageBusZeroOriginBus(uint32 origin);
    /// @dev The origin bus address of an origin chain cannot change once set.
    error MessageBusOriginBusChanged(address current, address proposed);
    /// @dev A validator set is empty or larger than the maximum.
    error MessageBusBadValidatorCount(uint256 count, uint256 max);
    /// @dev A validator set is unsorted, has a duplicate or the zero address at `position`.
    error MessageBusBadValidatorSet(uint256 position);
    /// @dev A validator's organisation id does not fit the bus's 8-bit organisation bitmap.
    error MessageBusOrgIdTooLarge(address validator, uint256 org);
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
    /// @dev A checkpoint index no tree can hold: a tree takes at most 2**32 - 1 messages.
    error MessageBusCheckpointIndexTooLarge(uint32 index, uint32 max);
    /// @dev The signature bytes are not a whole number of 65-byte signatures.
    error MessageBusBadSignatureLength(uint256 length);
    /// @dev A signature could not be recovered (malformed or malleable).
    error MessageBusBadSignature(uint256 position);
    /// @dev Signers must be strictly increasing by address (no duplicates).
    error MessageBusSignersNotSorted(uint256 position, address signer);
    /// @dev A signer is not in the current validator set of the origin.
    error MessageBusUnknownSigner(address signer);
    /// @dev A signer of the set no longer belongs to the organisation it was registered under
    ///      (moved to another organisation or removed); `current` is its organisation now (0: none).
    error MessageBusSignerMoved(address signer, uint256 registered, uint256 current);
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
    /// @dev The message is addressed to another bus on this chain (an earlier deployment).
    error MessageBusWrongDestinationBus(address expected, address actual);
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
    /// @dev The message is not in the failed state (retry, discard).
    error MessageBusNotFailed(bytes32 id);
    /// @dev The message failed under validator set `provenEpoch`, which governance has since
    ///      replaced (epoch `currentEpoch`): only the Consortium may retry it now.
    error MessageBusRetryNeedsGovernance(bytes32 id, uint32 provenEpoch, uint32 currentEpoch);
    /// @dev An ordered message arrived out of its lane's sequence.
    error MessageBusOutOfOrder(uint32 expected, uint32 actual);
    /// @dev An ordered message's recipient reverted; ordered lanes never skip a message.
    error MessageBusOrderedDeliveryFailed(bytes32 id, bytes reason);
    /// @dev The validator still holds its role in its organisation (drop).
    error MessageBusValidatorStillLive(address validator);
    /// @dev The recipient address holds no code (carried as the reason of DeliveryFailed).
    error MessageBusRecipientNotContract(address recipient);
    /// @dev `sendMessage` was called with native value, which the bus does not carry.
    error MessageBusValueNotAccepted(uint256 value);
    /// @dev `sendMessage`'s recipient is not a canonical ERC-7930 EIP-155 address (version 1, a
    ///      chain reference of 1 to 32 bytes without a leading zero, a 20-byte address, nothing
    ///      after it).
    error MessageBusBadInteropAddress(bytes interop);
    /// @dev `sendMessage`'s recipient names a chain type other than EIP-155 (0x0000).
    error MessageBusUnsupportedChainType(bytes2 chainType);
    /// @dev An ERC-7786 recipient returned without acknowledging: `returned` (the first word of
    ///      its return data, zero if shorter) is not the `receiveMessage` selector (carried as
    ///      the reason of DeliveryFailed).
    error MessageBusWrongReturnValue(address recipient, bytes32 returned);

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
    /// @dev Governance discarded a failed message: it can never be retried or delivered.
    event Discarded(bytes32 indexed id, uint32 indexed origin, uint32 nonce);
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
    /// @dev Governance named the bus that messages to `destination` are addressed to (zero: none).
    event DestinationBusChanged(uint32 indexed destination, address bus);

    // ------------------------------------------------------------- origin side

    /// @notice Send `body` to `recipient` on chain `destination` (no ordering).
    /// @param destination Chain id of the destination (governance must have named its bus).
    /// @param recipient Contract on the destination that receives the message.
    /// @param body Application payload.
    /// @return id keccak256 of the packed message.
    function dispatch(uint32 destination, address recipient, bytes calldata body)
        external
        returns (bytes32 id);

    /// @notice Send `body` on the strictly ordered lane (this chain, sender, recipient).
    /// @param destination Chain id of the destination (governance must have named its bus).
    /// @param recipient Contract on the destination that receives the message.
    /// @param body Application payload.
    /// @return id keccak256 of the packed message.
    function dispatchOrdered(uint32 destination, address recipient, bytes calldata body)
        external
        returns (bytes32 id);

    /// @notice Root of the outgoing message tree.
    /// @return node The Merkle root over all message ids dispatched so far.
    function root() external view returns (bytes32 node);

    /// @notice Number of messages dispatched (the next nonce).
    /// @return The count.
    function count() external view returns (uint32);

    /// @notice Root and message count read together (what a validator signs, with index = count - 1).
    /// @return root_ Current root.
    /// @return count_ Messages dispatched.
    function tree() external view returns (bytes32 root_, uint32 count_);

    /// @notice Whether `sender` may dispatch.
    /// @param sender Contract or account.
    /// @return True if governance allowed it.
    function isSender(address sender) external view returns (bool);

    /// @notice The bus on chain `destination` that messages dispatched there are addressed to.
    /// @param destination Destination chain.
    /// @return The bus address named by governance (zero: dispatching there is refused).
    function destinationBus(uint32 destination) external view returns (address);

    /// @notice Last sequence number given out on an outgoing ordered lane.
    /// @param destination Destination chain.
    /// @param sender Sender on this chain.
    /// @param recipient Recipient on the destination.
    /// @return The sequence (0: none yet).
    function outgoingSequence(uint32 destination, address sender, address recipient)
        external
        view
        returns (uint32);

    // -------------------------------------------------------- destination side

    /// @notice Verify a signed checkpoint of `origin` once, so messages can be delivered under it.
    /// @param origin Chain id of the origin.
    /// @param root_ Tree root the validators signed.
    /// @param index Index of the last message under the root (at most 2**32 - 2).
    /// @param signatures 65-byte signatures (r, s, v) ordered by strictly increasing signer.
    function acceptCheckpoint(uint32 origin, bytes32 root_, uint32 index, bytes calldata signatures)
        external;

    /// @notice Deliver messages under an accepted checkpoint.
    /// @param origin Chain id of the origin.
    /// @param root_ An accepted root of `origin`.
    /// @param height Proof height shared by the messages (2**height >= messages under the root).
    /// @param subRoot Node at level `height` on the leftmost path; the rest are empty subtrees.
    /// @param messages Packed messages.
    /// @param siblings `height` siblings per message, message after message, leaf level first.
    function deliver(
        uint32 origin,
        bytes32 root_,
        uint8 height,
        bytes32 subRoot,
        bytes[] calldata messages,
        bytes32[] calldata siblings
    ) external;

    /// @notice Verify a checkpoint and deliver one message in one call (nothing is stored for the root).
    /// @param root_ Tree root the validators signed.
    /// @param index Index of the last message under the root (at most 2**32 - 2).
    /// @param signatures 65-byte signatures ordered by strictly increasing signer.
    /// @param message The packed message.
    /// @param proof Siblings from the leaf upwards; missing upper levels are empty subtrees.
    function process(
        bytes32 root_,
        uint32 index,
        bytes calldata signatures,
        bytes calldata message,
        bytes32[] calldata proof
    ) external;

    /// @notice Try a failed message again. Anyone may, while the validator set it was proven
    ///         under is still the origin's current set; after governance replaced that set only
    ///         the Consortium may (or it discards the message).
    /// @param message The packed message (its id must be in the failed state).
    function retry(bytes calldata message) external;

    /// @notice Whether the message with `nonce` from `origin` was processed (delivered or failed).
    /// @param origin Origin chain.
    /// @param nonce Message nonce (its leaf index).
    /// @return True once processed; it never becomes false again.
    function processed(uint32 origin, uint32 nonce) external view returns (bool);

    /// @notice Write the flag words of `origin` ahead of deliveries (anyone; costs the caller).
    /// @dev The first write to a storage slot costs 20,000 gas more than later ones; a word
    ///      prepared here lets the deliveries of its 255 nonces pay only the cheap write. Words
    ///      already in use are left alone. Meaningless to the bus's logic: bit 255 is never a nonce.
    /// @param origin Origin chain.
    /// @param firstWord First word (nonce / 255).
    /// @param words Number of words, at most 64.
    function prepareFlags(uint32 origin, uint256 firstWord, uint256 words) external;

    /// @notice Whether flag word `word` of `origin` has been written (prepared or used).
    /// @param origin Origin chain.
    /// @param word Word index (nonce / 255).
    /// @return True if its next write is the cheap kind.
    function flagsPrepared(uint32 origin, uint256 word) external view returns (bool);

    /// @notice Whether a message is in the failed state (and may be retried).
    /// @param id Message id.
    /// @return True if its last attempt failed and governance did not discard it.
    function failed(bytes32 id) external view returns (bool);

    /// @notice The failure record of a message.
    /// @param id Message id.
    /// @return failed_ True if its last attempt failed and it may be retried.
    /// @return discarded True if governance discarded it (never retried or delivered again).
    /// @return epoch Validator-set epoch of its origin under which it was proven (0: never failed).
    function failure(bytes32 id) external view returns (bool failed_, bool discarded, uint32 epoch);

    /// @notice State of a checkpoint of `origin`.
    /// @param origin Origin chain.
    /// @param root_ Root.
    /// @return usable True if accepted under the current validator set.
    /// @return index Index of its last message (0 if never accepted).
    function checkpoint(uint32 origin, bytes32 root_) external view returns (bool usable, uint32 index);

    /// @notice Last delivered sequence of an incoming ordered lane.
    /// @param origin Origin chain.
    /// @param sender Sender on the origin.
    /// @param recipient Recipient here.
    /// @return The sequence (0: none yet).
    function deliveredSequence(uint32 origin, address sender, address recipient)
        external
        view
        returns (uint32);

    /// @notice The EIP-712 digest validators sign for a checkpoint.
    /// @param origin Origin chain.
    /// @param originBus Bus on the origin.
    /// @param root_ Root.
    /// @param index Index of the last message.
    /// @return The digest.
    function checkpointDigest(uint32 origin, address originBus, bytes32 root_, uint32 index)
        external
        view
        returns (bytes32);

    /// @notice The EIP-712 domain separator of checkpoints.
    /// @return The separator.
    function domainSeparator() external view returns (bytes32);

    /// @notice Id of a packed message.
    /// @param message The message.
    /// @return keccak256 of it.
    function messageId(bytes calldata message) external pure returns (bytes32);

    /// @notice Governance and pause state of an origin.
    /// @param origin Origin chain.
    /// @return originBus Bus on the origin (zero: unknown origin).
    /// @return threshold Distinct organisations needed.
    /// @return epoch Number of validator sets so far.
    /// @return paused Whether deliveries are paused.
    function originConfig(uint32 origin)
        external
        view
        returns (address originBus, uint8 threshold, uint32 epoch, bool paused);

    /// @notice Validators of `origin` that count now (in the current set and still in the
    ///         organisation they were registered under).
    /// @param origin Origin chain.
    /// @return keys Validator addresses (increasing).
    /// @return organisations Organisation id of each.
    function validators(uint32 origin)
        external
        view
        returns (address[] memory keys, uint256[] memory organisations);

    /// @notice The Consortium governing this bus.
    /// @return Its address.
    function consortium() external view returns (address);

    /// @notice Gas cap of each recipient call.
    /// @return The cap.
    function recipientGas() external view returns (uint256);

    // ------------------------------------------------------------- governance

    /// @notice Allow or disallow `sender` to dispatch (Consortium only).
    /// @param sender Contract or account.
    /// @param allowed Whether it may dispatch.
    function setSender(address sender, bool allowed) external;

    /// @notice Name the bus on chain `destination` that dispatched messages are addressed to
    ///         (Consortium only; re-point it after that bus is redeployed, zero stops dispatching).
    /// @param destination Destination chain (not this chain, not 0).
    /// @param bus The MessageBus deployed there.
    function setDestinationBus(uint32 destination, address bus) external;

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

    /// @notice Stop checkpoints, deliveries and retries from `origin` at once (any ADMIN).
    /// @param origin Chain id of the origin.
    function pause(uint32 origin) external;

    /// @notice Resume `origin` (Consortium only).
    /// @param origin Chain id of the origin.
    function resume(uint32 origin) external;

    /// @notice Give up a failed message for good (Consortium only): it leaves the failed state,
    ///         is marked discarded, and can never be retried or delivered again.
    /// @param message The packed message (its id must be in the failed state).
    function discard(bytes calldata message) external;
}
