#!/usr/bin/env bash
# Install the Debian 12 packages Parley needs to build and run; with --test, also what
# `make test` needs (cmocka, clang sanitizers, headless Chromium, Node for Playwright, wrk) and
# the other web servers of `make test-servers` (nginx, Apache with mod_fcgid and mod_xsendfile),
# HAProxy and systemd's systemd-analyze.
# Installs only what is missing; safe to run again.
set -euo pipefail

usage() {
    echo "usage: $0 [--test]"
    echo "  Installs the missing Debian packages for building and running Parley."
    echo "  --test  also the packages for the test suite, and tests/ npm dependencies."
}

with_tests=0
case "${1:-}" in
    "") ;;
    --test) with_tests=1 ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
esac

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)

pkgs=(
    build-essential pkg-config
    libfcgi-dev clearsilver-dev libpq-dev libsodium-dev libhiredis-dev libjansson-dev
    libcurl4-openssl-dev libssl-dev libqrencode-dev libmagic-dev libvips-dev ffmpeg
    postgresql postgresql-contrib redis-server lighttpd
    curl ca-certificates
    unicode-data
    tzdata
)
if (( with_tests )); then
    pkgs+=(libcmocka-dev clang-14 libclang-rt-14-dev chromium wrk psmisc procps python3-aiosmtpd)
    # systemd-analyze checks the units in deploy/systemd/ (make test-systemd).
    pkgs+=(systemd)
    pkgs+=(nginx apache2 libapache2-mod-fcgid libapache2-mod-xsendfile)
    # Two app nodes behind HAProxy (make test-haproxy).
    pkgs+=(haproxy)
    # The fan-out peer that `make bench` measures Parley against (tests/bench/events.sh).
    pkgs+=(libnginx-mod-nchan)
    # static/e2e.wasm (make wasm): clang for wasm32-wasi, wasi-libc, and what builds libsodium
    # from Debian's source package (deploy/wasm/libsodium.sh; it needs the deb-src entry below).
    pkgs+=(lld-14 wasi-libc libclang-rt-14-dev-wasm32 binaryen wabt autoconf automake libtool dpkg-dev)
    # Node may come from elsewhere (e.g. NodeSource, which bundles npm and conflicts
    # with Debian's npm package): only install Debian's when there is no node at all.
    if ! command -v node >/dev/null 2>&1; then
        pkgs+=(nodejs npm)
    fi
fi

missing=()
for p in "${pkgs[@]}"; do
    status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)
    [[ $status == ii* ]] || missing+=("$p")
done

if (( ${#missing[@]} == 0 )); then
    echo "install-deps: nothing to do, all packages are installed"
else
    echo "installing: ${missing[*]}"
    sudo=()
    if (( EUID != 0 )); then
        if ! command -v sudo >/dev/null 2>&1; then
            echo "install-deps: not root and sudo is missing; run this script as root" >&2
            exit 1
        fi
        sudo=(sudo)
    fi
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
    # nginx, Apache and HAProxy are here for the tests only, which start them with their own
    # configuration: their packaged services must not start (nginx and Apache would both
    # claim port 80, and the second install would fail). Unless the machine has a policy already, one that
    # refuses those two services lives for the duration of the install.
    policy=/usr/sbin/policy-rc.d
    if (( with_tests )) && [[ ! -e $policy ]]; then
        trap '"${sudo[@]}" rm -f "$policy"' EXIT
        printf '#!/bin/sh\n# written by Parley'"'"'s install-deps.sh for the length of an install\ncase "$1" in nginx|apache2|apache-htcacheclean|haproxy) exit 101 ;; esac\nexit 0\n' |
            "${sudo[@]}" tee "$policy" >/dev/null
        "${sudo[@]}" chmod 755 "$policy"
    fi
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"
fi

# `apt-get source libsodium` (deploy/wasm/libsodium.sh) needs a deb-src entry for the mirror the
# machine already uses: a copy of the deb822 entry with Types: deb-src, added once.
if (( with_tests )) && [[ -f /etc/apt/sources.list.d/debian.sources ]] &&
   ! grep -rqs '^Types:.*deb-src' /etc/apt/sources.list.d/ && ! grep -qs '^deb-src' /etc/apt/sources.list; then
    echo "install-deps: adding a deb-src entry (for apt-get source libsodium)"
    sudo=(); (( EUID == 0 )) || sudo=(sudo)
    sed 's/^Types: deb$/Types: deb-src/' /etc/apt/sources.list.d/debian.sources |
        "${sudo[@]}" tee /etc/apt/sources.list.d/parley-deb-src.sources >/dev/null
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
fi

# JavaScript test dependencies (playwright-core, which drives Debian's chromium).
if (( with_tests )) && [[ -f $ROOT/tests/package.json ]]; then
    cd "$ROOT/tests"
    export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
    if [[ -f package-lock.json ]]; then
        echo "install-deps: npm ci in tests/"
        npm ci --no-audit --no-fund
    else
        echo "install-deps: npm install in tests/"
        npm install --no-audit --no-fund
    fi
fi
