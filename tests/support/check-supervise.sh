#!/bin/bash
# check-supervise.sh — `make run`'s supervisor (deploy/local/stack.sh with STACK_SUPERVISE=1)
# on a real stack in a temporary directory: parley.fcgi killed with SIGKILL answers /healthz
# again within seconds and the log says it was restarted; so do the events hub and the
# worker; a worker stopped on purpose (`stack.sh worker stop`) stays stopped; `stack.sh
# stop` ends the supervisor and everything it started.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
. "$ROOT/tests/support/scratch.sh"
check_stack supervise
export STACK_SUPERVISE=1
URL=http://127.0.0.1:$PORT
LOGF=$VAR/log/supervise.log
pid() { cat "$VAR/run/$1.pid" 2>/dev/null || true; }
alive() { [[ -n $1 ]] && kill -0 "$1" 2>/dev/null && ! grep -q '^[^)]*) Z' "/proc/$1/stat" 2>/dev/null; }
healthz() { curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$URL/healthz" || true; }

deploy/local/stack.sh start
[[ $(healthz) == 200 ]] && ok "the supervised stack answers /healthz" || fail "/healthz after start: $(healthz)"
st=$(deploy/local/stack.sh status 2>&1 || true)
alive "$(pid supervise)" && grep -q '^supervisor: *running' <<<"$st" &&
  ok "the supervisor runs (pid $(pid supervise)), and stack.sh status says so" || fail "no supervisor: $st"

# kill_and_wait FILE NAME: SIGKILL the program, then up to 15 s for a new pid and the log line.
kill_and_wait() {
  local file=$1 name=$2 old new i t0=$SECONDS
  old=$(pid "$file")
  kill -KILL "$old"
  for ((i = 0; i < 150; i++)); do
    new=$(pid "$file")
    if [[ -n $new && $new != "$old" ]] && alive "$new" &&
        grep -q "$name exited (status 137, signal 9); restarted" "$LOGF"; then
      ok "$name killed (pid $old) is restarted (pid $new) after $((SECONDS - t0)) s; the log says: $(grep "$name exited" "$LOGF" | tail -n 1 | cut -d' ' -f2-)"
      return 0
    fi
    sleep 0.1
  done
  fail "$name was not restarted within 15 s (pid $old, now ${new:-none}); log: $(tail -n 5 "$LOGF")"
}

kill_and_wait parley parley.fcgi
for ((i = 0; i < 50; i++)); do [[ $(healthz) == 200 ]] && break; sleep 0.1; done
[[ $(healthz) == 200 ]] && ok "/healthz answers 200 again" || fail "/healthz after the restart: $(healthz)"
kill_and_wait events parley-events.fcgi
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 3 "$URL/api/v1/events" || true)
[[ $code == 401 ]] && ok "the restarted events hub answers (401 without a session)" || fail "/api/v1/events: $code"
kill_and_wait worker parley-worker

# Stopped on purpose: left alone.
before=$(grep -c 'parley-worker exited' "$LOGF" || true)
deploy/local/stack.sh worker stop >/dev/null
sleep 3
[[ -z $(pid worker) && $(grep -c 'parley-worker exited' "$LOGF" || true) == "$before" ]] &&
  ok "a worker stopped with stack.sh worker stop is not restarted" || fail "the supervisor restarted a worker stopped on purpose"
deploy/local/stack.sh worker start >/dev/null

sup=$(pid supervise) fcgi=$(pid parley)
deploy/local/stack.sh stop >/dev/null
if alive "$sup" || alive "$fcgi"; then fail "stack.sh stop left the supervisor or parley.fcgi running"
else ok "stack.sh stop ends the supervisor and parley.fcgi"; fi

if sanitizer_reports; then
  echo "== sanitizer reports:"; cat "$VAR"/log/asan* "$VAR"/log/ubsan* | head -50; status=1
fi
exit $status
