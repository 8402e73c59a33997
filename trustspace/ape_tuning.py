"""Work around three behaviours of ape 0.8.51: a cost that doubles the time of every call
and transaction, call traces printed on stdout when a transaction reverts, and fees
priced for a fee market that free-gas networks do not have.

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

Fees. ape prices every transaction with the node's suggested priority fee and estimates
its gas at that price, so on a free-gas network (gas price 0, accounts without ether) the
estimate already fails: ``gas required exceeds allowance: 0``. :func:`network_fees` makes
ape's node providers price through :mod:`trustspace.fees` (the policy the web3.py daemons
use): type and prices from the network and its setting, gas estimated without a price,
:class:`trustspace.fees.FeeError` naming the account that cannot pay. Every entry point
gets it with the tuning it already applies (:func:`cache_custom_networks`,
:func:`quiet_revert_traces`); ape's in-process and ``local`` development chains keep
ape's own pricing.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import cached_property
from typing import Any

__all__ = [
    "cache_custom_networks",
    "fresh_node_facts_on_connect",
    "network_fees",
    "quiet_revert_traces",
    "tune_ape",
]

_ATTRIBUTE = "_custom_networks"


def tune_ape() -> None:
    """Every process-wide tuning an entry point (command, script, console, tests) applies
    before it touches a chain: the network-table cache, the network's own fees, and node
    facts read afresh on each connection."""
    cache_custom_networks()
    network_fees()
    fresh_node_facts_on_connect()


#: Facts ape caches on a provider (``cached_property``) that belong to the node it talks to,
#: not to the provider object. ape keeps the first provider connected to a URL for the life of
#: the process and hands it out again on every ``parse_network_choice(url)``, so a chain
#: restarted on the same port with another chain id was still reported with the old id. And
#: ``chain.chain_id`` is cached per network *name*, which is ``custom`` for every URL: after
#: one URL, every other URL read the first one's id (a hub entered after a tax chain signed
#: DIDs naming the tax chain).
_NODE_FACTS = ("chain_id", "has_poa_history", "supports_tracing", "_ots_api_level")


def fresh_node_facts_on_connect() -> bool:
    """Forget the cached chain facts of a network given by URL whenever a network context is
    entered or left (the provider's own, and ``chain.chain_id``'s cache); returns False if
    already done.

    Raises RuntimeError if ape's internals changed shape (after an upgrade), so the
    workaround is revisited instead of silently doing nothing.
    """
    from ape.api.networks import ProviderContextManager
    from ape.managers.chain import ChainManager

    push: Any = ProviderContextManager.__dict__.get("push_provider")
    pop: Any = ProviderContextManager.__dict__.get("pop_provider")
    if getattr(push, "_trustspace_fresh_facts", False):
        return False
    cache = getattr(ChainManager, "_chain_id_cache", None)
    if (
        not callable(push)
        or not callable(pop)
        or not isinstance(cache, dict)
        or not callable(getattr(type(cache), "key_for", None))
    ):
        raise RuntimeError(
            "ape's ProviderContextManager.push_provider/pop_provider or "
            "ChainManager._chain_id_cache changed; "
            "revisit trustspace.ape_tuning.fresh_node_facts_on_connect"
        )

    def forget(provider: Any) -> None:
        # Only networks given by URL: a named network's chain id is fixed by its config, and
        # the in-process chain's must stay as ape first read it (its snapshots are keyed by
        # it, and tests run blocks "as another chain" on it).
        network = getattr(provider, "network", None)
        if provider is None or network is None or not network.is_adhoc:
            return
        for name in _NODE_FACTS:
            provider.__dict__.pop(name, None)
        key_for: Any = type(cache).key_for  # type: ignore[attr-defined]
        cache.pop(key_for(provider), None)

    def push_provider(self: Any) -> Any:
        provider = push(self)
        forget(provider)
        return provider

    def pop_provider(self: Any) -> Any:
        result = pop(self)
        forget(self.network_manager.active_provider)
        return result

    push_provider._trustspace_fresh_facts = True  # type: ignore[attr-defined]
    ProviderContextManager.push_provider = push_provider  # type: ignore[method-assign]
    ProviderContextManager.pop_provider = pop_provider  # type: ignore[method-assign]
    return True


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


_FEES = "_trustspace_fees"


def network_fees() -> bool:
    """Price the transactions of ape's node providers by :mod:`trustspace.fees`; returns False
    if already done, RuntimeError if ape changed shape."""
    from ape_ethereum.provider import Web3Provider

    original: Any = Web3Provider.__dict__.get("prepare_transaction")
    if original is None:
        raise RuntimeError(
            "ape_ethereum's Web3Provider.prepare_transaction is gone; "
            "revisit trustspace/ape_tuning.py for this ape version"
        )
    if getattr(original, _FEES, False):
        return False

    def prepare_transaction(self: Any, txn: Any) -> Any:
        return _priced(self, txn, original)

    setattr(prepare_transaction, _FEES, True)
    prepare_transaction.__doc__ = original.__doc__
    Web3Provider.prepare_transaction = prepare_transaction  # type: ignore[method-assign]
    return True


def _ape_fee_settings(provider: Any, chain_id: int) -> Any:
    """``TRUSTSPACE_FEES`` for the chain over the ape network's own settings: its
    ``default_transaction_type`` (0: legacy) and an extra ``gas_price`` field (wei)."""
    from trustspace.fees import FeeSettings, settings_from_env

    config = provider.network.config
    legacy = getattr(getattr(config, "default_transaction_type", 2), "value", 2) == 0
    extra = getattr(config, "model_extra", None) or {}
    price = extra.get("gas_price")
    configured = FeeSettings("legacy" if legacy else "auto", None if price is None else int(price))
    return configured.merged(settings_from_env(chain_id))


def _priced(provider: Any, txn: Any, original: Callable[[Any, Any], Any]) -> Any:
    """Type, prices and gas of ``txn`` from the network, then ape's own preparation."""
    from ape.types.gas import AutoGasLimit

    from trustspace.fees import NetworkFees

    chosen = (getattr(txn, name, None) for name in ("gas_price", "max_fee", "max_priority_fee"))
    if provider.network.is_dev or txn.type not in (0, 2) or any(v is not None for v in chosen):
        return original(provider, txn)  # a development chain, or prices the caller chose
    # As ape's own preparation does first: the estimate below is checked against the chain id.
    txn.chain_id = provider.network.chain_id
    chain_id = int(provider.chain_id)

    def rpc(method: str, params: list[Any]) -> Any:
        return provider.make_request(method, params)

    fees = NetworkFees(rpc, chain_id, _ape_fee_settings(provider, chain_id))
    quote = fees.quote(legacy=True if txn.type == 0 else None)
    if quote.legacy and txn.type != 0:
        fields = txn.model_dump(exclude={"type", "max_fee", "max_priority_fee", "access_list"})
        txn = provider.network.ecosystem.create_transaction(**fields, type=0)
    limit = provider.network.gas_limit if txn.gas_limit is None else txn.gas_limit
    if limit in (None, "auto") or isinstance(limit, AutoGasLimit):
        # Estimated before any price is set: the node then assumes no balance.
        multiplier = getattr(limit, "multiplier", provider.network.auto_gas_multiplier)
        estimate = provider.estimate_gas_cost(txn)
        txn.gas_limit = min(int(estimate * multiplier), provider.max_gas)
    if txn.sender is not None and txn.gas_limit is not None:
        balance = int(provider.get_balance(txn.sender))
        quote = fees.payable(quote, str(txn.sender), balance, int(txn.gas_limit), int(txn.value))
    if quote.legacy:
        txn.gas_price = quote.price
    else:
        txn.max_fee, txn.max_priority_fee = quote.price, quote.tip
    return original(provider, txn)
