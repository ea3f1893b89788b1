# scratch.sh — sourced by the scripts that start a throwaway stack (tests, TSan, bench):
# scratch_var NAME exports VAR, a fresh directory /tmp/parley-NAME.XXXXXX readable by the
# `parley` PostgreSQL user; free_port prints a TCP port nobody listens on right now;
# bench_token registers a user on the running stack (benchmarks).

scratch_var() {
    VAR=$(mktemp -d "/tmp/parley-$1.XXXXXX")
    chmod 755 "$VAR"
    export VAR
}

# bench_token USER registers USER on the stack at $PARLEY_URL and prints its session token.
bench_token() {
    curl -fsS -X POST "$PARLEY_URL/api/v1/register" -H 'Content-Type: application/json' \
        -d "{\"username\":\"$1\",\"password\":\"bench-password\",\"display_name\":\"Bench\"}" |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])'
}

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# need_build DIR: Parley's four programs are built in DIR (or the script says how, and ends).
need_build() {
    local p
    for p in parley.fcgi parley-events.fcgi parley-worker parley; do
        [[ -x $1/$p ]] || { echo "$0: no $1/$p: build it first (make san, or make all)" >&2; exit 1; }
    done
}

# sanitizer_logs: AddressSanitizer and UBSan reports of the stack's programs go to
# $VAR/log/asan.* and ubsan.*, which the scripts look for afterwards.
sanitizer_logs() {
    export ASAN_OPTIONS="log_path=$VAR/log/asan:detect_leaks=0:abort_on_error=1"
    export UBSAN_OPTIONS="log_path=$VAR/log/ubsan:print_stacktrace=1:halt_on_error=1"
    mkdir -p "$VAR/log"
}

# test_stack_settings: what the API and browser tests expect of the stack they run against:
# fast start-up, a test SMTP server (tests/api/email.test.mjs reads its mails), 127.0.0.1 as
# the trusted proxy (the tests send X-Forwarded-For), a 1 s backend timeout, and test clocks:
# presence away after 4 s idle, a crashed hub's people gone within 6 s, stream credentials
# re-checked every 2 s (a backstop for a missed end); a push service stand-in.
test_stack_settings() {
    export STACK_FAST=1 STACK_SMTP=1 PARLEY_TRUSTED_PROXY=127.0.0.1 PARLEY_THREADS=${PARLEY_THREADS:-4}
    export PARLEY_BACKEND_TIMEOUT_MS=1000 PARLEY_PRESENCE_AWAY=4 PARLEY_PRESENCE_TTL=6 PARLEY_EVENTS_RECHECK=2
    # A Web Push service stand-in (tests/api/push.test.mjs), and pushes held 1 s so a message
    # read at once is not pushed.
    export STACK_PUSH=1 PARLEY_PUSH_DELAY=${PARLEY_PUSH_DELAY:-1}
    # A port for the outgoing webhooks' test receiver, which the stack lets the worker reach.
    export PARLEY_TEST_HOOK_PORT=${PARLEY_TEST_HOOK_PORT:-$(free_port)}
    # E-mail digests (tests/api/digest.test.mjs): a person's "minutes" of delay last 1 s each.
    export PARLEY_DIGEST_MINUTE=${PARLEY_DIGEST_MINUTE:-1}
}

# check_stack NAME: the set-up the tests/support/check-*.sh scripts share: the sanitizer
# build in BIN (which must exist), a scratch VAR with free ports for two nodes (PORT,
# PORT2), sanitizer reports kept under $VAR/log, the stack stopped and VAR removed on exit
# (KEEP_VAR=1 keeps it; a script may set CHECK_CLEANUP to a command run first), and
# ok/fail that print TAP-like lines and set status.
check_stack() {
    export BIN=${BIN:-$ROOT/build/san}
    need_build "$BIN"
    scratch_var "$1"
    PORT=$(free_port)
    PORT2=$(free_port)
    export PORT PORT2 STACK_FAST=1 PARLEY_THREADS=2 PARLEY_TRUSTED_PROXY=127.0.0.1
    sanitizer_logs
    mkdir -p "$VAR/run"
    CHECK_CLEANUP=${CHECK_CLEANUP:-}
    trap check_stack_cleanup EXIT
    status=0
}

check_stack_cleanup() {
    [[ -z $CHECK_CLEANUP ]] || eval "$CHECK_CLEANUP" || true
    deploy/local/stack.sh stop >/dev/null 2>&1 || true
    if [[ ${KEEP_VAR:-0} != 1 ]]; then rm -rf "$VAR"; else echo "kept $VAR"; fi
}

ok() { echo "ok - $*"; }
fail() { echo "not ok - $*"; status=1; }

# sanitizer_reports [GLOB...]: true when AddressSanitizer or UBSan wrote a report under
# $VAR/log (or in one of the extra GLOBs). One report of either kind is enough: `ls` of both
# patterns would fail, and so say nothing, whenever only one kind exists.
sanitizer_reports() {
    local f
    for f in "$VAR"/log/asan* "$VAR"/log/ubsan* "$@"; do
        [[ -e $f ]] && return 0
    done
    return 1
}
