"""The chains the portal reads, and an ape-style face over web3.py contracts.

The SDK's read functions (``NotaryClient``, ``DataServiceClient``, ``ComputationRecords``)
take ape contract objects. A web server answers several chains at once from a pool of threads,
which ape's one global network context cannot do; :class:`Web3View` gives a web3.py contract
the few parts of ape's interface those readers use (calls by attribute with named struct
fields, ``Event.range`` over :func:`trustspace.index.source.get_logs`, the chain's height and
time), so each chain is read through its own JSON-RPC client.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eth_abi import encode as abi_encode
from eth_utils.crypto import keccak
from hexbytes import HexBytes

from trustspace.artifacts import abi as shipped_abi
from trustspace.deploy.records import DeploymentRecord
from trustspace.index.source import get_logs

__all__ = ["RPC_TIMEOUT", "Fields", "PortalChain", "Web3View", "portal_web3"]

#: Seconds a page waits for one JSON-RPC answer. web3.py's default retries a timed-out call
#: five times: a hung node then held each request (and a server thread) for about 80 s.
RPC_TIMEOUT = 5.0


def portal_web3(url: str, timeout: float = RPC_TIMEOUT) -> Any:
    """A web3.py client of ``url`` for a page: one attempt per call, ``timeout`` seconds each
    (a node that does not answer is a 503 at once, not after retries)."""
    from web3 import Web3

    provider = Web3.HTTPProvider(
        url, request_kwargs={"timeout": timeout}, exception_retry_configuration=None
    )
    return Web3(provider)


class Fields(tuple):  # type: ignore[type-arg]
    """A tuple whose members are also attributes (what ape returns for a struct)."""

    _names: tuple[str, ...] = ()

    def __new__(cls, values: Sequence[Any], names: Sequence[str]) -> Fields:
        made = super().__new__(cls, values)
        made._names = tuple(names)
        return made

    def __getattribute__(self, name: str) -> Any:
        # Field names first: a struct member called ``count`` or ``index`` must not read as
        # the tuple method of that name.
        names = tuple.__getattribute__(self, "_names")
        if name in names:
            return self[names.index(name)]
        return tuple.__getattribute__(self, name)


def _wrap(value: Any, spec: dict[str, Any]) -> Any:
    """``value`` as web3 decoded it for ABI output ``spec``, structs given named fields."""
    kind = str(spec.get("type", ""))
    components = spec.get("components")
    if components and kind == "tuple":
        return Fields(
            [_wrap(v, c) for v, c in zip(value, components, strict=True)],
            [str(c.get("name", "")) for c in components],
        )
    if components and kind.endswith("]"):
        inner = {**spec, "type": kind[: kind.rindex("[")]}
        return [_wrap(v, inner) for v in value]
    return value


@dataclass
class _Log:
    """A decoded log with its arguments as attributes, as ape's ``ContractLog``."""

    args: dict[str, Any]
    block_number: int
    log_index: int
    transaction_hash: str
    event_name: str

    def __getattr__(self, name: str) -> Any:
        try:
            return self.__dict__["args"][name]
        except KeyError:
            raise AttributeError(name) from None


class _Event:
    def __init__(self, view: Web3View, entry: dict[str, Any]) -> None:
        self.view, self.entry = view, entry
        signature = f"{entry['name']}({','.join(i['type'] for i in entry['inputs'])})"
        self.topic = "0x" + keccak(text=signature).hex()

    def _topic(self, name: str, value: Any) -> str:
        spec = next(i for i in self.entry["inputs"] if i["name"] == name and i["indexed"])
        return "0x" + abi_encode([spec["type"]], [value]).hex()

    def range(
        self, start: int, stop: int, search_topics: dict[str, Any] | None = None
    ) -> Iterator[_Log]:
        """Logs of blocks ``start`` to ``stop - 1``, filtered by indexed arguments."""
        if stop <= start:
            return  # an empty range (asking the node for block ``start`` would not be)
        topics: list[Any] = [self.topic]
        indexed = [i["name"] for i in self.entry["inputs"] if i["indexed"]]
        for name in indexed:
            value = (search_topics or {}).get(name)
            topics.append(None if value is None else self._topic(name, value))
        while topics and topics[-1] is None:
            topics.pop()
        params = {
            "address": self.view.address,
            "topics": topics,
            "fromBlock": start,
            "toBlock": stop - 1,
        }
        decoder = getattr(self.view.contract.events, self.entry["name"])()
        for raw in get_logs(self.view.w3, params):
            event = decoder.process_log(raw)
            yield _Log(
                dict(event["args"]),
                int(raw["blockNumber"]),
                int(raw["logIndex"]),
                HexBytes(raw["transactionHash"]).to_0x_hex(),
                self.entry["name"],
            )


class _Blocks:
    def __init__(self, w3: Any) -> None:
        self.w3 = w3

    @property
    def height(self) -> int:
        return int(self.w3.eth.block_number)


class _ChainManager:
    def __init__(self, w3: Any) -> None:
        self.blocks = _Blocks(w3)
        self.w3 = w3

    @property
    def pending_timestamp(self) -> int:
        return int(self.w3.eth.get_block("latest")["timestamp"])


class _Provider:
    def __init__(self, chain_id: int) -> None:
        self.chain_id = chain_id


class Web3View:
    """A web3.py contract read the way the SDK's ape-based readers read one (read-only)."""

    def __init__(self, w3: Any, address: str, contract_type: str, chain_id: int) -> None:
        self.w3 = w3
        self.abi = shipped_abi(contract_type)
        self.contract = w3.eth.contract(address=address, abi=self.abi)
        self.address = str(self.contract.address)
        self.chain_manager = _ChainManager(w3)
        self.provider = _Provider(chain_id)
        self._functions = {e["name"]: e for e in self.abi if e["type"] == "function"}
        self._events = {e["name"]: e for e in self.abi if e["type"] == "event"}

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        if name in self._events:
            return _Event(self, self._events[name])
        entry = self._functions.get(name)
        if entry is None:
            raise AttributeError(name)
        if entry.get("stateMutability") not in ("view", "pure"):
            raise AttributeError(f"{name} changes state: the portal only reads")
        outputs = entry.get("outputs", [])

        def call(*args: Any) -> Any:
            value = getattr(self.contract.functions, name)(*args).call()
            if len(outputs) == 1:
                return _wrap(value, outputs[0])
            return Fields(
                [_wrap(v, o) for v, o in zip(value, outputs, strict=True)],
                [str(o.get("name", "")) for o in outputs],
            )

        return call


@dataclass
class PortalChain:
    """One chain the portal reads: its label, node, chain id and deployment record."""

    label: str
    url: str
    chain_id: int
    w3: Any
    record: DeploymentRecord | None
    #: The folder the record was read from (trust decisions read it again from there).
    folder: Path | None = None
    _views: dict[str, Web3View] = field(default_factory=dict)

    def has(self, contract: str) -> bool:
        """Whether the record names ``contract`` as deployed."""
        return self.record is not None and any(n == contract for n, _ in self.record.deployed())

    def start_block(self, contract: str) -> int:
        """The block ``contract`` was deployed in (0 if not recorded)."""
        if self.record is None or contract not in self.record.contracts:
            return 0
        return int(self.record.contracts[contract].block or 0)

    def view(self, contract: str) -> Web3View:
        """The recorded ``contract`` as a :class:`Web3View` (KeyError if not deployed)."""
        if contract not in self._views:
            if self.record is None:
                raise KeyError(f"no deployment record for {self.label}")
            address = self.record.address(contract)  # KeyError naming it when not deployed
            kind = self.record.contracts[contract].contract_type
            self._views[contract] = Web3View(self.w3, address, kind, self.chain_id)
        return self._views[contract]

    def web3_contract(self, contract: str) -> Any:
        """The recorded ``contract`` as a plain web3.py contract."""
        return self.view(contract).contract
