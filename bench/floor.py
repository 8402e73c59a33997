"""The gas floor of a call: what the EVM cost schedule charges, at least, for what it must do.

A call must pay the transaction base, its calldata, every storage slot it must
write and every log it must emit; everything else (reads, hashing, checks,
calls between contracts, ABI decoding) is overhead above that floor. The ratio
``measured / floor`` says how close a function comes to the schedule's limit.

Schedule (cancun; EIP-7623's calldata floor pricing is a prague change and does
not apply):

* 21,000 per transaction;
* calldata 4 gas per zero byte, 16 per non-zero byte (EIP-2028);
* a storage slot newly written, cold 0 → non-zero: 20,000 + 2,100 = 22,100;
* a slot changed, cold non-zero → non-zero: 2,900 + 2,100 = 5,000 (EIP-2929);
* a log: 375 + 375 per topic + 8 per data byte.

Which slots and logs a function *must* write is a judgement about its job, not
about the code; each :class:`FloorModel` states it with a one-line reason.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

TX_BASE = 21_000
CALLDATA_ZERO = 4
CALLDATA_NONZERO = 16
NEW_SLOT = 22_100
UPDATED_SLOT = 5_000
LOG_BASE = 375
LOG_TOPIC = 375
LOG_DATA_BYTE = 8


def calldata_gas(data: bytes) -> int:
    """EIP-2028 calldata cost of ``data``."""
    zeros = data.count(0)
    return zeros * CALLDATA_ZERO + (len(data) - zeros) * CALLDATA_NONZERO


def log_gas(topics: int, data_bytes: int) -> int:
    """Cost of one LOG opcode with ``topics`` topics and ``data_bytes`` bytes of data."""
    if not 0 <= topics <= 4:
        raise ValueError(f"a log has 0 to 4 topics, got {topics}")
    return LOG_BASE + LOG_TOPIC * topics + LOG_DATA_BYTE * data_bytes


@dataclass(frozen=True)
class LogShape:
    """A log as emitted: number of topics (event signature included) and bytes of data."""

    topics: int
    data_bytes: int

    @property
    def gas(self) -> int:
        return log_gas(self.topics, self.data_bytes)


@dataclass(frozen=True)
class FloorModel:
    """What a call must write: slots made non-zero, slots changed, and the events it emits.

    ``logs`` names the events (for the table in docs/performance.md); their size is
    taken from the receipt, since the data they carry (a value, a name) is the
    caller's, not overhead.
    """

    new_slots: int
    updated_slots: int
    logs: tuple[str, ...]
    why: str

    def storage_gas(self) -> int:
        return self.new_slots * NEW_SLOT + self.updated_slots * UPDATED_SLOT


@dataclass(frozen=True)
class Floor:
    """A floor broken down by part."""

    base: int
    calldata: int
    storage: int
    logs: int

    @property
    def total(self) -> int:
        return self.base + self.calldata + self.storage + self.logs


def floor_of(model: FloorModel, calldata: bytes, logs: Sequence[LogShape]) -> Floor:
    """The floor of a call with ``calldata`` that emitted ``logs``, under ``model``.

    Raises ValueError if the receipt emitted a different number of logs than the
    model names: then the model (or the contract) changed and must be looked at.
    """
    if len(logs) != len(model.logs):
        raise ValueError(
            f"model names {len(model.logs)} log(s) {model.logs}, receipt has {len(logs)}"
        )
    return Floor(
        base=TX_BASE,
        calldata=calldata_gas(calldata),
        storage=model.storage_gas(),
        logs=sum(log.gas for log in logs),
    )


def view_floor(calldata: bytes) -> Floor:
    """The floor of a call that writes nothing (a view sent as a transaction)."""
    return Floor(base=TX_BASE, calldata=calldata_gas(calldata), storage=0, logs=0)


def ratio(measured: int, floor: Floor | int) -> float:
    """measured / floor, rounded to two decimals."""
    total = floor.total if isinstance(floor, Floor) else floor
    return round(measured / total, 2)


def shapes(raw_logs: Iterable[object]) -> list[LogShape]:
    """LogShapes of raw receipt logs (dicts or objects with ``topics`` and ``data``)."""
    out = []
    for log in raw_logs:
        if isinstance(log, Mapping):
            data, topics = log["data"], log["topics"]
        else:
            data, topics = getattr(log, "data"), getattr(log, "topics")  # noqa: B009
        raw = bytes.fromhex(data[2:]) if isinstance(data, str) else bytes(data)
        out.append(LogShape(len(topics), len(raw)))
    return out
