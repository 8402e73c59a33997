"""Benchmark: a Merkle tree of 1,000,000 leaves and every one of its proofs, in pure Python.

Run: ``python bench/merkle_speed.py [--leaves N] [--json OUT]``. Target: under 10 s
on the 2-core CI machine. numpy offers no keccak, so hashing is one C call per
node (safe-pysha3 when present, else eth_hash/pycryptodome), and the rest is
list slicing.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sys
import time
from pathlib import Path

# Run from a checkout without installing: python bench/merkle_speed.py
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from trustspace import hashing
from trustspace.merkle import MerkleTree, verify


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--leaves", type=int, default=1_000_000)
    parser.add_argument("--verify-sample", type=int, default=10_000)
    parser.add_argument("--json", dest="json_out", default=None)
    args = parser.parse_args()

    documents = [os.urandom(32) for _ in range(args.leaves)]

    t0 = time.perf_counter()
    tree = MerkleTree(documents)
    t_build = time.perf_counter() - t0

    t0 = time.perf_counter()
    proofs = [tree.proof(i) for i in range(tree.size)]
    t_proofs = time.perf_counter() - t0

    rng = random.Random(1)
    sample = [rng.randrange(tree.size) for _ in range(args.verify_sample)]
    t0 = time.perf_counter()
    ok = all(verify(tree.root, tree.size, documents[i], i, proofs[i]) for i in sample)
    t_verify = time.perf_counter() - t0
    assert ok

    result = {
        "leaves": args.leaves,
        "depth": tree.depth,
        "keccak_backend": hashing.KECCAK_BACKEND,
        "build_s": round(t_build, 3),
        "all_proofs_s": round(t_proofs, 3),
        "build_plus_all_proofs_s": round(t_build + t_proofs, 3),
        "verify_us_per_proof": round(t_verify / len(sample) * 1e6, 1),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
    }
    print(json.dumps(result, indent=2))
    if args.json_out:
        with open(args.json_out, "w") as f:
            json.dump(result, f, indent=2)


if __name__ == "__main__":
    main()
