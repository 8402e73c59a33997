"""What ``trustspace deploy wire`` reads from files, checked before anything connects."""

from __future__ import annotations

import json

import pytest

from trustspace.cli.deploy import validator_committee
from trustspace.cli.options import CommandError
from trustspace.deploy.peers import Peer, candidates_by_name, peer_problems
from trustspace.deploy.records import DeploymentError, DeploymentRecord, load, save

KEY_A = "0x71bE63f3384f5fb98995898A86B02Fb2426c5788"
KEY_B = "0xFABB0ac9d68B0B445fB7357272Ff202C5651694a"


def test_validator_committee__distinct_keys_and_threshold__checksummed(tmp_path):
    path = tmp_path / "v.json"
    path.write_text(json.dumps({"keys": [KEY_A.lower(), KEY_B], "threshold": 2}))
    assert validator_committee(path) == ([KEY_A, KEY_B], 2)


@pytest.mark.parametrize(
    ("spec", "says"),
    [
        ({"keys": KEY_A, "threshold": 1}, "keys must be a non-empty list of addresses"),
        ({"keys": [], "threshold": 1}, "keys must be a non-empty list of addresses"),
        ({"keys": ["0x12"], "threshold": 1}, "keys must be a non-empty list of addresses"),
        ({"keys": [KEY_A, KEY_A.lower()], "threshold": 1}, "a key is listed twice"),
        ({"keys": [KEY_A], "threshold": 2.9}, "threshold must be a whole number"),
        ({"keys": [KEY_A], "threshold": True}, "threshold must be a whole number"),
        ({"keys": [KEY_A], "threshold": 0}, "threshold 0 must be between 1 and the 1 keys"),
        ({"keys": [KEY_A, KEY_B], "threshold": 3}, "threshold 3 must be between 1 and the 2"),
        ([KEY_A], "keys must be a non-empty list"),
    ],
)
def test_validator_committee__malformed__one_line_before_connecting(tmp_path, spec, says):
    path = tmp_path / "v.json"
    path.write_text(json.dumps(spec))
    with pytest.raises(CommandError, match=says):
        validator_committee(path)


def test_validator_committee__not_json__says_the_shape(tmp_path):
    path = tmp_path / "v.json"
    path.write_text("{")
    with pytest.raises(CommandError, match="expected a JSON file"):
        validator_committee(path)


def test_peer_record__contents_name_another_network__refused(tmp_path):
    save(
        DeploymentRecord(network="ethereum:custom", chain_id=31339), tmp_path / "ethereum-tax.json"
    )
    with pytest.raises(DeploymentError, match="says it records ethereum:custom, not ethereum:tax"):
        candidates_by_name(tmp_path, "ethereum:tax")


def test_peer_problems__no_url__a_problem_not_a_pass():
    record = DeploymentRecord(network="ethereum:custom", chain_id=31339)
    assert peer_problems(Peer(record, None)) == [
        "no RPC URL is known for ethereum:custom: its record cannot be checked"
    ]


def test_record__entry_not_an_object__refused_as_not_a_record(tmp_path):
    path = tmp_path / "ethereum-tax.json"
    path.write_text(json.dumps({"network": "ethereum:tax", "chain_id": 31339,
                                "contracts": {"Notary": "0x" + "11" * 20}}))  # fmt: skip
    with pytest.raises(DeploymentError, match="is not a deployment record"):
        load(path)
