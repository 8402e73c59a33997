"""One agency's compute party: an aiohttp server on 127.0.0.1 holding its key share and data.

Each agency runs its own party process (``trustspace compute party run`` or
``python -m trustspace.compute.party``). Parties talk to each other over HTTP
for key generation (shares are posted peer to peer; commitments and complaints
are fetched from every peer by every party itself, so an orchestrator cannot
fake them), keep their organisation's encrypted contribution where the others
fetch it, and decrypt partially only an aggregate it checked itself against
the chain (``--rpc``/``--computations``, read through web3.py):

- the aggregate's digest must be the one recorded on chain for the computation;
- the organisations it names must be strictly ascending and exactly the
  participants with a contribution recorded on chain (as many as the chain
  counts), and at least 2 of them: a sum over one agency is that agency's figures;
- every contribution it names must carry the digest recorded on chain for its
  organisation, and the aggregate must be their sum (recomputed here);
- one aggregate per computation (the chain records one), one answer kept.

A contribution is kept only once its digest is recorded on chain for this
party's organisation (so nobody else can put a document first), and a finished
key share is never replaced: once ``key.json`` exists every ``/dkg/*`` endpoint
answers 409 (``/dkg/complete`` returns the stored key unchanged).

So nobody can use a party as a decryption oracle for one agency's ciphertext:
it never decrypts anything but the recorded sum.
The key share is saved with :mod:`trustspace.compute.keystore` under the
passphrase in ``TRUSTSPACE_COMPUTE_PASSPHRASE`` (never on a command line).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import signal
from pathlib import Path
from typing import Any, Protocol

from aiohttp import ClientSession, ClientTimeout, web

from trustspace.compute import dkg
from trustspace.compute.documents import (
    DocumentError,
    aggregate_document,
    check_contribution,
    ciphertexts_of,
    digest,
    key_document,
    max_range_bits,
)
from trustspace.compute.group import Point
from trustspace.compute.keystore import KeystoreError, load_share, save_share
from trustspace.compute.threshold import partial_decrypt

__all__ = [
    "MIN_CONTRIBUTIONS",
    "PASSPHRASE_ENV",
    "ChainReader",
    "ChainView",
    "Party",
    "main",
    "serve",
]

#: Environment variable holding the key share's passphrase.
PASSPHRASE_ENV = "TRUSTSPACE_COMPUTE_PASSPHRASE"
_TIMEOUT = ClientTimeout(total=30)
_ZERO = b"\x00" * 32
#: Fewest contributions an aggregate may cover before a party decrypts it.
MIN_CONTRIBUTIONS = 2


def _fail(status: int, message: str) -> web.HTTPException:
    kind = {400: web.HTTPBadRequest, 404: web.HTTPNotFound, 409: web.HTTPConflict}[status]
    return kind(text=json.dumps({"error": message}), content_type="application/json")


class ChainReader(Protocol):
    """What a party reads from the ``Computations`` contract (:class:`ChainView`)."""

    def record(self, computation: int) -> dict[str, Any]:
        """``{"participants", "contributions", "aggregate_digest"}`` of ``computation``."""
        ...

    def contribution_of(self, computation: int, org: int) -> bytes:
        """The contribution digest recorded for ``org`` (zeros if none)."""
        ...


class ChainView:
    """Reads a ``Computations`` contract over JSON-RPC (web3.py, no signing)."""

    def __init__(self, rpc: str, address: str) -> None:
        from web3 import Web3

        from trustspace.artifacts import abi

        w3 = Web3(Web3.HTTPProvider(rpc, request_kwargs={"timeout": 30}))
        self.contract = w3.eth.contract(
            address=Web3.to_checksum_address(address), abi=abi("Computations")
        )

    def aggregate_digest(self, computation: int) -> bytes:
        """The aggregate digest recorded for ``computation`` (zeros if none)."""
        return bytes(self.contract.functions.computations(computation).call()[6])

    def record(self, computation: int) -> dict[str, Any]:
        """The computation's participants, contribution count and aggregate digest."""
        rec = self.contract.functions.computations(computation).call()
        return {
            "participants": [int(p) for p in rec[3]],
            "contributions": int(rec[5]),
            "aggregate_digest": bytes(rec[6]),
        }

    def contribution_of(self, computation: int, org: int) -> bytes:
        """The contribution digest recorded for ``org`` (zeros if none)."""
        return bytes(self.contract.functions.contribution_of(computation, org).call())


class Party:
    """A party's state and HTTP handlers; ``home`` holds its files."""

    def __init__(
        self, home: Path, org: int, passphrase: str, chain: ChainReader | None = None
    ) -> None:
        self.home = home
        self.chain = chain
        self.org = org
        self._passphrase = passphrase
        self.key_path = home / "key.json"
        self.share: dkg.KeyShare | None = None
        self.public: dict[str, Any] | None = None
        if self.key_path.exists():
            self.share, self.public = load_share(self.key_path, passphrase)
            held_by = self.public.get("org")
            if held_by is not None and held_by != org:
                raise KeystoreError(
                    f"the key share in {home} belongs to organisation {held_by}, not {org}: "
                    "give this organisation's --home"
                )
        self._dkg: dict[str, Any] = {}

    # -- key generation -------------------------------------------------
    def _no_share(self) -> None:
        if self.share is not None:
            # A finished key is never replaced over HTTP: a new key is a new party folder.
            raise _fail(409, "this party already holds a key share; a new key needs a new --home")

    async def dkg_start(self, request: web.Request) -> web.Response:
        self._no_share()
        if self._dkg:
            raise _fail(409, "a key generation session is already open on this party")
        body = await _json(request)
        try:
            parties: list[dict[str, Any]] = [
                {"index": int(p["index"]), "org": int(p["org"]), "url": str(p["url"])}
                for p in body["parties"]
            ]
            threshold, session = int(body["threshold"]), str(body["session"])
        except (KeyError, TypeError, ValueError):
            raise _fail(400, "send {session, threshold, parties: [{index, org, url}]}") from None
        if not parties:
            raise _fail(400, "parties missing")
        if threshold < 2:
            raise _fail(400, "a threshold below 2 lets one party decrypt alone")
        me = [p for p in parties if p["org"] == self.org]
        if len(me) != 1:
            raise _fail(400, f"organisation {self.org} is not among the parties once")
        index = int(me[0]["index"])
        try:
            dealing = dkg.deal(index, [int(p["index"]) for p in parties], threshold)
        except dkg.DkgError as err:
            raise _fail(400, str(err)) from None
        self._dkg = {
            "session": session,
            "index": index,
            "threshold": threshold,
            "parties": parties,
            "dealing": dealing,
            "received": {index: dealing.shares[index]},
            "commitments": {},
            "complaints": None,
            "gathered": None,
        }
        return _ok({"commitments": [c.hex() for c in dealing.commitments]})

    def _session(self, session: object) -> dict[str, Any]:
        self._no_share()
        if not self._dkg or self._dkg["session"] != session:
            raise _fail(404, f"no key generation session {session!r}")
        return self._dkg

    async def dkg_commitments(self, request: web.Request) -> web.Response:
        state = self._session(request.query.get("session"))
        dealing: dkg.Dealing = state["dealing"]
        commitments = [c.hex() for c in dealing.commitments]
        return _ok({"dealer": dealing.dealer, "commitments": commitments})

    async def dkg_share(self, request: web.Request) -> web.Response:
        body = await _json(request)
        state = self._session(body.get("session"))
        if state["complaints"] is not None:
            raise _fail(409, "shares are already checked in this session")
        try:
            dealer, value = int(body["dealer"]), int(str(body["share"]), 16)
        except (KeyError, TypeError, ValueError):
            raise _fail(400, "send {session, dealer, share}") from None
        if dealer == state["index"] or dealer not in {p["index"] for p in state["parties"]}:
            raise _fail(400, f"dealer {dealer} is not another party of this session")
        state["received"][dealer] = value
        return _ok({"stored": True})

    async def dkg_deal(self, request: web.Request) -> web.Response:
        state = self._session((await _json(request)).get("session"))
        dealing: dkg.Dealing = state["dealing"]
        async with ClientSession(timeout=_TIMEOUT) as http:
            for p in state["parties"]:
                if p["index"] == state["index"]:
                    continue
                payload = {
                    "session": state["session"],
                    "dealer": state["index"],
                    "share": hex(dealing.shares[p["index"]]),
                }
                async with http.post(f"{p['url']}/dkg/share", json=payload) as resp:
                    resp.raise_for_status()
        return _ok({"sent": len(state["parties"]) - 1})

    async def dkg_check(self, request: web.Request) -> web.Response:
        state = self._session((await _json(request)).get("session"))
        commitments: dict[int, tuple[Point, ...]] = {}
        async with ClientSession(timeout=_TIMEOUT) as http:
            for p in state["parties"]:
                url = f"{p['url']}/dkg/commitments"
                async with http.get(url, params={"session": state["session"]}) as resp:
                    resp.raise_for_status()
                    data = await resp.json()
                commitments[p["index"]] = tuple(Point.from_hex(c) for c in data["commitments"])
        state["commitments"] = commitments
        complaints = [
            d
            for d, comm in sorted(commitments.items())
            if len(comm) != state["threshold"]
            or d not in state["received"]
            or not dkg.verify_share(comm, state["index"], state["received"][d])
        ]
        state["complaints"] = complaints
        return _ok({"complaints": complaints})

    async def dkg_complaints(self, request: web.Request) -> web.Response:
        state = self._session(request.query.get("session"))
        if state["complaints"] is None:
            raise _fail(409, "shares not checked yet")
        return _ok({"complaints": state["complaints"]})

    async def dkg_gather(self, request: web.Request) -> web.Response:
        """Fetch every party's complaints (all have checked) before anyone completes."""
        state = self._session((await _json(request)).get("session"))
        if state["complaints"] is None:
            raise _fail(409, "shares not checked yet")
        complaints: dict[int, list[int]] = {}
        async with ClientSession(timeout=_TIMEOUT) as http:
            for p in state["parties"]:
                url = f"{p['url']}/dkg/complaints"
                async with http.get(url, params={"session": state["session"]}) as resp:
                    resp.raise_for_status()
                    complaints[p["index"]] = [int(d) for d in (await resp.json())["complaints"]]
        state["gathered"] = complaints
        return _ok({"complaints": {str(i): c for i, c in sorted(complaints.items())}})

    async def dkg_complete(self, request: web.Request) -> web.Response:
        body = await _json(request)
        if self.share is not None and self.public is not None:
            return _ok({"key": self.public["key"], "disqualified": []})
        state = self._session(body.get("session"))
        complaints: dict[int, list[int]] | None = state["gathered"]
        if complaints is None:
            raise _fail(409, "complaints not gathered yet (POST /dkg/gather)")
        try:
            share = dkg.finish(
                state["index"],
                state["threshold"],
                state["commitments"],
                state["received"],
                complaints,
            )
        except dkg.DkgError as err:
            raise _fail(409, str(err)) from None
        orgs = {p["index"]: p["org"] for p in state["parties"]}
        key = key_document(
            share.threshold,
            share.public_key,
            {j: (orgs[j], vk) for j, vk in share.verification_keys.items() if j in orgs},
        )
        try:
            save_share(
                self.key_path,
                share,
                self._passphrase,
                {"org": self.org, "key": key, "parties": state["parties"]},
            )
        except KeystoreError as err:
            raise _fail(409, str(err)) from None
        finally:
            self._dkg = {}
        self.share, self.public = load_share(self.key_path, self._passphrase)
        named = sorted({d for ds in complaints.values() for d in ds})
        return _ok({"key": key, "disqualified": named})

    # -- computations ---------------------------------------------------
    async def info(self, request: web.Request) -> web.Response:
        key = None if self.public is None else self.public["key"]
        index = None if self.share is None else self.share.index
        return _ok({"org": self.org, "index": index, "key": key})

    def _path(self, kind: str, cid: str) -> Path:
        if not cid.isdigit():
            raise _fail(400, "a computation id is a number")
        return self.home / kind / f"{int(cid)}.json"

    async def put_contribution(self, request: web.Request) -> web.Response:
        path = self._path("contributions", request.match_info["cid"])
        body = await _json(request)
        if body.get("org") != self.org or body.get("computation") != int(request.match_info["cid"]):
            raise _fail(400, f"a contribution here is organisation {self.org}'s for this id")
        try:
            ciphertexts_of(body)
        except DocumentError as err:
            raise _fail(400, str(err)) from None
        if path.exists() and json.loads(path.read_text()) != body:
            raise _fail(409, "a different contribution is already kept for this computation")
        if self.chain is None:
            raise _fail(409, "this party has no chain to check contributions against (--rpc)")
        cid = int(request.match_info["cid"])
        recorded = await asyncio.to_thread(self.chain.contribution_of, cid, self.org)
        if digest(body) != recorded:
            # Only the document whose digest the organisation itself recorded is kept, so
            # nobody else can put one first and block the organisation's own.
            raise _fail(
                409,
                f"not the contribution recorded on chain for organisation {self.org}: "
                "record its digest first",
            )
        _write(path, body)
        return _ok({"digest": digest(body).hex()})

    async def get_document(self, request: web.Request) -> web.Response:
        kind = request.match_info["kind"]
        if kind not in ("contribution", "aggregate", "partial"):
            raise _fail(404, "unknown document")
        path = self._path(kind + "s", request.match_info["cid"])
        if not path.exists():
            raise _fail(404, f"no {kind} for computation {request.match_info['cid']}")
        return web.Response(text=path.read_text(), content_type="application/json")

    async def put_aggregate(self, request: web.Request) -> web.Response:
        cid = self._cid(request)
        body = await _json(request)
        aggregate, contributions = body.get("aggregate"), body.get("contributions")
        if not isinstance(aggregate, dict) or not isinstance(contributions, list):
            raise _fail(400, "send {aggregate, contributions}")
        if self.chain is None:
            raise _fail(409, "this party has no chain to check aggregates against (--rpc)")
        record = await asyncio.to_thread(self.chain.record, cid)
        if digest(aggregate) != record["aggregate_digest"]:
            raise _fail(409, "not the aggregate recorded on chain for this computation")
        named = aggregate.get("contributions")
        if aggregate.get("computation") != cid or not isinstance(named, list):
            raise _fail(400, "not an aggregate of this computation")
        try:
            orgs = [int(entry["org"]) for entry in named]
        except (KeyError, TypeError, ValueError):
            raise _fail(400, "an aggregate names its contributions as {org, digest}") from None
        if any(b <= a for a, b in itertools.pairwise(orgs)):
            raise _fail(409, "the aggregate names organisations not strictly ascending")
        if len(orgs) < MIN_CONTRIBUTIONS:
            raise _fail(409, "an aggregate of fewer than 2 contributions is one agency's figures")
        contributed = []
        for p in record["participants"]:
            if await asyncio.to_thread(self.chain.contribution_of, cid, p) != _ZERO:
                contributed.append(p)
        if orgs != sorted(contributed) or len(orgs) != record["contributions"]:
            raise _fail(409, "the aggregate does not cover exactly the contributions on chain")
        if self.share is None:
            raise _fail(409, "this party holds no key share yet")
        by_digest = {digest(c).hex(): c for c in contributions if isinstance(c, dict)}
        max_bits = max_range_bits(len(named))
        docs = []
        for entry in named:
            org = int(entry["org"])
            on_chain = await asyncio.to_thread(self.chain.contribution_of, cid, org)
            if entry.get("digest") != on_chain.hex() or entry["digest"] not in by_digest:
                raise _fail(409, f"organisation {org}'s contribution is not the one on chain")
            try:
                check_contribution(by_digest[entry["digest"]], self.share.public_key, max_bits)
            except DocumentError as err:
                raise _fail(409, f"organisation {org}'s contribution is refused: {err}") from None
            docs.append(by_digest[entry["digest"]])
        try:
            rebuilt = aggregate_document(cid, docs)
        except (DocumentError, ValueError) as err:
            raise _fail(400, str(err)) from None
        if rebuilt != aggregate:
            raise _fail(409, "the aggregate is not the sum of the contributions it names")
        _write(self._path("aggregates", str(cid)), aggregate)
        return _ok({"stored": digest(aggregate).hex()})

    async def post_partial(self, request: web.Request) -> web.Response:
        cid = self._cid(request)
        if self.share is None:
            raise _fail(409, "this party holds no key share yet")
        done, kept = self._path("partials", str(cid)), self._path("aggregates", str(cid))
        if done.exists():
            return web.Response(text=done.read_text(), content_type="application/json")
        if not kept.exists():
            raise _fail(409, "no checked aggregate for this computation: send it first")
        aggregate = json.loads(kept.read_text())
        partials = [
            partial_decrypt(self.share.index, self.share.secret, ct).to_json()
            for ct in ciphertexts_of(aggregate)
        ]
        document = {
            "computation": cid,
            "org": self.org,
            "index": self.share.index,
            "aggregate": digest(aggregate).hex(),
            "partials": partials,
        }
        _write(done, document)
        return _ok(document)

    def _cid(self, request: web.Request) -> int:
        text = request.match_info["cid"]
        if not text.isdigit():
            raise _fail(400, "a computation id is a number")
        return int(text)

    def app(self) -> web.Application:
        app = web.Application(client_max_size=16 * 1024 * 1024)
        app.add_routes(
            [
                web.get("/info", self.info),
                web.post("/dkg/start", self.dkg_start),
                web.get("/dkg/commitments", self.dkg_commitments),
                web.post("/dkg/share", self.dkg_share),
                web.post("/dkg/deal", self.dkg_deal),
                web.post("/dkg/check", self.dkg_check),
                web.post("/dkg/gather", self.dkg_gather),
                web.get("/dkg/complaints", self.dkg_complaints),
                web.post("/dkg/complete", self.dkg_complete),
                web.put("/computations/{cid}/contribution", self.put_contribution),
                web.put("/computations/{cid}/aggregate", self.put_aggregate),
                web.post("/computations/{cid}/partial", self.post_partial),
                web.get("/computations/{cid}/{kind}", self.get_document),
            ]
        )
        return app


async def _json(request: web.Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except ValueError:
        raise _fail(400, "the body is not JSON") from None
    if not isinstance(body, dict):
        raise _fail(400, "the body is not a JSON object")
    return body


def _ok(document: dict[str, Any]) -> web.Response:
    return web.json_response(document)


def _write(path: Path, document: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(document, sort_keys=True))
    tmp.replace(path)


async def serve(
    home: Path, org: int, port: int, passphrase: str, chain: ChainView | None = None
) -> None:
    """Run a party on 127.0.0.1:``port`` until SIGTERM or SIGINT."""
    party = Party(home, org, passphrase, chain)
    runner = web.AppRunner(party.app(), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", port)
    await site.start()
    held = "holds its key share" if party.share is not None else "holds no key yet (key generation)"
    print(f"party of organisation {org} listening on http://127.0.0.1:{port}; {held}", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    await runner.cleanup()


def main(argv: list[str] | None = None) -> None:
    """``python -m trustspace.compute.party --home DIR --org N --port P``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--home", type=Path, required=True)
    parser.add_argument("--org", type=int, required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--rpc", help="JSON-RPC URL of the chain holding Computations")
    parser.add_argument("--computations", help="address of the Computations contract")
    args = parser.parse_args(argv)
    if bool(args.rpc) != bool(args.computations):
        parser.error("--rpc and --computations go together")
    passphrase = os.environ.get(PASSPHRASE_ENV, "")
    if not passphrase:
        parser.error(f"set {PASSPHRASE_ENV} to the passphrase protecting the key share")
    chain = ChainView(args.rpc, args.computations) if args.rpc else None
    asyncio.run(serve(args.home, args.org, args.port, passphrase, chain))


if __name__ == "__main__":
    main()
