// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

import {IConsortium, ROLE_ADMIN, ROLE_NOTARY} from "../interfaces/IConsortium.sol";
import {IConsortiumOrganisations, IDataService} from "../interfaces/IDataService.sol";

/// @title DataService
/// @custom:license Apache-2.0
/// @notice The data service centre of the trustspace consortium: dataset offers (a catalog with
///         versions and withdrawal), usage agreements that follow Dataspace Protocol-like states
///         (requested → agreed → finalized; terminated) and the transfer log, a clearing-house
///         record of every transfer (one by one, or batched under a Merkle root). What a contract
///         can enforce is enforced here: which consumer organisations or kinds an offer admits,
///         the validity period, the maximum number of transfers, k-of-n organisation approvals,
///         and the liveness of both organisations (read from the Consortium at every check).
///         Purposes and credential constraints are evaluated by the provider's connector
///         (docs/dataspace.md).
/// @dev Merkle layout of batches (trustspace/notary/tree.py, as Notary.sol): leaf =
///      keccak256(0x00 ‖ record), node = keccak256(0x01 ‖ left ‖ right), padded to a power of two
///      with bytes32(0) subtrees, proofs of exactly ceil(log2(count)) siblings.
/// @custom:security The provider's connector is trusted to log what it served; the consumer
///      checks the payload against the logged digest, so a wrong digest is caught off chain and
///      is attributable to the provider. Batched transfers are counted on chain but their
///      records are only committed to (a consumer holds the inclusion proof).
contract DataService is IDataService {
    /// @dev The membership and role authority.
    IConsortium private immutable _consortium;

    /// @dev Latest version of each offer by id (1-based).
    mapping(uint64 offerId => Offer) private _offers;

    /// @dev Enforceable terms of every version of every offer.
    mapping(uint64 offerId => mapping(uint32 version => Terms)) private _terms;

    /// @dev Number of offers published; the last id handed out.
    uint64 private _offerCount;

    /// @dev Agreements by id (1-based).
    mapping(uint256 agreementId => Agreement) private _agreements;

    /// @dev Number of agreements requested; the last id handed out.
    uint256 private _agreementCount;

    /// @dev Organisations that approved an agreement (k-of-n terms), counted once each.
    mapping(uint256 agreementId => mapping(uint256 orgId => bool)) private _approved;

    /// @dev Payload digest logged per request id (a transfer is logged once; zero: not logged).
    mapping(bytes32 requestId => bytes32 payloadDigest) private _loggedDigests;

    /// @dev Size of each logged batch by keccak256(abi.encode(agreementId, root)).
    mapping(bytes32 batchKey => uint32 count) private _batches;

    /// @param consortium_ The Consortium contract that grants roles and says which organisations are live.
    constructor(IConsortium consortium_) {
        _consortium = consortium_;
    }

    // ------------------------------------------------------------------ catalog

    /// @inheritdoc IDataService
    function publishOffer(
        string calldata title,
        bytes32 schema,
        bytes32 descriptionDigest,
        bytes32 policyDigest,
        Terms calldata terms_
    ) external returns (uint64 offerId) {
        uint32 orgId = _orgWithRole(msg.sender, ROLE_ADMIN);
        offerId = ++_offerCount;
        Offer storage o = _offers[offerId];
        o.providerOrg = orgId;
        _writeVersion(offerId, o, title, schema, descriptionDigest, policyDigest, terms_);
    }

    /// @inheritdoc IDataService
    function updateOffer(
        uint64 offerId,
        string calldata title,
        bytes32 schema,
        bytes32 descriptionDigest,
        bytes32 policyDigest,
        Terms calldata terms_
    ) external returns (uint32 version) {
        Offer storage o = _providerOffer(offerId);
        if (o.withdrawn) revert DataServiceOfferWithdrawn(offerId);
        version = _writeVersion(offerId, o, title, schema, descriptionDigest, policyDigest, terms_);
    }

    /// @inheritdoc IDataService
    function withdrawOffer(uint64 offerId) external {
        Offer storage o = _providerOffer(offerId);
        if (o.withdrawn) revert DataServiceOfferWithdrawn(offerId);
        o.withdrawn = true;
        emit OfferWithdrawn(offerId, o.providerOrg, msg.sender);
    }

    // ------------------------------------------------------------------ negotiation

    /// @inheritdoc IDataService
    function requestAgreement(uint64 offerId, string calldata purpose) external returns (uint256 agreementId) {
        uint32 consumerOrg = _orgWithRole(msg.sender, ROLE_ADMIN);
        Offer storage o = _offers[offerId];
        if (o.providerOrg == 0) revert DataServiceUnknownOffer(offerId);
        if (o.withdrawn) revert DataServiceOfferWithdrawn(offerId);
        Terms storage t = _terms[offerId][o.version];
        if (t.validUntil != 0 && block.timestamp >= t.validUntil) revert DataServiceOfferExpired(offerId, t.validUntil);
        if (!_admits(t, consumerOrg)) revert DataServiceConsumerNotAllowed(offerId, consumerOrg);
        agreementId = ++_agreementCount;
        bytes32 purposeHash = keccak256(bytes(purpose));
        _agreements[agreementId] = Agreement({
            offerId: offerId,
            offerVersion: o.version,
            providerOrg: o.providerOrg,
            consumerOrg: consumerOrg,
            state: State.REQUESTED,
            transfers: 0,
            approvals: 0,
            requestedAt: uint40(block.timestamp),
            purposeHash: purposeHash
        });
        emit AgreementRequested({
            agreementId: agreementId,
            offerId: offerId,
            consumerOrg: consumerOrg,
            offerVersion: o.version,
            providerOrg: o.providerOrg,
            account: msg.sender,
            purposeHash: purposeHash,
            purpose: purpose
        });
    }

    /// @inheritdoc IDataService
    function acceptAgreement(uint256 agreementId) external {
        Agreement storage a = _known(agreementId);
        uint32 orgId = _orgWithRole(msg.sender, ROLE_ADMIN);
        if (orgId != a.providerOrg) revert DataServiceNotParty(agreementId, orgId);
        if (a.state != State.REQUESTED) revert DataServiceWrongState(agreementId, a.state);
        // Both parties must still be live: an agreement is never made with a suspended organisation.
        Standing s = _liveness(a);
        if (s != Standing.LIVE) revert DataServiceNotLive(agreementId, s);
        a.state = State.AGREED;
        emit AgreementAgreed(agreementId, orgId, msg.sender);
        if (_terms[a.offerId][a.offerVersion].approvals == 0) _finalize(agreementId, a);
    }

    /// @inheritdoc IDataService
    function approveAgreement(uint256 agreementId) external {
        Agreement storage a = _known(agreementId);
        uint32 orgId = _orgWithRole(msg.sender, ROLE_ADMIN);
        if (a.state != State.AGREED) revert DataServiceWrongState(agreementId, a.state);
        if (_approved[agreementId][orgId]) revert DataServiceAlreadyApproved(agreementId, orgId);
        _approved[agreementId][orgId] = true;
        uint8 approvals = a.approvals + 1;
        a.approvals = approvals;
        emit AgreementApproved(agreementId, orgId, msg.sender, approvals);
        if (approvals >= _terms[a.offerId][a.offerVersion].approvals) _finalize(agreementId, a);
    }

    /// @inheritdoc IDataService
    function terminateAgreement(uint256 agreementId, bytes32 reason) external {
        Agreement storage a = _known(agreementId);
        uint32 orgId = _orgWithRole(msg.sender, ROLE_ADMIN);
        if (orgId != a.providerOrg && orgId != a.consumerOrg) revert DataServiceNotParty(agreementId, orgId);
        if (a.state == State.TERMINATED) revert DataServiceWrongState(agreementId, a.state);
        a.state = State.TERMINATED;
        emit AgreementTerminated(agreementId, orgId, msg.sender, reason);
    }

    // ------------------------------------------------------------------ transfer log

    /// @inheritdoc IDataService
    function logTransfer(uint256 agreementId, address consumer, bytes32 payloadDigest, uint64 size, bytes32 requestId)
        external
        returns (uint32 transferNo)
    {
        if (payloadDigest == bytes32(0) || requestId == bytes32(0)) revert DataServiceEmptyRecord(agreementId);
        Agreement storage a = _connectorAgreement(agreementId, 1);
        if (_consortium.org_of(consumer) != a.consumerOrg) revert DataServiceWrongConsumer(agreementId, consumer);
        if (_loggedDigests[requestId] != bytes32(0)) revert DataServiceAlreadyLogged(requestId);
        _loggedDigests[requestId] = payloadDigest;
        transferNo = a.transfers + 1;
        a.transfers = transferNo;
        emit TransferLogged({
            agreementId: agreementId,
            consumer: consumer,
            transferNo: transferNo,
            payloadDigest: payloadDigest,
            size: size,
            requestId: requestId,
            time: uint40(block.timestamp),
            connector: msg.sender
        });
    }

    /// @inheritdoc IDataService
    function logTransferBatch(uint256 agreementId, bytes32 root, uint32 count) external returns (uint32 firstNo) {
        if (root == bytes32(0) || count == 0) revert DataServiceEmptyRecord(agreementId);
        Agreement storage a = _connectorAgreement(agreementId, count);
        bytes32 key = keccak256(abi.encode(agreementId, root));
        if (_batches[key] != 0) revert DataServiceAlreadyLogged(root);
        _batches[key] = count;
        firstNo = a.transfers + 1;
        a.transfers += count;
        emit TransfersBatched(agreementId, root, firstNo, count, uint40(block.timestamp), msg.sender);
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc IDataService
    function offer(uint64 offerId) external view returns (Offer memory) {
        return _offers[offerId];
    }

    /// @inheritdoc IDataService
    function terms(uint64 offerId, uint32 version) external view returns (Terms memory) {
        return _terms[offerId][version];
    }

    /// @inheritdoc IDataService
    function agreement(uint256 agreementId) external view returns (Agreement memory) {
        return _agreements[agreementId];
    }

    /// @inheritdoc IDataService
    function standing(uint256 agreementId) external view returns (Standing) {
        Agreement storage a = _agreements[agreementId];
        if (a.state == State.NONE) return Standing.UNKNOWN;
        return _standing(a, 1);
    }

    /// @inheritdoc IDataService
    function consortium() external view returns (address) {
        return address(_consortium);
    }

    /// @inheritdoc IDataService
    function loggedDigest(bytes32 requestId) external view returns (bytes32) {
        return _loggedDigests[requestId];
    }

    /// @inheritdoc IDataService
    function batchCount(uint256 agreementId, bytes32 root) external view returns (uint32) {
        return _batches[keccak256(abi.encode(agreementId, root))];
    }

    /// @inheritdoc IDataService
    function offerCount() external view returns (uint64) {
        return _offerCount;
    }

    /// @inheritdoc IDataService
    function agreementCount() external view returns (uint256) {
        return _agreementCount;
    }

    /// @inheritdoc IDataService
    function transferRecord(
        uint256 agreementId,
        address consumer,
        bytes32 payloadDigest,
        uint64 size,
        bytes32 requestId,
        uint40 time
    ) external pure returns (bytes32) {
        return keccak256(abi.encode(agreementId, consumer, payloadDigest, size, requestId, time));
    }

    /// @inheritdoc IDataService
    function isTransferIncluded(uint256 agreementId, bytes32 root, bytes32 record, uint256 index, bytes32[] calldata proof)
        external
        view
        returns (bool)
    {
        uint256 count = _batches[keccak256(abi.encode(agreementId, root))];
        if (count == 0 || index >= count || !_isDepthOf(proof.length, count)) return false;
        bytes32 node = keccak256(abi.encodePacked(bytes1(0x00), record));
        for (uint256 i = 0; i < proof.length; ++i) {
            node = (index >> i) & 1 == 1
                ? keccak256(abi.encodePacked(bytes1(0x01), proof[i], node))
                : keccak256(abi.encodePacked(bytes1(0x01), node, proof[i]));
        }
        return node == root;
    }

    // ------------------------------------------------------------------ internal

    function _writeVersion(
        uint64 offerId,
        Offer storage o,
        string calldata title,
        bytes32 schema,
        bytes32 descriptionDigest,
        bytes32 policyDigest,
        Terms calldata terms_
    ) private returns (uint32 version) {
        if (terms_.validUntil != 0 && (terms_.validUntil <= terms_.validFrom || terms_.validUntil <= block.timestamp)) {
            revert DataServiceBadTerms(terms_.validFrom, terms_.validUntil);
        }
        version = o.version + 1;
        o.version = version;
        o.schema = schema;
        o.descriptionDigest = descriptionDigest;
        o.policyDigest = policyDigest;
        o.title = title;
        Terms storage t = _terms[offerId][version];
        t.consumerOrgs = terms_.consumerOrgs;
        t.consumerKinds = terms_.consumerKinds;
        t.validFrom = terms_.validFrom;
        t.validUntil = terms_.validUntil;
        t.maxTransfers = terms_.maxTransfers;
        t.approvals = terms_.approvals;
        emit OfferPublished({
            offerId: offerId,
            providerOrg: o.providerOrg,
            version: version,
            account: msg.sender,
            title: title,
            schema: schema,
            descriptionDigest: descriptionDigest,
            policyDigest: policyDigest,
            terms: terms_
        });
    }

    function _finalize(uint256 agreementId, Agreement storage a) private {
        a.state = State.FINALIZED;
        emit AgreementFinalized(agreementId);
    }

    function _providerOffer(uint64 offerId) private view returns (Offer storage o) {
        o = _offers[offerId];
        if (o.providerOrg == 0) revert DataServiceUnknownOffer(offerId);
        uint32 orgId = _orgWithRole(msg.sender, ROLE_ADMIN);
        if (orgId != o.providerOrg) revert DataServiceNotProvider(offerId, orgId);
    }

    function _known(uint256 agreementId) private view returns (Agreement storage a) {
        a = _agreements[agreementId];
        if (a.state == State.NONE) revert DataServiceUnknownAgreement(agreementId);
    }

    /// @dev The agreement a connector of its provider may log `count` more transfers under.
    function _connectorAgreement(uint256 agreementId, uint32 count) private view returns (Agreement storage a) {
        a = _known(agreementId);
        uint256 orgId = _consortium.org_with_role(msg.sender, ROLE_NOTARY);
        if (orgId == 0) revert DataServiceNotConnector(msg.sender);
        if (orgId != a.providerOrg) revert DataServiceNotParty(agreementId, orgId);
        Standing s = _standing(a, count);
        if (s == Standing.EXHAUSTED) {
            revert DataServiceExhausted(
                agreementId, a.transfers, count, _terms[a.offerId][a.offerVersion].maxTransfers
            );
        }
        if (s != Standing.LIVE) revert DataServiceNotLive(agreementId, s);
    }

    function _standing(Agreement storage a, uint32 count) private view returns (Standing) {
        if (a.state == State.TERMINATED) return Standing.TERMINATED;
        if (a.state != State.FINALIZED) return Standing.NOT_FINALIZED;
        Standing s = _liveness(a);
        if (s != Standing.LIVE) return s;
        Terms storage t = _terms[a.offerId][a.offerVersion];
        if (block.timestamp < t.validFrom) return Standing.NOT_YET_VALID;
        if (t.validUntil != 0 && block.timestamp >= t.validUntil) return Standing.EXPIRED;
        if (t.maxTransfers != 0 && uint256(a.transfers) + count > t.maxTransfers) return Standing.EXHAUSTED;
        return Standing.LIVE;
    }

    function _liveness(Agreement storage a) private view returns (Standing) {
        if (!_consortium.is_org_live(a.providerOrg)) return Standing.PROVIDER_NOT_LIVE;
        if (!_consortium.is_org_live(a.consumerOrg)) return Standing.CONSUMER_NOT_LIVE;
        return Standing.LIVE;
    }

    function _admits(Terms storage t, uint32 orgId) private view returns (bool) {
        uint256 n = t.consumerOrgs.length;
        if (n == 0 && t.consumerKinds == 0) return true;
        for (uint256 i = 0; i < n; ++i) {
            if (t.consumerOrgs[i] == orgId) return true;
        }
        if (t.consumerKinds == 0) return false;
        uint8 kind = IConsortiumOrganisations(address(_consortium)).organisation(orgId).kind;
        return (t.consumerKinds >> kind) & 1 == 1;
    }

    function _orgWithRole(address account, uint256 role) private view returns (uint32) {
        uint256 orgId = _consortium.org_with_role(account, role);
        if (orgId == 0) {
            if (role == ROLE_ADMIN) revert DataServiceNotAdmin(account);
            revert DataServiceNotConnector(account);
        }
        return uint32(orgId);
    }

    /// @dev depth == ceil(log2(size)) for size ≥ 1 (as Notary.sol).
    function _isDepthOf(uint256 depth, uint256 size) private pure returns (bool) {
        if (depth == 0) return size == 1;
        return depth < 49 && (1 << depth) >= size && (1 << (depth - 1)) < size;
    }
}
