#!/bin/bash
# run-stack-tests.sh — starts a real stack (PostgreSQL, Redis, lighttpd, the sanitizer build
# of parley.fcgi) in a temporary directory on a free port, runs the API and browser tests
# against it, stops it, and fails if AddressSanitizer or UBSan reported anything.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
. "$ROOT/tests/support/scratch.sh"
scratch_var test
export PORT=$(free_port)
export PORT2=$(free_port)
export BIN="$ROOT/build/san"
test_stack_settings
sanitizer_logs

cleanup() {
  deploy/local/stack.sh stop >/dev/null 2>&1 || true
  if [ "${KEEP_VAR:-0}" != 1 ]; then rm -rf "$VAR"; fi
}
trap cleanup EXIT

deploy/local/stack.sh start
# A second app node (parley.fcgi, events hub, lighttpd) on the same PostgreSQL and Redis.
deploy/local/stack.sh node2 start
. "$VAR/env"
export PARLEY_URL PARLEY_URL2 PARLEY_DB PARLEY_REDIS BIN

status=0
for t in build/san/stack-tests/test_*; do
  [ -x "$t" ] || continue
  echo "== $t (the domain without a request, on the stack's PostgreSQL and Redis)"
  # test_media bounds its peak RSS: AddressSanitizer's quarantine of freed memory (256 MB by
  # default) would count in it, so it keeps only 8 MB there.
  ASAN_OPTIONS="$ASAN_OPTIONS:quarantine_size_mb=8" "$t" || status=1
done
echo "== API tests ($PARLEY_URL)"
node --test --test-concurrency=1 tests/api/ || status=1
if ls tests/browser/*.test.mjs >/dev/null 2>&1; then
  echo "== browser tests"
  node --test --test-concurrency=1 tests/browser/ || status=1
fi

# The server must still be up after everything the tests threw at it.
curl -fsS "$PARLEY_URL/healthz" >/dev/null || { echo "parley stopped answering"; status=1; }
if sanitizer_reports; then
  echo "== sanitizer reports:"; cat "$VAR"/log/asan* "$VAR"/log/ubsan* 2>/dev/null | head -100; status=1
fi
if grep -E "runtime error|AddressSanitizer" "$VAR/log/parley.log" 2>/dev/null | head -20; then status=1; fi
[ $status = 0 ] || { echo "== parley.log (tail)"; tail -40 "$VAR/log/parley.log" || true; }
exit $status
