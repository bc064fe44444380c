#!/bin/sh
# Install every Debian package salvage needs to build, test, demo and benchmark.
# Idempotent: quiet when everything is already present.
set -e

PKGS="make gcc libc6-dev nasm gcc-i686-linux-gnu binutils-i686-linux-gnu \
qemu-system-x86 qemu-utils grub-pc-bin grub-common xorriso mtools \
tftpd-hpa busybox-static kexec-tools makedumpfile crash gdb elfutils binutils \
cpio gzip xz-utils zstd dpkg-dev python3 iproute2 gnuplot-nox ca-certificates linux-perf \
sbsigntool ovmf openssl clang libclang-rt-14-dev age"

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
