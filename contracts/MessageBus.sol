// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {MessageHashUtils} from "@openzeppelin/contracts/utils/cryptography/MessageHashUtils.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {
    IERC7786GatewaySource, IERC7786Recipient
} from "@openzeppelin/contracts/interfaces/draft-IERC7786.sol";
import {InteroperableAddress} from "@openzeppelin/contracts/utils/draft-InteroperableAddress.sol";
import {IConsortium, ROLE_ADMIN, ROLE_VALIDATOR} from "../interfaces/IConsortium.sol";
import {IMessageBus} from "../interfaces/IMessageBus.sol";
import {IMessageRecipient} from "../interfaces/IMessageRecipient.sol";

/// @title MessageBus
/// @custom:license Apache-2.0
/// @notice Cross-chain message bus between trustspace chains. On the origin, permitted senders
///         dispatch messages whose ids go into an incremental Merkle tree of depth 32. Validator
///         organisations sign checkpoints (origin, origin bus, root, index) as EIP-712 typed
///         data. On the destination, a checkpoint signed by a threshold of distinct
///         organisations from the governed set is verified (once, or in the same call), and
///         messages are delivered under it with Merkle proofs, each at most once. The bus is
///         also an ERC-7786 gateway (source side `sendMessage`, ERC-7930 interoperable
///         addresses, no attributes): such messages travel the same tree and are delivered to
///         the recipient's ERC-7786 `receiveMessage`, so a contract built on OpenZeppelin's
///         `ERC7786Recipient` with this bus as its gateway receives them unchanged.
/// @dev Message (version 2): version uint8 (bit 7 set: an ERC-7786 message) | nonce uint32 |
///      origin uint32 | sender address | destination uint32 | destination bus address |
///      recipient address | sequence uint32 | body (packed, 77-byte header);
///      id = keccak256(message), so an id names the one bus that may deliver it.
///      Proofs have a fixed depth of 32: the caller sends the
///      siblings of the lowest `height` levels and the bus fills the levels above with the
///      roots of empty subtrees, so small trees cost small proofs and a leaf can never be
///      confused with an inner node.
/// @custom:security Lessons from bridges that lost funds, each enforced here and tested in
///         tests/security/test_bus_attacks.py: a zero root is refused and unknown roots read as
///         "not accepted" (Nomad); signatures are recovered with OpenZeppelin's ECDSA, which
///         rejects malformed and malleable ones, and only keys of the current set count
///         (Wormhole); the threshold counts distinct organisations of the Consortium, not keys
///         (Ronin, Harmony); the bus never calls itself, the Consortium or a protected
///         contract (Poly Network); proofs have fixed depth and bind the leaf index, which must
///         equal the message nonce (BNB bridge). Governance changes of a validator set make
///         checkpoints accepted under the old set stale, and failed messages proven under it
///         retryable only by governance. A signer counts only while the Consortium still places
///         it in the organisation it was registered under, so a key moved to another
///         organisation never makes one organisation count twice. Messages name the
///         destination bus, so a redeployed bus cannot replay the old one's messages. Accepted
///         risk: a validator whose organisation loses its VALIDATOR role (revocation, expiry,
///         suspension) but keeps the key keeps counting until anyone calls `dropValidator` or
///         governance replaces the set (asking for the role at every verification would cost
///         another cold read per signer).
///         ERC-7786: `sendMessage` takes the same permitted-sender rule and code path as
///         `dispatch`; a recipient not in canonical ERC-7930 form (version 1, EIP-155 chain
///         type, minimal chain reference, 20-byte address, nothing after it) is refused, as
///         are attributes and native value, which the bus cannot carry. The sender the recipient
///         sees is the ERC-7930 address (origin chain, origin sender) and the gateway is this
///         bus, so the recipient's own gateway check is what keeps other gateways out. Only the
///         exact `receiveMessage` selector returned counts as delivered; anything else is a
///         failed, retryable delivery, like a revert of `handle`. OpenZeppelin 5.5's
///         InteroperableAddress adds lengths in 8 bits and misreads a chain reference of 250
///         bytes or more; the bus refuses any reference over 32 bytes before parsing.
contract MessageBus is IMessageBus, IERC7786GatewaySource, ReentrancyGuardTransient {
    /// @notice Version of the message layout (2: the header names the destination bus).
    /// @return The version byte every message starts with.
    uint8 public constant VERSION = 2;
    /// @notice Bit of the version byte that marks an ERC-7786 message (sent with `sendMessage`,
    ///         delivered to `receiveMessage`).
    /// @return The flag (0x80): an ERC-7786 message starts with VERSION | KIND_ERC7786.
    uint8 public constant KIND_ERC7786 = 0x80;
    /// @notice Depth of the message tree.
    /// @return The number of levels above the leaves.
    uint256 public constant TREE_DEPTH = 32;
    /// @notice Largest body a message may carry.
    /// @return The size in bytes.
    uint256 public constant MAX_BODY = 16_384;
    /// @notice Largest validator set per origin.
    /// @return The number of keys.
    uint256 public constant MAX_VALIDATORS = 64;
    /// @dev Bytes before the body.
    uint256 private constant HEADER = 77;
    /// @dev Largest checkpoint index: a tree holds at most 2**32 - 1 messages (see _dispatch),
    ///      so the last index is 2**32 - 2 and index + 1 always fits its 32 bits.
    uint32 private constant MAX_INDEX = type(uint32).max - 1;
    /// @dev Delivery flags per storage word; bit 255 marks a word prepared in advance.
    uint256 private constant FLAGS_PER_WORD = 255;
    /// @dev Most flag words `prepareFlags` writes in one call.
    uint256 private constant MAX_PREPARE = 64;
    /// @dev Revert data kept from a failing recipient (a longer one could make the bus pay for memory).
    uint256 private constant MAX_REASON = 256;
    /// @dev Gas kept back when checking that the recipient will receive its full cap.
    uint256 private constant CALL_RESERVE = 5_000;
    /// @dev ERC-7930 chain type of EIP-155 chains.
    bytes2 private constant EIP155 = 0x0000;
    /// @dev Longest EIP-155 chain reference (a uint256 chain id); longer ones are refused
    ///      before OpenZeppelin 5.5's parser, whose 8-bit length sums wrap from 250 bytes on.
    uint256 private constant MAX_CHAIN_REFERENCE = 32;
    /// @notice EIP-712 type hash of a checkpoint.
    /// @return keccak256 of the Checkpoint type string.
    bytes32 public constant CHECKPOINT_TYPEHASH =
        keccak256("Checkpoint(uint32 origin,address originBus,bytes32 root,uint32 index)");
    /// @dev EIP-712 domain type: no chain id or contract, because one checkpoint serves every
    ///      destination; the struct itself names the origin chain and bus.
    bytes32 private constant DOMAIN_TYPEHASH = keccak256("EIP712Domain(string name,string version)");
    /// @dev Roots of empty subtrees of height 0 to 31 (Z0 = 0, Z(i+1) = keccak(Zi, Zi)).
    bytes private constant ZEROS =
        hex"0000000000000000000000000000000000000000000000000000000000000000"
        hex"ad3228b676f7d3cd4284a5443f17f1962b36e491b30a40b2405849e597ba5fb5"
        hex"b4c11951957c6f8f642c4af61cd6b24640fec6dc7fc607ee8206a99e92410d30"
        hex"21ddb9a356815c3fac1026b6dec5df3124afbadb485c9ba5a3e3398a04b7ba85"
        hex"e58769b32a1beaf1ea27375a44095a0d1fb664ce2dd358e7fcbfb78c26a19344"
        hex"0eb01ebfc9ed27500cd4dfc979272d1f0913cc9f66540d7e8005811109e1cf2d"
        hex"887c22bd8750d34016ac3c66b5ff102dacdd73f6b014e710b51e8022af9a1968"
        hex"ffd70157e48063fc33c97a050f7f640233bf646cc98d9524c6b92bcf3ab56f83"
        hex"9867cc5f7f196b93bae1e27e6320742445d290f2263827498b54fec539f756af"
        hex"cefad4e508c098b9a7e1d8feb19955fb02ba9675585078710969d3440f5054e0"
        hex"f9dc3e7fe016e050eff260334f18a5d4fe391d82092319f5964f2e2eb7c1c3a5"
        hex"f8b13a49e282f609c317a833fb8d976d11517c571d1221a265d25af778ecf892"
        hex"3490c6ceeb450aecdc82e28293031d10c7d73bf85e57bf041a97360aa2c5d99c"
        hex"c1df82d9c4b87413eae2ef048f94b4d3554cea73d92b0f7af96e0271c691e2bb"
        hex"5c67add7c6caf302256adedf7ab114da0acfe870d449a3a489f781d659e8becc"
        hex"da7bce9f4e8618b6bd2f4132ce798cdc7a60e7e1460a7299e3c6342a579626d2"
        hex"2733e50f526ec2fa19a22b31e8ed50f23cd1fdf94c9154ed3a7609a2f1ff981f"
        hex"e1d3b5c807b281e4683cc6d6315cf95b9ade8641defcb32372f1c126e398ef7a"
        hex"5a2dce0a8a7f68bb74560f8f71837c2c2ebbcbf7fffb42ae1896f13f7c7479a0"
        hex"b46a28b6f55540f89444f63de0378e3d121be09e06cc9ded1c20e65876d36aa0"
        hex"c65e9645644786b620e2dd2ad648ddfcbf4a7e5b1a3a4ecfe7f64667a3f0b7e2"
        hex"f4418588ed35a2458cffeb39b93d26f18d2ab13bdce6aee58e7b99359ec2dfd9"
        hex"5a9c16dc00d6ef18b7933a6f8dc65ccb55667138776f7dea101070dc8796e377"
        hex"4df84f40ae0c8229d0d6069e5c8f39a7c299677a09d367fc7b05e3bc380ee652"
        hex"cdc72595f74c7b1043d0e1ffbab734648c838dfb0527d971b602bc216c9619ef"
        hex"0abf5ac974a1ed57f4050aa510dd9c74f508277b39d7973bb2dfccc5eeb0618d"
        hex"b8cd74046ff337f0a7bf2c8e03e10f642c1886798d71806ab1e888d9e5ee87d0"
        hex"838c5655cb21c6cb83313b5a631175dff4963772cce9108188b34ac87c81c41e"
        hex"662ee4dd2dd7b2bc707961b1e646c4047669dcb6584f0d8d770daf5d7e7deb2e"
        hex"388ab20e2573d171a88108e79d820e98f26c0b84aa8b2f4aa4968dbb818ea322"
        hex"93237c50ba75ee485f4c22adf2f741400bdf8d6a9cc7df7ecae576221665d735"
        hex"8448818bb4ae4562849e949e17ac16e0be16688e156b5cf15e098c627c0056a9";

    /// @dev What governs an origin chain here, packed in one slot (read once per delivery).
    struct Origin {
        address originBus;
        uint8 threshold;
        uint32 epoch;
        bool paused;
    }

    /// @dev An accepted checkpoint: the epoch it was accepted in and the messages under its root
    ///      (index + 1, never 0 once accepted). Separate fields: no index can reach the epoch.
    struct Accepted {
        uint32 epoch;
        uint32 count;
    }

    /// @dev A message whose recipient reverted: the epoch of the set it was proven under, and
    ///      whether it is still retryable or governance discarded it (one slot).
    struct Failure {
        uint32 epoch;
        bool failed;
        bool discarded;
    }

    /// @dev The decoded header of a message.
    struct Header {
        uint32 nonce;
        uint32 origin;
        address sender;
        uint32 destination;
        address recipient;
        uint32 sequence;
        bool erc7786;
    }

    /// @dev What a batch shares (kept in memory to spare the stack).
    struct Batch {
        uint32 origin;
        uint32 epoch;
        uint256 height;
        bytes32 subRoot;
    }

    /// @dev The Consortium of this chain: governance, roles and protected contracts.
    IConsortium private immutable _consortium;
    /// @dev Gas cap of each recipient call.
    uint256 private immutable _recipientGas;
    /// @dev This chain's id.
    uint32 private immutable _localChain;
    /// @dev EIP-712 domain separator of checkpoints.
    bytes32 private immutable _domainSeparator;

    /// @dev Branch of the incremental tree: the pending left node of each level.
    bytes32[32] private _branch;
    /// @dev Messages dispatched so far (the next nonce).
    uint32 private _count;
    /// @dev Senders governance allowed to dispatch.
    mapping(address sender => bool allowed) private _senders;
    /// @dev The bus on each destination chain that outgoing messages are addressed to.
    mapping(uint32 destination => address bus) private _destinationBuses;
    /// @dev Last sequence of each outgoing ordered lane keccak(destination, sender, recipient).
    mapping(bytes32 lane => uint32 sequence) private _outLanes;
    /// @dev Validator set, threshold and pause state of each origin chain.
    mapping(uint32 origin => Origin config) private _origins;
    /// @dev Validator entry per origin: epoch << 8 | organisation id (stale epoch: not a member).
    mapping(uint32 origin => mapping(address validator => uint256 entry)) private _validators;
    /// @dev Keys of the latest set per origin, for enumeration.
    mapping(uint32 origin => address[] validators) private _validatorList;
    /// @dev Accepted checkpoints keyed by keccak(origin, root).
    mapping(bytes32 key => Accepted checkpoint) private _checkpoints;
    /// @dev Processed flags per origin, one bit per nonce, 255 to a word (bit 255: prepared).
    mapping(uint32 origin => mapping(uint256 word => uint256 bits)) private _processed;
    /// @dev Messages whose recipient reverted: retryable, or discarded by governance.
    mapping(bytes32 id => Failure failure) private _failures;
    /// @dev Last delivered sequence of each incoming ordered lane keccak(origin, sender, recipient).
    mapping(bytes32 lane => uint32 sequence) private _inLanes;

    /// @notice Deploy a bus governed by `consortium_`.
    /// @param consortium_ The Consortium of this chain.
    /// @param recipientGas_ Gas cap of each recipient call.
    constructor(IConsortium consortium_, uint256 recipientGas_) {
        if (block.chainid > type(uint32).max) revert MessageBusBadDestination(block.chainid);
        _consortium = consortium_;
        _recipientGas = recipientGas_;
        _localChain = uint32(block.chainid);
        _domainSeparator = keccak256(
            abi.encode(DOMAIN_TYPEHASH, keccak256("trustspace MessageBus"), keccak256("1"))
        );
        // A branch slot is read only after a dispatch wrote it, so a placeholder is safe; it
        // makes every later write a cheap nonzero-to-nonzero one (no dispatch pays 20k gas
        // for the first message to reach a new level).
        for (uint256 i; i < TREE_DEPTH; ++i) {
            _branch[i] = bytes32(uint256(1));
        }
    }

    modifier onlyConsortium() {
        if (msg.sender != address(_consortium)) revert MessageBusNotConsortium(msg.sender);
        _;
    }

    // ------------------------------------------------------------- origin side

    /// @inheritdoc IMessageBus
    function dispatch(uint32 destination, address recipient, bytes calldata body)
        external
        returns (bytes32 id)
    {
        return _dispatch(destination, recipient, body, 0, VERSION);
    }

    /// @inheritdoc IMessageBus
    function dispatchOrdered(uint32 destination, address recipient, bytes calldata body)
        external
        returns (bytes32 id)
    {
        bytes32 lane = keccak256(abi.encode(destination, msg.sender, recipient));
        uint32 sequence = _outLanes[lane] + 1;
        _outLanes[lane] = sequence;
        return _dispatch(destination, recipient, body, sequence, VERSION);
    }

    /// @notice Send `payload` to an ERC-7786 recipient on another trustspace chain. The caller
    ///         must be a permitted sender (as for `dispatch`); the message joins the same tree
    ///         and is delivered by the destination bus calling `receiveMessage`.
    /// @dev ERC-7786 source gateway. Emits `Dispatched` (what relayers follow) and the ERC's
    ///      `MessageSent`. No attribute is supported and no native value is carried.
    /// @param recipient ERC-7930 interoperable address (version 1, EIP-155 chain type, the
    ///        destination chain id in minimal big-endian bytes, a 20-byte address).
    /// @param payload The bytes handed to the recipient (at most MAX_BODY).
    /// @param attributes Must be empty: any attribute reverts with `UnsupportedAttribute`.
    /// @return sendId The message id, also the `receiveId` the recipient is called with.
    function sendMessage(bytes calldata recipient, bytes calldata payload, bytes[] calldata attributes)
        external
        payable
        returns (bytes32 sendId)
    {
        if (attributes.length != 0) revert UnsupportedAttribute(bytes4(attributes[0]));
        if (msg.value != 0) revert MessageBusValueNotAccepted(msg.value);
        (uint32 destination, address target) = _parseRecipient(recipient);
        sendId = _dispatch(destination, target, payload, 0, VERSION | KIND_ERC7786);
        emit MessageSent(
            sendId,
            InteroperableAddress.formatEvmV1(_localChain, msg.sender),
            recipient,
            payload,
            0,
            attributes
        );
    }

    /// @notice Whether `sendMessage` accepts an ERC-7786 attribute: this bus supports none.
    /// @param selector The attribute's key selector.
    /// @return Always false.
    function supportsAttribute(bytes4 selector) external pure returns (bool) {
        selector;
        return false;
    }

    /// @inheritdoc IMessageBus
    function root() public view returns (bytes32 node) {
        bytes memory zeros = ZEROS;
        uint256 size = _count;
        for (uint256 i; i < TREE_DEPTH; ++i) {
            if ((size >> i) & 1 == 1) {
                node = _hashPair(_branch[i], node);
            } else {
                node = _hashPair(node, _zero(zeros, i));
            }
        }
    }

    /// @inheritdoc IMessageBus
    function count() external view returns (uint32) {
        return _count;
    }

    /// @inheritdoc IMessageBus
    function tree() external view returns (bytes32 root_, uint32 count_) {
        return (root(), _count);
    }

    /// @inheritdoc IMessageBus
    function isSender(address sender) external view returns (bool) {
        return _senders[sender];
    }

    /// @inheritdoc IMessageBus
    function destinationBus(uint32 destination) external view returns (address) {
        return _destinationBuses[destination];
    }

    /// @inheritdoc IMessageBus
    function outgoingSequence(uint32 destination, address sender, address recipient)
        external
        view
        returns (uint32)
    {
        return _outLanes[keccak256(abi.encode(destination, sender, recipient))];
    }

    // -------------------------------------------------------- destination side

    /// @inheritdoc IMessageBus
    function acceptCheckpoint(uint32 origin, bytes32 root_, uint32 index, bytes calldata signatures)
        external
    {
        Origin memory cfg = _liveOrigin(origin);
        uint256 orgs = _verify(origin, cfg, root_, index, signatures);
        // _verify refused index > MAX_INDEX, so index + 1 fits its own field.
        _checkpoints[_checkpointKey(origin, root_)] = Accepted(cfg.epoch, index + 1);
        emit CheckpointAccepted(origin, root_, index, orgs);
    }

    /// @inheritdoc IMessageBus
    function deliver(
        uint32 origin,
        bytes32 root_,
        uint8 height,
        bytes32 subRoot,
        bytes[] calldata messages,
        bytes32[] calldata siblings
    ) external nonReentrant {
        uint32 epoch = _requireAccepted(origin, root_);
        if (height > TREE_DEPTH || siblings.length != messages.length * height) {
            revert MessageBusBadProofShape(height, siblings.length);
        }
        // Every message climbs `height` levels to the same subRoot; the levels above are
        // empty subtrees, so the full root is computed once for the whole batch.
        if (_fill(subRoot, height) != root_) revert MessageBusInvalidProof(subRoot);
        _deliverBatch(Batch(origin, epoch, height, subRoot), messages, siblings);
    }

    /// @inheritdoc IMessageBus
    function process(
        bytes32 root_,
        uint32 index,
        bytes calldata signatures,
        bytes calldata message,
        bytes32[] calldata proof
    ) external nonReentrant {
        Header memory h = _header(message, 0);
        Origin memory cfg = _liveOrigin(h.origin);
        _verify(h.origin, cfg, root_, index, signatures);
        uint256 height = proof.length;
        if (height > TREE_DEPTH) revert MessageBusBadProofShape(height, height);
        bytes32 id = _id(message);
        if (h.nonce > index || _fill(_climb(id, h.nonce, proof), height) != root_) {
            revert MessageBusInvalidProof(id);
        }
        _deliverOne(message, id, h, cfg.epoch);
    }

    /// @inheritdoc IMessageBus
    function retry(bytes calldata message) external nonReentrant {
        bytes32 id = _id(message);
        // Only proven messages addressed here ever enter the failed state, so the header is trusted.
        Failure storage f = _failures[id];
        if (!f.failed) revert MessageBusNotFailed(id);
        Header memory h = _header(message, 0);
        Origin memory cfg = _origins[h.origin];
        if (cfg.paused) revert MessageBusOriginPaused(h.origin);
        // A rotation is how governance retires keys it no longer trusts: what those keys proved
        // and what failed stays parked until governance itself retries or discards it.
        uint32 proven = f.epoch;
        if (proven != cfg.epoch && msg.sender != address(_consortium)) {
            revert MessageBusRetryNeedsGovernance(id, proven, cfg.epoch);
        }
        _checkRecipient(h.recipient);
        f.failed = false;
        emit Retried(id, msg.sender);
        (bool ok, bytes memory reason) = _call(h, id, message[HEADER:]);
        if (ok) {
            delete _failures[id];
            emit Delivered(id, h.origin, h.nonce);
        } else {
            // Still failed under the set that proved it: a later set never adopts it.
            f.failed = true;
            emit DeliveryFailed(id, h.origin, h.nonce, reason);
        }
    }

    /// @inheritdoc IMessageBus
    function processed(uint32 origin, uint32 nonce) external view returns (bool) {
        return (_processed[origin][nonce / FLAGS_PER_WORD] >> (nonce % FLAGS_PER_WORD)) & 1 == 1;
    }

    /// @inheritdoc IMessageBus
    function prepareFlags(uint32 origin, uint256 firstWord, uint256 words) external {
        if (words > MAX_PREPARE) words = MAX_PREPARE;
        mapping(uint256 word => uint256 bits) storage flags = _processed[origin];
        for (uint256 w = firstWord; w < firstWord + words; ++w) {
            if (flags[w] == 0) flags[w] = 1 << 255;
        }
    }

    /// @inheritdoc IMessageBus
    function flagsPrepared(uint32 origin, uint256 word) external view returns (bool) {
        return _processed[origin][word] != 0;
    }

    /// @inheritdoc IMessageBus
    function failed(bytes32 id) external view returns (bool) {
        return _failures[id].failed;
    }

    /// @inheritdoc IMessageBus
    function failure(bytes32 id) external view returns (bool failed_, bool discarded, uint32 epoch) {
        Failure memory f = _failures[id];
        return (f.failed, f.discarded, f.epoch);
    }

    /// @inheritdoc IMessageBus
    function checkpoint(uint32 origin, bytes32 root_) external view returns (bool usable, uint32 index) {
        Accepted memory a = _checkpoints[_checkpointKey(origin, root_)];
        if (a.count == 0) return (false, 0);
        return (a.epoch == _origins[origin].epoch, a.count - 1);
    }

    /// @inheritdoc IMessageBus
    function deliveredSequence(uint32 origin, address sender, address recipient)
        external
        view
        returns (uint32)
    {
        return _inLanes[keccak256(abi.encode(origin, sender, recipient))];
    }

    /// @inheritdoc IMessageBus
    function checkpointDigest(uint32 origin, address originBus, bytes32 root_, uint32 index)
        public
        view
        returns (bytes32)
    {
        return MessageHashUtils.toTypedDataHash(
            _domainSeparator, keccak256(abi.encode(CHECKPOINT_TYPEHASH, origin, originBus, root_, index))
        );
    }

    /// @inheritdoc IMessageBus
    function domainSeparator() external view returns (bytes32) {
        return _domainSeparator;
    }

    /// @inheritdoc IMessageBus
    function messageId(bytes calldata message) external pure returns (bytes32) {
        return keccak256(message);
    }

    // ------------------------------------------------------------- governance

    /// @inheritdoc IMessageBus
    function setSender(address sender, bool allowed) external onlyConsortium {
        _senders[sender] = allowed;
        emit SenderChanged(sender, allowed);
    }

    /// @inheritdoc IMessageBus
    function setDestinationBus(uint32 destination, address bus) external onlyConsortium {
        if (destination == _localChain || destination == 0) revert MessageBusBadDestination(destination);
        _destinationBuses[destination] = bus;
        emit DestinationBusChanged(destination, bus);
    }

    /// @inheritdoc IMessageBus
    function setValidators(
        uint32 origin,
        address originBus,
        address[] calldata validators,
        uint8 threshold
    ) external onlyConsortium {
        if (origin == _localChain || origin == 0) revert MessageBusBadOrigin(origin);
        Origin storage cfg = _origins[origin];
        if (originBus == address(0)) revert MessageBusZeroOriginBus(origin);
        if (cfg.originBus != address(0) && cfg.originBus != originBus) {
            revert MessageBusOriginBusChanged(cfg.originBus, originBus);
        }
        uint256 n = validators.length;
        if (n == 0 || n > MAX_VALIDATORS) revert MessageBusBadValidatorCount(n, MAX_VALIDATORS);
        uint32 epoch = cfg.epoch + 1;
        (uint256[] memory orgIds, uint256 distinct) = _register(origin, validators, epoch);
        if (threshold == 0 || threshold > distinct) revert MessageBusBadThreshold(threshold, distinct);
        // Keys of the previous set keep their old epoch and stop counting.
        cfg.originBus = originBus;
        cfg.threshold = threshold;
        cfg.epoch = epoch;
        _validatorList[origin] = validators;
        emit ValidatorsChanged(origin, originBus, validators, orgIds, threshold, epoch);
    }

    /// @inheritdoc IMessageBus
    function dropValidator(uint32 origin, address validator) external {
        uint256 entry = _validators[origin][validator];
        if (entry == 0 || entry >> 8 != _origins[origin].epoch) revert MessageBusUnknownSigner(validator);
        if (_consortium.org_with_role(validator, ROLE_VALIDATOR) == entry & 0xff) {
            revert MessageBusValidatorStillLive(validator);
        }
        _validators[origin][validator] = 0;
        emit ValidatorDropped(origin, validator, msg.sender);
    }

    /// @inheritdoc IMessageBus
    function pause(uint32 origin) external {
        if (!_consortium.has_role(msg.sender, ROLE_ADMIN)) revert MessageBusNotAdmin(msg.sender);
        _origins[origin].paused = true;
        emit Paused(origin, msg.sender);
    }

    /// @inheritdoc IMessageBus
    function resume(uint32 origin) external onlyConsortium {
        if (!_origins[origin].paused) revert MessageBusNotPaused(origin);
        _origins[origin].paused = false;
        emit Resumed(origin);
    }

    /// @inheritdoc IMessageBus
    function discard(bytes calldata message) external onlyConsortium {
        bytes32 id = _id(message);
        Failure storage f = _failures[id];
        if (!f.failed) revert MessageBusNotFailed(id);
        Header memory h = _header(message, 0);
        f.failed = false;
        f.discarded = true;
        emit Discarded(id, h.origin, h.nonce);
    }

    /// @inheritdoc IMessageBus
    function originConfig(uint32 origin)
        external
        view
        returns (address originBus, uint8 threshold, uint32 epoch, bool paused)
    {
        Origin memory cfg = _origins[origin];
        return (cfg.originBus, cfg.threshold, cfg.epoch, cfg.paused);
    }

    /// @inheritdoc IMessageBus
    function validators(uint32 origin)
        external
        view
        returns (address[] memory keys, uint256[] memory organisations)
    {
        address[] storage list = _validatorList[origin];
        uint32 epoch = _origins[origin].epoch;
        uint256 n = list.length;
        bool[] memory counts = new bool[](n);
        uint256 live;
        for (uint256 i; i < n; ++i) {
            uint256 entry = _validators[origin][list[i]];
            if (entry >> 8 == epoch && _consortium.org_of(list[i]) == entry & 0xff) {
                counts[i] = true;
                ++live;
            }
        }
        keys = new address[](live);
        organisations = new uint256[](live);
        uint256 j;
        for (uint256 i; i < n; ++i) {
            if (counts[i]) {
                keys[j] = list[i];
                organisations[j] = _validators[origin][list[i]] & 0xff;
                ++j;
            }
        }
    }

    /// @inheritdoc IMessageBus
    function consortium() external view returns (address) {
        return address(_consortium);
    }

    /// @inheritdoc IMessageBus
    function recipientGas() external view returns (uint256) {
        return _recipientGas;
    }

    // ---------------------------------------------------------------- internal

    // `version`: VERSION, or VERSION | KIND_ERC7786 for a message from `sendMessage`.
    function _dispatch(
        uint32 destination,
        address recipient,
        bytes calldata body,
        uint32 sequence,
        uint8 version
    ) private returns (bytes32 id) {
        if (!_senders[msg.sender]) revert MessageBusSenderNotPermitted(msg.sender);
        if (recipient == address(0)) revert MessageBusZeroRecipient(msg.sender);
        // setDestinationBus refuses this chain and 0, so a named bus is also a valid destination.
        address destBus = _destinationBuses[destination];
        if (destBus == address(0)) revert MessageBusUnknownDestination(destination);
        if (body.length > MAX_BODY) revert MessageBusBodyTooLarge(body.length, MAX_BODY);
        uint32 nonce = _count;
        if (nonce == type(uint32).max) revert MessageBusTreeFull(nonce);
        bytes memory message = abi.encodePacked(
            version, nonce, _localChain, msg.sender, destination, destBus, recipient, sequence, body
        );
        id = keccak256(message);
        _insert(id, uint256(nonce) + 1);
        _count = nonce + 1;
        emit Dispatched(id, destination, nonce, message);
    }

    // A canonical ERC-7930 EIP-155 address: OpenZeppelin parses the fields, the bus refuses
    // every other spelling so that one destination and recipient have one encoding.
    function _parseRecipient(bytes calldata interop)
        private
        pure
        returns (uint32 destination, address target)
    {
        // Checked before parsing: OpenZeppelin 5.5 wraps its 8-bit length sums from 250 on.
        if (interop.length < 6 || uint8(interop[4]) > MAX_CHAIN_REFERENCE) {
            revert MessageBusBadInteropAddress(interop);
        }
        (bool ok, bytes2 chainType, bytes calldata chainRef, bytes calldata addr) =
            InteroperableAddress.tryParseV1Calldata(interop);
        if (!ok) revert MessageBusBadInteropAddress(interop);
        if (chainType != EIP155) revert MessageBusUnsupportedChainType(chainType);
        // A destination chain, a 20-byte address, no trailing bytes, no leading zero byte in
        // the chain reference (ERC-7930's EIP-155 profile asks for the minimal encoding).
        if (
            chainRef.length == 0 || addr.length != 20 || interop.length != 26 + chainRef.length
                || chainRef[0] == 0
        ) {
            revert MessageBusBadInteropAddress(interop);
        }
        uint256 chainId = uint256(bytes32(chainRef)) >> (256 - 8 * chainRef.length);
        if (chainId > type(uint32).max) revert MessageBusBadDestination(chainId);
        return (uint32(chainId), address(bytes20(addr)));
    }

    function _insert(bytes32 node, uint256 size) private {
        for (uint256 i; i < TREE_DEPTH; ++i) {
            if (size & 1 == 1) {
                _branch[i] = node;
                return;
            }
            node = _hashPair(_branch[i], node);
            size >>= 1;
        }
    }

    function _register(uint32 origin, address[] calldata validators, uint32 epoch)
        private
        returns (uint256[] memory orgIds, uint256 distinct)
    {
        uint256 n = validators.length;
        orgIds = new uint256[](n);
        address last;
        uint256 orgs;
        for (uint256 i; i < n; ++i) {
            address validator = validators[i];
            if (validator <= last) revert MessageBusBadValidatorSet(i);
            last = validator;
            // The organisation comes from the Consortium, never from the proposal: one agency's
            // keys cannot pose as several agencies (Ronin, Harmony).
            uint256 org = _consortium.org_with_role(validator, ROLE_VALIDATOR);
            if (org == 0) revert MessageBusNotValidator(validator);
            if (org > 255) revert MessageBusOrgIdTooLarge(validator, org);
            _validators[origin][validator] = (uint256(epoch) << 8) | org;
            orgIds[i] = org;
            if (orgs & (1 << org) == 0) {
                orgs |= 1 << org;
                ++distinct;
            }
        }
    }

    function _liveOrigin(uint32 origin) private view returns (Origin memory cfg) {
        cfg = _origins[origin];
        if (cfg.originBus == address(0)) revert MessageBusUnknownOrigin(origin);
        if (cfg.paused) revert MessageBusOriginPaused(origin);
    }

    function _verify(
        uint32 origin,
        Origin memory cfg,
        bytes32 root_,
        uint32 index,
        bytes calldata signatures
    ) private view returns (uint256 orgs) {
        if (root_ == bytes32(0)) revert MessageBusZeroRoot(origin);
        if (index > MAX_INDEX) revert MessageBusCheckpointIndexTooLarge(index, MAX_INDEX);
        if (signatures.length % 65 != 0) revert MessageBusBadSignatureLength(signatures.length);
        bytes32 digest = checkpointDigest(origin, cfg.originBus, root_, index);
        mapping(address validator => uint256 entry) storage set = _validators[origin];
        uint256 n = signatures.length / 65;
        uint256 epoch = cfg.epoch;
        address last;
        uint256 distinct;
        for (uint256 i; i < n; ++i) {
            address signer = _signer(digest, signatures, i);
            // Strictly increasing signers: no key counts twice, and address(0) never counts.
            if (signer <= last) revert MessageBusSignersNotSorted(i, signer);
            last = signer;
            uint256 bit = 1 << _countedOrg(set[signer], signer, epoch);
            if (orgs & bit == 0) {
                orgs |= bit;
                ++distinct;
            }
        }
        if (distinct < cfg.threshold) revert MessageBusBelowThreshold(distinct, cfg.threshold);
    }

    function _signer(bytes32 digest, bytes calldata signatures, uint256 i)
        private
        pure
        returns (address signer)
    {
        bytes32 r;
        bytes32 s;
        uint8 v;
        assembly ("memory-safe") {
            let p := add(signatures.offset, mul(i, 65))
            r := calldataload(p)
            s := calldataload(add(p, 32))
            v := byte(0, calldataload(add(p, 64)))
        }
        ECDSA.RecoverError err;
        (signer, err,) = ECDSA.tryRecover(digest, v, r, s);
        if (err != ECDSA.RecoverError.NoError) revert MessageBusBadSignature(i);
    }

    function _countedOrg(uint256 entry, address signer, uint256 epoch) private view returns (uint256 org) {
        if (entry >> 8 != epoch) revert MessageBusUnknownSigner(signer);
        // The set stores the organisation a key had when governance registered it; a key since
        // moved to another organisation (or removed from its own) must not count, or one
        // organisation could count twice: its own key and the moved one.
        org = entry & 0xff;
        uint256 current = _consortium.org_of(signer);
        if (current != org) revert MessageBusSignerMoved(signer, org, current);
    }

    function _header(bytes calldata message, uint256 position) private view returns (Header memory h) {
        if (message.length < HEADER) revert MessageBusMalformedMessage(position);
        uint8 version = uint8(message[0]);
        if (version != VERSION) {
            if (version != (VERSION | KIND_ERC7786)) revert MessageBusMalformedMessage(position);
            h.erc7786 = true;
        }
        h.nonce = uint32(bytes4(message[1:5]));
        h.origin = uint32(bytes4(message[5:9]));
        h.sender = address(bytes20(message[9:29]));
        h.destination = uint32(bytes4(message[29:33]));
        address destBus = address(bytes20(message[33:53]));
        h.recipient = address(bytes20(message[53:73]));
        h.sequence = uint32(bytes4(message[73:77]));
        if (h.destination != _localChain) revert MessageBusWrongDestination(_localChain, h.destination);
        if (destBus != address(this)) revert MessageBusWrongDestinationBus(address(this), destBus);
    }

    function _requireAccepted(uint32 origin, bytes32 root_) private view returns (uint32 epoch) {
        Origin memory cfg = _liveOrigin(origin);
        Accepted memory a = _checkpoints[_checkpointKey(origin, root_)];
        if (a.count == 0) revert MessageBusUnknownCheckpoint(origin, root_);
        if (a.epoch != cfg.epoch) revert MessageBusStaleCheckpoint(origin, root_);
        return cfg.epoch;
    }

    function _deliverBatch(Batch memory b, bytes[] calldata messages, bytes32[] calldata siblings)
        private
    {
        for (uint256 i; i < messages.length; ++i) {
            _deliverProven(b, messages[i], i, siblings);
        }
    }

    function _deliverProven(
        Batch memory b,
        bytes calldata message,
        uint256 position,
        bytes32[] calldata siblings
    ) private {
        Header memory h = _header(message, position);
        if (h.origin != b.origin) revert MessageBusWrongOrigin(b.origin, h.origin);
        bytes32 id = _id(message);
        uint256 from = position * b.height;
        if (_climb(id, h.nonce, siblings[from:from + b.height]) != b.subRoot) {
            revert MessageBusInvalidProof(id);
        }
        _deliverOne(message, id, h, b.epoch);
    }

    // `epoch`: the origin's validator-set epoch the message was proven under.
    function _deliverOne(bytes calldata message, bytes32 id, Header memory h, uint32 epoch) private {
        _checkRecipient(h.recipient);
        // Mark before calling: a re-entering or replayed delivery finds the bit set.
        mapping(uint256 word => uint256 bits) storage flags = _processed[h.origin];
        uint256 word = h.nonce / FLAGS_PER_WORD;
        uint256 bit = 1 << (h.nonce % FLAGS_PER_WORD);
        uint256 bits = flags[word];
        if (bits & bit != 0) revert MessageBusAlreadyProcessed(id);
        flags[word] = bits | bit;
        if (h.sequence != 0) {
            bytes32 lane = keccak256(abi.encode(h.origin, h.sender, h.recipient));
            uint32 expected = _inLanes[lane] + 1;
            if (h.sequence != expected) revert MessageBusOutOfOrder(expected, h.sequence);
            _inLanes[lane] = expected;
        }
        (bool ok, bytes memory reason) = _call(h, id, message[HEADER:]);
        if (ok) {
            emit Delivered(id, h.origin, h.nonce);
        } else if (h.sequence != 0) {
            // Ordered lanes never skip: the whole delivery reverts and the lane waits.
            revert MessageBusOrderedDeliveryFailed(id, reason);
        } else {
            _failures[id] = Failure(epoch, true, false);
            emit DeliveryFailed(id, h.origin, h.nonce, reason);
        }
    }

    function _checkRecipient(address recipient) private view {
        if (
            recipient == address(this) || recipient == address(_consortium)
                || _consortium.is_protected(recipient)
        ) {
            revert MessageBusProtectedRecipient(recipient);
        }
    }

    // `id`: the message id, which an ERC-7786 recipient receives as its `receiveId`.
    function _call(Header memory h, bytes32 id, bytes calldata body)
        private
        returns (bool ok, bytes memory reason)
    {
        address recipient = h.recipient;
        if (recipient.code.length == 0) {
            return (false, abi.encodeWithSelector(MessageBusRecipientNotContract.selector, recipient));
        }
        bytes memory payload = h.erc7786
            ? _receiveMessageCall(h, id, body)
            : abi.encodeCall(IMessageRecipient.handle, (h.origin, h.sender, body));
        uint256 cap = _recipientGas;
        // Under the 63/64 rule a relayer could starve the recipient into failing; insist that
        // the full cap is available, so that a failure is the recipient's own.
        uint256 required = cap + cap / 63 + CALL_RESERVE;
        if (gasleft() < required) revert MessageBusInsufficientGas(gasleft(), required);
        uint256 size;
        assembly ("memory-safe") {
            ok := call(cap, recipient, 0, add(payload, 32), mload(payload), 0, 0)
            size := returndatasize()
        }
        if (!ok) {
            // Copy at most MAX_REASON bytes: a huge revert would cost the bus, not the recipient.
            if (size > MAX_REASON) size = MAX_REASON;
            reason = new bytes(size);
            assembly ("memory-safe") {
                returndatacopy(add(reason, 32), 0, size)
            }
        } else if (h.erc7786) {
            // ERC-7786: only the receiveMessage selector, ABI-encoded, acknowledges the message;
            // a contract that merely does not revert (a fallback, another protocol) has not.
            bytes32 word;
            assembly ("memory-safe") {
                if gt(size, 31) {
                    returndatacopy(0, 0, 32)
                    word := mload(0)
                }
            }
            if (word != bytes32(IERC7786Recipient.receiveMessage.selector)) {
                return (false, abi.encodeWithSelector(MessageBusWrongReturnValue.selector, recipient, word));
            }
        }
    }

    // The ERC-7786 delivery call: the message id is the receiveId, the sender its ERC-7930
    // address (origin chain, origin sender).
    function _receiveMessageCall(Header memory h, bytes32 id, bytes calldata body)
        private
        pure
        returns (bytes memory)
    {
        return abi.encodeCall(
            IERC7786Recipient.receiveMessage, (id, InteroperableAddress.formatEvmV1(h.origin, h.sender), body)
        );
    }

    function _climb(bytes32 node, uint256 index, bytes32[] calldata proof)
        private
        pure
        returns (bytes32)
    {
        uint256 height = proof.length;
        // The index must fit the proof height, or the filled levels would lie about position.
        if (index >> height != 0) revert MessageBusInvalidProof(node);
        for (uint256 i; i < height; ++i) {
            bytes32 sibling = proof[i];
            node = (index >> i) & 1 == 1 ? _hashPair(sibling, node) : _hashPair(node, sibling);
        }
        return node;
    }

    function _fill(bytes32 node, uint256 height) private pure returns (bytes32) {
        bytes memory zeros = ZEROS;
        for (uint256 i = height; i < TREE_DEPTH; ++i) {
            node = _hashPair(node, _zero(zeros, i));
        }
        return node;
    }

    function _zero(bytes memory zeros, uint256 i) private pure returns (bytes32 z) {
        assembly ("memory-safe") {
            z := mload(add(zeros, add(32, shl(5, i))))
        }
    }

    function _hashPair(bytes32 a, bytes32 b) private pure returns (bytes32 h) {
        assembly ("memory-safe") {
            mstore(0, a)
            mstore(32, b)
            h := keccak256(0, 64)
        }
    }

    function _id(bytes calldata message) private pure returns (bytes32 id) {
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            calldatacopy(ptr, message.offset, message.length)
            id := keccak256(ptr, message.length)
        }
    }

    function _checkpointKey(uint32 originChain, bytes32 root_) private pure returns (bytes32 key) {
        assembly ("memory-safe") {
            mstore(0, originChain)
            mstore(32, root_)
            key := keccak256(0, 64)
        }
    }
}
