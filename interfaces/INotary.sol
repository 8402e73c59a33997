// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IConsortium} from "./IConsortium.sol";
import {IMessageBus} from "./IMessageBus.sol";

/// @title INotary
/// @notice Notarization and traceability for the trustspace consortium: attestations of
///         digests, Merkle batches, schemas, revocation, lineage and EIP-712 delegation.
/// @dev Errors, events and types of Notary.sol. Every error names the values that failed.
interface INotary {
    /// @notice What a record is. Values are stable: off-chain code and future mirroring rely on them.
    /// @dev FOREIGN: a record mirrored from another chain over the message bus; a mirrored batch
    ///      when its size is non-zero (a document has size 0), and then the inclusion views
    ///      (verifyInclusion, documentStatus, isDocumentValid) answer for it as for a local batch.
    enum Kind {
        NONE,
        DOCUMENT,
        BATCH,
        FOREIGN
    }

    /// @notice Answer of the validity query; VALID is the only positive answer.
    enum Status {
        UNKNOWN,
        VALID,
        REVOKED,
        EXPIRED,
        ORG_NOT_LIVE,
        NOT_INCLUDED,
        DOCUMENT_REVOKED
    }

    /// @notice One attestation (document) or batch anchor, packed into one storage slot.
    /// @dev orgId 32 + schemaId 32 + 3 × 40-bit times + reason 16 + kind 8 + size 48 = 256 bits.
    ///      Times are unix seconds; 0 means "never" (expiresAt) or "not revoked" (revokedAt).
    struct Record {
        uint32 orgId;
        uint32 schemaId;
        uint40 attestedAt;
        uint40 expiresAt;
        uint40 revokedAt;
        uint16 reason;
        Kind kind;
        uint48 size;
    }

    /// @notice A data schema registered by an organisation; never rewritten, only deprecated.
    struct Schema {
        uint32 orgId;
        uint40 registeredAt;
        uint40 deprecatedAt;
        bytes32 definitionHash;
        string name;
        string version;
        string uri;
    }

    /// @notice A delegated attestation, signed as EIP-712 typed data by `attester` for
    ///         organisation `orgId` (the signer's organisation when it signs).
    /// @dev `orgId` is checked against the signer's organisation at submission, so a request
    ///      signed for one organisation never attests for another after the key moves.
    struct AttestRequest {
        address attester;
        uint32 orgId;
        bytes32 digest;
        uint32 schemaId;
        bytes32 parent;
        uint40 expiresAt;
        uint256 nonce;
        uint256 deadline;
    }

    /// @notice A delegated revocation, signed as EIP-712 typed data by `revoker` for
    ///         organisation `orgId`.
    struct RevokeRequest {
        address revoker;
        uint32 orgId;
        bytes32 id;
        uint16 reason;
        uint256 nonce;
        uint256 deadline;
    }

    /// @notice `account` does not hold the NOTARY role live in a live organisation.
    error NotaryNotNotary(address account);
    /// @notice The organisation id does not fit the 32 bits of a record.
    error NotaryOrgIdTooLarge(uint256 orgId);
    /// @notice Organisation `orgId` already attested this digest (record `id`).
    error NotaryAlreadyAttested(bytes32 id, bytes32 digest, uint256 orgId);
    /// @notice `attester` submitted a zero digest (or Merkle root).
    /// @dev Every error carries a value: ape-solidity 0.8.6 cannot decode argument-less errors.
    error NotaryZeroDigest(address attester);
    /// @notice No schema with this id exists.
    error NotaryUnknownSchema(uint32 schemaId);
    /// @notice The schema was deprecated and takes no new attestations.
    error NotarySchemaDeprecated(uint32 schemaId, uint40 deprecatedAt);
    /// @notice The organisation already registered this name and version (as `schemaId`).
    error NotarySchemaExists(uint256 orgId, string name, string version, uint32 schemaId);
    /// @notice Only the owning organisation (or Consortium governance) may deprecate a schema.
    error NotaryNotSchemaOwner(uint32 schemaId, uint256 orgId);
    /// @notice The parent attestation does not exist.
    error NotaryUnknownParent(bytes32 parent);
    /// @notice The expiry is not in the future.
    error NotaryExpiryInPast(uint40 expiresAt, uint256 timestamp);
    /// @notice A batch must hold at least one document; `root` was anchored with size 0.
    error NotaryEmptyBatch(bytes32 root);
    /// @notice No record with this id exists.
    error NotaryUnknownRecord(bytes32 id);
    /// @notice The record is not a batch.
    error NotaryNotBatch(bytes32 id);
    /// @notice Only the attesting organisation may revoke.
    error NotaryNotAttester(bytes32 id, uint256 orgId, uint256 callerOrgId);
    /// @notice The record (or the document of the batch) was already revoked.
    error NotaryAlreadyRevoked(bytes32 id, bytes32 document);
    /// @notice A signed request was submitted after its deadline.
    error NotaryExpiredDeadline(uint256 deadline, uint256 timestamp);
    /// @notice The signer already used (or invalidated) this nonce.
    error NotaryNonceUsed(address signer, uint256 nonce);
    /// @notice The signature is not valid for `signer` (EOA or ERC-1271 wallet); high-s is refused.
    error NotaryInvalidSignature(address signer);
    /// @notice A signed request names organisation `signedOrgId`, but `signer` now holds NOTARY
    ///         for `currentOrgId` (the key moved between organisations after signing).
    error NotaryOrgMismatch(address signer, uint256 signedOrgId, uint256 currentOrgId);
    /// @notice Only the Consortium (an approved proposal) may set the bus and peers.
    error NotaryNotConsortium(address caller);
    /// @notice Mirroring needs a message bus; governance has not set one.
    error NotaryNoBus(address notary);
    /// @notice Only the message bus may deliver mirrored records.
    error NotaryNotBus(address caller);
    /// @notice No peer Notary is registered for chain `chainId`.
    error NotaryNoPeer(uint32 chainId);
    /// @notice A mirrored record came from `sender` on `origin`, which is not the registered peer.
    error NotaryUntrustedSender(uint32 origin, address sender);
    /// @notice Only attestations and batches of this chain can be mirrored (not foreign records);
    ///         on a destination, also a mirrored record that is neither (refused delivery).
    error NotaryNotMirrorable(bytes32 id);
    /// @notice Document `document` of batch `batchId` is not revoked: there is no revocation to mirror.
    error NotaryDocumentNotRevoked(bytes32 batchId, bytes32 document);
    /// @notice The proof does not put `document` at leaf `index` of batch `batchId`.
    error NotaryNotIncluded(bytes32 batchId, bytes32 document, uint256 index);
    /// @notice A foreign record is revoked on its origin chain and mirrored, never here.
    error NotaryForeignRecord(bytes32 id);

    /// @dev A document digest was attested by `attester` for organisation `orgId`; a parent,
    ///      when present, is in the `Derived` event of the same transaction.
    event Attested(
        bytes32 indexed id,
        bytes32 indexed digest,
        uint256 indexed orgId,
        address attester,
        uint32 schemaId,
        uint40 expiresAt
    );

    /// @dev Emitted beside `Attested` when the attestation derives from `parent`, so
    ///      descendants can be found by topic.
    event Derived(bytes32 indexed parent, bytes32 indexed child);

    /// @dev A Merkle root for `size` documents was anchored as batch `id`.
    event BatchAnchored(
        bytes32 indexed id,
        bytes32 indexed root,
        uint256 indexed orgId,
        address attester,
        uint32 schemaId,
        uint48 size,
        uint40 expiresAt
    );

    /// @dev Record `id` (attestation or whole batch) was revoked by `revoker` for `reason`.
    event Revoked(bytes32 indexed id, uint256 indexed orgId, address indexed revoker, uint16 reason);

    /// @dev One document of batch `batchId` was revoked; the rest of the batch is untouched.
    event DocumentRevoked(
        bytes32 indexed batchId, bytes32 indexed document, address indexed revoker, uint16 reason
    );

    /// @dev Organisation `orgId` registered schema `schemaId`.
    event SchemaRegistered(
        uint32 indexed schemaId,
        uint256 indexed orgId,
        address registrar,
        string name,
        string version,
        bytes32 definitionHash,
        string uri
    );

    /// @dev Schema `schemaId` takes no new attestations from now on.
    event SchemaDeprecated(uint32 indexed schemaId, address indexed by);

    /// @dev Record `id` (attestation or batch) was sent over the bus to `destination` (message
    ///      `messageId`); a later call after revocation sends the revocation.
    event Mirrored(bytes32 indexed id, uint32 indexed destination, bytes32 messageId);

    /// @dev The revocation of `document` of batch `batchId` was sent over the bus to
    ///      `destination` (message `messageId`), with the batch itself.
    event DocumentRevocationMirrored(
        bytes32 indexed batchId, bytes32 indexed document, uint32 indexed destination, bytes32 messageId
    );

    /// @dev A record of chain `origin` was recorded (or updated) here as foreign record `id`;
    ///      emitted once per delivered message, also when it brought nothing new.
    event ForeignRecorded(
        bytes32 indexed id, uint32 indexed origin, bytes32 indexed originId, uint256 orgId, uint40 revokedAt
    );

    /// @dev Document `document` of foreign batch `id` was revoked on chain `origin` at
    ///      `revokedAt` (origin time) for `reason`; recorded here once.
    event ForeignDocumentRevoked(
        bytes32 indexed id, bytes32 indexed document, uint32 indexed origin, uint40 revokedAt, uint16 reason
    );

    /// @dev Governance set the message bus used for mirroring.
    event BusChanged(address bus);

    /// @dev Governance set the Notary of chain `chainId` that mirrors to and from this one.
    event PeerChanged(uint32 indexed chainId, address notary);

    /// @dev `signer` gave up nonces `mask` of word `word` (cancelling unsent signed requests).
    event NoncesInvalidated(address indexed signer, uint256 indexed word, uint256 mask);

    // ------------------------------------------------------------------ attest

    /// @notice Attest `digest` for the caller's organisation (caller must hold NOTARY live).
    /// @param digest The document digest (non-zero).
    /// @param schemaId A registered, non-deprecated schema.
    /// @param parent The record this one derives from (lineage), or zero.
    /// @param expiresAt Unix time after which the attestation is no longer valid, or 0 for never.
    /// @return id The record id, keccak256(abi.encode(digest, orgId)).
    function attest(bytes32 digest, uint32 schemaId, bytes32 parent, uint40 expiresAt)
        external
        returns (bytes32 id);

    /// @notice Submit an attestation that `request.attester` signed as EIP-712 typed data for
    ///         organisation `request.orgId`; anyone may submit it.
    /// @dev Refused with NotaryOrgMismatch when the signer's organisation is no longer
    ///      `request.orgId` (a key moved to another organisation). Nonces are unordered.
    /// @param request The signed request.
    /// @param signature ECDSA signature (65 bytes, low-s) or ERC-1271 wallet signature.
    /// @return id The record id.
    function attestBySig(AttestRequest calldata request, bytes calldata signature)
        external
        returns (bytes32 id);

    /// @notice Anchor the Merkle root of `size` documents as one batch of the caller's organisation.
    /// @param root The Merkle root (layout in docs/notary.md).
    /// @param size Number of documents (leaves), at least 1.
    /// @param schemaId A registered, non-deprecated schema the documents follow.
    /// @param expiresAt Unix time after which the batch is no longer valid, or 0 for never.
    /// @return id The batch id, keccak256(abi.encode(root, orgId)).
    function anchorBatch(bytes32 root, uint48 size, uint32 schemaId, uint40 expiresAt)
        external
        returns (bytes32 id);

    // ------------------------------------------------------------------ revoke

    /// @notice Revoke attestation or whole batch `id`; the record is kept and reads REVOKED.
    /// @param id The record id.
    /// @param reason An application reason code (trustspace.notary.RevocationReason).
    function revoke(bytes32 id, uint16 reason) external;

    /// @notice Submit a revocation that `request.revoker` signed as EIP-712 typed data for
    ///         organisation `request.orgId`; anyone may submit it.
    /// @param request The signed request.
    /// @param signature ECDSA signature (65 bytes, low-s) or ERC-1271 wallet signature.
    function revokeBySig(RevokeRequest calldata request, bytes calldata signature) external;

    /// @notice Revoke one document of batch `batchId`, leaving the other documents valid.
    /// @param batchId The batch id.
    /// @param document The document digest (the value under the leaf, not the leaf hash).
    /// @param reason An application reason code.
    function revokeDocument(bytes32 batchId, bytes32 document, uint16 reason) external;

    // ------------------------------------------------------------------ mirroring

    /// @notice Send attestation or batch `id` (with its revocation, if any) to `destination`,
    ///         where it is kept as foreign record `foreignId(this chain, id)`.
    /// @dev Caller: a NOTARY of the attesting organisation. Call again after revoking to mirror
    ///      the revocation; the destination keeps a revocation once it has seen one. Sending
    ///      the same record again changes nothing there. Revocations of single documents of a
    ///      batch travel with `mirrorDocumentRevocation`.
    /// @param id The record id on this chain (attestation or batch, not a foreign record).
    /// @param destination Chain id of the destination; a peer Notary must be registered for it.
    /// @return messageId The bus message id (follow it with `trustspace bus status`).
    function mirror(bytes32 id, uint32 destination) external returns (bytes32 messageId);

    /// @notice Send the revocation of `document` of batch `batchId` (made with `revokeDocument`)
    ///         to `destination`, together with the batch; there the document then reads
    ///         DOCUMENT_REVOKED while the rest of the batch stays as it was.
    /// @dev Caller: a NOTARY of the attesting organisation. The proof is checked here and again
    ///      on the destination. The message may arrive before the batch's own: it records the
    ///      batch too. Sending it again changes nothing there.
    /// @param batchId The batch id on this chain.
    /// @param document The revoked document digest.
    /// @param index Its leaf position.
    /// @param proof Sibling hashes from the leaf up, exactly ceil(log2(size)) of them.
    /// @param destination Chain id of the destination; a peer Notary must be registered for it.
    /// @return messageId The bus message id.
    function mirrorDocumentRevocation(
        bytes32 batchId,
        bytes32 document,
        uint256 index,
        bytes32[] calldata proof,
        uint32 destination
    ) external returns (bytes32 messageId);

    /// @notice Set the message bus used for mirroring (Consortium only).
    /// @param bus The MessageBus of this chain.
    function setBus(IMessageBus bus) external;

    /// @notice Register the Notary of chain `chainId` (Consortium only; zero removes it).
    /// @param chainId The other chain.
    /// @param notary Its Notary.
    function setPeer(uint32 chainId, address notary) external;

    /// @notice The id under which a record of another chain is kept here.
    /// @param origin Chain id of the origin.
    /// @param originId The record id there.
    /// @return id keccak256(abi.encode(origin, originId)).
    function foreignId(uint32 origin, bytes32 originId) external pure returns (bytes32 id);

    /// @notice Where foreign record `id` came from.
    /// @param id A foreign record id.
    /// @return origin Chain id of the origin (0 if `id` is not foreign).
    /// @return originId The record id there.
    function foreignOrigin(bytes32 id) external view returns (uint32 origin, bytes32 originId);

    /// @notice The bus used for mirroring and the peer Notary of `chainId`.
    /// @param chainId Another chain.
    /// @return bus The bus (zero if none).
    /// @return peer The peer Notary (zero if none).
    function mirroring(uint32 chainId) external view returns (address bus, address peer);

    // ------------------------------------------------------------------ schemas and nonces

    /// @notice Register a schema for the caller's organisation (caller must hold NOTARY).
    /// @param name Schema name, e.g. "customs-declaration".
    /// @param version Schema version; (organisation, name, version) is unique and never rewritten.
    /// @param definitionHash Digest of the schema definition (may be zero if `uri` is content-addressed).
    /// @param uri Where the definition lives.
    /// @return schemaId The new schema id.
    function registerSchema(
        string calldata name,
        string calldata version,
        bytes32 definitionHash,
        string calldata uri
    ) external returns (uint32 schemaId);

    /// @notice Deprecate schema `schemaId`: existing attestations stay valid, new ones are refused.
    /// @dev Callable by a NOTARY of the owning organisation or by the Consortium (governance).
    /// @param schemaId The schema.
    function deprecateSchema(uint32 schemaId) external;

    /// @notice Give up unordered nonces of the caller, cancelling signed requests not yet submitted.
    /// @param word Bitmap word (nonce >> 8).
    /// @param mask Bits to mark used (bit i is nonce word * 256 + i).
    function invalidateNonces(uint256 word, uint256 mask) external;

    // ------------------------------------------------------------------ views

    /// @notice The validity of record `id` (attestation or whole batch).
    /// @param id The record id.
    /// @return The status; VALID only if it exists, is not revoked, not expired and its organisation is live.
    function status(bytes32 id) external view returns (Status);

    /// @notice True only if record `id` exists, is not revoked, not expired and its organisation is live.
    /// @param id The record id.
    /// @return Whether the record is valid now.
    function isValid(bytes32 id) external view returns (bool);

    /// @notice Whether `document` sits at `index` of batch `batchId` according to `proof`.
    /// @dev Pure inclusion: says nothing about revocation or expiry (use documentStatus).
    ///      False for unknown batches, index >= size, or a proof of the wrong length. For a
    ///      mirrored batch, `batchId` is its foreign id and the proof is the origin's.
    /// @param batchId The batch id (or foreign id of a mirrored batch).
    /// @param document The document digest.
    /// @param index The leaf position (0-based).
    /// @param proof Sibling hashes from the leaf up, exactly ceil(log2(size)) of them.
    /// @return Whether the proof re-derives the batch.
    function verifyInclusion(bytes32 batchId, bytes32 document, uint256 index, bytes32[] calldata proof)
        external
        view
        returns (bool);

    /// @notice The validity of one document of a batch: inclusion, document and batch revocation,
    ///         expiry and organisation liveness all checked.
    /// @param batchId The batch id.
    /// @param document The document digest.
    /// @param index The leaf position.
    /// @param proof Sibling hashes from the leaf up.
    /// @return The status; VALID only if every check passes.
    function documentStatus(
        bytes32 batchId,
        bytes32 document,
        uint256 index,
        bytes32[] calldata proof
    ) external view returns (Status);

    /// @notice True only if the document is included, neither it nor its batch is revoked, the
    ///         batch has not expired and the organisation is live.
    /// @param batchId The batch id.
    /// @param document The document digest.
    /// @param index The leaf position.
    /// @param proof Sibling hashes from the leaf up.
    /// @return Whether the document is valid now.
    function isDocumentValid(
        bytes32 batchId,
        bytes32 document,
        uint256 index,
        bytes32[] calldata proof
    ) external view returns (bool);

    /// @notice The record (attestation or batch) stored under `id`.
    /// @param id The record id.
    /// @return The record; kind NONE if absent.
    function record(bytes32 id) external view returns (Record memory);

    /// @notice The parent (lineage) of record `id`.
    /// @param id The record id.
    /// @return The parent record id, zero if none.
    function parentOf(bytes32 id) external view returns (bytes32);

    /// @notice The record id of `digest` attested (or anchored) by organisation `orgId`.
    /// @param digest Document digest or Merkle root.
    /// @param orgId Organisation id.
    /// @return keccak256(abi.encode(digest, orgId)).
    function recordId(bytes32 digest, uint256 orgId) external pure returns (bytes32);

    /// @notice When and why `document` of batch `batchId` was revoked.
    /// @param batchId The batch id.
    /// @param document The document digest.
    /// @return revokedAt Unix time of revocation, 0 if not revoked.
    /// @return reason The reason code.
    function documentRevocation(bytes32 batchId, bytes32 document)
        external
        view
        returns (uint40 revokedAt, uint16 reason);

    /// @notice Schema `schemaId`.
    /// @param schemaId The schema id.
    /// @return The schema; orgId 0 if it does not exist.
    function schema(uint32 schemaId) external view returns (Schema memory);

    /// @notice Number of schemas registered (ids run from 1 to this).
    /// @return The highest schema id.
    function schemaCount() external view returns (uint32);

    /// @notice The schema id organisation `orgId` registered as `name` `version`.
    /// @param orgId Organisation id.
    /// @param name Schema name.
    /// @param version Schema version.
    /// @return The schema id, 0 if none.
    function schemaIdOf(uint256 orgId, string calldata name, string calldata version)
        external
        view
        returns (uint32);

    /// @notice Whether `signer` has used (or invalidated) `nonce`.
    /// @param signer The signer.
    /// @param nonce The nonce.
    /// @return True if the nonce can no longer be used.
    function isNonceUsed(address signer, uint256 nonce) external view returns (bool);

    /// @notice One word of `signer`'s used-nonce bitmap.
    /// @param signer The signer.
    /// @param word Word index (nonce >> 8).
    /// @return The bitmap; bit i set means nonce word * 256 + i is used.
    function nonceBitmap(address signer, uint256 word) external view returns (uint256);

    /// @notice The EIP-712 digest that `request.attester` signs.
    /// @param request The request.
    /// @return The typed-data digest for this chain and contract.
    function hashAttestRequest(AttestRequest calldata request) external view returns (bytes32);

    /// @notice The EIP-712 digest that `request.revoker` signs.
    /// @param request The request.
    /// @return The typed-data digest for this chain and contract.
    function hashRevokeRequest(RevokeRequest calldata request) external view returns (bytes32);

    /// @notice The Consortium this Notary asks about roles and organisations.
    /// @return The Consortium address.
    function consortium() external view returns (IConsortium);
}
