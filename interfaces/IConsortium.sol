// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

// Role flags of Consortium.vy (its public ADMIN … AUDITOR constants), declared once for every
// Solidity contract; tests/unit/consortium/test_constants.py checks them against the chain and
// trustspace/consortium/constants.py.
uint256 constant ROLE_ADMIN = 1;
uint256 constant ROLE_NOTARY = 2;
uint256 constant ROLE_ISSUER = 4;
uint256 constant ROLE_VALIDATOR = 8;
uint256 constant ROLE_RELAYER = 16;
uint256 constant ROLE_AUDITOR = 32;

/// @title IConsortium
/// @notice What the other trustspace contracts ask the Consortium (Consortium.vy).
interface IConsortium {
    /// @notice True while `account`, its organisation and every grant in `role` are live.
    /// @param account The account asked about.
    /// @param role One or more role flags (ROLE_* above; Role in trustspace/consortium/constants.py); all must be held.
    /// @return Whether the account may act in that role now.
    function has_role(address account, uint256 role) external view returns (bool);

    /// @notice The organisation of `account` if it holds every flag in `role` live, else 0.
    /// @dev One call that answers both "may it act" and "for whom" (the hot path of attest).
    /// @param account The account asked about.
    /// @param role One or more role flags.
    /// @return The organisation id, or 0 if the account may not act in that role.
    function org_with_role(address account, uint256 role) external view returns (uint256);

    /// @notice The organisation id `account` belongs to, whatever its status.
    /// @param account The account asked about.
    /// @return Organisation id, 0 if none.
    function org_of(address account) external view returns (uint256);

    /// @notice True while organisation `org_id` exists and is active (not suspended or removed).
    /// @param org_id Organisation id.
    /// @return Whether the organisation is active.
    function is_org_live(uint256 org_id) external view returns (bool);

    /// @notice True if governance marked `target` as a security contract that the bus must never call.
    /// @param target The contract asked about.
    /// @return Whether the contract is protected.
    function is_protected(address target) external view returns (bool);
}
