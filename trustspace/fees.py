"""Transaction fees taken from the network: one policy below both chain stacks.

Permissioned networks of the kind trustspace targets often have no fee market: Besu and
GoQuorum "free gas" networks (minimum gas price 0), BSN's open permissioned chains, FISCO
BCOS's web3 RPC. Their accounts hold no ether, and some accept only legacy (type-0)
transactions. ape and web3.py price every transaction for a fee market (a priority fee
of about 1 gwei) and estimate gas with that price, which an account without ether
cannot pay: ``gas required exceeds allowance: 0``. So both stacks (the ape path through
:func:`trustspace.ape_tuning.network_fees`, the web3.py path through
:class:`trustspace.bus.web3tx.TxSender`) price with :class:`NetworkFees`:

* **type**: legacy (type 0, ``gasPrice``) or dynamic (type 2, EIP-1559). ``auto`` picks
  dynamic when the node's latest block carries a ``baseFeePerGas`` and legacy otherwise
  (a pre-London chain); a network's setting forces either.
* **prices** come from the node: legacy ``eth_gasPrice``; dynamic the block's base fee and
  a tip from ``eth_maxPriorityFeePerGas`` (else the median reward of ``eth_feeHistory``,
  else ``eth_gasPrice`` minus the base fee), ``maxFeePerGas`` = 2 × base fee + tip (room
  for the base fee to rise for a few blocks). A fixed ``gas_price`` setting replaces them
  (``0`` on a free-gas network whose node suggests a price it does not charge).
* **gas** is estimated without a price, so the node assumes no balance.
* **who pays**: the sender's balance must cover gas × price + value. If it cannot and the
  chain's base fee is 0 (no fee by protocol; only a node's suggested tip is at stake),
  the transaction is offered at price 0 and the node decides. Otherwise
  :class:`FeeError` says which account on which chain needs how much, before sending.

Settings per network: for an ape network, ``default_transaction_type`` (ape's own field)
and ``gas_price`` (wei) under ``ethereum.<network>`` in ``ape-config.yaml``; for any chain,
also URL networks and the daemons, ``TRUSTSPACE_FEES`` (:data:`ENV`), which wins: ``legacy``,
``legacy:0``, ``dynamic``, ``auto``, or per chain id ``2026=legacy:0,2027=auto``
(see docs/operations.md).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any, Literal

from trustspace.errors import InputError, UnreachableError

__all__ = [
    "DEFAULT_MAX_GAS_PRICE",
    "ENV",
    "MAX_ENV",
    "FeeError",
    "FeeQuote",
    "FeeSettings",
    "NetworkFees",
    "Rpc",
    "max_gas_price",
    "refusal",
    "settings_from_env",
    "web3_fees",
]

#: The environment variable that sets the fee policy per chain id (or for every chain).
ENV = "TRUSTSPACE_FEES"

Kind = Literal["auto", "legacy", "dynamic"]
KINDS: tuple[Kind, ...] = ("auto", "legacy", "dynamic")

#: ``method, params -> result`` of one JSON-RPC request; raises if the node refuses it.
Rpc = Callable[[str, list[Any]], Any]

#: What nodes answer when a transaction's fee cannot be paid or is below their minimum.
_REFUSALS = re.compile(
    r"insufficient funds|exceeds allowance|underpriced|gas price (is )?(too low|below)"
    r"|less than (the )?(block )?base ?fee|fee cap|max fee per gas less",
    re.IGNORECASE,
)


class FeeError(InputError):
    """An account cannot pay for a transaction on a fee-charging network (fund it, or set
    the network's fees); the message names the account, the chain and the amount."""


@dataclass(frozen=True)
class FeeSettings:
    """A network's fee setting: the transaction type and, optionally, a fixed gas price."""

    kind: Kind = "auto"
    #: wei per gas: the legacy ``gasPrice``, or the dynamic ``maxFeePerGas``; None: ask the node.
    gas_price: int | None = None

    @classmethod
    def parse(cls, text: str) -> FeeSettings:
        """``auto``, ``legacy``, ``dynamic``, each optionally ``:<gas price in wei>``."""
        kind, _, price = text.strip().partition(":")
        kind = kind.strip().lower()
        if kind not in KINDS:
            raise InputError(
                f"fee setting {text!r}: the type must be one of {', '.join(KINDS)} "
                "(optionally :<gas price in wei>, e.g. legacy:0)"
            )
        if not price.strip():
            return cls(kind)
        try:
            wei = int(price.strip(), 0)
        except ValueError:
            wei = -1
        if wei < 0:
            raise InputError(f"fee setting {text!r}: the gas price must be a whole number of wei")
        return cls(kind, wei)

    def merged(self, other: FeeSettings | None) -> FeeSettings:
        """``other``'s explicit parts over these (None: these unchanged)."""
        if other is None:
            return self
        return FeeSettings(
            other.kind if other.kind != "auto" else self.kind,
            other.gas_price if other.gas_price is not None else self.gas_price,
        )


def settings_from_env(
    chain_id: int, environ: Mapping[str, str] | None = None
) -> FeeSettings | None:
    """The setting :data:`ENV` gives ``chain_id``: its own entry, else the entry without a
    chain id, else None. ``InputError`` for a malformed value."""
    text = (os.environ if environ is None else environ).get(ENV, "").strip()
    if not text:
        return None
    default: FeeSettings | None = None
    for item in filter(None, (part.strip() for part in text.split(","))):
        chain, sep, setting = item.partition("=")
        if not sep:
            default = FeeSettings.parse(item)
            continue
        try:
            matches = int(chain.strip(), 0) == chain_id
        except ValueError as err:
            raise InputError(f"{ENV}: {item!r} does not start with a chain id") from err
        if matches:
            return FeeSettings.parse(setting)
    return default


@dataclass(frozen=True)
class FeeQuote:
    """The prices of one transaction."""

    legacy: bool
    #: wei per gas at most: ``gasPrice`` (legacy) or ``maxFeePerGas`` (dynamic).
    price: int
    #: ``maxPriorityFeePerGas`` (dynamic; equal to ``price`` for legacy).
    tip: int
    #: The latest block's base fee; None on a chain without EIP-1559.
    base_fee: int | None

    @property
    def type(self) -> int:
        """The transaction type: 0 (legacy) or 2 (dynamic)."""
        return 0 if self.legacy else 2

    def params(self) -> dict[str, int]:
        """The fee fields of a web3.py transaction dict (a legacy one has no ``type``:
        eth-account signs ``type`` 0 as an unknown typed transaction)."""
        if self.legacy:
            return {"gasPrice": self.price}
        return {"type": 2, "maxFeePerGas": self.price, "maxPriorityFeePerGas": self.tip}

    def cost(self, gas: int, value: int = 0) -> int:
        """The most the sender pays: gas × price + value."""
        return gas * self.price + value

    def free(self) -> FeeQuote:
        """The same type at price 0."""
        return replace(self, price=0, tip=0)


#: The environment variable of the highest gas price (wei) a node may ask before nothing is
#: signed; default :data:`DEFAULT_MAX_GAS_PRICE`.
MAX_ENV = "TRUSTSPACE_MAX_GAS_PRICE"
#: 10,000 gwei: far above what a permissioned network (0) or a busy public one asks, far
#: below what would empty an account on a node's say-so.
DEFAULT_MAX_GAS_PRICE = 10**13


def max_gas_price(environ: Mapping[str, str] | None = None) -> int:
    """The ceiling on a price a node suggests (:data:`MAX_ENV`, else the default)."""
    text = (os.environ if environ is None else environ).get(MAX_ENV, "").strip()
    if not text:
        return DEFAULT_MAX_GAS_PRICE
    try:
        value = int(text, 0)
    except ValueError:
        value = -1
    if value < 0:
        raise InputError(f"{MAX_ENV}={text!r}: give a whole number of wei")
    return value


def _int(value: Any) -> int:
    """A quantity a node answered: a whole number from 0 to 2**256 - 1, else the node is
    not answering as a node does (a hostile or broken one)."""
    try:
        if isinstance(value, str):
            number = int(value, 16) if value.startswith(("0x", "0X")) else int(value)
        elif isinstance(value, int) and not isinstance(value, bool):
            number = value
        else:
            raise TypeError(type(value).__name__)
    except (TypeError, ValueError) as err:
        raise UnreachableError(f"the node answered {str(value)[:40]!r} for a quantity") from err
    if not 0 <= number < 2**256:
        raise UnreachableError(f"the node answered an impossible quantity ({str(value)[:40]})")
    return number


def refusal(error: BaseException) -> bool:
    """True if a node's error says a transaction's fee could not be paid or was too low."""
    return bool(_REFUSALS.search(str(error)))


class NetworkFees:
    """The fee policy of one chain (see the module docstring), over raw JSON-RPC."""

    def __init__(self, rpc: Rpc, chain_id: int, settings: FeeSettings | None = None) -> None:
        self.rpc = rpc
        self.chain_id = chain_id
        self.settings = settings or FeeSettings()

    def base_fee(self) -> int | None:
        """The latest block's ``baseFeePerGas``, None if the chain has no EIP-1559."""
        block = self.rpc("eth_getBlockByNumber", ["latest", False]) or {}
        value = block.get("baseFeePerGas")
        return None if value is None else _int(value)

    def _gas_price(self) -> int:
        return _int(self.rpc("eth_gasPrice", []))

    def _tip(self, base: int) -> int:
        try:
            return _int(self.rpc("eth_maxPriorityFeePerGas", []))
        except Exception:  # not every node has it (Besu before 21.1, FISCO BCOS)
            pass
        try:
            history = self.rpc("eth_feeHistory", [hex(5), "latest", [50]]) or {}
            rewards = sorted(_int(r[0]) for r in history.get("reward") or [] if r)
            if rewards:
                return rewards[len(rewards) // 2]
        except Exception:  # no fee history either: the node's gas price is the last resort
            pass
        return max(self._gas_price() - base, 0)

    def quote(self, legacy: bool | None = None) -> FeeQuote:
        """The prices now; ``legacy`` True or False forces the type (a transaction that is
        already typed), None follows the setting."""
        base = self.base_fee()
        kind = self.settings.kind if legacy is None else ("legacy" if legacy else "dynamic")
        if kind == "dynamic" and base is None:
            raise InputError(
                f"chain {self.chain_id} has no base fee (no EIP-1559): set its transactions "
                "to legacy (default_transaction_type: 0, or TRUSTSPACE_FEES=legacy)"
            )
        fixed = self.settings.gas_price
        if kind == "legacy" or base is None:
            price = self._gas_price() if fixed is None else fixed
            return self._bounded(FeeQuote(True, price, price, base), fixed)
        if fixed is not None:
            return FeeQuote(False, fixed, max(fixed - base, 0), base)
        tip = self._tip(base)
        return self._bounded(FeeQuote(False, 2 * base + tip, tip, base), fixed)

    def _bounded(self, quote: FeeQuote, fixed: int | None) -> FeeQuote:
        """``quote`` unless the node's prices exceed the ceiling (a price the operator set
        is theirs to choose)."""
        ceiling = max_gas_price()
        if fixed is None and quote.price > ceiling:
            raise FeeError(
                f"the node of chain {self.chain_id} asks {quote.price:,} wei per gas, above the "
                f"ceiling of {ceiling:,} ({MAX_ENV}): nothing was signed; check the node, or "
                f"raise {MAX_ENV} if that price is right"
            )
        return quote

    def payable(
        self, quote: FeeQuote, sender: str, balance: int, gas: int, value: int = 0
    ) -> FeeQuote:
        """``quote`` if ``sender`` can pay it; the same at price 0 where the chain charges no
        base fee and none was set; else :class:`FeeError`."""
        if balance >= quote.cost(gas, value):
            return quote
        if quote.base_fee == 0 and self.settings.gas_price is None and balance >= value:
            return quote.free()
        raise self.cannot_pay(sender, quote.cost(gas, value), balance, gas, quote.price, value)

    def cannot_pay(
        self, sender: str, needed: int | None, balance: int | None, gas: int, price: int, value: int
    ) -> FeeError:
        """The error for ``sender`` short of ``needed`` wei (None: the node refused)."""
        paying = f"{gas:,} gas × {price:,} wei" + (f" + {value:,} wei sent" if value else "")
        head = f"account {sender} cannot pay for this transaction on chain {self.chain_id}: "
        if needed is None and price == 0:
            return FeeError(
                f"{head}the node refused it at gas price 0, so this network charges fees; "
                f"fund the account and drop the gas price 0 setting ({ENV}, gas_price)"
            )
        if needed is None:
            what = f"the node refused the fee ({paying})"
        else:
            what = f"it needs up to {needed:,} wei ({paying}) and holds {balance or 0:,}"
        return FeeError(
            f"{head}{what}; fund the account, or, if this network charges no fees, set its gas "
            f"price to 0 ({ENV}={self.chain_id}=legacy:0, or gas_price: 0 in ape-config.yaml)"
        )


def web3_fees(w3: Any, chain_id: int, settings: FeeSettings | None = None) -> NetworkFees:
    """The fee policy of the chain behind the web3.py client ``w3`` (``settings`` None: the
    chain's :data:`ENV` entry, else prices from the node)."""

    def rpc(method: str, params: list[Any]) -> Any:
        return w3.manager.request_blocking(method, params)

    return NetworkFees(rpc, chain_id, settings or settings_from_env(chain_id))
