#!/bin/bash
# check-haproxy.sh — two app nodes behind HAProxy (deploy/haproxy/parley.cfg.in) on a stack
# of its own: the configuration is valid, health checks see both nodes, an event crosses
# nodes, and a stream whose node dies reconnects through HAProxy with Last-Event-ID and gets
# every message sent meanwhile (tests/support/haproxy-failover.mjs); HAProxy then reports
# that node down.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
. "$ROOT/tests/support/scratch.sh"
PATH=$PATH:/usr/sbin
command -v haproxy >/dev/null || { echo "$0: haproxy is missing (deploy/install-deps.sh --test)" >&2; exit 1; }
HA_PID=
CHECK_CLEANUP='[[ -z $HA_PID ]] || kill "$HA_PID" 2>/dev/null'
check_stack haproxy
HPORT=$(free_port)

deploy/local/stack.sh start >/dev/null
deploy/local/stack.sh node2 start >/dev/null
# The template as shipped, plus one header naming the node that served (for the test only)
# and a stats socket to ask HAProxy what it thinks of the nodes.
sed -e "s|@BIND@|127.0.0.1:$HPORT|" -e "s|@NODE1@|127.0.0.1:$PORT|" -e "s|@NODE2@|127.0.0.1:$PORT2|" \
    -e "s|@PIDFILE@|$VAR/run/haproxy.pid|" \
    -e '/^    balance /a\    http-response set-header X-Parley-Node %s' \
    -e "/^    pidfile /a\    stats socket $VAR/run/haproxy.sock mode 600 level admin" \
    deploy/haproxy/parley.cfg.in >"$VAR/haproxy.cfg"
grep -q '@' <(grep -v '^ *#' "$VAR/haproxy.cfg") && fail "placeholders left in the configuration"
haproxy -c -q -f "$VAR/haproxy.cfg" && ok "haproxy -c accepts the configuration" || { fail "haproxy -c"; exit 1; }
( exec setsid haproxy -db -f "$VAR/haproxy.cfg" ) </dev/null >>"$VAR/log/haproxy.log" 2>&1 &
HA_PID=$!

# servers_up: how many servers HAProxy counts UP in the pages backend.
servers_up() {
  python3 - "$VAR/run/haproxy.sock" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.sendall(b"show stat\n")
out = b""
while chunk := s.recv(65536): out += chunk
rows = [l.split(",") for l in out.decode().splitlines() if l.startswith("parley_pages,node")]
print(sum(1 for r in rows if r[17].startswith("UP")))
PY
}
up=0
for ((i = 0; i < 100; i++)); do
  up=$(servers_up 2>/dev/null || echo 0)
  [[ $up == 2 ]] && break
  sleep 0.1
done
[[ $up == 2 ]] && ok "HAProxy's health checks (/healthz) see both nodes up" || fail "nodes up: $up"

( set +u; . "$VAR/env"; export PARLEY_URL PARLEY_URL2 VAR HAPROXY_URL=http://127.0.0.1:$HPORT
  node tests/support/haproxy-failover.mjs ) || fail "the failover through HAProxy"

for ((i = 0; i < 50; i++)); do
  up=$(servers_up 2>/dev/null || echo 0)
  [[ $up == 1 ]] && break
  sleep 0.1
done
[[ $up == 1 ]] && ok "HAProxy takes the dead node out (one server up)" || fail "servers up after the failure: $up"
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "http://127.0.0.1:$HPORT/healthz")
[[ $code == 200 ]] && ok "/healthz through HAProxy still answers 200" || fail "/healthz through HAProxy: $code"

if sanitizer_reports; then
  echo "== sanitizer reports:"; cat "$VAR"/log/asan* "$VAR"/log/ubsan* | head -50; status=1
fi
exit $status
