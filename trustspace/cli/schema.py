"""``trustspace schema``: the Notary's data schemas from the command line.

Who may do what is the contract's rule (``contracts/Notary.sol``):

* ``register``: a NOTARY account registers a schema *for its own organisation*; no
  proposal can register one on an organisation's behalf (the Consortium holds no
  NOTARY role), so an account without NOTARY is told how to get it;
* ``deprecate``: a NOTARY of the owning organisation deprecates directly; any other
  ADMIN proposes it to the Consortium (a ``CALL`` of ``Notary.deprecateSchema``), which
  then needs the usual approvals (``trustspace gov approve``);
* ``list`` and ``show`` read.

The Notary is the relying party's own (``--notary``, else the deployment record), with
the checks of :mod:`trustspace.notary.trust`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from trustspace.cli.gov import bind_consortium, format_time, parse_id, propose_action
from trustspace.cli.notary import chain_options, trusted_client
from trustspace.cli.options import (
    CommandError,
    account_option,
    connected,
    console,
    emit,
    json_option,
    load_account,
    text,
)
from trustspace.consortium.calls import encode_call
from trustspace.consortium.constants import Action, Role
from trustspace.crypto.hashing import from_hex, hash_file, hash_json

__all__ = ["deprecate", "list_schemas", "register", "schema", "schema_definition_hash", "show"]


def schema_definition_hash(definition: Path | None, given: str | None) -> bytes:
    """The schema's definition hash: RFC 8785 SHA-256 of a JSON file, SHA-256 of any other
    file's bytes, a given 32-byte hex value, or zero."""
    if definition is not None and given is not None:
        raise CommandError("give --definition FILE or --definition-hash HEX, not both")
    if given is not None:
        try:
            return from_hex(given)
        except ValueError as err:
            raise CommandError(f"--definition-hash: {err}") from err
    if definition is None:
        return bytes(32)
    if definition.suffix.lower() == ".json":
        try:
            return hash_json(json.loads(definition.read_text()))
        except ValueError as err:
            raise CommandError(f"--definition {definition}: not JSON ({err})") from err
    return hash_file(definition)


class _Schemas:
    """The trusted Notary's schemas with organisation names."""

    def __init__(self, notary_address: str | None) -> None:
        self.client, self.trusted = trusted_client(notary_address)
        self.ctx = bind_consortium(self.trusted.consortium)

    def count(self) -> int:
        return int(self.client.contract.schemaCount())

    def get(self, schema_id: int) -> dict[str, Any]:
        count = self.count()
        if not 1 <= schema_id <= count:
            known = f"ids run from 1 to {count}" if count else "none is registered yet"
            raise CommandError(f"no schema {schema_id} in Notary {self.trusted.notary} ({known})")
        s = self.client.schema(schema_id)
        org = self.ctx.reader.org(int(s["org_id"]))
        return {
            "id": schema_id,
            "name": s["name"],
            "version": s["version"],
            "org_id": org.org_id,
            "org_name": org.name,
            "definition_hash": s["definition_hash"],
            "uri": s["uri"],
            "registered_at": s["registered_at"],
            "deprecated_at": s["deprecated_at"],
            "deprecated": s["deprecated_at"] != 0,
        }

    def where(self) -> dict[str, Any]:
        return {
            "chain_id": self.trusted.chain_id,
            "notary": self.trusted.notary,
            "consortium": self.trusted.consortium,
        }


def _print_schema(s: dict[str, Any]) -> None:
    state = f"deprecated {format_time(s['deprecated_at'])}" if s["deprecated"] else "active"
    console.print(
        text((f"Schema {s['id']}", "bold"), f"  {s['name']} {s['version']}  ", state),
        soft_wrap=True,
    )
    for label, value in (
        ("organisation", f"{s['org_name'] or 'unknown'} (org {s['org_id']})"),
        ("definition", s["definition_hash"]),
        ("uri", s["uri"] or "-"),
        ("registered", format_time(s["registered_at"])),
        ("deprecated", format_time(s["deprecated_at"])),
    ):
        console.print(f"  {label:<12}  {value}", soft_wrap=True)


@click.group(name="schema")
def schema() -> None:
    """The Notary's schemas: register, list, show, deprecate.

    A schema belongs to the organisation of the NOTARY account that registers it.
    """


@schema.command()
@click.argument("name")
@click.argument("version")
@click.option(
    "--definition",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="The schema's definition file (JSON is hashed in its RFC 8785 canonical form).",
)
@click.option("--definition-hash", default=None, help="Or its 32-byte hash as hex.")
@click.option("--uri", default="", help="Where the definition can be read.")
@account_option
@chain_options
@json_option
def register(
    name: str,
    version: str,
    definition: Path | None,
    definition_hash: str | None,
    uri: str,
    account_alias: str,
    network: str,
    notary_address: str | None,
    as_json: bool,
) -> None:
    """Register schema NAME VERSION for your NOTARY account's organisation."""
    if not name.strip() or not version.strip():
        raise CommandError("a schema needs a non-empty NAME and VERSION")
    digest = schema_definition_hash(definition, definition_hash)
    from trustspace.cli.gov import transact

    sender = load_account(account_alias)
    with connected(network):
        schemas = _Schemas(notary_address)
        consortium = schemas.ctx.contract
        org = int(consortium.org_with_role(sender.address, int(Role.NOTARY)))
        if org == 0:
            admin = int(consortium.org_with_role(sender.address, int(Role.ADMIN))) != 0
            raise CommandError(
                f"{account_alias} ({sender.address}) is not a NOTARY of a live organisation: "
                "a schema is registered by a NOTARY account for its own organisation (no "
                "proposal can do it on the organisation's behalf)"
                + (
                    "; grant the role first: trustspace gov propose grant-role "
                    f"account={sender.address} roles=NOTARY"
                    if admin
                    else ""
                )
            )
        existing = int(schemas.client.contract.schemaIdOf(org, name, version))
        if existing:
            raise CommandError(
                f"{schemas.ctx.reader.org(org).label()} already registered {name} {version} "
                f"as schema {existing}: a version is never rewritten, register a new version"
            )
        schema_id = transact(
            f"registering schema {name} {version}",
            lambda: schemas.client.register_schema(
                name, version, sender=sender, definition_hash=digest, uri=uri
            ),
        )
        made = schemas.get(int(schema_id))
        where = schemas.where()

    def render() -> None:
        console.print(text(("registered ", "bold"), f"schema {made['id']}"), soft_wrap=True)
        _print_schema(made)

    emit(as_json, {"ok": True, **where, "schema": made}, render)


@schema.command(name="list")
@click.option("--org", "org_id", type=int, default=None, help="Only this organisation's.")
@click.option("--active", is_flag=True, help="Leave deprecated schemas out.")
@chain_options
@json_option
def list_schemas(
    org_id: int | None, active: bool, network: str, notary_address: str | None, as_json: bool
) -> None:
    """Every registered schema (id, name, version, organisation, state)."""
    with connected(network):
        schemas = _Schemas(notary_address)
        found = [schemas.get(i) for i in range(1, schemas.count() + 1)]
        where = schemas.where()
    found = [
        s
        for s in found
        if (org_id is None or s["org_id"] == org_id) and not (active and s["deprecated"])
    ]

    def render() -> None:
        console.print(
            f"{len(found)} schema(s) in Notary {where['notary']} (chain {where['chain_id']})",
            soft_wrap=True,
        )
        for s in found:
            state = "deprecated" if s["deprecated"] else "active"
            console.print(
                f"  {s['id']:>4}  {state:<10}  {s['name']} {s['version']}  "
                f"{s['org_name']} (org {s['org_id']})  {s['definition_hash']}",
                soft_wrap=True,
            )

    emit(as_json, {"ok": True, **where, "schemas": found}, render)


@schema.command()
@click.argument("schema_id")
@chain_options
@json_option
def show(schema_id: str, network: str, notary_address: str | None, as_json: bool) -> None:
    """One schema: organisation, definition hash, URI, registration and deprecation."""
    number = parse_id("schema", schema_id)
    with connected(network):
        schemas = _Schemas(notary_address)
        found = schemas.get(number)
        where = schemas.where()
    emit(as_json, {"ok": True, **where, "schema": found}, lambda: _print_schema(found))


@schema.command()
@click.argument("schema_id_text", metavar="SCHEMA_ID")
@click.option("--reason", default="", help="Why (for a governance proposal).")
@account_option
@chain_options
@json_option
def deprecate(
    schema_id_text: str,
    reason: str,
    account_alias: str,
    network: str,
    notary_address: str | None,
    as_json: bool,
) -> None:
    """Deprecate a schema: directly as a NOTARY of its organisation, else (as an ADMIN)
    by proposing it to the Consortium."""
    from trustspace.cli.gov import transact

    schema_id = parse_id("schema", schema_id_text)
    sender = load_account(account_alias)
    with connected(network):
        schemas = _Schemas(notary_address)
        found = schemas.get(schema_id)
        if found["deprecated"]:
            raise CommandError(
                f"schema {schema_id} was already deprecated at "
                f"{format_time(found['deprecated_at'])}"
            )
        consortium = schemas.ctx.contract
        notary_org = int(consortium.org_with_role(sender.address, int(Role.NOTARY)))
        where = schemas.where()
        if notary_org == found["org_id"]:
            receipt = transact(
                f"deprecating schema {schema_id}",
                lambda: schemas.client.contract.deprecateSchema(schema_id, sender=sender),
            )
            after = schemas.get(schema_id)
            payload: dict[str, Any] = {
                "ok": True,
                **where,
                "schema": after,
                "via": "notary",
                "tx_hash": str(receipt.txn_hash),
            }
        elif int(consortium.org_with_role(sender.address, int(Role.ADMIN))):
            _, data = encode_call("Notary", "deprecateSchema", [str(schema_id)])
            values = {"target": schemas.trusted.notary, "data": data}
            outcome = propose_action(
                schemas.ctx, sender, account_alias, Action.CALL, values, reason
            )
            payload = {**outcome, **where, "schema": found, "via": "proposal"}
        else:
            raise CommandError(
                f"{account_alias} ({sender.address}) may not deprecate schema {schema_id}: "
                f"only a NOTARY of {found['org_name']} (org {found['org_id']}) can directly, "
                "or the Consortium by a proposal an ADMIN makes"
            )

    def render() -> None:
        if payload["via"] == "notary":
            console.print(text(("deprecated ", "bold"), f"schema {schema_id}"), soft_wrap=True)
            console.print(f"  transaction {payload['tx_hash']}", soft_wrap=True)
            _print_schema(payload["schema"])
            return
        p = payload["proposal"]
        console.print(text(("proposed ", "bold"), f"#{p['id']}: {p['summary']}"), soft_wrap=True)
        console.print(
            f"  you are not a NOTARY of {found['org_name']} (org {found['org_id']}), so the "
            "Consortium must decide: "
            f"{p['live_approvals']} of {p['needed']} approvals, {p['missing']} more needed; "
            f"then trustspace gov execute {p['id']}",
            soft_wrap=True,
        )

    emit(as_json, payload, render)
