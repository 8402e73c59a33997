// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

/// @title StubConsortium
/// @custom:license Apache-2.0
/// @notice Test-only stand-in for the Consortium: answers `org_with_role` with whatever a test
///         set, so MessageBus paths that the real Consortium can never reach (an organisation
///         id above 255) can be exercised; `forward` makes it the caller of governed functions.
contract StubConsortium {
    /// @dev Organisation reported for each account.
    mapping(address account => uint256 org) private _orgs;

    /// @notice Report `org` for `account` from now on.
    /// @param account The account.
    /// @param org The organisation id to report.
    function setOrg(address account, uint256 org) external {
        _orgs[account] = org;
    }

    /// @notice The organisation set for `account` (any role).
    /// @param account The account asked about.
    /// @return The organisation id set by the test, 0 if none.
    function org_with_role(address account, uint256) external view returns (uint256) {
        return _orgs[account];
    }

    /// @notice The organisation set for `account`.
    /// @param account The account asked about.
    /// @return The organisation id set by the test, 0 if none.
    function org_of(address account) external view returns (uint256) {
        return _orgs[account];
    }

    /// @notice Whether `account` holds a role: true if an organisation was set for it.
    /// @param account The account asked about.
    /// @return Whether an organisation was set.
    function has_role(address account, uint256) external view returns (bool) {
        return _orgs[account] != 0;
    }

    /// @notice No contract is protected here.
    /// @return Always false.
    function is_protected(address) external pure returns (bool) {
        return false;
    }

    /// @notice Call `target` with `data` as this contract, bubbling up any revert.
    /// @param target The contract called.
    /// @param data The calldata.
    function forward(address target, bytes calldata data) external {
        (bool ok, bytes memory reason) = target.call(data);
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(reason, 32), mload(reason))
            }
        }
    }
}
