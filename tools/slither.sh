#!/usr/bin/env bash
# Static analysis of the Solidity contracts with slither, offline.
#
# slither is not a project dependency: it pins its own web3/eth-* versions, which clash with
# ape's, so it lives in a throwaway venv (SLITHER_VENV; default .trustspace/slither-venv, git-ignored)
# installed from PyPI with the pins below. It compiles through crytic-compile's standard-JSON
# mode with the project's solc wrapper (tools/solc.cjs speaks only --version and
# --standard-json; no compiler is downloaded). The Solidity sources are copied to a scratch
# folder because crytic-compile's folder mode would also try to compile the Vyper contracts.
#
# Usage: tools/slither.sh [extra slither options]   (make slither)
# Writes .trustspace/slither.json and prints the findings; exits non-zero on High findings.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
VENV="${SLITHER_VENV:-$ROOT/.trustspace/slither-venv}"
PINS=("slither-analyzer==0.11.6" "crytic-compile==0.4.2")

if [ ! -x "$VENV/bin/slither" ]; then
  python3.11 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet "${PINS[@]}"
fi

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/src/contracts"
cp "$ROOT"/contracts/*.sol "$WORK/src/contracts/"
cp -r "$ROOT/interfaces" "$WORK/src/"
cat > "$WORK/solc" <<SOLC
#!/bin/sh
exec node "$ROOT/tools/solc.cjs" "\$@"
SOLC
chmod +x "$WORK/solc"
mkdir -p "$ROOT/.trustspace"
rm -f "$ROOT/.trustspace/slither.json"

cd "$WORK/src"
"$VENV/bin/slither" contracts \
  --solc "$WORK/solc" --solc-standard-json --solc-args=--optimize \
  --solc-remaps "@openzeppelin/contracts/=$ROOT/node_modules/@openzeppelin/contracts/" \
  --solc-working-dir "$WORK/src" \
  --filter-paths "node_modules" --exclude-dependencies \
  --fail-high \
  --json "$ROOT/.trustspace/slither.json" "$@"
