"""Work around two behaviours of ape 0.8.51: a cost that doubles the time of every call
and transaction, and call traces printed on stdout when a transaction reverts.

Cost. ``EcosystemAPI._custom_networks`` rebuilds pydantic network classes on each
access, and ape reads it on every call and transaction (to pick the default
transaction type) when ``ape-config.yaml`` declares custom networks, as ours
does (hub, customs, tax). The networks come from configuration, which does
not change within a process, so the result is cached per ecosystem.
Measured: a view call on the in-process chain 9.0 ms before, 3.1 ms after.

Traces. When a node refuses a transaction, ape prints the call trace to stdout
headed "reverted without message" before the error carrying the decoded custom
error is even raised: it contradicts the error and breaks ``--json`` output.
:func:`quiet_revert_traces` keeps the trace off stdout (on stderr with ``--debug``).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import cached_property
from typing import Any

__all__ = ["cache_custom_networks", "quiet_revert_traces"]

_ATTRIBUTE = "_custom_networks"


def cache_custom_networks() -> bool:
    """Cache the custom network table per ecosystem; returns False if already done.

    Raises RuntimeError if ape's internals changed shape (after an upgrade),
    so the workaround is revisited instead of silently doing nothing.
    """
    from ape.api.networks import EcosystemAPI

    current: Any = EcosystemAPI.__dict__.get(_ATTRIBUTE)
    if isinstance(current, cached_property):
        return False
    if not isinstance(current, property) or current.fget is None:
        raise RuntimeError(
            f"ape's EcosystemAPI.{_ATTRIBUTE} is no longer a property; "
            "revisit trustspace/ape_tuning.py for this ape version"
        )
    cached: cached_property[Any] = cached_property(current.fget)
    cached.__set_name__(EcosystemAPI, _ATTRIBUTE)
    setattr(EcosystemAPI, _ATTRIBUTE, cached)
    return True


_QUIET = "_trustspace_quiet"


def quiet_revert_traces(show: Callable[[], bool]) -> bool:
    """Stop ape printing a reverted transaction's trace on stdout; print it on stderr when
    ``show()`` is true. Returns False if already done; RuntimeError if ape changed shape."""
    import ape_ethereum.provider as provider

    original: Any = getattr(provider, "_get_trace_from_revert_kwargs", None)
    if original is None:
        raise RuntimeError(
            "ape_ethereum.provider._get_trace_from_revert_kwargs is gone; "
            "revisit trustspace/ape_tuning.py for this ape version"
        )
    if getattr(original, _QUIET, False):
        return False

    def on_stderr(**kwargs: Any) -> Any:
        trace = original(**kwargs)
        if trace is not None and show():
            trace.show(file=sys.stderr)
        return None

    setattr(on_stderr, _QUIET, True)
    provider._get_trace_from_revert_kwargs = on_stderr
    return True
