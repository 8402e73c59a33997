"""``trustspace notarize`` of a directory of 100,000 small files, end to end, on anvil.

Run alone: ``python -m bench.notarize_speed [--quick]``. A Consortium and a
Notary are deployed on an anvil that ape starts (``ethereum:local:foundry``),
with a customs NOTARY key, as in tests/integration/test_notary_cli.py. The
files (XML declarations of 200-600 bytes in 100 sub-folders) are generated in
a temporary folder; then the real CLI runs as a subprocess against the node's
URL — process start, hashing, the Merkle tree, the anchoring transaction and
100,000 proof bundles written to disk — and everything is deleted afterwards.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.results import AT_MOST, Figure

ROOT = Path(__file__).resolve().parents[1]
FILES = 100_000
TARGET_S = 60.0
NOTARY_INDEX = 7  # accounts.test_accounts[7]: the CLI signs as TEST::7


#: One line for the method table of docs/performance.md.
METHOD = (
    "100,000 generated XML files (200-600 bytes, 100 folders); the real `trustspace notarize` "
    "CLI as a subprocess against anvil with a deployed Consortium and Notary; files deleted"
)


def _generate(folder: Path, count: int) -> int:
    total = 0
    for i in range(count):
        sub = folder / f"batch-{i % 100:03d}"
        if i < 100:
            sub.mkdir(parents=True)
        body = f"<declaration n='{i}'>" + "<line>goods</line>" * (10 + i % 25) + "</declaration>"
        (sub / f"decl-{i:06d}.xml").write_text(body)
        total += len(body)
    return total


def _deploy() -> tuple[str, str]:
    """Consortium + Notary + schema on the connected chain; returns (notary, uri)."""
    from ape import accounts, chain, project

    from trustspace.consortium.constants import OrgKind, Role
    from trustspace.consortium.governance import Governance, OrgSeed, deploy_consortium

    test = accounts.test_accounts
    deployer, customs_admin, tax_admin = test[0], test[1], test[3]
    notary_key = test[NOTARY_INDEX]
    consortium = deploy_consortium(
        project,
        deployer,
        [
            OrgSeed("Customs Authority", OrgKind.CUSTOMS, [customs_admin]),
            OrgSeed("Tax Administration", OrgKind.TAX, [tax_admin]),
        ],
        threshold=2,
    )
    gov = Governance(consortium)
    approvers = [customs_admin, tax_admin]
    gov.enact("add_account", approvers=approvers, org_id=1, account=notary_key)
    gov.enact("grant_role", approvers=approvers, account=notary_key, roles=int(Role.NOTARY))
    notary = deployer.deploy(project.Notary, consortium)
    notary.registerSchema("customs-declaration", "1.0", bytes(32), "", sender=notary_key)
    return str(notary.address), str(chain.provider.uri)


def measure(files: int = FILES) -> dict[str, Any]:
    from ape import networks

    from trustspace.ape_tuning import tune_ape

    os.chdir(ROOT)
    tune_ape()
    # The `trustspace` console script, but importing this checkout's package (cwd first on
    # sys.path), not whichever checkout the shared virtualenv's editable install points at.
    cli = [sys.executable, "-c", "from trustspace.cli import main; main()"]
    with networks.parse_network_choice("ethereum:local:foundry"):
        notary, uri = _deploy()
        with tempfile.TemporaryDirectory(prefix="trustspace-notarize-") as tmp:
            docs, out = Path(tmp) / "declarations", Path(tmp) / "bundles"
            t0 = time.perf_counter()
            nbytes = _generate(docs, files)
            t_generate = time.perf_counter() - t0
            command = [
                *cli, "notarize", str(docs), "--schema", "1", "--out", str(out),
                "--account", f"TEST::{NOTARY_INDEX}", "--notary", notary,
                "--network", uri, "--json",
            ]  # fmt: skip
            report = Path(tmp) / "report.json"
            t0 = time.perf_counter()
            with report.open("w") as stdout:
                done = subprocess.run(
                    command, stdout=stdout, stderr=subprocess.PIPE, text=True, timeout=900, cwd=ROOT
                )
            elapsed = time.perf_counter() - t0
            if done.returncode != 0:
                raise RuntimeError(f"notarize failed ({done.returncode}): {done.stderr[-2000:]}")
            text = report.read_text()
            # Whatever precedes the JSON document (ape's log lines) breaks `--json` for scripts.
            preamble = text[: text.index("{")].strip()
            documents = json.loads(text[text.index("{") :])["documents"]
            assert len(documents) == files
            assert len({d["record_id"] for d in documents}) == 1
            bundles = sum(1 for _ in out.iterdir())
            assert bundles == files
    return {
        "files": files,
        "bytes": nbytes,
        "seconds": round(elapsed, 2),
        "files_per_s": round(files / elapsed),
        "generate_s": round(t_generate, 2),
        "bundles_written": bundles,
        "stdout_before_json": preamble,
        "command": "trustspace notarize DIR --schema 1 --out OUT --account TEST::7 "
        "--notary ADDR --network http://127.0.0.1:PORT --json",
    }


def run(quick: bool = False) -> list[Figure]:
    files = 10_000 if quick else FILES
    r = measure(files)
    return [
        Figure(
            id="python.notarize_100k_files_s",
            group="Python tooling",
            name=f"`trustspace notarize` of {files:,} small files, end to end",
            measured=r["seconds"],
            unit="s",
            target=TARGET_S if files == FILES else None,
            comparison=AT_MOST,
            note=(
                f"{r['files_per_s']:,} files/s; subprocess against anvil over HTTP: start, "
                "hash, tree, anchor, one proof bundle per file, JSON report"
                + (
                    f". Found: `--json` output is preceded on stdout by ape's log lines "
                    f"({r['stdout_before_json'].count(chr(10)) + 1}), so it is not valid JSON "
                    "for scripts as is"
                    if r["stdout_before_json"]
                    else ""
                )
            ),
            details=r,
        )
    ]


if __name__ == "__main__":
    from ape.logging import logger

    logger.set_level("ERROR")
    print(json.dumps(measure(1_000 if "--quick" in sys.argv else FILES), indent=2))
