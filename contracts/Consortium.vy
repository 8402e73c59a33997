# pragma version 0.4.3
# pragma nonreentrancy off
"""
@title Consortium
@license Apache-2.0
@notice Permissioned membership of a trustspace chain: organisations, their
        accounts and role flags, changed only by k-of-n proposals approved by
        distinct organisations. Every other trustspace contract asks this one
        who may act (`has_role`, `org_with_role`), and approved proposals may
        call those contracts (the `CALL` action), so every privileged change
        in the suite passes through the same k-of-n. Also answers the account
        and node allowlist queries that permissioned clients make
        (`transactionAllowed`, `connectionAllowed`).
@custom:security The deployer seeds organisations, admins and the threshold
        in the constructor and holds no power afterwards. ADMIN grants never
        expire, so the number of live admin organisations changes only through
        proposals, and every proposal that would push it below the threshold
        reverts. Approvals are re-checked when a proposal executes: an approval
        counts only while its account still holds ADMIN in a live organisation.
"""

from interfaces import IConsortium

implements: IConsortium

# Role flags (mirrored in trustspace/roles.py).
ADMIN: constant(uint256) = 1
NOTARY: constant(uint256) = 2
ISSUER: constant(uint256) = 4
VALIDATOR: constant(uint256) = 8
RELAYER: constant(uint256) = 16
AUDITOR: constant(uint256) = 32
ALL_ROLES: constant(uint256) = 63
ROLE_COUNT: constant(uint256) = 6

# Organisation kinds and statuses (mirrored in trustspace/roles.py).
KIND_MIN: constant(uint8) = 1
KIND_MAX: constant(uint8) = 6
STATUS_NONE: constant(uint8) = 0
STATUS_ACTIVE: constant(uint8) = 1
STATUS_SUSPENDED: constant(uint8) = 2
STATUS_REMOVED: constant(uint8) = 3

# Proposal statuses; expiry is derived from `expires_at`, not stored.
PROPOSAL_OPEN: constant(uint8) = 1
PROPOSAL_EXECUTED: constant(uint8) = 2
PROPOSAL_CANCELLED: constant(uint8) = 3

# Governance actions (mirrored in trustspace/roles.py as Action).
ADD_ORG: constant(uint8) = 1
SUSPEND_ORG: constant(uint8) = 2
REINSTATE_ORG: constant(uint8) = 3
REMOVE_ORG: constant(uint8) = 4
ADD_ACCOUNT: constant(uint8) = 5
REMOVE_ACCOUNT: constant(uint8) = 6
GRANT_ROLE: constant(uint8) = 7
REVOKE_ROLE: constant(uint8) = 8
SET_THRESHOLD: constant(uint8) = 9
SET_DID: constant(uint8) = 10
ADD_NODE: constant(uint8) = 11
REMOVE_NODE: constant(uint8) = 12
SET_PROTECTED: constant(uint8) = 13
CALL: constant(uint8) = 14

# Capacities: bounded so that every view and loop has a known gas ceiling.
MAX_ORGS: constant(uint256) = 64
MAX_SEED_ACCOUNTS: constant(uint256) = 64
MAX_ACCOUNTS_PER_ORG: constant(uint256) = 32
MAX_HOLDERS: constant(uint256) = 256
MAX_ARGS: constant(uint256) = 4096
MAX_CALL: constant(uint256) = 3968
MAX_PAYLOAD: constant(uint256) = 1048576
MIN_LIFETIME: constant(uint256) = 3600
MAX_LIFETIME: constant(uint256) = 90 * 86400

# An account's membership packs into one word so that `has_role` costs two
# storage reads: bits 0-31 organisation id, 32-39 role flags, then one
# 36-bit expiry per role (0 = no expiry) from bit 40 upwards.
ORG_MASK: constant(uint256) = 2**32 - 1
FLAGS_SHIFT: constant(uint256) = 32
EXPIRY_SHIFT: constant(uint256) = 40
EXPIRY_BITS: constant(uint256) = 36
EXPIRY_MASK: constant(uint256) = 2**36 - 1


struct Organisation:
    name: String[64]
    kind: uint8
    status: uint8
    did: address


struct Proposal:
    action: uint8
    status: uint8
    proposer: address
    proposer_org: uint256
    created_at: uint256
    expires_at: uint256
    reason: bytes32
    args: Bytes[MAX_ARGS]


# @dev Number of organisations ever added; ids run from 1 to org_count.
org_count: public(uint256)

# @dev Name, kind and DID of each organisation (status lives in org_status).
_orgs: HashMap[uint256, Organisation]

# @dev Status of each organisation, apart so that has_role reads one word.
org_status: public(HashMap[uint256, uint8])

# @dev Organisation whose DID identity is this address (0 if none).
org_by_did: public(HashMap[address, uint256])

# @dev Packed membership word per account (see ORG_MASK and friends).
_membership: HashMap[address, uint256]

# @dev Accounts of each organisation, for enumeration.
_org_accounts: HashMap[uint256, DynArray[address, MAX_ACCOUNTS_PER_ORG]]

# @dev Position of an account in its organisation's list.
_account_index: HashMap[address, uint256]

# @dev Accounts holding a grant of each role bit (live or not), for enumeration.
_holders: HashMap[uint256, DynArray[address, MAX_HOLDERS]]

# @dev Position of an account in a role bit's holder list.
_holder_index: HashMap[uint256, HashMap[address, uint256]]

# @dev Accounts per organisation that hold ADMIN.
_admin_accounts: HashMap[uint256, uint256]

# @dev Active organisations with at least one ADMIN account.
live_admin_orgs: public(uint256)

# @dev Distinct approving organisations a proposal needs.
threshold: public(uint256)

# @dev Seconds a proposal stays open for approval and execution.
proposal_lifetime: public(uint256)

# @dev Number of proposals ever made; ids run from 1.
proposal_count: public(uint256)

# @dev Every proposal, kept after execution or cancellation for audit.
proposals: public(HashMap[uint256, Proposal])

# @dev Organisations that approved a proposal, in approval order.
_approving_orgs: HashMap[uint256, DynArray[uint256, MAX_ORGS]]

# @dev The account that approved a proposal on behalf of an organisation.
approver_of: public(HashMap[uint256, HashMap[uint256, address]])

# @dev Node allowlist keyed by keccak256(enode high, enode low, ip, port).
node_allowed: public(HashMap[bytes32, bool])

# @dev Number of allowed nodes.
node_count: public(uint256)

# @dev Contracts that the message bus must never call (security contracts).
is_protected: public(HashMap[address, bool])


# @dev A proposal was made; the proposer's organisation approves it at once.
event Proposed:
    proposal_id: indexed(uint256)
    proposer: indexed(address)
    org_id: uint256
    action: uint8
    args: Bytes[MAX_ARGS]
    reason: bytes32
    expires_at: uint256

# @dev An organisation approved a proposal; approvals is the live count after it.
event Approved:
    proposal_id: indexed(uint256)
    approver: indexed(address)
    org_id: uint256
    approvals: uint256

# @dev A proposal took effect.
event Executed:
    proposal_id: indexed(uint256)
    executor: indexed(address)
    action: uint8
    reason: bytes32

# @dev The proposer withdrew a proposal.
event Cancelled:
    proposal_id: indexed(uint256)
    proposer: indexed(address)

# @dev An organisation joined (proposal_id 0: seeded by the constructor).
event OrganisationAdded:
    org_id: indexed(uint256)
    name: String[64]
    kind: uint8
    did: address
    proposal_id: uint256
    reason: bytes32

# @dev An organisation was suspended, reinstated or removed.
event OrganisationStatusChanged:
    org_id: indexed(uint256)
    status: uint8
    proposal_id: uint256
    reason: bytes32

# @dev An account joined an organisation.
event AccountAdded:
    account: indexed(address)
    org_id: indexed(uint256)
    proposal_id: uint256
    reason: bytes32

# @dev An account left its organisation, losing every role.
event AccountRemoved:
    account: indexed(address)
    org_id: indexed(uint256)
    proposal_id: uint256
    reason: bytes32

# @dev Role flags were granted (or their expiry changed); expiry 0 = none.
event RoleGranted:
    account: indexed(address)
    role: uint256
    expiry: uint256
    proposal_id: uint256
    reason: bytes32

# @dev Role flags were revoked.
event RoleRevoked:
    account: indexed(address)
    role: uint256
    proposal_id: uint256
    reason: bytes32

# @dev The number of distinct approving organisations changed.
event ThresholdChanged:
    threshold: uint256
    proposal_id: uint256
    reason: bytes32

# @dev An organisation's DID identity address changed.
event DidChanged:
    org_id: indexed(uint256)
    did: address
    proposal_id: uint256
    reason: bytes32

# @dev A node was added to or removed from the allowlist.
event NodeChanged:
    node_id: indexed(bytes32)
    enode_high: bytes32
    enode_low: bytes32
    ip: bytes16
    port: uint16
    allowed: bool
    proposal_id: uint256
    reason: bytes32

# @dev A contract was marked as protected (or unmarked).
event ProtectionChanged:
    target: indexed(address)
    protected: bool
    proposal_id: uint256
    reason: bytes32

# @dev An approved proposal called another contract.
event CallExecuted:
    target: indexed(address)
    data: Bytes[MAX_CALL]
    proposal_id: uint256
    reason: bytes32


@deploy
def __init__(
    names: DynArray[String[64], MAX_ORGS],
    kinds: DynArray[uint8, MAX_ORGS],
    dids: DynArray[address, MAX_ORGS],
    admins: DynArray[address, MAX_SEED_ACCOUNTS],
    admin_orgs: DynArray[uint256, MAX_SEED_ACCOUNTS],
    threshold: uint256,
    proposal_lifetime: uint256,
):
    """
    @notice Seed the first organisations, their ADMIN accounts and the threshold.
    @param names Organisation names; ids are assigned 1, 2, ... in this order.
    @param kinds Organisation kinds, one per name (1 customs ... 6 other).
    @param dids DID identity address per organisation (zero for none).
    @param admins Accounts that receive ADMIN.
    @param admin_orgs Organisation id of each admin account, one per admin.
    @param threshold Distinct approving organisations a proposal needs.
    @param proposal_lifetime Seconds a proposal stays open.
    """
    assert len(names) > 0, "consortium: no organisations"
    assert len(kinds) == len(names) and len(dids) == len(names), "consortium: seed length mismatch"
    assert len(admin_orgs) == len(admins), "consortium: seed length mismatch"
    assert proposal_lifetime >= MIN_LIFETIME and proposal_lifetime <= MAX_LIFETIME, "consortium: bad lifetime"
    for i: uint256 in range(MAX_ORGS):
        if i >= len(names):
            break
        self._check_new_org(names[i], kinds[i], dids[i])
        self._add_org(names[i], kinds[i], dids[i], 0, empty(bytes32))
    for i: uint256 in range(MAX_SEED_ACCOUNTS):
        if i >= len(admins):
            break
        self._check_add_account(admin_orgs[i], admins[i])
        self._add_account(admin_orgs[i], admins[i], 0, empty(bytes32))
        self._grant(admins[i], ADMIN, 0, 0, empty(bytes32))
    assert threshold >= 1 and threshold <= self.live_admin_orgs, "consortium: bad threshold"
    self.threshold = threshold
    self.proposal_lifetime = proposal_lifetime
    log ThresholdChanged(threshold=threshold, proposal_id=0, reason=empty(bytes32))


# ---------------------------------------------------------------- queries


@view
@external
def has_role(account: address, role: uint256) -> bool:
    """
    @notice True while `account`, its organisation and every grant in `role` are live.
    @param account The account asked about.
    @param role One or more role flags; all must be held (0 or unknown flags: false).
    @return Whether the account may act in that role now.
    """
    return self._org_with_role(account, role) != 0


@view
@external
def org_with_role(account: address, role: uint256) -> uint256:
    """
    @notice The organisation of `account` if it holds every flag in `role` live.
    @param account The account asked about.
    @param role One or more role flags.
    @return The organisation id, or 0 if the account may not act in that role.
    """
    return self._org_with_role(account, role)


@view
@external
def roles_of(account: address) -> uint256:
    """
    @notice The role flags `account` holds live now (0 if its organisation is not active).
    @param account The account asked about.
    @return A flag set (see trustspace.roles.Role).
    """
    live: uint256 = 0
    for i: uint256 in range(ROLE_COUNT):
        if self._org_with_role(account, 1 << i) != 0:
            live |= 1 << i
    return live


@view
@external
def role_expiry(account: address, role: uint256) -> uint256:
    """
    @notice When the grant of a single role flag to `account` expires (0: never or not held).
    @param account The account asked about.
    @param role Exactly one role flag.
    @return Expiry as a unix timestamp.
    """
    assert role != 0 and role & (role - 1) == 0 and role & ALL_ROLES == role, "consortium: unknown role"
    return self._expiry_of(self._membership[account], self._bit_index(role))


@view
@external
def org_of(account: address) -> uint256:
    """
    @notice The organisation `account` belongs to.
    @param account The account asked about.
    @return Organisation id, 0 if none.
    """
    return self._membership[account] & ORG_MASK


@view
@external
def is_org_live(org_id: uint256) -> bool:
    """
    @notice True while organisation `org_id` exists and is active.
    @param org_id Organisation id.
    @return Whether the organisation is active.
    """
    return self.org_status[org_id] == STATUS_ACTIVE


@view
@external
def organisation(org_id: uint256) -> Organisation:
    """
    @notice Name, kind, status and DID address of an organisation.
    @param org_id Organisation id.
    @return The organisation (status 0 if unknown).
    """
    org: Organisation = self._orgs[org_id]
    org.status = self.org_status[org_id]
    return org


@view
@external
def organisations() -> DynArray[uint256, MAX_ORGS]:
    """
    @notice Ids of every organisation ever added, whatever its status.
    @return Organisation ids in order of joining.
    """
    ids: DynArray[uint256, MAX_ORGS] = []
    for i: uint256 in range(1, MAX_ORGS + 1):
        if i > self.org_count:
            break
        ids.append(i)
    return ids


@view
@external
def accounts_of(org_id: uint256) -> DynArray[address, MAX_ACCOUNTS_PER_ORG]:
    """
    @notice Accounts registered to an organisation.
    @param org_id Organisation id.
    @return The accounts, in no guaranteed order.
    """
    return self._org_accounts[org_id]


@view
@external
def holders_of(role: uint256) -> DynArray[address, MAX_HOLDERS]:
    """
    @notice Accounts holding a single role flag live now.
    @param role Exactly one role flag.
    @return The live holders, in no guaranteed order.
    """
    assert role != 0 and role & (role - 1) == 0 and role & ALL_ROLES == role, "consortium: unknown role"
    live: DynArray[address, MAX_HOLDERS] = []
    for account: address in self._holders[self._bit_index(role)]:
        if self._org_with_role(account, role) != 0:
            live.append(account)
    return live


@view
@external
def approving_orgs(proposal_id: uint256) -> DynArray[uint256, MAX_ORGS]:
    """
    @notice Organisations that approved a proposal (whether their approval still counts or not).
    @param proposal_id Proposal id.
    @return Organisation ids in approval order.
    """
    return self._approving_orgs[proposal_id]


@view
@external
def approvals(proposal_id: uint256) -> uint256:
    """
    @notice Approvals that count now: distinct organisations whose approving account still holds ADMIN in it.
    @param proposal_id Proposal id.
    @return The number of distinct live approving organisations.
    """
    return self._live_approvals(proposal_id)


@view
@external
def is_executable(proposal_id: uint256) -> bool:
    """
    @notice True if the proposal is open, unexpired and has enough live approvals.
    @param proposal_id Proposal id.
    @return Whether `execute` would pass its governance checks now.
    """
    p: Proposal = self.proposals[proposal_id]
    return (
        p.status == PROPOSAL_OPEN
        and block.timestamp < p.expires_at
        and self._live_approvals(proposal_id) >= self.threshold
    )


@view
@external
def transactionAllowed(
    sender: address,
    target: address,
    tx_value: uint256,
    gasPrice: uint256,
    gasLimit: uint256,
    payload: Bytes[MAX_PAYLOAD],
) -> bool:
    """
    @notice Account allowlist for permissioned clients: may `sender` send transactions?
    @dev Only the sender matters: any account of an active organisation may transact.
    @param sender The transaction's sender.
    @param target Its recipient (unused).
    @param tx_value Its value (unused).
    @param gasPrice Its gas price (unused).
    @param gasLimit Its gas limit (unused).
    @param payload Its data (unused).
    @return Whether the transaction is allowed.
    """
    org: uint256 = self._membership[sender] & ORG_MASK
    return org != 0 and self.org_status[org] == STATUS_ACTIVE


@view
@external
def connectionAllowed(enodeHigh: bytes32, enodeLow: bytes32, enodeIp: bytes16, enodePort: uint16) -> bool:
    """
    @notice Node allowlist for permissioned clients: may this node connect?
    @param enodeHigh First 32 bytes of the node's public key.
    @param enodeLow Last 32 bytes of the node's public key.
    @param enodeIp IPv6 (or IPv4-mapped) address.
    @param enodePort Listening port.
    @return Whether the node is on the allowlist.
    """
    return self.node_allowed[self._node_id(enodeHigh, enodeLow, enodeIp, enodePort)]


@pure
@external
def node_id(enodeHigh: bytes32, enodeLow: bytes32, enodeIp: bytes16, enodePort: uint16) -> bytes32:
    """
    @notice The allowlist key of a node.
    @param enodeHigh First 32 bytes of the node's public key.
    @param enodeLow Last 32 bytes of the node's public key.
    @param enodeIp IPv6 (or IPv4-mapped) address.
    @param enodePort Listening port.
    @return keccak256 of the four values, packed.
    """
    return self._node_id(enodeHigh, enodeLow, enodeIp, enodePort)


# ------------------------------------------------------------- governance


@external
def propose(action: uint8, args: Bytes[MAX_ARGS], reason: bytes32) -> uint256:
    """
    @notice Propose a change; the proposer's organisation approves it at once.
    @param action One of the actions (trustspace.roles.Action).
    @param args The action's arguments, ABI-encoded (trustspace.governance encodes them).
    @param reason Hash of the human-readable justification, carried by every event.
    @return The new proposal id.
    """
    org: uint256 = self._org_with_role(msg.sender, ADMIN)
    assert org != 0, "consortium: not admin"
    assert action >= ADD_ORG and action <= CALL, "consortium: unknown action"
    self._check(action, args)
    proposal_id: uint256 = self.proposal_count + 1
    self.proposal_count = proposal_id
    expires_at: uint256 = block.timestamp + self.proposal_lifetime
    self.proposals[proposal_id] = Proposal(
        action=action,
        status=PROPOSAL_OPEN,
        proposer=msg.sender,
        proposer_org=org,
        created_at=block.timestamp,
        expires_at=expires_at,
        reason=reason,
        args=args,
    )
    log Proposed(
        proposal_id=proposal_id,
        proposer=msg.sender,
        org_id=org,
        action=action,
        args=args,
        reason=reason,
        expires_at=expires_at,
    )
    self._approve(proposal_id, org)
    return proposal_id


@external
def approve(proposal_id: uint256):
    """
    @notice Approve a proposal on behalf of the caller's organisation.
    @dev An organisation approves once; another of its admins may approve again only
         if the earlier approving account no longer holds ADMIN there.
    @param proposal_id Proposal id.
    """
    org: uint256 = self._org_with_role(msg.sender, ADMIN)
    assert org != 0, "consortium: not admin"
    self._assert_open(proposal_id)
    previous: address = self.approver_of[proposal_id][org]
    assert previous == empty(address) or not self._approval_counts(previous, org), "consortium: org already approved"
    self._approve(proposal_id, org)


@external
@nonreentrant
def execute(proposal_id: uint256):
    """
    @notice Carry out a proposal that enough distinct organisations approved.
    @param proposal_id Proposal id.
    """
    assert self._org_with_role(msg.sender, ADMIN) != 0, "consortium: not admin"
    self._assert_open(proposal_id)
    assert self._live_approvals(proposal_id) >= self.threshold, "consortium: not enough approvals"
    # Marked before acting: a CALL target that re-enters sees it executed.
    self.proposals[proposal_id].status = PROPOSAL_EXECUTED
    p: Proposal = self.proposals[proposal_id]
    self._check(p.action, p.args)
    self._apply(p.action, p.args, proposal_id, p.reason)
    assert self.threshold <= self.live_admin_orgs, "consortium: threshold above admin orgs"
    log Executed(proposal_id=proposal_id, executor=msg.sender, action=p.action, reason=p.reason)


@external
def cancel(proposal_id: uint256):
    """
    @notice Withdraw an open proposal; only its proposer may.
    @param proposal_id Proposal id.
    """
    assert self.proposals[proposal_id].status == PROPOSAL_OPEN, "consortium: proposal not open"
    assert self.proposals[proposal_id].proposer == msg.sender, "consortium: not proposer"
    self.proposals[proposal_id].status = PROPOSAL_CANCELLED
    log Cancelled(proposal_id=proposal_id, proposer=msg.sender)


# --------------------------------------------------------------- internal


@view
@internal
def _org_with_role(account: address, role: uint256) -> uint256:
    if role == 0 or role & ALL_ROLES != role:
        return 0
    word: uint256 = self._membership[account]
    org: uint256 = word & ORG_MASK
    if org == 0 or self.org_status[org] != STATUS_ACTIVE:
        return 0
    flags: uint256 = (word >> FLAGS_SHIFT) & ALL_ROLES
    if flags & role != role:
        return 0
    for i: uint256 in range(ROLE_COUNT):
        if role & (1 << i) != 0:
            expiry: uint256 = self._expiry_of(word, i)
            if expiry != 0 and expiry <= block.timestamp:
                return 0
    return org


@pure
@internal
def _expiry_of(word: uint256, bit: uint256) -> uint256:
    return (word >> (EXPIRY_SHIFT + EXPIRY_BITS * bit)) & EXPIRY_MASK


@pure
@internal
def _bit_index(role: uint256) -> uint256:
    for i: uint256 in range(ROLE_COUNT):
        if role == 1 << i:
            return i
    raise "consortium: unknown role"


@pure
@internal
def _node_id(high: bytes32, low: bytes32, ip: bytes16, port: uint16) -> bytes32:
    return keccak256(concat(high, low, ip, convert(port, bytes2)))


@view
@internal
def _approval_counts(approver: address, org: uint256) -> bool:
    # The approver must still be an ADMIN of the same, live organisation.
    return self._org_with_role(approver, ADMIN) == org


@view
@internal
def _live_approvals(proposal_id: uint256) -> uint256:
    count: uint256 = 0
    for org: uint256 in self._approving_orgs[proposal_id]:
        if self._approval_counts(self.approver_of[proposal_id][org], org):
            count += 1
    return count


@view
@internal
def _assert_open(proposal_id: uint256):
    p_status: uint8 = self.proposals[proposal_id].status
    assert p_status != 0, "consortium: unknown proposal"
    assert p_status == PROPOSAL_OPEN, "consortium: proposal not open"
    assert block.timestamp < self.proposals[proposal_id].expires_at, "consortium: proposal expired"


@internal
def _approve(proposal_id: uint256, org: uint256):
    if self.approver_of[proposal_id][org] == empty(address):
        self._approving_orgs[proposal_id].append(org)
    self.approver_of[proposal_id][org] = msg.sender
    log Approved(
        proposal_id=proposal_id,
        approver=msg.sender,
        org_id=org,
        approvals=self._live_approvals(proposal_id),
    )


@view
@internal
def _is_admin_org(org: uint256) -> bool:
    return self.org_status[org] == STATUS_ACTIVE and self._admin_accounts[org] > 0


@internal
def _recount(org: uint256, was_admin_org: bool):
    now_admin_org: bool = self._is_admin_org(org)
    if was_admin_org and not now_admin_org:
        self.live_admin_orgs -= 1
    elif now_admin_org and not was_admin_org:
        self.live_admin_orgs += 1


@view
@internal
def _check_new_org(name: String[64], kind: uint8, did: address):
    assert len(name) > 0, "consortium: empty name"
    assert kind >= KIND_MIN and kind <= KIND_MAX, "consortium: unknown kind"
    assert did == empty(address) or self.org_by_did[did] == 0, "consortium: did in use"
    assert self.org_count < MAX_ORGS, "consortium: too many organisations"


@view
@internal
def _check_add_account(org: uint256, account: address):
    assert account != empty(address), "consortium: zero account"
    assert self.org_status[org] != STATUS_NONE, "consortium: unknown organisation"
    assert self.org_status[org] == STATUS_ACTIVE, "consortium: organisation not active"
    assert self._membership[account] & ORG_MASK == 0, "consortium: account already registered"
    assert len(self._org_accounts[org]) < MAX_ACCOUNTS_PER_ORG, "consortium: organisation full"


@view
@internal
def _check_roles(roles: uint256):
    assert roles != 0 and roles & ALL_ROLES == roles, "consortium: unknown role"


@view
@internal
def _check_registered(account: address):
    assert self._membership[account] & ORG_MASK != 0, "consortium: unknown account"


@view
@internal
def _check_org_exists(org: uint256):
    assert self.org_status[org] != STATUS_NONE, "consortium: unknown organisation"


@view
@internal
def _check(action: uint8, args: Bytes[MAX_ARGS]):
    # The preconditions of each action, asserted when it is proposed (early,
    # clear errors) and again when it executes (state may have moved on).
    if action == ADD_ORG:
        name: String[64] = empty(String[64])
        kind: uint8 = 0
        did: address = empty(address)
        name, kind, did = abi_decode(args, (String[64], uint8, address))
        self._check_new_org(name, kind, did)
    elif action == SUSPEND_ORG:
        org: uint256 = abi_decode(args, uint256)
        self._check_org_exists(org)
        assert self.org_status[org] == STATUS_ACTIVE, "consortium: organisation not active"
    elif action == REINSTATE_ORG:
        org: uint256 = abi_decode(args, uint256)
        self._check_org_exists(org)
        assert self.org_status[org] == STATUS_SUSPENDED, "consortium: organisation not suspended"
    elif action == REMOVE_ORG:
        org: uint256 = abi_decode(args, uint256)
        self._check_org_exists(org)
        assert self.org_status[org] != STATUS_REMOVED, "consortium: organisation removed"
    elif action == ADD_ACCOUNT:
        org: uint256 = 0
        account: address = empty(address)
        org, account = abi_decode(args, (uint256, address))
        self._check_add_account(org, account)
    elif action == REMOVE_ACCOUNT:
        account: address = abi_decode(args, address)
        self._check_registered(account)
    elif action == GRANT_ROLE:
        account: address = empty(address)
        roles: uint256 = 0
        expiry: uint256 = 0
        account, roles, expiry = abi_decode(args, (address, uint256, uint256))
        self._check_registered(account)
        self._check_roles(roles)
        assert self.org_status[self._membership[account] & ORG_MASK] == STATUS_ACTIVE, "consortium: organisation not active"
        assert expiry == 0 or expiry > block.timestamp, "consortium: expiry in the past"
        assert expiry <= EXPIRY_MASK, "consortium: expiry too far"
        assert roles & ADMIN == 0 or expiry == 0, "consortium: admin grant cannot expire"
    elif action == REVOKE_ROLE:
        account: address = empty(address)
        roles: uint256 = 0
        account, roles = abi_decode(args, (address, uint256))
        self._check_registered(account)
        self._check_roles(roles)
        flags: uint256 = (self._membership[account] >> FLAGS_SHIFT) & ALL_ROLES
        assert flags & roles == roles, "consortium: role not held"
    elif action == SET_THRESHOLD:
        new_threshold: uint256 = abi_decode(args, uint256)
        assert new_threshold >= 1 and new_threshold <= self.live_admin_orgs, "consortium: bad threshold"
    elif action == SET_DID:
        org: uint256 = 0
        did: address = empty(address)
        org, did = abi_decode(args, (uint256, address))
        self._check_org_exists(org)
        assert self.org_status[org] != STATUS_REMOVED, "consortium: organisation removed"
        assert did == empty(address) or self.org_by_did[did] == 0, "consortium: did in use"
    elif action == ADD_NODE or action == REMOVE_NODE:
        high: bytes32 = empty(bytes32)
        low: bytes32 = empty(bytes32)
        ip: bytes16 = empty(bytes16)
        port: uint16 = 0
        high, low, ip, port = abi_decode(args, (bytes32, bytes32, bytes16, uint16))
        allowed: bool = self.node_allowed[self._node_id(high, low, ip, port)]
        if action == ADD_NODE:
            assert not allowed, "consortium: node already allowed"
        else:
            assert allowed, "consortium: node not allowed"
    elif action == SET_PROTECTED:
        target: address = empty(address)
        protected: bool = False
        target, protected = abi_decode(args, (address, bool))
        assert target != empty(address), "consortium: zero target"
        assert self.is_protected[target] != protected, "consortium: protection unchanged"
    elif action == CALL:
        target: address = empty(address)
        data: Bytes[MAX_CALL] = b""
        target, data = abi_decode(args, (address, Bytes[MAX_CALL]))
        assert target != self, "consortium: call to self"
        assert target.is_contract, "consortium: call target has no code"
    else:
        raise "consortium: unknown action"


@internal
def _apply(action: uint8, args: Bytes[MAX_ARGS], proposal_id: uint256, reason: bytes32):
    if action == ADD_ORG:
        name: String[64] = empty(String[64])
        kind: uint8 = 0
        did: address = empty(address)
        name, kind, did = abi_decode(args, (String[64], uint8, address))
        self._add_org(name, kind, did, proposal_id, reason)
    elif action == SUSPEND_ORG:
        self._set_status(abi_decode(args, uint256), STATUS_SUSPENDED, proposal_id, reason)
    elif action == REINSTATE_ORG:
        self._set_status(abi_decode(args, uint256), STATUS_ACTIVE, proposal_id, reason)
    elif action == REMOVE_ORG:
        self._set_status(abi_decode(args, uint256), STATUS_REMOVED, proposal_id, reason)
    elif action == ADD_ACCOUNT:
        org: uint256 = 0
        account: address = empty(address)
        org, account = abi_decode(args, (uint256, address))
        self._add_account(org, account, proposal_id, reason)
    elif action == REMOVE_ACCOUNT:
        self._remove_account(abi_decode(args, address), proposal_id, reason)
    elif action == GRANT_ROLE:
        account: address = empty(address)
        roles: uint256 = 0
        expiry: uint256 = 0
        account, roles, expiry = abi_decode(args, (address, uint256, uint256))
        self._grant(account, roles, expiry, proposal_id, reason)
    elif action == REVOKE_ROLE:
        account: address = empty(address)
        roles: uint256 = 0
        account, roles = abi_decode(args, (address, uint256))
        self._revoke(account, roles, proposal_id, reason)
    elif action == SET_THRESHOLD:
        new_threshold: uint256 = abi_decode(args, uint256)
        self.threshold = new_threshold
        log ThresholdChanged(threshold=new_threshold, proposal_id=proposal_id, reason=reason)
    elif action == SET_DID:
        org: uint256 = 0
        did: address = empty(address)
        org, did = abi_decode(args, (uint256, address))
        old: address = self._orgs[org].did
        if old != empty(address):
            self.org_by_did[old] = 0
        if did != empty(address):
            self.org_by_did[did] = org
        self._orgs[org].did = did
        log DidChanged(org_id=org, did=did, proposal_id=proposal_id, reason=reason)
    elif action == ADD_NODE or action == REMOVE_NODE:
        high: bytes32 = empty(bytes32)
        low: bytes32 = empty(bytes32)
        ip: bytes16 = empty(bytes16)
        port: uint16 = 0
        high, low, ip, port = abi_decode(args, (bytes32, bytes32, bytes16, uint16))
        node: bytes32 = self._node_id(high, low, ip, port)
        allowed: bool = action == ADD_NODE
        self.node_allowed[node] = allowed
        if allowed:
            self.node_count += 1
        else:
            self.node_count -= 1
        log NodeChanged(
            node_id=node,
            enode_high=high,
            enode_low=low,
            ip=ip,
            port=port,
            allowed=allowed,
            proposal_id=proposal_id,
            reason=reason,
        )
    elif action == SET_PROTECTED:
        target: address = empty(address)
        protected: bool = False
        target, protected = abi_decode(args, (address, bool))
        self.is_protected[target] = protected
        log ProtectionChanged(target=target, protected=protected, proposal_id=proposal_id, reason=reason)
    elif action == CALL:
        target: address = empty(address)
        data: Bytes[MAX_CALL] = b""
        target, data = abi_decode(args, (address, Bytes[MAX_CALL]))
        # Reverts bubble up: a failing call leaves the proposal open.
        raw_call(target, data)
        log CallExecuted(target=target, data=data, proposal_id=proposal_id, reason=reason)


@internal
def _add_org(name: String[64], kind: uint8, did: address, proposal_id: uint256, reason: bytes32):
    org: uint256 = self.org_count + 1
    self.org_count = org
    self._orgs[org] = Organisation(name=name, kind=kind, status=STATUS_ACTIVE, did=did)
    self.org_status[org] = STATUS_ACTIVE
    if did != empty(address):
        self.org_by_did[did] = org
    log OrganisationAdded(org_id=org, name=name, kind=kind, did=did, proposal_id=proposal_id, reason=reason)


@internal
def _set_status(org: uint256, status: uint8, proposal_id: uint256, reason: bytes32):
    was_admin_org: bool = self._is_admin_org(org)
    self.org_status[org] = status
    self._recount(org, was_admin_org)
    log OrganisationStatusChanged(org_id=org, status=status, proposal_id=proposal_id, reason=reason)


@internal
def _add_account(org: uint256, account: address, proposal_id: uint256, reason: bytes32):
    self._membership[account] = org
    self._account_index[account] = len(self._org_accounts[org])
    self._org_accounts[org].append(account)
    log AccountAdded(account=account, org_id=org, proposal_id=proposal_id, reason=reason)


@internal
def _remove_account(account: address, proposal_id: uint256, reason: bytes32):
    org: uint256 = self._membership[account] & ORG_MASK
    flags: uint256 = (self._membership[account] >> FLAGS_SHIFT) & ALL_ROLES
    if flags != 0:
        self._revoke(account, flags, proposal_id, reason)
    # Swap-and-pop keeps the enumeration dense.
    index: uint256 = self._account_index[account]
    last: address = self._org_accounts[org][len(self._org_accounts[org]) - 1]
    self._org_accounts[org][index] = last
    self._account_index[last] = index
    self._org_accounts[org].pop()
    self._account_index[account] = 0
    self._membership[account] = 0
    log AccountRemoved(account=account, org_id=org, proposal_id=proposal_id, reason=reason)


@internal
def _grant(account: address, roles: uint256, expiry: uint256, proposal_id: uint256, reason: bytes32):
    word: uint256 = self._membership[account]
    org: uint256 = word & ORG_MASK
    was_admin_org: bool = self._is_admin_org(org)
    flags: uint256 = (word >> FLAGS_SHIFT) & ALL_ROLES
    for i: uint256 in range(ROLE_COUNT):
        bit: uint256 = 1 << i
        if roles & bit == 0:
            continue
        if flags & bit == 0:
            assert len(self._holders[i]) < MAX_HOLDERS, "consortium: too many holders"
            self._holder_index[i][account] = len(self._holders[i])
            self._holders[i].append(account)
            if bit == ADMIN:
                self._admin_accounts[org] += 1
        offset: uint256 = EXPIRY_SHIFT + EXPIRY_BITS * i
        word = (word & ~(EXPIRY_MASK << offset)) | (expiry << offset)
    word |= roles << FLAGS_SHIFT
    self._membership[account] = word
    self._recount(org, was_admin_org)
    log RoleGranted(account=account, role=roles, expiry=expiry, proposal_id=proposal_id, reason=reason)


@internal
def _revoke(account: address, roles: uint256, proposal_id: uint256, reason: bytes32):
    word: uint256 = self._membership[account]
    org: uint256 = word & ORG_MASK
    was_admin_org: bool = self._is_admin_org(org)
    for i: uint256 in range(ROLE_COUNT):
        bit: uint256 = 1 << i
        if roles & bit == 0:
            continue
        index: uint256 = self._holder_index[i][account]
        last: address = self._holders[i][len(self._holders[i]) - 1]
        self._holders[i][index] = last
        self._holder_index[i][last] = index
        self._holders[i].pop()
        self._holder_index[i][account] = 0
        if bit == ADMIN:
            self._admin_accounts[org] -= 1
        word &= ~(EXPIRY_MASK << (EXPIRY_SHIFT + EXPIRY_BITS * i))
    word &= ~(roles << FLAGS_SHIFT)
    self._membership[account] = word
    self._recount(org, was_admin_org)
    log RoleRevoked(account=account, role=roles, proposal_id=proposal_id, reason=reason)
