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
