#!/bin/bash
# run-tsan.sh — runs the ThreadSanitizer build of parley.fcgi (and of the events hub and the
# job worker) in a real stack under a concurrent load and fails on any data race report.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
. "$ROOT/tests/support/scratch.sh"
scratch_var tsan
export PORT=$(free_port)
export BIN="$ROOT/build/tsan" STACK_FAST=1 PARLEY_TRUSTED_PROXY=127.0.0.1 PARLEY_THREADS=4
export PARLEY_EVENTS_RECHECK=1         # the hub's credential re-check runs during the load
mkdir -p "$VAR/log"
export TSAN_OPTIONS="log_path=$VAR/log/tsan:halt_on_error=0:second_deadlock_stack=1"
trap 'deploy/local/stack.sh stop >/dev/null 2>&1 || true; rm -rf "$VAR"' EXIT
deploy/local/stack.sh start >/dev/null
. "$VAR/env"
# The worker's threads take jobs side by side while the load runs.
for i in 1 2 3 4 5 6 7 8; do "$BIN/parley" jobs enqueue cleanup >/dev/null; done
PARLEY_URL=$PARLEY_URL node tests/support/tsan-load.mjs
grep -q "jobs: job .* cleanup done" "$VAR/log/worker.log" || { echo "tsan: the worker ran no job"; exit 1; }
# Whether sends met in groups (cgi/store/dbgroup.c) during the load: said, not required (it
# depends on timing; tests/stack/test_dbgroup.c forms groups on purpose under AddressSanitizer).
PARLEY_URL=$PARLEY_URL node -e 'fetch(process.env.PARLEY_URL + "/metrics").then((r) => r.text()).then((t) => {
  const v = (n) => (t.match(new RegExp("^" + n + " (\\d+)$", "m")) || [])[1] || "?";
  console.log(`tsan: ${v("parley_postgresql_grouped_statements_total")} sends committed in ${v("parley_postgresql_groups_total")} groups`);
})'
deploy/local/stack.sh stop >/dev/null
if ls "$VAR"/log/tsan* >/dev/null 2>&1; then
  echo "== ThreadSanitizer reports:"; cat "$VAR"/log/tsan* | head -120; exit 1
fi
echo "tsan: no data races reported"
