#!/bin/bash
# run-server-tests.sh — the API test suite behind each web server Parley ships a
# configuration for. For each server: a real stack in a temporary directory on free ports
# (PostgreSQL, Redis, the sanitizer build of parley.fcgi, parley-events.fcgi and
# parley-worker, two app nodes) started by deploy/local/stack.sh with FRONT=<server>, then
# tests/api/ against it, then what only the web server decides when a FastCGI program is
# down (Parley's JSON or HTML 503, never the server's own page). Fails if any test failed or
# a sanitizer reported anything.
# apache-cgi is the shared-host recipe (deploy/apache/cgi/): Apache runs parley.fcgi as a
# plain CGI program from a site directory with the recipe's .htaccess, in front of the
# stack's PostgreSQL and no Redis (the small-site mode, PARLEY_REDIS=none); only the tests
# named in excluded() run there.
#
#   tests/support/run-server-tests.sh [SERVER...]     SERVER: nginx, apache, lighttpd,
#                                                     apache-cgi (default: nginx apache;
#                                                     lighttpd is what `make test-stack` runs)
# Environment:
#   SERVER_TESTS   test files to run (default: every tests/api/*.test.mjs), e.g.
#                  SERVER_TESTS="tests/api/events.test.mjs tests/api/webserver.test.mjs"
#   SERVER_BROWSER_TESTS  the short browser smoke test run after them in Chromium
#                  (default: tests/browser/accounts.test.mjs, and
#                  tests/browser/conversations.test.mjs where there is an events hub;
#                  empty: none)
#   KEEP_VAR=1     keep each stack's directory (logs) instead of removing it
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
. "$ROOT/tests/support/scratch.sh"

usage() { echo "usage: $0 [nginx|apache|lighttpd|apache-cgi]..." >&2; exit 2; }
servers=("$@")
(( ${#servers[@]} )) || servers=(nginx apache)
for s in "${servers[@]}"; do
  case $s in nginx|apache|lighttpd|apache-cgi) ;; *) usage ;; esac
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
    # Plain CGI starts a process per request (0.15-0.3 s each here), so it runs what a shared
    # host is for: accounts and sign-in, conversations and messages, and the small-site mode's
    # long-poll (about 6 minutes). The event stream, typing and presence events need the
    # events hub, which a shared host does not run; the files that restart or kill the stack's programs (outage, faults, worker,
    # webserver, metrics) test daemons that plain CGI does not have; cgi.test.mjs starts
    # the program itself. The rest would pass but take too long for what they add here.
    # smallsite.test.mjs: the small-site mode, and its long-poll through this web server.
    apache-cgi:accounts.test.mjs|apache-cgi:conversations.test.mjs|apache-cgi:messages.test.mjs) return 1 ;;
    apache-cgi:smallsite.test.mjs) return 1 ;;
    apache-cgi:*) return 0 ;;
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
    [[ ! -f $VAR/apache-cgi.conf ]] || apache2 -f "$VAR/apache-cgi.conf" -k stop >/dev/null 2>&1 || true
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

# start_apache_cgi: the shared-host recipe on the running stack: a site directory with
# parley.fcgi as parley.cgi, static/ and deploy/apache/cgi/htaccess as .htaccess (pointed at
# a settings file made from the stack's), served by deploy/apache/cgi/host.conf.in on a free
# port; PARLEY_URL becomes its address. The CGI programs run as the user parley when we are
# root (Apache's children never run as root), and write sanitizer reports to $VAR/log/cgi/.
start_apache_cgi() {
  local port site=$VAR/site user group keys
  port=$(free_port)
  user=$(id -un) group=$(id -gn)
  if (( EUID == 0 )); then user=parley group=parley; fi
  mkdir -p "$site" "$VAR/run/apache-cgi" "$VAR/log/cgi"
  cp "$BIN/parley.fcgi" "$site/parley.cgi"
  cp -r static "$site/static"
  chown "$user:$group" "$VAR/log/cgi"
  # The stack's settings that parley.fcgi knows, with this site's address and no socket.
  keys=$(grep -o '{"PARLEY_[A-Z0-9_]*"' cgi/core/config.c | tr -d '{"' | paste -sd'|')
  ( set +u; . "$VAR/env"; sed -e 's/^export //' "$VAR/env" ) | grep -E "^($keys)=" |
    grep -v -e '^PARLEY_LISTEN=' -e '^PARLEY_URL=' -e '^PARLEY_REDIS=' >"$VAR/parley-cgi.env"
  echo "PARLEY_URL=http://127.0.0.1:$port" >>"$VAR/parley-cgi.env"
  echo "PARLEY_REDIS=none" >>"$VAR/parley-cgi.env"      # a shared host without Redis
  sed -e "s|^SetEnv PARLEY_CONFIG .*|SetEnv PARLEY_CONFIG $VAR/parley-cgi.env|" deploy/apache/cgi/htaccess >"$site/.htaccess"
  {
    echo "SetEnv ASAN_OPTIONS log_path=$VAR/log/cgi/asan:detect_leaks=0:abort_on_error=1"
    echo "SetEnv UBSAN_OPTIONS log_path=$VAR/log/cgi/ubsan:print_stacktrace=1:halt_on_error=1"
  } >>"$site/.htaccess"
  # Redis's socket is the stack's group-only; the CGI user joins by the group.
  if (( EUID == 0 )); then chgrp "$group" "$VAR/run/redis.sock"; fi
  sed -e "s|@PORT@|$port|g" -e "s|@VAR@|$VAR|g" -e "s|@NAME@|apache-cgi|g" -e "s|@DOCROOT@|$site|g" \
      -e "s|@USER@|$user|g" -e "s|@GROUP@|$group|g" deploy/apache/cgi/host.conf.in >"$VAR/apache-cgi.conf"
  apache2 -t -f "$VAR/apache-cgi.conf" >/dev/null 2>&1 || { apache2 -t -f "$VAR/apache-cgi.conf"; return 1; }
  apache2 -f "$VAR/apache-cgi.conf" -k start || return 1
  export PARLEY_URL=http://127.0.0.1:$port
  local i
  for ((i = 0; i < 100; i++)); do
    curl -fsS -o /dev/null --max-time 10 "$PARLEY_URL/healthz" 2>/dev/null && return 0
    sleep 0.2
  done
  echo "Apache with plain CGI does not answer /healthz on $PARLEY_URL"; tail -20 "$VAR/log/apache-cgi.log"
  return 1
}

# check_cgi_front: the recipe's own decisions: static files as they are, a missing one and
# any other path to Parley (its 404 page), the .htaccess and settings never served.
check_cgi_front() {
  local url=$PARLEY_URL code css
  check_status=0
  css=$(ls static/css | head -n 1)
  code=$(curl -s -o /dev/null -w '%{http_code}' "$url/static/css/$css")
  [[ $code == 200 ]] && echo "ok - a static file served by Apache" || { echo "not ok - static file: $code"; check_status=1; }
  expect_error "$url/static/no-such-file.css" 404 html
  expect_error "$url/api/v1/no-such-route" 404 json
  code=$(curl -s -o /dev/null -w '%{http_code}' "$url/.htaccess")
  [[ $code == 403 ]] && echo "ok - .htaccess is refused (403)" || { echo "not ok - .htaccess: $code"; check_status=1; }
  code=$(curl -s -o /dev/null -w '%{http_code}' "$url/parley.env")
  [[ $code == 403 || $code == 404 ]] && echo "ok - no settings file is served ($code)" || { echo "not ok - parley.env: $code"; check_status=1; }
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
  if [[ $server == apache-cgi ]]; then
    echo "== $server: starting a stack (PostgreSQL, Redis) and Apache with plain CGI"
    deploy/local/stack.sh start
  else
    echo "== $server: starting a stack on port $PORT (node 2: $PORT2)"
    FRONT=$server deploy/local/stack.sh start
    deploy/local/stack.sh node2 start
  fi
  (
    set +u
    . "$VAR/env"
    export PARLEY_URL PARLEY_URL2 PARLEY_DB PARLEY_REDIS PARLEY_VAR
    if [[ $server == apache-cgi ]]; then start_apache_cgi || exit 1; export PARLEY_SMALL_SITE=1; fi
    files=()
    if [[ -n ${SERVER_TESTS:-} ]]; then read -r -a all <<<"$SERVER_TESTS"; else all=(tests/api/*.test.mjs); fi
    for f in "${all[@]}"; do
      if excluded "$server" "$f"; then echo "== $server: not running $f (see run-server-tests.sh)"; continue; fi
      files+=("$f")
    done
    echo "== $server: API tests ($PARLEY_URL, ${#files[@]} files)"
    rc=0
    node --test --test-concurrency=1 "${files[@]}" || rc=1
    browser=${SERVER_BROWSER_TESTS-tests/browser/accounts.test.mjs tests/browser/conversations.test.mjs}
    if [[ $server == apache-cgi ]]; then browser=${SERVER_BROWSER_TESTS-tests/browser/accounts.test.mjs}; fi
    if [[ -n $browser ]]; then
      read -r -a bfiles <<<"$browser"
      echo "== $server: browser smoke test (${bfiles[*]})"
      node --test --test-concurrency=1 "${bfiles[@]}" || rc=1
    fi
    curl -fsS "$PARLEY_URL/healthz" >/dev/null || { echo "parley stopped answering behind $server"; rc=1; }
    echo "== $server: what the web server decides"
    if [[ $server == apache-cgi ]]; then check_cgi_front || rc=1; else check_front || rc=1; fi
    exit $rc
  ) || result=FAILED
  if sanitizer_reports "$VAR"/log/cgi/*; then
    echo "== sanitizer reports:"; cat "$VAR"/log/asan* "$VAR"/log/ubsan* "$VAR"/log/cgi/* 2>/dev/null | head -100; result=FAILED
  fi
  if grep -E "runtime error|AddressSanitizer" "$VAR"/log/parley*.log "$VAR"/log/events*.log "$VAR"/log/apache-cgi.log 2>/dev/null | head -20; then
    result=FAILED
  fi
  if [[ $result != passed ]]; then
    status=1
    # What the logs say about a failure that may not come back (the directory goes next).
    for f in "$VAR"/log/"$server"*.log "$VAR"/log/events.log "$VAR"/log/parley.log "$VAR"/log/postgres.log "$VAR"/log/redis.log; do
      [[ -s $f ]] || continue
      echo "----- $server: the last lines of $(basename "$f")"; tail -n 30 "$f"
    done
  fi
  summary+=("$server: $result ($((SECONDS - start)) s)")
  cleanup
  VAR=
done
echo "== web servers:"
printf '   %s\n' "${summary[@]}"
exit $status
