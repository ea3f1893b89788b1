#!/bin/bash
# search.sh — the search part of `make bench` (run by tests/bench/run.sh, or alone after
# `make all`). On its own stack from the release build (durable commits, PostgreSQL as
# initdb configures it): generates BENCH_SEARCH_MESSAGES messages (default 1,000,000) over
# BENCH_SEARCH_CONVS conversations (10,000) in SQL, interleaved in time as a chat is (ids and
# times grow together), sent by eight people. Two searchers: one in 50 of the conversations,
# one in half of them. For each, each kind of query through GET /api/v1/search
# (BENCH_SEARCH_RUNS runs, 100) with hits, p50 and p99 in ms, beside the same search's SQL
# run directly in psql (tests/bench/search_sql.py: the statements the request ran, taken
# from PostgreSQL's log, replayed RUNS times). Then the index sizes, and sends
# (tests/bench/send.lua, BENCH_SEARCH_SEND_SECONDS a round, 10) with the search indexes and
# trigger and without them, in alternated rounds (BENCH_SEARCH_SEND_ROUNDS pairs, 3), with
# the medians and the load average. Not part of `make test`.
#
# BENCH_SEARCH_KEEP=1 keeps the state directory; BENCH_SEARCH_VAR=<that directory> reuses it
# instead of generating again; BENCH_SEARCH_SENDS_ONLY=1 measures the sends alone.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
N=${BENCH_SEARCH_MESSAGES:-1000000}
CONVS=${BENCH_SEARCH_CONVS:-10000}
RUNS=${BENCH_SEARCH_RUNS:-100}
SEND_SECONDS=${BENCH_SEARCH_SEND_SECONDS:-10}
KEEP=${BENCH_SEARCH_KEEP:-}
[[ -x build/parley.fcgi ]] || { echo "search.sh: build first: make all" >&2; exit 2; }
(( CONVS % 50 == 0 && CONVS >= 100 )) || { echo "search.sh: BENCH_SEARCH_CONVS must be a multiple of 50" >&2; exit 2; }
. "$ROOT/tests/support/scratch.sh"
if [[ -n ${BENCH_SEARCH_VAR:-} ]]; then
  export VAR=$BENCH_SEARCH_VAR
  KEEP=1
else
  scratch_var bench-search
fi
export PORT=$(free_port) BIN="$ROOT/build" PARLEY_RL_SEARCH=1000000/60
cleanup() {
  deploy/local/stack.sh stop >/dev/null 2>&1 || true
  if [[ -n $KEEP ]]; then echo "search.sh: state kept in $VAR (BENCH_SEARCH_VAR=$VAR reuses it)"; else rm -rf "$VAR"; fi
}
trap cleanup EXIT
deploy/local/stack.sh start >/dev/null
. "$VAR/env"
export PARLEY_DB
sql() { psql "$PARLEY_DB" -X -q -At -v ON_ERROR_STOP=1 "$@"; }
login() {
  curl -fsS -X POST "$PARLEY_URL/api/v1/login" -H 'Content-Type: application/json' \
    -d "{\"username\":\"$1\",\"password\":\"bench-password\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])'
}

if [[ ! -f $VAR/bench-search.done ]]; then
  t0=$(date +%s)
  bench_token benchfew >/dev/null
  bench_token benchmany >/dev/null
  sql -v n="$N" -v convs="$CONVS" <<'SQL'
CREATE TEMP TABLE words AS SELECT ARRAY['alpha','bravo','charlie','delta','echo','foxtrot','golf','hotel',
  'india','juliett','kilo','lima','mike','november','oscar','papa','quebec','romeo','sierra','tango'] AS w;
INSERT INTO users (username, display_name, password_hash)
  SELECT 'benchsender' || g, 'Sender ' || g, '!' FROM generate_series(0, 7) g;
INSERT INTO conversations (kind, title, last_seq)
  SELECT 'group', 'bench ' || g, :n / :convs FROM generate_series(1, :convs) g;
CREATE TEMP TABLE bc AS SELECT id, row_number() OVER (ORDER BY id) AS k FROM conversations WHERE title LIKE 'bench %';
CREATE TEMP TABLE bs AS SELECT id, row_number() OVER (ORDER BY id) - 1 AS k FROM users WHERE username LIKE 'benchsender%';
INSERT INTO members (conversation_id, user_id, role) SELECT bc.id, bs.id, 'member' FROM bc, bs;
INSERT INTO members (conversation_id, user_id, role)
  SELECT bc.id, u.id, 'member' FROM bc, users u WHERE u.username = 'benchfew' AND bc.k % (:convs / 50) = 0;
INSERT INTO members (conversation_id, user_id, role)
  SELECT bc.id, u.id, 'member' FROM bc, users u WHERE u.username = 'benchmany' AND bc.k % 2 = 0;
-- Round after round, a message in every conversation: 20 seconds apart, the newest now.
INSERT INTO messages (conversation_id, seq, sender_id, kind, body, created_at)
  SELECT bc.id, s, bs.id, 'text',
         'message ' || s || ' ' || w[1 + (s * 7 + bc.k) % 20] || ' ' || w[1 + (s / 20 + bc.k) % 20] || ' ' ||
         substr(md5(bc.k || ':' || s), 1, 10),
         now() - ((:n / :convs - s) * :convs + (:convs - bc.k)) * interval '20 seconds'
  FROM generate_series(1, :n / :convs) s CROSS JOIN bc JOIN bs ON bs.k = (s + bc.k) % 8, words
  ORDER BY s, bc.k;
ANALYZE;
SQL
  echo "$(( $(date +%s) - t0 ))" >"$VAR/bench-search.done"
fi
gen=$(cat "$VAR/bench-search.done")
SENDS_ONLY=${BENCH_SEARCH_SENDS_ONLY:-}
few=$(login benchfew)
many=$(login benchmany)
# A token of one message in a conversation both searchers are in.
rare=$(sql -c "SELECT substr(md5(k || ':' || 77), 1, 10) FROM (SELECT $CONVS / 50 * 25 AS k) x")
total=$(sql -c "SELECT count(*) FROM messages")
echo
echo "search: $total messages in $CONVS conversations (generated and indexed in ${gen} s); load average $(cut -d' ' -f1-3 /proc/loadavg)"

# measure TOKEN LABEL QUERY [EXTRA]: one row of the table.
measure() {
  local tok=$1 label=$2 q=$3 extra=${4:-} hits whole bare
  for _ in 1 2 3 4 5 6 7 8; do        # once on each worker's connection first
    curl -fsS -o /dev/null -G -H "Authorization: Bearer $tok" --data-urlencode "q=$q" "$PARLEY_URL/api/v1/search$extra"
  done
  hits=$(curl -fsS -G -H "Authorization: Bearer $tok" --data-urlencode "q=$q" "$PARLEY_URL/api/v1/search$extra" |
    python3 -c 'import json,sys; print(len(json.load(sys.stdin)["messages"]))')
  whole=$(for _ in $(seq 1 "$RUNS"); do
    curl -fsS -o /dev/null -w '%{time_total}\n' -G -H "Authorization: Bearer $tok" --data-urlencode "q=$q" "$PARLEY_URL/api/v1/search$extra"
  done | sort -n | awk '{t[NR]=$1*1000} END {i=int((NR*99+99)/100); printf "%.1f %.1f", t[int((NR+1)/2)], t[i]}')
  # the same search once more with every statement logged, then its SQL alone in psql
  local mark
  mark=$(wc -c <"$VAR/log/postgres.log")
  sql -c "ALTER SYSTEM SET log_min_duration_statement = 0" -c "SELECT pg_reload_conf()" >/dev/null
  sleep 0.2
  curl -fsS -o /dev/null -G -H "Authorization: Bearer $tok" --data-urlencode "q=$q" "$PARLEY_URL/api/v1/search$extra"
  sql -c "ALTER SYSTEM RESET log_min_duration_statement" -c "SELECT pg_reload_conf()" >/dev/null
  sleep 0.2
  tail -c +"$((mark + 1))" "$VAR/log/postgres.log" >"$VAR/tmp/search.log"
  bare=$(tests/bench/search_sql.py "$VAR/tmp/search.log" "$RUNS")
  read -r w50 w99 <<<"$whole"
  read -r b50 b99 <<<"$bare"
  printf "%-34s %5s %8s %8s %8s %8s %7s\n" "$label" "$hits" "$w50" "$w99" "$b50" "$b99" \
    "$(awk -v w="$w50" -v b="$b50" 'BEGIN {printf "%.2f", (b > 0 ? w / b : 0)}')"
}
table() {
  local tok=$1
  printf "%-34s %5s %8s %8s %8s %8s %7s\n" "query (ms)" "hits" "p50" "p99" "SQL p50" "SQL p99" "ratio"
  measure "$tok" "rare word" "$rare"
  measure "$tok" "common word (alpha)" "alpha"
  measure "$tok" "common word, newest first" "alpha" "?sort=newest"
  measure "$tok" "phrase (\"alpha bravo\")" '"alpha bravo"'
  measure "$tok" "prefix (novem)" "novem"
  measure "$tok" "fragment inside words (lph)" "lph"
  measure "$tok" "from: and a word" "from:@benchsender3 alpha"
  measure "$tok" "two-letter term (qu)" "qu"
  measure "$tok" "absent word (zzzzzz)" "zzzzzz"
}
for who in benchfew benchmany; do
  [[ -n $SENDS_ONLY ]] && break
  read -r nconv nvis < <(sql -F ' ' -c "SELECT count(*), sum(c.last_seq) FROM members me JOIN conversations c ON c.id = me.conversation_id JOIN users u ON u.id = me.user_id WHERE u.username = '$who'")
  echo
  echo "searcher in $nconv conversations ($nvis messages visible); $RUNS runs each, one client; whole path (curl) and its SQL alone (psql); ratio = p50 / SQL p50; load average $(cut -d' ' -f1-3 /proc/loadavg)"
  if [[ $who == benchfew ]]; then table "$few"; else table "$many"; fi
done

echo
echo "indexes:"
sql -F ' ' -c "SELECT i, pg_size_pretty(pg_relation_size(i)) FROM unnest(ARRAY['messages_search', 'messages_trgm', 'messages_created', 'messages_pkey']::regclass[]) i" |
  awk '{printf "  %-18s %s\n", $1, $2 " " $3}'
echo "  (messages table $(sql -c "SELECT pg_size_pretty(pg_table_size('messages'))"))"

# --- what the search indexes add to a send -------------------------------------------------
# Rounds of sends with the search trigger and indexes, then without them, alternated
# (BENCH_SEARCH_SEND_ROUNDS pairs, 3), each on the same data: the messages a round sent are
# deleted after it. "Without" turns the trigger off and marks the three search indexes not
# ready for inserts (pg_index.indisready, as DROP INDEX CONCURRENTLY does before it drops):
# sends then skip them, and rebuilding them for every round would take minutes. A round
# without them deletes its own messages, so the indexes never lack a live row. The worker
# runs as in production, merging the GIN pending lists (cgi/worker/search_flush.c).
sends() {
  local out
  out=$(TOKEN=$many CONVS=$convs wrk -t2 -c8 -d"${SEND_SECONDS}s" --latency -s tests/bench/send.lua "$PARLEY_URL")
  echo "$(awk '/Requests\/sec/ {print $2}' <<<"$out") $(awk '$1=="50%" {print $2}' <<<"$out") $(awk '$1=="99%" {print $2}' <<<"$out")"
}
search_upkeep() {        # on|off: the trigger and the search indexes on sends
  local ready=true able=ENABLE
  [[ $1 == off ]] && ready=false able=DISABLE
  sql -c "ALTER TABLE messages $able TRIGGER messages_search_tsv" \
      -c "UPDATE pg_index SET indisready = $ready WHERE indexrelid IN ('messages_search'::regclass, 'messages_trgm'::regclass, 'messages_created'::regclass)"
}
round() {                # on|off: one round of sends, then its messages deleted; prints rps p50 p99
  local top
  top=$(sql -c "SELECT max(id) FROM messages")
  search_upkeep "$1"
  sends
  search_upkeep on
  sql -c "DELETE FROM messages WHERE id > $top"
}
median() { sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
ms() { awk '{v=$1; if (v ~ /us$/) v=v/1000; else if (v ~ /ms$/) v=v+0; else if (v ~ /s$/) v=v*1000; print v}'; }
convs=$(sql -c "SELECT string_agg(me.conversation_id::text, ',') FROM (SELECT me.conversation_id FROM members me JOIN users u ON u.id = me.user_id WHERE u.username = 'benchmany' LIMIT 100) me")
ROUNDS=${BENCH_SEARCH_SEND_ROUNDS:-3}
round on >/dev/null            # the first run after a login is slower, whatever the indexes
load0=$(cut -d' ' -f1-3 /proc/loadavg)
: >"$VAR/tmp/sends.on"; : >"$VAR/tmp/sends.off"
for _ in $(seq 1 "$ROUNDS"); do
  round on >>"$VAR/tmp/sends.on"
  round off >>"$VAR/tmp/sends.off"
done
echo
echo "sends (POST …/messages over 100 conversations, 8 connections, ${SEND_SECONDS} s a round, $ROUNDS rounds with and $ROUNDS without, alternated, medians; synchronous commit; load average $load0 before, $(cut -d' ' -f1-3 /proc/loadavg) after):"
printf "  %-36s %10s %8s %8s   %s\n" "" "sends/s" "p50 ms" "p99 ms" "rounds (sends/s)"
for k in on off; do
  f="$VAR/tmp/sends.$k"
  printf "  %-36s %10s %8s %8s   %s\n" "$([[ $k == on ]] && echo "with the search trigger and indexes" || echo "without them")" \
    "$(cut -d' ' -f1 "$f" | median)" "$(cut -d' ' -f2 "$f" | ms | median)" "$(cut -d' ' -f3 "$f" | ms | median)" "$(cut -d' ' -f1 "$f" | paste -sd' ')"
done
a_rps=$(cut -d' ' -f1 "$VAR/tmp/sends.on" | median)
b_rps=$(cut -d' ' -f1 "$VAR/tmp/sends.off" | median)
awk -v a="$a_rps" -v b="$b_rps" 'BEGIN {printf "  a send costs %.0f %% more with them (median throughput %.0f %% lower); the target is at most 20 %%\n", (b / a - 1) * 100, (1 - a / b) * 100}'
echo "  (a shared machine's load moves both: compare rounds taken at the same load average; absolute figures need a quiet machine)"
