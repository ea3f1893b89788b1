#!/bin/bash
# check-failover.sh — PostgreSQL failover under traffic on a stack of its own: the stack's
# PostgreSQL is the primary; pg_basebackup -R makes a streaming standby beside it (its own
# port), and synchronous_standby_names = '*' makes every acknowledged commit reach both.
# Parley's programs connect with one multi-host libpq string (both servers,
# target_session_attrs=read-write). While clients send messages (failover-load.mjs), the
# primary is stopped (-m immediate, as a crash) and the standby promoted (pg_ctl promote).
# Passes when Parley recovers by itself (a send succeeds again, time measured from the stop),
# every acknowledged message is in the new primary's database, /healthz answers 200 again,
# and no sanitizer report was written.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
. "$ROOT/tests/support/scratch.sh"
LOAD_PID=
PGBIN=$(printf "%s\n" /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
CHECK_CLEANUP='[[ -z $LOAD_PID ]] || kill "$LOAD_PID" 2>/dev/null; [[ ! -f $VAR/pg2/PG_VERSION ]] || runuser -u parley -- "$PGBIN/pg_ctl" stop -D "$VAR/pg2" -m fast -w >/dev/null 2>&1'
check_stack failover
[[ $EUID == 0 ]] || { echo "$0: run as root (PostgreSQL runs as the user parley, as in stack.sh)" >&2; exit 1; }
PG1=${PGPORT:-5432}
PG2=$((PG1 + 1))
RUN=$VAR/run

deploy/local/stack.sh start >/dev/null
as_pg() { runuser -u parley -- "$@"; }
psql_at() { "$PGBIN/psql" -h "$RUN" -p "$1" -U parley -d parley -XAtq -v ON_ERROR_STOP=1 -c "$2"; }

# The standby: a base backup of the running primary, -R writes standby.signal and
# primary_conninfo; it streams the WAL from then on. Its own port (the socket directory is
# shared).
mkdir -p "$VAR/pg2" && chown parley: "$VAR/pg2" && chmod 700 "$VAR/pg2"
as_pg "$PGBIN/pg_basebackup" -h "$RUN" -p $PG1 -U parley -D "$VAR/pg2" -R -X stream -c fast \
  >"$VAR/log/basebackup.log" 2>&1 || { cat "$VAR/log/basebackup.log"; fail "pg_basebackup"; exit 1; }
touch "$VAR/log/postgres2.log" && chown parley: "$VAR/log/postgres2.log"
as_pg "$PGBIN/pg_ctl" start -w -t 60 -D "$VAR/pg2" -o "-p $PG2" -l "$VAR/log/postgres2.log" >/dev/null ||
  { cat "$VAR/log/postgres2.log"; fail "the standby did not start"; exit 1; }
# Synchronous: a commit is acknowledged only once the standby has it (the stack's own
# settings turn synchronous_commit off for speed; ALTER SYSTEM's file is read last).
psql_at $PG1 "ALTER SYSTEM SET synchronous_standby_names = '*'" >/dev/null
psql_at $PG1 "ALTER SYSTEM SET synchronous_commit = 'on'" >/dev/null
psql_at $PG1 "SELECT pg_reload_conf()" >/dev/null
state=
for ((i = 0; i < 100; i++)); do
  state=$(psql_at $PG1 "SELECT sync_state FROM pg_stat_replication" 2>/dev/null || true)
  [[ $state == sync ]] && break
  sleep 0.1
done
[[ $state == sync ]] && ok "the standby streams synchronously (pg_stat_replication: sync)" ||
  { fail "standby replication state: '$state'"; exit 1; }
[[ $(psql_at $PG2 "SELECT pg_is_in_recovery()") == t ]] && ok "the standby is read-only (in recovery)" ||
  fail "the standby is not in recovery"

# Parley's programs get the multi-host string and are restarted to read it.
DB="host=$RUN,$RUN port=$PG1,$PG2 dbname=parley user=parley target_session_attrs=read-write"
{ grep -v '^export PARLEY_DB=' "$VAR/env"; echo "export PARLEY_DB='$DB'"; } >"$VAR/env.tmp" && mv -f "$VAR/env.tmp" "$VAR/env"
deploy/local/stack.sh upgrade >/dev/null
deploy/local/stack.sh restart-events >/dev/null
deploy/local/stack.sh worker restart >/dev/null
set +u; . "$VAR/env"; set -u
export PARLEY_URL PARLEY_DB PARLEY_REDIS PARLEY_VAR
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$PARLEY_URL/healthz")
[[ $code == 200 ]] && ok "Parley runs on the multi-host connection string" || { fail "/healthz: $code"; exit 1; }

mkdir -p "$VAR/tmp"
STOP=$VAR/tmp/stop-load STOPPED_AT=$VAR/tmp/stopped-at ACKED=$VAR/tmp/acked READY=$VAR/tmp/ready \
  node tests/support/failover-load.mjs >"$VAR/load.json" 2>"$VAR/load.err" &
LOAD_PID=$!
# Until the clients send (registering them takes a while on a busy machine), then 2 s more.
for ((i = 0; i < 600; i++)); do [[ -f $VAR/tmp/ready ]] && break; kill -0 "$LOAD_PID" 2>/dev/null || break; sleep 0.1; done
[[ -f $VAR/tmp/ready ]] || { fail "the load generator did not start: $(head -c 500 "$VAR/load.err")"; exit 1; }
sleep 2
# The clock starts once the primary is gone (pg_ctl has returned): from then on only the
# promoted standby can acknowledge a send.
as_pg "$PGBIN/pg_ctl" stop -D "$VAR/pg" -m immediate -w >/dev/null && ok "the primary stopped (immediate)" || fail "stopping the primary"
date +%s%3N >"$VAR/tmp/stopped-at"
as_pg "$PGBIN/pg_ctl" promote -D "$VAR/pg2" -w >/dev/null && ok "the standby promoted" || fail "pg_ctl promote"
t_promoted=$(date +%s%3N)
[[ $(psql_at $PG2 "SELECT pg_is_in_recovery()") == f ]] && ok "the new primary accepts writes" || fail "the standby is still in recovery"
# Let the clients find the new primary and send for a while.
for ((i = 0; i < 150; i++)); do
  n=$(psql_at $PG2 "SELECT count(*) FROM messages WHERE created_at > to_timestamp($(cat "$VAR/tmp/stopped-at") / 1000.0)" 2>/dev/null || echo 0)
  (( n > 20 )) && break
  sleep 0.1
done
sleep 1
touch "$VAR/tmp/stop-load"
wait "$LOAD_PID" || fail "the load generator failed: $(head -c 500 "$VAR/load.err")"
LOAD_PID=
result=$(cat "$VAR/load.json")
echo "   $result"
echo "   promote took $((t_promoted - $(cat "$VAR/tmp/stopped-at"))) ms after the stop"
python3 - "$result" <<'PY' && ok "Parley recovered by itself, nothing acknowledged lost" || fail "not recovered or messages lost: $result"
import json, sys
r = json.loads(sys.argv[1])
sys.exit(0 if r["acked"] > 50 and r["missing"] == 0 and r["recovery_ms"] is not None else 1)
PY
ids=$(paste -sd, "$VAR/tmp/acked")
have=$(psql_at $PG2 "SELECT count(*) FROM messages WHERE id IN ($ids)")
want=$(grep -c . "$VAR/tmp/acked")
[[ $have == "$want" ]] && ok "all $want acknowledged messages are in the new primary's database" ||
  fail "the new primary has $have of $want acknowledged messages"
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$PARLEY_URL/healthz")
[[ $code == 200 ]] && ok "/healthz answers 200 after the failover" || fail "/healthz after the failover: $code"
echo "   parley.log: $(grep -c 'postgresql: ' "$VAR/log/parley.log" || true) PostgreSQL warnings during the failover"
if sanitizer_reports; then
  echo "== sanitizer reports:"; cat "$VAR"/log/asan* "$VAR"/log/ubsan* | head -50; status=1
fi
exit $status
