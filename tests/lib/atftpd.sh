#!/bin/sh
# Print the path of an atftpd binary (RFC 7440 windowsize on write requests), unpacked from Debian's
# atftpd .deb into build/cache/atftpd/ without installing it: the atftpd and tftpd-hpa packages
# conflict, and salvage's tests keep tftpd-hpa installed. Its libraries (libwrap0, libpcre2-8-0) are
# ordinary Debian libraries; a missing one is reported.
# Usage: sh tests/lib/atftpd.sh   -> /abs/path/build/cache/atftpd/root/usr/sbin/atftpd
set -eu
cd "$(dirname "$0")/../.."
dir=build/cache/atftpd
bin=$dir/root/usr/sbin/atftpd
mkdir -p "$dir"
exec 9>"$dir/.lock"	# two tests at once on a fresh clone: one unpacks, the other waits
flock 9
if [ ! -x "$bin" ]; then
	mkdir -p "$dir/dl"
	rm -f "$dir"/dl/atftpd_*.deb
	(cd "$dir/dl" && apt-get download -q atftpd) >"$dir/download.log" 2>&1 ||
		{ cat "$dir/download.log" >&2; echo "atftpd.sh: apt-get download atftpd failed" >&2; exit 1; }
	rm -rf "$dir/root.tmp"
	dpkg-deb -x "$dir"/dl/atftpd_*.deb "$dir/root.tmp"
	[ -x "$dir/root.tmp/usr/sbin/atftpd" ] || { echo "atftpd.sh: the .deb has no usr/sbin/atftpd" >&2; exit 1; }
	rm -rf "$dir/root"
	mv "$dir/root.tmp" "$dir/root"
fi
if ldd "$bin" | grep -q 'not found'; then
	echo "atftpd.sh: $bin misses libraries:" >&2
	ldd "$bin" | grep 'not found' >&2
	exit 1
fi
echo "$(pwd)/$bin"
