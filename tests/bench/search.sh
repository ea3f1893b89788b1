#!/bin/bash
# search.sh — the search part of `make bench` (run by tests/bench/run.sh, or alone after
# `make all`). On its own stack from the release build: generates BENCH_SEARCH_MESSAGES
# messages (default 1,000,000) over BENCH_SEARCH_CONVS conversations (1,000) in SQL with
# generate_series, of which the searching user is a member of one in ten, then times each
# kind of query through GET /api/v1/search (BENCH_SEARCH_RUNS runs each, 20) and prints the
# hits, p50 and max in milliseconds. Not part of `make test`.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
N=${BENCH_SEARCH_MESSAGES:-1000000}
CONVS=${BENCH_SEARCH_CONVS:-1000}
RUNS=${BENCH_SEARCH_RUNS:-20}
[[ -x build/parley.fcgi ]] || { echo "search.sh: build first: make all" >&2; exit 2; }
. "$ROOT/tests/support/scratch.sh"
scratch_var bench-search
export PORT=$(free_port) BIN="$ROOT/build" PARLEY_RL_SEARCH=1000000/60
cleanup() { deploy/local/stack.sh stop >/dev/null 2>&1 || true; rm -rf "$VAR"; }
trap cleanup EXIT
deploy/local/stack.sh start >/dev/null
. "$VAR/env"

user="bench$RANDOM$RANDOM"
token=$(bench_token "$user")

t0=$(date +%s)
psql "$PARLEY_DB" -q -v ON_ERROR_STOP=1 <<SQL
CREATE TEMP TABLE words AS SELECT ARRAY['alpha','bravo','charlie','delta','echo','foxtrot','golf','hotel',
  'india','juliett','kilo','lima','mike','november','oscar','papa','quebec','romeo','sierra','tango'] AS w;
INSERT INTO conversations (kind, title, last_seq)
  SELECT 'group', 'bench ' || g, $N / $CONVS FROM generate_series(1, $CONVS) g;
INSERT INTO members (conversation_id, user_id, role)
  SELECT c.id, u.id, 'member' FROM conversations c, users u
  WHERE u.username = '$user' AND c.title LIKE 'bench %' AND c.id % 10 = 0;
INSERT INTO messages (conversation_id, seq, sender_id, kind, body, created_at)
  SELECT c.id, s, (SELECT id FROM users WHERE username = '$user'), 'text',
         'message ' || s || ' ' || w[1 + (s * 7 + c.id) % 20] || ' ' || w[1 + (s / 20 + c.id) % 20] || ' ' ||
         substr(md5(c.id || ':' || s), 1, 10),
         now() - ((c.id * ($N / $CONVS) + s) % 2000000) * interval '10 seconds'
  FROM conversations c, generate_series(1, $N / $CONVS) s, words
  WHERE c.title LIKE 'bench %';
ANALYZE messages; ANALYZE members; ANALYZE conversations;
SQL
gen=$(( $(date +%s) - t0 ))
visible=$(psql "$PARLEY_DB" -At -c "SELECT count(*) FROM messages m JOIN members me ON me.conversation_id = m.conversation_id JOIN users u ON u.id = me.user_id WHERE u.username = '$user'")
rare=$(psql "$PARLEY_DB" -At -c "SELECT substr(md5(c.id || ':' || 77), 1, 10) FROM conversations c WHERE c.title = 'bench 500'")
size=$(psql "$PARLEY_DB" -At -c "SELECT pg_size_pretty(pg_relation_size('messages_search')) || ' + ' || pg_size_pretty(pg_relation_size('messages_trgm'))")
echo
echo "search: $N messages in $CONVS conversations generated and indexed in ${gen} s; the searcher sees $visible"
echo "indexes: tsvector GIN + trigram GIN = $size"

# One query RUNS times; prints hits (of the first page), p50 and max in ms.
measure() {
  local label=$1 q=$2 extra=${3:-} times=() hits
  hits=$(curl -fsS -G -H "Authorization: Bearer $token" --data-urlencode "q=$q" "$PARLEY_URL/api/v1/search$extra" |
    python3 -c 'import json,sys; print(len(json.load(sys.stdin)["messages"]))')
  for _ in $(seq 1 "$RUNS"); do
    times+=("$(curl -fsS -o /dev/null -w '%{time_total}' -G -H "Authorization: Bearer $token" --data-urlencode "q=$q" "$PARLEY_URL/api/v1/search$extra")")
  done
  printf '%s\n' "${times[@]}" | sort -n | awk -v l="$label" -v h="$hits" '{t[NR]=$1} END {printf "%-40s %6s %10.1f %10.1f\n", l, h, t[int((NR+1)/2)]*1000, t[NR]*1000}'
}
printf "%-40s %6s %10s %10s\n" "query" "hits" "p50 ms" "max ms"
measure "common word (alpha)" "alpha"
measure "two common words (alpha bravo)" "alpha bravo"
measure "common word, newest first" "alpha" "?sort=newest"
measure "phrase (\"alpha bravo\")" '"alpha bravo"'
measure "fragment inside words (lph)" "lph"
measure "two letters (qu)" "qu"
measure "unique token in a visible conversation" "$rare"
measure "word not present (zzzzzz)" "zzzzzz"
measure "operator only (in:\"bench 500\")" 'in:"bench 500"'
measure "operator and a word (in:\"bench 500\" alpha)" 'in:"bench 500" alpha'
