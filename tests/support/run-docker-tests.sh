#!/bin/bash
# run-docker-tests.sh — builds Parley's images (deploy/docker/Dockerfile) and brings up
# deploy/docker/compose.yaml on a free port, then checks it through the web container: every
# service healthy, /healthz, a static file, and two people registering, one sending a message
# in a new group and the other reading it; then the app container restarted under traffic
# (tests/support/failover-load.mjs sends meanwhile): every acknowledged message is in the
# database afterwards, the container is healthy again, and the gap is measured; then tears
# everything down (volumes included).
#
#   tests/support/run-docker-tests.sh
#
# Needs docker (Debian's docker.io) and docker-compose (v1, Debian's docker-compose). When no
# Docker daemon answers and we are root, it starts dockerd for the run and stops it after.
# Environment:
#   BASE          the image to build on (default: local/debian:bookworm, which is made with
#                 debootstrap from the Debian mirror of this machine's apt sources if missing;
#                 give BASE=debian:bookworm-slim where a registry can be reached)
#   KEEP_IMAGES=1 keep the built images (the next run builds from Docker's cache)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
. "$ROOT/tests/support/scratch.sh"

[[ ${1:-} == "" ]] || { echo "usage: $0   (settings in the environment, see the header)" >&2; exit 2; }

# Debian's docker client: a newer one earlier in PATH may want buildx, which is missing.
DOCKER=/usr/bin/docker
[[ -x $DOCKER ]] || DOCKER=$(command -v docker) || { echo "$0: docker is not installed (apt-get install docker.io)" >&2; exit 1; }
command -v docker-compose >/dev/null || { echo "$0: docker-compose is not installed (apt-get install docker-compose)" >&2; exit 1; }
export DOCKER_BUILDKIT=0 COMPOSE_DOCKER_CLI_BUILD=0

WORK=$(mktemp -d /tmp/parley-docker.XXXXXX)
PROJECT=parleytest$$
PARLEY_HTTP_PORT=$(free_port)
export PARLEY_HTTP_PORT
export PARLEY_URL=http://127.0.0.1:$PARLEY_HTTP_PORT
export PARLEY_TAG=test
export BASE=${BASE:-local/debian:bookworm}
COMPOSE=(docker-compose -f deploy/docker/compose.yaml -p "$PROJECT")
DOCKERD_PID=
LOAD_PID=

cleanup() {
  local rc=$?
  set +e
  [[ -z $LOAD_PID ]] || kill "$LOAD_PID" 2>/dev/null
  if (( rc != 0 )) && [[ -n ${UP:-} ]]; then
    echo "== logs of the failed run"
    "${COMPOSE[@]}" ps
    "${COMPOSE[@]}" logs --tail=40
  fi
  [[ -n ${UP:-} ]] && "${COMPOSE[@]}" down -v --remove-orphans >/dev/null 2>&1
  if [[ ${KEEP_IMAGES:-0} != 1 ]]; then
    for i in db redis app web; do "$DOCKER" rmi "parley-$i:test" >/dev/null 2>&1; done
  fi
  if [[ -n $DOCKERD_PID ]]; then
    kill "$DOCKERD_PID" 2>/dev/null
    for _ in $(seq 100); do kill -0 "$DOCKERD_PID" 2>/dev/null || break; sleep 0.1; done
  fi
  rm -rf "$WORK"
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

t0=$SECONDS
if ! "$DOCKER" info >/dev/null 2>&1; then
  (( EUID == 0 )) || { echo "$0: no Docker daemon answers (start dockerd, or run as root)" >&2; exit 1; }
  echo "== starting dockerd (log: $WORK/dockerd.log)"
  setsid dockerd >"$WORK/dockerd.log" 2>&1 </dev/null &
  DOCKERD_PID=$!
  for _ in $(seq 100); do "$DOCKER" info >/dev/null 2>&1 && break; sleep 0.2; done
  "$DOCKER" info >/dev/null 2>&1 || { tail -20 "$WORK/dockerd.log"; echo "$0: dockerd did not start" >&2; exit 1; }
fi

# The base image, made offline from Debian's packages when it is ours to make.
if [[ $BASE == local/debian:bookworm ]] && ! "$DOCKER" image inspect "$BASE" >/dev/null 2>&1; then
  (( EUID == 0 )) || { echo "$0: debootstrap needs root to make $BASE" >&2; exit 1; }
  command -v debootstrap >/dev/null || { echo "$0: debootstrap is not installed" >&2; exit 1; }
  mirror=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
  [[ -n $mirror ]] || mirror=$(awk '/^deb / {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
  mirror=${mirror:-http://deb.debian.org/debian}
  echo "== making $BASE with debootstrap from $mirror"
  debootstrap --variant=minbase bookworm "$WORK/rootfs" "$mirror" >"$WORK/debootstrap.log" 2>&1 ||
    { tail -20 "$WORK/debootstrap.log"; exit 1; }
  # As in Debian's official images: packages installed during a build start no services.
  printf '#!/bin/sh\nexit 101\n' >"$WORK/rootfs/usr/sbin/policy-rc.d"
  chmod 755 "$WORK/rootfs/usr/sbin/policy-rc.d"
  rm -rf "$WORK"/rootfs/var/cache/apt/archives/*.deb "$WORK"/rootfs/var/lib/apt/lists/*
  tar -C "$WORK/rootfs" -c . | "$DOCKER" import - "$BASE" >/dev/null
  rm -rf "$WORK/rootfs"
  echo "   made in $((SECONDS - t0)) s"
fi

t1=$SECONDS
echo "== building the images on $BASE"
"${COMPOSE[@]}" build >"$WORK/build.log" 2>&1 || { tail -40 "$WORK/build.log"; exit 1; }
echo "   built in $((SECONDS - t1)) s"
"$DOCKER" image ls --filter 'reference=parley-*:test' --format '{{.Repository}}:{{.Tag}} {{.Size}}' | sed 's/^/   /'

t2=$SECONDS
echo "== up on port $PARLEY_HTTP_PORT"
UP=1
"${COMPOSE[@]}" up -d >"$WORK/up.log" 2>&1 || { cat "$WORK/up.log"; exit 1; }
# Up to 3 minutes for every service to report healthy (one docker inspect per pass).
ids=$("${COMPOSE[@]}" ps -q)
healthy=0
deadline=$((SECONDS + 180))
while (( SECONDS < deadline )); do
  # shellcheck disable=SC2086
  healthy=$("$DOCKER" inspect -f '{{.State.Health.Status}}' $ids 2>/dev/null | grep -cx healthy || true)
  (( healthy == 6 )) && break
  sleep 2
done
(( healthy == 6 )) || { echo "not ok - only $healthy of 6 services became healthy"; exit 1; }
echo "ok - all six services healthy, $((SECONDS - t2)) s after up"

fail=0
check() { if eval "$2"; then echo "ok - $1"; else echo "not ok - $1"; fail=1; fi; }
URL=$PARLEY_URL
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1], {'d': d}))" "$1"; }

HEALTH=$(curl -fsS "$URL/healthz" | json '" ".join([d["status"], d["postgres"], d["redis"]])' || true)
check "/healthz answers 200 with PostgreSQL and Redis ok" '[[ $HEALTH == "ok ok ok" ]]'
CSS=$(ls static/css | head -n 1)
CODE=$(curl -sS -o /dev/null -w '%{http_code}' "$URL/static/css/$CSS")
check "a static file comes from the web container" '[[ $CODE == 200 ]]'

reg() {
  curl -fsS -X POST "$URL/api/v1/register" -H 'Content-Type: application/json' \
    -d "{\"username\":\"$1\",\"password\":\"correct horse battery\",\"display_name\":\"$1\"}"
}
A=$(reg "alice$$") B=$(reg "bob$$")
TA=$(json 'd["token"]' <<<"$A") TB=$(json 'd["token"]' <<<"$B") BID=$(json 'd["user"]["id"]' <<<"$B")
# Bob takes messages from everyone, so alice's group adds him rather than inviting him.
curl -fsS -o /dev/null -X PATCH "$URL/api/v1/requests/settings" -H "Authorization: Bearer $TB" \
  -H 'Content-Type: application/json' -d '{"allow_everyone":true}'
CONV=$(curl -fsS -X POST "$URL/api/v1/conversations" -H "Authorization: Bearer $TA" \
  -H 'Content-Type: application/json' -d "{\"kind\":\"group\",\"title\":\"Containers\",\"members\":[$BID]}" |
  json 'd["conversation"]["id"]')
SENT=$(curl -fsS -o /dev/null -w '%{http_code}' -X POST "$URL/api/v1/conversations/$CONV/messages" \
  -H "Authorization: Bearer $TA" -H 'Content-Type: application/json' \
  -d '{"body":"hello from a container","client_id":"7f1c0b8e-3d5a-4c1e-9a6b-2f4e8d0c1a3b"}')
check "alice registers, makes a group with bob and sends (201)" '[[ $SENT == 201 ]]'
BODIES=$(curl -fsS "$URL/api/v1/conversations/$CONV/messages" -H "Authorization: Bearer $TB" |
  json '"|".join(str(m["body"]) for m in d["messages"])' || true)
check "bob reads the message through the web container" '[[ $BODIES == *"hello from a container"* ]]'
POLL=$(curl -sS -o /dev/null -w '%{http_code}' "$URL/api/v1/events?timeout=1" -H "Authorization: Bearer $TB")
check "the events hub answers through the web container (long-poll, 200)" '[[ $POLL == 200 ]]'

# The app container restarted while four people send as fast as they are answered: the
# sends refused in between were never acknowledged; every acknowledged one must be kept.
echo "== restarting the app container under traffic"
mkdir -p "$WORK/load"
STOP=$WORK/load/stop STOPPED_AT=$WORK/load/restarted-at ACKED=$WORK/load/acked READY=$WORK/load/ready \
  node tests/support/failover-load.mjs >"$WORK/load.json" 2>"$WORK/load.err" &
LOAD_PID=$!
for _ in $(seq 600); do [[ -f $WORK/load/ready ]] && break; kill -0 "$LOAD_PID" 2>/dev/null || break; sleep 0.1; done
sleep 2
date +%s%3N >"$WORK/load/restarted-at"
t3=$SECONDS
rc=0
"${COMPOSE[@]}" restart app >"$WORK/restart.log" 2>&1 || rc=$?
check "docker-compose restart app ($((SECONDS - t3)) s)" '[[ $rc == 0 ]]'
# How the old parley.fcgi ended (drained by SIGTERM, or killed after compose's 10 s).
"${COMPOSE[@]}" logs --no-color app 2>/dev/null | grep -iE "stopp|drain|signal|listening" | tail -n 4 | sed 's/^/   /' || true
APP=$("${COMPOSE[@]}" ps -q app)
state=
deadline=$((SECONDS + 120))
while (( SECONDS < deadline )); do
  state=$("$DOCKER" inspect -f '{{.State.Health.Status}}' "$APP" 2>/dev/null || true)
  [[ $state == healthy ]] && break
  sleep 1
done
check "the app container is healthy again ($((SECONDS - t3)) s after the restart began)" '[[ $state == healthy ]]'
sleep 3
touch "$WORK/load/stop"
wait "$LOAD_PID" || { echo "not ok - the load generator failed: $(head -c 500 "$WORK/load.err")"; fail=1; }
LOAD_PID=
RESULT=$(cat "$WORK/load.json" 2>/dev/null || echo '{}')
echo "   $(json '{k: d[k] for k in ("sends", "statuses", "acked", "missing", "recovery_ms", "longest_gap_ms", "failed_during")}' <<<"$RESULT" 2>/dev/null || echo "$RESULT")"
check "sends succeed again after the restart, the history has every acknowledged message" \
  'python3 -c "import json,sys; r=json.loads(sys.argv[1]); sys.exit(0 if r[\"acked\"] > 20 and r[\"missing\"] == 0 and r[\"recovery_ms\"] is not None else 1)" "$RESULT"'
IDS=$(paste -sd, "$WORK/load/acked" 2>/dev/null || true)
WANT=$(grep -c . "$WORK/load/acked" 2>/dev/null || echo 0)
HAVE=$("${COMPOSE[@]}" exec -T db psql -U parley -d parley -XAtc "SELECT count(*) FROM messages WHERE id IN (${IDS:-0})" 2>/dev/null | tr -d '\r' || true)
check "all $WANT acknowledged messages are in the database" '[[ $HAVE == "$WANT" && $WANT -gt 0 ]]'
HEALTH=$(curl -fsS "$URL/healthz" | json '" ".join([d["status"], d["postgres"], d["redis"]])' || true)
check "/healthz answers 200 again with PostgreSQL and Redis ok" '[[ $HEALTH == "ok ok ok" ]]'

echo "== docker: $((SECONDS - t0)) s in all"
exit $fail
