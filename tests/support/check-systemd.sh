#!/bin/bash
# check-systemd.sh — the units in deploy/systemd/ as systemd reads them: `systemd-analyze
# verify` on copies whose ExecStart= names the built programs (it checks that they exist and
# run), failing on any warning; every unit keeps its restart policy and hardening; and the
# example parley.env is a configuration the programs accept. Needs no running systemd.
#
#   tests/support/check-systemd.sh [BIN]     BIN: the built programs (default: build)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/support/scratch.sh"
BIN=$(cd "${1:-$ROOT/build}" && pwd)
UNITS=(parley.service parley-events.service parley-worker.service)
command -v systemd-analyze >/dev/null || { echo "$0: systemd-analyze is missing (apt-get install systemd)" >&2; exit 1; }
need_build "$BIN"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0
ok() { echo "ok - $*"; }
fail() { echo "not ok - $*"; status=1; }

# verify FILE...: systemd-analyze verify says nothing at all (it only warns about most mistakes).
verify() {
  local out rc=0
  out=$(systemd-analyze verify --man=no "$@" 2>&1) || rc=$?
  [[ $rc == 0 && -z $out ]] || { printf '%s\n' "$out"; return 1; }
}

for u in "${UNITS[@]}"; do
  sed "s|^ExecStart=/usr/local/bin/|ExecStart=$BIN/|" "$ROOT/deploy/systemd/$u" >"$tmp/$u"
done
if verify "${UNITS[@]/#/$tmp/}"; then ok "systemd-analyze verify: ${UNITS[*]}"; else fail "systemd-analyze verify"; fi

# The check itself sees mistakes: a misspelt setting and a missing program.
sed 's/^Restart=on-failure/Restat=on-failure/' "$tmp/parley.service" >"$tmp/misspelt.service"
if verify "$tmp/misspelt.service" >/dev/null; then fail "a misspelt setting passed"; else ok "a misspelt setting is caught"; fi
sed "s|^ExecStart=.*|ExecStart=$tmp/no-such-program|" "$tmp/parley.service" >"$tmp/noprog.service"
if verify "$tmp/noprog.service" >/dev/null; then fail "a missing program passed"; else ok "a missing program is caught"; fi

# What every unit must keep (deploy/systemd/README.md says why).
must=(User=parley Group=parley EnvironmentFile=/etc/parley/parley.env Restart=on-failure NoNewPrivileges=yes
      PrivateTmp=yes ProtectSystem=strict ProtectHome=yes ReadWritePaths=/var/lib/parley/media
      RuntimeDirectory= CapabilityBoundingSet=)
for u in "${UNITS[@]}"; do
  missing=()
  for m in "${must[@]}"; do grep -q "^$m" "$ROOT/deploy/systemd/$u" || missing+=("$m"); done
  if (( ${#missing[@]} )); then fail "$u lacks ${missing[*]}"; else ok "$u restarts on failure and is confined"; fi
done
for u in parley.service parley-events.service; do
  grep -q '^ReadWritePaths=.* /run/parley' "$ROOT/deploy/systemd/$u" && grep -q '^RuntimeDirectoryPreserve=yes' "$ROOT/deploy/systemd/$u" &&
    ok "$u may write its socket in /run/parley, kept while the other runs" || fail "$u: no writable /run/parley kept"
done

# parley.env as the `parley` command reads it (PARLEY_CONFIG): every setting known and valid.
out=$(env -i PATH=/usr/bin:/bin PARLEY_CONFIG="$ROOT/deploy/systemd/parley.env" PARLEY_BACKEND_TIMEOUT_MS=200 \
  "$BIN/parley" config check 2>&1) || true
if grep -q '^parley: configuration' <<<"$out"; then fail "parley.env: $out"
elif grep -q '^PARLEY_DB' <<<"$out" || grep -q 'postgresql:' <<<"$out"; then ok "parley.env is a valid configuration"
else fail "parley config check with parley.env said: $out"; fi
exit $status
