#!/usr/bin/env python3
"""search_sql.py LOG RUNS — the bare SQL of one search, timed in psql.

LOG is PostgreSQL's log while one search request ran with log_min_duration_statement = 0:
it names each prepared statement the request executed ("execute search_page: SELECT …")
and its parameters. This replays the statements of the connection that ran search_settings
(BEGIN, the search statements, COMMIT) RUNS times in one psql session ($PARLEY_DB), after
one untimed round, with \\timing, and prints the p50 and p99 of their summed time in ms."""
import os
import re
import subprocess
import sys

log, runs = open(sys.argv[1], encoding='utf-8', errors='replace').read(), int(sys.argv[2])
line = re.compile(r'^\S+ \S+ \S+ \[(\d+)\] LOG:  duration: [0-9.]+ ms  execute (\S+): (.*)$')
detail = re.compile(r'^\S+ \S+ \S+ \[(\d+)\] DETAIL:  parameters: (.*)$')
stmts, pid, cur = [], None, None      # cur: the execute line a DETAIL line may follow
for ln in log.split('\n'):
    m = line.match(ln)
    if m:
        cur = [m.group(1), m.group(2), m.group(3), []]
        stmts.append(cur)
        if m.group(2) == 'search_settings':
            pid = m.group(1)
        continue
    d = detail.match(ln)
    if d and cur and cur[0] == d.group(1):
        cur[3] = re.findall(r"\$\d+ = (NULL|'(?:[^']|'')*')", d.group(2))
    cur = None
if pid is None:
    sys.exit('search_sql.py: no search in the log')
mine = [s for s in stmts if s[0] == pid]
first = max(i for i, s in enumerate(mine) if s[1] == 'search_settings') - 1   # its BEGIN
last = next(i for i in range(first + 1, len(mine)) if mine[i][2] in ('COMMIT', 'ROLLBACK'))
mine = mine[first:last + 1]

script = ['\\set ON_ERROR_STOP 1']
for name, sql in {s[1]: s[2] for s in mine if s[2] not in ('BEGIN', 'COMMIT', 'ROLLBACK')}.items():
    script.append(f'PREPARE {name} AS {sql};')
round_ = [s[2] + ';' if s[2] in ('BEGIN', 'COMMIT', 'ROLLBACK') else
          f'EXECUTE {s[1]}' + (f'({", ".join(s[3])})' if s[3] else '') + ';' for s in mine]
script += round_ + ['\\timing on']
for _ in range(runs):
    script += ['\\echo @run'] + round_
out = subprocess.run(['psql', os.environ['PARLEY_DB'], '-X', '-q', '-o', '/dev/null'], input='\n'.join(script),
                     capture_output=True, text=True, check=True).stdout
totals = [sum(float(t) for t in re.findall(r'^Time: ([0-9.]+) ms', part, re.M)) for part in out.split('@run')[1:]]
totals.sort()
print('%.1f %.1f' % (totals[(len(totals) - 1) // 2], totals[min(len(totals) - 1, -(-99 * len(totals) // 100) - 1)]))
