"""The exceptions trustspace raises on purpose, under one root.

Every error the SDK raises for a reason it understands derives from
:class:`TrustspaceError`, so agency software can catch the package's failures in
one clause and the CLI can turn each into one line and an exit code. Two
branches tell the caller what to do next:

* :class:`InputError` — what was given is wrong (a malformed file, an unknown
  name, an address that holds the wrong contract): fix the input;
* :class:`UnreachableError` — a chain, contract or service could not be reached:
  retry, or fix the network configuration.

Domain errors (``BundleError``, ``DeploymentError`` …) live beside the code that
raises them and derive from one of these.
"""

from __future__ import annotations

__all__ = ["InputError", "TrustspaceError", "UnreachableError"]


class TrustspaceError(Exception):
    """Root of every error trustspace raises on purpose; the message says what to do."""


class InputError(TrustspaceError, ValueError):
    """The input (file, argument, configuration, address) is wrong; fixing it helps."""


class UnreachableError(TrustspaceError, ConnectionError):
    """A chain, contract or service did not answer; retrying or fixing the URL helps."""
