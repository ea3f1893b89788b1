#!/usr/bin/env python3
"""cpusample.py — where a benchmark's CPU goes, per process kind (events.sh).

  cpusample.py record FILE     every 0.25 s until killed, appends one line to FILE:
                               "<CLOCK_MONOTONIC ns> <machine busy ticks> <kind>=<ticks> ..."
  cpusample.py report FILE OUT for each "step" line of sseload's OUT (its t0_ns and t1_ns),
                               the CPU each kind used over that step per message sent, in ms,
                               their sum, and how busy /proc/stat says the machine was.

Ticks are utime + stime of every process whose name (comm) starts with a kind's prefix, so
PostgreSQL's backends count together. A process that ended within a step takes its ticks
with it: the figures are for a steady stack, as the ramp's is. The machine's busy share is a
second opinion only: on a tickless kernel /proc/stat's totals can trail the processes' own
clocks by a step (it once showed less CPU for the whole machine than nginx alone used), so
the sum is of the processes' clocks."""
import os
import re
import sys
import time

KINDS = [("postgres", "postgres"), ("parley.fcgi", "parley.fcgi"), ("lighttpd", "lighttpd"),
         ("hub", "parley-events"), ("redis", "redis-server"), ("nginx", "nginx"), ("sseload", "sseload")]
TICK_MS = 1000.0 / os.sysconf("SC_CLK_TCK")


def sample():
    ticks = {k: 0 for k, _ in KINDS}
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % pid) as f:
                s = f.read()
        except OSError:
            continue
        comm = s[s.index("(") + 1:s.rindex(")")]
        rest = s[s.rindex(")") + 2:].split()
        for kind, prefix in KINDS:
            if comm.startswith(prefix[:15]):
                ticks[kind] += int(rest[11]) + int(rest[12])     # utime, stime
                break
    with open("/proc/stat") as f:
        cpu = [int(x) for x in f.readline().split()[1:]]
    busy = sum(cpu) - cpu[3] - cpu[4]                             # less idle and iowait
    return busy, ticks


def record(path):
    with open(path, "a") as out:
        while True:
            busy, ticks = sample()
            out.write("%d %d %s\n" % (time.monotonic_ns(), busy, " ".join("%s=%d" % kv for kv in ticks.items())))
            out.flush()
            time.sleep(0.25)


def nearest(samples, t):
    return min(samples, key=lambda s: abs(s[0] - t))


def report(path, load_out):
    samples = []
    with open(path) as f:
        for line in f:
            p = line.split()
            if len(p) < 3:
                continue
            samples.append((int(p[0]), int(p[1]), {k: int(v) for k, v in (x.split("=") for x in p[2:])}))
    steps = [dict(re.findall(r"(\w+)=(\S+)", l)) for l in open(load_out) if l.startswith("step ")]
    if not samples or not steps:
        print("cpu: no samples")
        return
    shown = [k for k, _ in KINDS if any(s[2].get(k) for s in samples)]
    ncpu = os.cpu_count() or 1
    print("CPU per message sent, ms (from /proc over each step; the machine has %d cores):" % ncpu)
    print("%8s" % "msgs/s" + "".join("%13s" % k for k in shown) + "%9s %15s" % ("sum", "machine busy"))
    for st in steps:
        if "t0_ns" not in st:
            continue
        a, b = nearest(samples, int(st["t0_ns"])), nearest(samples, int(st["t1_ns"]))
        sent = int(st["ok"]) or 1
        secs = (b[0] - a[0]) / 1e9
        if secs <= 0:
            continue
        per = {k: (b[2][k] - a[2][k]) * TICK_MS / sent for k in shown}
        whole = sum(per.values())
        busy = (b[1] - a[1]) * TICK_MS / 1000 / secs / ncpu * 100
        print("%8s" % st["rate"] + "".join("%13.3f" % per[k] for k in shown) + "%9.3f %14.0f%%" % (whole, busy))


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "record":
        try:
            record(sys.argv[2])
        except KeyboardInterrupt:
            pass
    elif len(sys.argv) == 4 and sys.argv[1] == "report":
        report(sys.argv[2], sys.argv[3])
    else:
        sys.exit("usage: cpusample.py record FILE | report FILE SSELOAD_OUT")
