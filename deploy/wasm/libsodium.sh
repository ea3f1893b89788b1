#!/usr/bin/env bash
# libsodium.sh OUTDIR — builds libsodium for wasm32-wasi from Debian's source package, so that
# static/e2e.wasm links the same libsodium release as the native programs. Leaves
# OUTDIR/lib/libsodium.a and OUTDIR/include/. Needs a deb-src entry (deploy/install-deps.sh
# --test adds one), autoconf, automake, libtool, clang-14 and wasi-libc. About 20 s.
set -euo pipefail
out=${1:?usage: libsodium.sh OUTDIR}
mkdir -p "$out"
out=$(cd "$out" && pwd -P)
[[ -f $out/lib/libsodium.a ]] && exit 0
work=$out/src
rm -rf "$work" && mkdir -p "$work"
cd "$work"
apt-get source -q --download-only libsodium >/dev/null 2>&1 || apt-get source -q --download-only libsodium
dsc=$(ls libsodium_*.dsc | head -1)
dpkg-source -x "$dsc" tree >/dev/null
cd tree
[[ -x configure ]] || ./autogen.sh -s >/dev/null
# libsodium's own dist-build/wasm32-wasi.sh teaches config.sub the "wasi" system the same way.
grep -q -F -- 'wasi' build-aux/config.sub || sed -i -e 's/-nacl\*)/-nacl*|-wasi)/' build-aux/config.sub
env CC=clang-14 AR=llvm-ar-14 RANLIB=llvm-ranlib-14 \
    CFLAGS="--target=wasm32-wasi --sysroot=/usr -O2 -D_WASI_EMULATED_SIGNAL" \
    LDFLAGS="-lwasi-emulated-signal" \
    ./configure --host=wasm32-wasi --prefix="$out" --disable-shared --disable-ssp --enable-minimal >/dev/null
make -j2 >/dev/null
make install >/dev/null
cd "$out" && rm -rf "$work"
echo "libsodium.sh: $out/lib/libsodium.a ($(stat -c %s "$out/lib/libsodium.a") bytes)"
