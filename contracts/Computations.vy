# pragma version 0.4.3
# pragma nonreentrancy off
"""
@title Computations
@license Apache-2.0
@notice The on-chain trail of privacy computations under threshold encryption
        (docs/privacy.md): an ADMIN of an active organisation (the opener, e.g.
        a ministry) opens a computation among active organisations under a
        joint key (its digest); each participant records the digest of its
        encrypted contribution; once at least `min_contributors` (2 or more,
        fixed at open) have contributed, a participant or the opener records the
        digest of the homomorphic aggregate of all of them, which closes
        contributions; each organisation records the digest of its partial
        decryption (with proofs); once `threshold` shares are recorded the
        opener's organisation publishes the totals with the organisations whose
        shares produced them (every reader re-derives them off chain). Every step is an event, so the trail is read
        from chain data alone.
@custom:security Membership, status and roles are asked live from the
        Consortium at every step: a suspended organisation can neither
        contribute nor decrypt. The contract records digests, not data: the
        ciphertexts stay with the parties and anyone who fetches one compares
        it with its digest here. It cannot check the cryptography (proofs are
        checked off chain by every reader of the shares); it checks who may act
        and in which order. No owner: cancelling is a Consortium CALL proposal.
"""

from interfaces import IComputations

implements: IComputations


interface _Consortium:
    def org_of(account: address) -> uint256: view
    def is_org_live(org_id: uint256) -> bool: view
    def has_role(account: address, role: uint256) -> bool: view


# @dev Role flags of the Consortium (Role in trustspace/consortium/constants.py).
_ADMIN: constant(uint256) = 1
_NOTARY: constant(uint256) = 2


# @dev Most organisations in one computation.
_MAX_PARTIES: constant(uint256) = 16


# @dev Most totals one result publishes.
_MAX_TOTALS: constant(uint256) = 64


# @dev Stages of a computation.
_COLLECTING: constant(uint8) = 1
_DECRYPTING: constant(uint8) = 2
_PUBLISHED: constant(uint8) = 3
_CANCELLED: constant(uint8) = 4


struct Computation:
    opener: uint256
    threshold: uint256
    key_digest: bytes32
    participants: DynArray[uint256, _MAX_PARTIES]
    stage: uint8
    contributions: uint256
    aggregate_digest: bytes32
    shares: uint256
    result_digest: bytes32
    min_contributors: uint256


# @dev The Consortium asked about organisations, their status and roles.
consortium: public(immutable(address))


# @dev Computations opened so far (ids run from 1).
computation_count: public(uint256)


# @dev Computation id -> its record.
computations: public(HashMap[uint256, Computation])


# @dev Computation id -> organisation id -> digest of its contribution.
contribution_of: public(HashMap[uint256, HashMap[uint256, bytes32]])


# @dev Computation id -> organisation id -> digest of its partial decryption.
share_of: public(HashMap[uint256, HashMap[uint256, bytes32]])


# @dev A computation was opened: by whom, among whom, under which key.
event Opened:
    computation_id: indexed(uint256)
    org_id: indexed(uint256)
    account: address
    participants: DynArray[uint256, _MAX_PARTIES]
    threshold: uint256
    key_digest: bytes32
    description: String[128]


# @dev An organisation recorded the digest of its encrypted contribution.
event Contributed:
    computation_id: indexed(uint256)
    org_id: indexed(uint256)
    account: address
    digest: bytes32


# @dev The aggregate of the listed contributions was recorded; contributions closed.
event Aggregated:
    computation_id: indexed(uint256)
    org_id: indexed(uint256)
    account: address
    digest: bytes32
    contributors: DynArray[uint256, _MAX_PARTIES]


# @dev An organisation recorded the digest of its partial decryption.
event Shared:
    computation_id: indexed(uint256)
    org_id: indexed(uint256)
    account: address
    digest: bytes32


# @dev The totals were published with the organisations whose shares decrypted them.
event Published:
    computation_id: indexed(uint256)
    org_id: indexed(uint256)
    account: address
    digest: bytes32
    totals: DynArray[uint256, _MAX_TOTALS]
    share_orgs: DynArray[uint256, _MAX_PARTIES]


# @dev Governance closed an unfinished computation.
event Cancelled:
    computation_id: indexed(uint256)
    reason: bytes32


@deploy
def __init__(consortium_: address):
    """
    @notice Bind to the Consortium that decides who may take part.
    @param consortium_ The Consortium contract.
    """
    assert consortium_ != empty(address), "computations: no consortium"
    consortium = consortium_


@external
def open(
    participants: DynArray[uint256, _MAX_PARTIES],
    threshold: uint256,
    key_digest: bytes32,
    description: String[128],
    min_contributors: uint256,
) -> uint256:
    """
    @notice Open a computation among active organisations under a joint key.
    @param participants Organisation ids taking part (2 to 16, distinct).
    @param threshold Partial decryptions needed to decrypt (1 to len(participants)).
    @param key_digest SHA-256 of the key document (RFC 8785), the joint key's identity.
    @param description What is computed (the schema of the values), for people.
    @param min_contributors Contributions the aggregate needs at least (2 to len(participants)),
           so that no total is one agency's figure.
    @return The new computation id (from 1).
    """
    org: uint256 = self._acting_org(msg.sender)
    assert staticcall _Consortium(consortium).has_role(msg.sender, _ADMIN), "computations: not admin"
    assert len(participants) >= 2, "computations: too few participants"
    assert threshold >= 1 and threshold <= len(participants), "computations: bad threshold"
    assert min_contributors >= 2 and min_contributors <= len(participants), "computations: bad min contributors"
    assert key_digest != empty(bytes32), "computations: empty digest"
    for i: uint256 in range(len(participants), bound=_MAX_PARTIES):
        p: uint256 = participants[i]
        assert staticcall _Consortium(consortium).is_org_live(p), "computations: participant not active"
        for j: uint256 in range(i, bound=_MAX_PARTIES):
            assert participants[j] != p, "computations: duplicate participant"
    cid: uint256 = self.computation_count + 1
    self.computation_count = cid
    self.computations[cid] = Computation(
        opener=org,
        threshold=threshold,
        key_digest=key_digest,
        participants=participants,
        stage=_COLLECTING,
        contributions=0,
        aggregate_digest=empty(bytes32),
        shares=0,
        result_digest=empty(bytes32),
        min_contributors=min_contributors,
    )
    log Opened(
        computation_id=cid,
        org_id=org,
        account=msg.sender,
        participants=participants,
        threshold=threshold,
        key_digest=key_digest,
        description=description,
    )
    return cid


@external
def contribute(computation_id: uint256, digest: bytes32):
    """
    @notice Record the digest of the caller's organisation's encrypted contribution.
    @param computation_id The computation.
    @param digest SHA-256 of the contribution document; the ciphertexts stay with the party.
    """
    org: uint256 = self._participant(computation_id, msg.sender, _COLLECTING, False)
    assert digest != empty(bytes32), "computations: empty digest"
    assert self.contribution_of[computation_id][org] == empty(bytes32), "computations: already contributed"
    self.contribution_of[computation_id][org] = digest
    self.computations[computation_id].contributions += 1
    log Contributed(computation_id=computation_id, org_id=org, account=msg.sender, digest=digest)


@external
def record_aggregate(
    computation_id: uint256, digest: bytes32, contributors: DynArray[uint256, _MAX_PARTIES]
):
    """
    @notice Record the homomorphic sum of all recorded contributions (at least the
            computation's min_contributors); contributions close.
    @param computation_id The computation.
    @param digest SHA-256 of the aggregate document.
    @param contributors Every organisation that contributed, ascending (checked against the record).
    """
    org: uint256 = self._participant(computation_id, msg.sender, _COLLECTING, True)
    assert digest != empty(bytes32), "computations: empty digest"
    assert len(contributors) > 0, "computations: no contributions"
    assert len(contributors) == self.computations[computation_id].contributions, "computations: contributors differ"
    assert len(contributors) >= self.computations[computation_id].min_contributors, "computations: too few contributions"
    last: uint256 = 0
    for c: uint256 in contributors:
        assert c > last, "computations: not ascending"
        assert self.contribution_of[computation_id][c] != empty(bytes32), "computations: contributors differ"
        last = c
    self.computations[computation_id].aggregate_digest = digest
    self.computations[computation_id].stage = _DECRYPTING
    log Aggregated(
        computation_id=computation_id,
        org_id=org,
        account=msg.sender,
        digest=digest,
        contributors=contributors,
    )


@external
def record_share(computation_id: uint256, digest: bytes32):
    """
    @notice Record the digest of the caller's organisation's partial decryption (with proofs).
    @param computation_id The computation.
    @param digest SHA-256 of the partial decryption document.
    """
    org: uint256 = self._participant(computation_id, msg.sender, _DECRYPTING, False)
    assert digest != empty(bytes32), "computations: empty digest"
    assert self.share_of[computation_id][org] == empty(bytes32), "computations: already shared"
    self.share_of[computation_id][org] = digest
    self.computations[computation_id].shares += 1
    log Shared(computation_id=computation_id, org_id=org, account=msg.sender, digest=digest)


@external
def publish_result(
    computation_id: uint256,
    digest: bytes32,
    totals: DynArray[uint256, _MAX_TOTALS],
    share_orgs: DynArray[uint256, _MAX_PARTIES],
):
    """
    @notice Publish the decrypted totals with the organisations whose shares produced them.
    @dev The opener's organisation only (an ADMIN or NOTARY account of it).
    @param computation_id The computation.
    @param digest SHA-256 of the result document.
    @param totals The decrypted totals, in the order of the schema.
    @param share_orgs At least threshold organisations with a recorded share, ascending.
    """
    org: uint256 = self._participant(computation_id, msg.sender, _DECRYPTING, True)
    assert org == self.computations[computation_id].opener, "computations: not opener"
    assert digest != empty(bytes32), "computations: empty digest"
    assert len(share_orgs) >= self.computations[computation_id].threshold, "computations: too few shares"
    last: uint256 = 0
    for s: uint256 in share_orgs:
        assert s > last, "computations: not ascending"
        assert self.share_of[computation_id][s] != empty(bytes32), "computations: share not recorded"
        last = s
    self.computations[computation_id].result_digest = digest
    self.computations[computation_id].stage = _PUBLISHED
    log Published(
        computation_id=computation_id,
        org_id=org,
        account=msg.sender,
        digest=digest,
        totals=totals,
        share_orgs=share_orgs,
    )


@external
def cancel(computation_id: uint256, reason: bytes32):
    """
    @notice Close an unfinished computation (a Consortium CALL proposal only).
    @param computation_id The computation.
    @param reason Hash of the reason (the proposal that executed it is in the Consortium's events).
    """
    assert msg.sender == consortium, "computations: not consortium"
    stage: uint8 = self.computations[computation_id].stage
    assert stage == _COLLECTING or stage == _DECRYPTING, "computations: closed"
    self.computations[computation_id].stage = _CANCELLED
    log Cancelled(computation_id=computation_id, reason=reason)


@internal
@view
def _acting_org(account: address) -> uint256:
    org: uint256 = staticcall _Consortium(consortium).org_of(account)
    assert org != 0, "computations: not a member"
    assert staticcall _Consortium(consortium).is_org_live(org), "computations: organisation not active"
    return org


@internal
@view
def _participant(computation_id: uint256, account: address, stage: uint8, opener_too: bool) -> uint256:
    current: uint8 = self.computations[computation_id].stage
    assert current != 0, "computations: unknown computation"
    assert current == stage, "computations: wrong stage"
    org: uint256 = self._acting_org(account)
    assert (
        staticcall _Consortium(consortium).has_role(account, _NOTARY)
        or staticcall _Consortium(consortium).has_role(account, _ADMIN)
    ), "computations: no role"
    if opener_too and org == self.computations[computation_id].opener:
        return org
    assert org in self.computations[computation_id].participants, "computations: not a participant"
    return org
