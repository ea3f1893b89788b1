#!/usr/bin/python3
# smtp-sink.py — the test stack's SMTP server (Debian's python3-aiosmtpd): accepts every
# message on 127.0.0.1 and writes each one, as received, to one file in a maildir-like
# directory (written under tmp/, then renamed into new/, so a reader never sees half a
# mail), with Return-Path and Delivered-To lines first as a delivering server adds them.
# A recipient whose local part starts with "reject" is refused (550), for the tests of
# failed deliveries. Started by deploy/local/stack.sh when STACK_SMTP=1.
#
#   smtp-sink.py --dir DIR --port-file FILE   listens on a free port and writes it to FILE
import argparse
import asyncio
import itertools
import os
import signal
import time

from aiosmtpd.smtp import SMTP


class Sink:
    def __init__(self, root):
        self.root = root
        self.seq = itertools.count(1)
        for d in ("tmp", "new", "cur"):
            os.makedirs(os.path.join(root, d), exist_ok=True)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.split("@", 1)[0].lower().startswith("reject"):
            return "550 5.1.1 Mailbox unavailable (the test sink refuses reject* addresses)"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        name = "%d.%06d.%d.parley-sink" % (time.time(), next(self.seq), os.getpid())
        head = "Return-Path: <%s>\r\n" % envelope.mail_from
        head += "".join("Delivered-To: %s\r\n" % r for r in envelope.rcpt_tos)
        tmp = os.path.join(self.root, "tmp", name)
        with open(tmp, "wb") as f:
            f.write(head.encode("ascii", "replace"))
            f.write(envelope.original_content or envelope.content)
        os.rename(tmp, os.path.join(self.root, "new", name))
        return "250 Message accepted for delivery"


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--host", default="127.0.0.1")
    args = ap.parse_args()
    sink = Sink(args.dir)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: SMTP(sink, hostname="sink.test", decode_data=False), args.host, 0)
    port = server.sockets[0].getsockname()[1]
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % port)
    os.rename(tmp, args.port_file)
    stop = asyncio.Event()
    for s in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(s, stop.set)
    await stop.wait()
    server.close()


if __name__ == "__main__":
    asyncio.run(main())
