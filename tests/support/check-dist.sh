#!/bin/bash
# check-dist.sh ARCHIVE VERSION — the release archive of `make dist`: every file git tracks
# at HEAD under parley-VERSION/, a VERSION file naming the release and the commit, nothing
# of the checkout's own (build output, state, node_modules, .git); unpacked elsewhere it
# builds the programs, passes `make check` and reports VERSION.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
archive=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
version=$2
top=parley-$version
status=0
ok() { echo "ok - $*"; }
fail() { echo "not ok - $*"; status=1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

tar -tzf "$archive" | sed -e "s|^$top/||" -e '/\/$/d' -e '/^$/d' | sort >"$tmp/in-archive"
git -C "$ROOT" ls-tree -r --name-only HEAD | sort >"$tmp/tracked"
if missing=$(comm -23 "$tmp/tracked" "$tmp/in-archive") && [[ -z $missing ]]; then
  ok "every file git tracks is in the archive ($(wc -l <"$tmp/tracked") files)"
else fail "missing from the archive: $(head -5 <<<"$missing")"; fi
extra=$(comm -13 "$tmp/tracked" "$tmp/in-archive")
[[ $extra == VERSION ]] && ok "the only file added is VERSION" || fail "files beyond git's: $extra"
if tar -tzf "$archive" | grep -v "^$top/" | head -1 | grep -q .; then fail "entries outside $top/"; else ok "everything lies under $top/"; fi
if tar -tzf "$archive" | grep -E "^$top/(build|var|\.git)/|node_modules/" | head -3 | grep .; then
  fail "build output, state or .git in the archive"
else ok "no build output, state, node_modules or .git"; fi

tar -xzf "$archive" -C "$tmp"
src=$tmp/$top
[[ $(sed -n 1p "$src/VERSION") == "$version" && $(sed -n 2p "$src/VERSION") == "$(git -C "$ROOT" rev-parse HEAD)" ]] &&
  ok "VERSION says $version and the commit" || fail "VERSION: $(cat "$src/VERSION")"
[[ $(make -s -C "$src" version) == "$version" ]] && ok "the unpacked Makefile builds version $version" || fail "make version in the archive"
if make -s -C "$src" -j2 all >"$tmp/build.log" 2>&1; then ok "the unpacked archive builds the programs"
else tail -20 "$tmp/build.log"; fail "the unpacked archive does not build"; fi
rc=0; "$src/build/parley" >/dev/null 2>"$tmp/usage" || rc=$?
[[ $rc == 2 ]] && grep -q 'parley backup DIR' "$tmp/usage" && ok "its parley command runs (usage, exit 2)" || fail "build/parley: exit $rc"
grep -aq "\"$version\"\\|$version" "$src/build/parley.fcgi" && ok "parley.fcgi carries version $version" || fail "no $version in parley.fcgi"
make -s -C "$src" check >/dev/null 2>&1 && ok "make check passes in the unpacked archive" || fail "make check in the archive"
exit $status
