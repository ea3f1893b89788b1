#!/usr/bin/env python3
"""sseusers.py — sessions for the events benchmark (tests/bench/events.sh), written straight
into Redis instead of logging in 8,000 times.

Reads "<uid> <group id>" lines on stdin; writes to stdout the Redis protocol for
`redis-cli --pipe` that creates one session per user exactly as cgi/app/sessions.c does
(hash sess:<hex sha256(token)> with uid csrf ip ua created seen, EXPIRE, set usess:<uid>),
and writes "<token> <uid> <group id>" lines to the file named by --tokens, in input order.
Tokens are 43 base64url characters, like the application's."""
import argparse
import hashlib
import secrets
import sys
import time


def resp(*args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        b = a if isinstance(a, bytes) else str(a).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(b), b))
    return b"".join(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tokens", required=True, help="file to write '<token> <uid> <gid>' lines to")
    ap.add_argument("--ttl", type=int, default=2592000, help="session lifetime in seconds")
    a = ap.parse_args()
    now = int(time.time())
    out = sys.stdout.buffer
    n = 0
    with open(a.tokens, "w") as tf:
        for line in sys.stdin:
            f = line.split()
            if len(f) != 2:
                continue
            uid, gid = f
            token = secrets.token_urlsafe(32)          # 43 characters of base64url
            sid = hashlib.sha256(token.encode()).hexdigest()
            key = "sess:" + sid
            out.write(resp("HSET", key, "uid", uid, "csrf", secrets.token_urlsafe(32), "ip", "127.0.0.1",
                           "ua", "bench", "created", now, "seen", now))
            out.write(resp("EXPIRE", key, a.ttl))
            out.write(resp("SADD", "usess:" + uid, sid))
            out.write(resp("EXPIRE", "usess:" + uid, a.ttl))
            tf.write("%s %s %s\n" % (token, uid, gid))
            n += 1
    print("sseusers: %d sessions" % n, file=sys.stderr)


if __name__ == "__main__":
    main()
