#!/usr/bin/env bash
# The whole test suite on both cores of the machine, as two pytest runs side by side:
#   in-process: tests/fuzz, tests/security, tests/unit (the in-process EVM: CPU-bound);
#   processes:  tests/e2e, tests/faults, tests/integration (anvil nodes, CLI subprocesses,
#               daemons: mostly waiting on other processes).
# Each run keeps the suite's own order: pytest-xdist's scheduling reorders the in-process
# tests, and some of ape's per-test chain isolation depends on that order. The processes
# run's output is printed first, then the in-process run's; the exit code is non-zero if
# either run failed. Extra arguments go to both runs (e.g. -x, -k NAME).
set -uo pipefail
cd "$(dirname "$0")/.."

mkdir -p .trustspace
processes_log=.trustspace/test-processes.log
.venv/bin/ape test tests/e2e tests/faults tests/integration -p no:cacheprovider "$@" \
  >"$processes_log" 2>&1 &
processes=$!
trap 'kill "$processes" 2>/dev/null' INT TERM

.venv/bin/ape test tests/fuzz tests/security tests/unit -p no:cacheprovider "$@" \
  >.trustspace/test-in-process.log 2>&1
in_process_status=$?
wait "$processes"
processes_status=$?

echo "== tests/e2e tests/faults tests/integration (anvil, subprocesses) =="
cat "$processes_log"
echo "== tests/fuzz tests/security tests/unit (in-process EVM) =="
cat .trustspace/test-in-process.log
if [ "$processes_status" -ne 0 ] || [ "$in_process_status" -ne 0 ]; then
  echo "test runs failed: processes exit $processes_status, in-process exit $in_process_status"
  exit 1
fi
