#!/bin/sh
# Install every Debian package salvage needs to build, test, demo and benchmark.
# Idempotent: quiet when everything is already present.
#   scripts/deps.sh                      install what is missing (as root; make deps, check, demo, bench)
#   scripts/deps.sh --check-build TOOLS  only check that the build tools TOOLS (and what fetching the
#                                        libraries' Debian sources needs) are there; never installs
#                                        (plain make: building needs no root and runs no apt)
set -e

# What `make` needs: the toolchain, and dpkg-source for the libraries' Debian source packages.
BUILD_PKGS="make gcc libc6-dev nasm gcc-i686-linux-gnu binutils-i686-linux-gnu binutils dpkg-dev"

if [ "${1:-}" = --check-build ]; then
	missing=""
	for t in ${2:-} dpkg-source apt-get; do
		command -v "$t" >/dev/null 2>&1 || missing="$missing $t"
	done
	[ -z "$missing" ] && exit 0
	echo "build: missing:$missing" >&2
	echo "build: salvage builds with Debian's:$BUILD_PKGS" >&2
	echo "build: install them (as root: apt-get install$BUILD_PKGS, or make deps for everything)" >&2
	exit 1
fi

PKGS="$BUILD_PKGS \
qemu-system-x86 qemu-utils grub-pc-bin grub-common xorriso mtools \
tftpd-hpa busybox-static kexec-tools makedumpfile crash gdb elfutils \
cpio gzip xz-utils zstd python3 iproute2 gnuplot-nox ca-certificates linux-perf \
sbsigntool ovmf openssl clang libclang-rt-14-dev age lintian debootstrap libc6-dev-i386-cross"

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "deps: missing packages:$missing" >&2
	echo "deps: run 'make deps' as root (or: sudo apt-get install$missing)" >&2
	exit 1
fi
echo "deps: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# tftpd-hpa and kexec-tools start services or ask questions on install; we run our own servers.
apt-get install -y -qq --no-install-recommends $missing >/dev/null
