# scratch.sh — sourced by the scripts that start a throwaway stack (tests, TSan, bench):
# scratch_var NAME exports VAR, a fresh directory /tmp/parley-NAME.XXXXXX readable by the
# `parley` PostgreSQL user; free_port prints a TCP port nobody listens on right now.

scratch_var() {
    VAR=$(mktemp -d "/tmp/parley-$1.XXXXXX")
    chmod 755 "$VAR"
    export VAR
}

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
