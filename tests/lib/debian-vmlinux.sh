#!/bin/sh
# Fetch the vmlinux with debug info matching Debian's current linux-image-*-amd64 (the kernel that
# tests/lib/debian-kernel.sh extracts) from linux-image-<ver>-amd64-dbg and cache it as
# build/cache/linux/<ver>/vmlinux-dbg. Prints its path. Idempotent and quiet when already there.
# The .deb is ~850 MB: only the vmlinux member is unpacked and the .deb is deleted right after.
set -e
top=$(cd "$(dirname "$0")/../.." && pwd)
# The kernel's own directory first: debian-kernel.sh replaces build/cache/linux/<ver>/ whole while it
# has no vmlinuz, which would take a vmlinux-dbg put there before it with it.
kdir=$(sh "$top/tests/lib/debian-kernel.sh") || exit 1
cache=$(dirname "$kdir")
ver=$(basename "$kdir")
pkg=linux-image-$ver
out=$cache/$ver/vmlinux-dbg
member=./usr/lib/debug/boot/vmlinux-$ver
# Tests run two at a time and may both arrive here first on a fresh clone: one fetches, the other
# waits. A lock of its own, so that a test only needing vmlinuz is not held up by this download.
exec 9>"$cache/.lock-dbg"
flock 9
if [ ! -s "$out" ]; then
	tmp=$cache/$ver/dbg.tmp
	rm -rf "$tmp"
	mkdir -p "$tmp"
	( cd "$tmp" && apt-get download -qq -o APT::Sandbox::User=root "$pkg-dbg" >/dev/null ) || {
		rm -rf "$tmp"
		echo "debian-vmlinux: 'apt-get download $pkg-dbg' failed (is the package in the apt lists? run 'apt-get update')" >&2
		exit 1
	}
	# --occurrence=1: tar stops reading once it has the vmlinux (near the start of data.tar), which
	# takes ~7 s instead of ~45 s for decompressing the whole archive; dpkg-deb then dies of SIGPIPE
	# (its status and message are not ours to report: the file check below is).
	dpkg-deb --fsys-tarfile "$tmp"/*.deb 2>/dev/null | (cd "$tmp" && tar -x --occurrence=1 "$member") || true
	rm -f "$tmp"/*.deb
	if [ ! -s "$tmp/$member" ] || ! head -c 4 "$tmp/$member" | grep -q 'ELF'; then
		rm -rf "$tmp"
		echo "debian-vmlinux: $member not found in $pkg-dbg" >&2
		exit 1
	fi
	mv "$tmp/$member" "$out"
	rm -rf "$tmp"
fi
echo "$out"
