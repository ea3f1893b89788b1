#!/bin/bash
# push.sh — the Web Push part of `make bench` (run by tests/bench/run.sh, or alone after
# `make all`). On its own stack from the release build with the push service stand-in in
# bench mode (STACK_PUSH=bench: it checks each request's VAPID signature, TTL and Topic but
# does not decrypt): BENCH_PUSH_MEMBERS people (10,000 by default) are made in SQL, all members
# of one channel set to notify of every message, BENCH_PUSH_SUBS of them (1,000 by default)
# with one push subscription each at the stand-in. Then one message is posted, and the script
# reports how long the send took (the one job it queues for all of them: notifications
# enqueued per second), how long parley-worker took to encrypt, sign and send every
# notification (sent per second, PARLEY_PUSH_CONNECTIONS in flight at most), the time from the
# post until the last was sent, how many connections the stand-in saw opened, the worker's
# own line (time to find the targets, time to send, most requests in flight at once), and
# the load average at the start and the end (the machine may be shared). Not part of
# `make test`.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
MEMBERS=${BENCH_PUSH_MEMBERS:-10000}
SUBS=${BENCH_PUSH_SUBS:-1000}
[[ -x build/parley-worker ]] || { echo "push.sh: build first: make all" >&2; exit 2; }
. "$ROOT/tests/support/scratch.sh"
scratch_var bench-push
export PORT=$(free_port) BIN="$ROOT/build" STACK_PUSH=bench PARLEY_PUSH_DELAY=0
cleanup() { deploy/local/stack.sh stop >/dev/null 2>&1 || true; rm -rf "$VAR"; }
trap cleanup EXIT
deploy/local/stack.sh start >/dev/null
. "$VAR/env"
user="bench$RANDOM$RANDOM"
token=$(bench_token "$user")
api() { curl -fsS -H "Authorization: Bearer $token" -H 'Content-Type: application/json' "$@"; }
conv=$(api -X POST "$PARLEY_URL/api/v1/conversations" -d '{"kind":"channel","title":"bench push"}' |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["conversation"]["id"])')
# One valid P-256 point serves every subscription: the stand-in does not decrypt here.
key=$(node -e "const e=require('crypto').createECDH('prime256v1'); e.generateKeys(); process.stdout.write(e.getPublicKey('hex'))")
psql "$PARLEY_DB" -X -q -v ON_ERROR_STOP=1 -c "
  INSERT INTO users (username, display_name, password_hash)
    SELECT 'pb' || g || '_$RANDOM', 'Push bench ' || g, 'x' FROM generate_series(1, $MEMBERS) g;
  INSERT INTO members (conversation_id, user_id) SELECT $conv, id FROM users WHERE username LIKE 'pb%';
  INSERT INTO notify_settings (user_id, conversation_id, level) SELECT id, $conv, 'all' FROM users WHERE username LIKE 'pb%';
  INSERT INTO push_subscriptions (user_id, endpoint, p256dh, auth)
    SELECT id, '$PARLEY_PUSH_SERVICE/push/bench-' || id, '\\x$key', decode(md5(random()::text || id), 'hex')
    FROM users WHERE username LIKE 'pb%' ORDER BY id LIMIT $SUBS;
  ANALYZE;"
subs=$(psql "$PARLEY_DB" -X -At -c "SELECT count(*) FROM push_subscriptions")
echo
echo "web push: a post to a channel of $MEMBERS members, $subs of them with a subscription"
load0=$(cut -d' ' -f1-3 /proc/loadavg)
s0=$(date +%s.%N)
api -X POST "$PARLEY_URL/api/v1/conversations/$conv/messages" -d '{"body":"bench: everyone hears of this"}' >/dev/null
s1=$(date +%s.%N)
until [[ $(psql "$PARLEY_DB" -X -At -c "SELECT count(*) FROM jobs WHERE kind = 'push.message' AND state IN ('done', 'failed')") -ge 1 ]]; do
    sleep 0.2
done
s2=$(date +%s.%N)
load1=$(cut -d' ' -f1-3 /proc/loadavg)
count=$(curl -fsS "$PARLEY_PUSH_SERVICE/_count")
got=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["accepted"])' <<<"$count")
conns=$(python3 -c 'import json,sys; print(json.load(sys.stdin).get("connections", "?"))' <<<"$count")
state=$(psql "$PARLEY_DB" -X -At -c "SELECT state || ' ' || coalesce(last_error, '') FROM jobs WHERE kind = 'push.message' ORDER BY id LIMIT 1")
python3 - "$s0" "$s1" "$s2" "$got" "$subs" "$state" "$conns" "$load0" "$load1" "${PARLEY_PUSH_CONNECTIONS:-64}" <<'PY'
import sys
s0, s1, s2 = map(float, sys.argv[1:4]); got, subs, state = int(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
conns = sys.argv[7]; load0, load1, per = sys.argv[8], sys.argv[9], sys.argv[10]
print(f"  the send (one push.message job queued): {1000 * (s1 - s0):.1f} ms")
print(f"  notifications enqueued: {subs} (in that one job) in {1000 * (s1 - s0):.1f} ms = {subs / (s1 - s0):.0f}/s")
print(f"  notifications sent: {got} of {subs} subscriptions in {s2 - s1:.1f} s = {got / (s2 - s1):.0f}/s "
      f"(one worker thread: encrypt each, up to {per} in flight; job {state.strip()})")
print(f"  from the post until the last was sent: {s2 - s0:.1f} s")
print(f"  the stand-in saw {conns} connections opened")
print(f"  load average: {load0} at the post, {load1} after the last")
PY
grep -ho 'push: a batch of .*' "$VAR"/log/worker*.log | sed 's/^/  worker: /' || true
