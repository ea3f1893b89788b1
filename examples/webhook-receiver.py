#!/usr/bin/env python3
"""webhook-receiver.py — a receiver for a Parley outgoing webhook, in the standard library
only. It checks X-Parley-Signature (HMAC-SHA-256 of "<t>.<body>" with the webhook's
secret, and a timestamp within 5 minutes), then answers {"text": ...}, which Parley posts
back into the conversation as the webhook's bot:

    PARLEY_HOOK_SECRET=whsec_… python3 examples/webhook-receiver.py 8000

and make the webhook (an owner or admin of the conversation; the URL must be public, or
its host in the server's PARLEY_OUTBOUND_ALLOW):

    curl -s -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
         -d '{"name":"Echo","url":"https://bots.example.org/parley","trigger_word":"!echo"}' \
         https://chat.example.org/api/v1/conversations/42/outgoing-webhooks
"""
import hashlib
import hmac
import json
import os
import sys
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

SECRET = os.environ["PARLEY_HOOK_SECRET"].encode()
WINDOW = 300  # seconds: older (or future) signatures are refused, so a replay fails


def verify(header, body):
    try:
        parts = dict(p.split("=", 1) for p in header.split(","))
        t, sig = int(parts["t"]), parts["v1"]
    except (KeyError, ValueError):
        return False
    if abs(time.time() - t) > WINDOW:
        return False
    want = hmac.new(SECRET, f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(want, sig)


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if not verify(self.headers.get("X-Parley-Signature", ""), body):
            self.send_response(401)
            self.end_headers()
            return
        event = json.loads(body)
        text = event["message"].get("body") or ""
        words = text.split(None, 1)
        reply = {"text": f"You said: {words[1] if len(words) > 1 else text}"}
        out = json.dumps(reply).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)


if __name__ == "__main__":
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8000
    HTTPServer(("0.0.0.0", port), Handler).serve_forever()
