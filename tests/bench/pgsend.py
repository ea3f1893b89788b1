#!/usr/bin/env python3
"""pgsend.py — writes the pgbench script for `make bench`'s baseline: Parley's own sending
statement (its SQL on standard input, from `parley statement msg_insert`, so the two never
drift), with its parameters bound to a random one of N consecutive conversations and one
sender, as a plain text message: no client_id, no files, no push, digest, webhook, link or
mention.

    parley statement msg_insert | pgsend.py FIRST_CONV N SENDER > script.sql
"""
import re
import sys

first, n, sender = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
sql = " ".join(sys.stdin.read().split())
if not sql.upper().startswith("WITH"):
    sys.exit("pgsend.py: expected the sending statement on standard input")
# As an API send binds them for such a message (msg_send_json in cgi/app/messages.c, which
# wants the message back: $10; send_jobs.c); any other parameter is NULL, i.e. "not given".
bound = {1: ":conv", 2: str(sender), 3: "'text'", 4: "'a message written by pgbench'", 5: "NULL",
         6: "false", 7: "NULL", 8: "'{}'", 10: "true"}
sql = re.sub(r"\$(\d+)", lambda m: bound.get(int(m.group(1)), "NULL"), sql)
# pgbench takes ":name" for a variable, also inside a literal ('HH24:MI:SS' in the time
# formats of the message it returns): such a colon is spelt chr(58), which PostgreSQL folds
# back into the same constant when it plans the statement.
sql = re.sub(r"'[^']*'", lambda m: re.sub(r":(?=[A-Za-z_])", "' || chr(58) || '", m.group(0)), sql)
print("\\set conv random(%d, %d)" % (first, first + n - 1))
print(sql + ";")
