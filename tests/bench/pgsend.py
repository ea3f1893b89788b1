#!/usr/bin/env python3
"""pgsend.py — writes the pgbench script for `make bench`'s baseline: Parley's own sending
statement (read from the C source, so the two never drift), with its parameters bound to a
random one of N consecutive conversations and one sender, no client_id and no files.

    pgsend.py SOURCE.c STATEMENT FIRST_CONV N SENDER > script.sql
"""
import re
import sys

src, name, first, n, sender = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
text = open(src, encoding="utf-8").read()
start = text.find('{"%s",' % name)
if start < 0:
    sys.exit("pgsend.py: no statement %s in %s" % (name, src))
# The statement: the C string literals after its name, up to the entry's closing brace;
# comments between them are skipped.
pos, parts = start + len(name) + 4, []
lit = re.compile(r'\s*(?:/\*.*?\*/\s*)*"((?:[^"\\]|\\.)*)"', re.S)
while True:
    m = lit.match(text, pos)
    if not m:
        break
    parts.append(m.group(1).encode().decode("unicode_escape"))
    pos = m.end()
if not re.match(r"\s*}", text[pos:]):
    sys.exit("pgsend.py: %s is not made of plain string literals" % name)
sql = "".join(parts)
# Parameters as Parley's send binds them for a text message (see msg_send): anything the
# table below does not name is NULL, i.e. "not given".
bound = {1: ":conv", 2: str(sender), 3: "'text'", 4: "'a message written by pgbench'", 5: "NULL",
         6: "false", 7: "NULL", 8: "'{}'"}
sql = re.sub(r"\$(\d+)", lambda m: bound.get(int(m.group(1)), "NULL"), sql)
print("\\set conv random(%d, %d)" % (first, first + n - 1))
print(sql + ";")
