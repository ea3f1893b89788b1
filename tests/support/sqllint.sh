#!/bin/bash
# sqllint.sh — fails when C code could be building SQL from strings. Every statement must be
# a named, prepared statement with $n parameters (store/db.c); only store/migrate.c runs the
# schema files and its own fixed statements.
set -euo pipefail
cd "$(dirname "$0")/../.."
fail=0
# 1. Direct execution outside the migration runner.
if grep -nE '\bPQ(exec|execParams|sendQuery|sendQueryParams)\s*\(' --include='*.c' -r cgi \
     | grep -v '^cgi/store/migrate.c:'; then
  echo "sqllint: run statements through db_exec (prepared) instead"; fail=1
fi
# 2. printf-style formatting of anything that looks like SQL.
if grep -nE '(printf|arena_printf|buf_printf)\s*\([^;]*"[^"]*\b(SELECT|INSERT|UPDATE|DELETE|WHERE|VALUES)\b' \
     --include='*.c' -r cgi; then
  echo "sqllint: SQL must not be built with printf"; fail=1
fi
# 3. PQprepare only in the connection set-up.
if grep -nE '\bPQprepare\s*\(' --include='*.c' -r cgi | grep -v '^cgi/store/db.c:'; then
  echo "sqllint: statements are prepared in store/db.c from the modules' tables"; fail=1
fi
# 4. Array parameters ({1,2}, {"a","b"}) are written by store/pgarr.c alone, which quotes and
#    escapes every element: an opening brace put by hand next to a separator, or a format
#    that starts with one, is one by hand.
if grep -nE "(\"\{\"|'\{'|\"\{%)" --include='*.c' -r cgi | grep -E '\?|printf|buf_put|\[[a-z]+\+\+\] *=' \
     | grep -vE '^cgi/(store/pgarr|core/metrics|core/json)\.c:|^cgi/worker/kinds\.c:'; then
  echo "sqllint: build array parameters with pgarr (store/pgarr.h)"; fail=1
fi
[ $fail = 0 ] && echo "sqllint: ok (only prepared, parameterised SQL)"
exit $fail
