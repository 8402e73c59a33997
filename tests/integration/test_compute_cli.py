"""``trustspace compute`` end to end: three party processes, the CLI through click's CliRunner
on anvil (logs, JSON-RPC for the parties' chain checks)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from trustspace.cli import main
from trustspace.consortium.constants import OrgKind
from trustspace.consortium.governance import OrgSeed, deploy_consortium
from trustspace.devnet.demo_compute import parties

pytestmark = pytest.mark.anvil

NETWORK = "ethereum:local:foundry"
CUSTOMS, TAX, FOREX, MINISTRY = 1, 2, 3, 4
FIGURES = {CUSTOMS: [120, 0, 75], TAX: [100, 5, 80], FOREX: [130, 1, 70]}


def test_compute_cli__keygen_to_published_totals__each_step_recorded_and_shown(
    project, networks, accounts, deployer, customs_admin, tax_admin, forex_admin, ministry_admin,
    tmp_path,
):  # fmt: skip
    runner = CliRunner(mix_stderr=False)
    alias = {a.address: f"TEST::{i}" for i, a in enumerate(accounts)}

    def run(*args, code=0):
        result = runner.invoke(main, [str(a) for a in args], catch_exceptions=False)
        assert result.exit_code == code, result.output + result.stderr
        return json.loads(result.stdout) if "--json" in args else result

    with networks.parse_network_choice(NETWORK) as provider:
        consortium = deploy_consortium(
            project,
            deployer,
            [
                OrgSeed("Customs", OrgKind.CUSTOMS, [customs_admin]),
                OrgSeed("Tax", OrgKind.TAX, [tax_admin]),
                OrgSeed("Foreign Exchange", OrgKind.FOREX, [forex_admin]),
                OrgSeed("Ministry", OrgKind.MINISTRY, [ministry_admin]),
            ],
            threshold=2,
        )
        computations = deployer.deploy(project.Computations, consortium)
        chain = (provider.uri, computations.address)
        common = ("--network", NETWORK, "--computations", computations.address)
        admins = {CUSTOMS: customs_admin, TAX: tax_admin, FOREX: forex_admin}
        with parties(tmp_path, [CUSTOMS, TAX, FOREX], "cli test passphrase", chain) as running:
            urls = {p.org: p.url for p in running}
            each = [x for url in urls.values() for x in ("--party", url)]

            key = run(
                "compute", "keygen", *each, "--threshold", 2, "--out", tmp_path / "k.json", "--json"
            )
            opened = run("compute", "open", *common, *each, "--account", alias[ministry_admin.address],
                         "--participants", "1,2,3", "--description", "imports: a, b, c", "--json")  # fmt: skip
            cid = opened["computation"]
            mismatched = run("compute", "open", *common, *each, "--account",
                             alias[ministry_admin.address], "--participants", "1,2",
                             "--description", "x", code=2)  # fmt: skip
            for org, figures in FIGURES.items():
                run("compute", "contribute", *common, "--computation", cid, "--party", urls[org],
                    "--account", alias[admins[org].address], "--values", ",".join(map(str, figures)),
                    "--json")  # fmt: skip
            again = run("compute", "contribute", *common, "--computation", cid, "--party",
                        urls[CUSTOMS], "--account", alias[customs_admin.address], "--values", "1,1,1",
                        code=2)  # fmt: skip
            aggregated = run("compute", "aggregate", *common, "--computation", cid, *each,
                             "--account", alias[ministry_admin.address], "--json")  # fmt: skip
            first = run("compute", "decrypt", *common, "--computation", cid, *each,
                        "--account", alias[customs_admin.address], "--json")  # fmt: skip
            next(p for p in running if p.org == FOREX).stop()
            second = run("compute", "decrypt", *common, "--computation", cid, *each,
                         "--account", alias[tax_admin.address], "--json")  # fmt: skip
            published = run("compute", "decrypt", *common, "--computation", cid, *each,
                            "--account", alias[ministry_admin.address], "--json")  # fmt: skip
            late = run("compute", "decrypt", *common, "--computation", cid, *each,
                       "--account", alias[forex_admin.address], code=2)  # fmt: skip
            stranger = run("compute", "decrypt", *common, "--computation", cid, *each,
                           "--account", alias[deployer.address], code=2)  # fmt: skip
            rechecked = run("compute", "show", *common, "--computation", cid, *each, "--json")
        shown = run("compute", "show", *common, "--computation", cid, "--json")

    assert key["key_digest"] == opened["key_digest"]
    assert json.loads((tmp_path / "k.json").read_text())["threshold"] == 2
    assert "computations: already contributed" in again.stderr
    assert aggregated["contributors"] == [CUSTOMS, TAX, FOREX]
    assert (first["shares"], "totals" in first) == ([CUSTOMS], False)
    assert ("totals" in second, second["waiting_for_opener"]) == (False, MINISTRY)
    assert published["totals"] == [350, 6, 225]
    assert published["share_orgs"] == [CUSTOMS, TAX]
    assert f"computation {cid} is published: shares are recorded only while it" in " ".join(
        late.stderr.split()
    )
    assert "belongs to no organisation on this chain" in stranger.stderr
    assert "the joint key is held by organisations 1,2,3" in mismatched.stderr
    assert rechecked["ok"] is True
    assert rechecked["verification"] == {
        "derived_totals": [350, 6, 225],
        "published_totals": [350, 6, 225],
        "matches": True,
        "share_orgs": [CUSTOMS, TAX],
    }
    assert shown["stage"] == "published"
    assert [e["step"] for e in shown["trail"]] == [
        "Opened", "Contributed", "Contributed", "Contributed", "Aggregated", "Shared", "Shared",
        "Published",
    ]  # fmt: skip
    assert shown["trail"][-1]["totals"] == [350, 6, 225]
