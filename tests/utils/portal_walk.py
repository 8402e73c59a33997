"""The portal walk: ``trustspace portal`` over a running demo, driven in headless Chromium.

:func:`walk_demo_portal` is the e2e demo's ``before_stop`` step: it notarizes the walk's files
on the tax chain (:mod:`tests.utils.portal_data`), starts ``trustspace portal`` as a process on
a free port over the demo's deployment records and bus config, and :func:`walk` visits every
page in Debian's Chromium through Playwright: each page's key content, keyboard navigation to
the verify form, a valid, a tampered (one byte changed) and a revoked document, a JSON record
rewritten (valid: hashed in its RFC 8785 form) and with a value changed (not valid), a revoked
record with its reason, a batch with its revoked document, and a message delivered with the
validators' organisations. With ``PORTAL_SCREENSHOTS=docs/portal`` the main pages are saved as
PNG files there (1366x768, what ``docs/portal.md`` shows).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.utils.portal_data import WalkData, notarize_walk_documents
from trustspace.devnet.chains import free_port
from trustspace.paths import project_root

__all__ = ["CHROMIUM", "CHROMIUM_ARGS", "Expected", "launch_chromium", "walk", "walk_demo_portal"]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TRUSTSPACE = Path(sys.executable).with_name("trustspace")


@dataclass(frozen=True)
class Expected:
    """Ids of the demo the walk looks up."""

    batch_id: str
    foreign_id: str
    message_id: str
    validator_orgs: tuple[str, ...]


def launch_chromium(playwright: Any) -> Any:
    """Debian's Chromium, headless; fails (never skips) naming the package when it is missing."""
    assert CHROMIUM.exists(), (
        f"{CHROMIUM} is missing: the portal's browser tests need Debian's Chromium "
        "(sudo apt-get install chromium)"
    )
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)


#: Ids (or names) of the page's inputs that no label names.
_UNLABELLED = (
    "[...document.querySelectorAll('input')].filter(i => !i.labels.length).map(i => i.id || i.name)"
)


def _wait_up(url: str, process: subprocess.Popen[str], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"trustspace portal exited: {process.communicate()[1][-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"trustspace portal did not answer at {url} within {timeout} s")


def _shot(page: Any, name: str) -> None:
    folder = os.environ.get("PORTAL_SCREENSHOTS")
    if folder:
        target = Path(folder) if Path(folder).is_absolute() else project_root() / folder
        target.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(target / f"{name}.png"))


def _verify(page: Any, base: str, document: Path, bundle: Path) -> str:
    page.goto(f"{base}/verify")
    page.set_input_files("#document", str(document))
    page.set_input_files("#bundle", str(bundle))
    page.click("#verify-button")
    page.wait_for_selector("#result .verdict")
    return str(page.inner_text("#result"))


def walk(base: str, data: WalkData, expected: Expected) -> dict[str, str]:
    """Visit every page at ``base`` in Chromium; assert what each shows. Returns page texts."""
    from playwright.sync_api import sync_playwright

    seen: dict[str, str] = {}
    with sync_playwright() as p:
        browser = launch_chromium(p)
        try:
            page = browser.new_page(viewport={"width": 1366, "height": 768})
            page.set_default_timeout(30_000)
            # Script errors, CSP violations and failed loads (a missing icon included) show
            # in the console: none may happen on a page the walk expects to work.
            errors: list[str] = []
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))

            def visit(path: str, *wanted: str, shot: str | None = None) -> str:
                response = page.goto(f"{base}{path}")
                assert response is not None and response.status == 200, (path, response)
                body = str(page.inner_text("body"))
                assert page.locator("h1").count() == 1, f"{path}: one h1 per page"
                assert page.evaluate(_UNLABELLED) == [], f"{path}: inputs without a label"
                for text in wanted:
                    assert text in body, f"{path}: {text!r} not shown"
                if shot:
                    _shot(page, shot)
                seen[path] = body
                return body

            visit("/", "Chains read by this portal", "hub (31337)", "tax (31339)", shot="home")
            visit(
                "/records", "Record explorer", "portal-walk", "Tax Administration", shot="records"
            )
            visit(
                "/consortium",
                "Customs Authority",
                "SUSPENDED",
                "Distance to its policy",
                "passes its policy",
                shot="consortium",
            )
            visit("/bus", "Recent messages", expected.message_id, shot="bus")
            visit("/dids", "Organisations' DIDs", "did:ethr:", shot="dids")
            did = page.locator("table a.mono").first.inner_text()
            visit(f"/dids?did={did}", "Resolved document", "History", did, shot="did")
            visit("/credentials", "Accreditations of issuers", "accredited", shot="credentials")
            visit("/data", "Transfer log", "VAT assessment", "terminated", shot="data")
            visit("/compute", "published", "Published", "Ministry of Trade", shot="compute")

            # Keyboard: Tab from the top reaches the skip link, then the navigation; the skip
            # link jumps to the page, whose first stop is the document input of the form.
            page.goto(f"{base}/verify")
            page.keyboard.press("Tab")
            assert page.evaluate("document.activeElement.className") == "skip"
            page.keyboard.press("Enter")
            page.keyboard.press("Tab")
            assert page.evaluate("document.activeElement.id") == "document"
            order = []
            for _ in range(2):
                page.keyboard.press("Tab")
                order.append(page.evaluate("document.activeElement.id"))
            assert order == ["bundle", "verify-button"], order
            labels = page.evaluate(
                "[...document.querySelectorAll('input')].every(i => i.labels.length > 0)"
            )
            assert labels, "every input of the verify form has a label"

            valid = _verify(page, base, data.valid, data.valid_bundle)
            assert "Valid" in valid and "Not valid" not in valid, valid
            assert "Tax Administration" in valid and "Included\nyes" in valid, valid
            _shot(page, "verify-valid")
            tampered = _verify(page, base, data.tampered, data.valid_bundle)
            assert "Not valid" in tampered and "differs from the bundle's" in tampered, tampered
            _shot(page, "verify-tampered")
            revoked = _verify(page, base, data.revoked, data.revoked_bundle)
            assert "Not valid" in revoked and "REVOKED" in revoked, revoked
            assert "Revocation reason\nFRAUD" in revoked, revoked
            # A JSON record, written with other key order, spacing and number spelling: the
            # page hashes its RFC 8785 form as the bundle's encoding says; a changed value fails.
            rewritten = _verify(page, base, data.json_record, data.json_bundle)
            assert "Valid" in rewritten and "Not valid" not in rewritten, rewritten
            changed = _verify(page, base, data.json_changed, data.json_bundle)
            assert "Not valid" in changed and "differs from the bundle's" in changed, changed
            seen["verify"] = "\n".join((valid, tampered, revoked, rewritten, changed))

            visit(f"/records/{data.revoked_id}", "REVOKED", "reason FRAUD", "Tax Administration")
            visit(
                f"/records/{expected.batch_id}",
                "BATCH of",
                "Revoked documents of this batch",
                "ISSUED_IN_ERROR",
                expected.foreign_id,
                shot="record",
            )
            visit(f"/records/{expected.foreign_id}", "Mirrored from", "chain 31338")
            message = visit(
                f"/bus/{expected.message_id}", "delivered", "Delivered on tax", shot="message"
            )
            for org in expected.validator_orgs:
                assert org in message, f"message timeline: validator organisation {org} missing"

            assert errors == [], f"browser console errors: {errors}"
            response = page.goto(f"{base}/records/0x12")
            assert response is not None and response.status == 400
            assert "64 hex digits" in page.inner_text("main")
        finally:
            browser.close()
    return seen


def walk_demo_portal(scenario: Any) -> dict[str, str]:
    """Notarize the walk's files, serve the portal over ``scenario``'s chains and walk it."""
    workdir = Path(scenario.workdir).resolve()
    data = notarize_walk_documents(scenario, workdir / "portal")
    port = free_port()
    env = {
        **os.environ,
        "TRUSTSPACE_DEPLOYMENTS": str(workdir / "deployments"),
        "TRUSTSPACE_HOME": str(workdir / "home"),
    }
    networks = [
        arg
        for name, chain in scenario.chains.items()
        for arg in ("--network", f"{name}={chain.url}")
    ]
    command = [
        str(TRUSTSPACE),
        "portal",
        "--port",
        str(port),
        *networks,
        "--bus-config",
        str(workdir / "bus" / "bus.json"),
    ]
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_up(base + "/", process)
        result = scenario.result
        expected = Expected(
            batch_id="0x" + result.batch_id.hex(),
            foreign_id="0x" + result.foreign_id.hex(),
            message_id=result.message_ids[0],
            validator_orgs=("Customs Authority", "Tax Administration", "Maritime Authority"),
        )
        return walk(base, data, expected)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
