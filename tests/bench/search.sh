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
# (tests/bench/send.lua, BENCH_SEARCH_SEND_SECONDS each, 10) with the search indexes and
# trigger, and after dropping them. Not part of `make test`.
#
# BENCH_SEARCH_KEEP=1 keeps the state directory (and puts the indexes back after the sends);
# BENCH_SEARCH_VAR=<that directory> reuses it instead of generating again.
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
  read -r nconv nvis < <(sql -F ' ' -c "SELECT count(*), sum(c.last_seq) FROM members me JOIN conversations c ON c.id = me.conversation_id JOIN users u ON u.id = me.user_id WHERE u.username = '$who'")
  echo
  echo "searcher in $nconv conversations ($nvis messages visible); $RUNS runs each, one client; whole path (curl) and its SQL alone (psql); ratio = p50 / SQL p50"
  if [[ $who == benchfew ]]; then table "$few"; else table "$many"; fi
done

echo
echo "indexes:"
sql -F ' ' -c "SELECT i, pg_size_pretty(pg_relation_size(i)) FROM unnest(ARRAY['messages_search', 'messages_trgm', 'messages_created', 'messages_pkey']::regclass[]) i" |
  awk '{printf "  %-18s %s\n", $1, $2 " " $3}'
echo "  (messages table $(sql -c "SELECT pg_size_pretty(pg_table_size('messages'))"))"

# --- what the search indexes add to a send -------------------------------------------------
sends() {
  local out
  out=$(TOKEN=$many CONVS=$convs wrk -t2 -c8 -d"${SEND_SECONDS}s" --latency -s tests/bench/send.lua "$PARLEY_URL")
  echo "$(awk '/Requests\/sec/ {print $2}' <<<"$out") $(awk '$1=="50%" {print $2}' <<<"$out") $(awk '$1=="99%" {print $2}' <<<"$out")"
}
convs=$(sql -c "SELECT string_agg(me.conversation_id::text, ',') FROM (SELECT me.conversation_id FROM members me JOIN users u ON u.id = me.user_id WHERE u.username = 'benchmany' LIMIT 100) me")
defs=$(sql -c "SELECT string_agg(indexdef, ';' || chr(10)) || ';' FROM pg_indexes WHERE indexname IN ('messages_search', 'messages_trgm', 'messages_created')")
trig=$(sql -c "SELECT pg_get_triggerdef(oid) || ';' FROM pg_trigger WHERE tgname = 'messages_search_tsv'")
sends >/dev/null               # the first run after a login is slower, whatever the indexes
read -r a_rps a_p50 a_p99 < <(sends)
sql -c "DROP TRIGGER messages_search_tsv ON messages" -c "DROP INDEX messages_search, messages_trgm, messages_created"
read -r b_rps b_p50 b_p99 < <(sends)
echo
echo "sends (POST …/messages over 100 conversations, 8 connections, ${SEND_SECONDS} s each after one run to warm up, synchronous commit; load average $(cut -d' ' -f1-3 /proc/loadavg)):"
printf "  %-36s %10s %8s %8s\n" "" "sends/s" "p50" "p99"
printf "  %-36s %10s %8s %8s\n" "with the search trigger and indexes" "$a_rps" "$a_p50" "$a_p99"
printf "  %-36s %10s %8s %8s\n" "without them" "$b_rps" "$b_p50" "$b_p99"
awk -v a="$a_rps" -v b="$b_rps" 'BEGIN {printf "  a send costs %.0f %% more with them (throughput %.0f %% lower)\n", (b / a - 1) * 100, (1 - a / b) * 100}'
if [[ -n $KEEP ]]; then       # put them back for the next run on this state
  sql -c "$trig" -c "UPDATE messages SET search_tsv = parley_search_tsv(kind, body, ciphertext)
    WHERE search_tsv IS NULL AND kind = 'text' AND body IS NOT NULL AND ciphertext IS NULL" -c "$defs" -c "ANALYZE messages"
fi
