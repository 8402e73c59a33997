# pragma version 0.4.3
# pragma nonreentrancy off
"""
@title CredentialRegistry
@license Apache-2.0
@notice Trusted issuers, trusted schemas and credential status for the trustspace
        consortium (EBSI's Trusted Issuers / Trusted Schemas registries and the W3C
        Bitstring Status List, kept on the hub chain). The Consortium registers JSON
        Schemas by hash and accredits organisations to issue a credential type under a
        schema for an interval; a withdrawal ends the current interval and any queued
        renewal, and earlier intervals stay, so a credential issued while its issuer was accredited stays
        verifiable as such. An organisation's ISSUER accounts create status lists
        (one purpose each: revocation, final, or suspension, reversible) and flip
        their entries, one or many per transaction.
@custom:security Flips must stay cheap (≤ 50,000 gas for one entry): a list's words are
        written once when the list is created or extended (bit 255 is a sentinel), so
        that a flip rewrites a non-zero slot (5,000 gas, not 22,100), and one
        `org_with_role` call answers both "may it act" and "for whom".
        The issuance time a verifier checks the accreditation at is the credential's own
        `iat`/`validFrom`, which the issuer signs: a withdrawn issuer whose signing keys
        are still live delegates could backdate. Governance should revoke the agency's
        delegates with the accreditation; verifiers also check that the signing delegate
        was live at that time.
"""

from interfaces import ICredentialRegistry

implements: ICredentialRegistry  # the compiler checks every signature against the NatSpec'd interface


interface _Consortium:
    def org_with_role(account: address, role: uint256) -> uint256: view
    def is_org_live(org_id: uint256) -> bool: view


# @dev The ISSUER role flag (trustspace.consortium.constants.Role.ISSUER).
_ROLE_ISSUER: constant(uint256) = 4
# @dev Purpose of a revocation list (an entry, once set, stays set).
_REVOCATION: constant(uint8) = 1
# @dev Purpose of a suspension list (an entry can be set and cleared).
_SUSPENSION: constant(uint8) = 2
# @dev Entries per storage word; bit 255 is the sentinel.
_PER_WORD: constant(uint256) = 255
# @dev The sentinel bit that keeps every allocated word non-zero.
_SENTINEL: constant(uint256) = 1 << 255
# @dev Most words allocated by one create/extend call (about 2.9 M gas).
_MAX_GROW: constant(uint256) = 128
# @dev Most words of a list (16,320 per 64: 2,088,960 entries).
_MAX_WORDS: constant(uint256) = 8_192
# @dev Most entries one batch flips.
_MAX_BATCH: constant(uint256) = 256
# @dev Most words one read returns.
_MAX_READ: constant(uint256) = 1_024
# @dev Masks of the head word's fields.
_MASK64: constant(uint256) = 2**64 - 1
_MASK32: constant(uint256) = 2**32 - 1
_MASK8: constant(uint256) = 255
# @dev Most accreditation intervals kept per (organisation, type, schema).
_MAX_INTERVALS: constant(uint256) = 16


# @dev The Consortium: sole governor, and the source of roles and organisations.
CONSORTIUM: immutable(_Consortium)

# @dev Number of status lists created (ids run from 1).
list_count: public(uint256)

# @dev Credential type (keccak256 of its name) of each registered schema hash.
schema_type: public(HashMap[bytes32, bytes32])

# @dev Accreditation intervals per keccak256(org, type, schema), oldest first.
_intervals: HashMap[bytes32, DynArray[ICredentialRegistry.Interval, _MAX_INTERVALS]]

# @dev Head of each list, one word: organisation (bits 0-63), purpose (64-71), words (72-103).
_heads: HashMap[uint256, uint256]

# @dev Words of each list: entry i is bit i % 255 of word i // 255.
_words: HashMap[uint256, HashMap[uint256, uint256]]


# @dev A JSON Schema (by the keccak256 of its canonical bytes) registered for a credential type.
event SchemaRegistered:
    schema_hash: indexed(bytes32)
    credential_type: indexed(bytes32)


# @dev An organisation was accredited to issue `credential_type` under `schema_hash` for an interval.
event Accredited:
    org_id: indexed(uint256)
    credential_type: indexed(bytes32)
    schema_hash: indexed(bytes32)
    valid_from: uint64
    valid_until: uint64


# @dev An accreditation was withdrawn: no interval holds from `valid_until` (the withdrawal's time) on.
event AccreditationWithdrawn:
    org_id: indexed(uint256)
    credential_type: indexed(bytes32)
    schema_hash: indexed(bytes32)
    valid_until: uint64


# @dev An organisation's ISSUER created a status list of `capacity` entries for `purpose`.
event StatusListCreated:
    list_id: indexed(uint256)
    org_id: indexed(uint256)
    creator: indexed(address)
    purpose: uint8
    capacity: uint256


# @dev A status list grew to `capacity` entries.
event StatusListExtended:
    list_id: indexed(uint256)
    by: indexed(address)
    capacity: uint256


# @dev Entry `index` of list `list_id` was set to `flag` by `by`, for the reason hashed in `reason`.
event StatusChanged:
    list_id: indexed(uint256)
    index: indexed(uint256)
    by: indexed(address)
    flag: bool
    reason: bytes32


@deploy
def __init__(consortium: address):
    """
    @notice Bind the registry to its governing Consortium.
    @param consortium The Consortium contract.
    """
    assert consortium != empty(address), "credentials: zero consortium"
    CONSORTIUM = _Consortium(consortium)


@external
@view
def consortium() -> address:
    """
    @notice The Consortium that governs this registry and answers role questions.
    @return The Consortium's address.
    """
    return CONSORTIUM.address


@external
def register_schema(schema_hash: bytes32, credential_type: bytes32):
    """
    @notice Register a JSON Schema for a credential type (Consortium only, through a CALL proposal).
    @param schema_hash keccak256 of the schema's canonical JSON bytes.
    @param credential_type keccak256 of the credential type name.
    """
    self._only_consortium()
    assert schema_hash != empty(bytes32) and credential_type != empty(bytes32), "credentials: zero hash"
    assert self.schema_type[schema_hash] == empty(bytes32), "credentials: schema registered"
    self.schema_type[schema_hash] = credential_type
    log SchemaRegistered(schema_hash=schema_hash, credential_type=credential_type)


@external
def accredit(org_id: uint256, credential_type: bytes32, schema_hash: bytes32, valid_from: uint64, valid_until: uint64):
    """
    @notice Let an organisation issue a credential type under a schema from `valid_from` until `valid_until` (Consortium only).
    @param org_id The issuing organisation.
    @param credential_type keccak256 of the credential type name.
    @param schema_hash A schema registered for that type.
    @param valid_from First second of the accreditation (unix time).
    @param valid_until First second after it.
    """
    self._only_consortium()
    assert self.schema_type[schema_hash] == credential_type and credential_type != empty(bytes32), "credentials: unknown schema"
    assert valid_from < valid_until and valid_until > convert(block.timestamp, uint64), "credentials: bad interval"
    assert staticcall CONSORTIUM.is_org_live(org_id), "credentials: org not live"
    key: bytes32 = self._key(org_id, credential_type, schema_hash)
    n: uint256 = len(self._intervals[key])
    if n > 0:
        last: ICredentialRegistry.Interval = self._intervals[key][n - 1]
        assert valid_from >= last.valid_until, "credentials: overlapping accreditation"
    assert n < _MAX_INTERVALS, "credentials: too many accreditations"
    self._intervals[key].append(ICredentialRegistry.Interval(valid_from=valid_from, valid_until=valid_until))
    log Accredited(
        org_id=org_id, credential_type=credential_type, schema_hash=schema_hash, valid_from=valid_from, valid_until=valid_until
    )


@external
def withdraw(org_id: uint256, credential_type: bytes32, schema_hash: bytes32):
    """
    @notice End an organisation's current accreditation and every pending one now (Consortium only).
    @param org_id The issuing organisation.
    @param credential_type keccak256 of the credential type name.
    @param schema_hash The schema of the accreditation.
    """
    self._only_consortium()
    key: bytes32 = self._key(org_id, credential_type, schema_hash)
    n: uint256 = len(self._intervals[key])
    now: uint64 = convert(block.timestamp, uint64)
    assert n > 0 and self._intervals[key][n - 1].valid_until > now, "credentials: not accredited"
    # Every interval still open ends now: the one holding now at `now`, a queued renewal (not
    # yet started) before it begins, so that it never holds. Intervals are ordered and
    # disjoint, so the walk from the newest stops at the first one already over.
    for j: uint256 in range(n, bound=_MAX_INTERVALS):
        i: uint256 = n - 1 - j
        iv: ICredentialRegistry.Interval = self._intervals[key][i]
        if iv.valid_until <= now:
            break
        iv.valid_until = max(now, iv.valid_from)
        self._intervals[key][i] = iv
    log AccreditationWithdrawn(org_id=org_id, credential_type=credential_type, schema_hash=schema_hash, valid_until=now)


@external
@view
def accredited_at(org_id: uint256, credential_type: bytes32, schema_hash: bytes32, at: uint64) -> bool:
    """
    @notice Whether an organisation was accredited for a type and schema at time `at`.
    @param org_id The issuing organisation.
    @param credential_type keccak256 of the credential type name.
    @param schema_hash The schema.
    @param at Unix time asked about (a credential's issuance time).
    @return True if some interval holds valid_from <= at < valid_until.
    """
    for iv: ICredentialRegistry.Interval in self._intervals[self._key(org_id, credential_type, schema_hash)]:
        if iv.valid_from <= at and at < iv.valid_until:
            return True
    return False


@external
@view
def accreditations(org_id: uint256, credential_type: bytes32, schema_hash: bytes32) -> DynArray[ICredentialRegistry.Interval, 16]:
    """
    @notice Every accreditation interval of an organisation for a type and schema, oldest first.
    @param org_id The issuing organisation.
    @param credential_type keccak256 of the credential type name.
    @param schema_hash The schema.
    @return The intervals.
    """
    return self._intervals[self._key(org_id, credential_type, schema_hash)]


@external
def create_list(purpose: uint8, words: uint256) -> uint256:
    """
    @notice Create a status list of the caller's organisation (ISSUER accounts only).
    @param purpose 1 revocation (final), 2 suspension (reversible).
    @param words Words to allocate now (255 entries each, at most 128 per call).
    @return The new list id (from 1).
    """
    org: uint256 = self._issuer_org()
    assert purpose == _REVOCATION or purpose == _SUSPENSION, "credentials: bad purpose"
    assert words > 0 and words <= _MAX_GROW, "credentials: bad size"
    list_id: uint256 = self.list_count + 1
    self.list_count = list_id
    self._heads[list_id] = org | (convert(purpose, uint256) << 64) | (words << 72)
    self._fill(list_id, 0, words)
    log StatusListCreated(list_id=list_id, org_id=org, creator=msg.sender, purpose=purpose, capacity=words * _PER_WORD)
    return list_id


@external
def extend_list(list_id: uint256, words: uint256):
    """
    @notice Grow a status list of the caller's organisation by `words` words (ISSUER accounts only).
    @param list_id The list.
    @param words Words to add (at most 128 per call).
    """
    head: uint256 = self._owned_head(list_id)
    assert words > 0 and words <= _MAX_GROW, "credentials: bad size"
    have: uint256 = (head >> 72) & _MASK32
    assert have + words <= _MAX_WORDS, "credentials: list full"
    self._heads[list_id] = (head & ~(_MASK32 << 72)) | ((have + words) << 72)
    self._fill(list_id, have, words)
    log StatusListExtended(list_id=list_id, by=msg.sender, capacity=(have + words) * _PER_WORD)


@external
def set_status(list_id: uint256, index: uint256, flag: bool, reason: bytes32):
    """
    @notice Set one entry of a status list of the caller's organisation (ISSUER accounts only).
    @param list_id The list.
    @param index The entry (the credential's statusListIndex).
    @param flag True revoked/suspended, false reinstated (suspension only).
    @param reason keccak256 of the human-readable reason.
    """
    head: uint256 = self._owned_head(list_id)
    self._check_value(head, flag)
    self._set(list_id, head, index, flag, reason)


@external
def set_statuses(list_id: uint256, indices: DynArray[uint256, _MAX_BATCH], flag: bool, reason: bytes32):
    """
    @notice Set many entries of one status list in one transaction (ISSUER accounts only).
    @param list_id The list.
    @param indices The entries (at most 256).
    @param flag True revoked/suspended, false reinstated (suspension only).
    @param reason keccak256 of the human-readable reason.
    """
    head: uint256 = self._owned_head(list_id)
    self._check_value(head, flag)
    assert len(indices) > 0, "credentials: no entries"
    for index: uint256 in indices:
        self._set(list_id, head, index, flag, reason)


@external
@view
def status(list_id: uint256, index: uint256) -> bool:
    """
    @notice The bit of one entry (false for an unknown list or an index out of range).
    @param list_id The list.
    @param index The entry.
    @return True if revoked (revocation list) or suspended (suspension list).
    """
    return (self._words[list_id][index // _PER_WORD] >> (index % _PER_WORD)) & 1 == 1


@external
@view
def list_info(list_id: uint256) -> (uint256, uint8, uint256):
    """
    @notice Owner organisation, purpose and capacity of a status list.
    @param list_id The list.
    @return The owner organisation id (0 if no such list).
    @return The purpose: 1 revocation, 2 suspension.
    @return The capacity in entries.
    """
    head: uint256 = self._heads[list_id]
    return head & _MASK64, convert((head >> 64) & _MASK8, uint8), ((head >> 72) & _MASK32) * _PER_WORD


@external
@view
def list_words(list_id: uint256, start: uint256, count: uint256) -> DynArray[uint256, _MAX_READ]:
    """
    @notice Raw words of a status list (bit 255 is the sentinel), to publish it as a status-list credential.
    @param list_id The list.
    @param start First word.
    @param count Words to read (at most 1024; fewer at the end of the list).
    @return The words.
    """
    have: uint256 = (self._heads[list_id] >> 72) & _MASK32
    out: DynArray[uint256, _MAX_READ] = []
    for i: uint256 in range(_MAX_READ):
        if i >= count or start + i >= have:
            break
        out.append(self._words[list_id][start + i])
    return out


@internal
@view
def _only_consortium():
    assert msg.sender == CONSORTIUM.address, "credentials: not consortium"


@internal
@view
def _issuer_org() -> uint256:
    org: uint256 = staticcall CONSORTIUM.org_with_role(msg.sender, _ROLE_ISSUER)
    assert org != 0, "credentials: not issuer"
    return org


@internal
@view
def _owned_head(list_id: uint256) -> uint256:
    head: uint256 = self._heads[list_id]
    assert head != 0, "credentials: unknown list"
    assert self._issuer_org() == head & _MASK64, "credentials: not list owner"
    return head


@internal
@pure
def _check_value(head: uint256, flag: bool):
    assert flag or (head >> 64) & _MASK8 == convert(_SUSPENSION, uint256), "credentials: revocation is final"


@internal
def _set(list_id: uint256, head: uint256, index: uint256, flag: bool, reason: bytes32):
    assert index < ((head >> 72) & _MASK32) * _PER_WORD, "credentials: index out of range"
    slot: uint256 = index // _PER_WORD
    bit: uint256 = 1 << (index % _PER_WORD)
    word: uint256 = self._words[list_id][slot]
    if flag:
        word |= bit
    else:
        word &= ~bit
    self._words[list_id][slot] = word
    log StatusChanged(list_id=list_id, index=index, by=msg.sender, flag=flag, reason=reason)


@internal
def _fill(list_id: uint256, first: uint256, words: uint256):
    for i: uint256 in range(_MAX_GROW):
        if i >= words:
            break
        self._words[list_id][first + i] = _SENTINEL


@internal
@pure
def _key(org_id: uint256, credential_type: bytes32, schema_hash: bytes32) -> bytes32:
    return keccak256(abi_encode(org_id, credential_type, schema_hash))
