#!/bin/sh
# Check that the Dockerfile's runtime packages are exactly what the release binaries load.
#
# usage: deploy/check-runtime-closure.sh [BIN_DIR]
#   BIN_DIR     folder with otto-api, otto-worker, otto-beat (default: .build/release,
#               i.e. the output of `swift build -c release --static-swift-stdlib`)
#   DOCKERFILE  environment: the Dockerfile to compare with (default: deploy/Dockerfile)
#   BINARIES    environment: the binaries to check (default: "otto-api otto-worker otto-beat")
#   SWIFT_RUNTIME_DIR  environment: when set (a debug build, linked against the toolchain's
#               shared Swift runtime), libraries under this folder are skipped: the release
#               build links the Swift standard library statically, so they never ship. This
#               lets `make test` check the closure on the debug build it already has.
#
# How: for each binary, its DIRECT dependencies (the NEEDED entries of its dynamic
# section, readelf -d) are resolved to files with ldd, and each file to the Debian
# package that owns it with dpkg -S. Only direct dependencies count: libpq5 itself pulls
# libssl3, libgssapi-krb5-2, libldap-2.5-0 and others through its own Depends, which apt
# installs with it, so they must not be listed in the Dockerfile. Packages every
# debian:bookworm-slim image already has (libc6, libstdc++6, libgcc-s1, ...) are
# dropped. The result must equal the Dockerfile's single `ARG RUNTIME_PACKAGES="..."`
# line, apart from ALLOWED_EXTRAS below (data, not libraries).
#
# Fails (exit 1) when a binary links Foundation or ICU, a needed package is missing from
# the Dockerfile, a listed one is not needed, a library does not resolve, or a file belongs
# to no package. Exit 2 on bad usage (missing binaries, no RUNTIME_PACKAGES line). Needs readelf (binutils),
# ldd and dpkg, and the build's -dev packages installed (they bring the runtime ones).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
bin_dir=${1:-$root/.build/release}
dockerfile=${DOCKERFILE:-$here/Dockerfile}
binaries=${BINARIES:-otto-api otto-worker otto-beat}

# Packages of debian:bookworm-slim that ship shared libraries. The image cannot be
# pulled here, so the list is derived from Debian 12's archive: the slim image is a
# debootstrap minbase, i.e. every package of Priority "required" plus apt, with their
# Depends and Pre-Depends (computed from bookworm's Packages index, 2025-05 snapshot, and
# checked against a real minbase root: deploy/chroot-check.sh builds one).
BASE_PACKAGES="libacl1 libapt-pkg6.0 libattr1 libaudit1 libblkid1 libbz2-1.0 libc6
libcap-ng0 libcap2 libcom-err2 libcrypt1 libdb5.3 libdebconfclient0 libext2fs2 libffi8
libgcc-s1 libgcrypt20 libgmp10 libgnutls30 libgpg-error0 libhogweed6 libidn2-0 liblz4-1
liblzma5 libmd0 libmount1 libnettle8 libp11-kit0 libpam-modules libpam0g libpcre2-8-0
libseccomp2 libselinux1 libsemanage2 libsepol2 libsmartcols1 libss2 libstdc++6
libsystemd0 libtasn1-6 libtinfo6 libudev1 libunistring2 libuuid1 libxxhash0 libzstd1
zlib1g"

# Listed in the Dockerfile although no binary links them: data the processes read.
#   ca-certificates  the system trust store (TLS to PostgreSQL, rediss://, providers)
#   tzdata           time zone database (bookworm's minbase has it; listed so the
#                    image does not depend on that)
ALLOWED_EXTRAS="ca-certificates tzdata"

fail=0
say() { printf '%s\n' "$*"; }
problem() { say "FAIL $*"; fail=1; }

for tool in readelf ldd dpkg; do
    command -v "$tool" >/dev/null 2>&1 || { say "check-runtime-closure: $tool is required" >&2; exit 2; }
done

if [ ! -f "$dockerfile" ]; then
    say "check-runtime-closure: $dockerfile not found" >&2
    exit 2
fi
count=$(grep -c '^ARG RUNTIME_PACKAGES=' "$dockerfile" || true)
if [ "$count" != 1 ]; then
    say "check-runtime-closure: $dockerfile must have exactly one 'ARG RUNTIME_PACKAGES=\"...\"' line, found $count" >&2
    exit 2
fi
listed=$(sed -n 's/^ARG RUNTIME_PACKAGES="\([^"]*\)".*$/\1/p' "$dockerfile" | tr ' ' '\n' | sed '/^$/d' | sort -u)
if [ -z "$listed" ]; then
    say "check-runtime-closure: cannot read the RUNTIME_PACKAGES list of $dockerfile" >&2
    exit 2
fi

in_list() { # in_list WORD LIST
    printf '%s\n' "$2" | tr ' ' '\n' | grep -qxF "$1"
}

# owner FILE: the package owning FILE. On merged-/usr systems ldd may report /lib/...
# while dpkg recorded /usr/lib/... (or the reverse), and a soname is often a symlink.
owner() {
    _real=$(readlink -f "$1" 2>/dev/null || printf '%s' "$1")
    for _candidate in "$1" "$_real" "/usr$1" "${1#/usr}" "/usr$_real" "${_real#/usr}"; do
        _pkg=$(dpkg -S "$_candidate" 2>/dev/null | sed -n '1s/^\([^:,]*\).*$/\1/p')
        if [ -n "$_pkg" ]; then
            printf '%s\n' "$_pkg"
            return 0
        fi
    done
    return 1
}

needed_all=""
for name in $binaries; do
    binary=$bin_dir/$name
    if [ ! -f "$binary" ]; then
        say "check-runtime-closure: $binary not found (build the release binaries first)" >&2
        exit 2
    fi
    sonames=$(readelf -d "$binary" 2>/dev/null | sed -n 's/.*(NEEDED).*\[\(.*\)\].*/\1/p')
    if [ -z "$sonames" ]; then
        problem "$name: no NEEDED entries (not a dynamically linked ELF file?)"
        continue
    fi
    resolved=$(ldd "$binary" 2>&1 || true)
    packages=""
    for soname in $sonames; do
        # Foundation proper pulls in ICU (about 30 MB of data in a static binary); Otto's code,
        # Hummingbird and the generated OpenAPI code use FoundationEssentials only.
        case $soname in
        libFoundation.so* | libFoundationInternationalization.so* | lib_FoundationICU.so* | libicu*)
            problem "$name: links $soname (Foundation or ICU); use FoundationEssentials"
            continue
            ;;
        esac
        path=$(printf '%s\n' "$resolved" | awk -v s="$soname" '$1 == s && $2 == "=>" { print $3; exit }')
        if [ -z "$path" ]; then
            # the dynamic loader itself is listed by path, not as "soname => path"
            path=$(printf '%s\n' "$resolved" | awk -v s="$soname" '$1 ~ ("/" s "$") { print $1; exit }')
        fi
        if [ -z "$path" ] || [ "$path" = "not" ]; then
            problem "$name: $soname does not resolve (ldd: not found); install its -dev package to check"
            continue
        fi
        if [ -n "${SWIFT_RUNTIME_DIR:-}" ] && [ "${path#"$SWIFT_RUNTIME_DIR"}" != "$path" ]; then
            say "skip $name: $soname (Swift runtime, linked statically in release builds)"
            continue
        fi
        if ! pkg=$(owner "$path"); then
            problem "$name: $soname ($path) belongs to no Debian package"
            continue
        fi
        packages="$packages $pkg"
        if in_list "$pkg" "$BASE_PACKAGES"; then
            say "ok   $name: $soname -> $pkg (in debian:bookworm-slim)"
        elif in_list "$pkg" "$listed"; then
            say "ok   $name: $soname -> $pkg (listed)"
        else
            problem "$name: $soname -> $pkg, which is missing from RUNTIME_PACKAGES in $dockerfile"
        fi
    done
    needed_all="$needed_all $packages"
done

for pkg in $listed; do
    if in_list "$pkg" "$ALLOWED_EXTRAS"; then
        say "ok   $pkg: allowed extra (data, not a library)"
    elif in_list "$pkg" "$BASE_PACKAGES"; then
        problem "$pkg is listed in RUNTIME_PACKAGES but every debian:bookworm-slim image has it"
    elif ! in_list "$pkg" "$needed_all"; then
        problem "$pkg is listed in RUNTIME_PACKAGES but no binary needs it directly ($binaries)"
    fi
done

if [ "$fail" -ne 0 ]; then
    say "check-runtime-closure: FAILED (runtime packages: $(printf '%s' "$listed" | tr '\n' ' '))"
    exit 1
fi
say "check-runtime-closure: ok (runtime packages: $(printf '%s' "$listed" | tr '\n' ' '))"
