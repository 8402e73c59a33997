"""On-chain constants of the Consortium, mirrored once for all Python code.

The values must equal the constants in ``contracts/Consortium.vy``;
``tests/unit/consortium/test_constants.py`` reads them back from the contract.
"""

from enum import IntEnum, IntFlag

__all__ = [
    "ALL_ROLES",
    "MAX_ACTION",
    "Action",
    "OrgKind",
    "OrgStatus",
    "PolicyKind",
    "ProposalStatus",
    "Role",
]


class Role(IntFlag):
    """Role flags granted per account; ``has_role`` needs every flag asked for."""

    ADMIN = 1
    NOTARY = 2
    ISSUER = 4
    VALIDATOR = 8
    RELAYER = 16
    AUDITOR = 32


ALL_ROLES = Role.ADMIN | Role.NOTARY | Role.ISSUER | Role.VALIDATOR | Role.RELAYER | Role.AUDITOR


class OrgKind(IntEnum):
    """What kind of agency an organisation is."""

    CUSTOMS = 1
    TAX = 2
    MARITIME = 3
    FOREX = 4
    MINISTRY = 5
    OTHER = 6


class OrgStatus(IntEnum):
    """Lifecycle of an organisation; REMOVED is final."""

    NONE = 0
    ACTIVE = 1
    SUSPENDED = 2
    REMOVED = 3


class ProposalStatus(IntEnum):
    """Lifecycle of a governance proposal (expiry is computed from time, not stored)."""

    NONE = 0
    OPEN = 1
    EXECUTED = 2
    CANCELLED = 3


class Action(IntEnum):
    """Governance actions; each takes ABI-encoded arguments (see consortium.governance)."""

    ADD_ORG = 1
    SUSPEND_ORG = 2
    REINSTATE_ORG = 3
    REMOVE_ORG = 4
    ADD_ACCOUNT = 5
    REMOVE_ACCOUNT = 6
    GRANT_ROLE = 7
    REVOKE_ROLE = 8
    SET_THRESHOLD = 9
    SET_DID = 10
    ADD_NODE = 11
    REMOVE_NODE = 12
    SET_PROTECTED = 13
    CALL = 14
    SET_POLICY = 15
    SET_WEIGHT = 16
    BIND = 17


#: The highest action a policy may be set for (``_MAX_ACTION`` in the contract).
MAX_ACTION = 17


class PolicyKind(IntEnum):
    """How a proposal of one action passes (bits 0-7 of a policy word).

    ``DEFAULT`` (policy word 0) is K_OF_N with the current threshold.
    """

    DEFAULT = 0
    K_OF_N = 1
    WEIGHTED = 2
    ALL_OF_KIND = 3
