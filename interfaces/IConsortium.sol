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

    /// @notice The governance policy a proposal of `action` opened now is judged by.
    /// @dev Bits 0-7 kind (1 K_OF_N, 2 WEIGHTED, 3 ALL_OF_KIND), 8-15 the first parameter (k,
    ///      participation % or organisation kind), 16-23 the second (approval %); an action
    ///      without its own policy gets K_OF_N with the current threshold.
    /// @param action One of the actions (Action in trustspace/consortium/constants.py).
    /// @return The policy word.
    function policy_of(uint8 action) external view returns (uint256);

    /// @notice The voting weight of an organisation under WEIGHTED policies (1 unless set).
    /// @param org_id Organisation id.
    /// @return The weight.
    function weight_of(uint256 org_id) external view returns (uint256);

    /// @notice True if the proposal is open, unexpired and its live votes pass the policy it was
    ///         opened under.
    /// @param proposal_id Proposal id.
    /// @return Whether `execute` (with the proposal's arguments) would pass its governance checks.
    function is_executable(uint256 proposal_id) external view returns (bool);

    /// @notice Propose a change; the proposer's organisation approves it at once.
    /// @dev Records the policy of `action` now and keccak256(reason ++ args); the arguments
    ///      travel in the `Proposed` event.
    /// @param action One of the actions.
    /// @param args The action's arguments, ABI-encoded.
    /// @param reason Hash of the human-readable justification.
    /// @return The new proposal id.
    function propose(uint8 action, bytes calldata args, bytes32 reason) external returns (uint256);

    /// @notice Approve a proposal on behalf of the caller's organisation (replacing its rejection).
    /// @param proposal_id Proposal id.
    function approve(uint256 proposal_id) external;

    /// @notice Reject a proposal on behalf of the caller's organisation (replacing its approval).
    /// @param proposal_id Proposal id.
    function reject(uint256 proposal_id) external;

    /// @notice Carry out a proposal whose live votes pass its policy snapshot.
    /// @param proposal_id Proposal id.
    /// @param args The proposal's ABI-encoded arguments, as in its `Proposed` event.
    /// @param reason The proposal's reason hash, as in its `Proposed` event.
    function execute(uint256 proposal_id, bytes calldata args, bytes32 reason) external;
}
