# Parley — `make run` starts the whole stack locally; `make test` runs every test.
# Other targets: all (default: build/parley.fcgi, build/parley-events.fcgi, build/parley-worker,
# build/parley), check (lints), test-servers (the API tests behind nginx and Apache),
# test-docker (the images and compose stack), test-systemd (the units), test-supervise
# (make run's restarts), test-backup (parley backup and restore), dist (the release archive),
# test-dist, test-haproxy (two nodes behind HAProxy), test-upgrade (a zero-downtime upgrade
# under traffic), bench, clean.
# test-failover: PostgreSQL primary and synchronous standby, the primary stopped under traffic.

CC       ?= cc
CLANG    ?= clang-14
# The release (CHANGELOG.md); a release archive says it in its VERSION file (make dist).
VERSION  := $(or $(shell head -n 1 VERSION 2>/dev/null),0.1.0)
PORT     ?= 8080
VAR      ?= $(CURDIR)/var
FUZZ_SECONDS ?= 5

CPPFLAGS := -D_GNU_SOURCE -DPARLEY_VERSION='"$(VERSION)"' -I/usr/include/ClearSilver \
            $(shell pkg-config --cflags libpq 2>/dev/null || echo -I/usr/include/postgresql)
WARN     := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wno-format-nonliteral
CFLAGS   := -std=c11 -O2 -g -pthread -fstack-protector-strong $(WARN)
SANFLAGS := -O1 -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
LIBS     := -lfcgi -lneo_cs -lneo_utl -lz -lpq -lsodium -lhiredis -ljansson -lmagic -lcrypto -lqrencode -pthread
# libvips (image processing) is linked only into the programs that run jobs (parley-worker
# and the `parley` command) and the tests that reach the job table; never into parley.fcgi.
# Its headers come in as system headers (no warnings of theirs).
VIPS_CFLAGS := $(patsubst -I%,-isystem %,$(shell pkg-config --cflags vips 2>/dev/null))
VIPS_LIBS   := $(shell pkg-config --libs vips 2>/dev/null)
# libcurl (outbound mail) likewise: only where jobs run (cgi/worker/mail.c).
VIPS_LIBS   += $(shell pkg-config --libs libcurl 2>/dev/null || echo -lcurl)
build/obj/cgi/worker/%.o build/san/obj/cgi/worker/%.o build/tsan/obj/cgi/worker/%.o: CPPFLAGS += $(VIPS_CFLAGS)
build/obj/cgi/bin/parley_worker.o build/san/obj/cgi/bin/parley_worker.o build/tsan/obj/cgi/bin/parley_worker.o: CPPFLAGS += $(VIPS_CFLAGS)
build/san/tests/% build/san/stack-tests/%: CPPFLAGS += $(VIPS_CFLAGS)

SRC      := $(wildcard cgi/core/*.c cgi/http/*.c cgi/store/*.c cgi/app/*.c cgi/view/*.c cgi/events/*.c cgi/worker/*.c cgi/media/*.c)
OBJ      := $(SRC:%.c=build/obj/%.o)
SAN_OBJ  := $(SRC:%.c=build/san/obj/%.o)
TSAN_OBJ := $(SRC:%.c=build/tsan/obj/%.o)
TSANFLAGS := -O1 -fsanitize=thread -fno-omit-frame-pointer
# The parsers the fuzzers drive need no database, Redis or templates.
FUZZ_SRC := cgi/core/arena.c cgi/core/buf.c cgi/core/err.c cgi/core/num.c cgi/core/utf8.c \
            cgi/http/form.c cgi/http/cookie.c cgi/http/body.c cgi/http/route.c \
            cgi/http/validate.c cgi/http/req.c cgi/app/format.c cgi/app/search_query.c \
            cgi/http/multipart.c cgi/http/tus.c cgi/media/imghdr.c cgi/core/cbor.c cgi/core/webauthn.c \
            cgi/core/mail.c cgi/core/webpush.c \
            cgi/core/outbound.c cgi/core/pushsub.c
UNIT     := $(patsubst tests/unit/%.c,build/san/tests/%,$(wildcard tests/unit/test_*.c))
# Domain tests on real PostgreSQL and Redis: built here, run by the stack tests.
STACK_UNIT := $(patsubst tests/stack/%.c,build/san/stack-tests/%,$(wildcard tests/stack/test_*.c))
FUZZERS  := $(patsubst tests/fuzz/%.c,build/fuzz/%,$(wildcard tests/fuzz/fuzz_*.c))

.PHONY: all run test check test-unit test-fuzz test-stack test-servers test-servers-smoke test-docker test-tsan bench clean san deps \
        test-systemd test-supervise test-backup dist test-dist version test-haproxy test-upgrade
.PHONY: wasm test-e2e

all: build/parley.fcgi build/parley build/parley-events.fcgi build/parley-worker

build/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c $< -o $@

build/san/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(SANFLAGS) -MMD -MP -c $< -o $@

build/tsan/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(TSANFLAGS) -MMD -MP -c $< -o $@

build/tsan/libparley.a: $(TSAN_OBJ)
	ar rcs $@ $^

build/tsan/parley.fcgi: build/tsan/obj/cgi/bin/parley_fcgi.o build/tsan/libparley.a
	$(CC) $(CFLAGS) $(TSANFLAGS) -o $@ $^ $(LIBS)

build/tsan/parley: build/tsan/obj/cgi/bin/parley_cli.o build/tsan/libparley.a
	$(CC) $(CFLAGS) $(TSANFLAGS) -o $@ $^ $(LIBS) $(VIPS_LIBS)

build/libparley.a: $(OBJ)
	ar rcs $@ $^

build/san/libparley.a: $(SAN_OBJ)
	ar rcs $@ $^

build/parley.fcgi: build/obj/cgi/bin/parley_fcgi.o build/libparley.a
	$(CC) $(CFLAGS) -o $@ $^ $(LIBS)

build/parley-events.fcgi: build/obj/cgi/bin/parley_events.o build/libparley.a
	$(CC) $(CFLAGS) -o $@ $^ $(LIBS)

build/san/parley-events.fcgi: build/san/obj/cgi/bin/parley_events.o build/san/libparley.a
	$(CC) $(CFLAGS) $(SANFLAGS) -o $@ $^ $(LIBS)

build/tsan/parley-events.fcgi: build/tsan/obj/cgi/bin/parley_events.o build/tsan/libparley.a
	$(CC) $(CFLAGS) $(TSANFLAGS) -o $@ $^ $(LIBS)

build/parley-worker: build/obj/cgi/bin/parley_worker.o build/libparley.a
	$(CC) $(CFLAGS) -o $@ $^ $(LIBS) $(VIPS_LIBS)

build/san/parley-worker: build/san/obj/cgi/bin/parley_worker.o build/san/libparley.a
	$(CC) $(CFLAGS) $(SANFLAGS) -o $@ $^ $(LIBS) $(VIPS_LIBS)

build/tsan/parley-worker: build/tsan/obj/cgi/bin/parley_worker.o build/tsan/libparley.a
	$(CC) $(CFLAGS) $(TSANFLAGS) -o $@ $^ $(LIBS) $(VIPS_LIBS)

build/parley: build/obj/cgi/bin/parley_cli.o build/libparley.a
	$(CC) $(CFLAGS) -o $@ $^ $(LIBS) $(VIPS_LIBS)

build/san/parley.fcgi: build/san/obj/cgi/bin/parley_fcgi.o build/san/libparley.a
	$(CC) $(CFLAGS) $(SANFLAGS) -o $@ $^ $(LIBS)

build/san/parley: build/san/obj/cgi/bin/parley_cli.o build/san/libparley.a
	$(CC) $(CFLAGS) $(SANFLAGS) -o $@ $^ $(LIBS) $(VIPS_LIBS)

san: build/san/parley.fcgi build/san/parley build/san/parley-events.fcgi build/san/parley-worker

build/san/tests/%: tests/unit/%.c build/san/libparley.a tests/unit/unit_fixture.h
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(SANFLAGS) -o $@ $(filter %.c %.a,$^) -lcmocka $(LIBS) $(VIPS_LIBS)

build/san/stack-tests/%: tests/stack/%.c build/san/libparley.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(SANFLAGS) -o $@ $(filter %.c %.a,$^) -lcmocka $(LIBS) $(VIPS_LIBS)

# End-to-end encryption (cgi/e2e/): libsodium only; not in libparley.a, since no server program
# needs it (the key directory only checks signatures, with libsodium itself). Its unit tests,
# fuzzers and command line (build/e2e/parley-e2e, the native half of the mixed conversation
# test) link it on their own; static/e2e.wasm is the same source for the browser (make wasm).
E2E_SRC  := $(wildcard cgi/e2e/*.c)
E2E_SAN_OBJ := $(filter-out build/san/obj/cgi/e2e/wasm.o,$(E2E_SRC:%.c=build/san/obj/%.o))
build/san/libe2e.a: $(E2E_SAN_OBJ)
	ar rcs $@ $^
$(filter build/san/tests/test_e2e%,$(UNIT)): build/san/libe2e.a
$(filter build/fuzz/fuzz_e2e%,$(FUZZERS)): $(filter-out cgi/e2e/wasm.c,$(E2E_SRC))
build/e2e/parley-e2e: tests/e2e/e2e_cli.c build/san/libe2e.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(SANFLAGS) -o $@ $^ -lsodium

# static/e2e.wasm (make wasm): cgi/e2e/ for wasm32-wasi (reactor model, exports named in
# cgi/e2e/wasm.c) against libsodium built from Debian's source package by
# deploy/wasm/libsodium.sh; needs `deploy/install-deps.sh --test`. Built, never committed.
# make test builds it and runs tests/e2e/ under Node (test-e2e); make run does not need it.
WASM_SODIUM := build/wasm/libsodium
$(WASM_SODIUM)/lib/libsodium.a: deploy/wasm/libsodium.sh
	deploy/wasm/libsodium.sh $(WASM_SODIUM)
build/wasm/e2e.wasm: $(E2E_SRC) $(wildcard cgi/e2e/*.h) $(WASM_SODIUM)/lib/libsodium.a
	$(CLANG) --target=wasm32-wasi --sysroot=/usr -std=c11 -O2 $(WARN) -mexec-model=reactor -I$(WASM_SODIUM)/include \
	  -o $@ $(E2E_SRC) $(WASM_SODIUM)/lib/libsodium.a -Wl,--strip-all
static/e2e.wasm: build/wasm/e2e.wasm
	wasm-opt -Oz $< -o $@
wasm: static/e2e.wasm
	@echo "static/e2e.wasm: $$(stat -c %s $<) bytes, $$(gzip -9c $< | wc -c) gzipped"
# The Wycheproof vectors through the WebAssembly build, and conversations driven half by the
# native build (build/e2e/parley-e2e) and half by the WebAssembly one.
test-e2e: wasm build/e2e/parley-e2e
	node --test --test-concurrency=1 tests/e2e/

build/fuzz/%: tests/fuzz/%.c $(FUZZ_SRC)
	@mkdir -p $(dir $@)
	$(CLANG) $(CPPFLAGS) -std=c11 -g -O1 -fsanitize=fuzzer,address,undefined -o $@ $^ -ljansson -lsodium -lcrypto

# The reaction check's table is big: only its own fuzzer compiles it (not every fuzzer).
build/fuzz/fuzz_emoji: cgi/core/emoji.c cgi/core/emoji_table.c
# Link previews' meta-tag scanner (cgi/core/htmlmeta.c): outside HTML.
build/fuzz/fuzz_htmlmeta: cgi/core/htmlmeta.c
# A page's og:image resolved against its address (cgi/worker/preview_url.c): outside input.
build/fuzz/fuzz_preview_url: cgi/worker/preview_url.c
# Time zones (cgi/core/tzfile.c): TZif files and their POSIX TZ footer.
build/fuzz/fuzz_tzfile: cgi/core/tzfile.c

# The emoji tables, static/js/emoji-data.js (the picker) and cgi/core/emoji_table.c (the
# reaction check), from Debian's unicode-data; committed, so only a Unicode update runs this.
EMOJI_TEST ?= /usr/share/unicode/emoji/emoji-test.txt
.PHONY: emoji-data
emoji-data:
	deploy/emoji/emoji-gen.py $(EMOJI_TEST) static/js/emoji-data.js cgi/core/emoji_table.c cgi/core/emoji_names.c

build/bench/hello.fcgi: tests/bench/hello_fcgi.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< -lfcgi -pthread

# The events hub's load generator (tests/bench/events.sh): one thread, epoll.
build/bench/sseload: tests/bench/sseload.c
	@mkdir -p $(dir $@)
	$(CC) -D_GNU_SOURCE -std=c11 -O2 -g $(WARN) -o $@ $<

deps:
	deploy/install-deps.sh

# The release archive build/parley-$(VERSION).tar.gz: the files git tracks at HEAD (commit
# first: what is not committed is not in it) and a VERSION file naming the release and the
# commit. Built from it, the programs report that version.
DIST := parley-$(VERSION)
dist:
	@git rev-parse --verify -q HEAD >/dev/null || { echo "make dist: needs a git checkout with a commit"; exit 1; }
	@git diff --quiet HEAD -- || echo "make dist: warning: uncommitted changes are not in the archive"
	@rm -rf build/dist && mkdir -p build/dist/$(DIST)
	@printf '%s\n%s\n' "$(VERSION)" "$$(git rev-parse HEAD)" >build/dist/$(DIST)/VERSION
	git archive --format=tar --prefix=$(DIST)/ -o build/dist/$(DIST).tar HEAD
	tar --append -f build/dist/$(DIST).tar -C build/dist --owner=0 --group=0 --numeric-owner $(DIST)/VERSION
	gzip -9 -n -f build/dist/$(DIST).tar
	mv -f build/dist/$(DIST).tar.gz build/$(DIST).tar.gz
	@rm -rf build/dist
	@echo "make dist: build/$(DIST).tar.gz ($$(tar -tzf build/$(DIST).tar.gz | wc -l) entries)"

version:
	@echo $(VERSION)

# The archive holds what a build and `make check` need and nothing of this checkout's own,
# and builds the programs (they say its version).
test-dist: dist
	tests/support/check-dist.sh build/$(DIST).tar.gz $(VERSION)

# Installs what is missing, builds, and runs PostgreSQL, Redis, lighttpd and Parley in the
# foreground until Ctrl-C; a Parley program that crashes is restarted (STACK_SUPERVISE).
run: deps
	$(MAKE) all
	VAR=$(VAR) PORT=$(PORT) BIN=$(CURDIR)/build STACK_SUPERVISE=1 deploy/local/stack.sh run

check:
	tests/support/sqllint.sh

test-unit: $(UNIT)
	@set -e; for t in $(UNIT); do echo "== $$t"; $$t; done

test-fuzz: $(FUZZERS)
	@set -e; for f in $(FUZZERS); do n=$$(basename $$f); echo "== $$n ($(FUZZ_SECONDS) s)"; \
	  mkdir -p build/fuzz/corpus/$$n; \
	  $$f -max_total_time=$(FUZZ_SECONDS) -print_final_stats=0 build/fuzz/corpus/$$n tests/fuzz/seeds/$$n 2>build/fuzz/$$n.log \
	    || { tail -50 build/fuzz/$$n.log; exit 1; }; \
	  grep -E "^(#[0-9]+|Done)" build/fuzz/$$n.log | tail -1; done

# API and browser tests against a real stack (sanitizer builds) on a free port.
test-stack: san $(STACK_UNIT)
	tests/support/run-stack-tests.sh

# The API tests again behind nginx and Apache (deploy/nginx/, deploy/apache/), each on its own
# stack; SERVERS="nginx" for one. 6 to 8 minutes per server, so `make test` runs only
# test-servers-smoke: the web server's own answers, health and the event streams, and the
# conversation flow in Chromium (about 2 minutes per server); then Apache running Parley as
# plain CGI with no Redis (the shared-host recipe): the small-site mode, its long-poll through
# Apache, and sign-up and sign-in in Chromium (about 2 minutes).
SERVERS ?= nginx apache
SMOKE_TESTS := tests/api/webserver.test.mjs tests/api/health.test.mjs tests/api/events.test.mjs
test-servers: san
	tests/support/run-server-tests.sh $(SERVERS)

test-servers-smoke: san
	SERVER_TESTS="$(SMOKE_TESTS)" SERVER_BROWSER_TESTS=tests/browser/conversations.test.mjs \
	  tests/support/run-server-tests.sh $(SERVERS)
	SERVER_TESTS=tests/api/smallsite.test.mjs SERVER_BROWSER_TESTS=tests/browser/accounts.test.mjs \
	  tests/support/run-server-tests.sh apache-cgi

# The systemd units (deploy/systemd/) as systemd-analyze reads them, pointed at the built
# programs; no running systemd needed (a second).
test-systemd: all
	tests/support/check-systemd.sh build

# `make run`'s supervisor on a stack of its own: Parley's programs killed and restarted (15 s).
test-supervise: san
	tests/support/check-supervise.sh

# parley backup and parley restore: a round trip on a stack of its own, wiped in between (15 s).
test-backup: san
	tests/support/check-backup.sh

# Two app nodes behind HAProxy (deploy/haproxy/): health checks, and a stream whose node dies
# resumes through the other with nothing lost (40 s).
test-haproxy: san
	tests/support/check-haproxy.sh

# A zero-downtime upgrade under traffic: stack.sh upgrade three times while clients send and
# read; no request fails, nothing acknowledged is lost (20 s).
test-upgrade: san
	tests/support/check-upgrade.sh

# PostgreSQL failover under traffic: a synchronous standby promoted when the primary stops;
# Parley (a multi-host connection string) recovers by itself, nothing acknowledged lost (15 s).
.PHONY: test-failover
test-failover: san
	tests/support/check-failover.sh

# The container images and compose stack (deploy/docker/), built and brought up for real.
test-docker:
	tests/support/run-docker-tests.sh

# The ThreadSanitizer build under a concurrent load: worker threads share nothing unsafely.
test-tsan: build/tsan/parley.fcgi build/tsan/parley build/tsan/parley-events.fcgi build/tsan/parley-worker
	tests/support/run-tsan.sh

test: check test-unit test-systemd test-supervise test-backup test-dist test-fuzz test-stack test-servers-smoke \
      test-haproxy test-upgrade test-tsan test-e2e

test: test-failover

bench: all wasm build/bench/hello.fcgi build/bench/sseload
	tests/bench/run.sh

clean:
	rm -rf build

-include $(E2E_SAN_OBJ:.o=.d)
-include $(OBJ:.o=.d) $(SAN_OBJ:.o=.d) $(TSAN_OBJ:.o=.d) $(wildcard build/*/cgi/bin/*.d build/*/*/cgi/bin/*.d)

# The browser test of encrypted conversations loads static/e2e.wasm.
test-stack: static/e2e.wasm
