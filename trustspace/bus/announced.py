"""Signatures from the HTTP endpoints validators announce on chain, fetched defensively.

**Announcement.** An organisation announces where its validators publish as a service
of its DID on the hub's DIDRegistry (ERC-1056): the attribute
``did/svc/TrustspaceValidator`` with the endpoint's base URL as value, set by the DID's
owner (``trustspace did set-attribute <did address> did/svc/TrustspaceValidator
https://validator.customs.example``). The organisation's DID address is the one the
hub Consortium records for it (``organisation(id).did``, changed only by governance),
so only an organisation of the consortium can announce, and each announcement is tied
to one organisation id. The endpoint is trusted for nothing: an endpoint of
organisation X is read only for signatures whose signer is a validator key that a
destination bus counts for X, and every entry passes
:func:`~trustspace.bus.signatures.parse_entry`.

**Fetching.** Hostile servers may hang, drip bytes, send gigabytes or garbage. Each
fetch has a total deadline (``timeout``, connection included), a body limit
(``max_bytes``, checked while reading, compression off so the limit is what is
parsed), no redirects, and at most ``max_entries`` entries; endpoints are fetched
concurrently, so one slow server costs one deadline, and an endpoint that failed is
left alone for a growing back-off (2 s doubling to 5 min). The last good answer of an
endpoint is kept meanwhile: signatures do not go stale.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from eth_utils.address import to_checksum_address

from trustspace.bus.config import BusConfig
from trustspace.bus.signatures import (
    BadEntry,
    SignatureEntry,
    SignedCheckpoint,
    Warnings,
    group,
    parse_entry,
)
from trustspace.bus.web3tx import at, connect
from trustspace.consortium.constants import OrgStatus

__all__ = [
    "ATTRIBUTE",
    "MAX_ENDPOINTS_PER_ORG",
    "MAX_URL",
    "NULL_ADDRESS",
    "SERVICE_TYPE",
    "Directory",
    "Endpoint",
    "FetchError",
    "FetchLimits",
    "HttpSignatures",
    "announced_source",
    "fetch_body",
    "parse_answer",
    "valid_url",
]

log = logging.getLogger("trustspace.announced")

SERVICE_TYPE = "TrustspaceValidator"
ATTRIBUTE = f"did/svc/{SERVICE_TYPE}"
MAX_URL = 512
MAX_ENDPOINTS_PER_ORG = 4
NULL_ADDRESS = "0x" + "00" * 20


class FetchError(Exception):
    """An endpoint did not give a usable answer (timeout, too big, not JSON, HTTP error)."""


@dataclass(frozen=True)
class Endpoint:
    """A base URL announced by one organisation."""

    url: str
    org: int


@dataclass(frozen=True)
class FetchLimits:
    """What one fetch may cost."""

    timeout: float = 2.0
    max_bytes: int = 256 * 1024
    max_entries: int = 256


def valid_url(value: Any) -> str | None:
    """``value`` if it is an http(s) URL with a host and of sane length, else None."""
    if not isinstance(value, str) or len(value) > MAX_URL:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    return value.rstrip("/")


async def fetch_body(session: aiohttp.ClientSession, url: str, limits: FetchLimits) -> bytes:
    """GET ``url`` within ``limits``: the body, or :class:`FetchError`."""
    try:
        async with asyncio.timeout(limits.timeout):
            async with session.get(url, allow_redirects=False) as response:
                if response.status != 200:
                    raise FetchError(f"HTTP {response.status}")
                if (response.content_length or 0) > limits.max_bytes:
                    raise FetchError(f"announces {response.content_length} bytes")
                body = bytearray()
                async for chunk in response.content.iter_chunked(65_536):
                    body += chunk
                    if len(body) > limits.max_bytes:
                        raise FetchError(f"more than {limits.max_bytes} bytes")
                return bytes(body)
    except TimeoutError as err:
        raise FetchError(f"no complete answer within {limits.timeout} s") from err
    except aiohttp.ClientError as err:
        raise FetchError(f"{type(err).__name__}: {err}") from err


def parse_answer(body: bytes, limits: FetchLimits) -> tuple[list[SignatureEntry], int]:
    """The valid entries of an answer and how many were refused; FetchError if it is no
    answer at all."""
    try:
        data = json.loads(body, parse_constant=_refuse)
    except (ValueError, RecursionError) as err:
        raise FetchError(f"not JSON: {str(err)[:80]}") from err
    if not isinstance(data, dict) or not isinstance(data.get("signatures"), list):
        raise FetchError("not a signature list")
    raw = data["signatures"]
    if len(raw) > limits.max_entries:
        raise FetchError(f"{len(raw)} entries, more than {limits.max_entries}")
    entries, refused = [], 0
    for item in raw:
        try:
            entries.append(parse_entry(item))
        except BadEntry:
            refused += 1
    return entries, refused


def _refuse(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


@dataclass
class _State:
    entries: dict[int, list[SignatureEntry]] = field(default_factory=dict)  # by origin
    failures: int = 0
    next_try: float = 0.0
    last_fetch: dict[int, float] = field(default_factory=dict)


class HttpSignatures:
    """A :class:`~trustspace.bus.signatures.SignatureSource` over announced endpoints.

    ``endpoints()`` lists the announced endpoints; ``keys(origin)`` maps each validator
    key counted for ``origin`` (by any destination) to its organisation. Both are
    callables so that tests can give fixed lists and :class:`Directory` reads the chain.
    """

    def __init__(
        self,
        endpoints: Callable[[], list[Endpoint]],
        keys: Callable[[int], dict[str, int]],
        limits: FetchLimits | None = None,
        min_interval: float = 1.0,
        backoff_max: float = 300.0,
    ) -> None:
        self.endpoints = endpoints
        self.keys = keys
        self.limits = limits or FetchLimits()
        self.min_interval = min_interval
        self.backoff_max = backoff_max
        self.state: dict[str, _State] = {}
        self.warn = Warnings()

    def checkpoints(
        self, origin: int, min_index: int = 0, max_index: int | None = None
    ) -> Iterator[SignedCheckpoint]:
        keys: dict[str, int] = {}
        try:
            endpoints = self.endpoints()
            keys = {str(to_checksum_address(k)): v for k, v in self.keys(origin).items()}
        except Exception as err:  # the hub unreachable: the other sources still count
            self.warn(f"directory:{err}", "cannot read announced endpoints: %s", err)
            endpoints, keys = [], {}
        self.refresh(origin, endpoints, min_index, max_index)
        entries = []
        for endpoint in endpoints:
            state = self.state.get(endpoint.url)
            for entry in state.entries.get(origin, []) if state else []:
                cp = entry.checkpoint
                if keys.get(entry.signer) != endpoint.org or cp.origin != origin:
                    continue  # an endpoint speaks only for its own organisation's keys
                if cp.index >= min_index and (max_index is None or cp.index <= max_index):
                    entries.append(entry)
        return iter(group(entries))

    def refresh(
        self, origin: int, endpoints: list[Endpoint], min_index: int, max_index: int | None
    ) -> None:
        """Fetch every endpoint that is due (not backing off, not fetched just now)."""
        now = time.monotonic()
        due = []
        for endpoint in endpoints:
            state = self.state.setdefault(endpoint.url, _State())
            if now >= state.next_try and now - state.last_fetch.get(origin, -1e9) >= (
                self.min_interval
            ):
                due.append(endpoint)
        if not due:
            return
        query = f"min_index={min_index}" + (
            f"&max_index={max_index}" if max_index is not None else ""
        )
        urls = [f"{e.url}/v1/signatures/{origin}?{query}" for e in due]
        results = asyncio.run(self._fetch_all(urls))
        for endpoint, result in zip(due, results, strict=True):
            state = self.state[endpoint.url]
            state.last_fetch[origin] = time.monotonic()
            if isinstance(result, FetchError):
                state.failures += 1
                delay = min(self.backoff_max, 2.0**state.failures)
                state.next_try = time.monotonic() + delay
                self.warn(
                    f"{endpoint.url}:{state.failures}",
                    "signature endpoint %s (org %d) failed: %s; next try in %.0f s",
                    endpoint.url, endpoint.org, result, delay,
                )  # fmt: skip
                continue
            entries, refused = result
            if refused:
                self.warn(
                    f"{endpoint.url}:refused:{refused}",
                    "signature endpoint %s (org %d): ignored %d invalid entries",
                    endpoint.url, endpoint.org, refused,
                )  # fmt: skip
            state.failures = 0
            state.entries[origin] = entries

    async def _fetch_all(self, urls: list[str]) -> list[Any]:
        connector = aiohttp.TCPConnector(limit=32, force_close=True)
        async with aiohttp.ClientSession(
            connector=connector,
            auto_decompress=False,
            headers={"Accept": "application/json", "Accept-Encoding": "identity"},
            max_line_size=8_190,
            max_field_size=8_190,
        ) as session:
            return await asyncio.gather(*(self._one(session, url) for url in urls))

    async def _one(self, session: aiohttp.ClientSession, url: str) -> Any:
        try:
            body = await fetch_body(session, url, self.limits)
            return parse_answer(body, self.limits)
        except FetchError as err:
            return err
        except Exception as err:  # anything else a hostile server provokes
            return FetchError(f"{type(err).__name__}: {err}")


class Directory:
    """Announced endpoints and validator keys, read from the chains of a bus config.

    Endpoints: every active organisation of the announcement chain's Consortium (the one
    its bus names) whose DID carries ``TrustspaceValidator`` services on the configured
    DIDRegistry. Keys: the validator sets every configured destination bus holds for an
    origin. Both are re-read every ``refresh`` seconds.
    """

    def __init__(self, config: BusConfig, refresh: float = 60.0) -> None:
        if config.announcements is None:
            raise ValueError("the bus config has no announcements section")
        self.config = config
        self.refresh = refresh
        hub = config.chain(config.announcements.chain)
        self.w3 = connect(hub.rpc, timeout=10.0)
        self.registry = config.announcements.did_registry
        self._endpoints: tuple[float, list[Endpoint]] | None = None
        self._keys: dict[int, tuple[float, dict[str, int]]] = {}
        self.warn = Warnings()

    def endpoints(self) -> list[Endpoint]:
        """The announced endpoints (cached for ``refresh`` seconds)."""
        now = time.monotonic()
        if self._endpoints is not None and now - self._endpoints[0] < self.refresh:
            return self._endpoints[1]
        found = self._read_endpoints()
        self._endpoints = (now, found)
        return found

    def _read_endpoints(self) -> list[Endpoint]:
        from trustspace.did.resolver import Resolver, Web3Source, did_for

        hub = self.config.chain(self.config.announcements.chain)  # type: ignore[union-attr]
        consortium = at(
            self.w3, "Consortium", at(self.w3, "MessageBus", hub.bus).functions.consortium().call()
        )
        resolver = Resolver([Web3Source(self.w3, self.registry)])
        chain_id = int(self.w3.eth.chain_id)
        found: list[Endpoint] = []
        for org_id in consortium.functions.organisations().call():
            _name, _kind, status, did = consortium.functions.organisation(org_id).call()
            if int(status) != OrgStatus.ACTIVE or int(did, 16) == 0:
                continue
            try:
                document = resolver.resolve(did_for(did, chain_id)).document or {}
            except Exception as err:  # a crafted DID history must not stop the others
                self.warn(f"{org_id}:{err}", "cannot resolve the DID of org %d: %s", org_id, err)
                continue
            urls = []
            for service in document.get("service", []):
                if service.get("type") != SERVICE_TYPE:
                    continue
                url = valid_url(service.get("serviceEndpoint"))
                if url is None:
                    self.warn(f"{org_id}:bad:{service.get('id')}",
                              "org %d announces an unusable endpoint %r", org_id,
                              str(service.get("serviceEndpoint"))[:80])  # fmt: skip
                elif url not in urls:
                    urls.append(url)
            found += [Endpoint(u, int(org_id)) for u in urls[:MAX_ENDPOINTS_PER_ORG]]
        return found

    def keys(self, origin: int) -> dict[str, int]:
        """Validator key → organisation for ``origin``, over every configured destination."""
        now = time.monotonic()
        cached = self._keys.get(origin)
        if cached is not None and now - cached[0] < self.refresh:
            return cached[1]
        keys: dict[str, int] = {}
        for chain in self.config.chains.values():
            w3 = connect(chain.rpc, timeout=10.0)
            if int(w3.eth.chain_id) == origin:
                continue
            members, orgs = at(w3, "MessageBus", chain.bus).functions.validators(origin).call()
            for key, org in zip(members, orgs, strict=True):
                keys[to_checksum_address(key)] = int(org)
        self._keys[origin] = (now, keys)
        return keys


def announced_source(config: BusConfig, limits: FetchLimits | None = None) -> HttpSignatures:
    """The HTTP source of a relayer whose config has an ``announcements`` section."""
    directory = Directory(config)
    return HttpSignatures(directory.endpoints, directory.keys, limits)
