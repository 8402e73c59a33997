"""Verifiable credentials between agencies: issue, present, verify; trusted issuers and status.

- :mod:`~trustspace.credentials.issuer`: VC JWTs and SD-JWT VCs signed by an agency's delegate key;
- :mod:`~trustspace.credentials.holder`: presentations with audience and nonce;
- :mod:`~trustspace.credentials.verifier`: every check, each failure with its own reason;
- :mod:`~trustspace.credentials.status`: on-chain status lists and their published form;
- :mod:`~trustspace.credentials.schemas`: JSON Schemas by hash;
- :mod:`~trustspace.credentials.registry`: the CredentialRegistry contract from ape.
"""

from trustspace.credentials.model import CredentialError, Purpose, Reason, Verdict

__all__ = ["CredentialError", "Purpose", "Reason", "Verdict"]
