"""Hostile HTTP servers on 127.0.0.1 (aiohttp), for tests of what reads other
organisations' endpoints: each handler misbehaves in one way."""

from __future__ import annotations

import asyncio
import threading

from aiohttp import web


class HostileServer:
    """An aiohttp server on 127.0.0.1 whose one route misbehaves as asked."""

    def __init__(self, handler) -> None:
        self.handler = handler
        self.port = 0
        self.loop = asyncio.new_event_loop()
        ready = threading.Event()

        async def boot() -> None:
            app = web.Application()
            app.router.add_get("/v1/signatures/{origin}", self.handler)
            self.runner = web.AppRunner(app)
            await self.runner.setup()
            site = web.TCPSite(self.runner, "127.0.0.1", 0)
            await site.start()
            self.port = self.runner.addresses[0][1]

        def run() -> None:
            asyncio.set_event_loop(self.loop)
            self.loop.run_until_complete(boot())
            ready.set()
            self.loop.run_forever()

        self.thread = threading.Thread(target=run, daemon=True)
        self.thread.start()
        ready.wait(10)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


async def slow(request):
    await asyncio.sleep(60)
    return web.json_response({"signatures": []})


async def drip(request):
    response = web.StreamResponse(headers={"Content-Type": "application/json"})
    await response.prepare(request)
    await response.write(b'{"signatures": [')
    for _ in range(600):
        await response.write(b" ")
        await asyncio.sleep(0.1)
    return response


async def huge_announced(request):
    response = web.StreamResponse(headers={"Content-Length": str(10**10)})
    await response.prepare(request)
    await response.write(b"{" * 1024)
    return response


async def huge_chunked(request):
    response = web.StreamResponse()
    response.enable_chunked_encoding()
    await response.prepare(request)
    chunk = b'{"signatures": [' + b" " * 65_536
    for _ in range(2_000):  # 128 MB unless the reader stops
        await response.write(chunk)
    return response


async def garbage(request):
    return web.Response(body=b"\x00\xffnot json at all", content_type="application/json")


async def deep(request):
    return web.Response(body=b"[" * 50_000 + b"]" * 50_000, content_type="application/json")


async def nan(request):
    return web.Response(body=b'{"signatures": [NaN]}', content_type="application/json")


async def redirect(request):
    raise web.HTTPFound("http://169.254.169.254/latest/meta-data/")
