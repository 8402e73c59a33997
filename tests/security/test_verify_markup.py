"""Finding 12 (notary commands): markup in chain or file data is printed, never interpreted.

Organisation names, schema names, file names and disclosed fields come from a chain or a
file. Read as rich markup, ``[link=https://evil.example]x[/link]`` turned into a hyperlink
showing only "x", ``[@`` swallowed the text after it, and ``[/]`` crashed the command
(a ``MarkupError`` traceback). Every value now prints as typed.
"""

import io
import json

import pytest

from tests.utils.relying_party import (  # noqa: F401  (fixtures)
    alias_fixture,
    cli_fixture,
    one_line,
    write_record,
)
from trustspace.consortium.constants import OrgKind, Role
from trustspace.consortium.governance import Governance, OrgSeed, deploy_consortium
from trustspace.notary.client import NotaryClient

LINK = "[link=https://evil.example]x[/link]"
CLOSE = "[/]"
OPEN = "[@"
# A path cannot hold "//": the link in a path reads "https:/evil.example", still markup.
PATH_LINK = "[link=https:/evil.example]x[/link]"


@pytest.fixture
def hostile(project, deployer, customs_admin, tax_admin, customs_notary, accounts, alias):
    """A Consortium whose organisations are named with markup, a Notary, a schema named
    with markup; customs_notary attests for org 1 (named ``LINK``)."""
    consortium = deploy_consortium(
        project,
        deployer,
        [
            OrgSeed(LINK, OrgKind.CUSTOMS, [customs_admin]),
            OrgSeed(CLOSE, OrgKind.TAX, [tax_admin]),
            OrgSeed(OPEN, OrgKind.MARITIME, []),
        ],
        threshold=1,
    )
    gov = Governance(consortium)
    gov.enact("add_account", approvers=[customs_admin], org_id=1, account=customs_notary)
    gov.enact(
        "grant_role", approvers=[customs_admin], account=customs_notary, roles=int(Role.NOTARY)
    )
    client = NotaryClient(deployer.deploy(project.Notary, consortium))
    schema = client.register_schema(f"{CLOSE}{OPEN}{LINK}", OPEN, sender=customs_notary)
    return client, consortium, schema


@pytest.fixture
def trusted_hostile(hostile, chain, tmp_path, monkeypatch):
    client, consortium, _ = hostile
    folder = tmp_path / "deployments"
    monkeypatch.setenv("TRUSTSPACE_DEPLOYMENTS", str(folder))
    write_record(folder, chain, notary=client.contract, consortium=consortium)


@pytest.fixture
def hostile_files(tmp_path):
    """A folder whose file paths hold markup: ``[/]``, ``[@`` and a link."""
    root = tmp_path / f"in{OPEN}"
    linked = root / PATH_LINK  # three folders deep: "[link=https:", "evil.example]x[", "link]"
    linked.parent.mkdir(parents=True)
    linked.write_text("linked")
    (root / "a[").mkdir()
    (root / f"a{CLOSE}").write_text("closed")  # the file "]" in the folder "a["
    return root


def test_markup__org_schema_file_names__printed_as_typed(
    cli, alias, hostile, trusted_hostile, hostile_files, customs_notary, tmp_path
):
    out = tmp_path / "bundles"
    notarized = cli(
        "notarize",
        hostile_files,
        "--schema",
        hostile[2],
        "--out",
        out,
        "--account",
        alias(customs_notary),
    )
    assert "Notarized 2 document(s)" in notarized.stdout
    bundles = sorted(out.rglob("*.bundle.json"))
    assert len(bundles) == 2
    for bundle in bundles:
        document = hostile_files / str(bundle.relative_to(out)).removesuffix(".bundle.json")
        shown = cli("verify", document, "--bundle", bundle).stdout
        assert f"attester    {LINK} (org 1)" in shown
        assert f"schema      {hostile[2]} {CLOSE}{OPEN}{LINK} {OPEN}" in shown
        assert str(document) in shown
        offline = cli("verify", document, "--bundle", bundle, "--offline").stdout
        assert f"{LINK} (org 1)" in offline
    assert any(PATH_LINK in str(b) for b in bundles)
    record = json.loads(bundles[0].read_text())["attestation"]["record_id"]
    assert f"{LINK} (org 1)" in cli("trace", record).stdout
    plan = cli(
        "revoke", "--bundle", bundles[0], "--account", alias(customs_notary), input="n\n", code=2
    ).stdout
    assert f"attester    {LINK} (org 1)" in plan


def test_markup__disclosed_field_names_and_values__printed_as_typed(
    cli, alias, hostile, trusted_hostile, customs_notary, tmp_path
):
    record = tmp_path / "r.json"
    record.write_text(json.dumps({CLOSE: LINK, OPEN: CLOSE}))
    commitment = tmp_path / "r.commitment.json"
    cli(
        "disclose",
        record,
        "--anchor",
        "--commitment",
        commitment,
        "--account",
        alias(customs_notary),
    )
    disclosure = tmp_path / f"d{CLOSE}.json"  # "d[" folder, "].json" file
    disclosure.parent.mkdir()
    cli("disclose", commitment, "--field", CLOSE, "--field", OPEN, "--out", disclosure)
    shown = one_line(cli("verify-disclosure", disclosure).stdout)
    assert f'{CLOSE} "{LINK}" VALID' in shown and f'{OPEN} "{CLOSE}" VALID' in shown
    assert f"issuer {LINK} (org 1)" in shown and "disclosure ].json" in shown


def test_markup__progress_bar_on_a_terminal__close_tag_in_path__no_crash(
    cli, alias, hostile, customs_notary, tmp_path, monkeypatch
):
    # The progress bar renders only on a terminal; there a "[/]" in a folder name crashed
    # notarize (rich's TextColumn reads markup by default).
    from rich.console import Console

    import trustspace.cli.notary as notary_cli

    monkeypatch.setenv("FORCE_COLOR", "1")  # Consoles made from here on think: terminal
    terminal = Console(file=io.StringIO(), force_terminal=True, markup=False, highlight=False)
    monkeypatch.setattr(notary_cli, "err_console", terminal, raising=False)
    folder = tmp_path / f"x{CLOSE}"  # the folder "]" in the folder "x["
    folder.mkdir(parents=True)
    (folder / "doc.xml").write_text("<doc/>")
    result = cli(
        "notarize",
        folder,
        "--schema",
        hostile[2],
        "--out",
        tmp_path / "b",
        "--notary",
        hostile[0].address,
        "--account",
        alias(customs_notary),
        "--json",
    )
    assert json.loads(result.stdout)["ok"]
