"""Finding 11: ``verify --offline`` never reports inclusion or validity.

Before the fix it printed ``included: yes`` (and ``ok: true``) for a batch that was never
anchored. Offline, only the bundle's self-consistency can be checked: the report says
"proof self-consistent; anchoring not checked", has no ``included``/``valid`` keys, and
names the organisation only as "claimed by the bundle".
"""

import json

from tests.utils.relying_party import cli_fixture  # noqa: F401  (fixture)
from trustspace.crypto.hashing import hash_file
from trustspace.notary.bundle import batch_bundles


def test_verify_offline__batch_never_anchored__no_inclusion_no_validity(cli, tmp_path):
    files = []
    for i in range(3):
        f = tmp_path / f"invoice-{i}.pdf"
        f.write_text(f"invoice {i}")
        files.append(f)
    bundles = batch_bundles(
        [hash_file(f) for f in files],
        org_id=2,
        chain_id=31337,
        notary="0x" + "ab" * 20,
        names=[f.name for f in files],
        org_name="Tax Administration",
    )  # never anchored anywhere
    path = tmp_path / "invoice-1.bundle.json"
    bundles[1].save(path)

    report = json.loads(cli("verify", files[1], "--bundle", path, "--offline", "--json").stdout)
    assert report["result"] == "proof self-consistent; anchoring not checked"
    assert "included" not in report and "valid" not in report and "status" not in report
    assert report["claimed_by_bundle"]["org_name"] == "Tax Administration"
    human = cli("verify", files[1], "--bundle", path, "--offline").stdout
    assert "proof self-consistent; anchoring not checked" in human
    assert "included" not in human and "VALID" not in human
    assert "attester (claimed by the bundle)  Tax Administration (org 2)" in human


def test_verify_offline__other_file__not_valid(cli, tmp_path):
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("a")
    b.write_text("b")
    (bundle,) = batch_bundles([hash_file(a)], org_id=1, chain_id=31337, notary="0x" + "ab" * 20)
    bundle.save(tmp_path / "a.bundle.json")
    out = json.loads(
        cli(
            "verify", b, "--bundle", tmp_path / "a.bundle.json", "--offline", "--json", code=1
        ).stdout
    )
    assert out["ok"] is False and out["valid"] is False and "included" not in out
