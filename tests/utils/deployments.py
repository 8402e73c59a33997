"""Reading deployment records in tests: a missing record is a failed assertion, not a None."""

from pathlib import Path

from trustspace.deploy.records import DeploymentRecord, load


def recorded(path: Path) -> DeploymentRecord:
    """The record at `path`; fails the test when nothing is recorded there."""
    record = load(path)
    assert record is not None, f"no deployment record at {path}"
    return record
