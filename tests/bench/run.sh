#!/bin/bash
# run.sh — `make bench`: starts a stack from the release build on a free port and measures
# GET /api/v1/me with a bearer token against a trivial libfcgi responder behind the same
# lighttpd (the ceiling of this path on this machine). Prints requests/s, p50/p99, ratio.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
DURATION=${BENCH_SECONDS:-10}
CONNS=${BENCH_CONNECTIONS:-32}
WRK_THREADS=${BENCH_WRK_THREADS:-2}
export VAR=$(mktemp -d /tmp/parley-bench.XXXXXX)
chmod 755 "$VAR"
export PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
export BIN="$ROOT/build" STACK_FAST=1 PARLEY_THREADS=${PARLEY_THREADS:-8}
export BENCH_HELLO_SOCKET="$VAR/run/hello.sock"
mkdir -p "$VAR/run"
build/bench/hello.fcgi "$BENCH_HELLO_SOCKET" "$PARLEY_THREADS" & HELLO=$!
cleanup() { kill $HELLO 2>/dev/null || true; deploy/local/stack.sh stop >/dev/null 2>&1 || true; rm -rf "$VAR"; }
trap cleanup EXIT
deploy/local/stack.sh start >/dev/null
. "$VAR/env"

user="bench$RANDOM$RANDOM"
token=$(curl -fsS -X POST "$PARLEY_URL/api/v1/register" -H 'Content-Type: application/json' \
  -d "{\"username\":\"$user\",\"password\":\"bench-password\",\"display_name\":\"Bench\"}" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
curl -fsS "$PARLEY_URL/api/v1/me" -H "Authorization: Bearer $token" >/dev/null
curl -fsS "$PARLEY_URL/bench/hello" >/dev/null

# wrk prints "Requests/sec: N" and, with --latency, "50% 1.23ms" … "99% …".
measure() {
  local out
  out=$(wrk -t"$WRK_THREADS" -c"$CONNS" -d"${DURATION}s" --latency "$@")
  local rps p50 p99 errs
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  errs=$(awk '/Non-2xx/ {print $5}' <<<"$out")
  echo "$rps $p50 $p99 ${errs:-0}"
}
echo "Parley bench: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr)"
echo "wrk: $WRK_THREADS threads, $CONNS connections, ${DURATION}s per run; parley.fcgi and hello.fcgi: $PARLEY_THREADS threads; lighttpd on 127.0.0.1"
read -r h_rps h_p50 h_p99 h_err < <(measure "$PARLEY_URL/bench/hello")
read -r m_rps m_p50 m_p99 m_err < <(measure -H "Authorization: Bearer $token" "$PARLEY_URL/api/v1/me")
printf "%-34s %12s %10s %10s %8s\n" "endpoint" "requests/s" "p50" "p99" "non-2xx"
printf "%-34s %12s %10s %10s %8s\n" "GET /bench/hello (libfcgi ceiling)" "$h_rps" "$h_p50" "$h_p99" "$h_err"
printf "%-34s %12s %10s %10s %8s\n" "GET /api/v1/me (bearer token)" "$m_rps" "$m_p50" "$m_p99" "$m_err"
python3 -c "print('ratio /api/v1/me : ceiling = %.2f' % (float('$m_rps')/float('$h_rps')))"
