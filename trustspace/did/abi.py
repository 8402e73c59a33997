"""The ERC-1056 ABI (fixed by the standard) and the Consortium views the resolver reads.

Kept in Python so that the resolver and the CLI work against any chain
without a build folder; ``tests/unit/did/test_abi.py`` checks it against the
compiled contract.
"""

from __future__ import annotations

from typing import Any

_FUNCTIONS: list[tuple[str, str, list[tuple[str, str]], list[str]]] = [
    ("identityOwner", "view", [("identity", "address")], ["address"]),
    ("owners", "view", [("identity", "address")], ["address"]),
    ("changed", "view", [("identity", "address")], ["uint256"]),
    ("nonce", "view", [("arg0", "address")], ["uint256"]),
    (
        "delegates",
        "view",
        [("arg0", "address"), ("arg1", "bytes32"), ("arg2", "address")],
        ["uint256"],
    ),
    (
        "validDelegate",
        "view",
        [("identity", "address"), ("delegateType", "bytes32"), ("delegate", "address")],
        ["bool"],
    ),
    ("changeOwner", "nonpayable", [("identity", "address"), ("newOwner", "address")], []),
    (
        "changeOwnerSigned",
        "nonpayable",
        [
            ("identity", "address"),
            ("sigV", "uint8"),
            ("sigR", "bytes32"),
            ("sigS", "bytes32"),
            ("newOwner", "address"),
        ],
        [],
    ),
    (
        "addDelegate",
        "nonpayable",
        [
            ("identity", "address"),
            ("delegateType", "bytes32"),
            ("delegate", "address"),
            ("validity", "uint256"),
        ],
        [],
    ),
    (
        "addDelegateSigned",
        "nonpayable",
        [
            ("identity", "address"),
            ("sigV", "uint8"),
            ("sigR", "bytes32"),
            ("sigS", "bytes32"),
            ("delegateType", "bytes32"),
            ("delegate", "address"),
            ("validity", "uint256"),
        ],
        [],
    ),
    (
        "revokeDelegate",
        "nonpayable",
        [("identity", "address"), ("delegateType", "bytes32"), ("delegate", "address")],
        [],
    ),
    (
        "revokeDelegateSigned",
        "nonpayable",
        [
            ("identity", "address"),
            ("sigV", "uint8"),
            ("sigR", "bytes32"),
            ("sigS", "bytes32"),
            ("delegateType", "bytes32"),
            ("delegate", "address"),
        ],
        [],
    ),
    (
        "setAttribute",
        "nonpayable",
        [
            ("identity", "address"),
            ("name", "bytes32"),
            ("attrValue", "bytes"),
            ("validity", "uint256"),
        ],
        [],
    ),
    (
        "setAttributeSigned",
        "nonpayable",
        [
            ("identity", "address"),
            ("sigV", "uint8"),
            ("sigR", "bytes32"),
            ("sigS", "bytes32"),
            ("name", "bytes32"),
            ("attrValue", "bytes"),
            ("validity", "uint256"),
        ],
        [],
    ),
    (
        "revokeAttribute",
        "nonpayable",
        [("identity", "address"), ("name", "bytes32"), ("attrValue", "bytes")],
        [],
    ),
    (
        "revokeAttributeSigned",
        "nonpayable",
        [
            ("identity", "address"),
            ("sigV", "uint8"),
            ("sigR", "bytes32"),
            ("sigS", "bytes32"),
            ("name", "bytes32"),
            ("attrValue", "bytes"),
        ],
        [],
    ),
]

_EVENTS: list[tuple[str, list[tuple[str, str, bool]]]] = [
    (
        "DIDOwnerChanged",
        [
            ("identity", "address", True),
            ("owner", "address", False),
            ("previousChange", "uint256", False),
        ],
    ),
    (
        "DIDDelegateChanged",
        [
            ("identity", "address", True),
            ("delegateType", "bytes32", False),
            ("delegate", "address", False),
            ("validTo", "uint256", False),
            ("previousChange", "uint256", False),
        ],
    ),
    (
        "DIDAttributeChanged",
        [
            ("identity", "address", True),
            ("name", "bytes32", False),
            ("value", "bytes", False),
            ("validTo", "uint256", False),
            ("previousChange", "uint256", False),
        ],
    ),
]

_CONSORTIUM_VIEWS: list[tuple[str, list[tuple[str, str]], list[tuple[str, str]]]] = [
    ("org_of", [("account", "address")], [("", "uint256")]),
    ("org_by_did", [("identity", "address")], [("", "uint256")]),
    ("roles_of", [("account", "address")], [("", "uint256")]),
]


def registry_abi() -> list[dict[str, Any]]:
    """The ERC-1056 ABI as a web3/ethers JSON list."""
    abi: list[dict[str, Any]] = []
    for name, mutability, inputs, outputs in _FUNCTIONS:
        abi.append(
            {
                "type": "function",
                "name": name,
                "stateMutability": mutability,
                "inputs": [{"name": n, "type": t} for n, t in inputs],
                "outputs": [{"name": "", "type": t} for t in outputs],
            }
        )
    for name, fields in _EVENTS:
        abi.append(
            {
                "type": "event",
                "name": name,
                "anonymous": False,
                "inputs": [{"name": n, "type": t, "indexed": i} for n, t, i in fields],
            }
        )
    return abi


def consortium_view_abi() -> list[dict[str, Any]]:
    """The Consortium views the DID consortium view reads."""
    organisation = {
        "type": "function",
        "name": "organisation",
        "stateMutability": "view",
        "inputs": [{"name": "org_id", "type": "uint256"}],
        "outputs": [
            {
                "name": "",
                "type": "tuple",
                "components": [
                    {"name": "name", "type": "string"},
                    {"name": "kind", "type": "uint8"},
                    {"name": "status", "type": "uint8"},
                    {"name": "did", "type": "address"},
                ],
            }
        ],
    }
    return [organisation] + [
        {
            "type": "function",
            "name": name,
            "stateMutability": "view",
            "inputs": [{"name": n, "type": t} for n, t in inputs],
            "outputs": [{"name": n, "type": t} for n, t in outputs],
        }
        for name, inputs, outputs in _CONSORTIUM_VIEWS
    ]
