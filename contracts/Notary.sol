// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";

import {IConsortium, ROLE_NOTARY} from "../interfaces/IConsortium.sol";
import {IMessageBus} from "../interfaces/IMessageBus.sol";
import {IMessageRecipient} from "../interfaces/IMessageRecipient.sol";
import {INotary} from "../interfaces/INotary.sol";

/// @title Notary
/// @custom:license Apache-2.0
/// @notice Notarization and traceability for the trustspace consortium. Organisations holding
///         the NOTARY role attest document digests or anchor Merkle roots of batches, under a
///         registered schema, with optional lineage (parent) and expiry; they revoke with a
///         reason code, directly or through EIP-712 signed requests that name the signer's
///         organisation (EOA or ERC-1271 signers, unordered bitmap nonces). `status` / `isValid` answer existence, revocation, expiry
///         and liveness of the attesting organisation in one call.
/// @dev Merkle layout (mirrored by trustspace/notary/tree.py): leaf = keccak256(0x00 ‖ document),
///      node = keccak256(0x01 ‖ left ‖ right), leaves padded to a power of two, an all-padding
///      subtree is bytes32(0) at every height, a proof holds exactly ceil(log2(size)) siblings
///      and the leaf index gives the side at each height. A batch id is
///      keccak256(abi.encode(root, orgId)), so a proof re-derives the id without the root being stored.
/// @custom:security Records are packed in one slot (see INotary.Record); times are uint40 (year
///      36812) and organisation ids uint32. A revoker must hold NOTARY live in the attesting
///      organisation, so a suspended organisation cannot revoke until reinstated (its records read
///      ORG_NOT_LIVE meanwhile). ERC-1271 signatures are checked at submission time only.
contract Notary is INotary, IMessageRecipient, EIP712 {
    /// @notice Role flag the Consortium must grant for attest, anchor, revoke and schemas (Role.NOTARY).
    /// @return The NOTARY flag of IConsortium.sol (ROLE_NOTARY).
    uint256 public constant NOTARY_ROLE = ROLE_NOTARY;

    /// @notice EIP-712 type hash of AttestRequest.
    /// @return keccak256 of the Attest type string (docs/notary.md).
    bytes32 public constant ATTEST_TYPEHASH = keccak256(
        "Attest(address attester,uint32 orgId,bytes32 digest,uint32 schemaId,bytes32 parent,uint40 expiresAt,uint256 nonce,uint256 deadline)"
    );

    /// @notice EIP-712 type hash of RevokeRequest.
    /// @return keccak256 of the Revoke type string (docs/notary.md).
    bytes32 public constant REVOKE_TYPEHASH = keccak256(
        "Revoke(address revoker,uint32 orgId,bytes32 id,uint16 reason,uint256 nonce,uint256 deadline)"
    );

    // Bit offsets of the fields of a packed record word (the same layout Solidity gives the
    // Record struct: first member in the lowest bits). Records are read and written as one
    // word because struct copies cost a warm SLOAD/SSTORE pair per member.
    uint256 private constant _SCHEMA_SHIFT = 32;
    uint256 private constant _ATTESTED_SHIFT = 64;
    uint256 private constant _EXPIRES_SHIFT = 104;
    uint256 private constant _REVOKED_SHIFT = 144;
    uint256 private constant _REASON_SHIFT = 184;
    uint256 private constant _KIND_SHIFT = 200;
    uint256 private constant _SIZE_SHIFT = 208;
    uint256 private constant _MASK32 = 0xffffffff;
    uint256 private constant _MASK40 = 0xffffffffff;

    /// @dev The membership and role authority; also allowed to deprecate any schema (governance).
    IConsortium private immutable _consortium;

    /// @dev Attestations and batch anchors by record id (keccak256(abi.encode(digest, orgId))),
    ///      each an INotary.Record packed in one word (0 = no record).
    mapping(bytes32 id => uint256 packed) private _records;

    /// @dev Lineage, written only when an attestation has a parent (keeps attest to one new slot).
    mapping(bytes32 id => bytes32 parent) private _parents;

    /// @dev Revoked documents of batches: revokedAt | reason << 40 (0 = not revoked).
    mapping(bytes32 batchId => mapping(bytes32 document => uint256 packed)) private _documentRevocations;

    /// @dev Schemas by id (1-based).
    mapping(uint32 schemaId => Schema) private _schemas;

    /// @dev Schema id by keccak256(abi.encode(orgId, name, version)), so a version is never rewritten.
    mapping(bytes32 key => uint32 schemaId) private _schemaIds;

    /// @dev Number of schemas registered; the last id handed out.
    uint32 private _schemaCount;

    /// @dev Used unordered nonces: bit (nonce & 255) of word (nonce >> 8), per signer (Permit2-style).
    mapping(address signer => mapping(uint256 word => uint256 bits)) private _nonceBitmaps;

    /// @dev The message bus that carries mirrored records (set by governance; zero: none).
    IMessageBus private _bus;

    /// @dev The Notary on each other chain, the only sender trusted for foreign records.
    mapping(uint32 chainId => address notary) private _peers;

    /// @dev Origin chain and origin record id of each foreign record.
    mapping(bytes32 id => Foreign origin) private _foreign;

    /// @dev Where a foreign record came from.
    struct Foreign {
        uint32 origin;
        bytes32 originId;
    }

    /// @param consortium_ The Consortium contract that grants roles and says which organisations are live.
    constructor(IConsortium consortium_) EIP712("trustspace Notary", "2") {
        _consortium = consortium_;
    }

    // ------------------------------------------------------------------ attest

    /// @inheritdoc INotary
    function attest(bytes32 digest, uint32 schemaId, bytes32 parent, uint40 expiresAt)
        external
        returns (bytes32 id)
    {
        return _attest(msg.sender, _notaryOrg(msg.sender), digest, schemaId, parent, expiresAt);
    }

    /// @inheritdoc INotary
    function attestBySig(AttestRequest calldata request, bytes calldata signature)
        external
        returns (bytes32 id)
    {
        _checkDeadline(request.deadline);
        _useNonce(request.attester, request.nonce);
        _checkSignature(request.attester, hashAttestRequest(request), signature);
        // The request names its organisation: a key that moved since signing acts for no one.
        uint32 orgId = _notaryOrg(request.attester);
        if (request.orgId != orgId) revert NotaryOrgMismatch(request.attester, request.orgId, orgId);
        return _attest(request.attester, orgId, request.digest, request.schemaId, request.parent, request.expiresAt);
    }

    /// @inheritdoc INotary
    function anchorBatch(bytes32 root, uint48 size, uint32 schemaId, uint40 expiresAt)
        external
        returns (bytes32 id)
    {
        if (root == bytes32(0)) revert NotaryZeroDigest(msg.sender);
        if (size == 0) revert NotaryEmptyBatch(root);
        uint32 orgId = _notaryOrg(msg.sender);
        _checkSchema(schemaId);
        _checkExpiry(expiresAt);
        id = _recordId(root, orgId);
        if (_records[id] != 0) revert NotaryAlreadyAttested(id, root, orgId);
        _records[id] = _pack(orgId, schemaId, expiresAt, Kind.BATCH, size);
        emit BatchAnchored(id, root, orgId, msg.sender, schemaId, size, expiresAt);
    }

    // ------------------------------------------------------------------ revoke

    /// @inheritdoc INotary
    function revoke(bytes32 id, uint16 reason) external {
        uint256 word = _revocable(id);
        _checkAttester(msg.sender, id, uint32(word));
        _markRevoked(msg.sender, id, word, reason);
    }

    /// @inheritdoc INotary
    function revokeBySig(RevokeRequest calldata request, bytes calldata signature) external {
        _checkDeadline(request.deadline);
        _useNonce(request.revoker, request.nonce);
        _checkSignature(request.revoker, hashRevokeRequest(request), signature);
        uint256 word = _revocable(request.id);
        // The request names its organisation: checked against the revoker's organisation now,
        // before the record's, so a key that moved since signing revokes for no one.
        uint256 callerOrg = _consortium.org_with_role(request.revoker, ROLE_NOTARY);
        if (callerOrg == 0) revert NotaryNotNotary(request.revoker);
        if (callerOrg != request.orgId) revert NotaryOrgMismatch(request.revoker, request.orgId, callerOrg);
        if (callerOrg != uint32(word)) revert NotaryNotAttester(request.id, uint32(word), callerOrg);
        _markRevoked(request.revoker, request.id, word, request.reason);
    }

    /// @inheritdoc INotary
    function revokeDocument(bytes32 batchId, bytes32 document, uint16 reason) external {
        uint256 word = _records[batchId];
        if (word == 0) revert NotaryUnknownRecord(batchId);
        Kind kind = _kind(word);
        if (kind == Kind.FOREIGN) revert NotaryForeignRecord(batchId);
        if (kind != Kind.BATCH) revert NotaryNotBatch(batchId);
        _checkAttester(msg.sender, batchId, uint32(word));
        if (_documentRevocations[batchId][document] != 0) revert NotaryAlreadyRevoked(batchId, document);
        _documentRevocations[batchId][document] = block.timestamp | (uint256(reason) << 40);
        emit DocumentRevoked(batchId, document, msg.sender, reason);
    }

    // ------------------------------------------------------------------ mirroring

    /// @inheritdoc INotary
    function mirror(bytes32 id, uint32 destination) external returns (bytes32 messageId) {
        uint256 word = _records[id];
        if (word == 0) revert NotaryUnknownRecord(id);
        Kind kind = _kind(word);
        // A foreign record is mirrored from its origin, never relayed onwards from here.
        if (kind != Kind.DOCUMENT && kind != Kind.BATCH) revert NotaryNotMirrorable(id);
        _checkAttester(msg.sender, id, uint32(word));
        messageId = _dispatch(destination, abi.encode(id, word));
        emit Mirrored(id, destination, messageId);
    }

    /// @inheritdoc INotary
    function mirrorDocumentRevocation(
        bytes32 batchId,
        bytes32 document,
        uint256 index,
        bytes32[] calldata proof,
        uint32 destination
    ) external returns (bytes32 messageId) {
        uint256 word = _records[batchId];
        if (word == 0) revert NotaryUnknownRecord(batchId);
        if (_kind(word) != Kind.BATCH) revert NotaryNotBatch(batchId);
        _checkAttester(msg.sender, batchId, uint32(word));
        uint256 revocation = _documentRevocations[batchId][document];
        if (revocation == 0) revert NotaryDocumentNotRevoked(batchId, document);
        if (!_included(batchId, word, document, index, proof)) {
            revert NotaryNotIncluded(batchId, document, index);
        }
        // The batch word travels too: the destination records the batch from whichever of the
        // two messages arrives first, so a revocation can never be lost to message order.
        messageId = _dispatch(destination, abi.encode(batchId, word, document, revocation, index, proof));
        emit DocumentRevocationMirrored(batchId, document, destination, messageId);
    }

    /// @inheritdoc IMessageRecipient
    /// @dev Message bus only; `sender` must be the peer Notary of `origin`; `body` is
    ///      abi.encode(origin record id, packed record) for a record (`mirror`), followed by
    ///      (document, packed document revocation, leaf index, proof) for a document revocation.
    function handle(uint32 origin, address sender, bytes calldata body) external {
        if (msg.sender != address(_bus) || address(_bus) == address(0)) revert NotaryNotBus(msg.sender);
        if (sender == address(0) || _peers[origin] != sender) revert NotaryUntrustedSender(origin, sender);
        (bytes32 originId, uint256 word) = abi.decode(body[:64], (bytes32, uint256));
        bytes32 id = _recordForeign(origin, originId, word);
        if (body.length > 64) _recordForeignRevocation(origin, id, originId, word, body);
    }

    /// @inheritdoc INotary
    function setBus(IMessageBus bus) external {
        if (msg.sender != address(_consortium)) revert NotaryNotConsortium(msg.sender);
        _bus = bus;
        emit BusChanged(address(bus));
    }

    /// @inheritdoc INotary
    function setPeer(uint32 chainId, address notary) external {
        if (msg.sender != address(_consortium)) revert NotaryNotConsortium(msg.sender);
        _peers[chainId] = notary;
        emit PeerChanged(chainId, notary);
    }

    /// @inheritdoc INotary
    function foreignId(uint32 origin, bytes32 originId) public pure returns (bytes32 id) {
        return keccak256(abi.encode(origin, originId));
    }

    /// @inheritdoc INotary
    function foreignOrigin(bytes32 id) external view returns (uint32 origin, bytes32 originId) {
        Foreign memory f = _foreign[id];
        return (f.origin, f.originId);
    }

    /// @inheritdoc INotary
    function mirroring(uint32 chainId) external view returns (address bus, address peer) {
        return (address(_bus), _peers[chainId]);
    }

    // ------------------------------------------------------------------ schemas

    /// @inheritdoc INotary
    function registerSchema(
        string calldata name,
        string calldata version,
        bytes32 definitionHash,
        string calldata uri
    ) external returns (uint32 schemaId) {
        uint32 orgId = _notaryOrg(msg.sender);
        bytes32 key = keccak256(abi.encode(uint256(orgId), name, version));
        uint32 existing = _schemaIds[key];
        if (existing != 0) revert NotarySchemaExists(orgId, name, version, existing);
        schemaId = ++_schemaCount;
        _schemaIds[key] = schemaId;
        _schemas[schemaId] = Schema({
            orgId: orgId,
            registeredAt: uint40(block.timestamp),
            deprecatedAt: 0,
            definitionHash: definitionHash,
            name: name,
            version: version,
            uri: uri
        });
        emit SchemaRegistered(schemaId, orgId, msg.sender, name, version, definitionHash, uri);
    }

    /// @inheritdoc INotary
    function deprecateSchema(uint32 schemaId) external {
        Schema storage s = _schemas[schemaId];
        uint32 owner = s.orgId;
        if (owner == 0) revert NotaryUnknownSchema(schemaId);
        if (msg.sender != address(_consortium)) {
            uint256 callerOrg = _consortium.org_with_role(msg.sender, ROLE_NOTARY);
            if (callerOrg != owner) revert NotaryNotSchemaOwner(schemaId, callerOrg);
        }
        if (s.deprecatedAt != 0) revert NotarySchemaDeprecated(schemaId, s.deprecatedAt);
        s.deprecatedAt = uint40(block.timestamp);
        emit SchemaDeprecated(schemaId, msg.sender);
    }

    // ------------------------------------------------------------------ nonces

    /// @inheritdoc INotary
    function invalidateNonces(uint256 word, uint256 mask) external {
        _nonceBitmaps[msg.sender][word] |= mask;
        emit NoncesInvalidated(msg.sender, word, mask);
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc INotary
    function status(bytes32 id) public view returns (Status) {
        return _status(_records[id], false);
    }

    /// @inheritdoc INotary
    function isValid(bytes32 id) external view returns (bool) {
        return status(id) == Status.VALID;
    }

    /// @inheritdoc INotary
    function verifyInclusion(bytes32 batchId, bytes32 document, uint256 index, bytes32[] calldata proof)
        external
        view
        returns (bool)
    {
        uint256 word = _records[batchId];
        bytes32 anchored = _anchoredId(batchId, word);
        return anchored != bytes32(0) && _included(anchored, word, document, index, proof);
    }

    /// @inheritdoc INotary
    function documentStatus(bytes32 batchId, bytes32 document, uint256 index, bytes32[] calldata proof)
        public
        view
        returns (Status)
    {
        uint256 word = _records[batchId];
        bytes32 anchored = _anchoredId(batchId, word);
        if (anchored == bytes32(0)) return Status.UNKNOWN;
        if (!_included(anchored, word, document, index, proof)) return Status.NOT_INCLUDED;
        return _status(word, _documentRevocations[batchId][document] != 0);
    }

    /// @inheritdoc INotary
    function isDocumentValid(bytes32 batchId, bytes32 document, uint256 index, bytes32[] calldata proof)
        external
        view
        returns (bool)
    {
        return documentStatus(batchId, document, index, proof) == Status.VALID;
    }

    /// @inheritdoc INotary
    function record(bytes32 id) external view returns (Record memory) {
        uint256 word = _records[id];
        return Record({
            orgId: uint32(word),
            schemaId: uint32(word >> _SCHEMA_SHIFT),
            attestedAt: uint40(word >> _ATTESTED_SHIFT),
            expiresAt: uint40(word >> _EXPIRES_SHIFT),
            revokedAt: uint40(word >> _REVOKED_SHIFT),
            reason: uint16(word >> _REASON_SHIFT),
            kind: _kind(word),
            size: uint48(word >> _SIZE_SHIFT)
        });
    }

    /// @inheritdoc INotary
    function parentOf(bytes32 id) external view returns (bytes32) {
        return _parents[id];
    }

    /// @inheritdoc INotary
    function recordId(bytes32 digest, uint256 orgId) external pure returns (bytes32) {
        return keccak256(abi.encode(digest, orgId));
    }

    /// @inheritdoc INotary
    function documentRevocation(bytes32 batchId, bytes32 document)
        external
        view
        returns (uint40 revokedAt, uint16 reason)
    {
        uint256 packed = _documentRevocations[batchId][document];
        return (uint40(packed), uint16(packed >> 40));
    }

    /// @inheritdoc INotary
    function schema(uint32 schemaId) external view returns (Schema memory) {
        return _schemas[schemaId];
    }

    /// @inheritdoc INotary
    function schemaCount() external view returns (uint32) {
        return _schemaCount;
    }

    /// @inheritdoc INotary
    function schemaIdOf(uint256 orgId, string calldata name, string calldata version)
        external
        view
        returns (uint32)
    {
        return _schemaIds[keccak256(abi.encode(orgId, name, version))];
    }

    /// @inheritdoc INotary
    function isNonceUsed(address signer, uint256 nonce) external view returns (bool) {
        return _nonceBitmaps[signer][nonce >> 8] & (1 << (nonce & 0xff)) != 0;
    }

    /// @inheritdoc INotary
    function nonceBitmap(address signer, uint256 word) external view returns (uint256) {
        return _nonceBitmaps[signer][word];
    }

    /// @inheritdoc INotary
    function hashAttestRequest(AttestRequest calldata request) public view returns (bytes32) {
        // keccak256(abi.encode(ATTEST_TYPEHASH, request)): the struct is static, so its calldata
        // is its encoding (8 words). Hashed as sent; attestBySig reads, and so validates, every
        // member, so a value with dirty high bits reverts there.
        bytes32 typeHash = ATTEST_TYPEHASH;
        bytes32 structHash;
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore(ptr, typeHash)
            calldatacopy(add(ptr, 0x20), request, 0x100)
            structHash := keccak256(ptr, 0x120)
        }
        return _hashTypedDataV4(structHash);
    }

    /// @inheritdoc INotary
    function hashRevokeRequest(RevokeRequest calldata request) public view returns (bytes32) {
        // As hashAttestRequest: 6 static words, every one read (and validated) by revokeBySig.
        bytes32 typeHash = REVOKE_TYPEHASH;
        bytes32 structHash;
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore(ptr, typeHash)
            calldatacopy(add(ptr, 0x20), request, 0xc0)
            structHash := keccak256(ptr, 0xe0)
        }
        return _hashTypedDataV4(structHash);
    }

    /// @inheritdoc INotary
    function consortium() external view returns (IConsortium) {
        return _consortium;
    }

    /// @notice The EIP-712 domain of this contract (EIP-5267), what wallets show before signing.
    /// @dev Overridden only to document it here; the values are OpenZeppelin's.
    /// @return fields 0x0f: name, version, chainId and verifyingContract are used.
    /// @return name "trustspace Notary".
    /// @return version The domain version, "2" since requests name the organisation.
    /// @return chainId This chain.
    /// @return verifyingContract This Notary.
    /// @return salt Unused (zero).
    /// @return extensions None.
    function eip712Domain()
        public
        view
        override
        returns (
            bytes1 fields,
            string memory name,
            string memory version,
            uint256 chainId,
            address verifyingContract,
            bytes32 salt,
            uint256[] memory extensions
        )
    {
        return super.eip712Domain();
    }

    // ------------------------------------------------------------------ internals

    /// @dev Send `body` to the peer Notary of `destination` over the bus.
    function _dispatch(uint32 destination, bytes memory body) private returns (bytes32) {
        address peer = _peers[destination];
        if (peer == address(0)) revert NotaryNoPeer(destination);
        if (address(_bus) == address(0)) revert NotaryNoBus(address(this));
        return _bus.dispatch(destination, peer, body);
    }

    /// @dev Record (or update) the copy of record `originId` of chain `origin`; returns its id
    ///      here. Idempotent: the same word again writes nothing (the event still tells that
    ///      a delivery carried the record, one per delivered message).
    function _recordForeign(uint32 origin, bytes32 originId, uint256 word) private returns (bytes32 id) {
        // Raw values: an out-of-range kind must revert with the error, not a panic. A batch has
        // a size and a document none, as the origin stores them.
        uint256 kind = (word >> _KIND_SHIFT) & 0xff;
        bool batch = kind == uint8(Kind.BATCH);
        if (!(batch || kind == uint8(Kind.DOCUMENT)) || batch != (word >> _SIZE_SHIFT != 0)) {
            revert NotaryNotMirrorable(originId);
        }
        id = foreignId(origin, originId);
        uint256 current = _records[id];
        // The size stays in the word: a foreign record with a size is a batch (see Kind).
        uint256 incoming = (word & ~(uint256(0xff) << _KIND_SHIFT)) | (uint256(uint8(Kind.FOREIGN)) << _KIND_SHIFT);
        // Messages may arrive out of order (a retried attestation after its revocation): a
        // revocation, once recorded, is kept.
        uint256 revocation = (_MASK40 << _REVOKED_SHIFT) | (uint256(0xffff) << _REASON_SHIFT);
        if ((current >> _REVOKED_SHIFT) & _MASK40 != 0) {
            incoming = (incoming & ~revocation) | (current & revocation);
        }
        if (incoming != current) {
            _records[id] = incoming;
            if (current == 0) _foreign[id] = Foreign(origin, originId);
        }
        emit ForeignRecorded(id, origin, originId, incoming & _MASK32, uint40(incoming >> _REVOKED_SHIFT));
    }

    /// @dev Record the revocation of one document of foreign batch `id` (origin batch
    ///      `originId`, word `word`) carried by `body`, once. The proof is checked again here,
    ///      so the destination never takes a revocation for a document outside the batch.
    function _recordForeignRevocation(uint32 origin, bytes32 id, bytes32 originId, uint256 word, bytes calldata body)
        private
    {
        if ((word >> _KIND_SHIFT) & 0xff != uint8(Kind.BATCH)) revert NotaryNotBatch(originId);
        (,, bytes32 document, uint256 revocation, uint256 index, bytes32[] memory proof) =
            abi.decode(body, (bytes32, uint256, bytes32, uint256, uint256, bytes32[]));
        uint256 size = word >> _SIZE_SHIFT;
        if (
            index >= size || !_isDepthOf(proof.length, size)
                || _recordId(_rootFromMemory(document, index, proof), word & _MASK32) != originId
        ) revert NotaryNotIncluded(originId, document, index);
        if (revocation == 0) revert NotaryDocumentNotRevoked(originId, document);
        if (_documentRevocations[id][document] != 0) return;
        _documentRevocations[id][document] = revocation;
        emit ForeignDocumentRevoked(id, document, origin, uint40(revocation), uint16(revocation >> 40));
    }

    /// @dev The id a batch's proofs re-derive: `id` for a batch of this chain, the origin's batch
    ///      id for a foreign batch, zero for any other record.
    function _anchoredId(bytes32 id, uint256 word) private view returns (bytes32) {
        Kind kind = _kind(word);
        if (kind == Kind.BATCH) return id;
        if (kind == Kind.FOREIGN && word >> _SIZE_SHIFT != 0) return _foreign[id].originId;
        return bytes32(0);
    }

    /// @dev `_rootFrom` over a proof in memory (a proof decoded from a bus message; rare path).
    function _rootFromMemory(bytes32 document, uint256 index, bytes32[] memory proof)
        private
        pure
        returns (bytes32 node)
    {
        node = keccak256(abi.encodePacked(bytes1(0x00), document));
        for (uint256 i; i < proof.length; ++i) {
            node = index & 1 == 0
                ? keccak256(abi.encodePacked(bytes1(0x01), node, proof[i]))
                : keccak256(abi.encodePacked(bytes1(0x01), proof[i], node));
            index >>= 1;
        }
    }

    /// @dev `orgId` is the attester's organisation (`_notaryOrg`), checked by the caller.
    function _attest(address attester, uint32 orgId, bytes32 digest, uint32 schemaId, bytes32 parent, uint40 expiresAt)
        private
        returns (bytes32 id)
    {
        if (digest == bytes32(0)) revert NotaryZeroDigest(attester);
        _checkSchema(schemaId);
        _checkExpiry(expiresAt);
        id = _recordId(digest, orgId);
        if (_records[id] != 0) revert NotaryAlreadyAttested(id, digest, orgId);
        if (parent != bytes32(0)) {
            if (_records[parent] == 0) revert NotaryUnknownParent(parent);
            _parents[id] = parent;
        }
        _records[id] = _pack(orgId, schemaId, expiresAt, Kind.DOCUMENT, 0);
        emit Attested(id, digest, orgId, attester, schemaId, expiresAt);
        if (parent != bytes32(0)) emit Derived(parent, id);
    }

    /// @dev The record word of `id`, which must exist and be of this chain.
    function _revocable(bytes32 id) private view returns (uint256 word) {
        word = _records[id];
        if (word == 0) revert NotaryUnknownRecord(id);
        // A foreign record follows its origin: it is revoked there and mirrored here.
        if (_kind(word) == Kind.FOREIGN) revert NotaryForeignRecord(id);
    }

    /// @dev Revoke record `id` (word `word`), once; the caller checked the revoker's authority.
    function _markRevoked(address revoker, bytes32 id, uint256 word, uint16 reason) private {
        if ((word >> _REVOKED_SHIFT) & _MASK40 != 0) revert NotaryAlreadyRevoked(id, bytes32(0));
        _records[id] = word | (block.timestamp << _REVOKED_SHIFT) | (uint256(reason) << _REASON_SHIFT);
        emit Revoked(id, uint32(word), revoker, reason);
    }

    function _pack(uint32 orgId, uint32 schemaId, uint40 expiresAt, Kind kind, uint48 size)
        private
        view
        returns (uint256)
    {
        // block.timestamp fits 40 bits until year 36812; no mask needed.
        return uint256(orgId) | (uint256(schemaId) << _SCHEMA_SHIFT) | (block.timestamp << _ATTESTED_SHIFT)
            | (uint256(expiresAt) << _EXPIRES_SHIFT) | (uint256(uint8(kind)) << _KIND_SHIFT)
            | (uint256(size) << _SIZE_SHIFT);
    }

    function _kind(uint256 word) private pure returns (Kind) {
        return Kind(uint8(word >> _KIND_SHIFT));
    }

    /// @dev One external call answers "may it act" and "for which organisation".
    function _notaryOrg(address account) private view returns (uint32) {
        uint256 orgId = _consortium.org_with_role(account, ROLE_NOTARY);
        if (orgId == 0) revert NotaryNotNotary(account);
        if (orgId > type(uint32).max) revert NotaryOrgIdTooLarge(orgId);
        return uint32(orgId);
    }

    function _checkAttester(address account, bytes32 id, uint32 orgId) private view {
        uint256 callerOrg = _consortium.org_with_role(account, ROLE_NOTARY);
        if (callerOrg == 0) revert NotaryNotNotary(account);
        if (callerOrg != orgId) revert NotaryNotAttester(id, orgId, callerOrg);
    }

    function _checkSchema(uint32 schemaId) private view {
        Schema storage s = _schemas[schemaId];
        // orgId and deprecatedAt share the first slot of the struct: one SLOAD.
        if (s.orgId == 0) revert NotaryUnknownSchema(schemaId);
        if (s.deprecatedAt != 0) revert NotarySchemaDeprecated(schemaId, s.deprecatedAt);
    }

    function _checkExpiry(uint40 expiresAt) private view {
        if (expiresAt != 0 && expiresAt <= block.timestamp) revert NotaryExpiryInPast(expiresAt, block.timestamp);
    }

    function _checkDeadline(uint256 deadline) private view {
        if (block.timestamp > deadline) revert NotaryExpiredDeadline(deadline, block.timestamp);
    }

    function _useNonce(address signer, uint256 nonce) private {
        uint256 bit = 1 << (nonce & 0xff);
        mapping(uint256 => uint256) storage bitmaps = _nonceBitmaps[signer];
        uint256 bits = bitmaps[nonce >> 8];
        if (bits & bit != 0) revert NotaryNonceUsed(signer, nonce);
        bitmaps[nonce >> 8] = bits | bit;
    }

    function _checkSignature(address signer, bytes32 hash, bytes calldata signature) private view {
        // ECDSA first: an EOA signer then costs no EXTCODESIZE of a cold account (2,600 gas).
        // OZ's tryRecover refuses high-s (malleable) values and v other than 27/28.
        if (signature.length == 65) {
            bytes32 r = bytes32(signature[0:32]);
            bytes32 s = bytes32(signature[32:64]);
            uint8 v = uint8(signature[64]);
            (address recovered, ECDSA.RecoverError err,) = ECDSA.tryRecover(hash, v, r, s);
            if (err == ECDSA.RecoverError.NoError && recovered == signer) return;
        }
        // Otherwise a contract wallet may vouch for the hash (ERC-1271).
        if (signer.code.length == 0 || !SignatureChecker.isValidERC1271SignatureNow(signer, hash, signature)) {
            revert NotaryInvalidSignature(signer);
        }
    }

    function _status(uint256 word, bool documentRevoked) private view returns (Status) {
        if (word == 0) return Status.UNKNOWN;
        if ((word >> _REVOKED_SHIFT) & _MASK40 != 0) return Status.REVOKED;
        if (documentRevoked) return Status.DOCUMENT_REVOKED;
        uint256 expiresAt = (word >> _EXPIRES_SHIFT) & _MASK40;
        if (expiresAt != 0 && block.timestamp >= expiresAt) return Status.EXPIRED;
        if (!_consortium.is_org_live(word & _MASK32)) return Status.ORG_NOT_LIVE;
        return Status.VALID;
    }

    function _included(bytes32 batchId, uint256 word, bytes32 document, uint256 index, bytes32[] calldata proof)
        private
        pure
        returns (bool)
    {
        uint256 size = word >> _SIZE_SHIFT;
        if (index >= size || !_isDepthOf(proof.length, size)) return false;
        return _recordId(_rootFrom(document, index, proof), word & _MASK32) == batchId;
    }

    /// @dev depth == ceil(log2(size)) for size ≥ 1, without a general log2 (hot path of proofs).
    function _isDepthOf(uint256 depth, uint256 size) private pure returns (bool) {
        if (depth == 0) return size == 1;
        return depth < 49 && (1 << depth) >= size && (1 << (depth - 1)) < size;
    }

    function _recordId(bytes32 digest, uint256 orgId) private pure returns (bytes32 id) {
        assembly ("memory-safe") {
            mstore(0x00, digest)
            mstore(0x20, orgId)
            id := keccak256(0x00, 0x40)
        }
    }

    /// @dev Hashes in memory past the free pointer (never allocated) to avoid per-level allocation.
    function _rootFrom(bytes32 document, uint256 index, bytes32[] calldata proof)
        private
        pure
        returns (bytes32 node)
    {
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            let left := add(ptr, 1)
            mstore(left, document)
            mstore8(ptr, 0x00) // leaf domain
            node := keccak256(ptr, 33)
            mstore8(ptr, 0x01) // inner-node domain
            let right := add(ptr, 33)
            let p := proof.offset
            let end := add(p, shl(5, proof.length))
            // Branchless: the index bit puts the running node right (bit 1) or left (bit 0).
            // An odd level first, then two levels per iteration (halves the loop overhead).
            if and(proof.length, 1) {
                let side := shl(5, and(index, 1))
                mstore(add(left, side), node)
                mstore(sub(right, side), calldataload(p))
                node := keccak256(ptr, 65)
                index := shr(1, index)
                p := add(p, 0x20)
            }
            for {} lt(p, end) { p := add(p, 0x40) } {
                let side := shl(5, and(index, 1))
                mstore(add(left, side), node)
                mstore(sub(right, side), calldataload(p))
                node := keccak256(ptr, 65)
                side := and(index, 2)
                side := shl(4, side)
                mstore(add(left, side), node)
                mstore(sub(right, side), calldataload(add(p, 0x20)))
                node := keccak256(ptr, 65)
                index := shr(2, index)
            }
        }
    }
}
