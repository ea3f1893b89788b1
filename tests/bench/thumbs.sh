#!/bin/bash
# media.sh — the media-processing part of `make bench` (run by tests/bench/run.sh, or alone
# after `make all`). On its own stack from the release build: makes BENCH_MEDIA_IMAGES
# distinct 12-megapixel JPEGs (4000 × 3000, a colour test pattern with noise, so they
# neither compress like a flat image nor decode like one) with ffmpeg, stores them as blobs,
# inserts BENCH_MEDIA_JOBS media rows over them with their media.process jobs in one
# transaction, and times parley-worker (PARLEY_WORKER_THREADS threads, 2 by default) until
# every row is ready. Each job makes t320.webp, t1280.webp and the clean JPEG. Prints images
# per second and the worker's peak RSS (VmHWM). Not part of `make test`.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
IMAGES=${BENCH_MEDIA_IMAGES:-8}
JOBS=${BENCH_MEDIA_JOBS:-48}
[[ -x build/parley-worker ]] || { echo "media.sh: build first: make all" >&2; exit 2; }
command -v ffmpeg >/dev/null || { echo "media.sh: ffmpeg makes the test images; skipped"; exit 0; }
. "$ROOT/tests/support/scratch.sh"
scratch_var bench-media
export PORT=$(free_port) BIN="$ROOT/build"
cleanup() { deploy/local/stack.sh stop >/dev/null 2>&1 || true; rm -rf "$VAR"; }
trap cleanup EXIT
deploy/local/stack.sh start >/dev/null
. "$VAR/env"
user="bench$RANDOM$RANDOM"
bench_token "$user" >/dev/null

# The stack runs its programs in $VAR, so the default media directory is $VAR/var/media.
MEDIA=$PARLEY_MEDIA_DIR                                 # the stack's own (its env)
mkdir -p "$MEDIA/blobs" "$MEDIA/tmp" "$VAR/in"
shas=()
bytes=0
for i in $(seq 1 "$IMAGES"); do
  f="$VAR/in/$i.jpg"
  ffmpeg -v error -f lavfi -i testsrc2=size=4000x3000:rate=1 -vf "noise=alls=25:allf=u:all_seed=$i" \
    -frames:v 1 -q:v 2 -pix_fmt yuvj420p -y "$f"
  sha=$(sha256sum "$f" | cut -c1-64)
  mkdir -p "$MEDIA/blobs/${sha:0:2}/${sha:2:2}"
  mv "$f" "$MEDIA/blobs/${sha:0:2}/${sha:2:2}/$sha"
  shas+=("'$sha'")
  bytes=$((bytes + $(stat -c %s "$MEDIA/blobs/${sha:0:2}/${sha:2:2}/$sha")))
done
list=$(IFS=,; echo "${shas[*]}")
load=$(cut -d' ' -f1-3 /proc/loadavg)                   # other work on the machine skews the rate

pid=$(cat "$VAR/run/worker.pid")
cpu() { awk '{print $14 + $15}' "/proc/$pid/stat"; }     # the worker's user + system clock ticks
c0=$(cpu)
t0=$(date +%s.%N)
psql "$PARLEY_DB" -q -v ON_ERROR_STOP=1 <<SQL
BEGIN;
INSERT INTO media (uploader_id, sha256, size, name, mime, kind, state)
  SELECT (SELECT id FROM users WHERE username = '$user'), (ARRAY[$list])[1 + g % $IMAGES], 1,
         'photo ' || g || '.jpg', 'image/jpeg', 'image', 'processing'
  FROM generate_series(1, $JOBS) g;
INSERT INTO jobs (kind, payload, idem_key)
  SELECT 'media.process', json_build_object('media_id', id)::jsonb, 'media.process:' || id FROM media
  WHERE state = 'processing';
SELECT pg_notify('parley_jobs', '');
COMMIT;
SQL
# Until every image is processed; a job that failed (an image the worker cannot read) stops
# the wait at once rather than after its retries, and ten minutes stop it in any case.
for ((waited = 0; ; waited++)); do
  read -r left failing < <(psql "$PARLEY_DB" -At -F ' ' -c "SELECT (SELECT count(*) FROM media WHERE state = 'processing'),
    (SELECT count(*) FROM jobs WHERE kind = 'media.process' AND last_error IS NOT NULL)")
  [ "$left" = 0 ] && break
  if (( failing > 0 || waited > 6000 )); then
    echo "media: $left of $JOBS images still processing, $failing jobs failed; the worker's log says:" >&2
    tail -n 5 "$VAR/log/worker.log" >&2
    exit 1
  fi
  sleep 0.1
done
t1=$(date +%s.%N)
c1=$(cpu)
failed=$(psql "$PARLEY_DB" -At -c "SELECT count(*) FROM media WHERE state <> 'ready' OR NOT thumbs OR NOT clean")
hwm=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
threads=${PARLEY_WORKER_THREADS:-2}
echo
echo "media: $JOBS jobs over $IMAGES distinct 12-megapixel JPEGs (4000x3000, $((bytes / IMAGES / 1024)) KB each);"
echo "       each makes t320.webp + t1280.webp and a clean JPEG; parley-worker with $threads threads;"
echo "       load average before: $load"
python3 -c "
n, s, cpu = $JOBS, $t1 - $t0, ($c1 - $c0) / $(getconf CLK_TCK)
print('media: %.2f images/s (%.0f ms of worker CPU each); worker peak RSS %.0f MB; %d not ready' % (n / s, cpu / n * 1000, $hwm / 1024, $failed))"
