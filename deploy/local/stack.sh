#!/usr/bin/env bash
# A complete local Parley stack in one state directory: PostgreSQL and Redis on unix
# sockets, parley.fcgi, the events hub parley-events.fcgi, the job worker parley-worker, and
# a web server (lighttpd, or nginx or Apache: FRONT) on 127.0.0.1:$PORT. For development
# and the tests.
#
#   deploy/local/stack.sh start|stop|restart|run|status
#   deploy/local/stack.sh restart-events    restart only the events hub (after a crash, say)
#   deploy/local/stack.sh worker start|stop|restart   only the job workers (of both nodes)
#   deploy/local/stack.sh restart-postgres  stop and start PostgreSQL (the programs reconnect)
#   deploy/local/stack.sh upgrade           node 1's parley.fcgi replaced by the build in BIN
#                                           without refusing a request: migrate, start the
#                                           new one, hand it the socket, drain the old one
#   deploy/local/stack.sh restart-redis     stop and start Redis (sessions survive: its
#                                           append-only file is written every second)
#   deploy/local/stack.sh node2 start|stop  a second app node on port $PORT2 that shares the
#                                           stack's PostgreSQL and Redis: its own parley.fcgi,
#                                           parley-events.fcgi, parley-worker and web server
#                                           (`stop` stops it too)
#
# Environment:
#   VAR             state directory (default: <repo>/var)
#   PORT            HTTP port on 127.0.0.1 (default: 8080)
#   PORT2           HTTP port of the second node (default: PORT + 1; node2 takes PORT from
#                   the running stack's $VAR/env unless PORT is given)
#   BIN             directory with the built parley.fcgi, parley-events.fcgi, parley-worker
#                   and parley (default: <repo>/build; restart-events, worker and node2
#                   default to the directory `start` used)
#   PGPORT          PostgreSQL port; only names its socket file (default: 5432)
#   PARLEY_THREADS  worker threads of parley.fcgi (default: 8)
#   PARLEY_*        passed through to the programs (and recorded in $VAR/env)
#   PARLEY_FCGI_WRAPPER  command prefix for parley.fcgi, e.g. "valgrind -q" (optional)
#   STACK_FAST=1    PostgreSQL without fsync: faster, for throwaway test stacks only
#   STACK_PGSS=1    PostgreSQL loads pg_stat_statements (`CREATE EXTENSION pg_stat_statements`
#                   then shows what each statement costs: for profiling a benchmark)
#   STACK_SUPERVISE=1  `start` (and `run`) leave a supervisor ($RUN/supervise.pid, its log
#                   $LOG/supervise.log) that restarts node 1's parley.fcgi,
#                   parley-events.fcgi or parley-worker when one exits unasked, and says so;
#                   `stop` stops it. What `make run` uses; never the test stacks, which stop
#                   programs on purpose.
#   STACK_SMTP=1    a test SMTP server too (tests/support/smtp-sink.py, python3-aiosmtpd) on a
#                   free port, keeping every mail as a file in $VAR/mail/new/; the programs
#                   get PARLEY_SMTP_URL, PARLEY_SMTP_TLS=none, PARLEY_MAIL_FROM and
#                   PARLEY_MAIL_DIR (the tests read the mails there). The test scripts set it.
#   STACK_PUSH=1    a Web Push service stand-in too (tests/support/push-service.mjs, node) on a
#                   free port, and a fresh VAPID key pair; the programs get PARLEY_VAPID_*,
#                   PARLEY_OUTBOUND_ALLOW for the stand-in and PARLEY_PUSH_SERVICE (its URL,
#                   for the tests). The test scripts set it. STACK_PUSH=bench: the stand-in
#                   accepts any endpoint under it without decrypting (tests/bench/push.sh).
#   BENCH_HELLO_SOCKET   route /bench/hello* to this FastCGI socket (benchmarks; lighttpd)
#   FRONT           the web server: lighttpd (default), nginx or apache, each from its
#                   template in deploy/<server>/ (written to $VAR/<server>.conf). `start`
#                   records it; the other commands use the running stack's unless FRONT is
#                   given. As root, nginx's and Apache's workers run as the user `parley`,
#                   and the FastCGI sockets are given its group.
#
# $VAR/env holds the programs' environment as `export K='V'` lines (and PARLEY_URL2 while
# the second node runs):
#   . "$VAR/env" && "$BIN/parley" migrate
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)
PROG=stack.sh

# When a start fails half-way, stop what it started (STOP_ON_DIE is set by do_start, and
# set to 2 by do_node2_start).
STOP_ON_DIE=0
die() {
    echo "$PROG: $*" >&2
    if (( STOP_ON_DIE == 2 )); then STOP_ON_DIE=0; do_node2_stop >&2    # node2 start: only node 2
    elif (( STOP_ON_DIE )); then STOP_ON_DIE=0; do_stop >&2; fi
    exit 1
}
say() { echo "$PROG: $*"; }

VAR=${VAR:-$ROOT/var}
PORT_GIVEN=${PORT:+1}
PORT2_GIVEN=${PORT2:+1}
PORT=${PORT:-8080}
BIN_GIVEN=${BIN:+1}
BIN=${BIN:-$ROOT/build}
PGPORT=${PGPORT:-5432}
PARLEY_THREADS=${PARLEY_THREADS:-8}
STACK_FAST=${STACK_FAST:-0}
STACK_SUPERVISE=${STACK_SUPERVISE:-0}

[[ $PORT =~ ^[0-9]+$ ]] || die "PORT must be a number, not '$PORT'"
[[ $PGPORT =~ ^[0-9]+$ ]] || die "PGPORT must be a number, not '$PGPORT'"
PORT2=${PORT2:-$((PORT + 1))}
[[ $PORT2 =~ ^[0-9]+$ ]] || die "PORT2 must be a number, not '$PORT2'"

mkdir -p "$VAR"
VAR=$(cd "$VAR" && pwd -P)
# A unix socket path holds at most 107 bytes; the longest one here is PostgreSQL's lock file.
(( ${#VAR} + ${#PGPORT} + 22 <= 107 )) || die "VAR is too long for unix socket paths: $VAR"
if [[ -d $BIN ]]; then BIN=$(cd "$BIN" && pwd -P); fi

RUN=$VAR/run
LOG=$VAR/log
# Uploads live here (shared by both nodes); an absolute path without symlinks, because the
# web server sends downloads from it (X-Sendfile) and checks that they lie below it.
MEDIA_DIR=${PARLEY_MEDIA_DIR:-$VAR/media}
mkdir -p "$MEDIA_DIR"
MEDIA_DIR=$(cd "$MEDIA_DIR" && pwd -P)
URL=http://127.0.0.1:$PORT
URL2=http://127.0.0.1:$PORT2
FCGI_SOCK=$RUN/parley.sock
EVENTS_SOCK=$RUN/events.sock
REDIS_SOCK=$RUN/redis.sock
PGDATA=$VAR/pg
# The web server: given, else the running stack's, else lighttpd.
if [[ -z ${FRONT:-} ]]; then
    FRONT=
    { read -r FRONT <"$RUN/front"; } 2>/dev/null || true
    FRONT=${FRONT:-lighttpd}
fi
case $FRONT in
    lighttpd) FRONT_PROG=lighttpd ;;
    nginx) FRONT_PROG=nginx ;;
    apache|apache2) FRONT=apache; FRONT_PROG=apache2 ;;
    *) die "FRONT must be lighttpd, nginx or apache, not '$FRONT'" ;;
esac
# The second node's files carry the suffix 2: parley2.sock, events2.pid, lighttpd2.conf, …
# The web server's files are named after FRONT: $VAR/nginx.conf, $RUN/nginx.pid, $LOG/nginx.log.
# Functions that serve both nodes take the suffix ("" or 2) as their first argument.

# PostgreSQL refuses to run as root: then it runs as the system user `parley`.
PG_OSUSER=
if (( EUID == 0 )); then PG_OSUSER=parley; fi

as_pg() {
    if [[ -n $PG_OSUSER ]]; then runuser -u "$PG_OSUSER" -- "$@"; else "$@"; fi
}

pg_bindir() {
    local d
    d=$(printf "%s\n" /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
    [[ -n $d && -x $d/pg_ctl ]] || die "PostgreSQL is not installed (run deploy/install-deps.sh)"
    echo "$d"
}

# pid_of PIDFILE: the pid it holds, or nothing. (Builtins only: forks are slow on small VMs.)
pid_of() {
    local l=
    { read -r l <"$1"; } 2>/dev/null || true
    printf '%s' "${l//[!0-9]/}"
}

# pid_running PID: the process exists and is not a zombie waiting to be reaped.
pid_running() {
    local st=
    [[ -n $1 ]] && { read -r st <"/proc/$1/stat"; } 2>/dev/null || return 1
    st=${st##*) }
    [[ ${st:0:1} != Z ]]
}

# is_alive PIDFILE NAME: the pid in PIDFILE runs and its command line mentions NAME
# (so a pid reused by another program after a crash does not count).
is_alive() {
    local pid args=()
    pid=$(pid_of "$1")
    pid_running "$pid" || return 1
    { mapfile -d '' -t args <"/proc/$pid/cmdline"; } 2>/dev/null || return 1
    [[ " ${args[*]} " == *"$2"* ]]
}

# stop_pidfile PIDFILE NAME: TERM, wait up to 10 s, then KILL (and wait for it to be gone);
# quiet when not running.
stop_pidfile() {
    local pidfile=$1 name=$2 pid i
    if is_alive "$pidfile" "$name"; then
        pid=$(pid_of "$pidfile")
        kill -TERM "$pid" 2>/dev/null || true
        for ((i = 0; i < 100; i++)); do
            pid_running "$pid" || break
            sleep 0.1
        done
        if pid_running "$pid"; then
            say "$name did not stop, killing it"
            kill -KILL "$pid" 2>/dev/null || true
            # Gone only once the kernel has torn it down (a large process takes a moment):
            # whoever runs stop next relies on it.
            for ((i = 0; i < 50; i++)); do
                pid_running "$pid" || break
                sleep 0.1
            done
        fi
        say "stopped $name"
    fi
    rm -f "$pidfile"
}

show_logs() {
    local f
    for f in "$LOG/migrate.log" "$LOG/parley.log" "$LOG/events.log" "$LOG/worker.log" "$LOG/$FRONT.log" \
            "$LOG/supervise.log" "$LOG/redis.log" "$LOG/postgres.log" "$LOG/parley2.log" "$LOG/events2.log" "$LOG/worker2.log" \
            "$LOG/${FRONT}2.log"; do
        [[ -s $f ]] || continue
        echo "----- tail of $f" >&2
        tail -n 30 "$f" >&2
    done
}

# sq VALUE: VALUE as one single-quoted shell word.
sq() { printf "'%s'" "${1//\'/\'\\\'\'}"; }

# Make $VAR/pg reachable for the PostgreSQL user when we are root.
check_pg_user() {
    [[ -n $PG_OSUSER ]] || return 0
    if ! id -u "$PG_OSUSER" >/dev/null 2>&1; then
        useradd --system --no-create-home --shell /usr/sbin/nologin "$PG_OSUSER" ||
            die "could not create the system user $PG_OSUSER"
        say "created system user $PG_OSUSER (PostgreSQL does not run as root)"
    fi
    # The state directory itself is ours (mktemp -d makes it 0700): let others traverse it.
    chmod go+x "$VAR"
    if ! runuser -u "$PG_OSUSER" -- test -x "$VAR"; then
        # Name the first directory on the way down that the user cannot enter.
        local d=
        local -a parts
        IFS=/ read -r -a parts <<<"${VAR#/}"
        for p in "${parts[@]}"; do
            runuser -u "$PG_OSUSER" -- test -x "$d/" ||
                die "user $PG_OSUSER cannot enter ${d:-/} (PostgreSQL's data is under $VAR): chmod o+x ${d:-/}, or choose another VAR"
            d=$d/$p
        done
        die "user $PG_OSUSER cannot enter $VAR"
    fi
}

make_dirs() {
    mkdir -p "$VAR"/{pg,redis,run,log,tmp}
    chmod 0700 "$PGDATA"
    chmod 0755 "$RUN"
    touch "$LOG/postgres.log"
    if [[ -n $PG_OSUSER ]]; then
        chown "$PG_OSUSER": "$PGDATA" "$RUN" "$LOG/postgres.log"
    fi
}

start_postgres() {
    local pgbin pid
    pgbin=$(pg_bindir)
    if [[ ! -f $PGDATA/PG_VERSION ]]; then
        # A half-made data directory (initdb interrupted) is useless: start over.
        find "$PGDATA" -mindepth 1 -delete
        say "initdb in $PGDATA"
        local sync=()
        (( STACK_FAST == 1 )) && sync=(--no-sync)
        if ! as_pg "$pgbin/initdb" -D "$PGDATA" -U parley --auth=trust -E UTF8 --locale=C.UTF-8 \
                "${sync[@]}" >"$LOG/initdb.log" 2>&1; then
            find "$PGDATA" -mindepth 1 -delete
            as_pg "$pgbin/initdb" -D "$PGDATA" -U parley --auth=trust -E UTF8 --locale=C \
                "${sync[@]}" >"$LOG/initdb.log" 2>&1 || { cat "$LOG/initdb.log" >&2; die "initdb failed"; }
        fi
        echo "include_if_exists = 'stack.conf'" >>"$PGDATA/postgresql.conf"
    fi
    # Settings from this run's environment; read by postgresql.conf's include.
    {
        echo "# written by deploy/local/stack.sh on every start"
        echo "listen_addresses = ''"
        echo "unix_socket_directories = '${RUN//\'/\'\'}'"
        echo "unix_socket_permissions = 0700"
        echo "port = $PGPORT"
        [[ -n ${STACK_PGSS:-} ]] && echo "shared_preload_libraries = 'pg_stat_statements'"
        if (( STACK_FAST == 1 )); then
            echo "fsync = off"
            echo "synchronous_commit = off"
            echo "full_page_writes = off"
        fi
    } >"$VAR/tmp/stack.conf"
    [[ -n $PG_OSUSER ]] && chown "$PG_OSUSER": "$VAR/tmp/stack.conf"
    as_pg cp "$VAR/tmp/stack.conf" "$PGDATA/stack.conf"
    rm -f "$VAR/tmp/stack.conf"

    pg_ready() { "$pgbin/pg_isready" -q -h "$RUN" -p "$PGPORT"; }
    pg_proc() { pid_running "$1" && grep -q postgres "/proc/$1/comm" 2>/dev/null; }
    pid=$(pid_of "$PGDATA/postmaster.pid")
    local i
    if ! pg_ready; then
        # A postmaster that is starting up or going down gets up to 10 s.
        for ((i = 0; i < 100; i++)); do
            pg_proc "$pid" || break
            pg_ready && break
            sleep 0.1
        done
    fi
    if pg_ready; then
        say "PostgreSQL is already running"
    elif pg_proc "$pid"; then
        die "PostgreSQL (pid $pid) runs on $PGDATA but does not answer; see $LOG/postgres.log"
    else
        # After a crash the pid file is stale. A killed postmaster may linger as a zombie
        # until reaped, and PostgreSQL's own check (kill(pid, 0)) counts it as running.
        for ((i = 0; i < 50; i++)); do
            [[ -n $pid && -e /proc/$pid ]] || break
            sleep 0.1
        done
        rm -f "$PGDATA/postmaster.pid"
        rm -f "$RUN/.s.PGSQL.$PGPORT" "$RUN/.s.PGSQL.$PGPORT.lock"
        as_pg "$pgbin/pg_ctl" start -w -t 60 -D "$PGDATA" -l "$LOG/postgres.log" >/dev/null 9>&- ||
            { show_logs; die "PostgreSQL did not start"; }
        say "PostgreSQL is running (socket $RUN/.s.PGSQL.$PGPORT)"
    fi
    local have
    have=$("$pgbin/psql" -h "$RUN" -p "$PGPORT" -U parley -d postgres -XtAc \
        "SELECT 1 FROM pg_database WHERE datname = 'parley'") || die "cannot connect to PostgreSQL"
    if [[ $have != 1 ]]; then
        "$pgbin/createdb" -h "$RUN" -p "$PGPORT" -U parley parley || die "createdb failed"
        say "created database parley"
    fi
}

stop_postgres() {
    [[ -f $PGDATA/PG_VERSION ]] || return 0
    local pgbin
    pgbin=$(pg_bindir)
    if as_pg "$pgbin/pg_ctl" status -D "$PGDATA" >/dev/null 2>&1; then
        as_pg "$pgbin/pg_ctl" stop -D "$PGDATA" -m fast -w -t 60 >/dev/null 2>&1 || true
        say "stopped PostgreSQL"
    fi
}

redis_ping() { [[ $(redis-cli -s "$REDIS_SOCK" ping 2>/dev/null) == PONG ]]; }

start_redis() {
    command -v redis-server >/dev/null || die "redis-server is not installed (run deploy/install-deps.sh)"
    if is_alive "$RUN/redis.pid" redis-server && redis_ping; then
        say "Redis is already running"
        return 0
    fi
    stop_pidfile "$RUN/redis.pid" redis-server
    rm -f "$REDIS_SOCK"
    redis-server --port 0 --unixsocket "$REDIS_SOCK" --unixsocketperm 770 \
        --dir "$VAR/redis" --save '' --appendonly yes --appendfsync everysec \
        --daemonize yes --pidfile "$RUN/redis.pid" --logfile "$LOG/redis.log" \
        </dev/null >/dev/null 9>&- || { show_logs; die "Redis did not start"; }
    local i
    for ((i = 0; i < 100; i++)); do
        redis_ping && { say "Redis is running (socket $REDIS_SOCK)"; return 0; }
        sleep 0.1
    done
    show_logs
    die "Redis does not answer on $REDIS_SOCK"
}

write_env() {
    local k tmp=$VAR/env.tmp
    {
        echo "# Parley's environment, written by deploy/local/stack.sh"
        echo "export PARLEY_DB=$(sq "host=$RUN port=$PGPORT dbname=parley user=parley")"
        echo "export PARLEY_REDIS=$(sq "unix:$REDIS_SOCK")"
        echo "export PARLEY_LISTEN=$(sq "$FCGI_SOCK")"
        echo "export PARLEY_EVENTS_LISTEN=$(sq "$EVENTS_SOCK")"
        echo "export PARLEY_URL=$(sq "$URL")"
        echo "export PARLEY_TEMPLATES=$(sq "$ROOT/templates")"
        echo "export PARLEY_VAR=$(sq "$VAR")"
        echo "export PARLEY_LOG=$(sq "$LOG/parley.log")"
        echo "export PARLEY_THREADS=$(sq "$PARLEY_THREADS")"
        echo "export PARLEY_MEDIA_DIR=$(sq "$MEDIA_DIR")"
        # Downloads leave through the web server: nginx by X-Accel-Redirect, lighttpd and
        # Apache (mod_xsendfile) by X-Sendfile.
        local sendfile=x-sendfile
        [[ $FRONT == nginx ]] && sendfile=x-accel-redirect
        echo "export PARLEY_SENDFILE=$(sq "${PARLEY_SENDFILE:-$sendfile}")"
        # A running second node keeps its address.
        if node2_alive; then grep '^export PARLEY_URL2=' "$VAR/env" 2>/dev/null || true; fi
        # Any other PARLEY_* setting of the caller passes through.
        while IFS= read -r k; do
            case $k in
                PARLEY_DB|PARLEY_REDIS|PARLEY_LISTEN|PARLEY_EVENTS_LISTEN|PARLEY_URL|PARLEY_URL2|PARLEY_TEMPLATES|\
                PARLEY_VAR|PARLEY_LOG|PARLEY_THREADS|PARLEY_FCGI_WRAPPER|PARLEY_MEDIA_DIR|PARLEY_SENDFILE) ;;
                *) echo "export $k=$(sq "${!k}")" ;;
            esac
        done < <(compgen -e | grep '^PARLEY_' || true)
    } >"$tmp"
    mv -f "$tmp" "$VAR/env"
}

# start_smtp_sink: with STACK_SMTP=1, the test SMTP server on a free port of 127.0.0.1 (it
# writes the port it took to $RUN/smtp.port), and its settings exported for write_env.
start_smtp_sink() {
    [[ ${STACK_SMTP:-0} == 1 ]] || return 0
    /usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null ||
        die "STACK_SMTP=1 needs python3-aiosmtpd (deploy/install-deps.sh --test)"
    stop_pidfile "$RUN/smtp.pid" smtp-sink.py
    rm -f "$RUN/smtp.port"
    ( exec setsid /usr/bin/python3 "$ROOT/tests/support/smtp-sink.py" --dir "$VAR/mail" --port-file "$RUN/smtp.port" ) \
        </dev/null >>"$LOG/smtp.log" 2>&1 9>&- &
    echo $! >"$RUN/smtp.pid"
    local i port=
    for ((i = 0; i < 100; i++)); do
        { read -r port <"$RUN/smtp.port"; } 2>/dev/null || true
        [[ -n $port ]] && break
        pid_running "$(pid_of "$RUN/smtp.pid")" || { cat "$LOG/smtp.log" >&2; die "the test SMTP server exited"; }
        sleep 0.1
    done
    [[ -n $port ]] || die "the test SMTP server did not start"
    export PARLEY_SMTP_URL=smtp://127.0.0.1:$port PARLEY_SMTP_TLS=none PARLEY_MAIL_DIR=$VAR/mail
    export PARLEY_MAIL_FROM=${PARLEY_MAIL_FROM:-Parley <parley@example.test>}
    say "test SMTP server on 127.0.0.1:$port (mails in $VAR/mail/new)"
}

# start_push_service: with STACK_PUSH=1, the push service stand-in on a free port of 127.0.0.1
# (its port in $RUN/push.port) and the settings that point Parley at it, exported for
# write_env. A running stack's keys are kept: subscriptions made with them stay valid.
start_push_service() {
    [[ ${STACK_PUSH:-0} == 1 || ${STACK_PUSH:-0} == bench ]] || return 0
    local mode=()
    [[ $STACK_PUSH == bench ]] && mode=(--bench)
    if [[ -z ${PARLEY_VAPID_PUBLIC:-} ]]; then
        if [[ -f $VAR/env ]] && grep -q '^export PARLEY_VAPID_PUBLIC=' "$VAR/env"; then
            eval "$(grep -E '^export PARLEY_VAPID_(PUBLIC|PRIVATE|SUBJECT)=' "$VAR/env")"
        else
            eval "$("$BIN/parley" push keys | grep '^PARLEY_VAPID_' | sed 's/^/export /')"
            export PARLEY_VAPID_SUBJECT=mailto:admin@example.test
        fi
    fi
    stop_pidfile "$RUN/push.pid" push-service.mjs
    rm -f "$RUN/push.port"
    ( exec setsid node "$ROOT/tests/support/push-service.mjs" --vapid-public "$PARLEY_VAPID_PUBLIC" \
        --port-file "$RUN/push.port" "${mode[@]}" ) </dev/null >>"$LOG/push.log" 2>&1 9>&- &
    echo $! >"$RUN/push.pid"
    local i port=
    for ((i = 0; i < 100; i++)); do
        { read -r port <"$RUN/push.port"; } 2>/dev/null || true
        [[ -n $port ]] && break
        pid_running "$(pid_of "$RUN/push.pid")" || { cat "$LOG/push.log" >&2; die "the push service stand-in exited"; }
        sleep 0.1
    done
    [[ -n $port ]] || die "the push service stand-in did not start"
    export PARLEY_OUTBOUND_ALLOW=127.0.0.1:$port PARLEY_PUSH_SERVICE=http://127.0.0.1:$port
    # The tests' outgoing webhook receiver (tests/api/webhooks.test.mjs) listens on this port.
    [[ -n ${PARLEY_TEST_HOOK_PORT:-} ]] && PARLEY_OUTBOUND_ALLOW+=,127.0.0.1:$PARLEY_TEST_HOOK_PORT
    say "push service stand-in on 127.0.0.1:$port"
}

migrate() {
    if ! ( set +u; . "$VAR/env"; exec "$BIN/parley" migrate ) </dev/null >"$LOG/migrate.log" 2>&1 9>&-; then
        echo "----- $LOG/migrate.log" >&2
        cat "$LOG/migrate.log" >&2
        die "parley migrate failed"
    fi
}

# node_env N: (in a subshell) the programs' environment for node N ("" or 2).
node_env() {
    set +u
    . "$VAR/env"
    export PARLEY_LISTEN=$RUN/parley$1.sock PARLEY_EVENTS_LISTEN=$RUN/events$1.sock PARLEY_LOG=$LOG/parley$1.log
    # Node 2 streams downloads itself while node 1 leaves them to lighttpd (X-Sendfile), so
    # that both ways are exercised against the same files.
    if [[ $1 == 2 ]]; then export PARLEY_SENDFILE=off; fi
}

# share_socket SOCKET: as root, the web server's workers (user parley, when FRONT is nginx or
# Apache) may connect: the programs make their sockets 0770.
share_socket() {
    [[ -n $PG_OSUSER ]] || return 0
    chgrp "$PG_OSUSER" "$1" || die "cannot give $1 to group $PG_OSUSER"
}

# start_fcgi [N]: parley.fcgi of node N ("" the first, 2 the second).
start_fcgi() {
    local n=${1:-}
    local sock=$RUN/parley$n.sock
    stop_pidfile "$RUN/parley$n.pid" parley.fcgi
    rm -f "$sock"
    local wrapper=()
    # Word-split on purpose: the wrapper is a command prefix such as "valgrind -q".
    [[ -n ${PARLEY_FCGI_WRAPPER:-} ]] && read -r -a wrapper <<<"$PARLEY_FCGI_WRAPPER"
    ( node_env "$n"; cd "$VAR"; exec setsid "${wrapper[@]}" "$BIN/parley.fcgi" ) \
        </dev/null >>"$LOG/parley$n.log" 2>&1 9>&- &
    local pid=$! i
    echo "$pid" >"$RUN/parley$n.pid"
    for ((i = 0; i < 200; i++)); do
        [[ -S $sock ]] && { share_socket "$sock"; return 0; }
        pid_running "$pid" || { show_logs; die "parley.fcgi exited"; return 1; }
        sleep 0.1
    done
    show_logs
    die "parley.fcgi did not create its socket $sock"
}

# start_events [N]: the events hub of node N; same shape as parley.fcgi, its own socket and
# pid file.
start_events() {
    local n=${1:-}
    local sock=$RUN/events$n.sock
    stop_pidfile "$RUN/events$n.pid" parley-events.fcgi
    rm -f "$sock"
    ( node_env "$n"; cd "$VAR"; exec setsid "$BIN/parley-events.fcgi" ) \
        </dev/null >>"$LOG/events$n.log" 2>&1 9>&- &
    local pid=$! i
    echo "$pid" >"$RUN/events$n.pid"
    for ((i = 0; i < 200; i++)); do
        [[ -S $sock ]] && { share_socket "$sock"; return 0; }
        pid_running "$pid" || { show_logs; die "parley-events.fcgi exited"; return 1; }
        sleep 0.1
    done
    show_logs
    die "parley-events.fcgi did not create its socket $sock"
}

# start_worker [N]: the job worker of node N. It has no socket: it counts as started once it
# has logged that it runs (a bad setting makes it exit at once).
start_worker() {
    local n=${1:-}
    local log=$LOG/worker$n.log
    stop_pidfile "$RUN/worker$n.pid" parley-worker
    local lines=0
    [[ -f $log ]] && lines=$(wc -l <"$log")
    ( node_env "$n"; cd "$VAR"; exec setsid "$BIN/parley-worker" ) </dev/null >>"$log" 2>&1 9>&- &
    local pid=$! i
    echo "$pid" >"$RUN/worker$n.pid"
    for ((i = 0; i < 200; i++)); do
        tail -n +"$((lines + 1))" "$log" 2>/dev/null | grep -q "parley-worker .* running" && return 0
        pid_running "$pid" || { show_logs; die "parley-worker exited"; return 1; }
        sleep 0.1
    done
    show_logs
    die "parley-worker did not start"
}

sed_escape() { printf '%s' "$1" | sed -e 's/[\\|&]/\\&/g'; }

# write_lighttpd_conf [N]: $VAR/lighttpd$N.conf from the template, for node N.
write_lighttpd_conf() {
    local n=${1:-}
    local tmp=$VAR/lighttpd$n.conf.tmp port=$PORT
    [[ -n $n ]] && port=$PORT2
    # The template names its error log; the second node writes its own.
    sed -e "s|@VAR@/log/lighttpd.log|@VAR@/log/lighttpd$n.log|g" \
        -e "s|@PORT@|$port|g" \
        -e "s|@ROOT@|$(sed_escape "$ROOT")|g" \
        -e "s|@VAR@|$(sed_escape "$VAR")|g" \
        -e "s|@SOCKET@|$(sed_escape "$RUN/parley$n.sock")|g" \
        -e "s|@EVENTS_SOCKET@|$(sed_escape "$RUN/events$n.sock")|g" \
        -e "s|@MEDIA@|$(sed_escape "$MEDIA_DIR")|g" \
        -e "s|@UPLOAD_KB@|$(( (${PARLEY_MAX_UPLOAD:-104857600} + 1048576) / 1024 + 1 ))|g" \
        "$ROOT/deploy/lighttpd/parley.conf.in" >"$tmp"
    if [[ -n ${BENCH_HELLO_SOCKET:-} ]]; then
        cat >>"$tmp" <<EOF

# Benchmark hook (BENCH_HELLO_SOCKET): a trivial responder started by the benchmark.
\$HTTP["url"] =~ "^/bench/hello" {
    fastcgi.server = ( "/" => (( "socket" => "$BENCH_HELLO_SOCKET", "check-local" => "disable" )) )
}
EOF
    fi
    if [[ -n ${BENCH_STATIC_DIR:-} ]]; then
        cat >>"$tmp" <<EOF

# Benchmark hook (BENCH_STATIC_DIR): plain static files, the ceiling for downloads.
\$HTTP["url"] =~ "^/bench/static/" {
    alias.url = ( "/bench/static/" => "$BENCH_STATIC_DIR/" )
    fastcgi.server = ()
}
EOF
    fi
    mv -f "$tmp" "$VAR/lighttpd$n.conf"
    lighttpd -tt -f "$VAR/lighttpd$n.conf" >"$LOG/lighttpd$n-check.log" 2>&1 ||
        { cat "$LOG/lighttpd$n-check.log" >&2; die "lighttpd rejects $VAR/lighttpd$n.conf"; }
}

# front_user: the user nginx's and Apache's workers run as: `parley` when we are root
# (Apache refuses to serve as root), else ourselves (then they ignore the setting).
front_user() { if [[ -n $PG_OSUSER ]]; then echo "$PG_OSUSER"; else id -un; fi; }
front_group() { if [[ -n $PG_OSUSER ]]; then echo "$PG_OSUSER"; else id -gn; fi; }

# write_front_conf [N]: $VAR/$FRONT$N.conf from deploy/$FRONT/parley.conf.in, for node N
# (nginx and Apache; lighttpd has write_lighttpd_conf).
write_front_conf() {
    local n=${1:-} port=$PORT
    local conf=$VAR/$FRONT$n.conf tmp=$VAR/$FRONT$n.conf.tmp user group
    [[ -n $n ]] && port=$PORT2
    user=$(front_user)
    group=$(front_group)
    # The web server sends downloads itself (X-Accel-Redirect, X-Sendfile), so its workers
    # must read what the programs write: the media directory belongs to their group, and
    # setgid directories hand that group to every file and directory made below.
    if [[ -n $PG_OSUSER ]]; then
        chgrp -R "$group" "$MEDIA_DIR" && find "$MEDIA_DIR" -type d -exec chmod g+rxs {} + ||
            die "cannot give $MEDIA_DIR to group $group"
    fi
    mkdir -p "$VAR/tmp/$FRONT$n" "$RUN/$FRONT$n"
    [[ -n $PG_OSUSER ]] && chown "$PG_OSUSER": "$VAR/tmp/$FRONT$n" "$RUN/$FRONT$n"
    sed -e "s|@PORT@|$port|g" \
        -e "s|@ROOT@|$(sed_escape "$ROOT")|g" \
        -e "s|@VAR@|$(sed_escape "$VAR")|g" \
        -e "s|@NAME@|$FRONT$n|g" \
        -e "s|@USER@|$(sed_escape "$user")|g" \
        -e "s|@GROUP@|$(sed_escape "$group")|g" \
        -e "s|@SOCKET@|$(sed_escape "$RUN/parley$n.sock")|g" \
        -e "s|@EVENTS_SOCKET@|$(sed_escape "$RUN/events$n.sock")|g" \
        -e "s|@MEDIA@|$(sed_escape "$MEDIA_DIR")|g" \
        -e "s|@UPLOAD_KB@|$(( (${PARLEY_MAX_UPLOAD:-104857600} + 1048576) / 1024 + 1 ))|g" \
        -e "s|@UPLOAD_BYTES@|$(( ${PARLEY_MAX_UPLOAD:-104857600} + 1048576 + 1024 ))|g" \
        -e "s|@UPLOAD_LIMIT@|${PARLEY_MAX_UPLOAD:-104857600}|g" \
        "$ROOT/deploy/$FRONT/parley.conf.in" >"$tmp"
    mv -f "$tmp" "$conf"
    local check=(nginx -t -q -c "$conf" -e "$LOG/$FRONT$n-check.log")
    [[ $FRONT == apache ]] && check=(apache2 -t -f "$conf")
    "${check[@]}" >>"$LOG/$FRONT$n-check.log" 2>&1 ||
        { cat "$LOG/$FRONT$n-check.log" >&2; die "$FRONT_PROG rejects $conf"; }
}

# front_conf_port N PORT: node N's configuration listens on PORT.
front_conf_port() {
    local conf=$VAR/$FRONT$1.conf
    case $FRONT in
        lighttpd) grep -q "^server.port = $2\$" "$conf" 2>/dev/null ;;
        nginx) grep -q "^ *listen 127.0.0.1:$2;" "$conf" 2>/dev/null ;;
        apache) grep -q "^Listen 127.0.0.1:$2\$" "$conf" 2>/dev/null ;;
    esac
}

# front_alive [N]: node N's web server runs.
front_alive() { is_alive "$RUN/$FRONT${1:-}.pid" "$FRONT_PROG"; }

# stop_front [N]: node N's web server, whichever it is.
stop_front() {
    local n=${1:-}
    stop_pidfile "$RUN/lighttpd$n.pid" lighttpd
    stop_pidfile "$RUN/nginx$n.pid" nginx
    stop_pidfile "$RUN/apache$n.pid" apache2
}

# start_front [N]: the web server (FRONT) of node N, in the foreground of its own session.
start_front() {
    local n=${1:-}
    # Debian puts nginx and apache2 in /usr/sbin, which a user's PATH may lack.
    PATH=$PATH:/usr/sbin:/sbin
    command -v "$FRONT_PROG" >/dev/null ||
        die "$FRONT_PROG is not installed (run deploy/install-deps.sh --test, or apt-get install $FRONT_PROG)"
    stop_front "$n"
    case $FRONT in
        lighttpd)
            write_lighttpd_conf "$n"
            ( exec setsid lighttpd -D -f "$VAR/lighttpd$n.conf" ) </dev/null >>"$LOG/lighttpd$n.log" 2>&1 9>&- & ;;
        nginx)
            write_front_conf "$n"
            ( exec setsid nginx -c "$VAR/nginx$n.conf" -e "$LOG/nginx$n.log" -g 'daemon off;' ) \
                </dev/null >>"$LOG/nginx$n.log" 2>&1 9>&- & ;;
        apache)
            write_front_conf "$n"
            ( exec setsid apache2 -f "$VAR/apache$n.conf" -DFOREGROUND ) \
                </dev/null >>"$LOG/apache$n.log" 2>&1 9>&- & ;;
    esac
    echo $! >"$RUN/$FRONT$n.pid"
}

# wait_healthy [N]: node N answers /healthz.
wait_healthy() {
    local n=${1:-} i url=$URL port=$PORT
    [[ -n $n ]] && { url=$URL2; port=$PORT2; }
    for ((i = 0; i < 200; i++)); do
        if curl -fsS -o /dev/null --max-time 2 "$url/healthz" 2>/dev/null; then
            return 0
        fi
        if ! pid_running "$(pid_of "$RUN/parley$n.pid")"; then
            echo "$PROG: parley.fcgi exited" >&2; show_logs; return 1
        fi
        if ! pid_running "$(pid_of "$RUN/$FRONT$n.pid")"; then
            echo "$PROG: $FRONT_PROG exited (is port $port free?)" >&2; show_logs; return 1
        fi
        sleep 0.1
    done
    echo "$PROG: $url/healthz did not answer 200 within 20 s" >&2
    curl -sS --max-time 2 "$url/healthz" >&2 2>&1 || true
    echo >&2
    show_logs
    return 1
}

# The supervisor (STACK_SUPERVISE=1): node 1's three programs are its children, so it learns
# how each one ended. It restarts one that exited while its pid file still names it; one that
# `stop`, `restart-events` or `worker` ended (they hold the lock, and remove or rewrite the
# pid file) is left alone. Started by do_start as `stack.sh supervise`.
SUP_PROGS=(parley:parley.fcgi events:parley-events.fcgi worker:parley-worker)

sup_log() { echo "$(date -u +%FT%TZ) $PROG: $*"; }

# sup_restart FILE: start the program FILE (parley, events, worker) again, as our child; 1 if
# it did not come up (the next round tries again: in the supervisor, die only says why).
sup_restart() {
    case $1 in
        parley) start_fcgi ;;
        events) start_events ;;
        worker) start_worker ;;
    esac
}

do_supervise() {
    trap 'exit 0' TERM INT
    STOP_ON_DIE=0
    die() { sup_log "$*"; return 1; }
    local p file name pid st
    declare -A kids=()
    # The first start: as our children. A failure here ends the supervisor, and do_start sees it.
    start_fcgi || exit 1; kids[parley]=$(pid_of "$RUN/parley.pid")
    start_events || exit 1; kids[events]=$(pid_of "$RUN/events.pid")
    start_worker || exit 1; kids[worker]=$(pid_of "$RUN/worker.pid")
    # From here on what goes wrong is said on standard output (sup_log, the restarts' own
    # messages): bash's job notices ("… Killed  ( node_env …") would only add noise.
    exec 2>/dev/null
    : >"$RUN/supervise.ready"
    sup_log "supervising parley.fcgi, parley-events.fcgi and parley-worker"
    while true; do
        for p in "${SUP_PROGS[@]}"; do
            file=${p%%:*}
            name=${p#*:}
            pid=$(pid_of "$RUN/$file.pid")
            [[ -n $pid ]] || continue
            is_alive "$RUN/$file.pid" "$name" && continue
            # Exited. Under the lock, so that a stack.sh command stopping it on purpose
            # finishes first; tries of a second each keep TERM answered quickly. Fd 9, which
            # the programs never inherit (they would hold the lock).
            exec 9>"$VAR/stack.lock"
            until flock -w 1 9; do :; done
            if [[ $(pid_of "$RUN/$file.pid") == "$pid" ]] && ! is_alive "$RUN/$file.pid" "$name"; then
                st=unknown
                if [[ ${kids[$file]:-} == "$pid" ]]; then
                    st=0
                    wait "$pid" 2>/dev/null || st=$?
                fi
                if [[ $st =~ ^[0-9]+$ ]] && (( st > 128 )); then st="$st, signal $((st - 128))"; fi
                if sup_restart "$file" >>"$LOG/supervise.log" 2>&1; then
                    kids[$file]=$(pid_of "$RUN/$file.pid")
                    sup_log "$name exited (status $st); restarted (pid ${kids[$file]})"
                else
                    kids[$file]=$(pid_of "$RUN/$file.pid")
                    sup_log "$name exited (status $st); restarting it failed, trying again"
                fi
            fi
            exec 9>&-
        done
        sleep 1 &
        wait $! || true
    done
}

# start_supervised: the supervisor, which starts node 1's programs itself; returns once they
# run (or dies when the supervisor could not start them).
start_supervised() {
    stop_supervisor
    rm -f "$RUN/supervise.ready"
    ( export VAR BIN PORT PORT2 FRONT STACK_FAST STACK_SUPERVISE
      exec setsid "$ROOT/deploy/local/stack.sh" supervise ) </dev/null >>"$LOG/supervise.log" 2>&1 9>&- &
    local pid=$! i
    echo "$pid" >"$RUN/supervise.pid"
    for ((i = 0; i < 600; i++)); do
        [[ -f $RUN/supervise.ready ]] && return 0
        pid_running "$pid" || { show_logs; die "the supervisor could not start Parley (see $LOG/supervise.log)"; }
        sleep 0.1
    done
    show_logs
    die "the supervisor did not start Parley within 60 s"
}

stop_supervisor() { stop_pidfile "$RUN/supervise.pid" supervise; }

all_running() {
    front_alive && is_alive "$RUN/parley.pid" parley.fcgi &&
        is_alive "$RUN/events.pid" parley-events.fcgi && is_alive "$RUN/worker.pid" parley-worker &&
        is_alive "$RUN/redis.pid" redis-server &&
        curl -fsS -o /dev/null --max-time 2 "$URL/healthz" 2>/dev/null
}

do_start() {
    [[ -x $BIN/parley.fcgi && -x $BIN/parley && -x $BIN/parley-events.fcgi && -x $BIN/parley-worker ]] ||
        die "no parley.fcgi, parley-events.fcgi, parley-worker and parley in $BIN (build them first: make)"
    if [[ -f $VAR/$FRONT.conf ]] && all_running; then
        say "Parley is already running at $URL"
        return 0
    fi
    STOP_ON_DIE=1
    check_pg_user
    make_dirs
    start_postgres
    start_redis
    start_smtp_sink
    start_push_service
    write_env
    migrate
    printf '%s\n' "$BIN" >"$RUN/bin"      # restart-events and node2 start the same build
    printf '%s\n' "$FRONT" >"$RUN/front"  # and the same web server
    if (( STACK_SUPERVISE == 1 )); then
        start_supervised
    else
        stop_supervisor
        start_fcgi
        start_events
        start_worker
    fi
    start_front
    wait_healthy || die "Parley did not become healthy"
    STOP_ON_DIE=0
    if (( STACK_SUPERVISE == 1 )); then
        say "Parley is running at $URL (state in $VAR); a crashed Parley program is restarted"
    else
        say "Parley is running at $URL (state in $VAR)"
    fi
}

# BIN for the commands that join a running stack: the one `start` used unless BIN is given.
stack_bin() {
    local b=
    if [[ -z $BIN_GIVEN ]]; then
        { read -r b <"$RUN/bin"; } 2>/dev/null || true
        [[ -n $b ]] && BIN=$b
    fi
    [[ -x $BIN/parley.fcgi && -x $BIN/parley-events.fcgi && -x $BIN/parley-worker ]] ||
        die "no parley.fcgi, parley-events.fcgi and parley-worker in $BIN (build them first: make)"
}

# The first node's hub only (its streams reconnect; the new hub's buffer is empty).
do_restart_events() {
    stack_bin
    [[ -f $VAR/env ]] || die "no stack in $VAR (start it first)"
    is_alive "$RUN/redis.pid" redis-server || die "Redis of the stack in $VAR is not running (start it first)"
    start_events
    say "restarted the events hub (pid $(pid_of "$RUN/events.pid"))"
}

# The job workers of the running nodes (the tests stop them to run workers of their own).
do_worker() {
    stack_bin
    [[ -f $VAR/env ]] || die "no stack in $VAR (start it first)"
    case $1 in
        stop) stop_pidfile "$RUN/worker.pid" parley-worker; stop_pidfile "$RUN/worker2.pid" parley-worker ;;
        start|restart)
            start_worker
            if front_alive 2; then start_worker 2; fi
            say "job workers running" ;;
    esac
}

# PostgreSQL only; everything else stays up and reconnects.
# Redis keeps nothing on disk here: a restart loses sessions, presence and rate limits, as a
# crash would (the tests use it to show that event ids never go backwards).
do_restart_redis() {
    [[ -f $VAR/env ]] || die "no stack in $VAR (start it first)"
    stop_pidfile "$RUN/redis.pid" redis-server
    start_redis
}

# do_upgrade: a new parley.fcgi (BIN's) takes node 1's socket over without a gap: the
# migrations first (written to work with the release before, docs/OPERATING.md), then the
# new program on a fresh socket, moved over the old path (rename is atomic: every new
# connection reaches the new program), then SIGTERM to the old one, which answers what it
# had accepted or queued and exits.
do_upgrade() {
    stack_bin
    [[ -f $VAR/env ]] && is_alive "$RUN/parley.pid" parley.fcgi || die "Parley is not running in $VAR (start it first)"
    migrate
    local sock=$RUN/parley.sock next=$RUN/parley.next.sock old pid i
    old=$(pid_of "$RUN/parley.pid")
    rm -f "$next"
    ( node_env ""; export PARLEY_LISTEN=$next; cd "$VAR"; exec setsid "$BIN/parley.fcgi" ) \
        </dev/null >>"$LOG/parley.log" 2>&1 9>&- &
    pid=$!
    for ((i = 0; i < 200; i++)); do
        [[ -S $next ]] && break
        pid_running "$pid" || { show_logs; die "the new parley.fcgi exited; the old one still serves"; }
        sleep 0.1
    done
    [[ -S $next ]] || { kill "$pid" 2>/dev/null; die "the new parley.fcgi did not create its socket"; }
    share_socket "$next"
    mv -f "$next" "$sock"
    echo "$pid" >"$RUN/parley.pid"
    kill -TERM "$old" 2>/dev/null || true
    for ((i = 0; i < 250; i++)); do pid_running "$old" || break; sleep 0.1; done
    pid_running "$old" && { kill -KILL "$old" 2>/dev/null || true; say "the old parley.fcgi (pid $old) did not finish in 25 s: killed"; }
    say "parley.fcgi upgraded: pid $old drained and gone, pid $pid serves"
}

do_restart_postgres() {
    [[ -f $PGDATA/PG_VERSION ]] || die "no PostgreSQL in $VAR (start the stack first)"
    stop_postgres
    start_postgres
}

node2_alive() {
    is_alive "$RUN/lighttpd2.pid" lighttpd || is_alive "$RUN/nginx2.pid" nginx ||
        is_alive "$RUN/apache2.pid" apache2 || is_alive "$RUN/parley2.pid" parley.fcgi ||
        is_alive "$RUN/events2.pid" parley-events.fcgi || is_alive "$RUN/worker2.pid" parley-worker
}

# set_url2 [URL]: PARLEY_URL2 in $VAR/env is URL, or gone without one.
set_url2() {
    [[ -f $VAR/env ]] || return 0
    local tmp=$VAR/env.tmp
    { grep -v '^export PARLEY_URL2=' "$VAR/env" || true; [[ -z ${1:-} ]] || echo "export PARLEY_URL2=$(sq "$1")"; } >"$tmp"
    mv -f "$tmp" "$VAR/env"
}

# PORT (and so PORT2) of the running stack, from its $VAR/env, unless PORT is given.
stack_port() {
    [[ -z $PORT_GIVEN && -f $VAR/env ]] || return 0
    local line p
    line=$(grep '^export PARLEY_URL=' "$VAR/env" || true)
    p=${line##*:}
    p=${p//[!0-9]/}
    [[ -n $p ]] || return 0
    PORT=$p
    URL=http://127.0.0.1:$PORT
    [[ -n $PORT2_GIVEN ]] || PORT2=$((PORT + 1))
    URL2=http://127.0.0.1:$PORT2
}

do_node2_start() {
    stack_bin
    stack_port
    (( PORT2 != PORT )) || die "PORT2 must differ from PORT ($PORT)"
    [[ -f $VAR/env && -f $VAR/$FRONT.conf ]] && all_running ||
        die "the stack in $VAR is not running at $URL: start it first (stack.sh start)"
    if front_alive 2 && is_alive "$RUN/parley2.pid" parley.fcgi &&
            is_alive "$RUN/events2.pid" parley-events.fcgi && is_alive "$RUN/worker2.pid" parley-worker &&
            front_conf_port 2 "$PORT2" &&
            curl -fsS -o /dev/null --max-time 2 "$URL2/healthz" 2>/dev/null; then
        set_url2 "$URL2"
        say "node 2 is already running at $URL2"
        return 0
    fi
    # Another server on PORT2 would answer the health check in place of ours.
    if ! node2_alive && (exec 3<>"/dev/tcp/127.0.0.1/$PORT2") 2>/dev/null; then
        die "port $PORT2 is in use: choose another PORT2"
    fi
    STOP_ON_DIE=2
    start_fcgi 2
    start_events 2
    start_worker 2
    start_front 2
    wait_healthy 2 || die "node 2 did not become healthy"
    STOP_ON_DIE=0
    set_url2 "$URL2"
    say "node 2 is running at $URL2 (PARLEY_URL2 in $VAR/env)"
}

do_node2_stop() {
    stop_front 2
    stop_pidfile "$RUN/parley2.pid" parley.fcgi
    rm -f "$RUN/parley2.sock"
    stop_pidfile "$RUN/events2.pid" parley-events.fcgi
    rm -f "$RUN/events2.sock"
    stop_pidfile "$RUN/worker2.pid" parley-worker
    set_url2
}

do_stop() {
    stop_supervisor
    rm -f "$RUN/supervise.ready"
    do_node2_stop
    stop_front
    stop_pidfile "$RUN/parley.pid" parley.fcgi
    rm -f "$FCGI_SOCK"
    stop_pidfile "$RUN/events.pid" parley-events.fcgi
    rm -f "$EVENTS_SOCK"
    stop_pidfile "$RUN/worker.pid" parley-worker
    stop_pidfile "$RUN/redis.pid" redis-server
    rm -f "$REDIS_SOCK"
    stop_pidfile "$RUN/smtp.pid" smtp-sink.py
    stop_pidfile "$RUN/push.pid" push-service.mjs
    stop_postgres
}

do_status() {
    local ok=0 pgbin
    if front_alive; then printf '%-13s%s\n' "$FRONT:" "running (pid $(pid_of "$RUN/$FRONT.pid"))"
    else printf '%-13s%s\n' "$FRONT:" "stopped"; ok=3; fi
    if is_alive "$RUN/parley.pid" parley.fcgi; then echo "parley.fcgi: running (pid $(pid_of "$RUN/parley.pid"))"
    else echo "parley.fcgi: stopped"; ok=3; fi
    if is_alive "$RUN/events.pid" parley-events.fcgi; then echo "events hub:  running (pid $(pid_of "$RUN/events.pid"))"
    else echo "events hub:  stopped"; ok=3; fi
    if is_alive "$RUN/worker.pid" parley-worker; then echo "worker:      running (pid $(pid_of "$RUN/worker.pid"))"
    else echo "worker:      stopped"; ok=3; fi
    if [[ -f $RUN/supervise.pid ]]; then
        if is_alive "$RUN/supervise.pid" supervise; then echo "supervisor:  running (pid $(pid_of "$RUN/supervise.pid"))"
        else echo "supervisor:  stopped"; ok=3; fi
    fi
    if is_alive "$RUN/redis.pid" redis-server; then echo "redis:       running (pid $(pid_of "$RUN/redis.pid"))"
    else echo "redis:       stopped"; ok=3; fi
    pgbin=$(pg_bindir)
    if [[ -f $PGDATA/PG_VERSION ]] && as_pg "$pgbin/pg_ctl" status -D "$PGDATA" >/dev/null 2>&1; then
        echo "postgres:    running (pid $(pid_of "$PGDATA/postmaster.pid"))"
    else echo "postgres:    stopped"; ok=3; fi
    if curl -fsS -o /dev/null --max-time 2 "$URL/healthz" 2>/dev/null; then echo "healthz:     ok ($URL)"
    else echo "healthz:     no answer ($URL)"; ok=3; fi
    if node2_alive; then
        local p name
        for p in "${FRONT}2:$FRONT_PROG" parley2:parley.fcgi events2:parley-events.fcgi worker2:parley-worker; do
            name=${p#*:}
            if is_alive "$RUN/${p%%:*}.pid" "$name"; then echo "node 2 $name: running (pid $(pid_of "$RUN/${p%%:*}.pid"))"
            else echo "node 2 $name: stopped"; ok=3; fi
        done
    fi
    return $ok
}

do_run() {
    local tail_pid=
    trap 'echo; [[ -z $tail_pid ]] || kill "$tail_pid" 2>/dev/null; do_stop; exit 0' INT TERM
    do_start
    release_lock
    echo "Parley is running at $URL — Ctrl-C stops it"
    if (( STACK_SUPERVISE == 1 )); then
        # The supervisor restarts a crashed program and says so in its log: show it here.
        tail -n 0 -F "$LOG/supervise.log" 2>/dev/null &
        tail_pid=$!
    fi
    while true; do
        if (( STACK_SUPERVISE == 1 )); then
            if ! is_alive "$RUN/supervise.pid" supervise; then
                echo "$PROG: the supervisor exited" >&2
                tail -n 20 "$LOG/supervise.log" >&2 || true
                kill "$tail_pid" 2>/dev/null || true
                do_stop
                exit 1
            fi
        elif ! is_alive "$RUN/parley.pid" parley.fcgi; then
            echo "$PROG: parley.fcgi exited" >&2
            echo "----- tail of $LOG/parley.log" >&2
            tail -n 40 "$LOG/parley.log" >&2 || true
            do_stop
            exit 1
        elif ! is_alive "$RUN/worker.pid" parley-worker; then
            echo "$PROG: parley-worker exited" >&2
            tail -n 20 "$LOG/worker.log" >&2 || true
            do_stop
            exit 1
        fi
        if ! front_alive; then
            echo "$PROG: $FRONT_PROG exited" >&2
            tail -n 20 "$LOG/$FRONT.log" >&2 || true
            [[ -z $tail_pid ]] || kill "$tail_pid" 2>/dev/null || true
            do_stop
            exit 1
        fi
        sleep 1 &
        wait $! || true
    done
}

# One stack.sh at a time per state directory (children do not inherit the lock: 9>&-).
take_lock() {
    exec 9>"$VAR/stack.lock"
    flock -w 120 9 || die "another stack.sh holds $VAR/stack.lock"
}
release_lock() { exec 9>&-; }

cmd=${1:-}
case $cmd in
    start) take_lock; do_start ;;
    stop) take_lock; do_stop ;;
    restart) take_lock; do_stop; do_start ;;
    run) take_lock; do_run ;;
    status) stack_port; do_status ;;
    restart-events) take_lock; do_restart_events ;;
    supervise) do_supervise ;;   # started by `start` with STACK_SUPERVISE=1, which holds the lock
    restart-postgres) take_lock; do_restart_postgres ;;
    restart-redis) take_lock; do_restart_redis ;;
    upgrade) take_lock; do_upgrade ;;
    worker)
        case ${2:-} in
            start|stop|restart) take_lock; do_worker "$2" ;;
            *) echo "usage: $0 worker start|stop|restart" >&2; exit 2 ;;
        esac ;;
    node2)
        case ${2:-} in
            start) take_lock; do_node2_start ;;
            stop) take_lock; do_node2_stop ;;
            *) echo "usage: $0 node2 start|stop" >&2; exit 2 ;;
        esac ;;
    *) echo "usage: $0 start|stop|restart|run|status|upgrade|restart-events|restart-postgres|restart-redis|worker start|stop|restart|node2 start|stop" >&2
       exit 2 ;;
esac
