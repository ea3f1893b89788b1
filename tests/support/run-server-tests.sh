#!/bin/bash
# run-server-tests.sh — the API test suite behind each web server Parley ships a
# configuration for. For each server: a real stack in a temporary directory on free ports
# (PostgreSQL, Redis, the sanitizer build of parley.fcgi, parley-events.fcgi and
# parley-worker, two app nodes) started by deploy/local/stack.sh with FRONT=<server>, then
# tests/api/ against it, then what only the web server decides when a FastCGI program is
# down (Parley's JSON or HTML 503, never the server's own page). Fails if any test failed or
# a sanitizer reported anything.
#
#   tests/support/run-server-tests.sh [SERVER...]     SERVER: nginx, apache, lighttpd
#                                                     (default: nginx apache; lighttpd is
#                                                     what `make test-stack` runs)
# Environment:
#   SERVER_TESTS   test files to run (default: every tests/api/*.test.mjs), e.g.
#                  SERVER_TESTS="tests/api/events.test.mjs tests/api/webserver.test.mjs"
#   KEEP_VAR=1     keep each stack's directory (logs) instead of removing it
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
. "$ROOT/tests/support/scratch.sh"

usage() { echo "usage: $0 [nginx|apache|lighttpd]..." >&2; exit 2; }
servers=("$@")
(( ${#servers[@]} )) || servers=(nginx apache)
for s in "${servers[@]}"; do
  case $s in nginx|apache|lighttpd) ;; *) usage ;; esac
done

# Test files that depend on one server's own behaviour, and why.
excluded() {
  case "$1:$(basename "$2")" in
    # Apache decides some refusals differently from lighttpd and nginx (deploy/apache/README.md,
    # "Differences"): it takes Transfer-Encoding together with Content-Length as a chunked body
    # (RFC 9112: the length is dropped, the connection closed after) instead of 400; it keeps
    # its own 414 for a request line over 64 KiB and answers 400 for a header over 16 KiB
    # (mod_proxy_fcgi cannot pass a longer one) where the others answer 431; and it merges
    # repeated headers, so six 6 KB headers of one name become one that it cannot pass either.
    # The other checks of that file (411, 413, 501, 400, 404 in kind) hold for Apache too and
    # are asserted below by check_front.
    apache:webserver.test.mjs) return 0 ;;
  esac
  return 1
}

BIN="$ROOT/build/san"
need_build "$BIN"
export BIN
test_stack_settings

VAR=
cleanup() {
  if [[ -n $VAR && -d $VAR ]]; then
    VAR=$VAR deploy/local/stack.sh stop >/dev/null 2>&1 || true
    if [[ ${KEEP_VAR:-0} != 1 ]]; then rm -rf "$VAR"; else echo "kept $VAR"; fi
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# expect_error URL STATUS KIND [CURL ARGS...]: the answer has STATUS and is Parley's error in
# KIND (json: the error shape; html: a page of ours, not the server's).
expect_error() {
  local url=$1 want=$2 kind=$3 out head status ctype
  shift 3
  out=$(mktemp "$VAR/tmp/check.XXXXXX")
  head=$(curl -sS --max-time 10 -o "$out" -D - -w '' "$@" "$url" | tr -d '\r') || true
  status=$(awk 'NR == 1 {print $2}' <<<"$head")
  ctype=$(awk -F': ' 'tolower($1) == "content-type" {print $2}' <<<"$head" | tail -n 1)
  local ok=1
  [[ $status == "$want" ]] || ok=0
  if [[ $kind == json ]]; then
    [[ $ctype == application/json* ]] && grep -q '^{"error":{"code":"' "$out" || ok=0
  else
    [[ $ctype == text/html* ]] && grep -qi '^<!doctype html>' "$out" || ok=0
  fi
  if (( ok )); then
    echo "ok - $want $kind: ${*:+$* }$url"
  else
    echo "not ok - want $want $kind: ${*:+$* }$url: got $status ($ctype): $(head -c 200 "$out")"
    check_status=1
  fi
  rm -f "$out"
}

# What the web server itself decides, for every server (webserver.test.mjs has the full
# set): refusals answered in kind by Parley, and a FastCGI program that is down.
check_front() {
  local url=$PARLEY_URL
  check_status=0
  expect_error "$url/api/v1/logout" 411 json -X POST
  expect_error "$url/logout" 411 html -X POST
  expect_error "$url/api/v1/me" 501 json -X FROB
  # Over every limit the web servers keep, uploads' included (PARLEY_MAX_UPLOAD, 100 MB).
  expect_error "$url/api/v1/logout" 413 json -X POST -H 'Content-Type: application/json' \
    -H "Content-Length: $((1024 * 1024 * 1024))"
  expect_error "$url/static/no-such-file.css" 404 html
  expect_error "$url/api/v1/me%00" 400 json
  expect_error "$url/me%00" 400 html
  expect_error "$url/api/v1/me" 400 json -H 'Host:'
  # The events hub down: Parley's JSON 503 for the stream (the page worker is up).
  kill -KILL "$(cat "$VAR/run/events.pid")"
  sleep 0.2
  expect_error "$url/api/v1/events" 503 json
  # parley.fcgi down as well: the static documents, still JSON under the API.
  kill -KILL "$(cat "$VAR/run/parley.pid")"
  sleep 0.2
  expect_error "$url/api/v1/me" 503 json
  expect_error "$url/api/v1/events" 503 json
  expect_error "$url/login" 503 html
  # An error the server hands to parley.fcgi, which is down: lighttpd sends its static
  # document for that status, nginx the 503 one; Apache sends its own page (its README).
  case $server in
    lighttpd) expect_error "$url/static/no-such-file.css" 404 html ;;
    nginx) expect_error "$url/static/no-such-file.css" 503 html ;;
  esac
  return $check_status
}

status=0
summary=()
for server in "${servers[@]}"; do
  start=$SECONDS
  result=passed
  scratch_var "server-$server"
  export VAR
  PORT=$(free_port)
  PORT2=$(free_port)
  export PORT PORT2
  sanitizer_logs
  echo "== $server: starting a stack on port $PORT (node 2: $PORT2)"
  FRONT=$server deploy/local/stack.sh start
  deploy/local/stack.sh node2 start
  (
    set +u
    . "$VAR/env"
    export PARLEY_URL PARLEY_URL2 PARLEY_DB PARLEY_REDIS PARLEY_VAR
    files=()
    if [[ -n ${SERVER_TESTS:-} ]]; then read -r -a all <<<"$SERVER_TESTS"; else all=(tests/api/*.test.mjs); fi
    for f in "${all[@]}"; do
      if excluded "$server" "$f"; then echo "== $server: not running $f (see run-server-tests.sh)"; continue; fi
      files+=("$f")
    done
    echo "== $server: API tests ($PARLEY_URL, ${#files[@]} files)"
    rc=0
    node --test --test-concurrency=1 "${files[@]}" || rc=1
    curl -fsS "$PARLEY_URL/healthz" >/dev/null || { echo "parley stopped answering behind $server"; rc=1; }
    echo "== $server: what the web server decides"
    check_front || rc=1
    exit $rc
  ) || result=FAILED
  if ls "$VAR"/log/asan* "$VAR"/log/ubsan* >/dev/null 2>&1; then
    echo "== sanitizer reports:"; cat "$VAR"/log/asan* "$VAR"/log/ubsan* 2>/dev/null | head -100; result=FAILED
  fi
  if grep -E "runtime error|AddressSanitizer" "$VAR"/log/parley*.log "$VAR"/log/events*.log 2>/dev/null | head -20; then
    result=FAILED
  fi
  [[ $result == passed ]] || status=1
  summary+=("$server: $result ($((SECONDS - start)) s)")
  cleanup
  VAR=
done
echo "== web servers:"
printf '   %s\n' "${summary[@]}"
exit $status
