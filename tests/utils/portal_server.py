"""The portal app served by uvicorn from a thread of the test process, on a free port.

Starlette's TestClient needs the ``httpx2`` package, which the project does not pin; a real
server on 127.0.0.1, asked through ``requests`` (web3.py's own HTTP client), also checks what a
browser meets (Host header, headers, status codes).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import requests

from trustspace.devnet.chains import free_port

__all__ = ["Client", "served"]


class Client:
    """``requests`` against one base URL (``client.get("/path")``)."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.session = requests.Session()

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """One request; never follows redirects (tests look at them)."""
        kwargs.setdefault("timeout", 60)
        kwargs.setdefault("allow_redirects", False)
        return self.session.request(method, self.base + path, **kwargs)

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("POST", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("PUT", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("DELETE", path, **kwargs)


@contextmanager
def served(app: Any) -> Iterator[Client]:
    """An HTTP client of ``app`` served on 127.0.0.1 for the length of the block."""
    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while not server.started:
            assert thread.is_alive() and time.monotonic() < deadline, "the portal did not start"
            time.sleep(0.02)
        yield Client(f"http://127.0.0.1:{port}")
    finally:
        server.should_exit = True
        thread.join(timeout=10)
