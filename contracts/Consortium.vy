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
        A proposal needs the larger of the threshold when it was made and the
        threshold now: raising the threshold binds open proposals, lowering it
        never makes an older proposal executable with fewer organisations.
        Only a live ADMIN of the proposing organisation may cancel.
"""

from interfaces import IConsortium

implements: IConsortium


interface _HubLink:
    def consortium() -> address: view
    def hub_chain() -> uint256: view
    def announce(org_id: uint256, proposal_id: uint256, reason: bytes32): nonpayable


# @dev Role flag: proposes, approves and executes governance.
ADMIN: public(constant(uint256)) = 1


# @dev Role flag: attests and revokes in the Notary.
NOTARY: public(constant(uint256)) = 2


# @dev Role flag: issues credentials.
ISSUER: public(constant(uint256)) = 4


# @dev Role flag: signs message-bus checkpoints.
VALIDATOR: public(constant(uint256)) = 8


# @dev Role flag: delivers message-bus messages.
RELAYER: public(constant(uint256)) = 16


# @dev Role flag: reads audit data.
AUDITOR: public(constant(uint256)) = 32


# @dev Every role flag (Role in trustspace/consortium/constants.py mirrors them).
_ALL_ROLES: constant(uint256) = 63


# @dev Number of role flags.
_ROLE_COUNT: constant(uint256) = 6


# @dev Organisation kinds run from 1 (customs) to 6 (other) (OrgKind).
_KIND_MIN: constant(uint8) = 1


# @dev Largest organisation kind.
_KIND_MAX: constant(uint8) = 6


# @dev Organisation statuses (OrgStatus); removed is final.
_STATUS_NONE: constant(uint8) = 0


# @dev An active organisation: its accounts may act.
_STATUS_ACTIVE: constant(uint8) = 1


# @dev A suspended organisation: no rights until reinstated.
_STATUS_SUSPENDED: constant(uint8) = 2


# @dev A removed organisation: never regains rights.
_STATUS_REMOVED: constant(uint8) = 3


# @dev Proposal statuses (ProposalStatus); expiry is derived from time.
_PROPOSAL_OPEN: constant(uint8) = 1


# @dev A proposal that took effect.
_PROPOSAL_EXECUTED: constant(uint8) = 2


# @dev A proposal withdrawn by its organisation.
_PROPOSAL_CANCELLED: constant(uint8) = 3


# @dev Governance actions (Action); each has one argument layout, decoded
#      once by `_decode`.
_ADD_ORG: constant(uint8) = 1


# @dev Action: suspend an organisation.
_SUSPEND_ORG: constant(uint8) = 2


# @dev Action: reinstate a suspended organisation.
_REINSTATE_ORG: constant(uint8) = 3


# @dev Action: remove an organisation for good.
_REMOVE_ORG: constant(uint8) = 4


# @dev Action: register an account to an organisation.
_ADD_ACCOUNT: constant(uint8) = 5


# @dev Action: remove an account (drops every role).
_REMOVE_ACCOUNT: constant(uint8) = 6


# @dev Action: grant role flags, with an optional expiry.
_GRANT_ROLE: constant(uint8) = 7


# @dev Action: revoke role flags.
_REVOKE_ROLE: constant(uint8) = 8


# @dev Action: change the threshold.
_SET_THRESHOLD: constant(uint8) = 9


# @dev Action: change an organisation's DID identity address.
_SET_DID: constant(uint8) = 10


# @dev Action: allow a node.
_ADD_NODE: constant(uint8) = 11


# @dev Action: disallow a node.
_REMOVE_NODE: constant(uint8) = 12


# @dev Action: mark or unmark a contract the message bus must never call.
_SET_PROTECTED: constant(uint8) = 13


# @dev Action: call another contract.
_CALL: constant(uint8) = 14


# @dev Action: bind this Consortium to its HubLink, as the hub or as a domain chain (once).
_BIND: constant(uint8) = 19


# @dev Capacities: bounded so that every view and loop has a gas ceiling.
#      The proposal header packs a threshold into 8 bits: MAX_ORGS < 256.
_MAX_ORGS: constant(uint256) = 64


# @dev Largest number of admin accounts seeded by the constructor.
_MAX_SEED_ACCOUNTS: constant(uint256) = 64


# @dev Largest number of accounts of one organisation.
_MAX_ACCOUNTS_PER_ORG: constant(uint256) = 32


# @dev Largest number of holders of one role flag.
_MAX_HOLDERS: constant(uint256) = 256


# @dev Longest ABI-encoded argument list of a proposal.
_MAX_ARGS: constant(uint256) = 4_096


# @dev Longest calldata of a CALL action (its args add two words).
_MAX_CALL: constant(uint256) = 3_968


# @dev Longest payload `transactionAllowed` accepts.
_MAX_PAYLOAD: constant(uint256) = 1_048_576


# @dev Shortest proposal lifetime (one hour).
_MIN_LIFETIME: constant(uint256) = 3_600


# @dev Longest proposal lifetime (90 days).
_MAX_LIFETIME: constant(uint256) = 90 * 86_400


# @dev An account's membership packs into one word so that `has_role` costs
#      two storage reads: bits 0-31 organisation id, 32-39 role flags, then
#      one 36-bit expiry per role (0 = no expiry) from bit 40 upwards.
_ORG_MASK: constant(uint256) = 2**32 - 1


# @dev Position of the role flags in a membership word.
_FLAGS_SHIFT: constant(uint256) = 32


# @dev Position of the first role's expiry in a membership word.
_EXPIRY_SHIFT: constant(uint256) = 40


# @dev Width of one role's expiry.
_EXPIRY_BITS: constant(uint256) = 36


# @dev Mask of one role's expiry once shifted down.
_EXPIRY_MASK: constant(uint256) = 2**36 - 1


# @dev A proposal header packs into one word so that approve, execute and
#      cancel read one slot: bits 0-7 status, 8-15 action, 16-23 threshold
#      at proposal time, 24-55 proposer's organisation, 56-119 created_at,
#      120-183 expires_at (unix seconds below 2**64).
_BYTE_MASK: constant(uint256) = 2**8 - 1


# @dev Mask of a 64-bit timestamp field.
_TIME_MASK: constant(uint256) = 2**64 - 1


# @dev Position of the action in a proposal header.
_ACTION_SHIFT: constant(uint256) = 8


# @dev Position of the threshold snapshot in a proposal header.
_THRESHOLD_SHIFT: constant(uint256) = 16


# @dev Position of the proposer's organisation in a proposal header.
_PROPOSER_ORG_SHIFT: constant(uint256) = 24


# @dev Position of created_at in a proposal header.
_CREATED_SHIFT: constant(uint256) = 56


# @dev Position of expires_at in a proposal header.
_EXPIRES_SHIFT: constant(uint256) = 120


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
    args: Bytes[_MAX_ARGS]


struct _StoredProposal:
    head: uint256
    proposer: address
    reason: bytes32
    args: Bytes[_MAX_ARGS]


struct _Args:
    # Every argument any action takes; `_decode` fills those of one action.
    org: uint256
    account: address
    roles: uint256
    expiry: uint256
    threshold: uint256
    name: String[64]
    kind: uint8
    did: address
    enode_high: bytes32
    enode_low: bytes32
    ip: bytes16
    port: uint16
    target: address
    protected: bool
    data: Bytes[_MAX_CALL]


# @dev Number of organisations ever added; ids run from 1 to org_count.
org_count: public(uint256)


# @dev Status of each organisation, apart so that has_role reads one word.
org_status: public(HashMap[uint256, uint8])


# @dev Organisation whose DID identity is this address (0 if none).
org_by_did: public(HashMap[address, uint256])


# @dev Active organisations with at least one ADMIN account.
live_admin_orgs: public(uint256)


# @dev Distinct approving organisations a new proposal needs.
threshold: public(uint256)


# @dev Seconds a proposal stays open for approval and execution.
proposal_lifetime: public(uint256)


# @dev Number of proposals ever made; ids run from 1.
proposal_count: public(uint256)


# @dev The account that approved a proposal on behalf of an organisation.
approver_of: public(HashMap[uint256, HashMap[uint256, address]])


# @dev Node allowlist keyed by keccak256(enode high, enode low, ip, port).
node_allowed: public(HashMap[bytes32, bool])


# @dev Number of allowed nodes.
node_count: public(uint256)


# @dev Contracts that the message bus must never call (security contracts).
is_protected: public(HashMap[address, bool])


# @dev Name, kind and DID of each organisation (status lives in org_status).
_orgs: HashMap[uint256, Organisation]


# @dev Packed membership word per account (see _ORG_MASK and friends).
_membership: HashMap[address, uint256]


# @dev Accounts of each organisation, for enumeration.
_org_accounts: HashMap[uint256, DynArray[address, _MAX_ACCOUNTS_PER_ORG]]


# @dev Position of an account in its organisation's list.
_account_index: HashMap[address, uint256]


# @dev Accounts holding a grant of each role bit (live or not).
_holders: HashMap[uint256, DynArray[address, _MAX_HOLDERS]]


# @dev Position of an account in a role bit's holder list.
_holder_index: HashMap[uint256, HashMap[address, uint256]]


# @dev Accounts per organisation that hold ADMIN.
_admin_accounts: HashMap[uint256, uint256]


# @dev Every proposal (packed header, proposer, reason, args), kept after
#      execution or cancellation for audit; `proposals` unpacks it.
_proposals: HashMap[uint256, _StoredProposal]


# @dev Organisations that approved a proposal, in approval order.
_approving_orgs: HashMap[uint256, DynArray[uint256, _MAX_ORGS]]


# @dev The HubLink that carries organisation decisions between the hub and the domain
#      chains (set once by BIND; zero: this chain governs its organisations alone).
hub_link: public(address)


# @dev Chain id of the hub whose decisions this Consortium follows (0: the hub, or unbound).
hub_chain: public(uint256)


# @dev A proposal was made; the proposer's organisation approves it at once.
event Proposed:
    proposal_id: indexed(uint256)
    proposer: indexed(address)
    org_id: uint256
    action: uint8
    args: Bytes[_MAX_ARGS]
    reason: bytes32
    expires_at: uint256


# @dev An organisation approved a proposal; approvals is the live count
#      after it.
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


# @dev A live ADMIN of the proposing organisation withdrew a proposal.
event Cancelled:
    proposal_id: indexed(uint256)
    canceller: indexed(address)


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
    data: Bytes[_MAX_CALL]
    proposal_id: uint256
    reason: bytes32


# @dev This Consortium was bound to its HubLink (hub_chain 0: as the hub).
event Bound:
    hub_link: address
    hub_chain: uint256
    proposal_id: uint256
    reason: bytes32


@deploy
def __init__(
    names: DynArray[String[64], _MAX_ORGS],
    kinds: DynArray[uint8, _MAX_ORGS],
    dids: DynArray[address, _MAX_ORGS],
    admins: DynArray[address, _MAX_SEED_ACCOUNTS],
    admin_orgs: DynArray[uint256, _MAX_SEED_ACCOUNTS],
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
    assert proposal_lifetime >= _MIN_LIFETIME and proposal_lifetime <= _MAX_LIFETIME, "consortium: bad lifetime"
    for i: uint256 in range(_MAX_ORGS):
        if i >= len(names):
            break
        self._check_new_org(names[i], kinds[i], dids[i])
        self._add_org(names[i], kinds[i], dids[i], 0, empty(bytes32))
    for i: uint256 in range(_MAX_SEED_ACCOUNTS):
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


@external
@view
def has_role(account: address, role: uint256) -> bool:
    """
    @notice True while `account`, its organisation and every grant in `role` are live.
    @param account The account asked about.
    @param role One or more role flags; all must be held (0 or unknown flags: false).
    @return Whether the account may act in that role now.
    """
    return self._org_with_role(account, role) != 0


@external
@view
def org_with_role(account: address, role: uint256) -> uint256:
    """
    @notice The organisation of `account` if it holds every flag in `role` live.
    @param account The account asked about.
    @param role One or more role flags.
    @return The organisation id, or 0 if the account may not act in that role.
    """
    return self._org_with_role(account, role)


@external
@view
def roles_of(account: address) -> uint256:
    """
    @notice The role flags `account` holds live now (0 if its organisation is not active).
    @param account The account asked about.
    @return A flag set (see trustspace.consortium.constants.Role).
    """
    live: uint256 = 0
    for i: uint256 in range(_ROLE_COUNT):
        if self._org_with_role(account, 1 << i) != 0:
            live |= 1 << i
    return live


@external
@view
def role_expiry(account: address, role: uint256) -> uint256:
    """
    @notice When the grant of a single role flag to `account` expires (0: never or not held).
    @param account The account asked about.
    @param role Exactly one role flag.
    @return Expiry as a unix timestamp.
    """
    assert role != 0 and role & (role - 1) == 0 and role & _ALL_ROLES == role, "consortium: unknown role"
    return self._expiry_of(self._membership[account], self._bit_index(role))


@external
@view
def org_of(account: address) -> uint256:
    """
    @notice The organisation `account` belongs to.
    @param account The account asked about.
    @return Organisation id, 0 if none.
    """
    return self._membership[account] & _ORG_MASK


@external
@view
def is_org_live(org_id: uint256) -> bool:
    """
    @notice True while organisation `org_id` exists and is active.
    @param org_id Organisation id.
    @return Whether the organisation is active.
    """
    return self.org_status[org_id] == _STATUS_ACTIVE


@external
@view
def organisation(org_id: uint256) -> Organisation:
    """
    @notice Name, kind, status and DID address of an organisation.
    @param org_id Organisation id.
    @return The organisation (status 0 if unknown).
    """
    org: Organisation = self._orgs[org_id]
    org.status = self.org_status[org_id]
    return org


@external
@view
def organisations() -> DynArray[uint256, _MAX_ORGS]:
    """
    @notice Ids of every organisation ever added, whatever its status.
    @return Organisation ids in order of joining.
    """
    ids: DynArray[uint256, _MAX_ORGS] = []
    for i: uint256 in range(1, _MAX_ORGS + 1):
        if i > self.org_count:
            break
        ids.append(i)
    return ids


@external
@view
def accounts_of(org_id: uint256) -> DynArray[address, _MAX_ACCOUNTS_PER_ORG]:
    """
    @notice Accounts registered to an organisation.
    @param org_id Organisation id.
    @return The accounts, in no guaranteed order.
    """
    return self._org_accounts[org_id]


@external
@view
def holders_of(role: uint256) -> DynArray[address, _MAX_HOLDERS]:
    """
    @notice Accounts holding a single role flag live now.
    @param role Exactly one role flag.
    @return The live holders, in no guaranteed order.
    """
    assert role != 0 and role & (role - 1) == 0 and role & _ALL_ROLES == role, "consortium: unknown role"
    live: DynArray[address, _MAX_HOLDERS] = []
    for account: address in self._holders[self._bit_index(role)]:
        if self._org_with_role(account, role) != 0:
            live.append(account)
    return live


@external
@view
def approving_orgs(proposal_id: uint256) -> DynArray[uint256, _MAX_ORGS]:
    """
    @notice Organisations that approved a proposal (whether their approval still counts or not).
    @param proposal_id Proposal id.
    @return Organisation ids in approval order.
    """
    return self._approving_orgs[proposal_id]


@external
@view
def approvals(proposal_id: uint256) -> uint256:
    """
    @notice Approvals that count now: distinct organisations whose approving account still holds ADMIN in it.
    @param proposal_id Proposal id.
    @return The number of distinct live approving organisations.
    """
    return self._live_approvals(proposal_id)


@external
@view
def transactionAllowed(
    sender: address,
    target: address,
    tx_value: uint256,
    gasPrice: uint256,
    gasLimit: uint256,
    payload: Bytes[_MAX_PAYLOAD],
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
    org: uint256 = self._membership[sender] & _ORG_MASK
    return org != 0 and self.org_status[org] == _STATUS_ACTIVE


@external
@view
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


@external
@pure
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


@external
@view
def proposals(arg0: uint256) -> Proposal:
    """
    @notice A proposal as made, with its status (kept after execution or cancellation).
    @dev The argument keeps the name of the public getter this view replaced, so
         the ABI is unchanged; storage holds a packed header.
    @param arg0 Proposal id.
    @return The proposal (every field 0 if unknown).
    """
    stored: _StoredProposal = self._proposals[arg0]
    head: uint256 = stored.head
    return Proposal(
        action=self._action_of(head),
        status=self._status_of(head),
        proposer=stored.proposer,
        proposer_org=self._proposer_org_of(head),
        created_at=(head >> _CREATED_SHIFT) & _TIME_MASK,
        expires_at=self._expires_of(head),
        reason=stored.reason,
        args=stored.args,
    )


@external
@view
def approvals_needed(proposal_id: uint256) -> uint256:
    """
    @notice Distinct live approving organisations a proposal needs to execute.
    @dev The larger of the threshold when it was proposed and the threshold now.
    @param proposal_id Proposal id.
    @return The number of organisations (0 for an unknown proposal).
    """
    head: uint256 = self._proposals[proposal_id].head
    if head == 0:
        return 0
    return self._approvals_needed(head)


@external
@view
def is_executable(proposal_id: uint256) -> bool:
    """
    @notice True if the proposal is open, unexpired and has enough live approvals.
    @param proposal_id Proposal id.
    @return Whether `execute` would pass its governance checks now.
    """
    head: uint256 = self._proposals[proposal_id].head
    return (
        self._status_of(head) == _PROPOSAL_OPEN
        and block.timestamp < self._expires_of(head)
        and self._live_approvals(proposal_id) >= self._approvals_needed(head)
    )


# ------------------------------------------------------------- governance


@external
def propose(action: uint8, args: Bytes[_MAX_ARGS], reason: bytes32) -> uint256:
    """
    @notice Propose a change; the proposer's organisation approves it at once.
    @dev The threshold now is recorded with the proposal: it needs at least
         that many organisations even if the threshold is lowered later.
    @param action One of the actions (trustspace.consortium.constants.Action).
    @param args The action's arguments, ABI-encoded (trustspace.consortium.governance encodes them).
    @param reason Hash of the human-readable justification, carried by every event.
    @return The new proposal id.
    """
    org: uint256 = self._org_with_role(msg.sender, ADMIN)
    assert org != 0, "consortium: not admin"
    self._check(action, self._decode(action, args))
    proposal_id: uint256 = self.proposal_count + 1
    self.proposal_count = proposal_id
    expires_at: uint256 = block.timestamp + self.proposal_lifetime
    self._proposals[proposal_id] = _StoredProposal(
        head=self._pack_head(action, org, self.threshold, expires_at),
        proposer=msg.sender,
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
    self._assert_open(self._proposals[proposal_id].head)
    previous: address = self.approver_of[proposal_id][org]
    assert previous == empty(address) or not self._approval_counts(previous, org), "consortium: org already approved"
    self._approve(proposal_id, org)


@external
@nonreentrant
def execute(proposal_id: uint256):
    """
    @notice Carry out a proposal that enough distinct organisations approved.
    @dev Needs live approvals from the larger of the threshold at proposal time
         and the threshold now; the action's preconditions are checked again.
    @param proposal_id Proposal id.
    """
    assert self._org_with_role(msg.sender, ADMIN) != 0, "consortium: not admin"
    head: uint256 = self._proposals[proposal_id].head
    self._assert_open(head)
    assert self._live_approvals(proposal_id) >= self._approvals_needed(head), "consortium: not enough approvals"
    # Marked before acting: a CALL target that re-enters sees it executed.
    self._proposals[proposal_id].head = self._with_status(head, _PROPOSAL_EXECUTED)
    action: uint8 = self._action_of(head)
    reason: bytes32 = self._proposals[proposal_id].reason
    decoded: _Args = self._decode(action, self._proposals[proposal_id].args)
    self._check(action, decoded)
    self._apply(action, decoded, proposal_id, reason)
    assert self.threshold <= self.live_admin_orgs, "consortium: threshold above admin orgs"
    log Executed(proposal_id=proposal_id, executor=msg.sender, action=action, reason=reason)


@external
def cancel(proposal_id: uint256):
    """
    @notice Withdraw an open (or expired) proposal; any live ADMIN of the proposing organisation may.
    @dev A proposer who lost ADMIN, left the organisation, or whose organisation
         is suspended or removed can no longer cancel; the organisation's other
         live admins can.
    @param proposal_id Proposal id.
    """
    org: uint256 = self._org_with_role(msg.sender, ADMIN)
    assert org != 0, "consortium: not admin"
    head: uint256 = self._proposals[proposal_id].head
    status: uint8 = self._status_of(head)
    assert status != 0, "consortium: unknown proposal"
    assert status == _PROPOSAL_OPEN, "consortium: proposal not open"
    assert self._proposer_org_of(head) == org, "consortium: not proposing org"
    self._proposals[proposal_id].head = self._with_status(head, _PROPOSAL_CANCELLED)
    log Cancelled(proposal_id=proposal_id, canceller=msg.sender)


# ------------------------------------------------------------ hub chain


@external
def follow(org_id: uint256, name: String[64], state: uint256, proposal_id: uint256, reason: bytes32):
    """
    @notice Domain chain: make an organisation what the hub says it is.
    @dev Only this chain's HubLink calls it, for a message it proved came from the
         hub's HubLink, in hub order, once. It carries the organisation's state, not
         an operation, so applying it cannot fail on a state the hub already judged.
    @param org_id Organisation id (the hub's; a new one is the next id here).
    @param name Organisation name.
    @param state status | kind << 8 | did << 16.
    @param proposal_id The hub proposal that made the change (carried by every event).
    @param reason The hub proposal's reason hash.
    """
    assert msg.sender == self.hub_link and self.hub_chain != 0, "consortium: not from the hub"
    status: uint8 = convert(state & _BYTE_MASK, uint8)
    kind: uint8 = convert((state >> 8) & _BYTE_MASK, uint8)
    did: address = convert(convert(state >> 16, uint160), address)
    if org_id > self.org_count:
        assert org_id == self.org_count + 1, "consortium: hub organisation out of order"
        self._add_org(name, kind, did, proposal_id, reason)
    else:
        current: Organisation = self._orgs[org_id]
        if current.name != name or current.kind != kind:
            self._orgs[org_id].name = name
            self._orgs[org_id].kind = kind
            log OrganisationAdded(org_id=org_id, name=name, kind=kind, did=did, proposal_id=proposal_id, reason=reason)
        if current.did != did:
            if self.org_by_did[current.did] == org_id:
                self.org_by_did[current.did] = 0
            self._orgs[org_id].did = did
            log DidChanged(org_id=org_id, did=did, proposal_id=proposal_id, reason=reason)
    if did != empty(address):
        self.org_by_did[did] = org_id
    if self.org_status[org_id] != status:
        self._set_status(org_id, status, proposal_id, reason)
    if self.threshold > self.live_admin_orgs:
        # A hub suspension may leave fewer admin organisations here than the local
        # threshold: local governance must stay possible for those that remain.
        self.threshold = max(self.live_admin_orgs, 1)
        log ThresholdChanged(threshold=self.threshold, proposal_id=proposal_id, reason=reason)


# --------------------------------------------------------------- internal


@internal
@view
def _org_with_role(account: address, role: uint256) -> uint256:
    """
    @dev The organisation of `account` if it holds every flag in `role` live, else 0.
    """
    if role == 0 or role & _ALL_ROLES != role:
        return 0
    word: uint256 = self._membership[account]
    org: uint256 = word & _ORG_MASK
    if org == 0 or self.org_status[org] != _STATUS_ACTIVE:
        return 0
    flags: uint256 = (word >> _FLAGS_SHIFT) & _ALL_ROLES
    if flags & role != role:
        return 0
    for i: uint256 in range(_ROLE_COUNT):
        if role & (1 << i) != 0:
            expiry: uint256 = self._expiry_of(word, i)
            if expiry != 0 and expiry <= block.timestamp:
                return 0
    return org


@internal
@pure
def _expiry_of(word: uint256, bit: uint256) -> uint256:
    """
    @dev The expiry of role bit `bit` in a membership word.
    """
    return (word >> (_EXPIRY_SHIFT + _EXPIRY_BITS * bit)) & _EXPIRY_MASK


@internal
@pure
def _bit_index(role: uint256) -> uint256:
    """
    @dev The index (0-5) of a single role flag.
    """
    for i: uint256 in range(_ROLE_COUNT):
        if role == 1 << i:
            return i
    raise "consortium: unknown role"


@internal
@pure
def _node_id(high: bytes32, low: bytes32, ip: bytes16, port: uint16) -> bytes32:
    """
    @dev The allowlist key of a node.
    """
    return keccak256(concat(high, low, ip, convert(port, bytes2)))


@internal
@view
def _pack_head(action: uint8, org: uint256, threshold: uint256, expires_at: uint256) -> uint256:
    """
    @dev A new open proposal's header (see _BYTE_MASK for the layout).
         `convert` reverts on a time beyond 64 bits; org ids and the
         threshold are bounded by _MAX_ORGS.
    """
    return (
        convert(_PROPOSAL_OPEN, uint256)
        | (convert(action, uint256) << _ACTION_SHIFT)
        | (threshold << _THRESHOLD_SHIFT)
        | (org << _PROPOSER_ORG_SHIFT)
        | (convert(convert(block.timestamp, uint64), uint256) << _CREATED_SHIFT)
        | (convert(convert(expires_at, uint64), uint256) << _EXPIRES_SHIFT)
    )


@internal
@pure
def _status_of(head: uint256) -> uint8:
    """
    @dev The status field of a proposal header.
    """
    return convert(head & _BYTE_MASK, uint8)


@internal
@pure
def _with_status(head: uint256, status: uint8) -> uint256:
    """
    @dev The header with its status replaced.
    """
    return (head & ~_BYTE_MASK) | convert(status, uint256)


@internal
@pure
def _action_of(head: uint256) -> uint8:
    """
    @dev The action field of a proposal header.
    """
    return convert((head >> _ACTION_SHIFT) & _BYTE_MASK, uint8)


@internal
@pure
def _proposer_org_of(head: uint256) -> uint256:
    """
    @dev The proposing organisation of a proposal header.
    """
    return (head >> _PROPOSER_ORG_SHIFT) & _ORG_MASK


@internal
@pure
def _expires_of(head: uint256) -> uint256:
    """
    @dev The expiry time of a proposal header.
    """
    return (head >> _EXPIRES_SHIFT) & _TIME_MASK


@internal
@view
def _approvals_needed(head: uint256) -> uint256:
    """
    @dev max(threshold when proposed, threshold now): a raise binds open
         proposals, a lowering never revives one with fewer organisations.
    """
    return max((head >> _THRESHOLD_SHIFT) & _BYTE_MASK, self.threshold)


@internal
@view
def _approval_counts(approver: address, org: uint256) -> bool:
    """
    @dev The approver must still be an ADMIN of the same, live organisation.
    """
    return self._org_with_role(approver, ADMIN) == org


@internal
@view
def _live_approvals(proposal_id: uint256) -> uint256:
    """
    @dev Approving organisations whose approval still counts.
    """
    count: uint256 = 0
    for org: uint256 in self._approving_orgs[proposal_id]:
        if self._approval_counts(self.approver_of[proposal_id][org], org):
            count += 1
    return count


@internal
@view
def _assert_open(head: uint256):
    """
    @dev Revert unless the proposal with this header is known, open and unexpired.
    """
    status: uint8 = self._status_of(head)
    assert status != 0, "consortium: unknown proposal"
    assert status == _PROPOSAL_OPEN, "consortium: proposal not open"
    assert block.timestamp < self._expires_of(head), "consortium: proposal expired"


@internal
def _approve(proposal_id: uint256, org: uint256):
    """
    @dev Record the caller's approval for `org` and log the live count.
    """
    if self.approver_of[proposal_id][org] == empty(address):
        self._approving_orgs[proposal_id].append(org)
    self.approver_of[proposal_id][org] = msg.sender
    log Approved(
        proposal_id=proposal_id,
        approver=msg.sender,
        org_id=org,
        approvals=self._live_approvals(proposal_id),
    )


@internal
@view
def _is_admin_org(org: uint256) -> bool:
    """
    @dev True while `org` is active and has at least one ADMIN account.
    """
    return self.org_status[org] == _STATUS_ACTIVE and self._admin_accounts[org] > 0


@internal
def _recount(org: uint256, was_admin_org: bool):
    """
    @dev Keep live_admin_orgs in step after `org` changed.
    """
    now_admin_org: bool = self._is_admin_org(org)
    if was_admin_org and not now_admin_org:
        self.live_admin_orgs -= 1
    elif now_admin_org and not was_admin_org:
        self.live_admin_orgs += 1


@internal
@view
def _check_new_org(name: String[64], kind: uint8, did: address):
    """
    @dev Preconditions of adding an organisation.
    """
    assert len(name) > 0, "consortium: empty name"
    assert kind >= _KIND_MIN and kind <= _KIND_MAX, "consortium: unknown kind"
    assert did == empty(address) or self.org_by_did[did] == 0, "consortium: did in use"
    assert self.org_count < _MAX_ORGS, "consortium: too many organisations"


@internal
@view
def _check_add_account(org: uint256, account: address):
    """
    @dev Preconditions of registering `account` to `org`.
    """
    assert account != empty(address), "consortium: zero account"
    assert self.org_status[org] != _STATUS_NONE, "consortium: unknown organisation"
    assert self.org_status[org] == _STATUS_ACTIVE, "consortium: organisation not active"
    assert self._membership[account] & _ORG_MASK == 0, "consortium: account already registered"
    assert len(self._org_accounts[org]) < _MAX_ACCOUNTS_PER_ORG, "consortium: organisation full"


@internal
@pure
def _check_roles(roles: uint256):
    """
    @dev `roles` is a non-empty set of known role flags.
    """
    assert roles != 0 and roles & _ALL_ROLES == roles, "consortium: unknown role"


@internal
@view
def _check_registered(account: address):
    """
    @dev `account` belongs to an organisation.
    """
    assert self._membership[account] & _ORG_MASK != 0, "consortium: unknown account"


@internal
@view
def _check_org_exists(org: uint256):
    """
    @dev Organisation `org` was added at some point.
    """
    assert self.org_status[org] != _STATUS_NONE, "consortium: unknown organisation"


@internal
@pure
def _decode(action: uint8, args: Bytes[_MAX_ARGS]) -> _Args:
    """
    @dev The only place that knows each action's argument layout; `_check`
         (at proposal and at execution) and `_apply` read what it returns.
         Reverts on an unknown action or arguments of the wrong shape.
    """
    a: _Args = empty(_Args)
    if action == _ADD_ORG:
        a.name, a.kind, a.did = abi_decode(args, (String[64], uint8, address))
    elif action == _SUSPEND_ORG or action == _REINSTATE_ORG or action == _REMOVE_ORG:
        a.org = abi_decode(args, uint256)
    elif action == _ADD_ACCOUNT:
        a.org, a.account = abi_decode(args, (uint256, address))
    elif action == _REMOVE_ACCOUNT:
        a.account = abi_decode(args, address)
    elif action == _GRANT_ROLE:
        a.account, a.roles, a.expiry = abi_decode(args, (address, uint256, uint256))
    elif action == _REVOKE_ROLE:
        a.account, a.roles = abi_decode(args, (address, uint256))
    elif action == _SET_THRESHOLD:
        a.threshold = abi_decode(args, uint256)
    elif action == _SET_DID:
        a.org, a.did = abi_decode(args, (uint256, address))
    elif action == _ADD_NODE or action == _REMOVE_NODE:
        a.enode_high, a.enode_low, a.ip, a.port = abi_decode(args, (bytes32, bytes32, bytes16, uint16))
    elif action == _SET_PROTECTED:
        a.target, a.protected = abi_decode(args, (address, bool))
    elif action == _CALL:
        a.target, a.data = abi_decode(args, (address, Bytes[_MAX_CALL]))
    elif action == _BIND:
        a.target = abi_decode(args, address)
    else:
        raise "consortium: unknown action"
    return a


@internal
@view
def _check(action: uint8, a: _Args):
    """
    @dev The preconditions of each action, asserted when it is proposed (early,
         clear errors) and again when it executes (state may have moved on).
         The threshold bound is asserted after applying (see `execute`).
    """
    if action <= _REMOVE_ORG or action == _SET_DID:
        # Organisations are the hub's: a domain chain follows them (see `follow`).
        assert self.hub_chain == 0, "consortium: hub governs organisations"
    if action == _ADD_ORG:
        self._check_new_org(a.name, a.kind, a.did)
    elif action == _SUSPEND_ORG:
        self._check_org_exists(a.org)
        assert self.org_status[a.org] == _STATUS_ACTIVE, "consortium: organisation not active"
    elif action == _REINSTATE_ORG:
        self._check_org_exists(a.org)
        assert self.org_status[a.org] == _STATUS_SUSPENDED, "consortium: organisation not suspended"
    elif action == _REMOVE_ORG:
        self._check_org_exists(a.org)
        assert self.org_status[a.org] != _STATUS_REMOVED, "consortium: organisation removed"
    elif action == _ADD_ACCOUNT:
        self._check_add_account(a.org, a.account)
    elif action == _REMOVE_ACCOUNT:
        self._check_registered(a.account)
    elif action == _GRANT_ROLE:
        self._check_registered(a.account)
        self._check_roles(a.roles)
        org: uint256 = self._membership[a.account] & _ORG_MASK
        assert self.org_status[org] == _STATUS_ACTIVE, "consortium: organisation not active"
        assert a.expiry == 0 or a.expiry > block.timestamp, "consortium: expiry in the past"
        assert a.expiry <= _EXPIRY_MASK, "consortium: expiry too far"
        assert a.roles & ADMIN == 0 or a.expiry == 0, "consortium: admin grant cannot expire"
    elif action == _REVOKE_ROLE:
        self._check_registered(a.account)
        self._check_roles(a.roles)
        flags: uint256 = (self._membership[a.account] >> _FLAGS_SHIFT) & _ALL_ROLES
        assert flags & a.roles == a.roles, "consortium: role not held"
    elif action == _SET_THRESHOLD:
        assert a.threshold >= 1 and a.threshold <= self.live_admin_orgs, "consortium: bad threshold"
    elif action == _SET_DID:
        self._check_org_exists(a.org)
        assert self.org_status[a.org] != _STATUS_REMOVED, "consortium: organisation removed"
        assert a.did == empty(address) or self.org_by_did[a.did] == 0, "consortium: did in use"
    elif action == _ADD_NODE:
        node: bytes32 = self._node_id(a.enode_high, a.enode_low, a.ip, a.port)
        assert not self.node_allowed[node], "consortium: node already allowed"
    elif action == _REMOVE_NODE:
        node: bytes32 = self._node_id(a.enode_high, a.enode_low, a.ip, a.port)
        assert self.node_allowed[node], "consortium: node not allowed"
    elif action == _SET_PROTECTED:
        assert a.target != empty(address), "consortium: zero target"
        assert self.is_protected[a.target] != a.protected, "consortium: protection unchanged"
    elif action == _CALL:
        assert a.target != self, "consortium: call to self"
        assert a.target.is_contract, "consortium: call target has no code"
    elif action == _BIND:
        assert self.hub_link == empty(address), "consortium: already bound"
        assert a.target.is_contract, "consortium: hub link has no code"
        assert staticcall _HubLink(a.target).consortium() == self, "consortium: hub link not ours"


@internal
def _apply(action: uint8, a: _Args, proposal_id: uint256, reason: bytes32):
    """
    @dev The effect of each action, on arguments `_check` accepted.
    """
    if action == _ADD_ORG:
        self._add_org(a.name, a.kind, a.did, proposal_id, reason)
        self._announce(self.org_count, proposal_id, reason)
    elif action == _SUSPEND_ORG:
        self._set_status(a.org, _STATUS_SUSPENDED, proposal_id, reason)
        self._announce(a.org, proposal_id, reason)
    elif action == _REINSTATE_ORG:
        self._set_status(a.org, _STATUS_ACTIVE, proposal_id, reason)
        self._announce(a.org, proposal_id, reason)
    elif action == _REMOVE_ORG:
        self._set_status(a.org, _STATUS_REMOVED, proposal_id, reason)
        self._announce(a.org, proposal_id, reason)
    elif action == _ADD_ACCOUNT:
        self._add_account(a.org, a.account, proposal_id, reason)
    elif action == _REMOVE_ACCOUNT:
        self._remove_account(a.account, proposal_id, reason)
    elif action == _GRANT_ROLE:
        self._grant(a.account, a.roles, a.expiry, proposal_id, reason)
    elif action == _REVOKE_ROLE:
        self._revoke(a.account, a.roles, proposal_id, reason)
    elif action == _SET_THRESHOLD:
        self.threshold = a.threshold
        log ThresholdChanged(threshold=a.threshold, proposal_id=proposal_id, reason=reason)
    elif action == _SET_DID:
        old: address = self._orgs[a.org].did
        if old != empty(address):
            self.org_by_did[old] = 0
        if a.did != empty(address):
            self.org_by_did[a.did] = a.org
        self._orgs[a.org].did = a.did
        log DidChanged(org_id=a.org, did=a.did, proposal_id=proposal_id, reason=reason)
        self._announce(a.org, proposal_id, reason)
    elif action == _ADD_NODE or action == _REMOVE_NODE:
        node: bytes32 = self._node_id(a.enode_high, a.enode_low, a.ip, a.port)
        allowed: bool = action == _ADD_NODE
        self.node_allowed[node] = allowed
        if allowed:
            self.node_count += 1
        else:
            self.node_count -= 1
        log NodeChanged(
            node_id=node,
            enode_high=a.enode_high,
            enode_low=a.enode_low,
            ip=a.ip,
            port=a.port,
            allowed=allowed,
            proposal_id=proposal_id,
            reason=reason,
        )
    elif action == _SET_PROTECTED:
        self.is_protected[a.target] = a.protected
        log ProtectionChanged(target=a.target, protected=a.protected, proposal_id=proposal_id, reason=reason)
    elif action == _CALL:
        # Reverts bubble up: a failing call leaves the proposal open.
        raw_call(a.target, a.data)
        log CallExecuted(target=a.target, data=a.data, proposal_id=proposal_id, reason=reason)
    elif action == _BIND:
        self.hub_link = a.target
        self.hub_chain = staticcall _HubLink(a.target).hub_chain()
        log Bound(hub_link=a.target, hub_chain=self.hub_chain, proposal_id=proposal_id, reason=reason)


@internal
def _add_org(name: String[64], kind: uint8, did: address, proposal_id: uint256, reason: bytes32):
    """
    @dev Register a new active organisation.
    """
    org: uint256 = self.org_count + 1
    self.org_count = org
    self._orgs[org] = Organisation(name=name, kind=kind, status=_STATUS_ACTIVE, did=did)
    self.org_status[org] = _STATUS_ACTIVE
    if did != empty(address):
        self.org_by_did[did] = org
    log OrganisationAdded(org_id=org, name=name, kind=kind, did=did, proposal_id=proposal_id, reason=reason)


@internal
def _set_status(org: uint256, status: uint8, proposal_id: uint256, reason: bytes32):
    """
    @dev Change an organisation's status and recount live admin organisations.
    """
    was_admin_org: bool = self._is_admin_org(org)
    self.org_status[org] = status
    self._recount(org, was_admin_org)
    log OrganisationStatusChanged(org_id=org, status=status, proposal_id=proposal_id, reason=reason)


@internal
def _add_account(org: uint256, account: address, proposal_id: uint256, reason: bytes32):
    """
    @dev Register `account` to `org` with no roles.
    """
    self._membership[account] = org
    self._account_index[account] = len(self._org_accounts[org])
    self._org_accounts[org].append(account)
    log AccountAdded(account=account, org_id=org, proposal_id=proposal_id, reason=reason)


@internal
def _remove_account(account: address, proposal_id: uint256, reason: bytes32):
    """
    @dev Drop every role of `account`, then remove it from its organisation.
    """
    org: uint256 = self._membership[account] & _ORG_MASK
    flags: uint256 = (self._membership[account] >> _FLAGS_SHIFT) & _ALL_ROLES
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
    """
    @dev Set role flags (and their expiry) in the membership word; enrol new holders.
    """
    word: uint256 = self._membership[account]
    org: uint256 = word & _ORG_MASK
    was_admin_org: bool = self._is_admin_org(org)
    flags: uint256 = (word >> _FLAGS_SHIFT) & _ALL_ROLES
    for i: uint256 in range(_ROLE_COUNT):
        bit: uint256 = 1 << i
        if roles & bit == 0:
            continue
        if flags & bit == 0:
            assert len(self._holders[i]) < _MAX_HOLDERS, "consortium: too many holders"
            self._holder_index[i][account] = len(self._holders[i])
            self._holders[i].append(account)
            if bit == ADMIN:
                self._admin_accounts[org] += 1
        offset: uint256 = _EXPIRY_SHIFT + _EXPIRY_BITS * i
        word = (word & ~(_EXPIRY_MASK << offset)) | (expiry << offset)
    word |= roles << _FLAGS_SHIFT
    self._membership[account] = word
    self._recount(org, was_admin_org)
    log RoleGranted(account=account, role=roles, expiry=expiry, proposal_id=proposal_id, reason=reason)


@internal
def _revoke(account: address, roles: uint256, proposal_id: uint256, reason: bytes32):
    """
    @dev Clear role flags and their expiries; drop the holder entries.
    """
    word: uint256 = self._membership[account]
    org: uint256 = word & _ORG_MASK
    was_admin_org: bool = self._is_admin_org(org)
    for i: uint256 in range(_ROLE_COUNT):
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
        word &= ~(_EXPIRY_MASK << (_EXPIRY_SHIFT + _EXPIRY_BITS * i))
    word &= ~(roles << _FLAGS_SHIFT)
    self._membership[account] = word
    self._recount(org, was_admin_org)
    log RoleRevoked(account=account, role=roles, proposal_id=proposal_id, reason=reason)


@internal
def _announce(org: uint256, proposal_id: uint256, reason: bytes32):
    """
    @dev Hub: hand an organisation's new state to the HubLink, which sends it to every domain chain.
    """
    if self.hub_link != empty(address) and self.hub_chain == 0:
        extcall _HubLink(self.hub_link).announce(org, proposal_id, reason)
