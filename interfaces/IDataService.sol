// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title IConsortiumOrganisations
/// @notice The organisation record the data service reads from the Consortium (its kind, for
///         policies that admit consumers by kind).
interface IConsortiumOrganisations {
    /// @dev Consortium.vy's Organisation struct, field for field.
    struct Organisation {
        string name;
        uint8 kind;
        uint8 status;
        address did;
    }

    /// @notice The organisation record of `org_id` (an empty record when it does not exist).
    /// @param org_id Organisation id.
    /// @return The organisation's name, kind, status and DID identity.
    function organisation(uint256 org_id) external view returns (Organisation memory);
}

/// @title IDataService
/// @notice Dataset offers, usage agreements and the transfer log (clearing house) of the
///         trustspace data space. Offers are published by ADMIN accounts of a provider
///         organisation; a consumer organisation's ADMIN requests an agreement for a purpose; the
///         provider accepts (and, when the offer's terms ask for it, ADMINs of k distinct
///         organisations approve); the provider's connector accounts (role NOTARY) log every
///         transfer. Organisation liveness is read from the Consortium at every check, never stored.
interface IDataService {
    /// @notice Agreement states (Dataspace Protocol-like): requested → agreed → finalized; terminated.
    enum State {
        NONE,
        REQUESTED,
        AGREED,
        FINALIZED,
        TERMINATED
    }

    /// @notice Whether an agreement allows a transfer now, and if not why (first reason found).
    enum Standing {
        LIVE,
        UNKNOWN,
        NOT_FINALIZED,
        TERMINATED,
        PROVIDER_NOT_LIVE,
        CONSUMER_NOT_LIVE,
        NOT_YET_VALID,
        EXPIRED,
        EXHAUSTED
    }

    /// @notice The on-chain enforceable part of an offer's usage policy.
    /// @dev consumerOrgs and consumerKinds empty/zero together admit any organisation; otherwise an
    ///      organisation is admitted when listed or when bit (1 << kind) is set. validFrom/validUntil
    ///      0 mean unbounded; maxTransfers 0 means unlimited; approvals = k distinct organisations
    ///      whose ADMIN must approve after the provider accepts (0: acceptance finalizes).
    struct Terms {
        uint32[] consumerOrgs;
        uint256 consumerKinds;
        uint40 validFrom;
        uint40 validUntil;
        uint32 maxTransfers;
        uint8 approvals;
    }

    /// @notice A dataset offer at its latest version.
    struct Offer {
        uint32 providerOrg;
        uint32 version;
        bool withdrawn;
        bytes32 schema;
        bytes32 descriptionDigest;
        bytes32 policyDigest;
        string title;
    }

    /// @notice A usage agreement.
    struct Agreement {
        uint64 offerId;
        uint32 offerVersion;
        uint32 providerOrg;
        uint32 consumerOrg;
        State state;
        uint32 transfers;
        uint8 approvals;
        uint40 requestedAt;
        bytes32 purposeHash;
    }

    /// @notice The caller holds no live ADMIN role.
    error DataServiceNotAdmin(address account);
    /// @notice The caller holds no live NOTARY (connector) role.
    error DataServiceNotConnector(address account);
    /// @notice No offer has this id.
    error DataServiceUnknownOffer(uint64 offerId);
    /// @notice The caller's organisation is not the offer's provider.
    error DataServiceNotProvider(uint64 offerId, uint256 orgId);
    /// @notice The offer was withdrawn.
    error DataServiceOfferWithdrawn(uint64 offerId);
    /// @notice The offer's terms do not admit this consumer organisation.
    error DataServiceConsumerNotAllowed(uint64 offerId, uint256 orgId);
    /// @notice The offer's validity period has ended.
    error DataServiceOfferExpired(uint64 offerId, uint40 validUntil);
    /// @notice Terms that can never be met (validUntil not after validFrom, or in the past).
    error DataServiceBadTerms(uint40 validFrom, uint40 validUntil);
    /// @notice No agreement has this id.
    error DataServiceUnknownAgreement(uint256 agreementId);
    /// @notice The agreement is not in a state that allows this step.
    error DataServiceWrongState(uint256 agreementId, State state);
    /// @notice The caller's organisation is neither party of the agreement.
    error DataServiceNotParty(uint256 agreementId, uint256 orgId);
    /// @notice The organisation already approved this agreement.
    error DataServiceAlreadyApproved(uint256 agreementId, uint256 orgId);
    /// @notice The agreement does not allow a transfer now.
    error DataServiceNotLive(uint256 agreementId, Standing standing);
    /// @notice The logged transfer would exceed the agreement's maximum number of transfers.
    error DataServiceExhausted(uint256 agreementId, uint32 transfers, uint32 count, uint32 maxTransfers);
    /// @notice The consumer account is not an account of the agreement's consumer organisation.
    error DataServiceWrongConsumer(uint256 agreementId, address consumer);
    /// @notice A transfer request or a batch root was logged already.
    error DataServiceAlreadyLogged(bytes32 key);
    /// @notice A zero payload digest, request id or batch root, or an empty batch.
    error DataServiceEmptyRecord(uint256 agreementId);

    /// @notice An offer was published (version 1) or updated (a new version).
    event OfferPublished(
        uint64 indexed offerId,
        uint32 indexed providerOrg,
        uint32 version,
        address account,
        string title,
        bytes32 schema,
        bytes32 descriptionDigest,
        bytes32 policyDigest,
        Terms terms
    );
    /// @notice An offer was withdrawn: no new agreement can be requested.
    event OfferWithdrawn(uint64 indexed offerId, uint32 indexed providerOrg, address account);
    /// @notice A consumer organisation requested an agreement for a purpose.
    event AgreementRequested(
        uint256 indexed agreementId,
        uint64 indexed offerId,
        uint32 indexed consumerOrg,
        uint32 offerVersion,
        uint32 providerOrg,
        address account,
        bytes32 purposeHash,
        string purpose
    );
    /// @notice The provider accepted the request.
    event AgreementAgreed(uint256 indexed agreementId, uint32 indexed providerOrg, address account);
    /// @notice An organisation's ADMIN approved the agreement (k-of-n terms).
    event AgreementApproved(uint256 indexed agreementId, uint32 indexed orgId, address account, uint8 approvals);
    /// @notice The agreement is in force: transfers may be logged under it.
    event AgreementFinalized(uint256 indexed agreementId);
    /// @notice A party terminated the agreement.
    event AgreementTerminated(uint256 indexed agreementId, uint32 indexed orgId, address account, bytes32 reason);
    /// @notice One transfer was logged by the provider's connector.
    event TransferLogged(
        uint256 indexed agreementId,
        address indexed consumer,
        uint32 transferNo,
        bytes32 payloadDigest,
        uint64 size,
        bytes32 requestId,
        uint40 time,
        address connector
    );
    /// @notice A batch of transfers was logged under a Merkle root of their records.
    event TransfersBatched(
        uint256 indexed agreementId,
        bytes32 indexed root,
        uint32 firstNo,
        uint32 count,
        uint40 time,
        address connector
    );

    /// @notice Publish a dataset offer for the caller's organisation (caller: ADMIN).
    /// @param title Human-readable title.
    /// @param schema Identifier (digest) of the dataset's schema.
    /// @param descriptionDigest keccak256 of the DCAT-style description.
    /// @param policyDigest keccak256 of the canonical (RFC 8785) JSON usage policy.
    /// @param terms The on-chain enforceable part of the policy.
    /// @return offerId The new offer's id (1-based).
    function publishOffer(
        string calldata title,
        bytes32 schema,
        bytes32 descriptionDigest,
        bytes32 policyDigest,
        Terms calldata terms
    ) external returns (uint64 offerId);

    /// @notice Publish a new version of an offer (caller: ADMIN of its provider); agreements keep
    ///         the version they were requested under.
    /// @param offerId The offer.
    /// @param title Human-readable title.
    /// @param schema Identifier (digest) of the dataset's schema.
    /// @param descriptionDigest keccak256 of the DCAT-style description.
    /// @param policyDigest keccak256 of the canonical JSON usage policy.
    /// @param terms The on-chain enforceable part of the policy.
    /// @return version The new version number.
    function updateOffer(
        uint64 offerId,
        string calldata title,
        bytes32 schema,
        bytes32 descriptionDigest,
        bytes32 policyDigest,
        Terms calldata terms
    ) external returns (uint32 version);

    /// @notice Withdraw an offer (caller: ADMIN of its provider); existing agreements go on.
    /// @param offerId The offer.
    function withdrawOffer(uint64 offerId) external;

    /// @notice Request an agreement on an offer for a purpose (caller: ADMIN of the consumer).
    /// @param offerId The offer.
    /// @param purpose The declared purpose (its keccak256 is stored).
    /// @return agreementId The new agreement's id (1-based).
    function requestAgreement(uint64 offerId, string calldata purpose) external returns (uint256 agreementId);

    /// @notice Accept a requested agreement (caller: ADMIN of the provider).
    /// @param agreementId The agreement.
    function acceptAgreement(uint256 agreementId) external;

    /// @notice Approve an agreed agreement on behalf of the caller's organisation (caller: ADMIN).
    /// @param agreementId The agreement.
    function approveAgreement(uint256 agreementId) external;

    /// @notice Terminate an agreement (caller: ADMIN of the provider or of the consumer).
    /// @param agreementId The agreement.
    /// @param reason Hash of the human-readable reason.
    function terminateAgreement(uint256 agreementId, bytes32 reason) external;

    /// @notice Log one transfer (caller: NOTARY account of the provider, its connector).
    /// @param agreementId The agreement the transfer is made under.
    /// @param consumer The consumer account that signed the request.
    /// @param payloadDigest keccak256 of the bytes served.
    /// @param size Number of bytes served.
    /// @param requestId Digest of the signed request (logged once).
    /// @return transferNo The transfer's number within the agreement (1-based).
    function logTransfer(uint256 agreementId, address consumer, bytes32 payloadDigest, uint64 size, bytes32 requestId)
        external
        returns (uint32 transferNo);

    /// @notice Log `count` transfers of one agreement under the Merkle root of their records
    ///         (caller: NOTARY account of the provider).
    /// @param agreementId The agreement.
    /// @param root Merkle root (trustspace/notary/tree.py layout) of the transfer records.
    /// @param count Number of records under the root.
    /// @return firstNo The number of the batch's first transfer.
    function logTransferBatch(uint256 agreementId, bytes32 root, uint32 count) external returns (uint32 firstNo);

    /// @notice The latest version of an offer.
    /// @param offerId The offer.
    /// @return The offer.
    function offer(uint64 offerId) external view returns (Offer memory);

    /// @notice The enforceable terms of one version of an offer.
    /// @param offerId The offer.
    /// @param version The version.
    /// @return The terms.
    function terms(uint64 offerId, uint32 version) external view returns (Terms memory);

    /// @notice An agreement.
    /// @param agreementId The agreement.
    /// @return The agreement.
    function agreement(uint256 agreementId) external view returns (Agreement memory);

    /// @notice Whether an agreement allows a transfer now, and if not the first reason why.
    /// @param agreementId The agreement.
    /// @return The standing (LIVE or a reason).
    function standing(uint256 agreementId) external view returns (Standing);

    /// @notice The Consortium this data service asks for roles and organisations.
    /// @return The Consortium's address.
    function consortium() external view returns (address);

    /// @notice The payload digest logged for a request id (zero: not logged). The consumer checks
    ///         what it received against it; a restarted connector checks what it logged.
    /// @param requestId Digest of the signed request.
    /// @return The logged payload digest, or zero.
    function loggedDigest(bytes32 requestId) external view returns (bytes32);

    /// @notice Number of transfers logged in the batch of `agreementId` with `root` (0: none).
    /// @param agreementId The agreement.
    /// @param root The batch root.
    /// @return The batch's count.
    function batchCount(uint256 agreementId, bytes32 root) external view returns (uint32);

    /// @notice Number of offers published.
    /// @return The last offer id handed out.
    function offerCount() external view returns (uint64);

    /// @notice Number of agreements requested.
    /// @return The last agreement id handed out.
    function agreementCount() external view returns (uint256);

    /// @notice The record a transfer commits to (the document of a batch's Merkle leaf).
    /// @param agreementId The agreement.
    /// @param consumer The consumer account.
    /// @param payloadDigest keccak256 of the payload.
    /// @param size Payload size in bytes.
    /// @param requestId Digest of the signed request.
    /// @param time Unix time of the transfer.
    /// @return keccak256(abi.encode(agreementId, consumer, payloadDigest, size, requestId, time)).
    function transferRecord(
        uint256 agreementId,
        address consumer,
        bytes32 payloadDigest,
        uint64 size,
        bytes32 requestId,
        uint40 time
    ) external pure returns (bytes32);

    /// @notice True iff `record` is at `index` of a logged batch of `agreementId` with `root`.
    /// @param agreementId The agreement.
    /// @param root The batch root.
    /// @param record The transfer record (see transferRecord).
    /// @param index Its leaf index.
    /// @param proof Sibling hashes, leaf upwards (exactly ceil(log2(count))).
    /// @return Whether the inclusion holds.
    function isTransferIncluded(uint256 agreementId, bytes32 root, bytes32 record, uint256 index, bytes32[] calldata proof)
        external
        view
        returns (bool);
}
