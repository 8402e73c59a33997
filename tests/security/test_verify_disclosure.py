"""Finding 8: ``verify-disclosure`` says who issued the disclosed record, and checks it.

Before the fix its output was ``{ok, valid, fields, status}``: a disclosure anchored by
maritime with ``vat_exempt: true`` read as a valid fact to a tax officer. Now the report
names the issuing organisation (id and name, from the trusted Consortium), the chain and
the contracts, and ``--issuer ORG`` (id or name) must match or the command exits 1.
"""

import json

import pytest

from tests.utils.relying_party import (  # noqa: F401  (fixtures)
    alias_fixture,
    cli_fixture,
    officer_record_fixture,
    one_line,
)

NOT_VALID = 1


@pytest.fixture
def maritime_disclosure(cli, alias, maritime_notary, schema_id, officer_record, tmp_path):
    """A company record anchored by maritime; the holder discloses ``vat_exempt`` only."""
    record = tmp_path / "company.json"
    record.write_text(json.dumps({"company": "ACME", "vat_exempt": True, "country": "FR"}))
    commitment = tmp_path / "company.commitment.json"
    cli(
        "disclose",
        record,
        "--anchor",
        "--commitment",
        commitment,
        "--account",
        alias(maritime_notary),
        "--json",
    )
    out = tmp_path / "vat.disclosure.json"
    cli("disclose", commitment, "--field", "vat_exempt", "--out", out, "--json")
    return out


def test_disclosure_anchored_by_maritime__report_names_maritime(
    cli, maritime_disclosure, notary, notary_consortium
):
    report = json.loads(cli("verify-disclosure", maritime_disclosure, "--json").stdout)
    assert report["valid"] and report["fields"] == {"vat_exempt": True}
    assert report["issuer"] == {"org_id": 3, "org_name": "Maritime Authority"}
    assert report["chain_id"] == 31337 and report["notary"] == notary.address
    assert report["consortium"] == notary_consortium.address
    human = cli("verify-disclosure", maritime_disclosure).stdout
    assert "issuer      Maritime Authority (org 3)" in human
    assert "chain       31337" in human and notary.address in human


@pytest.mark.parametrize("issuer", ["Tax Administration", "2", "tax administration"])
def test_disclosure_anchored_by_maritime__tax_officer_demands_tax__exit_1(
    cli, maritime_disclosure, issuer
):
    out = json.loads(
        cli(
            "verify-disclosure",
            maritime_disclosure,
            "--issuer",
            issuer,
            "--json",
            code=NOT_VALID,
        ).stdout
    )
    assert out["ok"] is False and out["valid"] is False
    assert out["error"] == "issued by Maritime Authority (org 3), not by Tax Administration (org 2)"
    human = cli("verify-disclosure", maritime_disclosure, "--issuer", issuer, code=NOT_VALID).stdout
    assert "NOT VALID" in human and "not by Tax Administration (org 2)" in human


@pytest.mark.parametrize("issuer", ["Maritime Authority", "3"])
def test_disclosure__issuer_matches__exit_0(cli, maritime_disclosure, issuer):
    report = json.loads(
        cli("verify-disclosure", maritime_disclosure, "--issuer", issuer, "--json").stdout
    )
    assert report["valid"] and report["issuer_expected"]["org_id"] == 3


def test_disclosure__issuer_unknown_or_offline__bad_input(cli, maritime_disclosure):
    unknown = cli("verify-disclosure", maritime_disclosure, "--issuer", "Nobody", code=2)
    assert "no organisation of that name" in one_line(unknown.stderr)
    offline = cli("verify-disclosure", maritime_disclosure, "--issuer", "3", "--offline", code=2)
    assert "--issuer needs the chain" in one_line(offline.stderr)
