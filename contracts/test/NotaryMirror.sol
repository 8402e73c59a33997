// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

import {IConsortium} from "../../interfaces/IConsortium.sol";
import {IMessageRecipient} from "../../interfaces/IMessageRecipient.sol";

/// @title NotaryMirror
/// @custom:license Apache-2.0
/// @notice Test-only stand-in for the Notary's foreign attestations (DESIGN "Mirroring"): a bus
///         recipient that records attestations and revocations sent from one origin chain by one
///         sender, and answers `isValid` the way the Notary does (exists, not revoked, not
///         expired, organisation live in this chain's Consortium). The cross-contract stateful
///         machine compares it with the origin Notary.
/// @dev Messages may arrive in any order: a revocation that overtakes its attestation leaves a
///      tombstone, and the late attestation cannot bring the record back.
contract NotaryMirror is IMessageRecipient {
    /// @dev Mirror operations (first word of a body).
    uint8 public constant ATTEST = 1;
    uint8 public constant REVOKE = 2;

    /// @dev A foreign record.
    struct Foreign {
        uint32 orgId;
        uint40 expiresAt;
        bool attested;
        bool revoked;
    }

    /// @dev The only bus allowed to call `handle`.
    address public immutable bus;
    /// @dev The only origin chain trusted.
    uint32 public immutable origin;
    /// @dev The only sender on the origin trusted.
    address public immutable originSender;
    /// @dev This chain's Consortium (organisation liveness).
    IConsortium public immutable consortium;

    /// @dev Foreign records by origin record id.
    mapping(bytes32 id => Foreign record) private _records;
    /// @dev Messages handled so far.
    uint256 public received;

    /// @dev `handle` was called by someone other than the bus, or for an untrusted origin/sender.
    error NotaryMirrorUnauthorised(address caller, uint32 origin, address sender);

    /// @param bus_ The bus of this chain.
    /// @param origin_ The origin chain.
    /// @param originSender_ The sender on the origin chain.
    /// @param consortium_ This chain's Consortium.
    constructor(address bus_, uint32 origin_, address originSender_, IConsortium consortium_) {
        bus = bus_;
        origin = origin_;
        originSender = originSender_;
        consortium = consortium_;
    }

    /// @inheritdoc IMessageRecipient
    function handle(uint32 origin_, address sender, bytes calldata body) external {
        if (msg.sender != bus || origin_ != origin || sender != originSender) {
            revert NotaryMirrorUnauthorised(msg.sender, origin_, sender);
        }
        (uint8 op, bytes32 id, uint32 orgId, uint40 expiresAt) =
            abi.decode(body, (uint8, bytes32, uint32, uint40));
        Foreign storage record = _records[id];
        record.orgId = orgId;
        if (op == ATTEST) {
            record.attested = true;
            record.expiresAt = expiresAt;
        } else {
            record.revoked = true;
        }
        received += 1;
    }

    /// @notice Whether the mirrored record is valid here now.
    /// @param id The origin record id.
    /// @return True if attested, not revoked, not expired and its organisation is live.
    function isValid(bytes32 id) external view returns (bool) {
        Foreign memory record = _records[id];
        return record.attested && !record.revoked
            && (record.expiresAt == 0 || block.timestamp < record.expiresAt)
            && consortium.is_org_live(record.orgId);
    }

    /// @notice The mirrored record.
    /// @param id The origin record id.
    /// @return The record (all zero if never seen).
    function recordOf(bytes32 id) external view returns (Foreign memory) {
        return _records[id];
    }
}
