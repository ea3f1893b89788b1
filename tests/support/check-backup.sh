#!/bin/bash
# check-backup.sh — `parley backup` and `parley restore` round trip on a stack of its own
# (destructive: it wipes that stack's database and media): people, messages and files made
# through the API; a backup while Parley runs; a restore refused into the non-empty database;
# everything stopped, the database and the media directory wiped, the backup restored, the
# stack started again; the same people sign in and see the same history and file bytes.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
. "$ROOT/tests/support/scratch.sh"
check_stack backup
# parley ARGS…: the command line with the stack's settings.
parley() { ( set +u; . "$VAR/env"; exec "$BIN/parley" "$@" ); }
psql_stack() { ( set +u; . "$VAR/env"; exec psql "$PARLEY_DB" -XtAq "$@" ); }

deploy/local/stack.sh start >/dev/null
( set +u; . "$VAR/env"; export PARLEY_URL; node tests/support/backup-roundtrip.mjs seed "$VAR/state.json" )
# A link preview's image as the worker leaves it (previews/, named by its cache row's key).
PREVIEW=previews/ab/cd/abcd$(printf '0%.0s' {1..60}).webp
mkdir -p "$VAR/media/${PREVIEW%/*}" && printf 'RIFF\4\0\0\0WEBP' >"$VAR/media/$PREVIEW"
mkdir -p "$VAR/backups"
BK=$VAR/backups/first
out=$(parley backup "$BK" 2>&1) && ok "parley backup: ${out##*$'\n'}" || { fail "parley backup: $out"; exit 1; }
[[ -s $BK/database.dump && -s $BK/media.tar ]] && ok "the backup holds database.dump and media.tar" || fail "files missing in $BK"
python3 - "$BK/manifest.json" "$(ls sql/*.sql | sed 's|.*/0*||; s|_.*||' | sort -n | tail -n 1)" <<'PY' && ok "manifest.json names the schema version and date" || fail "manifest.json: $(cat "$BK/manifest.json")"
import json, re, sys
m = json.load(open(sys.argv[1]))
assert m["format"] == 1 and m["schema_version"] == int(sys.argv[2]), m
assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", m["created"]), m
assert m["database"]["bytes"] > 0 and m["media"]["bytes"] > 0, m
PY
# The listing is read whole: grep -q would stop at the first match and, with pipefail, tar's
# SIGPIPE would fail the pipeline even though the file is there.
listing=$(tar -tf "$BK/media.tar")
grep -q '^blobs/../../[0-9a-f]\{64\}$' <<<"$listing" && ok "media.tar holds the blobs" || fail "no blobs in media.tar"
# The photo was shown to the other member, so the worker had made its clean copy.
grep -q '^derived/../../[0-9a-f]\{64\}\.' <<<"$listing" && ok "media.tar holds what the worker derived" ||
  fail "no derived files in media.tar"
grep -qxF "$PREVIEW" <<<"$listing" && ok "media.tar holds the link previews' images" || fail "no previews/ in media.tar"
out=$(parley backup "$BK" 2>&1) && fail "a second backup into the same directory succeeded" ||
  { grep -q 'is not empty' <<<"$out" && ok "a backup refuses a directory that is not empty" || fail "backup into a used directory: $out"; }

# Restoring over the running, non-empty database is refused and changes nothing.
before=$(psql_stack -c 'SELECT count(*) FROM messages')
out=$(parley restore "$BK" 2>&1) && fail "restore into a non-empty database succeeded" ||
  { why=$(grep '^parley: .*is not empty.*--force' <<<"$out") && ok "restore refuses a non-empty database: ${why#parley: }" || fail "restore: $out"; }
[[ $(psql_stack -c 'SELECT count(*) FROM messages') == "$before" ]] && ok "the refused restore changed nothing" || fail "the refused restore changed the database"

# Everything stopped; the database and the media directory wiped.
deploy/local/stack.sh stop >/dev/null
deploy/local/stack.sh restart-postgres >/dev/null
( set +u; . "$VAR/env"; PGDB=${PARLEY_DB/dbname=parley/dbname=postgres}
  psql "$PGDB" -Xq -c 'DROP DATABASE parley' -c 'CREATE DATABASE parley' )
find "$VAR/media" -mindepth 1 -delete
[[ $(psql_stack -c "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'") == 0 && -z $(ls -A "$VAR/media") ]] &&
  ok "database and media directory wiped" || fail "the wipe left something"
mkdir -p "$VAR/media/blobs/aa/bb" && echo x >"$VAR/media/blobs/aa/bb/stray"
out=$(parley restore "$BK" 2>&1) && fail "restore into a non-empty media directory succeeded" ||
  { grep -q 'media directory .* is not empty' <<<"$out" && ok "restore refuses a media directory with files in it" || fail "restore: $out"; }
rm -rf "$VAR/media/blobs"
out=$(parley restore "$BK" 2>&1) && ok "parley restore: ${out##*$'\n'}" || { fail "parley restore: $out"; exit 1; }

deploy/local/stack.sh start >/dev/null
( set +u; . "$VAR/env"; export PARLEY_URL; node tests/support/backup-roundtrip.mjs verify "$VAR/state.json" ) &&
  ok "after the restore: same people, history and file bytes" || fail "the restored stack differs"
[[ -s $VAR/media/$PREVIEW ]] && ok "the link previews' images are back" || fail "$PREVIEW not restored"

# --force replaces a non-empty database (the one just restored, with one message more).
deploy/local/stack.sh stop >/dev/null
deploy/local/stack.sh restart-postgres >/dev/null
out=$(parley restore "$BK" --force 2>&1) && ok "parley restore --force over a non-empty database" || fail "restore --force: $out"
[[ $(psql_stack -c 'SELECT count(*) FROM messages') == "$before" ]] && ok "--force brought back the backup's messages exactly" ||
  fail "after --force: $(psql_stack -c 'SELECT count(*) FROM messages') messages, want $before"

if sanitizer_reports; then
  echo "== sanitizer reports:"; cat "$VAR"/log/asan* "$VAR"/log/ubsan* | head -50; status=1
fi
exit $status
