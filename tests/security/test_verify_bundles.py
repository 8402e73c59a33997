"""Findings 14 and 15: one bundle file per document, and JSON records hashed canonically.

14. ``notarize`` flattened paths with ``__``, so ``a/b.xml`` and ``a__b.xml`` shared one
    bundle file and one proof was silently lost. Bundles now mirror the folder tree in
    ``--out``, and two documents that would still share a file (two folders with the same
    relative names, or a bundle of another document already there) are refused before
    anything is sent.
15. JSON records were hashed as raw bytes while the docs said RFC 8785: two encodings of one
    record gave two digests. ``--json-record`` hashes the canonical form, the bundle records
    it, and ``verify`` hashes the same way.
"""

import json
from pathlib import Path

from tests.utils.relying_party import (  # noqa: F401  (fixtures)
    alias_fixture,
    cli_fixture,
    officer_record_fixture,
)
from trustspace.crypto.hashing import hash_file, hash_json


def test_bundle_names__a_slash_b_and_a__b__two_bundles_both_verify(
    cli, alias, customs_notary, schema_id, officer_record, tmp_path
):
    inbox = tmp_path / "inbox"
    (inbox / "a").mkdir(parents=True)
    (inbox / "a" / "b.xml").write_text("<nested/>")
    (inbox / "a__b.xml").write_text("<flat/>")
    out = tmp_path / "bundles"
    docs = json.loads(
        cli(
            "notarize",
            inbox,
            "--schema",
            schema_id,
            "--out",
            out,
            "--account",
            alias(customs_notary),
            "--json",
        ).stdout
    )["documents"]
    assert len({d["bundle"] for d in docs}) == 2
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*.bundle.json")) == [
        "a/b.xml.bundle.json",
        "a__b.xml.bundle.json",
    ]
    for d in docs:
        assert json.loads(cli("verify", d["path"], "--bundle", d["bundle"], "--json").stdout)[
            "valid"
        ]


def test_bundle_names__two_folders_same_relative_name__refused_before_sending(
    cli, alias, customs_notary, schema_id, officer_record, client, tmp_path
):
    first, second = tmp_path / "monday", tmp_path / "tuesday"
    for folder, content in ((first, "monday"), (second, "tuesday")):
        folder.mkdir()
        (folder / "manifest.xml").write_text(content)
    out = tmp_path / "bundles"
    error = json.loads(
        cli(
            "notarize",
            first,
            second,
            "--schema",
            schema_id,
            "--out",
            out,
            "--account",
            alias(customs_notary),
            "--json",
            code=2,
        ).stdout
    )["error"]
    assert "would share the bundle file" in error and "nothing was sent" in error
    assert not out.exists()


def test_bundle_names__existing_bundle_of_another_document__refused(
    cli, alias, customs_notary, schema_id, officer_record, tmp_path
):
    out = tmp_path / "bundles"
    common = ("--schema", schema_id, "--out", out, "--account", alias(customs_notary), "--json")
    one, two = tmp_path / "one", tmp_path / "two"
    one.mkdir()
    two.mkdir()
    (one / "decl.xml").write_text("first declaration")
    (two / "decl.xml").write_text("second declaration")
    cli("notarize", one / "decl.xml", *common)
    before = (out / "decl.xml.bundle.json").read_text()
    error = json.loads(cli("notarize", two / "decl.xml", *common, code=2).stdout)["error"]
    assert "already holds the bundle of another document" in error
    assert (out / "decl.xml.bundle.json").read_text() == before


def test_json_record__two_encodings_of_one_record__one_digest(
    cli, alias, customs_notary, schema_id, officer_record, tmp_path
):
    record = {"declarant": "ACME", "value": 1e3, "lines": [{"hs": "0101"}], "é": True}
    compact, pretty = tmp_path / "compact.json", tmp_path / "pretty.json"
    compact.write_text(json.dumps(record, separators=(",", ":"), ensure_ascii=False))
    pretty.write_text(json.dumps(dict(sorted(record.items(), reverse=True)), indent=2) + "\n")
    assert hash_file(compact) != hash_file(pretty)  # as bytes: two digests

    common = ("--schema", schema_id, "--account", alias(customs_notary), "--json")
    a = json.loads(
        cli("notarize", compact, "--json-record", "--out", tmp_path / "a", *common).stdout
    )["documents"][0]
    bundle = json.loads(Path(a["bundle"]).read_text())
    assert bundle["document"]["encoding"] == "json-rfc8785"
    report = json.loads(cli("verify", pretty, "--bundle", a["bundle"], "--json").stdout)
    assert report["valid"] and report["digest"] == a["digest"]
    assert a["digest"] == "0x" + hash_json(record).hex()
