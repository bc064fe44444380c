#!/bin/sh
# Fetch Debian's current linux-image-*-amd64 package and extract it (never installed) into
# build/cache/linux/. Prints the directory; it holds vmlinuz, lib/modules/<ver>/ and
# System.map/config under boot/. Idempotent and quiet when already there.
# `debian-kernel.sh i386` instead prints the same layout for Debian's current 686-pae kernel,
# fetched through a private i386 apt state by tests/lib/debian-i386.sh.
set -e
case ${1:-amd64} in
amd64) ;;
i386) exec sh "$(dirname "$0")/debian-i386.sh" linux-image-686-pae ;;
*) echo "debian-kernel: unknown architecture '$1' (amd64 or i386)" >&2; exit 1 ;;
esac
top=$(cd "$(dirname "$0")/../.." && pwd)
cache=$top/build/cache/linux
pkg=$(apt-cache depends linux-image-amd64 2>/dev/null | sed -n 's/.*Depends: \(linux-image-[0-9].*-amd64\)$/\1/p' | head -1)
if [ -z "$pkg" ]; then
	echo "debian-kernel: cannot resolve linux-image-amd64 (run 'apt-get update' first)" >&2
	exit 1
fi
ver=${pkg#linux-image-}
mkdir -p "$cache"
# Tests run two at a time and may both arrive here first on a fresh clone: one fetches, the other waits.
exec 9>"$cache/.lock"
flock 9
if [ ! -f "$cache/$ver/vmlinuz" ]; then
	rm -rf "$cache/$ver.tmp"
	mkdir -p "$cache/$ver.tmp"
	( cd "$cache/$ver.tmp" && apt-get download -qq -o APT::Sandbox::User=root "$pkg" >/dev/null ) || {
		echo "debian-kernel: 'apt-get download $pkg' failed" >&2; exit 1; }
	dpkg-deb -x "$cache/$ver.tmp"/*.deb "$cache/$ver.tmp/root"
	cp "$cache/$ver.tmp/root/boot/vmlinuz-$ver" "$cache/$ver.tmp/root/vmlinuz"
	rm -f "$cache/$ver.tmp"/*.deb
	rm -rf "$cache/$ver"
	mv "$cache/$ver.tmp/root" "$cache/$ver"
	rmdir "$cache/$ver.tmp"
fi
echo "$cache/$ver"
