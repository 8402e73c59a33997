"""The portal's web application: server-rendered pages and their read-only JSON twins.

Every page ``/NAME`` has ``/api/NAME`` with the same data as JSON. The only POST,
``/api/verify``, takes a digest the browser computed and a proof bundle, and only reads.
Identifiers are checked before a chain is asked (400), unknown ones are 404, a chain that does
not answer is 503; a page never shows a traceback. Jinja2 escapes every value (autoescape),
the Content-Security-Policy allows scripts and styles from the portal only, and requests
naming another host than the portal's are refused (a web page elsewhere cannot reach the
portal through DNS rebinding).
"""

from __future__ import annotations

import ipaddress
import json
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from fastapi import FastAPI, Request
from fastapi.responses import (
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
)
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, select_autoescape

from trustspace.bus.config import BusConfig
from trustspace.errors import UnreachableError
from trustspace.portal import views
from trustspace.portal.chains import PortalChain

__all__ = ["PAGES", "PortalSettings", "create_app", "host_allowed"]

log = logging.getLogger("trustspace.portal")

#: (path, title) of the navigation, in order.
PAGES = (
    ("/verify", "Verify a document"),
    ("/records", "Records"),
    ("/consortium", "Consortium"),
    ("/bus", "Bus"),
    ("/dids", "DIDs"),
    ("/credentials", "Credentials"),
    ("/data", "Data"),
    ("/compute", "Computations"),
)
_PACKAGE = Path(str(files("trustspace.portal")))
_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; "
    "img-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; "
    "frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}


@dataclass
class PortalSettings:
    """What the portal reads: the chains, the bus config (signatures folder), its home."""

    chains: Sequence[PortalChain]
    home: Path
    bus: BusConfig | None = None
    #: Host names a request may name (the listening host; ``localhost`` for loopback).
    allowed_hosts: list[str] = field(default_factory=lambda: ["127.0.0.1", "localhost"])
    #: Also answer a ``Host`` that is any IP address (listening on every interface): an
    #: address cannot be rebound, a name can, so names stay limited to ``allowed_hosts``.
    any_ip_host: bool = False


def host_allowed(header: str, names: Sequence[str], any_ip: bool = False) -> bool:
    """Whether a request's ``Host`` header names the portal (``names``, or any IP address when
    ``any_ip``): a page elsewhere reaching the portal through DNS rebinding names its own."""
    host = header.strip().lower()
    if host.startswith("["):
        host = host[1 : host.find("]")] if "]" in host else ""
    elif host.count(":") == 1:
        host = host.split(":", 1)[0]
    if not host:
        return False
    if host in {n.lower().strip("[]") for n in names}:
        return True
    if not any_ip:
        return False
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _pretty(value: Any) -> str:
    """Indented JSON as plain text: autoescape then escapes it like any other value."""
    return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True)


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(_PACKAGE / "templates")),
        autoescape=select_autoescape(["html"], default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["pretty"] = _pretty
    return env


def _unreachable(err: BaseException) -> bool:
    import requests

    if isinstance(err, UnreachableError | requests.ConnectionError | requests.Timeout):
        return True
    return isinstance(err, OSError) and not isinstance(err, views.PortalInputError)


def create_app(settings: PortalSettings) -> FastAPI:
    """The portal application over ``settings`` (the chains connected by the caller)."""
    app = FastAPI(title="trustspace portal", docs_url=None, redoc_url=None, openapi_url=None)
    env = _environment()
    app.mount("/static", StaticFiles(directory=str(_PACKAGE / "static")), name="static")
    chains = list(settings.chains)

    @app.middleware("http")
    async def headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        if not host_allowed(
            request.headers.get("host", ""), settings.allowed_hosts, settings.any_ip_host
        ):
            response: Response = PlainTextResponse("Invalid host header", status_code=400)
        else:
            response = await call_next(request)
        for key, value in _HEADERS.items():
            response.headers.setdefault(key, value)
        return response

    def page(template: str, status: int = 200, **context: Any) -> HTMLResponse:
        html = env.get_template(template).render(pages=PAGES, chains=chains, **context)
        return HTMLResponse(html, status_code=status)

    def answer(
        request: Request, template: str, build: Callable[[], dict[str, Any]], **extra: Any
    ) -> Response:
        """Run ``build``; the page (or JSON under /api), or the error as a page or JSON."""
        as_json = request.url.path.startswith("/api/")
        try:
            data = build()
        except views.PortalInputError as err:
            return _error(as_json, 400, "bad input", str(err))
        except views.NotFound as err:
            return _error(as_json, 404, "not found", str(err))
        except Exception as err:  # a chain or node failing must not show a traceback
            if _unreachable(err):
                return _error(
                    as_json,
                    503,
                    "chain unreachable",
                    f"{_which(err)} did not answer: is it running? ({type(err).__name__})",
                )
            log.exception("portal: %s failed", request.url.path)
            return _error(
                as_json,
                500,
                "internal error",
                "the portal could not read this; its log has the details",
            )
        if as_json:
            return JSONResponse(data)
        return page(template, data=data, **extra)

    def _which(err: BaseException) -> str:
        """The chain whose node ``err`` names (requests writes ``host='H', port=P``)."""
        text = str(err)
        for chain in chains:
            url = urlsplit(chain.url)
            port = url.port or (443 if url.scheme == "https" else 80)
            if f"host='{url.hostname}', port={port})" in text:
                return f"chain {chain.label} ({chain.url})"
        return "a chain"

    def _error(as_json: bool, status: int, title: str, message: str) -> Response:
        if as_json:
            return JSONResponse({"ok": False, "error": message}, status_code=status)
        return page("error.html", status=status, title=title, message=message)

    def _search(request: Request, ident: str, what: str, path: str) -> Response:
        """The search box: to the page of ``ident`` under ``/path`` (a JSON twin's search to the
        JSON), 400 when it is not a 32-byte hex id."""
        as_json = request.url.path.startswith("/api/")
        if not views.is_hex32(ident):
            return _error(
                as_json, 400, "bad input", f"{what} id must be 0x followed by 64 hex digits"
            )
        prefix = "/api" if as_json else ""
        return RedirectResponse(f"{prefix}/{path}/{ident.strip()}", status_code=303)

    @app.get("/", response_class=HTMLResponse)
    def home() -> HTMLResponse:
        summary = [
            {
                "label": c.label,
                "chain_id": c.chain_id,
                "url": c.url,
                "contracts": sorted(n for n, _ in c.record.deployed()) if c.record else [],
            }
            for c in chains
        ]
        return page("index.html", summary=summary)

    @app.get("/verify", response_class=HTMLResponse)
    def verify_page() -> HTMLResponse:
        return page("verify.html", limit=views.MAX_BUNDLE_BYTES)

    @app.post("/api/verify")
    async def verify_api(request: Request) -> Response:
        # JSON only: a page elsewhere can post text/plain or a form without asking (no CORS
        # preflight), but not application/json; the portal grants no other origin.
        kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if kind != "application/json":
            return _error(
                True,
                415,
                "unsupported media type",
                "send the verify request as application/json",
            )
        raw = b""
        async for chunk in request.stream():
            raw += chunk
            if len(raw) > views.MAX_BUNDLE_BYTES * 2 + 1024:
                return _error(
                    True,
                    413,
                    "too large",
                    f"the request is over {views.MAX_BUNDLE_BYTES * 2:,} bytes: "
                    "send the digest and the bundle only",
                )

        def build() -> dict[str, Any]:
            body = views.parse_request(raw)
            return views.verify_digest(chains, body["digest"], views.parse_bundle(body["bundle"]))

        return answer(request, "", build)

    @app.get("/records")
    @app.get("/api/records")
    def records_page(
        request: Request, id: str | None = None, org: str | None = None, schema: str | None = None
    ) -> Response:
        if id:
            return _search(request, id, "record", "records")
        return answer(
            request,
            "records.html",
            lambda: views.records_of(chains, org, schema),
            org=org or "",
            schema=schema or "",
        )

    @app.get("/records/{rid}")
    @app.get("/api/records/{rid}")
    def record_page(request: Request, rid: str) -> Response:
        return answer(request, "record.html", lambda: views.record(chains, rid))

    @app.get("/consortium")
    @app.get("/api/consortium")
    def consortium_page(request: Request) -> Response:
        return answer(request, "consortium.html", lambda: views.consortium(chains))

    def bus() -> BusConfig:
        return views.bus_config(chains, settings.bus, settings.home)

    @app.get("/bus")
    @app.get("/api/bus")
    def bus_page(request: Request, id: str | None = None) -> Response:
        if id:
            return _search(request, id, "message", "bus")
        return answer(request, "bus.html", lambda: views.bus_overview(bus()))

    @app.get("/bus/{ident}")
    @app.get("/api/bus/{ident}")
    def message_page(request: Request, ident: str) -> Response:
        return answer(request, "message.html", lambda: views.message(chains, bus(), ident))

    @app.get("/dids")
    @app.get("/api/dids")
    def dids_page(request: Request, did: str | None = None) -> Response:
        return answer(
            request, "dids.html", lambda: views.did_page(chains, did or None), did=did or ""
        )

    @app.get("/credentials")
    @app.get("/api/credentials")
    def credentials_page(request: Request) -> Response:
        return answer(request, "credentials.html", lambda: views.credentials(chains))

    @app.get("/data")
    @app.get("/api/data")
    def data_page(request: Request) -> Response:
        return answer(request, "data.html", lambda: views.data_space(chains))

    @app.get("/compute")
    @app.get("/api/compute")
    def compute_page(request: Request) -> Response:
        return answer(request, "compute.html", lambda: views.computations(chains))

    @app.exception_handler(404)
    async def not_found(request: Request, _exc: Exception) -> Response:
        return _error(
            request.url.path.startswith("/api/"), 404, "not found", f"no page {request.url.path}"
        )

    @app.exception_handler(405)
    async def not_allowed(request: Request, _exc: Exception) -> Response:
        return _error(
            request.url.path.startswith("/api/"),
            405,
            "not allowed",
            "the portal is read-only: it takes GET requests (and the verify check)",
        )

    return app
