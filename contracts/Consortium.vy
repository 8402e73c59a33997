# pragma version 0.4.3
# pragma nonreentrancy off
# pragma optimize codesize
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
        proposals, and every proposal that would push it below the threshold,
        or leave an action's own policy impossible to pass, reverts. Each action
        has a policy (K_OF_N, WEIGHTED or ALL_OF_KIND; by default K_OF_N with
        the threshold), changed only under the policy of SET_POLICY; a proposal
        is judged by the policy in force when it was opened. Votes belong to
        organisations (a 64-bit map per proposal) and are re-checked when a
        proposal executes: a vote counts only while its organisation is active
        and has an ADMIN account. Only the proposal's arguments' hash is stored:
        `execute` takes them again and checks them against it. Only a live
        ADMIN of the proposing organisation may cancel.
"""

from interfaces import IConsortium

implements: IConsortium


interface _HubLink:
    def consortium() -> address: view
    def hub_chain() -> uint256: view
    def announce(org_id: uint256, status_only: bool, proposal_id: uint256, reason: bytes32): nonpayable
    def bus() -> address: view


interface _Bus:
    def setValidators(origin: uint32, originBus: address, validators: DynArray[address, _MAX_KEYS], threshold: uint8): nonpayable


# @dev Most keys in a committee the hub decides (HubLink's _MAX_KEYS).
_MAX_KEYS: constant(uint256) = 16


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
_PROPOSAL_OPEN: constant(uint256) = 1


# @dev A proposal that took effect.
_PROPOSAL_EXECUTED: constant(uint256) = 2


# @dev A proposal withdrawn by its organisation.
_PROPOSAL_CANCELLED: constant(uint256) = 3


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


# @dev Action: set the policy of one action (0 restores the default).
_SET_POLICY: constant(uint8) = 15


# @dev Action: set an organisation's voting weight.
_SET_WEIGHT: constant(uint8) = 16


# @dev Action: bind this Consortium to its HubLink, as the hub or as a domain chain (once).
_BIND: constant(uint8) = 17


# @dev Highest action number; policies exist for actions 1 to _MAX_ACTION.
_MAX_ACTION: constant(uint8) = 17


# @dev Flag in a hub organisation state: only the status changed (HubLink's _STATUS_ONLY).
_STATUS_ONLY: constant(uint256) = 1 << 200


# @dev The low 160 bits.
_ADDRESS_MASK: constant(uint256) = 2**160 - 1


# @dev Policy kinds (PolicyKind). A policy word packs bits 0-7 kind, 8-15
#      its first and 16-23 its second parameter; 0 = the default policy,
#      K_OF_N with the threshold. K_OF_N: k distinct organisations.
_K_OF_N: constant(uint256) = 1


# @dev WEIGHTED: participation % and approval % of organisation weights.
_WEIGHTED: constant(uint256) = 2


# @dev ALL_OF_KIND: every live admin organisation of one kind (at least one).
_ALL_OF_KIND: constant(uint256) = 3


# @dev Largest organisation weight.
_MAX_WEIGHT: constant(uint256) = 2**32 - 1


# @dev Capacities: bounded so that every view and loop has a gas ceiling.
#      Proposal headers hold a 64-bit map of organisations: MAX_ORGS <= 64.
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
#      cancel read one slot: bits 0-63 the approving organisations (bit
#      org-1), 64-127 the rejecting ones, 128-135 status, 136-143 action,
#      144-151 proposer's organisation, 152-175 the policy snapshot,
#      176-215 created_at, 216-255 expires_at (unix seconds below 2**40).
_MAP_MASK: constant(uint256) = 2**64 - 1


# @dev Mask of an 8-bit field.
_BYTE_MASK: constant(uint256) = 2**8 - 1


# @dev Mask of a policy word (24 bits).
_POLICY_MASK: constant(uint256) = 2**24 - 1


# @dev Mask of a 40-bit timestamp field.
_TIME_MASK: constant(uint256) = 2**40 - 1


# @dev Position of the rejection map in a proposal header.
_REJECTIONS_SHIFT: constant(uint256) = 64


# @dev Position of the status in a proposal header.
_STATUS_SHIFT: constant(uint256) = 128


# @dev Position of the action in a proposal header.
_ACTION_SHIFT: constant(uint256) = 136


# @dev Position of the proposer's organisation in a proposal header.
_PROPOSER_ORG_SHIFT: constant(uint256) = 144


# @dev Position of the policy snapshot in a proposal header.
_POLICY_SHIFT: constant(uint256) = 152


# @dev Position of created_at in a proposal header.
_CREATED_SHIFT: constant(uint256) = 176


# @dev Position of expires_at in a proposal header.
_EXPIRES_SHIFT: constant(uint256) = 216


struct Organisation:
    name: String[64]
    kind: uint8
    status: uint8
    did: address


struct Proposal:
    action: uint8
    status: uint8
    proposer_org: uint256
    created_at: uint256
    expires_at: uint256
    policy: uint256
    approved: uint256
    rejected: uint256
    commitment: bytes32


struct Tally:
    policy: uint256
    approvals: uint256
    approving_weight: uint256
    rejections: uint256
    rejecting_weight: uint256
    eligible: uint256
    eligible_weight: uint256
    needed: uint256
    passes: bool


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
    action: uint8
    policy: uint256
    weight: uint256


# @dev Number of organisations ever added; ids run from 1 to org_count.
org_count: public(uint256)


# @dev Status of each organisation, apart so that has_role reads one word.
org_status: public(HashMap[uint256, uint8])


# @dev Organisation whose DID identity is this address (0 if none).
org_by_did: public(HashMap[address, uint256])


# @dev Active organisations with at least one ADMIN account.
live_admin_orgs: public(uint256)


# @dev Live admin organisations of each kind (ALL_OF_KIND counts them).
live_admin_orgs_of_kind: public(HashMap[uint8, uint256])


# @dev Sum of the weights of the live admin organisations (WEIGHTED).
live_admin_weight: public(uint256)


# @dev Distinct approving organisations the default policy needs.
threshold: public(uint256)


# @dev Policy word of each action set by SET_POLICY (0: the default policy).
policies: public(HashMap[uint8, uint256])


# @dev Seconds a proposal stays open for approval and execution.
proposal_lifetime: public(uint256)


# @dev Number of proposals ever made; ids run from 1.
proposal_count: public(uint256)


# @dev Node allowlist keyed by keccak256(enode high, enode low, ip, port).
node_allowed: public(HashMap[bytes32, bool])


# @dev Number of allowed nodes.
node_count: public(uint256)


# @dev Contracts that the message bus must never call (security contracts).
is_protected: public(HashMap[address, bool])


# @dev Name, kind and DID of each organisation (status lives in org_status).
_orgs: HashMap[uint256, Organisation]


# @dev Voting weight of each organisation; 0 stands for the default weight 1.
_weights: HashMap[uint256, uint256]


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


# @dev Packed header of every proposal (see _MAP_MASK), kept after execution
#      or cancellation for audit; `proposals` unpacks it.
_proposals: HashMap[uint256, uint256]


# @dev keccak256(reason ++ args) of every proposal: the arguments travel in
#      `Proposed` and come back as calldata of `execute`.
_commitments: HashMap[uint256, bytes32]


# @dev The HubLink that carries organisation decisions between the hub and the domain
#      chains (set once by BIND; zero: this chain governs its organisations alone).
hub_link: public(address)


# @dev Chain id of the hub whose decisions this Consortium follows (0: the hub, or unbound).
hub_chain: public(uint256)


# @dev Domain: organisation | committees << 8 of a key the hub made a validator (a key in
#      `committees` hub committees counts as VALIDATOR of that organisation while it is live).
hub_validator: public(HashMap[address, uint256])


# @dev Domain: the keys of the hub committee last applied for each origin chain.
_committee_keys: HashMap[uint256, DynArray[address, _MAX_KEYS]]


# @dev Bit `action` set while that action has its own policy, so that checking
#      every own policy reads one word when none is set.
_own_policies: uint256


# @dev A proposal was made, judged by `policy` (its snapshot); the proposer's
#      organisation approves it at once.
event Proposed:
    proposal_id: indexed(uint256)
    proposer: indexed(address)
    org_id: uint256
    action: uint8
    args: Bytes[_MAX_ARGS]
    reason: bytes32
    expires_at: uint256
    policy: uint256


# @dev An organisation approved a proposal; approvals is the number of
#      organisations that approved it so far (live or not).
event Approved:
    proposal_id: indexed(uint256)
    approver: indexed(address)
    org_id: uint256
    approvals: uint256


# @dev An organisation rejected a proposal (or withdrew its approval);
#      rejections is the number of organisations that rejected it so far.
event Rejected:
    proposal_id: indexed(uint256)
    rejecter: indexed(address)
    org_id: uint256
    rejections: uint256


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


# @dev Domain: the hub's committee for `origin` was applied (the bus logs its keys).
event CommitteeFollowed:
    origin: indexed(uint256)
    origin_bus: address
    keys: DynArray[address, _MAX_KEYS]
    threshold: uint8


# @dev The policy of an action changed (0: back to the default policy).
event PolicyChanged:
    action: indexed(uint8)
    policy: uint256
    proposal_id: uint256
    reason: bytes32


# @dev An organisation's voting weight changed.
event WeightChanged:
    org_id: indexed(uint256)
    weight: uint256
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
    @return Organisation id (of a hub validator key that is no account here: the hub's), 0 if none.
    """
    org: uint256 = self._membership[account] & _ORG_MASK
    if org == 0:
        org = self.hub_validator[account] & _BYTE_MASK
    return org


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
def weight_of(org_id: uint256) -> uint256:
    """
    @notice The voting weight of an organisation under WEIGHTED policies (1 unless set).
    @param org_id Organisation id.
    @return The weight.
    """
    return self._weight_of(org_id)


@external
@view
def policy_of(action: uint8) -> uint256:
    """
    @notice The policy a proposal of `action` opened now is judged by.
    @dev The action's own policy, or K_OF_N with the current threshold.
    @param action One of the actions (trustspace.consortium.constants.Action).
    @return A policy word: bits 0-7 kind, 8-15 first, 16-23 second parameter.
    """
    return self._policy_of(action)


@external
@view
def tally(proposal_id: uint256) -> Tally:
    """
    @notice How a proposal stands against its policy snapshot, counting only live admin organisations.
    @dev For ALL_OF_KIND, approvals, rejections and eligible count organisations of that kind only;
         needed is k (K_OF_N), the eligible count (ALL_OF_KIND) or 0 (WEIGHTED: see the percentages).
    @param proposal_id Proposal id.
    @return The tally (every field 0 for an unknown proposal).
    """
    head: uint256 = self._proposals[proposal_id]
    if head == 0:
        return empty(Tally)
    return self._tally(head)


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
    @notice A proposal's header and commitment, with its status (kept after execution or cancellation).
    @dev The arguments, the reason and the proposer's account are not stored: they travel
         in the `Proposed` event (indexed by proposal id), and `commitment` binds them.
    @param arg0 Proposal id.
    @return The proposal (every field 0 if unknown).
    """
    head: uint256 = self._proposals[arg0]
    return Proposal(
        action=self._action_of(head),
        status=convert(self._status_of(head), uint8),
        proposer_org=(head >> _PROPOSER_ORG_SHIFT) & _BYTE_MASK,
        created_at=(head >> _CREATED_SHIFT) & _TIME_MASK,
        expires_at=self._expires_of(head),
        policy=(head >> _POLICY_SHIFT) & _POLICY_MASK,
        approved=head & _MAP_MASK,
        rejected=(head >> _REJECTIONS_SHIFT) & _MAP_MASK,
        commitment=self._commitments[arg0],
    )


@external
@view
def is_executable(proposal_id: uint256) -> bool:
    """
    @notice True if the proposal is open, unexpired and its live votes pass its policy snapshot.
    @param proposal_id Proposal id.
    @return Whether `execute` would pass its governance checks now (given the right arguments).
    """
    head: uint256 = self._proposals[proposal_id]
    return (
        self._status_of(head) == _PROPOSAL_OPEN
        and block.timestamp < self._expires_of(head)
        and self._tally(head).passes
    )


# ------------------------------------------------------------- governance


@external
def propose(action: uint8, args: Bytes[_MAX_ARGS], reason: bytes32) -> uint256:
    """
    @notice Propose a change; the proposer's organisation approves it at once.
    @dev The policy of `action` now is recorded with the proposal, which is judged by it
         whatever policy changes later. Stores a header and keccak256(reason ++ args).
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
    policy: uint256 = self._policy_of(action)
    self._proposals[proposal_id] = (
        (1 << (org - 1))
        | (_PROPOSAL_OPEN << _STATUS_SHIFT)
        | (convert(action, uint256) << _ACTION_SHIFT)
        | (org << _PROPOSER_ORG_SHIFT)
        | (policy << _POLICY_SHIFT)
        | (block.timestamp << _CREATED_SHIFT)
        | (expires_at << _EXPIRES_SHIFT)
    )
    self._commitments[proposal_id] = keccak256(concat(reason, args))
    log Proposed(
        proposal_id=proposal_id,
        proposer=msg.sender,
        org_id=org,
        action=action,
        args=args,
        reason=reason,
        expires_at=expires_at,
        policy=policy,
    )
    log Approved(proposal_id=proposal_id, approver=msg.sender, org_id=org, approvals=1)
    return proposal_id


@external
def approve(proposal_id: uint256):
    """
    @notice Approve a proposal on behalf of the caller's organisation (replacing its rejection, if any).
    @dev The approval is the organisation's: it counts while the organisation is an
         active admin organisation, whichever of its admins gave it.
    @param proposal_id Proposal id.
    """
    self._vote(proposal_id, False)


@external
def reject(proposal_id: uint256):
    """
    @notice Reject a proposal on behalf of the caller's organisation (replacing its approval, if any).
    @dev A rejection weighs in the participation and approval shares of WEIGHTED policies;
         under the other kinds it only withdraws the organisation's approval.
    @param proposal_id Proposal id.
    """
    self._vote(proposal_id, True)


@external
@nonreentrant
def execute(proposal_id: uint256, args: Bytes[_MAX_ARGS], reason: bytes32):
    """
    @notice Carry out a proposal whose live votes pass its policy snapshot.
    @dev `args` and `reason` are those of the `Proposed` event; the action's
         preconditions are checked again.
    @param proposal_id Proposal id.
    @param args The proposal's ABI-encoded arguments, as proposed.
    @param reason The proposal's reason hash, as proposed.
    """
    assert self._org_with_role(msg.sender, ADMIN) != 0, "consortium: not admin"
    head: uint256 = self._proposals[proposal_id]
    self._assert_open(head)
    assert keccak256(concat(reason, args)) == self._commitments[proposal_id], "consortium: args mismatch"
    assert self._tally(head).passes, "consortium: not enough approvals"
    # Marked before acting: a CALL target that re-enters sees it executed.
    # The status goes from OPEN (1) to EXECUTED (2).
    self._proposals[proposal_id] = head + (1 << _STATUS_SHIFT)
    action: uint8 = self._action_of(head)
    decoded: _Args = self._decode(action, args)
    self._check(action, decoded)
    admin_orgs: uint256 = self.live_admin_orgs
    self._apply(action, decoded, proposal_id, reason)
    assert self.threshold <= self.live_admin_orgs, "consortium: threshold above admin orgs"
    if self.live_admin_orgs < admin_orgs:
        # Fewer admin organisations: every action's own policy must still be passable.
        own: uint256 = self._own_policies
        for a: uint8 in range(1, _MAX_ACTION + 1):
            if own >> a == 0:
                break
            if (own >> a) & 1 == 1:
                self._check_policy(self.policies[a])
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
    head: uint256 = self._proposals[proposal_id]
    status: uint256 = self._status_of(head)
    assert status != 0, "consortium: unknown proposal"
    assert status == _PROPOSAL_OPEN, "consortium: proposal not open"
    assert (head >> _PROPOSER_ORG_SHIFT) & _BYTE_MASK == org, "consortium: not proposing org"
    # The status goes from OPEN (1) to CANCELLED (3).
    self._proposals[proposal_id] = head + (2 << _STATUS_SHIFT)
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
    @param state status | kind << 8 | did << 16, or status | 1 << 200 when only the
                 status changed (then `name` is empty and kind and DID stay).
    @param proposal_id The hub proposal that made the change (carried by every event).
    @param reason The hub proposal's reason hash.
    """
    assert msg.sender == self.hub_link and self.hub_chain != 0, "consortium: not from the hub"
    status: uint8 = convert(state & _BYTE_MASK, uint8)
    if state & _STATUS_ONLY != 0:
        # A suspension, reinstatement or removal: the identity is already here.
        assert org_id <= self.org_count, "consortium: hub organisation out of order"
    else:
        self._follow_identity(org_id, name, state, proposal_id, reason)
    if self.org_status[org_id] != status:
        self._set_status(org_id, status, proposal_id, reason)
        if self.threshold > self.live_admin_orgs:
            # A hub suspension may leave fewer admin organisations here than the local
            # threshold: local governance must stay possible for those that remain.
            self.threshold = max(self.live_admin_orgs, 1)
            log ThresholdChanged(threshold=self.threshold, proposal_id=proposal_id, reason=reason)


@external
def follow_committee(
    origin: uint256,
    origin_bus: address,
    keys: DynArray[address, _MAX_KEYS],
    orgs: DynArray[uint256, _MAX_KEYS],
    threshold: uint8,
):
    """
    @notice Domain chain: make the hub's committee `origin`'s validator set here.
    @dev Only this chain's HubLink calls it, for a committee the hub sent. Each key counts
         as VALIDATOR of its organisation while that organisation is active, even if it is
         no account here; the keys of this origin's previous committee stop counting unless
         another committee holds them. Then the bus's `setValidators` (this Consortium is its
         admin); a revert there reverts the whole call.
    @param origin The chain whose bus the committee signs for.
    @param origin_bus That chain's MessageBus.
    @param keys Validator keys, strictly increasing.
    @param orgs The organisation of each key.
    @param threshold Distinct organisations a checkpoint needs.
    """
    assert msg.sender == self.hub_link and self.hub_chain != 0, "consortium: not from the hub"
    for key: address in self._committee_keys[origin]:
        word: uint256 = self.hub_validator[key]
        self.hub_validator[key] = 0 if word >> 8 == 1 else word - 256
    for i: uint256 in range(_MAX_KEYS):
        if i >= len(keys):
            break
        org: uint256 = orgs[i]
        self._check_org_exists(org)
        word: uint256 = self.hub_validator[keys[i]]
        member: uint256 = self._membership[keys[i]] & _ORG_MASK
        assert (word == 0 or word & _BYTE_MASK == org) and (
            member == 0 or member == org
        ), "consortium: key of another organisation"
        self.hub_validator[keys[i]] = (word | org) + 256
    self._committee_keys[origin] = keys
    bus: address = staticcall _HubLink(self.hub_link).bus()
    extcall _Bus(bus).setValidators(convert(origin, uint32), origin_bus, keys, threshold)
    log CommitteeFollowed(origin=origin, origin_bus=origin_bus, keys=keys, threshold=threshold)


# --------------------------------------------------------------- internal


@internal
@view
def _org_with_role(account: address, role: uint256) -> uint256:
    """
    @dev The organisation of `account` if it holds every flag in `role` live, else 0; for
         exactly VALIDATOR, failing that, the live organisation the hub made it a validator of.
    """
    org: uint256 = self._member_org_with_role(account, role)
    if org == 0 and role == VALIDATOR:
        org = self.hub_validator[account] & _BYTE_MASK
        if self.org_status[org] != _STATUS_ACTIVE:
            return 0
    return org


@internal
@view
def _member_org_with_role(account: address, role: uint256) -> uint256:
    """
    @dev The organisation of `account` if it is an account here holding every flag in `role` live, else 0.
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
@pure
def _status_of(head: uint256) -> uint256:
    """
    @dev The status field of a proposal header.
    """
    return (head >> _STATUS_SHIFT) & _BYTE_MASK


@internal
@pure
def _action_of(head: uint256) -> uint8:
    """
    @dev The action field of a proposal header.
    """
    return convert((head >> _ACTION_SHIFT) & _BYTE_MASK, uint8)


@internal
@pure
def _expires_of(head: uint256) -> uint256:
    """
    @dev The expiry time of a proposal header.
    """
    return head >> _EXPIRES_SHIFT


@internal
@pure
def _popcount(x: uint256) -> uint256:
    """
    @dev Number of set bits of a 64-bit map (SWAR, no loop).
    """
    y: uint256 = x - ((x >> 1) & 6_148_914_691_236_517_205)
    y = (y & 3_689_348_814_741_910_323) + ((y >> 2) & 3_689_348_814_741_910_323)
    y = (y + (y >> 4)) & 1_085_102_592_571_150_095
    return ((y * 72_340_172_838_076_673) & _MAP_MASK) >> 56


@internal
@view
def _weight_of(org: uint256) -> uint256:
    """
    @dev An organisation's weight (stored 0 stands for 1).
    """
    return max(self._weights[org], 1)


@internal
@view
def _policy_of(action: uint8) -> uint256:
    """
    @dev The action's own policy, or K_OF_N with the current threshold.
    """
    policy: uint256 = self.policies[action]
    if policy == 0:
        return _K_OF_N | (self.threshold << 8)
    return policy


@internal
@view
def _check_policy(policy: uint256):
    """
    @dev A policy word is well formed and could pass with the live admin
         organisations now (0, the default, always can: see the threshold bound).
    """
    if policy == 0:
        return
    kind: uint256 = policy & _BYTE_MASK
    first: uint256 = (policy >> 8) & _BYTE_MASK
    second: uint256 = policy >> 16
    well_formed: bool = False
    passable: bool = True
    if kind == _K_OF_N:
        well_formed = first >= 1 and second == 0
        passable = first <= self.live_admin_orgs
    elif kind == _WEIGHTED:
        # Every live admin organisation approving passes: weights are at least 1.
        well_formed = first >= 1 and first <= 100 and second >= 1 and second <= 100
    elif kind == _ALL_OF_KIND:
        well_formed = first >= 1 and first <= 6 and second == 0
        passable = self.live_admin_orgs_of_kind[convert(first, uint8)] >= 1
    assert well_formed, "consortium: bad policy"
    assert passable, "consortium: policy cannot pass"


@internal
@view
def _tally(head: uint256) -> Tally:
    """
    @dev The live votes of a proposal against its policy snapshot: only active
         organisations with an ADMIN account count; ALL_OF_KIND counts only its kind.
    """
    t: Tally = empty(Tally)
    t.policy = (head >> _POLICY_SHIFT) & _POLICY_MASK
    kind: uint256 = t.policy & _BYTE_MASK
    first: uint256 = (t.policy >> 8) & _BYTE_MASK
    approved: uint256 = head & _MAP_MASK
    rejected: uint256 = (head >> _REJECTIONS_SHIFT) & _MAP_MASK
    voted: uint256 = approved | rejected
    for i: uint256 in range(_MAX_ORGS):
        if voted >> i == 0:
            break
        if (voted >> i) & 1 == 0:
            continue
        org: uint256 = i + 1
        if not self._is_admin_org(org):
            continue
        if kind == _ALL_OF_KIND and convert(self._orgs[org].kind, uint256) != first:
            continue
        weight: uint256 = 1
        if kind == _WEIGHTED:
            weight = self._weight_of(org)
        if (approved >> i) & 1 == 1:
            t.approvals += 1
            t.approving_weight += weight
        else:
            t.rejections += 1
            t.rejecting_weight += weight
    t.eligible = self.live_admin_orgs
    t.eligible_weight = self.live_admin_weight
    if kind == _K_OF_N:
        t.needed = first
        t.passes = t.approvals >= first
    elif kind == _WEIGHTED:
        voted_weight: uint256 = t.approving_weight + t.rejecting_weight
        t.passes = (
            t.approving_weight > 0
            and voted_weight * 100 >= first * t.eligible_weight
            and t.approving_weight * 100 >= (t.policy >> 16) * voted_weight
        )
    else:
        t.eligible = self.live_admin_orgs_of_kind[convert(first, uint8)]
        t.needed = t.eligible
        t.passes = t.eligible >= 1 and t.approvals >= t.eligible
    return t


@internal
def _vote(proposal_id: uint256, rejects: bool):
    """
    @dev Record the caller's organisation's approval (or rejection), dropping its other vote.
    """
    org: uint256 = self._org_with_role(msg.sender, ADMIN)
    assert org != 0, "consortium: not admin"
    head: uint256 = self._proposals[proposal_id]
    self._assert_open(head)
    mine: uint256 = 1 << (org - 1)
    other: uint256 = mine << _REJECTIONS_SHIFT
    if rejects:
        mine = other
        other = 1 << (org - 1)
    assert head & mine == 0, "consortium: org already voted"
    head = (head | mine) & ~other
    self._proposals[proposal_id] = head
    if rejects:
        log Rejected(
            proposal_id=proposal_id,
            rejecter=msg.sender,
            org_id=org,
            rejections=self._popcount(head >> _REJECTIONS_SHIFT & _MAP_MASK),
        )
    else:
        log Approved(proposal_id=proposal_id, approver=msg.sender, org_id=org, approvals=self._popcount(head & _MAP_MASK))


@internal
@view
def _assert_open(head: uint256):
    """
    @dev Revert unless the proposal with this header is known, open and unexpired.
    """
    status: uint256 = self._status_of(head)
    assert status != 0, "consortium: unknown proposal"
    assert status == _PROPOSAL_OPEN, "consortium: proposal not open"
    assert block.timestamp < self._expires_of(head), "consortium: proposal expired"


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
    @dev Keep live_admin_orgs, its count per kind and its weight in step after `org` changed.
    """
    now_admin_org: bool = self._is_admin_org(org)
    if was_admin_org == now_admin_org:
        return
    kind: uint8 = self._orgs[org].kind
    if now_admin_org:
        self.live_admin_orgs += 1
        self.live_admin_orgs_of_kind[kind] += 1
        self.live_admin_weight += self._weight_of(org)
    else:
        self.live_admin_orgs -= 1
        self.live_admin_orgs_of_kind[kind] -= 1
        self.live_admin_weight -= self._weight_of(org)


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
    elif action == _SET_POLICY:
        a.action, a.policy = abi_decode(args, (uint8, uint256))
    elif action == _SET_WEIGHT:
        a.org, a.weight = abi_decode(args, (uint256, uint256))
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
    elif action == _SET_POLICY:
        assert a.action >= 1 and a.action <= _MAX_ACTION, "consortium: unknown action"
        self._check_policy(a.policy)
    elif action == _SET_WEIGHT:
        self._check_org_exists(a.org)
        assert self.org_status[a.org] != _STATUS_REMOVED, "consortium: organisation removed"
        assert a.weight >= 1 and a.weight <= _MAX_WEIGHT, "consortium: bad weight"


@internal
def _apply(action: uint8, a: _Args, proposal_id: uint256, reason: bytes32):
    """
    @dev The effect of each action, on arguments `_check` accepted.
    """
    if action == _ADD_ORG:
        self._add_org(a.name, a.kind, a.did, proposal_id, reason)
        self._announce(self.org_count, False, proposal_id, reason)
    elif action == _SUSPEND_ORG:
        self._set_status(a.org, _STATUS_SUSPENDED, proposal_id, reason)
        self._announce(a.org, True, proposal_id, reason)
    elif action == _REINSTATE_ORG:
        self._set_status(a.org, _STATUS_ACTIVE, proposal_id, reason)
        self._announce(a.org, True, proposal_id, reason)
    elif action == _REMOVE_ORG:
        self._set_status(a.org, _STATUS_REMOVED, proposal_id, reason)
        self._announce(a.org, True, proposal_id, reason)
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
        self._announce(a.org, False, proposal_id, reason)
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
    elif action == _SET_POLICY:
        self.policies[a.action] = a.policy
        bit: uint256 = 1 << convert(a.action, uint256)
        if a.policy == 0:
            self._own_policies &= ~bit
        else:
            self._own_policies |= bit
        log PolicyChanged(action=a.action, policy=a.policy, proposal_id=proposal_id, reason=reason)
    elif action == _SET_WEIGHT:
        if self._is_admin_org(a.org):
            self.live_admin_weight = self.live_admin_weight - self._weight_of(a.org) + a.weight
        self._weights[a.org] = a.weight
        log WeightChanged(org_id=a.org, weight=a.weight, proposal_id=proposal_id, reason=reason)


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
def _announce(org: uint256, status_only: bool, proposal_id: uint256, reason: bytes32):
    """
    @dev Hub: hand an organisation's new state to the HubLink, which sends it to every domain chain.
    """
    if self.hub_link != empty(address) and self.hub_chain == 0:
        extcall _HubLink(self.hub_link).announce(org, status_only, proposal_id, reason)


@internal
def _follow_identity(org_id: uint256, name: String[64], state: uint256, proposal_id: uint256, reason: bytes32):
    """
    @dev Domain: an organisation's name, kind and DID as the hub has them (a new id must be
         the next one here: ids are the hub's).
    """
    kind: uint8 = convert((state >> 8) & _BYTE_MASK, uint8)
    did: address = convert(convert((state >> 16) & _ADDRESS_MASK, uint160), address)
    if org_id > self.org_count:
        assert org_id == self.org_count + 1, "consortium: hub organisation out of order"
        self._add_org(name, kind, did, proposal_id, reason)
        return
    current: Organisation = self._orgs[org_id]
    if current.name != name or current.kind != kind:
        if current.kind != kind and self._is_admin_org(org_id):
            self.live_admin_orgs_of_kind[current.kind] -= 1
            self.live_admin_orgs_of_kind[kind] += 1
        self._orgs[org_id].name = name
        self._orgs[org_id].kind = kind
        log OrganisationAdded(org_id=org_id, name=name, kind=kind, did=did, proposal_id=proposal_id, reason=reason)
    if current.did != did:
        if self.org_by_did[current.did] == org_id:
            self.org_by_did[current.did] = 0
        if did != empty(address):
            self.org_by_did[did] = org_id
        self._orgs[org_id].did = did
        log DidChanged(org_id=org_id, did=did, proposal_id=proposal_id, reason=reason)
