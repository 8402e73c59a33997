"""Benchmark: a Merkle tree of 1,000,000 leaves and every one of its proofs, in pure Python.

Run: ``python -m bench.merkle_speed [--leaves N] [--json OUT]``. Target: under 10 s
on the 2-core CI machine. numpy offers no keccak, so hashing is one C call per
node (safe-pysha3 when present, else eth_hash/pycryptodome), and the rest is
list slicing.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import random
import sys
import time
from pathlib import Path
from typing import Any

# Run from a checkout without installing: python bench/merkle_speed.py
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.results import AT_MOST, Figure
from trustspace.crypto import hashing
from trustspace.notary.tree import MerkleTree, verify

LEAVES = 1_000_000
TARGET_S = 10.0


#: One line for the method table of docs/performance.md.
METHOD = "MerkleTree of 1,000,000 random digests, then every proof; 10,000 proofs verified"


def measure(leaves: int = LEAVES, verify_sample: int = 10_000) -> dict[str, Any]:
    """Build the tree and every proof; verify a random sample of them."""
    documents = [os.urandom(32) for _ in range(leaves)]
    gc.collect()  # start clean; collections during the run are part of the cost
    t0 = time.perf_counter()
    tree = MerkleTree(documents)
    t_build = time.perf_counter() - t0

    t0 = time.perf_counter()
    proofs = [tree.proof(i) for i in range(tree.size)]
    t_proofs = time.perf_counter() - t0

    rng = random.Random(1)
    sample = [rng.randrange(tree.size) for _ in range(verify_sample)]
    t0 = time.perf_counter()
    ok = all(verify(tree.root, tree.size, documents[i], i, proofs[i]) for i in sample)
    t_verify = time.perf_counter() - t0
    assert ok
    return {
        "leaves": leaves,
        "depth": tree.depth,
        "keccak_backend": hashing.KECCAK_BACKEND,
        "build_s": round(t_build, 3),
        "all_proofs_s": round(t_proofs, 3),
        "build_plus_all_proofs_s": round(t_build + t_proofs, 3),
        "verify_us_per_proof": round(t_verify / len(sample) * 1e6, 1),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
    }


def run(quick: bool = False) -> list[Figure]:
    leaves = 100_000 if quick else LEAVES
    result = measure(leaves)
    return [
        Figure(
            id="python.merkle_1m_all_proofs",
            group="Python tooling",
            name=f"Merkle tree of {leaves:,} leaves with every proof",
            measured=result["build_plus_all_proofs_s"],
            unit="s",
            target=TARGET_S if leaves == LEAVES else None,
            comparison=AT_MOST,
            note=(
                f"build {result['build_s']} s + proofs {result['all_proofs_s']} s; "
                f"verify {result['verify_us_per_proof']} µs per proof; "
                f"keccak: {result['keccak_backend']}"
            ),
            details=result,
        )
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--leaves", type=int, default=LEAVES)
    parser.add_argument("--verify-sample", type=int, default=10_000)
    parser.add_argument("--json", dest="json_out", default=None)
    args = parser.parse_args()
    result = measure(args.leaves, args.verify_sample)
    print(json.dumps(result, indent=2))
    if args.json_out:
        with open(args.json_out, "w") as f:
            json.dump(result, f, indent=2)


if __name__ == "__main__":
    main()
