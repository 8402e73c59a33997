"""A validator's own signatures over HTTP: a read-only JSON endpoint for relayers elsewhere.

Validators of different agencies run on different machines, so a shared folder is not
an option between them. Each validator serves the signatures in its own folder of the
local :class:`~trustspace.bus.signatures.SignatureStore` (the same files, so a restart
loses nothing) and its organisation announces the URL on the hub (a
``TrustspaceValidator`` service of its DID, see :mod:`trustspace.bus.announced`)::

    GET /v1/signatures/<origin>?min_index=N&max_index=M
    → {"version": 1, "signer": "0x…", "origin": 31338,
       "signatures": [{"origin": …, "origin_bus": …, "root": …, "index": …,
                       "signer": …, "signature": …}, …]}          newest first, at most 64

The server is aiohttp's (already pinned: web3 depends on it), started in a thread of
the validator process; bind it to 127.0.0.1 and put the agency's TLS reverse proxy in
front of it. It serves only what it signed and reads nothing from the client but two
integers, so it needs no authentication: signatures are public by design.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from typing import Any

from aiohttp import web
from eth_utils.address import to_checksum_address

from trustspace.bus.signatures import UINT32_MAX, SignatureStore

__all__ = ["API_VERSION", "MAX_ENTRIES", "SignatureServer", "parse_listen"]

log = logging.getLogger("trustspace.publish")

API_VERSION = 1
MAX_ENTRIES = 64


def parse_listen(value: str) -> tuple[str, int]:
    """``HOST:PORT`` (port 0: any free port) → (host, port); ValueError if malformed."""
    host, sep, port = value.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 <= int(port) <= 65_535:
        raise ValueError(f"expected HOST:PORT, got {value!r}")
    return host.strip("[]"), int(port)


def _index(query: Any, name: str, default: int) -> int:
    text = query.get(name)
    if text is None:
        return default
    if not text.isdigit() or int(text) > UINT32_MAX:
        raise web.HTTPBadRequest(text=f"{name} must be a uint32")
    return int(text)


class SignatureServer:
    """Serves one validator's signatures from its store, in a background thread."""

    def __init__(self, store: SignatureStore, signer: str, host: str, port: int) -> None:
        self.store = SignatureStore(store.root)  # its own caches: this runs in another thread
        self.signer = to_checksum_address(signer)
        self.host, self.port = host, port
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.AppRunner | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """The base URL to announce (behind a proxy, announce the proxy's URL instead)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    async def _signatures(self, request: web.Request) -> web.Response:
        origin_text = request.match_info["origin"]
        if not origin_text.isdigit() or int(origin_text) > UINT32_MAX:
            raise web.HTTPBadRequest(text="origin must be a uint32")
        origin = int(origin_text)
        low = _index(request.query, "min_index", 0)
        high = _index(request.query, "max_index", UINT32_MAX)
        entries = []
        for entry in self.store.own(self.signer, origin, low, high):
            entries.append(entry.to_json())
            if len(entries) >= MAX_ENTRIES:
                break
        body = {"version": API_VERSION, "signer": self.signer, "origin": origin,
                "signatures": entries}  # fmt: skip
        return web.json_response(body)

    def _app(self) -> web.Application:
        app = web.Application(client_max_size=1024)  # it takes no request body
        app.router.add_get("/v1/signatures/{origin}", self._signatures)
        return app

    def start(self) -> None:
        """Bind and serve; returns once listening (``self.port`` is then the bound port)."""
        ready = threading.Event()
        failure: list[BaseException] = []

        async def boot() -> None:
            self._runner = web.AppRunner(self._app(), access_log=None)
            await self._runner.setup()
            site = web.TCPSite(self._runner, self.host, self.port)
            await site.start()
            server = getattr(site, "_server", None)
            sockets = getattr(server, "sockets", None) or []
            if sockets:
                self.port = int(sockets[0].getsockname()[1])

        def serve() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            asyncio.set_event_loop(loop)
            try:
                loop.run_until_complete(boot())
            except BaseException as err:  # reported to start()'s caller
                failure.append(err)
                ready.set()
                return
            ready.set()
            loop.run_forever()
            if self._runner is not None:
                loop.run_until_complete(self._runner.cleanup())
            loop.close()

        self._thread = threading.Thread(target=serve, name="signature-server", daemon=True)
        self._thread.start()
        ready.wait()
        if failure:
            raise OSError(f"cannot serve signatures on {self.host}:{self.port}: {failure[0]}")
        log.info("serving signatures of %s at %s", self.signer, self.url)

    def stop(self) -> None:
        """Stop serving and wait for the thread."""
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)
