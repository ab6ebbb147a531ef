#!/bin/sh
# Build the libFuzzer targets (tests/fuzz/fuzz_*.c) with clang, AddressSanitizer
# and UndefinedBehaviorSanitizer.
#
#   tests/fuzz/build.sh [OUTDIR] [TARGET...]
#
# OUTDIR defaults to build/fuzz.  The library sources (lib/*.c) are compiled
# with the same instrumentation into OUTDIR/obj (recompiled only when a
# source or header is newer) and linked into each fuzzer, OUTDIR/fuzz_NAME.
# TARGET names (fuzz_config, ...) limit what is linked; all by default.
# CC (default clang) and JOBS (default 2) may be set.
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-$top/build/fuzz}
[ $# -gt 0 ] && shift
CC=${CC:-clang}
JOBS=${JOBS:-2}
PKG_CONFIG=${PKG_CONFIG:-pkg-config}

if ! command -v "$CC" >/dev/null 2>&1; then
	echo "build.sh: '$CC' not found (libFuzzer needs clang)" >&2
	exit 2
fi

pkgs="yaml-0.1 libcurl libpcre2-8 sqlite3 jansson"
cflags=$($PKG_CONFIG --cflags $pkgs)
libs="$($PKG_CONFIG --libs $pkgs) -lm"
if $PKG_CONFIG --exists hiredis; then
	cflags="$cflags $($PKG_CONFIG --cflags hiredis) -DQE_HAVE_HIREDIS=1"
	libs="$libs $($PKG_CONFIG --libs hiredis)"
fi
version=$(sed -n 's/^VERSION := *//p' "$top/Makefile")
san="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
common="-std=c11 -D_GNU_SOURCE -DQE_VERSION=\"${version:-0}\" -g -O1 $san -I$top/lib $cflags"

mkdir -p "$out/obj"

# Library objects: instrumented for coverage, without libFuzzer's main.
newest_h=$(ls -t "$top"/lib/*.h | head -1)
stale=
for src in "$top"/lib/*.c; do
	obj=$out/obj/$(basename "$src" .c).o
	if [ ! -f "$obj" ] || [ "$src" -nt "$obj" ] || [ "$newest_h" -nt "$obj" ]; then
		stale="$stale $src"
	fi
done
if [ -n "$stale" ]; then
	echo "build.sh: compiling $(echo $stale | wc -w) library sources" >&2
	# shellcheck disable=SC2086
	printf '%s\n' $stale | xargs -P "$JOBS" -I{} sh -c \
		'o="$1/obj/$(basename "$2" .c).o"; s=$2; shift 2
		"$@" -c -o "$o.tmp" "$s" && mv "$o.tmp" "$o"' \
		sh "$out" {} $CC $common -fsanitize=fuzzer-no-link
fi
# Only the objects of today's sources: a removed source leaves no stale code.
objs=
for src in "$top"/lib/*.c; do
	objs="$objs $out/obj/$(basename "$src" .c).o"
done
rm -f "$out/libqerrors-fuzz.a"
# shellcheck disable=SC2086
ar rcs "$out/libqerrors-fuzz.a" $objs

if [ $# -eq 0 ]; then
	for f in "$top"/tests/fuzz/fuzz_*.c; do
		set -- "$@" "$(basename "$f" .c)"
	done
fi
for t in "$@"; do
	src=$top/tests/fuzz/$t.c
	if [ ! -f "$src" ]; then
		echo "build.sh: no fuzz target '$t'" >&2
		exit 2
	fi
	# shellcheck disable=SC2086
	$CC $common -fsanitize=fuzzer -I"$top/tests/fuzz" -o "$out/$t" "$src" \
		"$out/libqerrors-fuzz.a" $libs
	echo "$out/$t"
done
