#!/usr/bin/env python3
"""echo-bot.py — a Parley bot in the standard library only: it follows the event stream
with a bot's API token and answers each message that mentions it (@its-username) with
the same text. Make the bot and its token first:

    curl -s -H "Authorization: Bearer $MY_TOKEN" -H 'Content-Type: application/json' \
         -d '{"username":"echo-bot","display_name":"Echo"}' https://chat.example.org/api/v1/bots

then add @echo-bot to a group and run:

    PARLEY_URL=https://chat.example.org PARLEY_BOT_TOKEN=pat_… python3 examples/echo-bot.py

It reconnects with Last-Event-ID after a dropped connection, so no message is missed
(within the server's event log), and never answers itself or another bot.
"""
import json
import os
import sys
import time
import urllib.request
import uuid

BASE = os.environ.get("PARLEY_URL", "http://127.0.0.1:8080").rstrip("/")
TOKEN = os.environ["PARLEY_BOT_TOKEN"]


def call(method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(BASE + "/api/v1" + path, data=data, method=method)
    req.add_header("Authorization", "Bearer " + TOKEN)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.loads(r.read() or b"null")


def events(last_id):
    """Yields (id, event) from GET /api/v1/events (text/event-stream)."""
    req = urllib.request.Request(BASE + "/api/v1/events")
    req.add_header("Authorization", "Bearer " + TOKEN)
    req.add_header("Accept", "text/event-stream")
    if last_id:
        req.add_header("Last-Event-ID", last_id)
    with urllib.request.urlopen(req, timeout=120) as r:
        ev_id, data = None, []
        for raw in r:
            line = raw.decode("utf-8").rstrip("\r\n")
            if not line:                       # a blank line ends an event
                if data:
                    yield ev_id, json.loads("\n".join(data))
                ev_id, data = None, []
            elif line.startswith("id:"):
                ev_id = line[3:].strip()
            elif line.startswith("data:"):
                data.append(line[5:].lstrip())


def main():
    me = call("GET", "/me")["user"]
    mention = "@" + me["username"]
    print(f"running as @{me['username']} (bot: {me.get('bot')})", file=sys.stderr)
    last_id, backoff = None, 1
    while True:
        try:
            for ev_id, ev in events(last_id):
                last_id = ev_id or last_id
                backoff = 1
                m = ev.get("message") or {}
                if ev.get("type") != "message.created" or m.get("kind") != "text":
                    continue
                if m["sender"].get("bot") or mention not in (m.get("body") or ""):
                    continue
                text = m["body"].replace(mention, "").strip() or "(nothing to echo)"
                call("POST", f"/conversations/{ev['conversation_id']}/messages",
                     {"body": text, "client_id": str(uuid.uuid4()), "reply_to": m["seq"]})
        except Exception as e:                 # dropped stream, server restart: reconnect
            print(f"stream ended ({e}); again in {backoff}s", file=sys.stderr)
            time.sleep(backoff)
            backoff = min(backoff * 2, 60)


if __name__ == "__main__":
    main()
