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
. "$ROOT/tests/support/scratch.sh"
caller_env=$(export -p | grep '^declare -x PARLEY_' || true)   # the caller's own PARLEY_ settings
scratch_var bench
export PORT=$(free_port)
# Durable commits (no STACK_FAST): a send is acknowledged only after PostgreSQL fsyncs it.
export BIN="$ROOT/build" PARLEY_THREADS=${PARLEY_THREADS:-8}
export BENCH_HELLO_SOCKET="$VAR/run/hello.sock"
mkdir -p "$VAR/run"
build/bench/hello.fcgi "$BENCH_HELLO_SOCKET" "$PARLEY_THREADS" & HELLO=$!
cleanup() { kill $HELLO 2>/dev/null || true; deploy/local/stack.sh stop >/dev/null 2>&1 || true; rm -rf "$VAR"; }
trap cleanup EXIT
deploy/local/stack.sh start >/dev/null
. "$VAR/env"

user="bench$RANDOM$RANDOM"
token=$(bench_token "$user")
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

# --- messages -------------------------------------------------------------------------
api() { curl -fsS -H "Authorization: Bearer $token" -H 'Content-Type: application/json' "$@"; }
newconv() { api -X POST "$PARLEY_URL/api/v1/conversations" -d "{\"kind\":\"group\",\"title\":\"$1\"}" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["conversation"]["id"])'; }
one=$(newconv "bench one")
many=""
for i in $(seq 1 100); do many="$many,$(newconv "bench $i")"; done
many=${many#,}
echo
echo "sends: POST /api/v1/conversations/<id>/messages, 201 after the transaction committed (synchronous commit)"
read -r s1_rps s1_p50 s1_p99 s1_err < <(TOKEN=$token CONVS=$one measure -s tests/bench/send.lua "$PARLEY_URL")
read -r s2_rps s2_p50 s2_p99 s2_err < <(TOKEN=$token CONVS=$many measure -s tests/bench/send.lua "$PARLEY_URL")
printf "%-34s %12s %10s %10s %8s\n" "sends into 1 conversation" "$s1_rps" "$s1_p50" "$s1_p99" "$s1_err"
printf "%-34s %12s %10s %10s %8s\n" "sends over 100 conversations" "$s2_rps" "$s2_p50" "$s2_p99" "$s2_err"
# The baseline: pgbench running Parley's own sending statement (msg_insert, as `parley
# statement` prints it) straight against the same PostgreSQL, over the same 100 conversations, with as many
# clients as wrk has connections: what the database alone allows a send to cost.
ids=$(tr ',' '\n' <<<"$many" | sort -n)
first=$(head -n 1 <<<"$ids")
if (( $(tail -n 1 <<<"$ids") - first == 99 )); then
    uid=$(psql "$PARLEY_DB" -XAt -c "SELECT id FROM users WHERE username = '$user'")
    "$BIN/parley" statement msg_insert | python3 tests/bench/pgsend.py "$first" 100 "$uid" >"$VAR/pgsend.sql"
    pgb=$(pgbench -n -M prepared -c "$CONNS" -j "$WRK_THREADS" -T "$DURATION" -r -f "$VAR/pgsend.sql" "$PARLEY_DB" 2>&1) ||
        { echo "$pgb" >&2; exit 1; }
    pg_tps=$(awk '/^tps = / {print $3}' <<<"$pgb")
    pg_lat=$(awk '/^latency average = / {print $4 "ms"}' <<<"$pgb")
    pg_fail=$(awk '/^number of failed transactions/ {print $5}' <<<"$pgb")
    if [[ -n $pg_tps ]]; then
        printf "%-34s %12s %10s %10s %8s\n" "pgbench, the same statement" "$pg_tps" "$pg_lat" "(mean)" "${pg_fail:-0}"
        python3 -c "import sys; print('ratio sends over 100 conversations : pgbench = %.2f' % (float(sys.argv[1]) / float(sys.argv[2])))" "$s2_rps" "$pg_tps"
    else
        echo "pgbench finished no transaction in ${DURATION}s (its connections took longer?):"; tail -n 5 <<<"$pgb"
    fi
else
    echo "pgbench baseline skipped: the 100 conversations' ids are not consecutive"
fi
gaps=$(psql "$PARLEY_DB" -At -c "SELECT count(*) FILTER (WHERE seq <> rn) FROM (SELECT seq, row_number() OVER (ORDER BY seq) rn FROM messages WHERE conversation_id = $one) x")
echo "gap check on the single conversation: $gaps out-of-place seq values (must be 0)"

# A conversation of 1,000,000 messages, generated in SQL, then random 50-message pages.
big=$(newconv "bench big")
t0=$(date +%s)
psql "$PARLEY_DB" -q -c "INSERT INTO messages (conversation_id, seq, sender_id, kind, body, created_at)
  SELECT $big, g, (SELECT id FROM users WHERE username = '$user'), 'text', 'generated message number ' || g,
         now() - (1000000 - g) * interval '1 second' FROM generate_series(2, 1000000) g;
  UPDATE conversations SET last_seq = 1000000 WHERE id = $big;"
# Vacuumed as autovacuum keeps a conversation that grew over months (hint bits set, the
# visibility map up to date): a page read straight after a bulk insert of 1,000,000 rows
# measures autovacuum and first-read page writes, not a page.
psql "$PARLEY_DB" -q -c "VACUUM ANALYZE messages;"
echo
echo "history: 1,000,000 messages generated and vacuumed in $(( $(date +%s) - t0 )) s; GET …/messages?before=<random>&limit=50"
read -r p_rps p_p50 p_p99 p_err < <(TOKEN=$token CONV=$big MAXSEQ=1000000 measure -s tests/bench/page.lua "$PARLEY_URL")
printf "%-34s %12s %10s %10s %8s\n" "50-message page of 1M" "$p_rps" "$p_p50" "$p_p99" "$p_err"
# The same with one client, one request at a time: a page's own time (the p99 target is 5 ms).
read -r p1_rps p1_p50 p1_p99 p1_err < <(CONNS=1 WRK_THREADS=1 TOKEN=$token CONV=$big MAXSEQ=1000000 measure -s tests/bench/page.lua "$PARLEY_URL")
printf "%-34s %12s %10s %10s %8s\n" "50-message page of 1M, one client" "$p1_rps" "$p1_p50" "$p1_p99" "$p1_err"

# A reaction in a conversation of 10,000 members (none of them streaming): its time at one
# client, and the Redis PUBLISHes it costs (one per conversation event, not one per member).
ten=$(newconv "bench ten thousand")
psql "$PARLEY_DB" -q -c "INSERT INTO users (username, display_name, password_hash)
    SELECT 'benchmember' || g, 'Member ' || g, '!' FROM generate_series(1, 9999) g;
  INSERT INTO members (conversation_id, user_id, role) SELECT $ten, id, 'member' FROM users WHERE username LIKE 'benchmember%';"
tseq=$(api -X POST "$PARLEY_URL/api/v1/conversations/$ten/messages" -d '{"body":"react to this"}' |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["message"]["seq"])')
rcli() { if [[ $PARLEY_REDIS == unix:* ]]; then redis-cli -s "${PARLEY_REDIS#unix:}" "$@"; else redis-cli -h "${PARLEY_REDIS%:*}" -p "${PARLEY_REDIS##*:}" "$@"; fi; }
publishes() { rcli INFO commandstats | awk -F'[=,:]' '/^cmdstat_publish:/ {print $3}'; }
pub0=$(publishes)
times=$(for _ in $(seq 1 100); do
  api -o /dev/null -w '%{time_total}\n' -X POST "$PARLEY_URL/api/v1/conversations/$ten/messages/$tseq/reactions" -d '{"emoji":"👍"}'
done | sort -n | awk '{t[NR]=$1*1000} END {printf "%.1f ms %.1f ms", t[int((NR+1)/2)], t[int((NR*99+99)/100)]}')
pub1=$(publishes)
read -r r_p50 r_p99 <<<"${times// ms/}"
printf "%-34s %12s %10s %10s %8s\n" "reaction, 10,000 members (1 client)" "-" "${r_p50}ms" "${r_p99}ms" "0"
echo "Redis PUBLISHes for 100 reactions there: $(( ${pub1:-0} - ${pub0:-0} ))"

# Search (tests/bench/search.sh), media processing (tests/bench/thumbs.sh), Web Push
# (tests/bench/push.sh) and then the real-time part (tests/bench/events.sh), each on a stack
# of its own: stop this one first so that they do not share the machine.
cleanup
trap - EXIT
# This stack's environment (its media directory, its addresses) is gone with it: the next
# benchmarks start from the caller's.
unset $(compgen -e | grep '^PARLEY_') || true
eval "$caller_env"
export PARLEY_THREADS
"$ROOT/tests/bench/search.sh"
"$ROOT/tests/bench/media.sh"
"$ROOT/tests/bench/thumbs.sh"
# End-to-end encryption in the WebAssembly build (no stack needed).
node "$ROOT/tests/bench/e2e.mjs"
node "$ROOT/tests/bench/e2e-search.mjs"
"$ROOT/tests/bench/push.sh"

# --- real-time events ----------------------------------------------------------------------
# SSE memory per stream and the send ramp (tests/bench/events.sh).
"$ROOT/tests/bench/events.sh"
# One conversation of 10,000 members, every one of them streaming: a post a second (then 2,
# 4), and how long until the last member has it (the max column). Over two nodes, since one
# lighttpd would need 20,000 descriptors for them.
echo
echo "A 10,000-member conversation, every member streaming:"
# No warm-up step: 20 posts a second to 10,000 members would queue 2,000,000 deliveries in
# front of the first measured post.
BENCH_SSE_STREAMS=10000 BENCH_SSE_GROUP=10000 BENCH_SSE_RATES=1,2,4 BENCH_SSE_SECONDS=10 BENCH_SSE_P99_MS=1000 BENCH_SSE_WARMUP=0 \
    BENCH_SSE_NODES=2 BENCH_SSE_NCHAN=0 exec "$ROOT/tests/bench/events.sh"
