#!/bin/bash
# events.sh — the real-time part of `make bench` (run by tests/bench/run.sh, or alone after
# `make all build/bench/sseload`). On its own stack from the release build (durable commits):
#   1. memory per open Server-Sent Events stream: the RSS of parley-events.fcgi and of lighttpd
#      before and after opening the streams, divided by their number; and how long after the
#      last stream opened everyone had been announced online (presence);
#   2. with N streams (one user each, in groups of 10), a ramp of send rates: messages/s, p50 and
#      p99 send-to-receive latency, deliveries/s; the answer is the highest rate whose p99 stays
#      under the limit with no errors; and for each rate the CPU per message of each kind of
#      process (PostgreSQL, parley.fcgi, lighttpd, the hub, Redis, the load generator) and
#      of the whole machine (tests/bench/cpusample.py), likewise for nginx + nchan.
# The load generator is build/bench/sseload (tests/bench/sseload.c). Users, groups and
# sessions are written straight into PostgreSQL and Redis: registering 8,000 users through the
# API would cost 8,000 Argon2id hashes.
#
# Environment: BENCH_SSE_STREAMS (8000), BENCH_SSE_GROUP (10), BENCH_SSE_WARM (streams opened
# before the first memory reading, 200), BENCH_SSE_RATES (25,50,100,200,400,800,1200,1600,2000,2500,3200,4000),
# BENCH_SSE_SECONDS (8 per rate), BENCH_SSE_WARMUP (the unmeasured first step's msgs/s, 20; 0: none), BENCH_SSE_SENDERS (32 keep-alive connections),
# BENCH_SSE_P99_MS (200), PARLEY_THREADS (8), PARLEY_EVENTS_THREADS (4), BENCH_SSE_NODES (1; 2
# starts a second node — its own lighttpd, parley.fcgi and hub on the same PostgreSQL and
# Redis — and opens every other stream there: one lighttpd holds two descriptors per stream),
# BENCH_SSE_NCHAN (1: afterwards nginx + nchan under the same load, and the ratio; 0 skips it),
# BENCH_NCHAN_RATES (nchan's ramp: BENCH_SSE_RATES, then on to 16,000).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
STREAMS=${BENCH_SSE_STREAMS:-8000}
GROUP=${BENCH_SSE_GROUP:-10}
WARM=${BENCH_SSE_WARM:-200}
WARMUP=${BENCH_SSE_WARMUP:-20}   # msgs/s of the unmeasured first step; 0: none
RATES=${BENCH_SSE_RATES:-25,50,100,200,400,800,1200,1600,2000,2500,3200,4000}
SECONDS_PER_RATE=${BENCH_SSE_SECONDS:-8}
SENDERS=${BENCH_SSE_SENDERS:-32}
P99_MS=${BENCH_SSE_P99_MS:-200}
(( STREAMS % GROUP == 0 && WARM < STREAMS )) || { echo "events.sh: BENCH_SSE_STREAMS must be a multiple of BENCH_SSE_GROUP and above BENCH_SSE_WARM" >&2; exit 2; }
[[ -x build/bench/sseload && -x build/parley-events.fcgi ]] || { echo "events.sh: build first: make all build/bench/sseload" >&2; exit 2; }

. "$ROOT/tests/support/scratch.sh"
scratch_var sse
export PORT=$(free_port)
# Durable commits (no STACK_FAST): a send is acknowledged only after PostgreSQL fsyncs it.
export BIN="$ROOT/build" PARLEY_THREADS=${PARLEY_THREADS:-8}
LOAD= SAMPLER=
cleanup() {
    [[ -n $LOAD ]] && kill "$LOAD" 2>/dev/null && wait "$LOAD" 2>/dev/null
    [[ -n $SAMPLER ]] && kill "$SAMPLER" 2>/dev/null
    deploy/local/stack.sh stop >/dev/null 2>&1 || true
    rm -rf "$VAR"
}
trap cleanup EXIT
NODES=${BENCH_SSE_NODES:-1}
if [[ $NODES == 2 ]]; then export PORT2=$(free_port); else unset PORT2; fi   # never one inherited
deploy/local/stack.sh start >/dev/null
[[ $NODES == 2 ]] && deploy/local/stack.sh node2 start >/dev/null
. "$VAR/env"
mkdir -p "$VAR/bench"
OUT=$VAR/bench/sseload.out ERR=$VAR/bench/sseload.err

logs() {
    local f
    for f in "$ERR" "$VAR/log/events.log" "$VAR/log/lighttpd.log" "$VAR/log/parley.log"; do
        [[ -s $f ]] || continue
        echo "----- tail of $(basename "$f")" >&2
        tail -n 15 "$f" >&2
    done
}

# --- data: N users sharing one real Argon2id hash, N/GROUP groups, one session per user ----
PARLEY_PASSWORD=bench-password-sse "$BIN/parley" user add ssehash "SSE hash" >/dev/null
hash=$(psql "$PARLEY_DB" -XAt -c "SELECT password_hash FROM users WHERE username = 'ssehash'")
t0=$(date +%s.%N)
psql "$PARLEY_DB" -X -q -1 -v ON_ERROR_STOP=1 -v hash="$hash" -v n="$STREAMS" -v g="$GROUP" >/dev/null <<'SQL'
INSERT INTO users (username, display_name, password_hash)
  SELECT 'sse' || lpad(i::text, 6, '0'), 'SSE user ' || i, :'hash' FROM generate_series(1, :n) i;
CREATE TEMP TABLE sse_groups AS
  SELECT k, 'sse group ' || k AS title FROM generate_series(1, :n / :g) k;
INSERT INTO conversations (kind, title, created_by)
  SELECT 'group', s.title, u.id FROM sse_groups s
    JOIN users u ON u.username = 'sse' || lpad(((s.k - 1) * :g + 1)::text, 6, '0') ORDER BY s.k;
INSERT INTO members (conversation_id, user_id, role)
  SELECT c.id, u.id, CASE WHEN (i - 1) % :g = 0 THEN 'owner' ELSE 'member' END
    FROM generate_series(1, :n) i
    JOIN users u ON u.username = 'sse' || lpad(i::text, 6, '0')
    JOIN conversations c ON c.kind = 'group' AND c.title = 'sse group ' || ((i - 1) / :g + 1);
ANALYZE users; ANALYZE conversations; ANALYZE members;
SQL
psql "$PARLEY_DB" -XAt -F ' ' -c "SELECT m.user_id, m.conversation_id FROM members m JOIN users u ON u.id = m.user_id
    WHERE u.username LIKE 'sse0%' ORDER BY m.conversation_id, m.user_id" |
  python3 tests/bench/sseusers.py --tokens "$VAR/bench/tokens" --ttl 86400 2>/dev/null |
  redis-cli -s "${PARLEY_REDIS#unix:}" --pipe >"$VAR/bench/pipe.log"
grep -q 'errors: 0' "$VAR/bench/pipe.log" || { cat "$VAR/bench/pipe.log" >&2; exit 1; }
[[ $(wc -l <"$VAR/bench/tokens") -eq $STREAMS ]] || { echo "events.sh: expected $STREAMS tokens" >&2; exit 1; }
t_data=$(python3 -c "import time; print('%.1f' % (time.time() - $t0))")

rss() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }          # kB
HUB=$(cat "$VAR/run/events.pid") LTD=$(cat "$VAR/run/lighttpd.pid")

# wait_line WORD: the load generator printed a line starting with WORD (or died: fail).
wait_line() {
    local i
    for ((i = 0; i < 3000; i++)); do
        grep -q "^$1 " "$OUT" && return 0
        kill -0 "$LOAD" 2>/dev/null || { echo "events.sh: sseload exited before '$1'" >&2; logs; exit 1; }
        sleep 0.2
    done
    echo "events.sh: no '$1' from sseload in 600 s" >&2; logs; exit 1
}
field() { sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<<"$1"; }
# steps_table FILE: sseload's "step" lines of FILE as a table, one rate a row.
steps_table() {
    local line
    printf "%8s %7s %8s %8s %8s %13s %10s %10s %7s %8s\n" "msgs/s" "sent" "p50 ms" "p99 ms" "max ms" "deliveries/s" \
        "POST p50" "POST p99" "errors" "missing"
    while read -r line; do
        printf "%8s %7s %8s %8s %8s %13s %10s %10s %7s %8s\n" "$(field "$line" rate)" "$(field "$line" ok)" "$(field "$line" p50_ms)" \
            "$(field "$line" p99_ms)" "$(field "$line" max_ms)" "$(field "$line" deliveries_per_s)" \
            "$(field "$line" send_p50_ms)" "$(field "$line" send_p99_ms)" \
            "$(( $(field "$line" errors) + $(field "$line" closed) ))" "$(( $(field "$line" expected) - $(field "$line" deliveries) ))"
    done < <(grep '^step ' "$1")
}

echo
echo "Events hub: $STREAMS SSE streams (GET /api/v1/events, one user each) in $((STREAMS / GROUP)) groups of $GROUP; load generator build/bench/sseload (one thread, epoll)"
[[ $NODES == 2 ]] && echo "two nodes: every other stream on the second node's lighttpd and hub (memory figures: the first node's)"
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr); the load generator, lighttpd, parley-events.fcgi (${PARLEY_EVENTS_THREADS:-4} accept threads), parley.fcgi ($PARLEY_THREADS threads), PostgreSQL (synchronous commit) and Redis all share it"
echo "data: $STREAMS users, $((STREAMS / GROUP)) groups and $STREAMS sessions written in $t_data s"

hub0=$(rss "$HUB") ltd0=$(rss "$LTD")
build/bench/sseload --port "$PORT" ${PORT2:+--port2 "$PORT2"} --tokens "$VAR/bench/tokens" --streams "$STREAMS" --warm "$WARM" --hold \
    --warmup "$WARMUP" --rates "$RATES" --seconds "$SECONDS_PER_RATE" --senders "$SENDERS" --p99-ms "$P99_MS" >"$OUT" 2>"$ERR" &
LOAD=$!
wait_line warm
sleep 1
hub1=$(rss "$HUB") ltd1=$(rss "$LTD")
kill -USR1 "$LOAD"
wait_line open
t_open=$(date +%s.%N)
open=$(grep '^open ' "$OUT")
nopen=$(field "$open" streams) nfail=$(field "$open" failed)
# Presence: every person who opened a stream joins, and the hub's presence thread announces
# them online to their group (pres:st:<u> is set when it does). How long until all are?
announced=0
for ((i = 0; i < 1200; i++)); do
    announced=$(redis-cli -s "${PARLEY_REDIS#unix:}" --scan --pattern 'pres:st:*' | wc -l)
    (( announced >= nopen )) && break
    sleep 0.1
done
t_pres=$(python3 -c "import time; print('%.1f' % (time.time() - $t_open))")
sleep 2
hub2=$(rss "$HUB") ltd2=$(rss "$LTD")
echo "opened $nopen streams in $(field "$open" seconds) s, $nfail failed (the first $WARM before the first memory reading)"
echo "presence: $announced of $nopen people announced online to their groups, the last $t_pres s after the last stream opened"
if (( nfail > 0 || nopen < STREAMS )); then
    echo "events.sh: not every stream opened:" >&2
    logs
fi
n=$((nopen - $(field "$(grep '^warm ' "$OUT")" streams)))
python3 - "$n" "$hub0" "$hub1" "$hub2" "$ltd0" "$ltd1" "$ltd2" <<'PY'
import sys
n, h0, h1, h2, l0, l1, l2 = (int(x) for x in sys.argv[1:])
mb = lambda k: "%.1f MB" % (k / 1024)
if n > 0:
    print("memory per open stream: parley-events.fcgi %.1f KB (RSS %s idle, %s with the warm-up streams, %s with all; %d streams after the warm-up)"
          % ((h2 - h1) / n, mb(h0), mb(h1), mb(h2), n))
    print("                        lighttpd %.1f KB (RSS %s idle, %s, %s)" % ((l2 - l1) / n, mb(l0), mb(l1), mb(l2)))
PY
python3 tests/bench/cpusample.py record "$VAR/bench/cpu" & SAMPLER=$!
kill -USR1 "$LOAD"
wait "$LOAD" || true
LOAD=
kill "$SAMPLER" 2>/dev/null; wait "$SAMPLER" 2>/dev/null || true
SAMPLER=
hub3=$(rss "$HUB")

echo "send ramp: POST /api/v1/conversations/<id>/messages at a fixed rate over $SENDERS keep-alive connections, each message to all $GROUP members' streams; ${SECONDS_PER_RATE} s per rate, until p99 > $P99_MS ms or an error"
echo "(latency: from the time a message was due to its arrival on a member's stream; 'POST' columns: due time to the 201)"
steps_table "$OUT"
python3 tests/bench/cpusample.py report "$VAR/bench/cpu" "$OUT"
res=$(grep '^result ' "$OUT" || echo "result rate=0 deliveries_per_s=0 p99_ms=0")
last=$(grep '^step ' "$OUT" | tail -n 1)
if [[ $(field "$res" rate) == 0 ]]; then
    echo "answer: no rate passed (p99 under $P99_MS ms, no errors)"
else
    why="the ramp ended there"
    if [[ $(field "$last" pass) == 0 ]]; then
        why="the next rate, $(field "$last" rate) msgs/s, had p99 $(field "$last" p99_ms) ms, $(field "$last" errors) errors, $(field "$last" sends_per_s) sends/s answered"
    fi
    echo "answer: $(field "$res" rate) msgs/s with p99 $(field "$res" p99_ms) ms = $(field "$res" deliveries_per_s) deliveries/s to $nopen open streams ($why)"
fi
echo "parley-events.fcgi RSS after the ramp: $(awk -v k="$hub3" 'BEGIN {printf "%.1f MB", k/1024}') (each user keeps its last 256 events, at most 64 KiB, for replay)"
grep -q '^end ' "$OUT" || { echo "events.sh: sseload did not finish" >&2; logs; exit 1; }
if [[ -s $ERR ]]; then echo "load generator notes:"; sed 's/^/  /' "$ERR" | head -n 12; fi

# --- the peer: nginx + nchan under the same load generator, the same groups and ramp -------
# Each stream subscribes to its group's channel and a send publishes the bare body there;
# nothing is stored. Parley's idle stack stays up (its streams are closed), so both runs
# share the machine alike. BENCH_SSE_NCHAN=0 skips it (the 10,000-member run does).
if [[ ${BENCH_SSE_NCHAN:-1} == 1 ]]; then
    NGINX=$(PATH=$PATH:/usr/sbin command -v nginx || true) NCHAN=/usr/lib/nginx/modules/ngx_nchan_module.so
    if [[ -z $NGINX || ! -f $NCHAN ]]; then
        echo "nginx + nchan: not installed (deploy/install-deps.sh --test installs libnginx-mod-nchan), no ratio"
    else
        NPORT=$(free_port) ND=$VAR/nchan
        mkdir -p "$ND/tmp"
        cat >"$ND/nginx.conf" <<CONF
load_module $NCHAN;
user root;
worker_processes auto;
worker_rlimit_nofile $((STREAMS * 2 + 1024));
pid $ND/nginx.pid;
error_log $ND/error.log warn;
events { worker_connections $((STREAMS + 1024)); }
http {
    access_log off;
    client_body_temp_path $ND/tmp/body;
    proxy_temp_path $ND/tmp/proxy;
    fastcgi_temp_path $ND/tmp/fastcgi;
    uwsgi_temp_path $ND/tmp/uwsgi;
    scgi_temp_path $ND/tmp/scgi;
    keepalive_requests 100000;
    server {
        listen 127.0.0.1:$NPORT;
        location ~ ^/pub/(\d+)$ { nchan_publisher; nchan_channel_id \$1; }
        location ~ ^/sub/(\d+)$ { nchan_subscriber eventsource; nchan_channel_id \$1; }
    }
}
CONF
        "$NGINX" -c "$ND/nginx.conf" -g 'daemon on;' || { cat "$ND/error.log" >&2; exit 1; }
        NRATES=${BENCH_NCHAN_RATES:-$RATES,5000,6400,8000,10000,12800,16000}
        python3 tests/bench/cpusample.py record "$ND/cpu" & SAMPLER=$!
        build/bench/sseload --nchan --port "$NPORT" --tokens "$VAR/bench/tokens" --streams "$STREAMS" \
            --warmup 20 --rates "$NRATES" --seconds "$SECONDS_PER_RATE" --senders "$SENDERS" --p99-ms "$P99_MS" \
            >"$ND/out" 2>"$ND/err" || true
        kill "$SAMPLER" 2>/dev/null; wait "$SAMPLER" 2>/dev/null || true
        SAMPLER=
        kill "$(cat "$ND/nginx.pid")" 2>/dev/null || true
        echo
        echo "nginx $("$NGINX" -v 2>&1 | sed 's/.*\///') + nchan (Debian's libnginx-mod-nchan, nothing persisted), the same $STREAMS streams, groups and ramp: POST /pub/<group>, GET /sub/<group> as EventSource"
        steps_table "$ND/out"
        python3 tests/bench/cpusample.py report "$ND/cpu" "$ND/out"
        nres=$(grep '^result ' "$ND/out" || echo "result rate=0 deliveries_per_s=0 p99_ms=0")
        echo "answer: nchan $(field "$nres" rate) msgs/s with p99 $(field "$nres" p99_ms) ms = $(field "$nres" deliveries_per_s) deliveries/s"
        python3 -c "import sys; p, n = float(sys.argv[1]), float(sys.argv[2]); print('ratio Parley : nchan = %s' % ('%.2f' % (p / n) if n else 'n/a (nchan passed no rate)'))" \
            "$(field "$res" rate)" "$(field "$nres" rate)"
        if [[ -s $ND/err ]]; then echo "load generator notes (nchan):"; sed 's/^/  /' "$ND/err" | head -n 8; fi
    fi
fi
