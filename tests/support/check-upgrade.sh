#!/bin/bash
# check-upgrade.sh — a zero-downtime upgrade of parley.fcgi on a stack of its own: while six
# clients send messages and read history as fast as they can through the web server,
# `stack.sh upgrade` runs three times (migrate, a new parley.fcgi on a fresh socket moved
# over the old path, the old one drained by SIGTERM). Passes when no request failed, every
# acknowledged message is in the history once, seq has no gap, and each old program ended
# by draining (its log says "stopped"), not by being killed.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
. "$ROOT/tests/support/scratch.sh"
LOAD_PID=
CHECK_CLEANUP='[[ -z $LOAD_PID ]] || kill "$LOAD_PID" 2>/dev/null'
check_stack upgrade

deploy/local/stack.sh start >/dev/null
set +u; . "$VAR/env"; set -u
export PARLEY_URL PARLEY_DB PARLEY_REDIS PARLEY_VAR
STOP=$VAR/tmp/stop-load
mkdir -p "$VAR/tmp"
STOP=$STOP node tests/support/upgrade-load.mjs >"$VAR/load.json" 2>"$VAR/load.err" &
LOAD_PID=$!
sleep 3
pids=()
for round in 1 2 3; do
  pids+=("$(cat "$VAR/run/parley.pid")")
  if out=$(deploy/local/stack.sh upgrade 2>&1); then ok "upgrade $round: ${out##*$'\n'}"
  else fail "upgrade $round: $out"; fi
  sleep 2
done
touch "$STOP"
wait "$LOAD_PID" || fail "the load generator failed: $(head -c 500 "$VAR/load.err")"
LOAD_PID=
result=$(cat "$VAR/load.json")
echo "   $result"
python3 - "$result" <<'PY' && ok "no request failed, nothing acknowledged lost, no seq gap" || fail "requests failed or messages lost: $result"
import json, sys
r = json.loads(sys.argv[1])
bad = {k: v for k, v in r["statuses"].items() if k not in ("200", "201")}
sys.exit(0 if r["requests"] > 100 and not bad and r["missing"] == 0 and r["gaps"] == 0 and r["acked"] > 50 else 1)
PY
stopped=$(grep -c "parley.fcgi: stopped" "$VAR/log/parley.log" || true)
(( stopped >= 3 )) && ok "each old parley.fcgi drained and stopped by itself ($stopped)" ||
  fail "old programs did not drain: $stopped 'stopped' lines in parley.log"
grep -q "did not finish in 25 s" "$VAR/log/parley.log" && fail "an old program had to be killed"
for p in "${pids[@]}"; do
  kill -0 "$p" 2>/dev/null && fail "old parley.fcgi $p still runs"
done
if sanitizer_reports; then
  fail "sanitizer reports: $(cat "$VAR"/log/asan* "$VAR"/log/ubsan* | head -20)"
fi
exit $status
